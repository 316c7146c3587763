export * from './nginx-conf';
export * from './static-site';
