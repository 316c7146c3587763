import { ResourcePresetName } from '../../constructs/lib/resources';

/**
 * The `redis` block of an environment (`environments/<env>.ts`): the scale and size of the
 * `db-redis` chart. The JSON schema is generated from this type (`npm run schema`).
 */
export interface RedisConfig {
  /**
   * Redis data pods: 1 (dev, no failover) or 3 and more; RedisSentinel refuses 2.
   * @asType integer
   * @minimum 1
   * @maximum 9
   */
  readonly replicas: number;
  /** Resource preset of each data pod; `maxmemory` derives from its memory limit. */
  readonly size: ResourcePresetName;
  /**
   * Data volume of each data pod, in GiB.
   * @asType integer
   * @minimum 1
   * @maximum 65536
   */
  readonly storageGi: number;
  /**
   * TLS on the data pods and Sentinels (tls-port only, TLS replication and Sentinel links), with
   * a CA per cluster from cert-manager. Off in dev.
   */
  readonly tls: boolean;
}
