import { k8s } from 'cdk8s-plus-28';
import { LABEL_COMPONENT, LABEL_INSTANCE, LABEL_NAME } from '../lib/labels';
import { EXPORTER_PORT, PATRONI_API_PORT, patroniConfig, patroniEnvironment, postgresParameters, POSTGRES_PORT, renderPatroniYaml } from './config';
import { exemptFromPolicy } from '../lib/policy-exemption';
import { clusterIpService, headlessService, tcpServicePort } from '../lib/services';
import { restoreSource, standbySpec, walgTarget } from './backup';
import { APP_NAME, ClusterContext } from './context';
import { metricsServicePort } from './monitoring';
import { PATRONI_ROLE_LABEL } from './props';

/** The port every PostgreSQL Service (leader, replica, members, pooler) exposes. */
export const POSTGRES_SERVICE_PORT = tcpServicePort('postgresql', POSTGRES_PORT);

/** Where the members and the promote Job mount patroni.yml (PATRONI_CONFIG_PATH is inside). */
export const PATRONI_CONFIG_MOUNT: k8s.VolumeMount = { name: 'patroni-config', mountPath: '/etc/patroni', readOnly: true };

/** The pod's own name, namespace and IP, which Patroni needs to register itself. */
export function downwardEnv(): k8s.EnvVar[] {
  return [
    { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
    { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
    { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
  ];
}

/** Patroni's fixed environment (paths, API listen address), as EnvVars. */
export function patroniEnv(): k8s.EnvVar[] {
  return Object.entries(patroniEnvironment()).map(([name, value]) => ({ name, value }));
}

/** The REST API's Basic-auth user; not a secret. Its password is `restapi-password` of the credentials Secret. */
export const RESTAPI_USERNAME = 'patroni';

/**
 * Basic auth on the REST API's unsafe endpoints (POST /switchover, /failover, /restart,
 * /reinitialize, PATCH /config). Patroni reads these variables into `restapi.authentication`, and
 * patronictl run in the container (`kubectl exec`) reads the same ones, so an operator's
 * switchover authenticates. GET endpoints (/readiness, /liveness, /primary) stay open for probes.
 */
export function restApiAuthEnv(ctx: ClusterContext): k8s.EnvVar[] {
  return [{ name: 'PATRONI_RESTAPI_USERNAME', value: RESTAPI_USERNAME }, ctx.credentialEnv('PATRONI_RESTAPI_PASSWORD', 'restapi-password')];
}

/** patroni.yml in a ConfigMap: the members mount it, and so does the promote Job. */
export function addPatroniConfig(ctx: ClusterContext): void {
  const p = ctx.props;
  const backup = p.backup;
  const patroni = patroniConfig({
    scope: ctx.name,
    labels: { [LABEL_NAME]: APP_NAME, [LABEL_COMPONENT]: 'database' },
    scopeLabel: LABEL_INSTANCE,
    useEndpoints: p.dcs.useEndpoints,
    postgresVersion: p.postgresVersion,
    parameters: postgresParameters(p.tuned, { archiving: !!backup, synchronous: p.synchronousMode, extra: p.parameters }),
    synchronousMode: p.synchronousMode,
    failsafeMode: p.failsafeMode,
    ttl: 30,
    loopWait: 10,
    retryTimeout: 10,
    maximumLagOnFailoverBytes: p.maximumLagOnFailover.toMebibytes() * 1024 * 1024,
    archive: backup ? walgTarget(backup, ctx.name) : undefined,
    restoreFrom: restoreSource(ctx),
    standby: standbySpec(ctx),
    // A DR standby streams from another cluster, whose CA it does not have: encrypted, not verified.
    tls: ctx.tls ? { ...ctx.tls, replicationSslMode: p.standbyOf ? 'require' : 'verify-ca' } : undefined,
  });
  // archive_command lives in the file (not in DCS parameters) so it never follows a restore source.
  if (backup) {
    const pg = patroni.postgresql as { parameters: Record<string, unknown> };
    pg.parameters.archive_command = 'wal-g wal-push "%p"';
  }
  new k8s.KubeConfigMap(ctx.scope, 'PatroniConfig', {
    metadata: ctx.meta(ctx.names.patroniConfig),
    data: { 'patroni.yml': renderPatroniYaml(patroni) },
  });
}

/** RBAC: what Patroni's Kubernetes DCS needs, nothing more, in a namespaced Role. */
export function addPatroniRbac(ctx: ClusterContext): void {
  const serviceAccount = ctx.names.serviceAccount;
  const useEndpoints = ctx.props.dcs.useEndpoints;
  new k8s.KubeServiceAccount(ctx.scope, 'ServiceAccount', { metadata: ctx.meta(serviceAccount), automountServiceAccountToken: true });
  new k8s.KubeRole(ctx.scope, 'Role', {
    metadata: ctx.meta(serviceAccount),
    rules: [
      // Leader lock and cluster state live in annotations of Endpoints or ConfigMaps of the scope.
      {
        apiGroups: [''],
        resources: [useEndpoints ? 'endpoints' : 'configmaps'],
        verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'],
      },
      // Members are found by label; each labels its own pod with its role.
      { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch', 'update', 'patch'] },
      // With Endpoints, Patroni creates `<scope>-config` if missing; we pre-create it, so reading is enough.
      ...(useEndpoints ? [{ apiGroups: [''], resources: ['services'], verbs: ['get', 'list'] }] : []),
    ],
  });
  new k8s.KubeRoleBinding(ctx.scope, 'RoleBinding', {
    metadata: ctx.meta(serviceAccount),
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: serviceAccount },
    subjects: [{ kind: 'ServiceAccount', name: serviceAccount, namespace: ctx.namespace }],
  });
}

/** The leader, replica, config (Endpoints DCS only) and members Services. */
export function addDatabaseServices(ctx: ClusterContext): void {
  const useEndpoints = ctx.props.dcs.useEndpoints;
  if (useEndpoints) {
    // Leader: no selector. Patroni writes the leader's address into the same-named Endpoints, in the
    // same API call that renews the leader lock, so the Service never points at two primaries. The
    // Endpoints are not in git: a GitOps controller would reset them to empty on every sync.
    clusterIpService(ctx.scope, 'LeaderService', { metadata: ctx.meta(ctx.name), ports: [POSTGRES_SERVICE_PORT] });
  } else {
    roleService(ctx, 'LeaderService', ctx.name, 'primary', 'the leader');
  }
  roleService(ctx, 'ReplicaService', ctx.names.replica, 'replica', 'the pods');
  if (useEndpoints) {
    // Patroni keeps the cluster configuration in the `<scope>-config` Endpoints; without a Service of
    // that name the endpoints controller garbage-collects it (patroni kubernetes/patroni_k8s.yaml).
    headlessService(ctx.scope, 'ConfigService', { metadata: ctx.meta(`${ctx.name}-config`) });
  }
  const monitoring = ctx.props.monitoring;
  headlessService(ctx.scope, 'MembersService', {
    metadata: ctx.meta(ctx.names.members, 'database', monitoring ? { [ctx.metricsLabel]: 'true' } : {}),
    // Members must resolve each other while they bootstrap, before they are ready.
    publishNotReadyAddresses: true,
    selector: ctx.selectorFor('database'),
    ports: [POSTGRES_SERVICE_PORT, tcpServicePort('patroni', PATRONI_API_PORT), ...(monitoring ? [metricsServicePort(EXPORTER_PORT)] : [])],
  });
}

/** A Service of the members with one Patroni role; the gate cannot see a label set at runtime. */
function roleService(ctx: ClusterContext, id: string, name: string, role: string, which: string): void {
  const service = clusterIpService(ctx.scope, id, {
    metadata: ctx.meta(name),
    selector: { ...ctx.selectorFor('database'), [PATRONI_ROLE_LABEL]: role },
    ports: [POSTGRES_SERVICE_PORT],
  });
  exemptFromPolicy(
    service,
    'ref.service-selector',
    `Patroni sets the ${PATRONI_ROLE_LABEL}=${role} label on ${which} at runtime; the pod template cannot carry it`,
  );
}
