export * from './core-service';
