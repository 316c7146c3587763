import { App, Size } from 'cdk8s';
import { Resources } from '../../constructs/lib/resources';
import { RedisSentinel } from '../../constructs/redis-sentinel';
import { imageRef } from '../../environments/derive';
import { EnvironmentConfig } from '../../environments/types';
import { PlatformChart } from '../platform-chart';
import { APP_NAMESPACES, MONITORING_NAMESPACE, namespacePeer, SECRET_STORE } from '../shared';

/** Namespaces whose workloads use Redis: the application namespaces. */
export const REDIS_CLIENT_NAMESPACES = APP_NAMESPACES;

/**
 * `db-redis`: Redis with Sentinel at the environment's scale, open to the application namespaces
 * and to Prometheus.
 *
 * - dev (`redis.replicas: 1`): one Redis and one Sentinel, no failover. Clients still find the
 *   primary through Sentinel, so application config is the same in every environment.
 * - staging, prod: three data pods and three Sentinels (quorum 2) on distinct nodes.
 * - dr: an independent Redis at prod's scale, running and empty, not a replica of prod. Redis
 *   holds caches, sessions and short-lived state that PostgreSQL can rebuild; cross-region
 *   replication would tie DR's Sentinels to prod's primary and complicate promotion. After a
 *   failover the cache warms from PostgreSQL; what lived only in Redis (sessions) is lost.
 */
export class DbRedisChart extends PlatformChart {
  public readonly redis: RedisSentinel;

  constructor(scope: App, config: EnvironmentConfig) {
    super(scope, 'db-redis', { config, namespace: 'db-redis' });
    this.redis = new RedisSentinel(this, 'Redis', {
      name: 'redis',
      namespace: this.ns.name,
      replicas: config.redis.replicas,
      image: imageRef(config, 'redis'),
      resources: Resources.PRESETS[config.redis.size],
      storage: { size: Size.gibibytes(config.redis.storageGi), storageClass: this.cloud.storageClass },
      nodePool: this.nodePool('data'),
      zoneSpread: config.features.zoneSpread && this.cloud.supportsZones,
      secretStore: SECRET_STORE,
      secretRemoteKey: `${config.name}/db-redis/credentials`,
      tls: { enabled: config.redis.tls },
      monitoring: { exporterImage: imageRef(config, 'redisExporter'), scrapers: [namespacePeer(MONITORING_NAMESPACE)] },
      // Unset: the construct's default, cluster.local.
      clusterDomain: config.clusterDomain,
    });
    this.redis.allowFrom(...REDIS_CLIENT_NAMESPACES.map(namespacePeer));
  }
}
