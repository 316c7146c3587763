import { Duration, Size, SizeRoundingBehavior } from 'cdk8s';
import { Construct } from 'constructs';
import { DEFAULT_CLUSTER_DOMAIN, resolveDataService, ResolvedDataService } from '../lib/contract';
import { SecretStoreRef } from '../lib/external-secret';
import { PropChecks } from '../lib/prop-errors';
import { Resources } from '../lib/resources';
import { NodePool } from '../lib/scheduling';
import { ResolvedTls, resolveTls } from '../lib/tls';
import { AppendFsync, DEFAULT_APP_ACL, DEFAULT_SAVE_POINTS, MAXMEMORY_POLICIES, MaxmemoryPolicy, SavePoint } from './config';
import { REDIS_GID, REDIS_UID, RedisSentinelProps } from './props';

/** Longest name: `<name>-sentinel-headless` stays a DNS label and StatefulSet pod names stay short. */
const MAX_NAME_LENGTH = 40;
/** Most data pods: one primary and 15 replicas is already far past what Sentinel setups run. */
const MAX_REPLICAS = 16;
/** Smallest maxmemory that still holds a useful dataset. */
const MIN_MAXMEMORY_BYTES = 16 * 1024 ** 2;

/** Props with their defaults applied, after every check passed: what the builders read. */
export interface ResolvedRedisProps extends ResolvedDataService {
  readonly nodePool?: NodePool;
  readonly secretStore: SecretStoreRef;
  readonly secretRemoteKey: string;
  readonly appAcl: string;
  readonly tls: ResolvedTls;
  /** True with a single data pod: no replica, so no failover. */
  readonly standalone: boolean;
  readonly sentinelReplicas: number;
  readonly quorum: number;
  readonly masterSetName: string;
  readonly downAfterMs: number;
  readonly failoverTimeoutMs: number;
  readonly parallelSyncs: number;
  readonly sentinelResources: Resources;
  readonly exporterResources: Resources;
  readonly maxmemoryBytes: number;
  readonly maxmemoryPolicy: MaxmemoryPolicy;
  readonly savePoints: readonly SavePoint[];
  readonly appendFsync: AppendFsync;
  readonly minReplicasToWrite: number;
  /** Size of each data volume in whole GiB. */
  readonly storageGi: number;
  readonly clusterDomain: string;
}

/** Applies defaults and checks every prop; throws one PropValidationError listing all problems. */
export function resolveProps(scope: Construct, id: string, props: RedisSentinelProps): ResolvedRedisProps {
  const check = new PropChecks(scope);
  const base = resolveDataService(
    scope,
    id,
    props,
    {
      maxNameLength: MAX_NAME_LENGTH,
      replicas: 3,
      maxReplicas: MAX_REPLICAS,
      resources: Resources.MEDIUM,
      storageSize: Size.gibibytes(8),
      podSecurity: { runAsUser: REDIS_UID, runAsGroup: REDIS_GID, fsGroup: REDIS_GID },
    },
    check,
  );
  const standalone = base.replicas === 1;
  if (Number.isInteger(base.replicas) && base.replicas >= 1 && base.replicas <= MAX_REPLICAS) {
    check.that(
      base.replicas !== 2,
      'replicas',
      'must be 1 (a single instance, no failover) or at least 3 for Sentinel: with 2, losing the replica stops writes (min-replicas-to-write) and a drain leaves no failover target',
      base.replicas,
    );
    check.integer(props.minReplicasToWrite ?? 0, 'minReplicasToWrite', 0, Math.max(0, base.replicas - 1));
  }
  const sentinel = resolveSentinel(props, standalone, check);
  const memory = resolveMemory(props, base.resources, check);
  const storageGi = base.storageSize.toGibibytes({ rounding: SizeRoundingBehavior.FLOOR });
  const appAcl = props.appAcl ?? DEFAULT_APP_ACL;
  checkAcl(appAcl, check);
  const tls = resolveTls(check, props.tls);
  check.throwIfAny();
  return {
    ...base,
    ...sentinel,
    ...memory,
    nodePool: props.nodePool,
    secretStore: props.secretStore,
    secretRemoteKey: props.secretRemoteKey ?? `redis/${base.namespace}/${base.name}`,
    appAcl,
    tls,
    standalone,
    masterSetName: props.masterSetName ?? base.name,
    sentinelResources: props.sentinelResources ?? Resources.NANO,
    exporterResources: props.exporterResources ?? Resources.NANO,
    appendFsync: props.appendFsync ?? AppendFsync.EVERYSEC,
    minReplicasToWrite: props.minReplicasToWrite ?? (standalone ? 0 : 1),
    storageGi,
    clusterDomain: props.clusterDomain ?? DEFAULT_CLUSTER_DOMAIN,
  };
}

type SentinelSettings = Pick<ResolvedRedisProps, 'sentinelReplicas' | 'quorum' | 'downAfterMs' | 'failoverTimeoutMs' | 'parallelSyncs'>;

/** The Sentinels: an odd count that can form a majority, a quorum within it, sane timeouts. */
function resolveSentinel(props: RedisSentinelProps, standalone: boolean, check: PropChecks): SentinelSettings {
  const sentinelReplicas = props.sentinelReplicas ?? (standalone ? 1 : 3);
  const majority = Math.floor(sentinelReplicas / 2) + 1;
  const quorum = props.quorum ?? majority;
  if (check.integer(sentinelReplicas, 'sentinelReplicas', 1)) {
    check.that(
      sentinelReplicas % 2 === 1,
      'sentinelReplicas',
      'must be odd: an even count adds no failure tolerance to the majority vote',
      sentinelReplicas,
    );
    check.that(
      standalone || sentinelReplicas >= 3,
      'sentinelReplicas',
      'must be at least 3 with replicas >= 3: a failover needs a majority of Sentinels, so fewer than 3 cannot survive losing one',
      sentinelReplicas,
    );
    check.integer(quorum, 'quorum', majority, sentinelReplicas);
  }
  const downAfterMs = (props.downAfter ?? Duration.seconds(10)).toMilliseconds();
  const failoverTimeoutMs = (props.failoverTimeout ?? Duration.minutes(3)).toMilliseconds();
  const parallelSyncs = props.parallelSyncs ?? 1;
  check.that(
    Number.isInteger(downAfterMs) && downAfterMs >= 1000,
    'downAfter',
    'must be at least 1 second in whole milliseconds: shorter makes every network hiccup a failover',
    downAfterMs,
  );
  check.that(failoverTimeoutMs > downAfterMs, 'failoverTimeout', `must exceed downAfter (${downAfterMs} ms)`, failoverTimeoutMs);
  check.integer(parallelSyncs, 'parallelSyncs', 1);
  return { sentinelReplicas, quorum, downAfterMs, failoverTimeoutMs, parallelSyncs };
}

type MemorySettings = Pick<ResolvedRedisProps, 'maxmemoryBytes' | 'maxmemoryPolicy' | 'savePoints'>;

/** maxmemory from the memory limit, a policy Redis knows, and valid RDB save points. */
function resolveMemory(props: RedisSentinelProps, resources: Resources, check: PropChecks): MemorySettings {
  const maxmemoryRatio = props.maxmemoryRatio ?? 0.75;
  const maxmemoryBytes = Math.floor(resources.memoryLimitBytes * maxmemoryRatio);
  const maxmemoryPolicy = props.maxmemoryPolicy ?? MaxmemoryPolicy.NOEVICTION;
  const savePoints = props.savePoints ?? DEFAULT_SAVE_POINTS;
  check.that(maxmemoryPolicy.isKnown, 'maxmemoryPolicy', `must be a policy Redis knows: ${MAXMEMORY_POLICIES.join(', ')}`, maxmemoryPolicy.value);
  check.that(
    Number.isFinite(maxmemoryRatio) && maxmemoryRatio >= 0.1 && maxmemoryRatio <= 0.9,
    'maxmemoryRatio',
    'must be from 0.1 to 0.9 of the memory limit: the rest is headroom for fork copy-on-write and buffers',
    maxmemoryRatio,
  );
  check.that(
    maxmemoryBytes >= MIN_MAXMEMORY_BYTES,
    'resources',
    `memory limit x maxmemoryRatio must leave at least 16Mi for data (maxmemory would be ${maxmemoryBytes} bytes)`,
    resources.memoryLimit,
  );
  savePoints.forEach((s, i) => {
    check.integer(s.afterSeconds, `savePoints[${i}].afterSeconds`, 1);
    check.integer(s.minChanges, `savePoints[${i}].minChanges`, 1);
  });
  const seconds = savePoints.map((s) => s.afterSeconds);
  check.that(new Set(seconds).size === seconds.length, 'savePoints', 'must not repeat an afterSeconds value', seconds);
  return { maxmemoryBytes, maxmemoryPolicy, savePoints };
}

/**
 * ACL rules of the app user: key (`~`, `%R~`, `%W~`), channel (`&`) and command (`+`, `-`,
 * `allkeys`...) rules only. A password or a user flag here would change who can log in, which the
 * construct owns; characters outside printable ASCII or a quote would break the config line.
 */
function checkAcl(acl: string, check: PropChecks): void {
  const rules = acl
    .trim()
    .split(/\s+/)
    .filter((r) => r !== '');
  check.that(rules.length > 0, 'appAcl', 'must hold at least one rule', acl);
  check.that(/^[\x21-\x7e ]*$/.test(acl) && !/["'\\]/.test(acl), 'appAcl', 'must be printable ASCII without quotes or backslashes', acl);
  const userFlags = /^(on|off|nopass|resetpass|reset|skip-sanitize-payload|sanitize-payload|[<>#!].*|\(.*)$/;
  for (const r of rules.filter((x) => userFlags.test(x))) {
    check.that(false, 'appAcl', 'must not set passwords, user flags or selectors (on, off, nopass, reset, >, <, #, !, (...))', r);
  }
}
