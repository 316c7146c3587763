import { KubeObject, objectId } from '../gate/manifest';
import { LabelSelector, selectorMatches } from '../gate/policy/model';
import { byText, podTemplate, quantity, replicasOf, WORKLOAD_KINDS } from './objects';

/* eslint-disable @typescript-eslint/no-explicit-any */

/**
 * A picture of one environment, `dist/<env>/README.md`: namespaces, workloads and data services,
 * the network flows the NetworkPolicies allow, and a capacity table. A pure function of the
 * objects (no clock, sorted everywhere), so `npm run synth` and `npm run graph` write the same file.
 */

const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

/** A set of pods: a workload of the tree. */
export interface Workload {
  /** `Kind/namespace/name`. */
  readonly id: string;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly replicas: number;
  /** Pod template labels. */
  readonly labels: Record<string, string>;
  /** Holds data: a StatefulSet with volume claim templates, or pods mounting claims. */
  readonly data: boolean;
  readonly obj: KubeObject;
}

/** Port set of a flow: `undefined` = any port. */
type Ports = Set<string> | undefined;

/** One allowed connection. `from`/`to` are workload ids or external endpoint labels. */
export interface Flow {
  readonly from: string;
  readonly to: string;
  /** `TCP/5432`..., or `any`. */
  readonly ports: string;
  /** One side is outside the tree: only our side's policy was checked. */
  readonly external: boolean;
}

export interface NamespacePolicySummary {
  readonly namespace: string;
  readonly denyIngress: boolean;
  readonly denyEgress: boolean;
  /** Names of the other NetworkPolicies. */
  readonly allows: string[];
}

export interface EnvironmentGraph {
  readonly env: string;
  readonly namespaces: string[];
  readonly workloads: Workload[];
  readonly flows: Flow[];
  /** Admitted by one side, not (yet) by the other: e.g. a database admits a namespace whose egress is still closed. */
  readonly halfOpen: Flow[];
  readonly policies: NamespacePolicySummary[];
}

/** Namespaces, workloads and allowed flows of a set of objects. */
export function buildGraph(env: string, objects: readonly KubeObject[]): EnvironmentGraph {
  const sorted = [...objects].sort((a, b) => byText(objectId(a), objectId(b)));
  const nsLabels = new Map<string, Record<string, string>>();
  for (const o of sorted) {
    if (o.kind === 'Namespace' && o.metadata.name) {
      nsLabels.set(o.metadata.name, { ...(o.metadata.labels ?? {}), [NAMESPACE_NAME_LABEL]: o.metadata.name });
    } else if (o.metadata.namespace && !nsLabels.has(o.metadata.namespace)) {
      nsLabels.set(o.metadata.namespace, { [NAMESPACE_NAME_LABEL]: o.metadata.namespace });
    }
  }
  const workloads: Workload[] = sorted
    .filter((o) => WORKLOAD_KINDS.includes(o.kind) && o.metadata.namespace)
    .map((o) => {
      const tpl = podTemplate(o);
      const vcts = (o as any).spec?.volumeClaimTemplates;
      const mountsClaims = (tpl?.spec?.volumes ?? []).some((v: any) => v.persistentVolumeClaim);
      return {
        id: objectId(o),
        kind: o.kind,
        namespace: o.metadata.namespace!,
        name: o.metadata.name ?? '?',
        replicas: replicasOf(o),
        labels: { ...(tpl?.metadata?.labels ?? {}) },
        data: (Array.isArray(vcts) && vcts.length > 0) || mountsClaims,
        obj: o,
      };
    });
  const policies = sorted.filter((o) => o.kind === 'NetworkPolicy');
  const { flows, halfOpen } = computeFlows(workloads, policies, nsLabels);
  const policiesByNs = groupBy(policies, (p) => p.metadata.namespace ?? '');
  const summaries: NamespacePolicySummary[] = [...nsLabels.keys()].sort().map((ns) => {
    const inNs = policiesByNs.get(ns) ?? [];
    const isDeny = (p: KubeObject, type: string): boolean => {
      const s = (p as any).spec ?? {};
      return isEmptySelector(s.podSelector) && policyTypes(p).includes(type) && (s[type === 'Ingress' ? 'ingress' : 'egress'] ?? []).length === 0;
    };
    return {
      namespace: ns,
      denyIngress: inNs.some((p) => isDeny(p, 'Ingress')),
      denyEgress: inNs.some((p) => isDeny(p, 'Egress')),
      allows: inNs.filter((p) => !isDeny(p, 'Ingress') && !isDeny(p, 'Egress')).map((p) => p.metadata.name ?? '?'),
    };
  });
  return { env, namespaces: [...nsLabels.keys()].sort(), workloads, flows, halfOpen, policies: summaries };
}

/** Items grouped by a key, in their order. */
function groupBy<T>(items: readonly T[], key: (t: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const i of items) {
    const k = key(i);
    const list = m.get(k);
    if (list) {
      list.push(i);
    } else {
      m.set(k, [i]);
    }
  }
  return m;
}

function isEmptySelector(s: LabelSelector | undefined): boolean {
  return !s || (Object.keys(s.matchLabels ?? {}).length === 0 && (s.matchExpressions ?? []).length === 0);
}

/** `spec.policyTypes`, or its default: Ingress, plus Egress when egress rules exist. */
function policyTypes(p: KubeObject): string[] {
  const s = (p as any).spec ?? {};
  if (Array.isArray(s.policyTypes) && s.policyTypes.length > 0) {
    return s.policyTypes;
  }
  return s.egress ? ['Ingress', 'Egress'] : ['Ingress'];
}

interface Rule {
  /** Peers; undefined = all sources/destinations. */
  readonly peers: any[] | undefined;
  readonly ports: any[] | undefined;
  /** Namespace of the policy (a peer without namespaceSelector means this one). */
  readonly namespace: string;
}

/** Port strings of a rule, named ports resolved on the pods they point at. */
function rulePorts(ports: any[] | undefined, target: Workload | undefined): Ports {
  if (!ports || ports.length === 0) {
    return undefined;
  }
  const named = new Map<string, number>();
  for (const c of podTemplate(target?.obj ?? ({} as KubeObject))?.spec?.containers ?? []) {
    for (const p of c.ports ?? []) {
      if (p.name) {
        named.set(p.name, p.containerPort);
      }
    }
  }
  const out = new Set<string>();
  for (const p of ports) {
    const proto = p.protocol ?? 'TCP';
    if (p.port === undefined) {
      return undefined;
    }
    const port = typeof p.port === 'string' ? (named.get(p.port) ?? p.port) : p.port;
    out.add(p.endPort ? `${proto}/${port}-${p.endPort}` : `${proto}/${port}`);
  }
  return out;
}

function union(a: Ports | null, b: Ports): Ports | null {
  if (a === null) {
    return b === undefined ? undefined : new Set(b);
  }
  if (a === undefined || b === undefined) {
    return undefined;
  }
  return new Set([...a, ...b]);
}

function intersect(a: Ports, b: Ports): Ports | null {
  if (a === undefined) {
    return b;
  }
  if (b === undefined) {
    return a;
  }
  const s = new Set([...a].filter((x) => b.has(x)));
  return s.size > 0 ? s : null;
}

function showPorts(p: Ports): string {
  return p === undefined ? 'any' : [...p].sort((a, b) => a.localeCompare(b, 'en', { numeric: true })).join(', ');
}

function describeSelector(s: LabelSelector | undefined): string {
  if (isEmptySelector(s)) {
    return 'all pods';
  }
  const parts = Object.entries(s!.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  parts.push(...(s!.matchExpressions ?? []).map((e) => `${e.key} ${e.operator}${e.values?.length ? ` (${e.values.join(' ')})` : ''}`));
  return parts.join(', ');
}

/** Pods as far as NetworkPolicies care: a namespace and labels. */
type PodSet = Pick<Workload, 'namespace' | 'labels'>;

/** What a NetworkPolicy peer selects: our workloads, or (none of them) a description of what is outside. */
interface Resolved {
  readonly pods: Workload[];
  readonly set: Set<PodSet>;
  readonly namespaces: string[];
  readonly external?: string;
}

/**
 * Lookups of one tree by namespace, memoised per selector and peer, so that the flows of N
 * tenants cost about N and not N x N (`npm run bench` synthesizes 1000 of them).
 */
class PeerIndex {
  private readonly workloadsByNs = new Map<string, Workload[]>();
  private readonly nsMemo = new Map<LabelSelector, string[]>();
  private readonly peerMemo = new Map<object, Resolved>();

  constructor(
    workloads: readonly Workload[],
    private readonly nsLabels: Map<string, Record<string, string>>,
  ) {
    for (const w of workloads) {
      this.workloadsByNs.set(w.namespace, [...(this.workloadsByNs.get(w.namespace) ?? []), w]);
    }
  }

  /** Namespaces of the tree a namespaceSelector matches (by name directly, the common case). */
  public namespaces(selector: LabelSelector): string[] {
    let out = this.nsMemo.get(selector);
    if (!out) {
      const keys = Object.keys(selector.matchLabels ?? {});
      const byName = selector.matchLabels?.[NAMESPACE_NAME_LABEL];
      out =
        byName !== undefined && keys.length === 1 && (selector.matchExpressions ?? []).length === 0
          ? this.nsLabels.has(byName)
            ? [byName]
            : []
          : [...this.nsLabels.entries()].filter(([, labels]) => selectorMatches(selector, labels)).map(([n]) => n);
      this.nsMemo.set(selector, out);
    }
    return out;
  }

  /** The workloads a peer (of a rule in namespace `ruleNs`) selects, or its description when none. */
  public resolve(peer: any, ruleNs: string): Resolved {
    let r = this.peerMemo.get(peer);
    if (!r) {
      r = this.compute(peer, ruleNs);
      this.peerMemo.set(peer, r);
    }
    return r;
  }

  /** Whether a peer selects `pods`, which may be a stand-in rather than one of our workloads. */
  public selects(peer: any, ruleNs: string, pods: PodSet): boolean {
    const r = this.resolve(peer, ruleNs);
    return r.set.has(pods) || (!peer.ipBlock && r.namespaces.includes(pods.namespace) && selectorMatches(peer.podSelector, pods.labels));
  }

  private compute(peer: any, ruleNs: string): Resolved {
    if (peer.ipBlock) {
      const except = peer.ipBlock.except?.length ? ` except ${peer.ipBlock.except.join(', ')}` : '';
      return { pods: [], set: new Set(), namespaces: [], external: `ipBlock ${peer.ipBlock.cidr}${except}` };
    }
    let namespaces: string[];
    let nsText: string;
    if (peer.namespaceSelector) {
      namespaces = this.namespaces(peer.namespaceSelector);
      const byName = peer.namespaceSelector.matchLabels?.[NAMESPACE_NAME_LABEL];
      nsText =
        byName && Object.keys(peer.namespaceSelector.matchLabels).length === 1 ? byName : `namespaces ${describeSelector(peer.namespaceSelector)}`;
    } else {
      namespaces = [ruleNs];
      nsText = ruleNs;
    }
    const pods = namespaces.flatMap((ns) => (this.workloadsByNs.get(ns) ?? []).filter((w) => selectorMatches(peer.podSelector, w.labels)));
    return {
      pods,
      set: new Set(pods),
      namespaces,
      external: pods.length > 0 ? undefined : `${nsText}: ${describeSelector(peer.podSelector)}`,
    };
  }
}

/**
 * Pods a peer stands for when none of our workloads match it but its namespaces are ours (a
 * namespace without workloads yet): one stand-in per namespace, labelled by the peer's podSelector.
 * Empty when the peer reaches outside the tree (other namespaces, all namespaces, IP blocks).
 */
function standIns(peer: any, ruleNs: string, index: PeerIndex): PodSet[] {
  if (peer.ipBlock || (peer.namespaceSelector && isEmptySelector(peer.namespaceSelector))) {
    return [];
  }
  const namespaces = peer.namespaceSelector ? index.namespaces(peer.namespaceSelector) : [ruleNs];
  return namespaces.map((namespace) => ({ namespace, labels: { ...(peer.podSelector?.matchLabels ?? {}) } }));
}

/**
 * A flow S -> T is allowed when S's egress allows T on a port and T's ingress allows S on that
 * port (each side is open unless a policy of that type selects its pods). For a peer in one of our
 * namespaces without matching workloads, that namespace's policies are checked too: a flow one
 * side admits and the other does not is "half open". Endpoints outside the tree (cluster DNS, the
 * API server, other namespaces) are checked on our side only.
 */
function computeFlows(
  workloads: readonly Workload[],
  policies: readonly KubeObject[],
  nsLabels: Map<string, Record<string, string>>,
): { flows: Flow[]; halfOpen: Flow[] } {
  const index = new PeerIndex(workloads, nsLabels);
  const byNamespace = new Map<string, KubeObject[]>();
  for (const p of policies) {
    byNamespace.set(p.metadata.namespace ?? '', [...(byNamespace.get(p.metadata.namespace ?? '') ?? []), p]);
  }
  // Each pod set's rules, computed once.
  const memo = new Map<PodSet, { Ingress?: Rule[]; Egress?: Rule[] }>();
  const rulesOf = (w: PodSet, type: 'Ingress' | 'Egress'): Rule[] | undefined => {
    const cached = memo.get(w) ?? {};
    if (!(type in cached)) {
      cached[type] = computeRules(w, type);
      memo.set(w, cached);
    }
    return cached[type];
  };
  const computeRules = (w: PodSet, type: 'Ingress' | 'Egress'): Rule[] | undefined => {
    const selecting = (byNamespace.get(w.namespace) ?? []).filter(
      (p) => policyTypes(p).includes(type) && selectorMatches((p as any).spec?.podSelector, w.labels),
    );
    if (selecting.length === 0) {
      return undefined; // not isolated
    }
    const key = type === 'Ingress' ? 'ingress' : 'egress';
    const peerKey = type === 'Ingress' ? 'from' : 'to';
    return selecting.flatMap((p) =>
      ((p as any).spec?.[key] ?? []).map((r: any) => ({
        peers: r[peerKey] && r[peerKey].length > 0 ? r[peerKey] : undefined,
        ports: r.ports,
        namespace: p.metadata.namespace!,
      })),
    );
  };
  const ANYWHERE = 'anywhere';
  /** Ports the rules allow towards/from `other`; null = none; undefined = any. */
  const allowed = (rules: Rule[] | undefined, other: PodSet, portOwner: Workload | undefined): Ports | null => {
    if (rules === undefined) {
      return undefined;
    }
    let ports: Ports | null = null;
    for (const r of rules) {
      if (!r.peers || r.peers.some((peer) => index.selects(peer, r.namespace, other))) {
        ports = union(ports, rulePorts(r.ports, portOwner));
      }
    }
    return ports;
  };
  /** Workloads S's egress may reach at all: only those need the two-sided check. */
  const candidates = (egress: Rule[] | undefined): readonly Workload[] => {
    if (egress === undefined || egress.some((r) => !r.peers)) {
      return workloads;
    }
    const out = new Set<Workload>();
    for (const r of egress) {
      for (const peer of r.peers!) {
        index.resolve(peer, r.namespace).pods.forEach((w) => out.add(w));
      }
    }
    return [...out];
  };
  const flows = new Map<string, Flow>();
  const halfOpen = new Map<string, Flow>();
  const add = (into: Map<string, Flow>, from: string, to: string, ports: Ports, external: boolean): void => {
    const key = `${from} -> ${to}`;
    const prev = into.get(key);
    const merged = prev ? union(prev.ports === 'any' ? undefined : new Set(prev.ports.split(', ')), ports) : ports;
    into.set(key, { from, to, ports: showPorts(merged ?? undefined), external });
  };
  /** A rule's peers that match none of our workloads: outside the tree, or our namespaces without pods yet. */
  const unmatched = (r: Rule, s: Workload, ourSide: 'Ingress' | 'Egress'): void => {
    const ourPorts = rulePorts(r.ports, ourSide === 'Ingress' ? s : undefined);
    const edge = (into: Map<string, Flow>, other: string, ports: Ports, external: boolean): void =>
      ourSide === 'Egress' ? add(into, s.id, other, ports, external) : add(into, other, s.id, ports, external);
    if (!r.peers) {
      edge(flows, ANYWHERE, ourPorts, true);
      return;
    }
    for (const peer of r.peers) {
      const res = index.resolve(peer, r.namespace);
      if (res.external === undefined) {
        continue; // our workloads: the pairwise check covers them
      }
      const stand = standIns(peer, r.namespace, index);
      if (stand.length === 0) {
        edge(flows, res.external, ourPorts, true);
        continue;
      }
      const theirSide = ourSide === 'Egress' ? 'Ingress' : 'Egress';
      let theirs: Ports | null = null;
      for (const p of stand) {
        const a = allowed(rulesOf(p, theirSide), s, ourSide === 'Egress' ? undefined : s);
        theirs = a === null ? theirs : union(theirs, a);
      }
      const both = theirs === null ? null : intersect(ourPorts, theirs);
      edge(both === null ? halfOpen : flows, res.external, both ?? ourPorts, false);
    }
  };
  for (const s of workloads) {
    const egress = rulesOf(s, 'Egress');
    for (const t of candidates(egress)) {
      const out = allowed(egress, t, t);
      if (out === null) {
        continue;
      }
      const inn = allowed(rulesOf(t, 'Ingress'), s, t);
      if (inn === null) {
        continue;
      }
      const both = intersect(out, inn);
      if (both !== null) {
        add(flows, s.id, t.id, both, false);
      }
    }
    const ingress = rulesOf(s, 'Ingress');
    if (egress === undefined) {
      add(flows, s.id, ANYWHERE, undefined, true);
    } else {
      egress.forEach((r) => unmatched(r, s, 'Egress'));
    }
    if (ingress === undefined) {
      add(flows, ANYWHERE, s.id, undefined, true);
    } else {
      ingress.forEach((r) => unmatched(r, s, 'Ingress'));
    }
  }
  const sorted = (m: Map<string, Flow>): Flow[] => [...m.values()].sort((a, b) => byText(a.from, b.from) || byText(a.to, b.to));
  return { flows: sorted(flows), halfOpen: sorted(halfOpen) };
}

// ---------------------------------------------------------------------------------------------
// Capacity

interface Totals {
  cpuRequest: number;
  cpuLimit: number;
  memRequest: number;
  memLimit: number;
  storage: number;
  /** Some container has no CPU / memory limit: the limit total is a lower bound. */
  cpuUnbounded: boolean;
  memUnbounded: boolean;
}

function zero(): Totals {
  return { cpuRequest: 0, cpuLimit: 0, memRequest: 0, memLimit: 0, storage: 0, cpuUnbounded: false, memUnbounded: false };
}

function addTotals(a: Totals, b: Totals): void {
  a.cpuRequest += b.cpuRequest;
  a.cpuLimit += b.cpuLimit;
  a.memRequest += b.memRequest;
  a.memLimit += b.memLimit;
  a.storage += b.storage;
  a.cpuUnbounded ||= b.cpuUnbounded;
  a.memUnbounded ||= b.memUnbounded;
}

const q = quantity;

/** Effective pod resources: app containers (and sidecar init containers) add up; a plain init container counts only if larger. */
function podTotals(spec: any): Totals {
  const t = zero();
  const containers = [...(spec?.containers ?? []), ...(spec?.initContainers ?? []).filter((c: any) => c.restartPolicy === 'Always')];
  for (const c of containers) {
    const r = c.resources ?? {};
    t.cpuRequest += q(r.requests?.cpu);
    t.memRequest += q(r.requests?.memory);
    t.cpuLimit += q(r.limits?.cpu);
    t.memLimit += q(r.limits?.memory);
    t.cpuUnbounded ||= r.limits?.cpu === undefined;
    t.memUnbounded ||= r.limits?.memory === undefined;
  }
  for (const c of (spec?.initContainers ?? []).filter((x: any) => x.restartPolicy !== 'Always')) {
    const r = c.resources ?? {};
    t.cpuRequest = Math.max(t.cpuRequest, q(r.requests?.cpu));
    t.memRequest = Math.max(t.memRequest, q(r.requests?.memory));
    t.cpuLimit = Math.max(t.cpuLimit, q(r.limits?.cpu));
    t.memLimit = Math.max(t.memLimit, q(r.limits?.memory));
  }
  return t;
}

/** Workloads whose pods finish: listed in the capacity table, not added to the steady-state totals. */
const RUN_TO_COMPLETION = new Set(['Job', 'CronJob']);

/** Resources of a workload: one pod times replicas, plus its volume claim templates times replicas. */
export function workloadTotals(w: Workload): Totals {
  const pod = podTotals(podTemplate(w.obj)?.spec);
  const n = w.replicas;
  const vcts: any[] = (w.obj as any).spec?.volumeClaimTemplates ?? [];
  const storage = vcts.reduce((s, v) => s + q(v.spec?.resources?.requests?.storage), 0);
  return {
    cpuRequest: pod.cpuRequest * n,
    cpuLimit: pod.cpuLimit * n,
    memRequest: pod.memRequest * n,
    memLimit: pod.memLimit * n,
    storage: storage * n,
    cpuUnbounded: pod.cpuUnbounded && n > 0,
    memUnbounded: pod.memUnbounded && n > 0,
  };
}

/** Cores, `500m` below one core. */
export function formatCpu(cores: number): string {
  if (cores === 0) {
    return '0';
  }
  if (cores < 1) {
    return `${Math.round(cores * 1000)}m`;
  }
  return `${Number(cores.toFixed(2))}`;
}

/** Bytes as Gi (Mi below 1 Gi). */
export function formatBytes(bytes: number): string {
  if (bytes === 0) {
    return '0';
  }
  if (bytes < 1024 ** 3) {
    return `${Number((bytes / 1024 ** 2).toFixed(1))}Mi`;
  }
  return `${Number((bytes / 1024 ** 3).toFixed(2))}Gi`;
}

// ---------------------------------------------------------------------------------------------
// Markdown and Mermaid

/** Mermaid label: each part escaped (quotes and brackets would end it), parts on their own lines. */
function label(...parts: string[]): string {
  return `"${parts.map((t) => t.replace(/"/g, '#quot;').replace(/</g, '#lt;').replace(/>/g, '#gt;')).join('<br/>')}"`;
}

/** A markdown table cell: a pipe would end it. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

/** GitHub refuses to render a Mermaid diagram above 50 000 characters; stay below with room to spare. */
const MAX_DIAGRAM_CHARS = 40_000;

/** Mermaid node ids: short, stable within one README (assigned in the sorted order of first use). */
class NodeIds {
  private readonly ids = new Map<string, string>();
  public of(key: string): string {
    if (!this.ids.has(key)) {
      this.ids.set(key, `n${this.ids.size}`);
    }
    return this.ids.get(key)!;
  }
}

/** Mermaid refuses more than 500 edges by default (`maxEdges`, not settable from the diagram). */
const MAX_DIAGRAM_EDGES = 450;

/** A fenced diagram, or undefined when it is too big to render. */
function diagram(body: readonly string[]): string[] | undefined {
  const lines = ['```mermaid', 'flowchart LR', ...body, '```'];
  const edges = body.filter((l) => / -\.?->/.test(l)).length;
  return lines.join('\n').length > MAX_DIAGRAM_CHARS || edges > MAX_DIAGRAM_EDGES ? undefined : lines;
}

/** The whole `dist/<env>/README.md`. */
export function environmentReadme(env: string, objects: readonly KubeObject[]): string {
  const g = buildGraph(env, objects);
  const byNs = new Map<string, Workload[]>(g.namespaces.map((n) => [n, []]));
  g.workloads.forEach((w) => byNs.get(w.namespace)!.push(w));
  const lines: string[] = [
    `# Environment \`${env}\``,
    '',
    `Generated by \`npm run synth\` (and \`npm run graph -- --env ${env}\`) from the manifests in this folder: do not edit.`,
    `${g.namespaces.length} namespace(s), ${g.workloads.length} workload(s), ${objects.length} object(s).`,
    '',
    ...componentsSection(g, byNs, objects),
    '',
    ...flowsSection(g, byNs),
    '',
    ...capacitySection(g, byNs, objects),
  ];
  return `${lines.filter((l, i, all) => !(l === '' && all[i - 1] === '')).join('\n')}\n`;
}

function componentsSection(g: EnvironmentGraph, byNs: Map<string, Workload[]>, objects: readonly KubeObject[]): string[] {
  const services = objects.filter((o) => o.kind === 'Service' && o.metadata.namespace).sort((a, b) => byText(objectId(a), objectId(b)));
  const servicesByNs = groupBy(services, (o) => o.metadata.namespace!);
  const ids = new NodeIds();
  const detailed: string[] = [];
  for (const ns of g.namespaces) {
    detailed.push(`  subgraph ${ids.of(`ns:${ns}`)}[${label(ns)}]`);
    const ws = byNs.get(ns)!;
    const svcs = servicesByNs.get(ns) ?? [];
    if (ws.length === 0 && svcs.length === 0) {
      detailed.push(`    ${ids.of(`empty:${ns}`)}[${label('no workloads')}]`);
    }
    for (const w of ws) {
      const text = label(`${w.kind} ${w.name}`, `replicas: ${w.replicas}`);
      detailed.push(w.data ? `    ${ids.of(w.id)}[(${text})]` : `    ${ids.of(w.id)}[${text}]`);
    }
    for (const s of svcs) {
      const ports = ((s as any).spec?.ports ?? []).map((p: any) => p.port).join(',');
      detailed.push(`    ${ids.of(objectId(s))}([${label(`svc ${s.metadata.name}${ports ? `:${ports}` : ''}`)}])`);
    }
    detailed.push('  end');
  }
  for (const s of services) {
    const sel = (s as any).spec?.selector;
    if (!sel || Object.keys(sel).length === 0) {
      continue;
    }
    for (const w of (byNs.get(s.metadata.namespace!) ?? []).filter((x) => selectorMatches({ matchLabels: sel }, x.labels))) {
      detailed.push(`  ${ids.of(objectId(s))} -.-> ${ids.of(w.id)}`);
    }
  }
  const out = ['## Components', ''];
  let d = diagram(detailed);
  if (d) {
    out.push('Namespaces with their workloads (cylinders hold data) and Services (dotted: the pods a Service selects).', '');
    return [...out, ...d];
  }
  // Too many workloads for one picture: one node per namespace.
  const nsIds = new NodeIds();
  d = diagram(
    g.namespaces.map((ns) => {
      const ws = byNs.get(ns)!;
      const text = label(ns, `${ws.length} workload(s), ${ws.reduce((n, w) => n + w.replicas, 0)} pod(s)`);
      return ws.some((w) => w.data) ? `  ${nsIds.of(ns)}[(${text})]` : `  ${nsIds.of(ns)}[${text}]`;
    }),
  );
  out.push('Too many workloads for one diagram: one node per namespace (cylinders hold data); the tables below list every workload.', '');
  return d ? [...out, ...d] : [...out, '_Too many namespaces for a diagram._'];
}

function flowsSection(g: EnvironmentGraph, byNs: Map<string, Workload[]>): string[] {
  const out = ['## Network flows', ''];
  const isolated = g.policies.filter((p) => p.denyIngress && p.denyEgress).map((p) => p.namespace);
  const open = g.policies.filter((p) => !p.denyIngress || !p.denyEgress).map((p) => p.namespace);
  out.push(
    'Derived from the NetworkPolicies: a flow is listed when the source may send (egress) and the destination may receive (ingress) on that port.',
    'Endpoints outside this folder (cluster DNS, the API server, add-ons) are checked on our side only.',
    isolated.length > 0
      ? `Default deny (ingress and egress) in: ${isolated.map((n) => `\`${n}\``).join(', ')}. **Any flow not listed is denied.**`
      : '',
    open.length > 0 ? `**Without default deny**: ${open.map((n) => `\`${n}\``).join(', ')}.` : '',
  );
  const flows = g.flows;
  const wsById = new Map(g.workloads.map((w) => [w.id, w]));
  if (g.workloads.length === 0) {
    out.push('', 'No workloads yet: nothing can talk to anything.');
  } else {
    // An external endpoint every workload reaches the same way (cluster DNS) is a note, not an edge on every node.
    const common = new Map<string, string>();
    if (g.workloads.length > 1) {
      const reach = new Map<string, Set<string>>();
      for (const f of flows.filter((x) => x.external && wsById.has(x.from))) {
        const k = `${f.to}\n${f.ports}`;
        reach.set(k, (reach.get(k) ?? new Set()).add(f.from));
      }
      for (const [k, from] of reach) {
        if (from.size === g.workloads.length) {
          const [to, ports] = k.split('\n');
          common.set(to, ports);
        }
      }
    }
    for (const [to, ports] of common) {
      out.push(`Every workload may reach ${to} (${ports}).`);
    }
    const drawn = flows.filter((f) => !(f.external && common.get(f.to) === f.ports && wsById.has(f.from)));
    const d = flowDiagram(g, byNs, drawn, 'workload') ?? flowDiagram(g, byNs, drawn, 'namespace');
    if (!d) {
      out.push('', '_Too many flows for a diagram: see the table._');
    } else {
      out.push('', ...d);
    }
    out.push('', '| from | to | ports |', '|---|---|---|');
    const note = (f: Flow): string =>
      f.external ? ' (outside: our side only)' : wsById.has(f.from) && wsById.has(f.to) ? '' : ' (no pods there yet)';
    for (const f of flows) {
      out.push(`| ${cell(f.from)} | ${cell(f.to)} | ${f.ports}${note(f)} |`);
    }
    if (g.halfOpen.length > 0) {
      out.push('', 'Half open (dotted): one side admits these, the policies of the other side do not (yet):', '');
      out.push('| from | to | ports |', '|---|---|---|');
      for (const f of g.halfOpen) {
        out.push(`| ${cell(f.from)} | ${cell(f.to)} | ${f.ports} |`);
      }
    }
  }
  out.push('', '| namespace | default deny ingress | default deny egress | allow policies |', '|---|---|---|---|');
  for (const p of g.policies) {
    out.push(`| ${p.namespace} | ${p.denyIngress ? 'yes' : '**no**'} | ${p.denyEgress ? 'yes' : '**no**'} | ${p.allows.join(', ') || '-'} |`);
  }
  return out;
}

/**
 * The flow diagram, per workload or (when that is too big) per namespace with the ports of all
 * flows between two namespaces merged. Undefined when even that is too big.
 */
function flowDiagram(
  g: EnvironmentGraph,
  byNs: Map<string, Workload[]>,
  drawn: readonly Flow[],
  level: 'workload' | 'namespace',
): string[] | undefined {
  const ids = new NodeIds();
  const wsById = new Map(g.workloads.map((w) => [w.id, w]));
  const endpoint = (e: string): string => (level === 'namespace' && wsById.has(e) ? `ns:${wsById.get(e)!.namespace}` : e);
  const body: string[] = [];
  for (const ns of g.namespaces) {
    const ws = byNs.get(ns)!;
    if (ws.length === 0) {
      continue;
    }
    if (level === 'namespace') {
      const text = label(ns, `${ws.length} workload(s)`);
      body.push(ws.some((w) => w.data) ? `  ${ids.of(`ns:${ns}`)}[(${text})]` : `  ${ids.of(`ns:${ns}`)}[${text}]`);
      continue;
    }
    body.push(`  subgraph ${ids.of(`group:${ns}`)}[${label(ns)}]`);
    for (const w of ws) {
      body.push(w.data ? `    ${ids.of(w.id)}[(${label(w.name)})]` : `    ${ids.of(w.id)}[${label(w.name)}]`);
    }
    body.push('  end');
  }
  const externals = [...new Set([...drawn, ...g.halfOpen].flatMap((f) => [f.from, f.to]).filter((e) => !wsById.has(e)))].sort(byText);
  for (const e of externals) {
    body.push(`  ${ids.of(e)}{{${label(e)}}}`);
  }
  const edges = (flows: readonly Flow[]): Map<string, { from: string; to: string; ports: Set<string> }> => {
    const m = new Map<string, { from: string; to: string; ports: Set<string> }>();
    for (const f of flows) {
      const from = endpoint(f.from);
      const to = endpoint(f.to);
      const e = m.get(`${from} -> ${to}`) ?? { from, to, ports: new Set<string>() };
      f.ports.split(', ').forEach((p) => e.ports.add(p));
      m.set(`${from} -> ${to}`, e);
    }
    return m;
  };
  const ports = (p: Set<string>): string => (p.has('any') ? 'any' : showPorts(p));
  for (const e of edges(drawn).values()) {
    body.push(`  ${ids.of(e.from)} -->|${label(ports(e.ports))}| ${ids.of(e.to)}`);
  }
  for (const e of edges(g.halfOpen).values()) {
    body.push(`  ${ids.of(e.from)} -.->|${label(`${ports(e.ports)}, half open`)}| ${ids.of(e.to)}`);
  }
  if (drawn.length + g.halfOpen.length === 0) {
    body.push(`  ${ids.of('none')}[${label('no flows between workloads')}]`);
  }
  const d = diagram(body);
  if (d && level === 'namespace') {
    return ['Too many workloads for one diagram: flows between namespaces, ports merged.', '', ...d];
  }
  return d;
}

function capacitySection(g: EnvironmentGraph, byNs: Map<string, Workload[]>, objects: readonly KubeObject[]): string[] {
  const hpas = new Map<string, { min: number; max: number }>();
  for (const o of objects.filter((x) => x.kind === 'HorizontalPodAutoscaler')) {
    const s = (o as any).spec ?? {};
    hpas.set(`${s.scaleTargetRef?.kind}/${o.metadata.namespace}/${s.scaleTargetRef?.name}`, { min: s.minReplicas ?? 1, max: s.maxReplicas });
  }
  const env = g.env;
  const lines: string[] = [];
  lines.push('## Capacity', '');
  lines.push('Per workload: one pod times its replicas (storage: volume claim templates times replicas; claims on their own count once).');
  lines.push('`+`: some container has no limit, so the total is a lower bound. Jobs and CronJobs are listed but not added: they come and go.', '');
  lines.push(
    '| namespace | component | replicas | cpu request | cpu limit | memory request | memory limit | storage |',
    '|---|---|---:|---:|---:|---:|---:|---:|',
  );
  const claims = objects.filter((o) => o.kind === 'PersistentVolumeClaim' && o.metadata.namespace).sort((a, b) => byText(objectId(a), objectId(b)));
  const claimsByNs = groupBy(claims, (o) => o.metadata.namespace!);
  const envTotal = zero();
  const row = (ns: string, name: string, replicas: string, t: Totals, bold = false): string => {
    const b = (s: string): string => (bold ? `**${s}**` : s);
    return `| ${b(ns)} | ${b(name)} | ${b(replicas)} | ${b(formatCpu(t.cpuRequest))} | ${b(formatCpu(t.cpuLimit) + (t.cpuUnbounded ? '+' : ''))} | ${b(formatBytes(t.memRequest))} | ${b(formatBytes(t.memLimit) + (t.memUnbounded ? '+' : ''))} | ${b(formatBytes(t.storage))} |`;
  };
  for (const ns of g.namespaces) {
    const nsTotal = zero();
    let replicas = 0;
    for (const w of byNs.get(ns)!) {
      const t = workloadTotals(w);
      if (RUN_TO_COMPLETION.has(w.kind)) {
        lines.push(row(ns, `${w.kind} ${w.name} (runs to completion: not in totals)`, `${w.replicas}`, t));
        continue;
      }
      addTotals(nsTotal, t);
      replicas += w.replicas;
      const hpa = hpas.get(`${w.kind}/${ns}/${w.name}`);
      lines.push(row(ns, `${w.kind} ${w.name}`, `${w.replicas}${hpa ? ` (HPA ${hpa.min}-${hpa.max})` : ''}`, t));
    }
    for (const pvc of claimsByNs.get(ns) ?? []) {
      const t = { ...zero(), storage: q((pvc as any).spec?.resources?.requests?.storage) };
      addTotals(nsTotal, t);
      lines.push(row(ns, `PersistentVolumeClaim ${pvc.metadata.name}`, '-', t));
    }
    lines.push(row(ns, 'total', String(replicas), nsTotal, true));
    addTotals(envTotal, nsTotal);
  }
  lines.push(
    row(
      env,
      'environment total',
      String(g.workloads.filter((w) => !RUN_TO_COMPLETION.has(w.kind)).reduce((n, w) => n + w.replicas, 0)),
      envTotal,
      true,
    ),
  );
  return lines;
}
