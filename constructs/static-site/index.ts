export * from './nginx-conf';
