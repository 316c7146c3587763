import { k8s } from 'cdk8s-plus-28';
import { containerSecurityContext, TMP, WritablePath, writableMounts, writableVolumes } from '../lib/pod-defaults';
import { volumeClaimTemplate } from '../lib/volume-claim';
import { httpGetProbe, tcpSocketProbe } from '../lib/probes';
import { nodePoolSpec, spreadReplicas } from '../lib/scheduling';
import { PATHS } from './config';
import { ChContext, CREDENTIAL_KEYS, ENV, S3_KEYS } from './context';
import { HTTP_PORT, INTERSERVER_PORT, KEEPER_CLIENT_PORT, KEEPER_HTTP_PORT, KEEPER_RAFT_PORT, METRICS_PORT, NATIVE_PORT } from './props';

const LOGS: WritablePath = { name: 'logs', mountPath: PATHS.logs, sizeLimit: '1Gi' };
/** Merges and inserts in flight finish before the pod stops. */
const TERMINATION_GRACE_SECONDS = 120;

/** Shard `i`: a StatefulSet `<name>-s<i>` of `replicas` pods, each its own replica (the `{replica}` macro is the pod name). */
export function addShard(ctx: ChContext, i: number, checksum: string): k8s.KubeStatefulSet {
  const selector = ctx.shardSelector(i);
  const name = ctx.shardName(i);
  return new k8s.KubeStatefulSet(ctx.scope, `Shard${i}`, {
    metadata: { ...ctx.meta(name, 'server'), labels: { ...ctx.labelsFor('server'), ...selector } },
    spec: {
      serviceName: name,
      replicas: ctx.props.replicas,
      // Replicas of a shard start together: each waits for Keeper, not for its siblings.
      podManagementPolicy: 'Parallel',
      selector: { matchLabels: selector },
      updateStrategy: { type: 'RollingUpdate' },
      template: {
        metadata: { labels: { ...ctx.labelsFor('server'), ...selector, ...ctx.metricsPods }, annotations: { 'checksum/config': checksum } },
        spec: serverPod(ctx, i, selector),
      },
      // Volumes outlive the StatefulSet: a deleted shard or Keeper keeps its data.
      persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
      volumeClaimTemplates: [volumeClaimTemplate('data', selector, `${Math.floor(ctx.props.storageSize.toMebibytes())}Mi`, ctx.props.storageClass)],
    },
  });
}

function serverPod(ctx: ChContext, i: number, selector: Record<string, string>): k8s.PodSpec {
  return {
    securityContext: ctx.podSecurity(),
    automountServiceAccountToken: false,
    enableServiceLinks: false,
    terminationGracePeriodSeconds: TERMINATION_GRACE_SECONDS,
    ...nodePoolSpec(ctx.props.nodePool),
    // Replicas of one shard never share a node (and spread over zones when asked).
    ...spread(ctx, selector),
    containers: [serverContainer(ctx, i)],
    volumes: [
      { name: 'config-d', configMap: { name: ctx.names.config, defaultMode: 0o444 } },
      { name: 'users-d', configMap: { name: ctx.names.users, defaultMode: 0o444 } },
      ...writableVolumes([LOGS, TMP]),
    ],
  };
}

function serverEnv(ctx: ChContext, i: number): k8s.EnvVar[] {
  const secret = (name: string, key: string): k8s.EnvVar => ctx.secretEnv(name, ctx.names.credentials, key);
  return [
    { name: ENV.podName, valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
    { name: ENV.shard, value: String(i + 1) },
    { name: ENV.interserverHost, value: `$(${ENV.podName}).${ctx.shardName(i)}.${ctx.namespace}.svc.${ctx.props.clusterDomain}` },
    secret(ENV.adminPassword, CREDENTIAL_KEYS.admin),
    secret(ENV.appPassword, CREDENTIAL_KEYS.app),
    secret(ENV.clusterSecret, CREDENTIAL_KEYS.clusterSecret),
    secret(ENV.interserverPassword, CREDENTIAL_KEYS.interserver),
    ...(ctx.props.backup
      ? [ctx.secretEnv(ENV.s3AccessKey, ctx.names.s3, S3_KEYS.accessKey), ctx.secretEnv(ENV.s3SecretKey, ctx.names.s3, S3_KEYS.secretKey)]
      : []),
    ...(ctx.props.kafka ? [ctx.secretEnv(ENV.kafkaPassword, ctx.names.kafka, 'password')] : []),
  ];
}

function serverContainer(ctx: ChContext, i: number): k8s.Container {
  return {
    name: 'clickhouse',
    image: ctx.props.image,
    // Not the image's entrypoint: it chowns and creates users, which a read-only, non-root pod neither needs nor may do.
    command: ['clickhouse-server', '--config-file=/etc/clickhouse-server/config.xml'],
    env: serverEnv(ctx, i),
    ports: [
      { name: 'http', containerPort: HTTP_PORT, protocol: 'TCP' },
      { name: 'native', containerPort: NATIVE_PORT, protocol: 'TCP' },
      { name: 'interserver', containerPort: INTERSERVER_PORT, protocol: 'TCP' },
      { name: 'metrics', containerPort: METRICS_PORT, protocol: 'TCP' },
    ],
    resources: ctx.props.resources.toKube(),
    securityContext: containerSecurityContext(),
    volumeMounts: [
      { name: 'config-d', mountPath: PATHS.configD, readOnly: true },
      { name: 'users-d', mountPath: PATHS.usersD, readOnly: true },
      { name: 'data', mountPath: PATHS.data },
      ...writableMounts([LOGS, TMP]),
    ],
    // GET /ping answers "Ok." once the server accepts queries; a start with many parts may take minutes.
    startupProbe: httpGetProbe('/ping', 'http', { periodSeconds: 5, failureThreshold: 120 }),
    readinessProbe: httpGetProbe('/ping', 'http', { periodSeconds: 5, timeoutSeconds: 3, failureThreshold: 3 }),
    livenessProbe: httpGetProbe('/ping', 'http', { periodSeconds: 15, timeoutSeconds: 5, failureThreshold: 6 }),
  };
}

/** Keeper: `keeper.replicas` members, each with its own volume, the Raft ids from their ordinals. */
export function addKeeper(ctx: ChContext, checksum: string): k8s.KubeStatefulSet {
  const selector = ctx.keeperSelector();
  const { keeper } = ctx.props;
  return new k8s.KubeStatefulSet(ctx.scope, 'Keeper', {
    metadata: ctx.meta(ctx.names.keeper, 'keeper'),
    spec: {
      serviceName: ctx.names.keeper,
      replicas: keeper.replicas,
      // Members join one by one, as the Raft configuration lists them.
      podManagementPolicy: 'OrderedReady',
      selector: { matchLabels: selector },
      template: {
        metadata: { labels: { ...ctx.labelsFor('keeper'), ...ctx.metricsPods }, annotations: { 'checksum/config': checksum } },
        spec: {
          securityContext: ctx.podSecurity(),
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          ...nodePoolSpec(ctx.props.nodePool),
          ...spread(ctx, selector),
          containers: [keeperContainer(ctx)],
          volumes: [{ name: 'files', configMap: { name: ctx.names.keeperConfig, defaultMode: 0o444 } }, ...writableVolumes([TMP])],
        },
      },
      // Volumes outlive the StatefulSet: a deleted shard or Keeper keeps its data.
      persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
      volumeClaimTemplates: [volumeClaimTemplate('data', selector, keeper.storageSize, ctx.props.storageClass)],
    },
  });
}

function keeperContainer(ctx: ChContext): k8s.Container {
  return {
    name: 'keeper',
    image: ctx.props.keeper.image,
    command: ['sh', `${PATHS.keeperFiles}/start.sh`],
    ports: [
      { name: 'client', containerPort: KEEPER_CLIENT_PORT, protocol: 'TCP' },
      { name: 'raft', containerPort: KEEPER_RAFT_PORT, protocol: 'TCP' },
      { name: 'control', containerPort: KEEPER_HTTP_PORT, protocol: 'TCP' },
      { name: 'metrics', containerPort: METRICS_PORT, protocol: 'TCP' },
    ],
    resources: ctx.props.keeper.resources.toKube(),
    securityContext: containerSecurityContext(),
    volumeMounts: [
      { name: 'files', mountPath: PATHS.keeperFiles, readOnly: true },
      { name: 'data', mountPath: PATHS.keeperData },
      ...writableMounts([TMP]),
    ],
    // /ready answers 200 once the member is in a quorum with a leader.
    readinessProbe: httpGetProbe('/ready', 'control', { periodSeconds: 5, failureThreshold: 3 }),
    livenessProbe: tcpSocketProbe('client', { initialDelaySeconds: 20, periodSeconds: 15, failureThreshold: 6 }),
  };
}

/** The `data` volume claim of each pod. */
/** Never two on one node; across zones when asked, strictly when the zone count is known. */
function spread(ctx: ChContext, selector: Record<string, string>): Pick<k8s.PodSpec, 'affinity' | 'topologySpreadConstraints'> {
  const out = spreadReplicas(selector, { requireDistinctNodes: true, acrossZones: ctx.props.zoneSpread });
  if (!ctx.props.strictZoneSpread || !out.topologySpreadConstraints) {
    return out;
  }
  return { ...out, topologySpreadConstraints: out.topologySpreadConstraints.map((c) => ({ ...c, whenUnsatisfiable: 'DoNotSchedule' })) };
}
