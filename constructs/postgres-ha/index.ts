export * from './props';
export * from './postgres-ha';
