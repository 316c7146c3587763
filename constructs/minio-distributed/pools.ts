import { k8s } from 'cdk8s-plus-28';
import { containerSecurityContext, TMP, writableMounts, writableVolumes } from '../lib/pod-defaults';
import { volumeClaimTemplate } from '../lib/volume-claim';
import { httpGetProbe } from '../lib/probes';
import { nodePoolSpec, spreadReplicas } from '../lib/scheduling';
import { CERTS_DIR, MinioContext, ROOT_KEYS } from './context';
import { API_PORT, CONSOLE_PORT } from './props';
import { ResolvedPool } from './resolve';

/** Time for in-flight requests to finish before the pod is killed. */
const TERMINATION_GRACE_SECONDS = 60;
/** Health endpoints (minio/minio docs/metrics/healthcheck/README.md): `live` answers while the process serves, `ready` while the node can take requests. */
export const LIVENESS_PATH = '/minio/health/live';
export const READINESS_PATH = '/minio/health/ready';

/** The arguments every server runs with, before the pools' endpoint arguments. */
export function serverFlags(ctx: MinioContext): string[] {
  return [
    'server',
    '--address',
    `:${API_PORT}`,
    '--console-address',
    `:${CONSOLE_PORT}`,
    ...(ctx.props.tls.enabled ? ['--certs-dir', CERTS_DIR] : []),
  ];
}

/**
 * One pool: a StatefulSet with one PVC per drive, started in parallel (every server waits for
 * the others to form the erasure sets, so an ordered start would never finish). `args` is shared
 * by every pool's pods and grows with `addPool`: all servers run the same endpoint list.
 */
export function addPoolSet(ctx: MinioContext, pool: ResolvedPool, args: string[]): k8s.KubeStatefulSet {
  const selector = ctx.poolSelector(pool);
  return new k8s.KubeStatefulSet(ctx.scope, `Pool-${pool.index}`, {
    metadata: ctx.meta(ctx.poolName(pool), 'server'),
    spec: {
      replicas: pool.replicas,
      serviceName: ctx.names.headless,
      podManagementPolicy: 'Parallel',
      updateStrategy: { type: 'RollingUpdate' },
      selector: { matchLabels: { ...selector } },
      persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
      template: {
        metadata: { labels: ctx.podLabels(pool) },
        spec: podSpec(ctx, pool, selector, args),
      },
      volumeClaimTemplates: drives(pool).map((d) => volumeClaimTemplate(d.name, selector, pool.sizeGi, ctx.props.storageClass)),
    },
  });
}

function drives(pool: ResolvedPool): { name: string; mountPath: string }[] {
  return Array.from({ length: pool.drivesPerPod }, (_, i) => ({ name: `data${i}`, mountPath: `/data${i}` }));
}

function podSpec(ctx: MinioContext, pool: ResolvedPool, selector: Record<string, string>, args: string[]): k8s.PodSpec {
  const tls = ctx.props.tls.enabled;
  return {
    securityContext: ctx.podSecurity(),
    automountServiceAccountToken: false,
    enableServiceLinks: false,
    terminationGracePeriodSeconds: TERMINATION_GRACE_SECONDS,
    ...nodePoolSpec(ctx.props.nodePool),
    ...spreadReplicas(selector, { requireDistinctNodes: true, acrossZones: ctx.props.zoneSpread }),
    containers: [serverContainer(ctx, pool, args)],
    volumes: [
      ...(tls
        ? [
            {
              name: 'certs',
              secret: {
                secretName: `${ctx.name}-tls`,
                defaultMode: 0o440,
                // MinIO's --certs-dir layout: its key pair, and the CA it trusts for its peers.
                items: [
                  { key: 'tls.crt', path: 'public.crt' },
                  { key: 'tls.key', path: 'private.key' },
                  { key: 'ca.crt', path: 'CAs/ca.crt' },
                ],
              },
            },
          ]
        : []),
      ...writableVolumes([TMP]),
    ],
  };
}

function serverContainer(ctx: MinioContext, pool: ResolvedPool, args: string[]): k8s.Container {
  const scheme = ctx.props.tls.enabled ? 'HTTPS' : 'HTTP';
  return {
    name: 'minio',
    image: ctx.props.image,
    command: ['minio'],
    args,
    env: [
      ctx.secretEnv('MINIO_ROOT_USER', ctx.names.root, ROOT_KEYS.user),
      ctx.secretEnv('MINIO_ROOT_PASSWORD', ctx.names.root, ROOT_KEYS.password),
      { name: 'MINIO_STORAGE_CLASS_STANDARD', value: `EC:${ctx.props.parity}` },
      // Metrics need the bearer token `mc admin prometheus generate` prints (MinIO's default, said out loud).
      { name: 'MINIO_PROMETHEUS_AUTH_TYPE', value: 'jwt' },
      // ~/.minio (the default certs folder) on the writable /tmp: the root filesystem is read-only.
      { name: 'HOME', value: TMP.mountPath },
    ],
    ports: [
      { name: 'api', containerPort: API_PORT, protocol: 'TCP' },
      { name: 'console', containerPort: CONSOLE_PORT, protocol: 'TCP' },
    ],
    resources: ctx.props.resources.toKube(),
    securityContext: containerSecurityContext(),
    volumeMounts: [
      ...drives(pool),
      ...(ctx.props.tls.enabled ? [{ name: 'certs', mountPath: CERTS_DIR, readOnly: true }] : []),
      ...writableMounts([TMP]),
    ],
    // A server waits for its peers (and heals) before it is ready: 5 minutes to come up.
    startupProbe: httpGetProbe(LIVENESS_PATH, 'api', { periodSeconds: 10, failureThreshold: 30 }, scheme),
    livenessProbe: httpGetProbe(LIVENESS_PATH, 'api', { periodSeconds: 20, timeoutSeconds: 5, failureThreshold: 6 }, scheme),
    // Never /minio/health/cluster here: one node short of quorum would take every node out of the Service.
    readinessProbe: httpGetProbe(READINESS_PATH, 'api', { periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3 }, scheme),
  };
}
