import { k8s } from 'cdk8s-plus-28';
import { disruptionBudget } from '../lib/disruption-budget';
import { imageVersion, standardLabels } from '../lib/labels';
import { containerSecurityContext, TMP, WritablePath, writableMounts, writableVolumes } from '../lib/pod-defaults';
import { PATRONI_API_PORT, PATRONI_CONFIG_PATH, PGROOT, POSTGRES_PORT, SOCKET_DIR } from './config';
import { httpGetProbe, ProbeTiming } from '../lib/probes';
import { nodePoolSpec, spreadReplicas } from '../lib/scheduling';
import { volumeClaimTemplate } from '../lib/volume-claim';
import { s3Env, standbyArchiveEnv } from './backup';
import { ClusterContext } from './context';
import { tlsMounts, tlsVolumes } from './tls';
import { postgresExporter } from './monitoring';
import { downwardEnv, PATRONI_CONFIG_MOUNT, patroniEnv, restApiAuthEnv } from './patroni';

/** The members: a StatefulSet of Patroni-managed PostgreSQL pods, each with its own volume. */
export function addStatefulSet(ctx: ClusterContext): k8s.KubeStatefulSet {
  const p = ctx.props;
  const dbSelector = ctx.selectorFor('database');
  const dbLabels = standardLabels(ctx.identity('database', imageVersion(p.image)));
  const writable = writablePaths(ctx);
  const spread = spreadReplicas(dbSelector, { requireDistinctNodes: true, acrossZones: p.zoneSpread });
  return new k8s.KubeStatefulSet(ctx.scope, 'StatefulSet', {
    metadata: { ...ctx.meta(ctx.name), labels: dbLabels },
    spec: {
      replicas: p.replicas,
      serviceName: ctx.names.members,
      // Replicas clone from the primary one at a time; Zalando's default.
      podManagementPolicy: 'OrderedReady',
      updateStrategy: { type: 'RollingUpdate' },
      selector: { matchLabels: dbSelector },
      persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
      template: {
        metadata: { labels: dbLabels, annotations: { 'kubectl.kubernetes.io/default-container': 'postgres' } },
        spec: {
          serviceAccountName: ctx.names.serviceAccount,
          automountServiceAccountToken: true,
          securityContext: ctx.spiloPodSecurity(),
          terminationGracePeriodSeconds: p.terminationGracePeriod.toSeconds(),
          enableServiceLinks: false,
          ...nodePoolSpec(p.nodePool),
          ...(p.replicas > 1 ? spread : {}),
          containers: [postgresContainer(ctx, writable), ...(p.monitoring ? [postgresExporter(ctx)] : [])],
          volumes: [
            ...writableVolumes(writable),
            { name: PATRONI_CONFIG_MOUNT.name, configMap: { name: ctx.names.patroniConfig } },
            ...tlsVolumes(ctx),
          ],
        },
      },
      volumeClaimTemplates: [volumeClaimTemplate('pgdata', dbSelector, p.storageSize.toGibibytes({ rounding: 1 }), p.storageClass)],
    },
  });
}

/** One budget over all members: a primary-only budget would block drains forever without an operator. */
export function addMembersDisruptionBudget(ctx: ClusterContext): void {
  disruptionBudget(ctx.scope, 'DisruptionBudget', {
    name: ctx.name,
    namespace: ctx.namespace,
    labels: ctx.labelsFor('database'),
    selector: ctx.selectorFor('database'),
    maxUnavailable: 1,
  });
}

function writablePaths(ctx: ClusterContext): WritablePath[] {
  return [
    TMP,
    { name: 'run', mountPath: SOCKET_DIR, sizeLimit: '16Mi' },
    { name: 'home', mountPath: '/home/postgres', sizeLimit: '64Mi' },
    // The container runtime's 64Mi /dev/shm breaks parallel queries (Zalando's enable_shm_volume).
    { name: 'dshm', mountPath: '/dev/shm', memory: true, sizeLimit: ctx.props.resources.memoryLimit },
  ];
}

function postgresContainer(ctx: ClusterContext, writable: WritablePath[]): k8s.Container {
  const probe = (path: string, timing: ProbeTiming): k8s.Probe => httpGetProbe(path, PATRONI_API_PORT, { timeoutSeconds: 5, ...timing }, 'HTTP');
  return {
    name: 'postgres',
    image: ctx.props.image,
    // Patroni directly, not Spilo's entrypoint: that one needs root and a writable root filesystem.
    command: ['patroni', PATRONI_CONFIG_PATH],
    ports: [
      { name: 'postgresql', containerPort: POSTGRES_PORT, protocol: 'TCP' },
      { name: 'patroni', containerPort: PATRONI_API_PORT, protocol: 'TCP' },
    ],
    env: [
      ...downwardEnv(),
      ...patroniEnv(),
      ctx.credentialEnv('PATRONI_SUPERUSER_PASSWORD', 'superuser-password'),
      ctx.credentialEnv('PATRONI_REPLICATION_PASSWORD', 'replication-password'),
      ctx.credentialEnv('PATRONI_REWIND_PASSWORD', 'rewind-password'),
      ...restApiAuthEnv(ctx),
      { name: 'PGHOST', value: SOCKET_DIR },
      ...s3Env(ctx),
      ...standbyArchiveEnv(ctx),
    ],
    resources: ctx.props.resources.toKube(),
    securityContext: containerSecurityContext(),
    // Readiness: Patroni answers 200 when PostgreSQL runs and (on a replica) replicates.
    readinessProbe: probe('/readiness', { periodSeconds: 10, failureThreshold: 3, successThreshold: 1 }),
    // Liveness: only Patroni's own heartbeat; restarting PostgreSQL for a slow query would make things worse.
    livenessProbe: probe('/liveness', { periodSeconds: 10, failureThreshold: 6, successThreshold: 1 }),
    // Crash recovery or a large restore may take long; liveness waits until Patroni is up.
    startupProbe: probe('/liveness', { periodSeconds: 10, failureThreshold: 90 }),
    volumeMounts: [...writableMounts(writable), { name: 'pgdata', mountPath: PGROOT }, PATRONI_CONFIG_MOUNT, ...tlsMounts(ctx)],
  };
}
