export * from './clickhouse-cluster';
export type { BackupProps, ClickHouseClusterProps, ColumnProps, KafkaIngestionProps, KeeperProps, ReplicatedTableProps } from './props';
export { isIdentifier, parseTtl, quoteIdentifier, quoteString } from './ddl';
