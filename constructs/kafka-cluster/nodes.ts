import { k8s } from 'cdk8s-plus-28';
import { containerSecurityContext, TMP, WritablePath, writableMounts, writableVolumes } from '../lib/pod-defaults';
import { tcpSocketProbe } from '../lib/probes';
import { nodePoolSpec, spreadReplicas } from '../lib/scheduling';
import { volumeClaimTemplate } from '../lib/volume-claim';
import { KafkaContext, PATHS } from './context';
import { CLIENT_PORT, CONTROLLER_PORT, INTERNAL_PORT } from './props';
import { ResolvedPool } from './resolve';

/** Time for controlled shutdown: leadership moves off the broker before it stops (Strimzi uses 30 s; big brokers need more). */
const TERMINATION_GRACE_SECONDS = 120;
const CONFIG_DIR: WritablePath = { name: 'config', mountPath: PATHS.config, sizeLimit: '16Mi' };
const LOGS_DIR: WritablePath = { name: 'logs', mountPath: PATHS.logs, sizeLimit: '256Mi' };

/** The environment the start script (config.ts startScript) reads. */
function nodeEnv(ctx: KafkaContext, pool: ResolvedPool): k8s.EnvVar[] {
  return [
    { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
    { name: 'CLUSTER_ID', value: ctx.props.clusterId },
    { name: 'KAFKA_BIN', value: PATHS.bin },
    { name: 'FILES_DIR', value: PATHS.files },
    { name: 'CONFIG_DIR', value: PATHS.config },
    { name: 'AUTH_DIR', value: PATHS.credentials },
    // Heap fixed at heapRatio of the memory limit; the rest is page cache.
    { name: 'KAFKA_HEAP_OPTS', value: `-Xms${pool.heapMi}m -Xmx${pool.heapMi}m` },
    { name: 'LOG_DIR', value: PATHS.logs },
    { name: 'KAFKA_LOG4J_OPTS', value: `-Dlog4j.configuration=file:${PATHS.files}/log4j.properties` },
    // No `-loggc`: GC logs would fill the logs emptyDir (kafka-server-start.sh's default).
    { name: 'EXTRA_ARGS', value: '-name kafkaServer' },
  ];
}

/** One StatefulSet of a pool: stable names (node.id = ordinal + offset), a volume per pod. */
export function addPool(ctx: KafkaContext, pool: ResolvedPool, checksum: string): k8s.KubeStatefulSet {
  const selector = ctx.selector(pool.pool);
  return new k8s.KubeStatefulSet(ctx.scope, `Pool-${pool.pool}`, {
    metadata: ctx.meta(ctx.setName(pool), pool.pool),
    spec: {
      replicas: pool.replicas,
      serviceName: ctx.names.headless,
      // Controllers must all start to elect a leader: no ordered start.
      podManagementPolicy: 'Parallel',
      updateStrategy: { type: 'RollingUpdate' },
      selector: { matchLabels: { ...selector } },
      template: {
        metadata: { labels: ctx.podLabels(pool), annotations: { 'checksum/config': checksum } },
        spec: podSpec(ctx, pool, selector),
      },
      persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
      volumeClaimTemplates: [volumeClaimTemplate('data', selector, pool.storageGi, ctx.props.storageClass)],
    },
  });
}

function podSpec(ctx: KafkaContext, pool: ResolvedPool, selector: Record<string, string>): k8s.PodSpec {
  return {
    securityContext: ctx.podSecurity(),
    automountServiceAccountToken: false,
    enableServiceLinks: false,
    terminationGracePeriodSeconds: TERMINATION_GRACE_SECONDS,
    ...nodePoolSpec(ctx.props.nodePool),
    ...spreadReplicas(selector, { requireDistinctNodes: true, acrossZones: ctx.props.zoneSpread }),
    containers: [kafkaContainer(ctx, pool)],
    volumes: [
      { name: 'files', configMap: { name: ctx.names.files, defaultMode: 0o555 } },
      { name: 'credentials', secret: { secretName: ctx.names.credentials, defaultMode: 0o440 } },
      ...writableVolumes([CONFIG_DIR, LOGS_DIR, TMP]),
    ],
  };
}

function kafkaContainer(ctx: KafkaContext, pool: ResolvedPool): k8s.Container {
  const broker = pool.roles.includes('broker');
  const controller = pool.roles.includes('controller');
  // Brokers are probed on the client port, controller-only nodes on the controller port.
  const probePort = broker ? 'client' : 'controller';
  return {
    name: 'kafka',
    image: ctx.props.image,
    command: ['bash', `${PATHS.files}/start-${pool.pool}.sh`],
    env: nodeEnv(ctx, pool),
    ports: [
      ...(broker ? [{ name: 'client', containerPort: CLIENT_PORT, protocol: 'TCP' }] : []),
      ...(controller ? [{ name: 'controller', containerPort: CONTROLLER_PORT, protocol: 'TCP' }] : []),
      ...(broker ? [{ name: 'internal', containerPort: INTERNAL_PORT, protocol: 'TCP' }] : []),
    ],
    resources: pool.resources.toKube(),
    securityContext: containerSecurityContext(),
    volumeMounts: [
      { name: 'files', mountPath: PATHS.files, readOnly: true },
      { name: 'credentials', mountPath: PATHS.credentials, readOnly: true },
      { name: 'data', mountPath: PATHS.data },
      ...writableMounts([CONFIG_DIR, LOGS_DIR, TMP]),
    ],
    // Log recovery after an unclean stop can take minutes before the listeners open.
    startupProbe: tcpSocketProbe(probePort, { periodSeconds: 10, failureThreshold: 60 }),
    readinessProbe: tcpSocketProbe(probePort, { periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3 }),
    livenessProbe: tcpSocketProbe(probePort, { periodSeconds: 20, timeoutSeconds: 5, failureThreshold: 6 }),
  };
}
