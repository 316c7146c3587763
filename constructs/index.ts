export * from './postgres-ha';
export * from './redis-sentinel';
