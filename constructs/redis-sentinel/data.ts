import { k8s } from 'cdk8s-plus-28';
import { disruptionBudget } from '../lib/disruption-budget';
import { containerSecurityContext, TMP, writableMounts } from '../lib/pod-defaults';
import { httpGetProbe, tcpSocketProbe } from '../lib/probes';
import { volumeClaimTemplate } from '../lib/volume-claim';
import { EXPORTER_PORT, REDIS_PORT } from './config';
import { FILES, PATHS, RedisContext, RUNTIME_DIR } from './context';
import { DATA_USERS, PRESTOP_WAIT_SECONDS } from './files';
import { CONFIG_MOUNT, podSpec, script, scriptProbes, templateMeta, tlsMounts } from './pods';

/** Grace period of a data pod: the preStop wait plus time for Redis to flush the AOF and exit. */
const DATA_TERMINATION_GRACE_SECONDS = PRESTOP_WAIT_SECONDS + 20;

/**
 * The data pods: a StatefulSet with a volume each. Ordered start: on a cold start pod 0 comes up
 * (and becomes primary) before the others. The volumes are kept when the set is deleted or scaled.
 */
export function addDataStatefulSet(ctx: RedisContext, configChecksum: string): k8s.KubeStatefulSet {
  const { replicas, storageClass, storageGi, monitoring } = ctx.props;
  const selector = ctx.selectorFor('data');
  return new k8s.KubeStatefulSet(ctx.scope, 'Data', {
    metadata: ctx.meta(ctx.name, 'data'),
    spec: {
      replicas,
      serviceName: ctx.names.headless,
      podManagementPolicy: 'OrderedReady',
      updateStrategy: { type: 'RollingUpdate' },
      persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
      selector: { matchLabels: { ...selector } },
      template: {
        metadata: templateMeta(ctx, 'data', configChecksum),
        spec: podSpec(ctx, selector, { script: FILES.startRedis, users: DATA_USERS }, RUNTIME_DIR, {
          terminationGracePeriodSeconds: DATA_TERMINATION_GRACE_SECONDS,
          containers: [redisContainer(ctx), ...(monitoring ? [exporterContainer(ctx)] : [])],
        }),
      },
      volumeClaimTemplates: [volumeClaimTemplate('data', selector, storageGi, storageClass)],
    },
  });
}

/** redis-server on the pod's own redis.conf; a primary hands its role over in preStop. */
function redisContainer(ctx: RedisContext): k8s.Container {
  return {
    name: 'redis',
    image: ctx.props.image,
    command: ['redis-server', `${PATHS.runtime}/redis.conf`],
    ports: [{ name: 'redis', containerPort: REDIS_PORT, protocol: 'TCP' }],
    // redis-cli in probes and preStop logs in as the monitor user (REDISCLI_AUTH); preStop asks
    // Sentinel with Sentinel's password (SENTINEL_AUTH, the app user's).
    env: [ctx.passwordEnv('REDISCLI_AUTH', 'monitor'), ctx.passwordEnv('SENTINEL_AUTH', 'app')],
    resources: ctx.props.resources.toKube(),
    securityContext: containerSecurityContext(),
    volumeMounts: [{ name: 'data', mountPath: PATHS.data }, CONFIG_MOUNT, ...tlsMounts(ctx), ...writableMounts([RUNTIME_DIR, TMP])],
    ...scriptProbes(FILES.redisLiveness, FILES.redisReadiness),
    lifecycle: { preStop: { exec: { command: script(FILES.redisPreStop) } } },
  };
}

/**
 * oliver006/redis_exporter next to Redis, over loopback, as the monitor user. With TLS it speaks
 * `rediss://` and verifies the server with the cluster CA (the certificate names `localhost`).
 */
function exporterContainer(ctx: RedisContext): k8s.Container {
  const tls = ctx.tls;
  return {
    name: 'metrics',
    image: ctx.props.exporterImage,
    env: [
      { name: 'REDIS_ADDR', value: `${tls ? 'rediss' : 'redis'}://localhost:${REDIS_PORT}` },
      { name: 'REDIS_USER', value: 'monitor' },
      ctx.passwordEnv('REDIS_PASSWORD', 'monitor'),
      ...(tls ? [{ name: 'REDIS_EXPORTER_TLS_CA_CERT_FILE', value: tls.ca }] : []),
    ],
    ports: [{ name: 'metrics', containerPort: EXPORTER_PORT, protocol: 'TCP' }],
    resources: ctx.props.exporterResources.toKube(),
    securityContext: containerSecurityContext(),
    ...(tls ? { volumeMounts: tlsMounts(ctx) } : {}),
    livenessProbe: tcpSocketProbe('metrics', { initialDelaySeconds: 10, periodSeconds: 20 }),
    readinessProbe: httpGetProbe('/', 'metrics', { periodSeconds: 10 }),
  };
}

/** One PDB per StatefulSet with more than one pod: a drain takes one pod at a time. */
export function addBudget(ctx: RedisContext, id: string, name: string, component: 'data' | 'sentinel', pods: number): void {
  if (pods > 1) {
    disruptionBudget(ctx.scope, id, {
      name,
      namespace: ctx.namespace,
      labels: ctx.labelsFor('cache'),
      selector: ctx.selectorFor(component),
      maxUnavailable: 1,
    });
  }
}
