export * from './types';
export * from './base';
export * from './load';
export * from './node-pools';
export * from './derive';
