import { k8s } from 'cdk8s-plus-28';
import { contentHash } from '../lib/content-hash';
import {
  cliOptions,
  redisLivenessScript,
  redisPreStopScript,
  redisReadinessScript,
  redisStartScript,
  renderRedisConf,
  renderSentinelConf,
  REDIS_PORT,
  REDIS_USERS,
  RedisUser,
  SENTINEL_PORT,
  sentinelLivenessScript,
  sentinelReadinessScript,
  sentinelStartScript,
} from './config';
import { FILES, PATHS, RedisContext } from './context';

/** The passwords a data pod's start-up script reads: every user's (it writes them all into redis.conf). */
export const DATA_USERS: readonly RedisUser[] = REDIS_USERS;
/** The passwords a Sentinel's start-up script reads: its own (the app's), the monitor's (to ask data pods) and the failover user's. */
export const SENTINEL_USERS: readonly RedisUser[] = ['app', 'monitor', 'failover'];

/** Seconds a primary's preStop waits for Sentinel to hand its role to a replica. */
export const PRESTOP_WAIT_SECONDS = 20;

/** Config files and scripts of both pod kinds, by file name. No secret is in them. */
export function renderFiles(ctx: RedisContext): Record<string, string> {
  const p = ctx.props;
  const tls = ctx.tls;
  const start = {
    passwordDir: PATHS.secret,
    tls,
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
      tls,
    }),
    [FILES.sentinelConf]: renderSentinelConf({ port: SENTINEL_PORT, dir: PATHS.sentinel, tls }),
    [FILES.startRedis]: redisStartScript({
      ...start,
      users: DATA_USERS,
      appAcl: p.appAcl,
      selfHost: ctx.selfHost(ctx.names.headless),
      selfPort: REDIS_PORT,
      templateFile: `${PATHS.config}/${FILES.redisConf}`,
      targetFile: `${PATHS.runtime}/redis.conf`,
    }),
    [FILES.startSentinel]: sentinelStartScript({
      ...start,
      users: SENTINEL_USERS,
      selfHost: ctx.selfHost(ctx.names.sentinelHeadless),
      selfPort: SENTINEL_PORT,
      templateFile: `${PATHS.config}/${FILES.sentinelConf}`,
      targetFile: `${PATHS.sentinel}/sentinel.conf`,
      quorum: p.quorum,
      downAfterMs: p.downAfterMs,
      failoverTimeoutMs: p.failoverTimeoutMs,
      parallelSyncs: p.parallelSyncs,
    }),
    [FILES.redisLiveness]: redisLivenessScript(REDIS_PORT, cliOptions(tls, 'monitor')),
    [FILES.redisReadiness]: redisReadinessScript(REDIS_PORT, cliOptions(tls, 'monitor')),
    [FILES.redisPreStop]: redisPreStopScript({
      port: REDIS_PORT,
      sentinel: { host: ctx.hosts.sentinel, port: SENTINEL_PORT },
      masterSet: p.masterSetName,
      waitSeconds: PRESTOP_WAIT_SECONDS,
      tls,
    }),
    [FILES.sentinelLiveness]: sentinelLivenessScript(SENTINEL_PORT, cliOptions(tls)),
    [FILES.sentinelReadiness]: sentinelReadinessScript(SENTINEL_PORT, p.masterSetName, cliOptions(tls)),
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
