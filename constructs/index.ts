export * from './postgres-ha';
