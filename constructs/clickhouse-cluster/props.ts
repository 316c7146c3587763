import { DataServiceProps } from '../lib/contract';
import { INetworkPeer } from '../lib/network';
import { Resources } from '../lib/resources';

/** HTTP interface: clients, the `/ping` probes. */
export const HTTP_PORT = 8123;
/** Native TCP protocol: clients, Distributed tables, distributed DDL. */
export const NATIVE_PORT = 9000;
/** Interserver HTTP: replicas fetch parts from each other. */
export const INTERSERVER_PORT = 9009;
/** Built-in Prometheus endpoint (`<prometheus>`) of servers and Keeper. */
export const METRICS_PORT = 9363;
/** Keeper client port (servers connect here). */
export const KEEPER_CLIENT_PORT = 9181;
/** Keeper Raft port (Keeper members only). */
export const KEEPER_RAFT_PORT = 9234;
/** Keeper `http_control`: `/ready` once the member is in a quorum. */
export const KEEPER_HTTP_PORT = 9182;
/** UID and GID of user `clickhouse` in the official server and keeper images. */
export const CLICKHOUSE_UID = 101;
export const CLICKHOUSE_GID = 101;

/** ClickHouse Keeper, the Raft coordination service of replication and distributed DDL. */
export interface KeeperProps {
  /** Members: an odd number (1 for development, 3 or 5). @default 3 */
  readonly replicas?: number;
  /** Keeper image, pinned (`clickhouse/clickhouse-keeper`, the server's version). No default. */
  readonly image: string;
  /** Resources of each member. @default Resources.SMALL */
  readonly resources?: Resources;
  /** Volume of each member (Raft log and snapshots), a quantity. @default '5Gi' */
  readonly storageSize?: string;
}

/** One column of a table. */
export interface ColumnProps {
  /** An identifier: letters, digits, `_`, not starting with a digit. */
  readonly name: string;
  /** A ClickHouse type, e.g. `String`, `DateTime64(3, 'UTC')`, `LowCardinality(String)`, `Decimal(18, 2)`. */
  readonly type: string;
}

/**
 * A sharded, replicated table: a ReplicatedMergeTree table `<name>_local` on every replica and a
 * Distributed table `<name>` over all shards that clients query and insert into.
 */
export interface ReplicatedTableProps {
  /** Table name (an identifier); the local table is `<name>_local`. */
  readonly name: string;
  /** Database. @default - the cluster's `database` */
  readonly database?: string;
  readonly columns: readonly ColumnProps[];
  /** Sorting key: column names. */
  readonly orderBy: readonly string[];
  /** Partition key: a column, or `toYYYYMM(col)`, `toYYYYMMDD(col)`, `toMonday(col)`, `toStartOfMonth(col)`, `toDate(col)`. @default - no partitioning */
  readonly partitionBy?: string;
  /**
   * Row lifetime: `<date or datetime column> + INTERVAL <n> <SECOND|MINUTE|HOUR|DAY|WEEK|MONTH|QUARTER|YEAR>`.
   * Expired rows are deleted; with `ttl_only_drop_parts` whole expired parts are dropped.
   * @default - rows live forever
   */
  readonly ttl?: string;
  /** Column whose hash picks the shard of an inserted row. @default - `rand()` */
  readonly shardingKey?: string;
}

/** The brokers' SASL login, for the servers' Kafka client (librdkafka). */
export interface KafkaClientProps {
  /** @default 'SCRAM-SHA-512' */
  readonly saslMechanism?: 'SCRAM-SHA-512' | 'SCRAM-SHA-256' | 'PLAIN';
  readonly username: string;
  /** Store key of the password. */
  readonly passwordRemoteKey: string;
  /** Property of the JSON value at that key. @default - the whole value */
  readonly passwordProperty?: string;
}

/** Ingestion from a Kafka topic: a Kafka engine table and a materialized view into a replicated table. */
export interface KafkaIngestionProps {
  readonly topic: string;
  /** Name of a table declared with `addReplicatedTable`. */
  readonly table: string;
  /** Kafka message format. @default 'JSONEachRow' */
  readonly format?: 'JSONEachRow' | 'CSV' | 'TSV' | 'Avro' | 'Protobuf';
  /** Brokers, `host:port` each. */
  readonly brokers: readonly string[];
  /** Consumer group: identical on every replica, so each message is consumed once by the cluster. */
  readonly consumerGroup: string;
  /** Consumers per server, at most the topic's partitions. @default 1 */
  readonly consumers?: number;
  /** The brokers' pods, for the servers' egress policy. @default - any destination on the broker ports */
  readonly networkPeer?: INetworkPeer;
}

/** Scheduled `BACKUP DATABASE ... ON CLUSTER ... TO S3(...)` from a CronJob. */
export interface BackupProps {
  /** S3 endpoint, e.g. `http://minio.storage-minio.svc:9000` (path-style). */
  readonly endpoint: string;
  readonly bucket: string;
  /** Folder in the bucket. @default - the cluster name */
  readonly basePath?: string;
  /** Profile and quota of the clients' login `app`. @default - may insert, 60 s per query, no quota limits */
  readonly appUser?: AppUserProps;
  /** Key of the store entry with properties `access-key-id` and `secret-access-key`. */
  readonly credentialsRemoteKey: string;
  /** The store's pods, for the egress policies. @default - any destination on the port */
  readonly networkPeer?: INetworkPeer;
  /** CronJob schedule. @default '15 2 * * *' (02:15 daily) */
  readonly schedule?: string;
  /**
   * Days a backup is kept. BACKUP never deletes: this is the expiry of the bucket's lifecycle rule
   * (MinIO ILM), documented in docs/constructs/clickhouse-cluster.md; the value is written on the CronJob.
   * @default 30
   */
  readonly retentionDays?: number;
}

/** The clients' login `app`: its settings profile and its quota, both named `app`. */
export interface AppUserProps {
  /** Read-only (`readonly = 2`: queries and SET, no INSERT or DDL). @default false (the application inserts) */
  readonly readonly?: boolean;
  /** `max_execution_time` of one query, in seconds; 0 for none. @default 60 */
  readonly maxExecutionTimeSeconds?: number;
  /** Quota: queries per hour; 0 for unlimited. @default 0 */
  readonly queriesPerHour?: number;
  /** Quota: failed queries per hour; 0 for unlimited. @default 0 */
  readonly errorsPerHour?: number;
}

/**
 * A ClickHouseCluster on the data-service contract. In its terms: `name` is the base of every object
 * (`<name>-s<i>` per shard, `<name>-keeper`...; at most 30 characters), `replicas` are the replicas of
 * each shard (default 2), `resources` and `storage` those of a server (default Resources.LARGE, 50Gi),
 * `image` is required (`clickhouse/clickhouse-server`, pinned), `monitoring` scrapes the built-in
 * Prometheus endpoint (no exporter image), `podSecurity` defaults to uid/gid 101.
 */
export interface ClickHouseClusterProps extends DataServiceProps {
  /** Shards, each its own StatefulSet `<name>-s<i>`. @default 2 */
  readonly shards?: number;
  /** Cluster name in `remote_servers` and the `{cluster}` macro (an identifier). @default 'main' */
  readonly clusterName?: string;
  /**
   * Zones the nodes are in. With `zoneSpread`, the replicas of each shard and the Keeper members are
   * then spread strictly (`whenUnsatisfiable: DoNotSchedule`: one zone lost costs a shard at most one
   * replica), so neither may outnumber the zones.
   * @default - unknown: the zone spread is best effort (`ScheduleAnyway`)
   */
  readonly zones?: number;
  /** ClickHouse Keeper. */
  readonly keeper: KeeperProps;
  /** Database of the declared tables, created ON CLUSTER. @default 'default' */
  readonly database?: string;
  /** `max_server_memory_usage` as a share of the container's memory limit. @default 0.8 */
  readonly memoryRatio?: number;
  /** `max_memory_usage` of one query as a share of the container's memory limit. @default 0.5 */
  readonly queryMemoryRatio?: number;
  /** Profile and quota of the clients' login `app`. @default - may insert, 60 s per query, no quota limits */
  readonly appUser?: AppUserProps;
  /** Key of the store entry with properties `admin-password`, `app-password`, `cluster-secret`, `interserver-password`. @default `clickhouse/<namespace>/<name>` */
  readonly secretRemoteKey?: string;
  /** Scheduled backups to S3. @default - none */
  readonly backup?: BackupProps;
  /**
   * How the Kafka engine tables log in to the brokers (every ingestion of this cluster): SASL
   * over plaintext, the password from the secret store into the servers' env (`<kafka>` config
   * with `from_env`). @default - no authentication
   */
  readonly kafka?: KafkaClientProps;
  /** The cluster's DNS domain. @default 'cluster.local' */
  readonly clusterDomain?: string;
}
