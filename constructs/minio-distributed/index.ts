export * from './buckets';
export * from './erasure';
export * from './minio-distributed';
export * from './props';
