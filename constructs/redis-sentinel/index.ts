export * from './props';
export * from './redis-sentinel';
