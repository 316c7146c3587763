export * from './plan';
export * from './tenant-namespace';
