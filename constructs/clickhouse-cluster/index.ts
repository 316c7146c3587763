export * from './clickhouse-cluster';
export type { AppUserProps, BackupProps, ClickHouseClusterProps, ColumnProps, KafkaIngestionProps, KeeperProps, ReplicatedTableProps } from './props';
export { isIdentifier, parseTtl, quoteIdentifier, quoteString } from './ddl';
