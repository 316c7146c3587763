import { createHash } from 'crypto';
import { Duration, Size, SizeRoundingBehavior } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { disruptionBudget } from './lib/disruption-budget';
import { managedSecret, SecretStoreRef } from './lib/external-secret';
import { imageVersion, LABEL_INSTANCE, LABEL_NAME, selectorLabels, standardLabels, WorkloadIdentity } from './lib/labels';
import { allowEgressPolicy, allowIngressPolicy, INetworkPeer, peerOf } from './lib/network';
import { containerSecurityContext, podSecurityContext, TMP, WritablePath, writableMounts, writableVolumes } from './lib/pod-defaults';
import { PropChecks } from './lib/prop-errors';
import {
  AppendFsync,
  DEFAULT_SAVE_POINTS,
  EXPORTER_PORT,
  MAXMEMORY_POLICIES,
  MaxmemoryPolicy,
  REDIS_PORT,
  redisLivenessScript,
  redisPreStopScript,
  redisReadinessScript,
  redisStartScript,
  renderRedisConf,
  renderSentinelConf,
  SavePoint,
  SENTINEL_PORT,
  sentinelLivenessScript,
  sentinelReadinessScript,
  sentinelStartScript,
} from './lib/redis-config';
import { Resources } from './lib/resources';
import { NodePool, nodePoolSpec, spreadReplicas } from './lib/scheduling';
import { metricsMonitor } from './lib/service-monitor';

export { AppendFsync, MaxmemoryPolicy, SavePoint } from './lib/redis-config';

/** UID of user `redis` in the official `redis:*-alpine` image (`adduser -S -G redis -u 999 redis`). */
export const REDIS_UID = 999;
/** GID of group `redis` in the official alpine image (`addgroup -S -g 1000 redis`). */
export const REDIS_GID = 1000;

/** `app.kubernetes.io/name` of every object. */
const APP_NAME = 'redis';
/** Key of the password in the Secret the ExternalSecret creates. */
const PASSWORD_KEY = 'password';

/** Where things are mounted in the pods. */
const PATHS = {
  config: '/config',
  secret: '/secrets/redis',
  data: '/data',
  /** The pod's own redis.conf (holds the password: memory-backed). */
  runtime: '/run/redis',
  /** Sentinel's writable config and working directory (holds the password: memory-backed). */
  sentinel: '/sentinel',
} as const;

/** ConfigMap keys. */
const FILES = {
  redisConf: 'redis.conf',
  sentinelConf: 'sentinel.conf',
  startRedis: 'start-redis.sh',
  startSentinel: 'start-sentinel.sh',
  redisLiveness: 'redis-liveness.sh',
  redisReadiness: 'redis-readiness.sh',
  redisPreStop: 'redis-prestop.sh',
  sentinelLiveness: 'sentinel-liveness.sh',
  sentinelReadiness: 'sentinel-readiness.sh',
} as const;

const RUNTIME_DIR: WritablePath = { name: 'runtime', mountPath: PATHS.runtime, sizeLimit: '1Mi', memory: true };
const SENTINEL_DIR: WritablePath = { name: 'sentinel', mountPath: PATHS.sentinel, sizeLimit: '16Mi', memory: true };

/** Seconds a primary's preStop waits for Sentinel to hand its role to a replica. */
const PRESTOP_WAIT_SECONDS = 20;
/** Grace period of a data pod: the preStop wait plus time for Redis to flush the AOF and exit. */
const DATA_TERMINATION_GRACE_SECONDS = PRESTOP_WAIT_SECONDS + 20;
/** Resources of the init containers, which only write a config file. */
const INIT_RESOURCES = Resources.NANO;
/** Longest name: `<name>-sentinel-headless` stays a DNS label and StatefulSet pod names stay short. */
const MAX_NAME_LENGTH = 40;
/** Smallest maxmemory that still holds a useful dataset. */
const MIN_MAXMEMORY_BYTES = 16 * 1024 ** 2;

export interface RedisSentinelProps {
  /** Namespace of every object. */
  readonly namespace: string;
  /** Base name of every object (`<name>`, `<name>-sentinel`, `<name>-headless`...). A DNS label. @default - the construct id, lower-cased */
  readonly name?: string;
  /** Redis image, pinned by tag or digest; it must ship `redis-cli`, `sh` and `timeout` (the official alpine image does). No default: images are a supply-chain decision. */
  readonly image: string;
  /** oliver006/redis_exporter image, pinned. No default, like `image`. */
  readonly exporterImage: string;
  /**
   * Redis data pods; one is primary. 1 runs a single instance with one Sentinel and no failover
   * (development only; the construct records a warning). 2 is refused. @default 3
   */
  readonly replicas?: number;
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
  /** Resources of the redis container; `maxmemory` derives from its memory limit. @default Resources.MEDIUM */
  readonly resources?: Resources;
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
  /** Initial size of each data volume. @default Size.gibibytes(8) */
  readonly storage?: Size;
  /** StorageClass of the data volumes. @default - the cluster's default StorageClass */
  readonly storageClass?: string;
  /** Where the password comes from: an External Secrets store. */
  readonly secretStore: SecretStoreRef;
  /** Key of the password in the store. @default `redis/<namespace>/<name>` */
  readonly passwordRemoteKey?: string;
  /** Property of a JSON value at that key. @default - the whole value */
  readonly passwordRemoteProperty?: string;
  /** Node pool of the pods. @default - any node */
  readonly nodePool?: NodePool;
  /** Also spread pods across zones. @default false */
  readonly zoneSpread?: boolean;
  /** `app.kubernetes.io/part-of`. @default DEFAULT_PART_OF */
  readonly partOf?: string;
  /** The cluster's DNS domain, for the announced pod names. @default 'cluster.local' */
  readonly clusterDomain?: string;
}

/**
 * Redis with Sentinel: a StatefulSet of data pods (one primary, the rest replicas) and a separate
 * StatefulSet of Sentinels that elect a new primary when it fails.
 *
 * Sentinels run apart from the data pods so that each has its own readiness and restarts: a
 * replica that is resyncing never takes a Sentinel out of the Service clients ask, and a
 * Sentinel restart never restarts Redis. Everyone announces stable DNS names, never pod IPs.
 * Clients ask `sentinelHost:sentinelPort` for the primary of `masterSetName` (any
 * Sentinel-aware driver), authenticating with the password in `secretName`.
 */
export class RedisSentinel extends Construct implements INetworkPeer {
  /** Base name of the objects. */
  public readonly name: string;
  public readonly namespace: string;
  /** Data pods. */
  public readonly replicas: number;
  /** Sentinel pods. */
  public readonly sentinelReplicas: number;
  /** Sentinels that must agree before a failover. */
  public readonly quorum: number;
  /** True with a single data pod: no replica, so no failover. */
  public readonly standalone: boolean;
  /** The master set name clients ask Sentinel for. */
  public readonly masterSetName: string;
  /** Service that load-balances over ready Sentinels. */
  public readonly sentinelService: string;
  /** DNS name of that Service. */
  public readonly sentinelHost: string;
  public readonly sentinelPort = SENTINEL_PORT;
  /** Port of the data pods (the primary's address comes from Sentinel). */
  public readonly redisPort = REDIS_PORT;
  /** Headless Service of the data pods: their stable DNS names. */
  public readonly headlessService: string;
  /** Stable DNS name of each data pod, as announced to Sentinel and replicas. */
  public readonly dataHosts: readonly string[];
  /** Secret (created by the ExternalSecret) holding the password, and its key. */
  public readonly secretName: string;
  public readonly secretKey = PASSWORD_KEY;
  /** Key of the password in the secret store, for an ExternalSecret in a client's namespace. */
  public readonly passwordRemoteKey: string;
  /** `maxmemory` in bytes, derived from the memory limit. */
  public readonly maxmemoryBytes: number;
  /** Config files and scripts, by file name, as the pods see them. */
  public readonly files: Readonly<Record<string, string>>;
  /** Things a reviewer should know about this configuration (e.g. no failover). */
  public readonly warnings: readonly string[];
  public readonly dataStatefulSet: k8s.KubeStatefulSet;
  public readonly sentinelStatefulSet: k8s.KubeStatefulSet;
  /** INetworkPeer: every pod of this Redis (data and Sentinel). Clients need egress to both. */
  public readonly peerNamespace: string;
  public readonly peerSelector: Readonly<Record<string, string>>;

  private readonly dataSelector: Record<string, string>;
  private readonly commonLabels: Record<string, string>;
  private readonly clientPeers: k8s.NetworkPolicyPeer[] = [];
  private readonly metricsPeers: k8s.NetworkPolicyPeer[] = [];

  constructor(scope: Construct, id: string, props: RedisSentinelProps) {
    super(scope, id);
    const name = props.name ?? id.toLowerCase();
    const replicas = props.replicas ?? 3;
    const standalone = replicas === 1;
    const sentinelReplicas = props.sentinelReplicas ?? (standalone ? 1 : 3);
    const majority = Math.floor(sentinelReplicas / 2) + 1;
    const quorum = props.quorum ?? majority;
    const resources = props.resources ?? Resources.MEDIUM;
    const maxmemoryRatio = props.maxmemoryRatio ?? 0.75;
    const maxmemoryBytes = Math.floor(resources.memoryLimitBytes * maxmemoryRatio);
    const maxmemoryPolicy = props.maxmemoryPolicy ?? MaxmemoryPolicy.NOEVICTION;
    const savePoints = props.savePoints ?? DEFAULT_SAVE_POINTS;
    const minReplicasToWrite = props.minReplicasToWrite ?? (standalone ? 0 : 1);
    const downAfterMs = (props.downAfter ?? Duration.seconds(10)).toMilliseconds();
    const failoverTimeoutMs = (props.failoverTimeout ?? Duration.minutes(3)).toMilliseconds();
    const parallelSyncs = props.parallelSyncs ?? 1;
    const storageGi = (props.storage ?? Size.gibibytes(8)).toGibibytes({ rounding: SizeRoundingBehavior.FLOOR });

    const check = new PropChecks(this);
    check.that(
      typeof name === 'string' && name.length <= MAX_NAME_LENGTH && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name),
      'name',
      `must be a DNS label of at most ${MAX_NAME_LENGTH} characters (it prefixes pod and Service names)`,
      name,
    );
    check.dnsLabel(props.namespace, 'namespace');
    const replicasValid = check.integer(replicas, 'replicas', 1);
    if (replicasValid) {
      check.that(
        replicas !== 2,
        'replicas',
        'must be 1 (a single instance, no failover) or at least 3 for Sentinel: with 2, losing the replica stops writes (min-replicas-to-write) and a drain leaves no failover target',
        replicas,
      );
    }
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
    check.pinnedImage(props.image, 'image');
    check.pinnedImage(props.exporterImage, 'exporterImage');
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
    if (replicasValid) {
      check.integer(minReplicasToWrite, 'minReplicasToWrite', 0, Math.max(0, replicas - 1));
    }
    check.that(
      Number.isInteger(downAfterMs) && downAfterMs >= 1000,
      'downAfter',
      'must be at least 1 second in whole milliseconds: shorter makes every network hiccup a failover',
      downAfterMs,
    );
    check.that(failoverTimeoutMs > downAfterMs, 'failoverTimeout', `must exceed downAfter (${downAfterMs} ms)`, failoverTimeoutMs);
    check.integer(parallelSyncs, 'parallelSyncs', 1);
    check.that(storageGi >= 1, 'storage', 'must be at least 1Gi', props.storage?.toGibibytes());
    check.throwIfAny();

    const domain = props.clusterDomain ?? 'cluster.local';
    const ns = props.namespace;
    this.name = name;
    this.namespace = ns;
    this.replicas = replicas;
    this.sentinelReplicas = sentinelReplicas;
    this.quorum = quorum;
    this.standalone = standalone;
    this.masterSetName = props.masterSetName ?? name;
    this.maxmemoryBytes = maxmemoryBytes;
    this.headlessService = `${name}-headless`;
    this.sentinelService = `${name}-sentinel`;
    this.sentinelHost = `${this.sentinelService}.${ns}.svc.${domain}`;
    this.secretName = `${name}-auth`;
    this.passwordRemoteKey = props.passwordRemoteKey ?? `redis/${ns}/${name}`;
    const sentinelStsName = `${name}-sentinel`;
    const sentinelHeadless = `${name}-sentinel-headless`;
    const podHost = (sts: string, svc: string, i: number): string => `${sts}-${i}.${svc}.${ns}.svc.${domain}`;
    this.dataHosts = Array.from({ length: replicas }, (_, i) => podHost(name, this.headlessService, i));
    const sentinelHosts = Array.from({ length: sentinelReplicas }, (_, i) => podHost(sentinelStsName, sentinelHeadless, i));
    this.warnings = standalone
      ? [`${this.node.path}: replicas is 1: a single Redis instance with one Sentinel; no replica, so no failover (use only for development)`]
      : [];
    for (const w of this.warnings) {
      this.node.addMetadata('warning', w);
    }

    const version = imageVersion(props.image);
    const identity = (component: string): WorkloadIdentity => ({ name: APP_NAME, instance: name, component, version, partOf: props.partOf });
    this.commonLabels = standardLabels(identity('cache'));
    this.dataSelector = selectorLabels(identity('data'));
    const sentinelSelector = selectorLabels(identity('sentinel'));
    this.peerNamespace = ns;
    this.peerSelector = { [LABEL_NAME]: APP_NAME, [LABEL_INSTANCE]: name };

    // Config files and scripts: one ConfigMap for both pod kinds, no secrets in it.
    const start = {
      passwordFile: `${PATHS.secret}/${PASSWORD_KEY}`,
      sentinels: sentinelHosts.map((host) => ({ host, port: SENTINEL_PORT })),
      dataPods: this.dataHosts.map((host) => ({ host, port: REDIS_PORT })),
      fallbackPrimary: { host: this.dataHosts[0], port: REDIS_PORT },
      masterSet: this.masterSetName,
    };
    this.files = {
      [FILES.redisConf]: renderRedisConf({
        port: REDIS_PORT,
        dataDir: PATHS.data,
        maxmemoryBytes,
        maxmemoryPolicy: maxmemoryPolicy.value,
        savePoints,
        appendfsync: (props.appendFsync ?? AppendFsync.EVERYSEC).value,
        minReplicasToWrite,
        minReplicasMaxLagSeconds: 10,
      }),
      [FILES.sentinelConf]: renderSentinelConf({ port: SENTINEL_PORT, dir: PATHS.sentinel }),
      [FILES.startRedis]: redisStartScript({
        ...start,
        selfHost: `$POD_NAME.${this.headlessService}.${ns}.svc.${domain}`,
        selfPort: REDIS_PORT,
        templateFile: `${PATHS.config}/${FILES.redisConf}`,
        targetFile: `${PATHS.runtime}/redis.conf`,
      }),
      [FILES.startSentinel]: sentinelStartScript({
        ...start,
        selfHost: `$POD_NAME.${sentinelHeadless}.${ns}.svc.${domain}`,
        selfPort: SENTINEL_PORT,
        templateFile: `${PATHS.config}/${FILES.sentinelConf}`,
        targetFile: `${PATHS.sentinel}/sentinel.conf`,
        quorum,
        downAfterMs,
        failoverTimeoutMs,
        parallelSyncs,
      }),
      [FILES.redisLiveness]: redisLivenessScript(REDIS_PORT),
      [FILES.redisReadiness]: redisReadinessScript(REDIS_PORT),
      [FILES.redisPreStop]: redisPreStopScript({
        port: REDIS_PORT,
        sentinel: { host: this.sentinelHost, port: SENTINEL_PORT },
        masterSet: this.masterSetName,
        waitSeconds: PRESTOP_WAIT_SECONDS,
      }),
      [FILES.sentinelLiveness]: sentinelLivenessScript(SENTINEL_PORT),
      [FILES.sentinelReadiness]: sentinelReadinessScript(SENTINEL_PORT, this.masterSetName),
    };
    const configMapName = `${name}-config`;
    new k8s.KubeConfigMap(this, 'Config', {
      metadata: { name: configMapName, namespace: ns, labels: this.commonLabels },
      data: { ...this.files },
    });
    // Pods restart when their config changes: the checksum is part of the pod template.
    const configChecksum = createHash('sha256').update(JSON.stringify(this.files)).digest('hex').slice(0, 16);

    managedSecret(this, 'Auth', {
      name: this.secretName,
      namespace: ns,
      labels: this.commonLabels,
      store: props.secretStore,
      keys: [{ secretKey: PASSWORD_KEY, remoteKey: this.passwordRemoteKey, property: props.passwordRemoteProperty }],
    });

    // Services: stable names for every pod (headless, published before ready so peers can
    // find each other while starting), and one Service over ready Sentinels for clients.
    this.service('Headless', this.headlessService, identity('data'), this.dataSelector, true, [
      { name: 'redis', port: REDIS_PORT },
      { name: 'metrics', port: EXPORTER_PORT },
    ]);
    this.service('SentinelHeadless', sentinelHeadless, identity('sentinel'), sentinelSelector, true, [{ name: 'sentinel', port: SENTINEL_PORT }]);
    this.service('SentinelService', this.sentinelService, identity('sentinel'), sentinelSelector, false, [{ name: 'sentinel', port: SENTINEL_PORT }]);

    const passwordEnv = (envName: string): k8s.EnvVar => ({
      name: envName,
      valueFrom: { secretKeyRef: { name: this.secretName, key: PASSWORD_KEY } },
    });
    const podNameEnv: k8s.EnvVar = { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } };
    const script = (file: string): string[] => ['sh', `${PATHS.config}/${file}`];
    const configMount: k8s.VolumeMount = { name: 'config', mountPath: PATHS.config, readOnly: true };
    const secretMount: k8s.VolumeMount = { name: 'password', mountPath: PATHS.secret, readOnly: true };
    const sharedVolumes: k8s.Volume[] = [
      { name: 'config', configMap: { name: configMapName, defaultMode: 0o444 } },
      // Group-readable: the pods run with the image's group, which owns the files via fsGroup.
      { name: 'password', secret: { secretName: this.secretName, defaultMode: 0o440, items: [{ key: PASSWORD_KEY, path: PASSWORD_KEY }] } },
    ];
    const podDefaults = {
      securityContext: podSecurityContext({ runAsUser: REDIS_UID, runAsGroup: REDIS_GID, fsGroup: REDIS_GID }),
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      ...nodePoolSpec(props.nodePool),
    };
    const spread = { requireDistinctNodes: true, acrossZones: props.zoneSpread ?? false };

    // Data pods.
    const redisContainer: k8s.Container = {
      name: 'redis',
      image: props.image,
      command: ['redis-server', `${PATHS.runtime}/redis.conf`],
      ports: [{ name: 'redis', containerPort: REDIS_PORT, protocol: 'TCP' }],
      // redis-cli in probes and preStop reads the password from REDISCLI_AUTH.
      env: [passwordEnv('REDISCLI_AUTH')],
      resources: resources.toKube(),
      securityContext: containerSecurityContext(),
      volumeMounts: [{ name: 'data', mountPath: PATHS.data }, configMount, ...writableMounts([RUNTIME_DIR, TMP])],
      livenessProbe: {
        exec: { command: script(FILES.redisLiveness) },
        initialDelaySeconds: 10,
        periodSeconds: 10,
        timeoutSeconds: 5,
        failureThreshold: 6,
      },
      readinessProbe: {
        exec: { command: script(FILES.redisReadiness) },
        initialDelaySeconds: 5,
        periodSeconds: 5,
        timeoutSeconds: 5,
        failureThreshold: 3,
      },
      lifecycle: { preStop: { exec: { command: script(FILES.redisPreStop) } } },
    };
    const exporter: k8s.Container = {
      name: 'metrics',
      image: props.exporterImage,
      env: [{ name: 'REDIS_ADDR', value: `redis://localhost:${REDIS_PORT}` }, passwordEnv('REDIS_PASSWORD')],
      ports: [{ name: 'metrics', containerPort: EXPORTER_PORT, protocol: 'TCP' }],
      resources: (props.exporterResources ?? Resources.NANO).toKube(),
      securityContext: containerSecurityContext(),
      livenessProbe: { tcpSocket: { port: k8s.IntOrString.fromString('metrics') }, initialDelaySeconds: 10, periodSeconds: 20 },
      readinessProbe: { httpGet: { path: '/', port: k8s.IntOrString.fromString('metrics') }, periodSeconds: 10 },
    };
    this.dataStatefulSet = new k8s.KubeStatefulSet(this, 'Data', {
      metadata: { name, namespace: ns, labels: standardLabels(identity('data')) },
      spec: {
        replicas,
        serviceName: this.headlessService,
        // Ordered: on a cold start pod 0 comes up (and becomes primary) before the others.
        podManagementPolicy: 'OrderedReady',
        updateStrategy: { type: 'RollingUpdate' },
        persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
        selector: { matchLabels: { ...this.dataSelector } },
        template: {
          metadata: { labels: standardLabels(identity('data')), annotations: { [`checksum/config`]: configChecksum } },
          spec: {
            ...podDefaults,
            ...spreadReplicas(this.dataSelector, spread),
            terminationGracePeriodSeconds: DATA_TERMINATION_GRACE_SECONDS,
            initContainers: [
              {
                name: 'config',
                image: props.image,
                command: script(FILES.startRedis),
                env: [podNameEnv],
                resources: INIT_RESOURCES.toKube(),
                securityContext: containerSecurityContext(),
                volumeMounts: [configMount, secretMount, ...writableMounts([RUNTIME_DIR, TMP])],
              },
            ],
            containers: [redisContainer, exporter],
            volumes: [...sharedVolumes, ...writableVolumes([RUNTIME_DIR, TMP])],
          },
        },
        volumeClaimTemplates: [
          {
            // No version label here: volumeClaimTemplates are immutable.
            metadata: { name: 'data', labels: { ...this.dataSelector } },
            spec: {
              accessModes: ['ReadWriteOnce'],
              ...(props.storageClass ? { storageClassName: props.storageClass } : {}),
              resources: { requests: { storage: k8s.Quantity.fromString(`${storageGi}Gi`) } },
            },
          },
        ],
      },
    });

    // Sentinel pods: state on a memory emptyDir, rebuilt from the other Sentinels at start.
    this.sentinelStatefulSet = new k8s.KubeStatefulSet(this, 'Sentinel', {
      metadata: { name: sentinelStsName, namespace: ns, labels: standardLabels(identity('sentinel')) },
      spec: {
        replicas: sentinelReplicas,
        serviceName: sentinelHeadless,
        podManagementPolicy: 'Parallel',
        updateStrategy: { type: 'RollingUpdate' },
        selector: { matchLabels: { ...sentinelSelector } },
        template: {
          metadata: { labels: standardLabels(identity('sentinel')), annotations: { [`checksum/config`]: configChecksum } },
          spec: {
            ...podDefaults,
            ...spreadReplicas(sentinelSelector, spread),
            initContainers: [
              {
                name: 'config',
                image: props.image,
                command: script(FILES.startSentinel),
                env: [podNameEnv],
                resources: INIT_RESOURCES.toKube(),
                securityContext: containerSecurityContext(),
                volumeMounts: [configMount, secretMount, ...writableMounts([SENTINEL_DIR, TMP])],
              },
            ],
            containers: [
              {
                name: 'sentinel',
                image: props.image,
                command: ['redis-sentinel', `${PATHS.sentinel}/sentinel.conf`],
                ports: [{ name: 'sentinel', containerPort: SENTINEL_PORT, protocol: 'TCP' }],
                env: [passwordEnv('REDISCLI_AUTH')],
                resources: (props.sentinelResources ?? Resources.NANO).toKube(),
                securityContext: containerSecurityContext(),
                volumeMounts: [configMount, ...writableMounts([SENTINEL_DIR, TMP])],
                livenessProbe: {
                  exec: { command: script(FILES.sentinelLiveness) },
                  initialDelaySeconds: 10,
                  periodSeconds: 10,
                  timeoutSeconds: 5,
                  failureThreshold: 6,
                },
                readinessProbe: {
                  exec: { command: script(FILES.sentinelReadiness) },
                  initialDelaySeconds: 5,
                  periodSeconds: 5,
                  timeoutSeconds: 5,
                  failureThreshold: 3,
                },
              },
            ],
            volumes: [...sharedVolumes, ...writableVolumes([SENTINEL_DIR, TMP])],
          },
        },
      },
    });

    if (replicas > 1) {
      disruptionBudget(this, 'DataBudget', { name, namespace: ns, labels: this.commonLabels, selector: this.dataSelector, maxUnavailable: 1 });
    }
    if (sentinelReplicas > 1) {
      disruptionBudget(this, 'SentinelBudget', {
        name: sentinelStsName,
        namespace: ns,
        labels: this.commonLabels,
        selector: sentinelSelector,
        maxUnavailable: 1,
      });
    }

    metricsMonitor(this, 'Monitor', {
      name,
      namespace: ns,
      labels: this.commonLabels,
      serviceSelector: this.dataSelector,
      portName: 'metrics',
    });

    // Members talk to each other: replication (6379), Sentinel gossip and start-up questions (26379).
    const members = [{ peerNamespace: ns, peerSelector: this.peerSelector }];
    allowIngressPolicy(this, 'MembersIngress', {
      name: `${name}-members`,
      namespace: ns,
      labels: this.commonLabels,
      podSelector: { ...this.peerSelector },
      from: members,
      ports: [REDIS_PORT, SENTINEL_PORT],
    });
    allowEgressPolicy(this, 'MembersEgress', {
      name: `${name}-members-egress`,
      namespace: ns,
      labels: this.commonLabels,
      podSelector: { ...this.peerSelector },
      to: members,
      ports: [REDIS_PORT, SENTINEL_PORT],
    });
  }

  /**
   * Lets `peers` reach Redis: the Sentinels (to find the primary) and the data pods. The peers'
   * own namespaces must allow their egress to `this` (an INetworkPeer) on ports 6379 and 26379.
   */
  public allowFrom(...peers: INetworkPeer[]): void {
    this.addIngress(this.clientPeers, 'ClientsIngress', `${this.name}-clients`, this.peerSelector, [REDIS_PORT, SENTINEL_PORT], peers);
  }

  /** Lets `peers` (a Prometheus) scrape the exporter of the data pods. */
  public allowMetricsFrom(...peers: INetworkPeer[]): void {
    this.addIngress(this.metricsPeers, 'MetricsIngress', `${this.name}-metrics`, this.dataSelector, [EXPORTER_PORT], peers);
  }

  /**
   * One policy per purpose, created on first use: an ingress rule with no peers would allow
   * everyone, so none exists until a peer is named. Later calls add to the same list.
   */
  private addIngress(
    list: k8s.NetworkPolicyPeer[],
    id: string,
    policyName: string,
    podSelector: Readonly<Record<string, string>>,
    ports: number[],
    peers: INetworkPeer[],
  ): void {
    if (peers.length === 0) {
      return;
    }
    if (list.length === 0) {
      new k8s.KubeNetworkPolicy(this, id, {
        metadata: { name: policyName, namespace: this.namespace, labels: this.commonLabels },
        spec: {
          podSelector: { matchLabels: { ...podSelector } },
          policyTypes: ['Ingress'],
          // The same array: peers added later are rendered at synth time.
          ingress: [{ from: list, ports: ports.map((port) => ({ protocol: 'TCP', port: k8s.IntOrString.fromNumber(port) })) }],
        },
      });
    }
    list.push(...peers.map(peerOf));
  }

  private service(
    id: string,
    serviceName: string,
    identity: WorkloadIdentity,
    selector: Record<string, string>,
    headless: boolean,
    ports: { name: string; port: number }[],
  ): void {
    new k8s.KubeService(this, id, {
      metadata: { name: serviceName, namespace: this.namespace, labels: standardLabels(identity) },
      spec: {
        ...(headless ? { clusterIp: 'None', publishNotReadyAddresses: true } : { type: 'ClusterIP' }),
        selector: { ...selector },
        ports: ports.map((p) => ({ name: p.name, port: p.port, targetPort: k8s.IntOrString.fromString(p.name), protocol: 'TCP' })),
      },
    });
  }
}
