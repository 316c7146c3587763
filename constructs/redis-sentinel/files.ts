import { k8s } from 'cdk8s-plus-28';
import { contentHash } from '../lib/content-hash';
import {
  redisLivenessScript,
  redisPreStopScript,
  redisReadinessScript,
  redisStartScript,
  renderRedisConf,
  renderSentinelConf,
  REDIS_PORT,
  SENTINEL_PORT,
  sentinelLivenessScript,
  sentinelReadinessScript,
  sentinelStartScript,
} from './config';
import { FILES, PASSWORD_KEY, PATHS, RedisContext } from './context';

/** Seconds a primary's preStop waits for Sentinel to hand its role to a replica. */
export const PRESTOP_WAIT_SECONDS = 20;

/** Config files and scripts of both pod kinds, by file name. No secret is in them. */
export function renderFiles(ctx: RedisContext): Record<string, string> {
  const p = ctx.props;
  const start = {
    passwordFile: `${PATHS.secret}/${PASSWORD_KEY}`,
    sentinels: ctx.hosts.sentinels.map((host) => ({ host, port: SENTINEL_PORT })),
    dataPods: ctx.hosts.data.map((host) => ({ host, port: REDIS_PORT })),
    fallbackPrimary: { host: ctx.hosts.data[0], port: REDIS_PORT },
    masterSet: p.masterSetName,
  };
  return {
    [FILES.redisConf]: renderRedisConf({
      port: REDIS_PORT,
      dataDir: PATHS.data,
      maxmemoryBytes: p.maxmemoryBytes,
      maxmemoryPolicy: p.maxmemoryPolicy.value,
      savePoints: p.savePoints,
      appendfsync: p.appendFsync.value,
      minReplicasToWrite: p.minReplicasToWrite,
      minReplicasMaxLagSeconds: 10,
    }),
    [FILES.sentinelConf]: renderSentinelConf({ port: SENTINEL_PORT, dir: PATHS.sentinel }),
    [FILES.startRedis]: redisStartScript({
      ...start,
      selfHost: ctx.selfHost(ctx.names.headless),
      selfPort: REDIS_PORT,
      templateFile: `${PATHS.config}/${FILES.redisConf}`,
      targetFile: `${PATHS.runtime}/redis.conf`,
    }),
    [FILES.startSentinel]: sentinelStartScript({
      ...start,
      selfHost: ctx.selfHost(ctx.names.sentinelHeadless),
      selfPort: SENTINEL_PORT,
      templateFile: `${PATHS.config}/${FILES.sentinelConf}`,
      targetFile: `${PATHS.sentinel}/sentinel.conf`,
      quorum: p.quorum,
      downAfterMs: p.downAfterMs,
      failoverTimeoutMs: p.failoverTimeoutMs,
      parallelSyncs: p.parallelSyncs,
    }),
    [FILES.redisLiveness]: redisLivenessScript(REDIS_PORT),
    [FILES.redisReadiness]: redisReadinessScript(REDIS_PORT),
    [FILES.redisPreStop]: redisPreStopScript({
      port: REDIS_PORT,
      sentinel: { host: ctx.hosts.sentinel, port: SENTINEL_PORT },
      masterSet: p.masterSetName,
      waitSeconds: PRESTOP_WAIT_SECONDS,
    }),
    [FILES.sentinelLiveness]: sentinelLivenessScript(SENTINEL_PORT),
    [FILES.sentinelReadiness]: sentinelReadinessScript(SENTINEL_PORT, p.masterSetName),
  };
}

/**
 * One ConfigMap for both pod kinds. Returns the checksum that goes into the pod templates, so
 * pods restart when their config changes.
 */
export function addConfigMap(ctx: RedisContext, files: Record<string, string>): string {
  new k8s.KubeConfigMap(ctx.scope, 'Config', { metadata: ctx.meta(ctx.names.config), data: { ...files } });
  return contentHash(JSON.stringify(files), 16);
}
