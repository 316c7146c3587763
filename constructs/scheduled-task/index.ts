export * from './cron';
export * from './scheduled-task';
