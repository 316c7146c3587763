import { k8s } from 'cdk8s-plus-28';
import { containerSecurityContext, TMP, WritablePath, writableMounts, writableVolumes } from '../lib/pod-defaults';
import { tcpSocketProbe } from '../lib/probes';
import { Resources } from '../lib/resources';
import { nodePoolSpec, spreadReplicas, ZONE_TOPOLOGY_KEY } from '../lib/scheduling';
import { volumeClaimTemplate } from '../lib/volume-claim';
import { ymlFile } from './config';
import { EsContext, PATHS } from './context';
import { exporterContainer } from './monitoring';
import { HTTP_PORT, READINESS_PORT, TRANSPORT_PORT } from './props';
import { ResolvedNodeSet } from './resolve';

/** Time for a node to hand its shards over and flush before it is killed (ECK uses 180 s). */
const TERMINATION_GRACE_SECONDS = 180;
const CONFIG_DIR: WritablePath = { name: 'config', mountPath: PATHS.config, sizeLimit: '64Mi' };
const LOGS_DIR: WritablePath = { name: 'logs', mountPath: PATHS.logs, sizeLimit: '1Gi' };
/** Data of a coordinating node: only caches, on an emptyDir. */
const SCRATCH_DATA: WritablePath = { name: 'data', mountPath: PATHS.data, sizeLimit: '2Gi' };

const FILES_MOUNT: k8s.VolumeMount = { name: 'files', mountPath: PATHS.files, readOnly: true };

/** One StatefulSet of a node set: stable names, a volume per pod (not for coordinating nodes). */
export function addNodeSet(ctx: EsContext, set: ResolvedNodeSet, checksum: string): k8s.KubeStatefulSet {
  const selector = ctx.setSelector(set);
  const stateful = set.storageGi !== undefined;
  return new k8s.KubeStatefulSet(ctx.scope, `NodeSet-${set.set}`, {
    metadata: ctx.meta(ctx.setName(set), set.component),
    spec: {
      replicas: set.replicas,
      serviceName: ctx.setName(set),
      // Masters must all start to elect one: no ordered start (ECK starts a nodeSet in parallel).
      podManagementPolicy: 'Parallel',
      updateStrategy: { type: 'RollingUpdate' },
      selector: { matchLabels: { ...selector } },
      template: {
        metadata: { labels: ctx.podLabels(set), annotations: { 'checksum/config': checksum } },
        spec: podSpec(ctx, set, selector),
      },
      ...(stateful
        ? {
            persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
            volumeClaimTemplates: [volumeClaimTemplate('data', selector, set.storageGi!, ctx.props.storageClass)],
          }
        : {}),
    },
  });
}

function podSpec(ctx: EsContext, set: ResolvedNodeSet, selector: Record<string, string>): k8s.PodSpec {
  const { nodePool, zoneSpread, monitoring } = ctx.props;
  const pool = nodePoolSpec(nodePool);
  const scratch = set.storageGi === undefined ? [SCRATCH_DATA] : [];
  return {
    securityContext: ctx.podSecurity(),
    automountServiceAccountToken: false,
    enableServiceLinks: false,
    terminationGracePeriodSeconds: TERMINATION_GRACE_SECONDS,
    ...pool,
    ...(set.zone ? { nodeSelector: { ...pool.nodeSelector, [ZONE_TOPOLOGY_KEY]: set.zone } } : {}),
    ...spreadReplicas(selector, { requireDistinctNodes: true, acrossZones: zoneSpread && !set.zone }),
    initContainers: [prepareContainer(ctx, set)],
    containers: [nodeContainer(ctx, set), ...(monitoring ? [exporterContainer(ctx)] : [])],
    volumes: [
      { name: 'files', configMap: { name: ctx.names.files, defaultMode: 0o444 } },
      { name: 'credentials', secret: { secretName: ctx.names.credentials, defaultMode: 0o440 } },
      ...(ctx.props.snapshot ? [{ name: 's3', secret: { secretName: ctx.names.s3, defaultMode: 0o440 } }] : []),
      { name: 'tls', secret: { secretName: `${ctx.name}-tls`, defaultMode: 0o440 } },
      ...writableVolumes([CONFIG_DIR, LOGS_DIR, TMP, ...scratch]),
    ],
  };
}

/** Copies the image's config, adds elasticsearch.yml and builds the keystore (config.ts prepareScript). */
function prepareContainer(ctx: EsContext, set: ResolvedNodeSet): k8s.Container {
  return {
    name: 'prepare-config',
    image: ctx.props.image,
    command: ['bash', `${PATHS.files}/prepare.sh`],
    env: [{ name: 'YML_FILE', value: ymlFile(set) }],
    // The keystore tool is a JVM: more than a sidecar's 128Mi.
    resources: Resources.SMALL.toKube(),
    securityContext: containerSecurityContext(),
    volumeMounts: [
      FILES_MOUNT,
      { name: 'config', mountPath: PATHS.configCopy },
      { name: 'credentials', mountPath: PATHS.credentials, readOnly: true },
      ...(ctx.props.snapshot ? [{ name: 's3', mountPath: PATHS.s3, readOnly: true }] : []),
      ...writableMounts([TMP]),
    ],
  };
}

function nodeContainer(ctx: EsContext, set: ResolvedNodeSet): k8s.Container {
  const stateful = set.storageGi !== undefined;
  return {
    name: 'elasticsearch',
    image: ctx.props.image,
    command: ['bash', `${PATHS.files}/start-${set.set}.sh`],
    env: [
      { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
      { name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
      // Heap fixed at heapRatio of the memory limit (min = max: a bootstrap check).
      { name: 'ES_JAVA_OPTS', value: `-Xms${set.heapMi}m -Xmx${set.heapMi}m` },
      { name: 'ES_TMPDIR', value: TMP.mountPath },
    ],
    ports: [
      { name: 'http', containerPort: HTTP_PORT, protocol: 'TCP' },
      { name: 'transport', containerPort: TRANSPORT_PORT, protocol: 'TCP' },
      { name: 'readiness', containerPort: READINESS_PORT, protocol: 'TCP' },
    ],
    resources: set.resources.toKube(),
    securityContext: containerSecurityContext(),
    volumeMounts: [
      FILES_MOUNT,
      { name: 'tls', mountPath: PATHS.tls, readOnly: true },
      ...(stateful ? [{ name: 'data', mountPath: PATHS.data }] : []),
      ...writableMounts([CONFIG_DIR, LOGS_DIR, TMP, ...(stateful ? [] : [SCRATCH_DATA])]),
    ],
    // Ready when the node has joined a cluster (the readiness port, ES >= 8.2), never on cluster
    // health: one yellow index would take every node out of its Service.
    readinessProbe: tcpSocketProbe('readiness', { initialDelaySeconds: 10, periodSeconds: 5, timeoutSeconds: 5, failureThreshold: 3 }),
    // Alive while the transport port answers; a long start (recovery) is tolerated for 5 minutes.
    startupProbe: tcpSocketProbe('transport', { periodSeconds: 10, failureThreshold: 30 }),
    livenessProbe: tcpSocketProbe('transport', { periodSeconds: 20, timeoutSeconds: 5, failureThreshold: 6 }),
  };
}
