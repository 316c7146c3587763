import { App, Size } from 'cdk8s';
import { KEDA_OPERATOR } from '../../constructs/lib/keda';
import { Resources } from '../../constructs/lib/resources';
import { ClientEndpoint } from '../../constructs/lib/workload/endpoint';
import { RedisSentinel } from '../../constructs/redis-sentinel';
import { REDIS_PORT, SENTINEL_PORT } from '../../constructs/redis-sentinel/config';
import { imageRef } from '../../environments/derive';
import { EnvironmentConfig } from '../../environments/types';
import { PlatformChart } from '../platform-chart';
import { appClients, assertEndpointServed, MONITORING_NAMESPACE, namespacePeer, queueScalingEnabled, SECRET_STORE } from '../shared';
import { DEFAULT_CLUSTER_DOMAIN } from '../../constructs/lib/contract';

/** The namespace of the chart. */
export const REDIS_NAMESPACE = 'db-redis';
/** The Redis name, also the Sentinel master set name clients ask for. */
export const REDIS_NAME = 'redis';

/**
 * How an application in another chart reaches Redis (charts are synthesized apart, so they share
 * this, not the construct): ask the Sentinel Service for the primary of `REDIS_MASTER_SET`, then
 * log in to it (port 6379) as `app`; over TLS with the CA at `<env>/db-redis/ca` (property
 * `ca.crt`) where `redis.tls` is on. The chart asserts its Redis serves it.
 */
export function redisEndpoint(config: EnvironmentConfig): ClientEndpoint {
  return {
    kind: 'redis',
    host: `${REDIS_NAME}-sentinel.${REDIS_NAMESPACE}.svc.${config.clusterDomain ?? DEFAULT_CLUSTER_DOMAIN}`,
    port: SENTINEL_PORT,
    username: 'app',
    password: { remoteKey: redisCredentialsKey(config), property: 'app-password' },
    settings: { MASTER_SET: REDIS_NAME },
    ...(config.redis.tls ? { tls: { ca: { remoteKey: `${config.name}/db-redis/ca`, property: 'ca.crt' } } } : {}),
    peer: {
      peerNamespace: REDIS_NAMESPACE,
      peerSelector: { 'app.kubernetes.io/name': 'redis', 'app.kubernetes.io/instance': REDIS_NAME },
      ports: [REDIS_PORT, SENTINEL_PORT],
    },
  };
}

function redisCredentialsKey(config: EnvironmentConfig): string {
  return `${config.name}/db-redis/credentials`;
}

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
    super(scope, REDIS_NAMESPACE, { config, namespace: REDIS_NAMESPACE });
    this.redis = new RedisSentinel(this, 'Redis', {
      name: REDIS_NAME,
      namespace: this.ns.name,
      replicas: config.redis.replicas,
      image: imageRef(config, 'redis'),
      resources: Resources.PRESETS[config.redis.size],
      storage: { size: Size.gibibytes(config.redis.storageGi), storageClass: this.cloud.storageClass },
      nodePool: this.nodePool('data'),
      zoneSpread: config.features.zoneSpread && this.cloud.supportsZones,
      secretStore: SECRET_STORE,
      secretRemoteKey: redisCredentialsKey(config),
      tls: { enabled: config.redis.tls },
      monitoring: { exporterImage: imageRef(config, 'redisExporter'), scrapers: [namespacePeer(MONITORING_NAMESPACE)] },
      // Unset: the construct's default, cluster.local.
      clusterDomain: config.clusterDomain,
    });
    this.redis.allowFrom(...appClients('redis'));
    if (queueScalingEnabled(config)) {
      // The KEDA operator reads the length of the agents' task lists itself (app-agents' ScaledObjects).
      this.redis.allowFrom(KEDA_OPERATOR);
    }
    assertEndpointServed(this, 'redisEndpoint', redisEndpoint(config), this.redis, { MASTER_SET: this.redis.masterSetName });
  }
}
