import { k8s } from 'cdk8s-plus-28';
import { contentHash } from '../lib/content-hash';
import { disruptionBudget } from '../lib/disruption-budget';
import { imageVersion, standardLabels } from '../lib/labels';
import { containerSecurityContext, podSecurityContext, TMP, writableMounts, writableVolumes } from '../lib/pod-defaults';
import { pgbouncerIni, POOLER_EXPORTER_PORT, POSTGRES_PORT } from './config';
import { tcpSocketProbe } from '../lib/probes';
import { nodePoolSpec, spreadReplicas } from '../lib/scheduling';
import { clusterIpService } from '../lib/services';
import { ClusterContext } from './context';
import { addServiceMonitor, metricsServicePort, poolerExporter } from './monitoring';
import { POSTGRES_SERVICE_PORT } from './patroni';
import { tlsMounts, tlsVolumes } from './tls';

const CONFIG_DIR = '/etc/pgbouncer';
const AUTH_DIR = `${CONFIG_DIR}/auth`;

/** PgBouncer in front of the leader Service: config, Deployment, Service, its ServiceMonitor and PDB. */
export function addPooler(ctx: ClusterContext): void {
  const { pooler, monitoring } = ctx.props;
  const name = ctx.names.pooler;
  const ini = pgbouncerIni({
    host: ctx.hosts.primary,
    port: POSTGRES_PORT,
    poolMode: pooler.poolMode.value,
    maxClientConnections: pooler.maxClientConnections,
    defaultPoolSize: pooler.defaultPoolSize,
    minPoolSize: pooler.minPoolSize,
    reservePoolSize: pooler.reservePoolSize,
    maxDbConnections: pooler.maxDbConnections,
    maxPreparedStatements: pooler.maxPreparedStatements,
    authFile: `${AUTH_DIR}/userlist.txt`,
    tls: ctx.tls,
  });
  new k8s.KubeConfigMap(ctx.scope, 'PoolerConfig', { metadata: ctx.meta(name, 'pooler'), data: { 'pgbouncer.ini': ini } });
  addPoolerDeployment(ctx, ini);
  clusterIpService(ctx.scope, 'PoolerService', {
    metadata: ctx.meta(name, 'pooler', monitoring ? { [ctx.metricsLabel]: 'true' } : {}),
    selector: ctx.selectorFor('pooler'),
    ports: [POSTGRES_SERVICE_PORT, ...(monitoring ? [metricsServicePort(POOLER_EXPORTER_PORT)] : [])],
  });
  if (monitoring) {
    addServiceMonitor(ctx, 'PoolerServiceMonitor', name, 'pooler');
  }
  if (pooler.replicas > 1) {
    disruptionBudget(ctx.scope, 'PoolerDisruptionBudget', {
      name,
      namespace: ctx.namespace,
      labels: ctx.labelsFor('pooler'),
      selector: ctx.selectorFor('pooler'),
    });
  }
}

function addPoolerDeployment(ctx: ClusterContext, ini: string): void {
  const { pooler, zoneSpread, nodePool } = ctx.props;
  const selector = ctx.selectorFor('pooler');
  const labels = standardLabels(ctx.identity('pooler', imageVersion(pooler.image)));
  new k8s.KubeDeployment(ctx.scope, 'Pooler', {
    metadata: { ...ctx.meta(ctx.names.pooler, 'pooler'), labels },
    spec: {
      replicas: pooler.replicas,
      selector: { matchLabels: selector },
      strategy: {
        type: 'RollingUpdate',
        rollingUpdate: { maxUnavailable: k8s.IntOrString.fromNumber(0), maxSurge: k8s.IntOrString.fromNumber(1) },
      },
      template: {
        metadata: {
          labels,
          // A changed pgbouncer.ini rolls the pods (PgBouncer reads it only at start or on SIGHUP).
          annotations: { [`postgres.${ctx.props.labelDomain}/config-hash`]: contentHash(ini) },
        },
        spec: {
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          securityContext: podSecurityContext(),
          ...nodePoolSpec(nodePool),
          ...(pooler.replicas > 1 ? spreadReplicas(selector, { acrossZones: zoneSpread }) : {}),
          containers: [pgbouncerContainer(ctx), ...(ctx.props.monitoring ? [poolerExporter(ctx)] : [])],
          volumes: [
            ...writableVolumes([TMP]),
            { name: 'config', configMap: { name: ctx.names.pooler } },
            { name: 'auth', secret: { secretName: ctx.names.poolerAuth, defaultMode: 0o440 } },
            ...tlsVolumes(ctx),
          ],
        },
      },
    },
  });
}

function pgbouncerContainer(ctx: ClusterContext): k8s.Container {
  return {
    name: 'pgbouncer',
    image: ctx.props.pooler.image,
    command: ['pgbouncer', `${CONFIG_DIR}/pgbouncer.ini`],
    ports: [{ name: 'postgresql', containerPort: POSTGRES_PORT, protocol: 'TCP' }],
    resources: ctx.props.pooler.resources.toKube(),
    securityContext: containerSecurityContext(),
    readinessProbe: tcpSocketProbe(POSTGRES_PORT, { timeoutSeconds: 3, periodSeconds: 5, failureThreshold: 3 }),
    livenessProbe: tcpSocketProbe(POSTGRES_PORT, { timeoutSeconds: 3, periodSeconds: 20, failureThreshold: 6, initialDelaySeconds: 10 }),
    volumeMounts: [
      ...writableMounts([TMP]),
      { name: 'config', mountPath: `${CONFIG_DIR}/pgbouncer.ini`, subPath: 'pgbouncer.ini', readOnly: true },
      { name: 'auth', mountPath: AUTH_DIR, readOnly: true },
      ...tlsMounts(ctx),
    ],
  };
}
