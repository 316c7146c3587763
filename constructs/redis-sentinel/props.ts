import { Duration } from 'cdk8s';
import { DataServiceProps } from '../lib/contract';
import { Resources } from '../lib/resources';
import { TlsProps } from '../lib/tls';
import { AppendFsync, MaxmemoryPolicy, SavePoint } from './config';

export { AppendFsync, MaxmemoryPolicy, DEFAULT_APP_ACL, DEFAULT_SAVE_POINTS, REDIS_PORT, REDIS_USERS, SENTINEL_PORT } from './config';
export type { RedisUser } from './config';
export type { SavePoint } from './config';

/** UID of user `redis` in the official `redis:*-alpine` image (`adduser -S -G redis -u 999 redis`). */
export const REDIS_UID = 999;
/** GID of group `redis` in the official alpine image (`addgroup -S -g 1000 redis`). */
export const REDIS_GID = 1000;

/**
 * A RedisSentinel on the data-service contract (`DataServiceProps`). In its terms: `name` is the
 * base name of every object (`<name>`, `<name>-sentinel`, `<name>-headless`...; at most 40
 * characters), `replicas` the Redis data pods (default 3; 1 runs a single instance with one
 * Sentinel and no failover, for development, and records a warning; 2 is refused), `resources`
 * those of the redis container (default Resources.MEDIUM; `maxmemory` derives from its memory
 * limit), `storage.size` 8Gi by default, `image` is required (pinned; it must ship `redis-cli`,
 * `sh` and `timeout`, as the official alpine image does), `monitoring` runs the oliver006
 * redis_exporter sidecar with a ServiceMonitor (`monitoring.exporterImage` is required while it
 * is on: images are a supply-chain decision), and `podSecurity` defaults to REDIS_UID and REDIS_GID.
 */
export interface RedisSentinelProps extends DataServiceProps {
  /** Sentinel pods: an odd number, at least 3 when replicas >= 3. @default 3, or 1 when replicas is 1 */
  readonly sentinelReplicas?: number;
  /** Sentinels that must agree the primary is down: from a majority to all of them. @default - a majority (2 of 3) */
  readonly quorum?: number;
  /** The Sentinel master set name clients ask for. @default - the name */
  readonly masterSetName?: string;
  /** How long the primary must be unreachable before Sentinel calls it down. @default Duration.seconds(10) */
  readonly downAfter?: Duration;
  /** Sentinel's failover-timeout: retry interval and bound of one failover. @default Duration.minutes(3) */
  readonly failoverTimeout?: Duration;
  /** Replicas that resync with a new primary at once after a failover. @default 1 */
  readonly parallelSyncs?: number;
  /** Resources of each Sentinel. @default Resources.NANO */
  readonly sentinelResources?: Resources;
  /** Resources of the exporter sidecar. @default Resources.NANO */
  readonly exporterResources?: Resources;
  /** `maxmemory` as a share of the memory limit; the rest is headroom for fork copy-on-write during BGSAVE and AOF rewrites, replication and client buffers, and fragmentation. @default 0.75 */
  readonly maxmemoryRatio?: number;
  /** What Redis does at `maxmemory`. @default MaxmemoryPolicy.NOEVICTION */
  readonly maxmemoryPolicy?: MaxmemoryPolicy;
  /** RDB save points; an empty list disables snapshots (AOF stays on). @default DEFAULT_SAVE_POINTS (3600 1, 300 100, 60 10000) */
  readonly savePoints?: readonly SavePoint[];
  /** AOF fsync policy. @default AppendFsync.EVERYSEC */
  readonly appendFsync?: AppendFsync;
  /** The primary refuses writes with fewer connected replicas (bounds writes lost to a split brain). @default 1, or 0 when replicas is 1 */
  readonly minReplicasToWrite?: number;
  /**
   * Key in the secret store of a JSON value with one property per ACL user: `app-password`,
   * `replication-password`, `failover-password` and `monitor-password` (each from the characters
   * of PASSWORD_CHARSET). @default `redis/<namespace>/<name>`
   */
  readonly secretRemoteKey?: string;
  /**
   * ACL rules of the `app` user, the application's login (`connection.username`). Passwords and
   * user flags (`on`, `off`, `nopass`, `reset`...) are not allowed here.
   * @default DEFAULT_APP_ACL ('~* &* +@all -@dangerous +info +role')
   */
  readonly appAcl?: string;
  /**
   * TLS on both ports (`tls-port`, `port 0`), for replication and for Sentinel's links: a
   * cert-manager Certificate per cluster (constructs/lib/tls.ts) naming every pod, the Sentinel
   * Service and `localhost` (the exporter). Clients verify with `connection.tls`.
   * @default - on, with a CA per cluster
   */
  readonly tls?: TlsProps;
  /** The cluster's DNS domain, for the announced pod names. @default 'cluster.local' */
  readonly clusterDomain?: string;
}
