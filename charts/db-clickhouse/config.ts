import { ResourcePresetName } from '../../constructs/lib/resources';

/**
 * The `clickhouse` block of an environment (`environments/<env>.ts`): the scale and size of the
 * `db-clickhouse` chart. The JSON schema is generated from this type (`npm run schema`).
 */
export interface ClickHouseConfig {
  /**
   * Shards, each its own StatefulSet.
   * @asType integer
   * @minimum 1
   * @maximum 32
   */
  readonly shards: number;
  /**
   * Replicas of each shard: 1 (dev, no failover) or 2 and more.
   * @asType integer
   * @minimum 1
   * @maximum 10
   */
  readonly replicas: number;
  /**
   * ClickHouse Keeper members: odd (ClickHouseCluster refuses an even count), 1 in dev.
   * @asType integer
   * @minimum 1
   * @maximum 7
   */
  readonly keeperReplicas: number;
  /** Resource preset of each server (at least 1Gi of memory); `max_server_memory_usage` derives from its limit. */
  readonly size: ResourcePresetName;
  /** Resource preset of each Keeper member. */
  readonly keeperSize: ResourcePresetName;
  /**
   * Data volume of each server, in GiB.
   * @asType integer
   * @minimum 1
   * @maximum 65536
   */
  readonly storageGi: number;
  /**
   * Days raw invoice events are kept (the TTL of `analytics.invoice_events`).
   * @asType integer
   * @minimum 1
   * @maximum 3650
   */
  readonly rawEventsRetentionDays: number;
  /**
   * Days backups are kept (the expiry of the backup bucket's lifecycle rule), when the environment backs up.
   * @asType integer
   * @minimum 1
   * @maximum 3650
   */
  readonly backupRetentionDays: number;
}
