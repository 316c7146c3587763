export * from './agent-service';
export * from './runtime';
