export * from './alerts';
export * from './cron';
export * from './scheduled-task';
