export * from './certificate';
export * from './kong';
export * from './public-ingress';
