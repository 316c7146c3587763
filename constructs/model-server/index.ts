export * from './model-server';
export * from './source';
export * from './download';
