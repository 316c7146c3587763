/** One RBAC rule, as in `rbac.authorization.k8s.io/v1` PolicyRule. */
export interface RbacRule {
  readonly apiGroups: readonly string[];
  readonly resources: readonly string[];
  readonly verbs: readonly string[];
}

export const READ_VERBS = ['get', 'list', 'watch'] as const;
export const WRITE_VERBS = ['create', 'update', 'patch', 'delete', 'deletecollection'] as const;

/**
 * What the workload-facing roles may read, by API group. Explicit resources, never `*`: a wildcard
 * would include Secrets (and every CRD added later). No `secrets`, no `pods/exec` or
 * `pods/attach` (a shell reads the Secrets mounted in the pod), no `serviceaccounts/token`.
 */
const WORKLOAD_READ: readonly RbacRule[] = [
  {
    apiGroups: [''],
    resources: [
      'pods',
      'pods/log',
      'pods/status',
      'services',
      'endpoints',
      'configmaps',
      'persistentvolumeclaims',
      'events',
      'serviceaccounts',
      'resourcequotas',
      'limitranges',
    ],
    verbs: READ_VERBS,
  },
  { apiGroups: ['apps'], resources: ['deployments', 'replicasets', 'statefulsets', 'daemonsets', 'controllerrevisions'], verbs: READ_VERBS },
  { apiGroups: ['batch'], resources: ['jobs', 'cronjobs'], verbs: READ_VERBS },
  { apiGroups: ['autoscaling'], resources: ['horizontalpodautoscalers'], verbs: READ_VERBS },
  { apiGroups: ['policy'], resources: ['poddisruptionbudgets'], verbs: READ_VERBS },
  { apiGroups: ['networking.k8s.io'], resources: ['ingresses', 'networkpolicies'], verbs: READ_VERBS },
  { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: READ_VERBS },
  { apiGroups: ['events.k8s.io'], resources: ['events'], verbs: READ_VERBS },
  { apiGroups: ['monitoring.coreos.com'], resources: ['servicemonitors', 'podmonitors', 'prometheusrules'], verbs: READ_VERBS },
  // An ExternalSecret names a store key, never holds its value.
  { apiGroups: ['external-secrets.io'], resources: ['externalsecrets'], verbs: READ_VERBS },
  { apiGroups: ['argoproj.io'], resources: ['rollouts', 'analysisruns', 'analysistemplates'], verbs: READ_VERBS },
  // A TriggerAuthentication and a KongConsumer name Secrets, never hold their values.
  { apiGroups: ['keda.sh'], resources: ['scaledobjects', 'scaledjobs', 'triggerauthentications'], verbs: READ_VERBS },
  { apiGroups: ['cert-manager.io'], resources: ['certificates', 'certificaterequests', 'issuers'], verbs: READ_VERBS },
  { apiGroups: ['configuration.konghq.com'], resources: ['kongconsumers', 'kongplugins'], verbs: READ_VERBS },
  { apiGroups: ['security.istio.io'], resources: ['authorizationpolicies', 'peerauthentications'], verbs: READ_VERBS },
  { apiGroups: ['networking.istio.io'], resources: ['destinationrules'], verbs: READ_VERBS },
];

/** What developers may change where they may: the workloads and their configuration (GitOps reverts drift where self-heal is on). */
const WORKLOAD_WRITE: readonly RbacRule[] = [
  { apiGroups: [''], resources: ['pods'], verbs: ['delete'] },
  { apiGroups: [''], resources: ['configmaps', 'services'], verbs: WRITE_VERBS },
  { apiGroups: ['apps'], resources: ['deployments', 'statefulsets', 'deployments/scale', 'statefulsets/scale'], verbs: WRITE_VERBS },
  { apiGroups: ['batch'], resources: ['jobs', 'cronjobs'], verbs: WRITE_VERBS },
  { apiGroups: ['autoscaling'], resources: ['horizontalpodautoscalers'], verbs: WRITE_VERBS },
  { apiGroups: ['argoproj.io'], resources: ['rollouts'], verbs: WRITE_VERBS },
  { apiGroups: [''], resources: ['pods/portforward'], verbs: ['create'] },
];

/** What only auditors read besides the workloads: who may do what, and the cluster's shape. */
const AUDIT_READ: readonly RbacRule[] = [
  { apiGroups: ['rbac.authorization.k8s.io'], resources: ['roles', 'rolebindings', 'clusterroles', 'clusterrolebindings'], verbs: READ_VERBS },
  { apiGroups: [''], resources: ['namespaces', 'nodes', 'persistentvolumes'], verbs: READ_VERBS },
  { apiGroups: ['storage.k8s.io'], resources: ['storageclasses'], verbs: READ_VERBS },
  { apiGroups: ['apiextensions.k8s.io'], resources: ['customresourcedefinitions'], verbs: READ_VERBS },
  {
    apiGroups: ['admissionregistration.k8s.io'],
    resources: ['validatingwebhookconfigurations', 'mutatingwebhookconfigurations'],
    verbs: READ_VERBS,
  },
  { apiGroups: ['external-secrets.io'], resources: ['secretstores', 'clustersecretstores'], verbs: READ_VERBS },
  { apiGroups: ['cert-manager.io'], resources: ['clusterissuers'], verbs: READ_VERBS },
  { apiGroups: ['argoproj.io'], resources: ['applications', 'applicationsets', 'appprojects'], verbs: READ_VERBS },
];

/** What a team may do in a namespace (or cluster-wide, for the read-only levels). */
export class AccessLevel {
  /** Every verb on every resource of the namespace, Secrets and RBAC included (the platform team). */
  public static readonly ADMIN = new AccessLevel('admin', [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }], false);
  /** VIEW plus changing workloads and their configuration; no Secrets, no exec, no RBAC. */
  public static readonly EDIT = new AccessLevel('edit', [...WORKLOAD_READ, ...WORKLOAD_WRITE], false);
  /** Read the workloads, their logs, configuration and events; no Secrets. */
  public static readonly VIEW = new AccessLevel('view', WORKLOAD_READ, true);
  /** VIEW plus RBAC, webhooks, CRDs, stores and the cluster-scoped objects; no Secrets, no write. */
  public static readonly AUDIT = new AccessLevel('audit', [...WORKLOAD_READ, ...AUDIT_READ], true);

  private constructor(
    public readonly value: string,
    public readonly rules: readonly RbacRule[],
    /** Whether the level is read-only, and so may be granted cluster-wide. */
    public readonly readOnly: boolean,
  ) {}
}

/** Whether `rule` grants `verb` on `resource` of `apiGroup` (wildcards included). */
export function ruleGrants(rule: RbacRule, apiGroup: string, resource: string, verb: string): boolean {
  const has = (xs: readonly string[], x: string): boolean => xs.includes('*') || xs.includes(x);
  return has(rule.apiGroups, apiGroup) && has(rule.resources, resource) && has(rule.verbs, verb);
}
