export * from './elasticsearch-cluster';
export * from './props';
export * from './rest';
