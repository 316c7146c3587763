/**
 * The translation of NetworkPolicy ingress allows into Istio AuthorizationPolicy rules, over plain
 * objects (the JSON a chart emits), so the two can never drift: every AuthorizationPolicy rule
 * comes from one NetworkPolicy rule. `NamespaceMesh` (mesh.ts) applies it to a chart.
 * @see https://istio.io/latest/docs/reference/config/security/authorization-policy/
 */

/* eslint-disable @typescript-eslint/no-explicit-any */

/** Label every namespace carries (Kubernetes 1.22+); our NetworkPolicies select namespaces by it. */
const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

/** A pod template of the chart, as the translation sees it. */
export interface MeshWorkload {
  readonly kind: string;
  readonly name: string;
  /** Labels of the pod template. */
  readonly podLabels: Readonly<Record<string, string>>;
  /** `spec.selector.matchLabels`: selects exactly this workload's pods. */
  readonly selector: Readonly<Record<string, string>>;
  /** The pods' ServiceAccount. @default - the namespace's `default` */
  readonly serviceAccount?: string;
  /** Container ports by name (for NetworkPolicy ports given by name). */
  readonly namedPorts: Readonly<Record<string, number>>;
  /** Whether the pods get an Istio sidecar. */
  readonly injected: boolean;
}

/** One AuthorizationPolicy `rules[]` entry (Istio's shape). */
export interface AuthorizationRule {
  readonly from?: { readonly source: Record<string, string[]> }[];
  readonly to?: { readonly operation: { readonly ports: string[] } }[];
}

/** What one NetworkPolicy becomes. */
export interface MirroredPolicy {
  /** The NetworkPolicy's (and the AuthorizationPolicy's) name. */
  readonly name: string;
  /** AuthorizationPolicy `selector.matchLabels`; absent: every workload of the namespace. */
  readonly selector?: Record<string, string>;
  /** ALLOW rules; empty: the policy allows nothing (the mirror of a deny). */
  readonly rules: AuthorizationRule[];
  /**
   * Workloads and the ports on which a plaintext peer (outside the mesh, or any source) may
   * connect: those ports cannot be STRICT. `'all'`: every port.
   */
  readonly plaintext: ReadonlyMap<MeshWorkload, ReadonlySet<number> | 'all'>;
}

export interface MirrorContext {
  readonly namespace: string;
  /** Namespaces whose pods carry sidecars (and so an mTLS identity). */
  readonly meshNamespaces: ReadonlySet<string>;
  /** The chart's workloads in `namespace`. */
  readonly workloads: readonly MeshWorkload[];
}

/** Whether `selector` (a LabelSelector with matchLabels only) selects `labels`. */
export function matchesLabels(selector: Readonly<Record<string, string>>, labels: Readonly<Record<string, string>>): boolean {
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

/**
 * Mirrors one NetworkPolicy, or returns undefined when it has no ingress side or protects only
 * pods without a sidecar (where an AuthorizationPolicy is never enforced).
 */
export function mirrorNetworkPolicy(np: any, ctx: MirrorContext): MirroredPolicy | undefined {
  const spec = np.spec ?? {};
  const name: string = np.metadata.name;
  if (!(spec.policyTypes ?? ['Ingress']).includes('Ingress')) {
    return undefined;
  }
  if ((spec.podSelector?.matchExpressions ?? []).length > 0) {
    throw new Error(`NetworkPolicy ${ctx.namespace}/${name}: podSelector.matchExpressions cannot be mirrored (AuthorizationPolicy selectors take matchLabels only)`);
  }
  const matchLabels: Record<string, string> = { ...(spec.podSelector?.matchLabels ?? {}) };
  const targets = ctx.workloads.filter((w) => w.injected && matchesLabels(matchLabels, w.podLabels));
  if (targets.length === 0) {
    return undefined;
  }
  const rules: AuthorizationRule[] = [];
  const plaintext = new Map<MeshWorkload, Set<number> | 'all'>();
  for (const [i, r] of (spec.ingress ?? []).entries()) {
    const ports = ruleTcpPorts(r, targets, `NetworkPolicy ${ctx.namespace}/${name}: spec.ingress[${i}]`);
    if (ports !== 'all' && ports.length === 0) {
      continue; // UDP only: the sidecar does not intercept UDP.
    }
    const sources = ruleSources(r, ctx);
    const to = ports === 'all' ? undefined : [{ operation: { ports: ports.map(String) } }];
    rules.push({ ...(sources === 'any' ? {} : { from: sources }), ...(to ? { to } : {}) });
    if (sources === 'any') {
      for (const t of targets) {
        plaintext.set(t, mergePorts(plaintext.get(t), ports));
      }
    }
  }
  return { name, ...(Object.keys(matchLabels).length > 0 ? { selector: matchLabels } : {}), rules, plaintext };
}

function mergePorts(have: Set<number> | 'all' | undefined, add: number[] | 'all'): Set<number> | 'all' {
  if (have === 'all' || add === 'all') {
    return 'all';
  }
  return new Set([...(have ?? []), ...add]);
}

/** The rule's TCP ports as numbers (named ports resolved on the target pods), or 'all'. */
function ruleTcpPorts(rule: any, targets: readonly MeshWorkload[], where: string): number[] | 'all' {
  const ports: any[] = rule.ports ?? [];
  if (ports.length === 0) {
    return 'all';
  }
  const out = new Set<number>();
  for (const p of ports) {
    if ((p.protocol ?? 'TCP') !== 'TCP') {
      continue;
    }
    if (p.port === undefined) {
      return 'all';
    }
    if (p.endPort !== undefined) {
      throw new Error(`${where}: port ranges (endPort) cannot be mirrored`);
    }
    if (typeof p.port === 'number') {
      out.add(p.port);
      continue;
    }
    const resolved = [...new Set(targets.map((t) => t.namedPorts[p.port]).filter((n) => n !== undefined))];
    if (resolved.length !== 1) {
      throw new Error(`${where}: named port "${p.port}" resolves to ${resolved.length === 0 ? 'no port' : resolved.join(', ')} on the selected pods`);
    }
    out.add(resolved[0]);
  }
  return [...out].sort((a, b) => a - b);
}

/**
 * The rule's peers as AuthorizationPolicy sources, or 'any' when a peer cannot present a mesh
 * identity (outside the mesh, an ipBlock, every namespace, or no `from` at all).
 */
function ruleSources(rule: any, ctx: MirrorContext): { source: Record<string, string[]> }[] | 'any' {
  const peers: any[] = rule.from ?? [];
  if (peers.length === 0) {
    return 'any';
  }
  const out: { source: Record<string, string[]> }[] = [];
  for (const peer of peers) {
    if (peer.ipBlock || (peer.namespaceSelector && peer.namespaceSelector.matchLabels?.[NAMESPACE_NAME_LABEL] === undefined)) {
      return 'any';
    }
    const ns: string = peer.namespaceSelector?.matchLabels?.[NAMESPACE_NAME_LABEL] ?? ctx.namespace;
    if (!ctx.meshNamespaces.has(ns)) {
      return 'any';
    }
    const source = sourceOf(peer, ns, ctx);
    if (!source) {
      return 'any';
    }
    out.push({ source });
  }
  return out;
}

/**
 * A peer in the mesh: its ServiceAccounts when it is in this namespace and its pods are known
 * (`serviceAccounts: ["<ns>/<sa>"]`), else its namespace. Undefined when some of the peer's pods
 * in this namespace run without a sidecar (Jobs, excluded workloads): they connect in plaintext.
 */
function sourceOf(peer: any, ns: string, ctx: MirrorContext): Record<string, string[]> | undefined {
  if (ns !== ctx.namespace) {
    return { namespaces: [ns] };
  }
  const sel = peer.podSelector ?? {};
  const peers = ctx.workloads.filter((w) => selectorMatchesLabels(sel, w.podLabels));
  if (peers.some((w) => !w.injected)) {
    return undefined;
  }
  const narrowed = Object.keys(sel.matchLabels ?? {}).length > 0 || (sel.matchExpressions ?? []).length > 0;
  if (narrowed && peers.length > 0) {
    return { serviceAccounts: [...new Set(peers.map((w) => `${ns}/${w.serviceAccount ?? 'default'}`))].sort() };
  }
  return { namespaces: [ns] };
}

/** A LabelSelector (matchLabels and matchExpressions) against pod labels. */
function selectorMatchesLabels(sel: any, labels: Readonly<Record<string, string>>): boolean {
  if (!matchesLabels(sel.matchLabels ?? {}, labels)) {
    return false;
  }
  return (sel.matchExpressions ?? []).every((e: any) => {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    const inValues = has && (e.values ?? []).includes(labels[e.key]);
    switch (e.operator) {
      case 'In':
        return inValues;
      case 'NotIn':
        return !inValues;
      case 'Exists':
        return has;
      default:
        return !has;
    }
  });
}
