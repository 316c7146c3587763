import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { KongConsumer } from '../../imports/kong-consumer-configuration.konghq.com';
import { KongPlugin } from '../../imports/kong-plugin-configuration.konghq.com';
import { PrometheusRule, PrometheusRuleSpecGroupsRulesExpr } from '../../imports/prometheus-rule-monitoring.coreos.com';
import { KONG_CREDENTIAL_LABEL, KONG_INGRESS_CLASS, KONG_PLUGINS_ANNOTATION } from '../lib/edge/kong';
import { managedSecret, SecretStoreRef } from '../lib/external-secret';
import { ANNOTATION_DOMAIN } from '../lib/labels';
import { allowEgressPolicy, allowIngressPolicy, INetworkPeer } from '../lib/network';
import { PropChecks } from '../lib/prop-errors';
import { PlatformNamespace } from '../platform-namespace';
import { OverridableQuotaField, Plan, TenantQuota } from './plan';

/** Label of a tenant's namespace and objects: the tenant id (cost and usage are summed by it). */
export const TENANT_LABEL = `${ANNOTATION_DOMAIN}/tenant`;
/** Label of a tenant's namespace and objects: the plan name. */
export const PLAN_LABEL = `${ANNOTATION_DOMAIN}/plan`;
/** A tenant id: a DNS label of 3 to 18 characters (it names a namespace, a bucket, a MinIO user `t-<id>` of at most 20, and a schema). */
export const TENANT_ID_PATTERN = /^[a-z][a-z0-9-]{1,16}[a-z0-9]$/;

/** Read-only, or also create and change the workloads of the namespace (never Secrets, RBAC or quotas). */
export type OperatorAccess = 'read-only' | 'edit';

/** A shared data service the tenant's workloads may reach. */
export interface TenantDataService {
  /** Short name, used in the policy's name (`allow-to-<name>`). */
  readonly name: string;
  readonly peer: INetworkPeer;
  readonly ports: readonly number[];
}

export interface TenantNamespaceProps {
  /** The tenant id (TENANT_ID_PATTERN). */
  readonly tenantId: string;
  readonly displayName: string;
  readonly plan: Plan;
  /** Quota fields above or below the plan's, each within `plan.maxQuota`. @default - the plan's quota */
  readonly quotaOverrides?: Partial<Pick<TenantQuota, OverridableQuotaField>>;
  /** Why the quota differs from the plan; required with `quotaOverrides`. @default - none */
  readonly quotaOverrideReason?: string;
  /** @default `tenant-<tenantId>` */
  readonly namespace?: string;
  /** Who may connect to the tenant's pods: the ingress controllers and the API gateway. */
  readonly ingressFrom: readonly INetworkPeer[];
  /** Ports the tenant's pods serve the gateway on. @default [8080] */
  readonly ingressPorts?: readonly number[];
  /** The shared data services the tenant's workloads use: the only egress besides DNS. @default - none */
  readonly dataServices?: readonly TenantDataService[];
  readonly secretStore: SecretStoreRef;
  /** Store key of the tenant's own encryption key (property `key`). @default `tenants/<tenantId>/encryption-key` */
  readonly encryptionKeyRemoteKey?: string;
  /** The identity-provider group of the tenant's operators, bound to the operator Role. @default `tenant-<tenantId>-operators` */
  readonly operatorsGroup?: string;
  /** @default 'read-only' */
  readonly operatorAccess?: OperatorAccess;
  /** Non-secret settings of the tenant (branding, feature flags), written to ConfigMap `tenant-config`. @default - the plan's settings only */
  readonly settings?: Readonly<Record<string, string>>;
  /**
   * The tenant's API consumer on Kong: key-auth with the key from the store (property `key`),
   * and a per-minute rate limit from the plan. @default - no consumer
   */
  readonly api?: { readonly apiKeyRemoteKey: string };
  /** More labels on the Namespace (the mesh's injection label). @default - none */
  readonly namespaceLabels?: Readonly<Record<string, string>>;
}

const WORKLOAD_RESOURCES = [
  { apiGroups: [''], resources: ['pods', 'services', 'configmaps', 'persistentvolumeclaims', 'serviceaccounts'] },
  { apiGroups: ['apps'], resources: ['deployments', 'statefulsets', 'replicasets'] },
  { apiGroups: ['batch'], resources: ['jobs', 'cronjobs'] },
  { apiGroups: ['networking.k8s.io'], resources: ['ingresses'] },
  { apiGroups: ['autoscaling'], resources: ['horizontalpodautoscalers'] },
];
const READ = ['get', 'list', 'watch'];
const WRITE = ['create', 'update', 'patch', 'delete'];

/**
 * One tenant's namespace, isolated by construction: Pod Security `restricted`, labelled with the
 * tenant and plan (cost and usage are summed by these), a ResourceQuota and LimitRange from the
 * plan, default-deny NetworkPolicies with DNS, and only two allows: in from the gateway
 * namespaces, out to the named shared data services. No rule names another tenant, so tenants
 * never reach each other. The tenant's operators get a Role (read-only by default, never Secrets)
 * bound to their group and a ServiceAccount; its encryption key comes from the store
 * (ExternalSecret `tenant-encryption-key`); its settings are ConfigMap `tenant-config`; usage is
 * recorded by recording rules labelled with the tenant; and, with `api`, a Kong consumer carries
 * the plan's rate limit.
 *
 * The tenant's data (its schema and bucket) is not here: the data services' charts create it, so
 * deleting this namespace never deletes data.
 */
export class TenantNamespace extends Construct implements INetworkPeer {
  public readonly tenantId: string;
  public readonly plan: Plan;
  /** The namespace name. */
  public readonly name: string;
  public readonly peerNamespace: string;
  public readonly peerSelector: Readonly<Record<string, string>> = {};
  /** The ResourceQuota after overrides. */
  public readonly quota: TenantQuota;
  /** Labels of every object of the tenant. */
  public readonly labels: Readonly<Record<string, string>>;
  public readonly ns: PlatformNamespace;

  constructor(scope: Construct, id: string, props: TenantNamespaceProps) {
    super(scope, id);
    const check = new PropChecks(this);
    check.that(TENANT_ID_PATTERN.test(props.tenantId ?? ''), 'tenantId', `must match ${TENANT_ID_PATTERN.source}`, props.tenantId);
    check.that(!!props.displayName?.trim(), 'displayName', 'must not be empty', props.displayName);
    const resolved = props.plan.resolveQuota(props.quotaOverrides ?? {});
    for (const p of resolved.problems) {
      check.that(false, `quotaOverrides.${p.field}`, p.message, (props.quotaOverrides as Record<string, unknown> | undefined)?.[p.field]);
    }
    const overridden = Object.keys(props.quotaOverrides ?? {}).length > 0;
    check.that(
      !overridden || !!props.quotaOverrideReason?.trim(),
      'quotaOverrideReason',
      'is required with quotaOverrides: say why this tenant differs from its plan',
      props.quotaOverrideReason,
    );
    check.that(props.ingressFrom.length > 0, 'ingressFrom', 'must name the gateway namespaces', props.ingressFrom.length);
    for (const port of [...(props.ingressPorts ?? []), ...(props.dataServices ?? []).flatMap((d) => d.ports)]) {
      check.integer(port, 'ports', 1, 65535);
    }
    const names = (props.dataServices ?? []).map((d) => d.name);
    check.that(new Set(names).size === names.length, 'dataServices', 'names must be unique', names);
    for (const [k, v] of Object.entries(props.settings ?? {})) {
      check.that(/^[A-Z][A-Z0-9_]*$/.test(k), `settings.${k}`, 'keys must be upper-case environment variable names', k);
      check.that(typeof v === 'string', `settings.${k}`, 'must be a string', v);
    }
    check.throwIfAny();

    this.tenantId = props.tenantId;
    this.plan = props.plan;
    this.quota = resolved.quota;
    this.name = props.namespace ?? `tenant-${props.tenantId}`;
    this.peerNamespace = this.name;
    const tenantLabels = { [TENANT_LABEL]: props.tenantId, [PLAN_LABEL]: props.plan.name };
    this.ns = new PlatformNamespace(this, 'Namespace', { name: this.name, labels: { ...tenantLabels, ...props.namespaceLabels } });
    this.labels = { ...this.ns.commonLabels, ...tenantLabels };
    const meta = (
      name: string,
      annotations?: Record<string, string>,
    ): { name: string; namespace: string; labels: Record<string, string>; annotations?: Record<string, string> } => ({
      name,
      namespace: this.name,
      labels: { ...this.labels },
      ...(annotations ? { annotations } : {}),
    });

    this.addQuota(meta, props.quotaOverrideReason);
    this.addNetworkPolicies(props);
    this.addOperators(meta, props);
    managedSecret(this, 'EncryptionKey', {
      name: 'tenant-encryption-key',
      namespace: this.name,
      labels: { ...this.labels },
      store: props.secretStore,
      keys: [{ secretKey: 'key', remoteKey: props.encryptionKeyRemoteKey ?? `tenants/${props.tenantId}/encryption-key`, property: 'key' }],
    });
    new k8s.KubeConfigMap(this, 'Settings', {
      metadata: meta('tenant-config'),
      data: {
        TENANT_ID: props.tenantId,
        TENANT_NAME: props.displayName,
        TENANT_PLAN: props.plan.name,
        AGENT_CONCURRENCY: String(props.plan.agentConcurrency),
        API_REQUESTS_PER_MINUTE: String(props.plan.apiRequestsPerMinute),
        ...props.settings,
      },
    });
    if (props.api) {
      this.addApiConsumer(meta, props);
    }
    this.addUsageRules(meta);
  }

  private addQuota(meta: (name: string, a?: Record<string, string>) => k8s.ObjectMeta, reason: string | undefined): void {
    const q = this.quota;
    const cpu = k8s.Quantity.fromString(`${q.cpuMillis}m`);
    const memory = k8s.Quantity.fromString(`${q.memoryMi}Mi`);
    new k8s.KubeResourceQuota(this, 'Quota', {
      metadata: meta('tenant-quota', reason ? { [`${ANNOTATION_DOMAIN}/quota-override-reason`]: reason } : undefined),
      spec: {
        hard: {
          'requests.cpu': cpu,
          'requests.memory': memory,
          'limits.memory': memory,
          pods: k8s.Quantity.fromNumber(q.pods),
          persistentvolumeclaims: k8s.Quantity.fromNumber(q.persistentVolumeClaims),
          'requests.storage': k8s.Quantity.fromString(`${q.storageMi}Mi`),
          services: k8s.Quantity.fromNumber(q.services),
          'services.loadbalancers': k8s.Quantity.fromNumber(0),
          'services.nodeports': k8s.Quantity.fromNumber(0),
          configmaps: k8s.Quantity.fromNumber(q.configMaps),
          secrets: k8s.Quantity.fromNumber(q.secrets),
        },
      },
    });
    const c = this.plan.container;
    new k8s.KubeLimitRange(this, 'Limits', {
      metadata: meta('tenant-limits'),
      spec: {
        limits: [
          {
            type: 'Container',
            defaultRequest: {
              cpu: k8s.Quantity.fromString(`${c.defaultRequestCpuMillis}m`),
              memory: k8s.Quantity.fromString(`${c.defaultRequestMemoryMi}Mi`),
            },
            default: { memory: k8s.Quantity.fromString(`${c.defaultLimitMemoryMi}Mi`) },
            max: { cpu: k8s.Quantity.fromString(`${c.maxCpuMillis}m`), memory: k8s.Quantity.fromString(`${c.maxMemoryMi}Mi`) },
          },
        ],
      },
    });
  }

  private addNetworkPolicies(props: TenantNamespaceProps): void {
    const labels = { ...this.labels };
    allowIngressPolicy(this, 'AllowGateway', {
      name: 'allow-from-gateway',
      namespace: this.name,
      labels,
      podSelector: {},
      from: props.ingressFrom,
      ports: props.ingressPorts ?? [8080],
    });
    for (const d of props.dataServices ?? []) {
      allowEgressPolicy(this, `AllowTo-${d.name}`, {
        name: `allow-to-${d.name}`,
        namespace: this.name,
        labels,
        podSelector: {},
        to: [d.peer],
        ports: d.ports,
      });
    }
  }

  private addOperators(meta: (name: string) => k8s.ObjectMeta, props: TenantNamespaceProps): void {
    const access = props.operatorAccess ?? 'read-only';
    const rules: k8s.PolicyRule[] = [
      ...WORKLOAD_RESOURCES.map((r) => ({ ...r, verbs: access === 'edit' ? [...READ, ...WRITE] : READ })),
      { apiGroups: [''], resources: ['pods/log', 'events', 'resourcequotas', 'limitranges'], verbs: READ },
    ];
    new k8s.KubeServiceAccount(this, 'OperatorAccount', { metadata: meta('tenant-operator'), automountServiceAccountToken: false });
    new k8s.KubeRole(this, 'OperatorRole', { metadata: meta('tenant-operator'), rules });
    new k8s.KubeRoleBinding(this, 'OperatorBinding', {
      metadata: meta('tenant-operator'),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'tenant-operator' },
      subjects: [
        { kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: props.operatorsGroup ?? `tenant-${props.tenantId}-operators` },
        { kind: 'ServiceAccount', name: 'tenant-operator', namespace: this.name },
      ],
    });
  }

  private addApiConsumer(meta: (name: string, a?: Record<string, string>) => k8s.ObjectMeta, props: TenantNamespaceProps): void {
    const consumer = `tenant-${props.tenantId}`;
    managedSecret(this, 'ApiKey', {
      name: 'tenant-api-key',
      namespace: this.name,
      labels: { ...this.labels },
      store: props.secretStore,
      keys: [{ secretKey: 'key', remoteKey: props.api!.apiKeyRemoteKey, property: 'key' }],
      template: { labels: { [KONG_CREDENTIAL_LABEL]: 'key-auth' }, data: { key: '{{ .key }}' } },
    });
    new KongPlugin(this, 'RateLimit', {
      metadata: meta('tenant-rate-limit'),
      plugin: 'rate-limiting',
      config: { minute: this.plan.apiRequestsPerMinute, limit_by: 'consumer', policy: 'local', fault_tolerant: true, hide_client_headers: false },
    });
    new KongConsumer(this, 'ApiConsumer', {
      metadata: meta(consumer, { 'kubernetes.io/ingress.class': KONG_INGRESS_CLASS, [KONG_PLUGINS_ANNOTATION]: 'tenant-rate-limit' }),
      username: consumer,
      customId: props.tenantId,
      credentials: ['tenant-api-key'],
    });
  }

  /** Recording rules for billing: CPU, memory, storage and API requests of the tenant, labelled `tenant` and `plan`. */
  private addUsageRules(meta: (name: string) => k8s.ObjectMeta): ApiObject {
    const ns = `namespace="${this.name}"`;
    const record = (name: string, expr: string): { record: string; expr: PrometheusRuleSpecGroupsRulesExpr; labels: Record<string, string> } => ({
      record: name,
      expr: PrometheusRuleSpecGroupsRulesExpr.fromString(expr),
      labels: { tenant: this.tenantId, plan: this.plan.name },
    });
    return new PrometheusRule(this, 'Usage', {
      metadata: meta('tenant-usage'),
      spec: {
        groups: [
          {
            name: `tenant-usage-${this.tenantId}`,
            interval: '1m',
            rules: [
              record('tenant:cpu_usage_cores:rate5m', `sum(rate(container_cpu_usage_seconds_total{${ns}, container!=""}[5m]))`),
              record('tenant:memory_working_set_bytes:sum', `sum(container_memory_working_set_bytes{${ns}, container!=""})`),
              record('tenant:pvc_requested_bytes:sum', `sum(kube_persistentvolumeclaim_resource_requests_storage_bytes{${ns}})`),
              record('tenant:api_requests:rate5m', `sum(rate(kong_http_requests_total{consumer="tenant-${this.tenantId}"}[5m]))`),
            ],
          },
        ],
      },
    });
  }
}
