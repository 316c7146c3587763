/**
 * The Kubernetes API server's audit policy (`audit.k8s.io/v1` `Policy`), typed. It is a file the
 * API server reads at start (`--audit-policy-file`), not an object of the API: nothing applies it.
 * Field names and the rules of `validateAuditPolicy` follow the API server's own
 * (k8s.io/apiserver pkg/apis/audit/v1/types.go and pkg/apis/audit/validation/validation.go;
 * pkg/audit/policy/reader.go refuses a policy without rules).
 */

export type AuditLevel = 'None' | 'Metadata' | 'Request' | 'RequestResponse';
export type AuditStage = 'RequestReceived' | 'ResponseStarted' | 'ResponseComplete' | 'Panic';

export interface AuditGroupResources {
  /** API group; '' is the core group. */
  readonly group: string;
  /** @default - every resource of the group */
  readonly resources?: readonly string[];
  readonly resourceNames?: readonly string[];
}

export interface AuditPolicyRule {
  readonly level: AuditLevel;
  readonly users?: readonly string[];
  readonly userGroups?: readonly string[];
  readonly verbs?: readonly string[];
  readonly resources?: readonly AuditGroupResources[];
  readonly namespaces?: readonly string[];
  readonly nonResourceURLs?: readonly string[];
  readonly omitStages?: readonly AuditStage[];
}

export interface AuditPolicy {
  readonly apiVersion: 'audit.k8s.io/v1';
  readonly kind: 'Policy';
  readonly omitStages?: readonly AuditStage[];
  readonly omitManagedFields?: boolean;
  readonly rules: readonly AuditPolicyRule[];
}

const LEVELS: readonly string[] = ['None', 'Metadata', 'Request', 'RequestResponse'];
const STAGES: readonly string[] = ['RequestReceived', 'ResponseStarted', 'ResponseComplete', 'Panic'];
const POLICY_FIELDS = ['apiVersion', 'kind', 'metadata', 'omitStages', 'omitManagedFields', 'rules'];
const RULE_FIELDS = ['level', 'users', 'userGroups', 'verbs', 'resources', 'namespaces', 'nonResourceURLs', 'omitStages', 'omitManagedFields'];
const GROUP_RESOURCE_FIELDS = ['group', 'resources', 'resourceNames'];
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
export const WRITE_REQUEST_VERBS = ['create', 'update', 'patch', 'delete', 'deletecollection'];

/**
 * Every problem of a policy as the API server would see it, with its field path: unknown fields
 * (the file is decoded strictly), levels, stages, non-resource URLs, API groups, resource names
 * without resources, and rules mixing resources with non-resource URLs. Empty when it loads.
 */
export function validateAuditPolicy(policy: unknown): string[] {
  const problems: string[] = [];
  const p = policy as Record<string, unknown>;
  if (typeof p !== 'object' || p === null) {
    return ['policy: must be an object'];
  }
  if (p.apiVersion !== 'audit.k8s.io/v1') {
    problems.push(`apiVersion: must be "audit.k8s.io/v1" (got ${JSON.stringify(p.apiVersion)})`);
  }
  if (p.kind !== 'Policy') {
    problems.push(`kind: must be "Policy" (got ${JSON.stringify(p.kind)})`);
  }
  unknownFields(p, POLICY_FIELDS, '', problems);
  stages(p.omitStages, 'omitStages', problems);
  const rules = p.rules;
  if (!Array.isArray(rules) || rules.length === 0) {
    problems.push('rules: a policy needs at least one rule (the API server refuses an empty one)');
    return problems;
  }
  rules.forEach((r: Record<string, unknown>, i: number) => {
    const at = `rules[${i}]`;
    unknownFields(r, RULE_FIELDS, `${at}.`, problems);
    if (!LEVELS.includes(r.level as string)) {
      problems.push(`${at}.level: must be one of ${LEVELS.join(', ')} (got ${JSON.stringify(r.level)})`);
    }
    stages(r.omitStages, `${at}.omitStages`, problems);
    const urls = (r.nonResourceURLs as string[] | undefined) ?? [];
    urls.forEach((u, j) => {
      if (u === '*') {
        return;
      }
      if (!u.startsWith('/')) {
        problems.push(`${at}.nonResourceURLs[${j}]: non-resource URL rules must begin with a '/' character (got ${JSON.stringify(u)})`);
      }
      if (u.slice(0, -1).includes('*')) {
        problems.push(`${at}.nonResourceURLs[${j}]: non-resource URL wildcards '*' must be the final character of the rule (got ${JSON.stringify(u)})`);
      }
    });
    const resources = (r.resources as Record<string, unknown>[] | undefined) ?? [];
    resources.forEach((g, j) => {
      unknownFields(g, GROUP_RESOURCE_FIELDS, `${at}.resources[${j}].`, problems);
      const group = g.group as string | undefined;
      if (group && (!DNS_SUBDOMAIN.test(group) || group.length > 253)) {
        problems.push(`${at}.resources[${j}].group: must be a DNS subdomain such as rbac.authorization.k8s.io (got ${JSON.stringify(group)})`);
      }
      if (((g.resourceNames as string[] | undefined) ?? []).length > 0 && ((g.resources as string[] | undefined) ?? []).length === 0) {
        problems.push(`${at}.resources[${j}].resourceNames: using resourceNames requires at least one resource`);
      }
    });
    if (urls.length > 0 && (resources.length > 0 || ((r.namespaces as string[] | undefined) ?? []).length > 0)) {
      problems.push(`${at}.nonResourceURLs: rules cannot apply to both regular resources and non-resource URLs`);
    }
  });
  return problems;
}

function unknownFields(obj: Record<string, unknown>, known: readonly string[], at: string, problems: string[]): void {
  for (const k of Object.keys(obj ?? {})) {
    if (!known.includes(k)) {
      problems.push(`${at}${k}: unknown field`);
    }
  }
}

function stages(value: unknown, at: string, problems: string[]): void {
  ((value as string[] | undefined) ?? []).forEach((s, i) => {
    if (!STAGES.includes(s)) {
      problems.push(`${at}[${i}]: allowed stages are ${STAGES.join(',')} (got ${JSON.stringify(s)})`);
    }
  });
}

export interface PlatformAuditPolicyProps {
  /** API groups of the custom resources whose changes are logged with request and response bodies. */
  readonly crdGroups: readonly string[];
}

/**
 * The platform's audit policy. The API server uses the first rule that matches, so the order is
 * the policy: health and noisy system reads are dropped; Secrets, ConfigMaps, token requests and
 * token reviews are logged at Metadata only (who touched what, never the values: a body would put
 * the secret into the log); changes of RBAC, CRDs and our custom resources with request and
 * response; other writes with the request; everything else at Metadata. No event is written at
 * RequestReceived (each request would be logged twice).
 */
export function platformAuditPolicy(props: PlatformAuditPolicyProps): AuditPolicy {
  const readVerbs = ['get', 'list', 'watch'];
  return {
    apiVersion: 'audit.k8s.io/v1',
    kind: 'Policy',
    omitStages: ['RequestReceived'],
    rules: [
      { level: 'None', nonResourceURLs: ['/healthz*', '/livez*', '/readyz*', '/version', '/metrics', '/openapi*'] },
      { level: 'None', resources: [{ group: '', resources: ['events'] }, { group: 'events.k8s.io', resources: ['events'] }] },
      {
        level: 'None',
        users: ['system:kube-proxy'],
        verbs: ['watch'],
        resources: [{ group: '', resources: ['endpoints', 'services', 'services/status'] }, { group: 'discovery.k8s.io', resources: ['endpointslices'] }],
      },
      { level: 'None', userGroups: ['system:nodes'], verbs: readVerbs, resources: [{ group: '', resources: ['nodes', 'nodes/status'] }] },
      // Leader election of every controller: a lease update every few seconds.
      { level: 'None', verbs: ['get', 'update'], resources: [{ group: 'coordination.k8s.io', resources: ['leases'] }] },
      {
        level: 'None',
        users: ['system:kube-controller-manager', 'system:kube-scheduler', 'system:serviceaccount:kube-system:endpoint-controller'],
        verbs: ['get', 'update'],
        namespaces: ['kube-system'],
        resources: [{ group: '', resources: ['endpoints'] }],
      },
      {
        level: 'Metadata',
        resources: [
          { group: '', resources: ['secrets', 'configmaps', 'serviceaccounts/token'] },
          { group: 'authentication.k8s.io', resources: ['tokenreviews'] },
        ],
      },
      {
        level: 'RequestResponse',
        verbs: WRITE_REQUEST_VERBS,
        resources: [
          { group: 'rbac.authorization.k8s.io' },
          { group: 'apiextensions.k8s.io', resources: ['customresourcedefinitions'] },
          ...[...new Set(props.crdGroups)].sort().map((group) => ({ group })),
        ],
      },
      { level: 'Request', verbs: WRITE_REQUEST_VERBS },
      { level: 'Metadata' },
    ],
  };
}
