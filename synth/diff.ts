import * as path from 'path';
import { KubeObject, objectId } from '../gate/manifest';
import { selectorMatches } from '../gate/policy/model';
import { joinPath } from '../core/problem';
import { argoDir, fluxDir } from './gitops/model';
import { byText, ObjectTree, podTemplate, quantity, readTree, readTrees, replicasOf, TreeObject, WORKLOAD_KINDS } from './objects';
import { toYaml } from './serialize';

/* eslint-disable @typescript-eslint/no-explicit-any */

/**
 * Object-level diff of two environment trees (`dist/<env>` as committed vs a fresh synth), with
 * the changes Kubernetes cannot apply in place, or that lose data, flagged as risky.
 */

/** Exit codes of `npm run diff` (and of `exitCode()`). */
export const DIFF_EXIT = {
  /** Both trees hold the same objects. */
  NO_CHANGES: 0,
  /** Objects were added, removed or changed; none of it is risky. */
  CHANGES: 1,
  /** Could not diff: bad flags, invalid config, a synth that failed the gate, unreadable files. */
  BAD_INPUT: 2,
  /** At least one risky change (listed at the top of the report). */
  RISKY: 3,
} as const;

/** One changed leaf (or subtree that was added/removed/replaced); `undefined` = absent. */
export interface FieldChange {
  readonly path: string;
  readonly before: unknown;
  readonly after: unknown;
}

export interface ObjectRef {
  /** `Kind/namespace/name`. */
  readonly id: string;
  /** Manifest file relative to `dist/<env>`. */
  readonly file: string;
}

export interface ObjectChange extends ObjectRef {
  readonly fields: FieldChange[];
  /** Unified diff of the object's YAML (3 lines of context). */
  readonly yamlDiff: string;
}

export interface Risk {
  readonly env: string;
  /** `Kind/namespace/name`. */
  readonly id: string;
  /** The field (or `''` for a whole object) the risk is about. */
  readonly path: string;
  /** Stable id: `statefulset.immutable-field`, `delete.pvc`, `selector.changed`... */
  readonly rule: string;
  readonly message: string;
}

export interface EnvironmentDiff {
  readonly env: string;
  readonly added: ObjectRef[];
  readonly removed: ObjectRef[];
  readonly changed: ObjectChange[];
  readonly risks: Risk[];
}

/** StatefulSet spec fields the API server lets an update change; any other is forbidden. */
export const STATEFULSET_MUTABLE_FIELDS: readonly string[] = [
  'replicas',
  'template',
  'updateStrategy',
  'persistentVolumeClaimRetentionPolicy',
  'minReadySeconds',
  'ordinals',
];

/** Workloads whose `spec.selector` is immutable (apps/v1, batch/v1). */
const SELECTOR_IMMUTABLE = new Set(['Deployment', 'DaemonSet', 'ReplicaSet', 'Job']);

/** Compares two trees of the same environment: `base` (committed) against `head` (fresh). */
export function diffTrees(env: string, base: ObjectTree, head: ObjectTree): EnvironmentDiff {
  const added: ObjectRef[] = [];
  const removed: ObjectRef[] = [];
  const changed: ObjectChange[] = [];
  const risks: Risk[] = [];
  const risk = (o: KubeObject, p: string, rule: string, message: string): void => {
    risks.push({ env, id: objectId(o), path: p, rule, message });
  };
  const keys = [...new Set([...base.keys(), ...head.keys()])].sort();
  for (const key of keys) {
    const b = base.get(key);
    const h = head.get(key);
    if (!b && h) {
      added.push(ref(h));
    } else if (b && !h) {
      removed.push(ref(b));
      removalRisks(b.obj, risk);
    } else if (b && h) {
      const fields: FieldChange[] = [];
      compare(b.obj, h.obj, '', fields);
      if (fields.length > 0) {
        changed.push({ ...ref(h), fields, yamlDiff: unifiedDiff(toYaml([b.obj]), toYaml([h.obj]), `a/${b.file}`, `b/${h.file}`) });
        changeRisks(b.obj, h.obj, fields, risk);
      }
    }
  }
  const touched = new Set([...added.map((a) => a.id), ...changed.map((c) => c.id)]);
  pdbRisks(head, touched, risk);
  risks.sort((x, y) => byText(x.id, y.id) || byText(x.path, y.path) || byText(x.rule, y.rule));
  // Grouped by component folder, then by kind and name: how a reviewer reads dist/.
  const byFile = (x: ObjectRef, y: ObjectRef): number => byText(x.file, y.file) || byText(x.id, y.id);
  return { env, added: added.sort(byFile), removed: removed.sort(byFile), changed: changed.sort(byFile), risks };
}

/** Where one side's trees are: `dist` holds `<env>/`, `root` holds `gitops/`. */
export interface TreeRoots {
  readonly dist: string;
  readonly root: string;
}

/** The GitOps folders of an environment, relative to the repository root. */
export function gitopsFolders(env: string): string[] {
  return [argoDir(env), fluxDir(env)];
}

/**
 * The diffs of one environment: `dist/<env>`, then its GitOps objects (`<env> gitops`) when
 * either side has any (a failover flips sync policies there, not in dist/).
 */
export function diffEnvironment(env: string, base: TreeRoots, head: TreeRoots): EnvironmentDiff[] {
  const out = [diffTrees(env, readTree(path.join(base.dist, env)), readTree(path.join(head.dist, env)))];
  const gb = readTrees(base.root, gitopsFolders(env));
  const gh = readTrees(head.root, gitopsFolders(env));
  if (gb.size + gh.size > 0) {
    out.push(diffTrees(`${env} gitops`, gb, gh));
  }
  return out;
}

function ref(t: TreeObject): ObjectRef {
  return { id: objectId(t.obj), file: t.file };
}

/** 0 no change, 1 changes, 3 risky changes. */
export function exitCode(diffs: readonly EnvironmentDiff[]): number {
  if (diffs.some((d) => d.risks.length > 0)) {
    return DIFF_EXIT.RISKY;
  }
  return diffs.some((d) => d.added.length + d.removed.length + d.changed.length > 0) ? DIFF_EXIT.CHANGES : DIFF_EXIT.NO_CHANGES;
}

// ---------------------------------------------------------------------------------------------
// Field-level comparison

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Arrays of objects that each carry a distinct `name` (containers, env, ports, volumes...). */
function namedItems(a: unknown[]): Map<string, unknown> | undefined {
  const m = new Map<string, unknown>();
  for (const item of a) {
    if (!isObject(item) || typeof item.name !== 'string' || m.has(item.name)) {
      return undefined;
    }
    m.set(item.name, item);
  }
  return m;
}

function equal(a: unknown, b: unknown): boolean {
  if (a === b) {
    return true;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((x, i) => equal(x, b[i]));
  }
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && equal(a[k], b[k]));
  }
  return false;
}

/** Collects the changed paths; list items with a `name` are matched by name (`containers[name=app]`). */
function compare(a: unknown, b: unknown, p: string, out: FieldChange[]): void {
  if (equal(a, b)) {
    return;
  }
  if (isObject(a) && isObject(b)) {
    for (const k of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
      compare(a[k], b[k], joinPath(p, k), out);
    }
    return;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    const na = namedItems(a);
    const nb = namedItems(b);
    if (na && nb) {
      const names = [...na.keys(), ...[...nb.keys()].filter((n) => !na.has(n))];
      for (const n of names) {
        compare(na.get(n), nb.get(n), `${p}[name=${n}]`, out);
      }
      return;
    }
    if (a.length === b.length) {
      a.forEach((x, i) => compare(x, b[i], joinPath(p, i), out));
      return;
    }
  }
  out.push({ path: p, before: a, after: b });
}

/** `spec.volumeClaimTemplates[name=data].spec` -> `['spec', 'volumeClaimTemplates', ...]`. */
function segments(p: string): string[] {
  return p.split(/\.|(?=\[)/).filter((s) => s !== '');
}

// ---------------------------------------------------------------------------------------------
// Risk rules

type RiskFn = (o: KubeObject, path: string, rule: string, message: string) => void;

function removalRisks(o: KubeObject, risk: RiskFn): void {
  const spec = (o as any).spec ?? {};
  switch (o.kind) {
    case 'PersistentVolumeClaim':
      risk(o, '', 'delete.pvc', 'the claim is deleted; with the usual reclaimPolicy Delete its volume and data go with it');
      break;
    case 'Namespace':
      risk(o, '', 'delete.namespace', 'the namespace is deleted, and with it every object and volume claim in it');
      break;
    case 'StatefulSet':
      if (Array.isArray(spec.volumeClaimTemplates) && spec.volumeClaimTemplates.length > 0) {
        const policy = spec.persistentVolumeClaimRetentionPolicy?.whenDeleted ?? 'Retain';
        risk(
          o,
          '',
          'delete.statefulset-volumes',
          `a StatefulSet with volumeClaimTemplates is deleted (whenDeleted: ${policy}): its pods and ${policy === 'Delete' ? 'volumes are deleted' : 'now orphaned volumes'} go`,
        );
      }
      break;
    case 'CustomResourceDefinition':
      risk(o, '', 'delete.crd', 'deleting a CRD deletes every custom resource of that kind in the cluster');
      break;
  }
}

function changeRisks(before: KubeObject, after: KubeObject, fields: readonly FieldChange[], risk: RiskFn): void {
  const reported = new Set<string>();
  const once = (p: string, rule: string, message: string): void => {
    if (!reported.has(`${rule} ${p}`)) {
      reported.add(`${rule} ${p}`);
      risk(after, p, rule, message);
    }
  };
  for (const f of fields) {
    const seg = segments(f.path);
    if (seg[0] !== 'spec' || seg.length < 2) {
      continue;
    }
    const top = seg[1];
    if (after.kind === 'StatefulSet' && !STATEFULSET_MUTABLE_FIELDS.includes(top)) {
      once(
        `spec.${top}`,
        'statefulset.immutable-field',
        `Kubernetes cannot change StatefulSet spec.${top} in place: the update is rejected; delete the StatefulSet with --cascade=orphan and let it be recreated (existing volume claims are not resized)`,
      );
    } else if (top === 'selector' && after.kind === 'Service') {
      once('spec.selector', 'selector.changed', 'the Service selector changes: traffic moves to other pods, or to none');
    } else if (top === 'selector' && SELECTOR_IMMUTABLE.has(after.kind)) {
      once('spec.selector', 'selector.changed', `${after.kind} spec.selector is immutable: the update is rejected; the object must be recreated`);
    } else if (after.kind === 'Service' && (top === 'clusterIP' || top === 'clusterIPs')) {
      once(`spec.${top}`, 'service.immutable-field', 'spec.clusterIP cannot change in place: the Service must be recreated');
    } else if (after.kind === 'PersistentVolumeClaim') {
      pvcRisk(before, after, f, once);
    } else if (after.kind === 'Job' && top === 'template' && !recreatedByGitOps(after)) {
      once(
        'spec.template',
        'job.immutable-field',
        'a Job pod template cannot change in place: the apply is rejected; rename the Job, or make it an Argo CD hook (hook-delete-policy BeforeHookCreation) with the Flux force annotation',
      );
    }
  }
}

/** Argo CD recreates hook Jobs with BeforeHookCreation, Flux recreates objects marked force. */
function recreatedByGitOps(o: KubeObject): boolean {
  const a = o.metadata.annotations ?? {};
  return (a['argocd.argoproj.io/hook-delete-policy'] ?? '').includes('BeforeHookCreation') && a['kustomize.toolkit.fluxcd.io/force'] === 'enabled';
}

function pvcRisk(before: KubeObject, after: KubeObject, f: FieldChange, once: (p: string, rule: string, message: string) => void): void {
  if (f.path === 'spec.resources.requests.storage') {
    const sb = quantity((before as any).spec?.resources?.requests?.storage);
    const sa = quantity((after as any).spec?.resources?.requests?.storage);
    if (sa < sb) {
      once(f.path, 'pvc.shrink', `a volume claim cannot shrink (${String(f.before)} -> ${String(f.after)}): the update is rejected`);
    }
    return;
  }
  once(f.path, 'pvc.immutable-field', 'only spec.resources.requests.storage of a bound claim can change: the update is rejected');
}

/** A PDB (new, changed, or over a new or changed workload) that allows no voluntary eviction. */
function pdbRisks(head: ObjectTree, touched: ReadonlySet<string>, risk: RiskFn): void {
  const workloads = [...head.values()].filter((t) => WORKLOAD_KINDS.includes(t.obj.kind));
  for (const { obj } of head.values()) {
    if (obj.kind !== 'PodDisruptionBudget') {
      continue;
    }
    const spec = (obj as any).spec ?? {};
    const selected = workloads.filter(
      (w) =>
        w.obj.metadata.namespace === obj.metadata.namespace &&
        spec.selector !== undefined &&
        selectorMatches(spec.selector, podTemplate(w.obj)?.metadata?.labels ?? {}),
    );
    if (!touched.has(objectId(obj)) && !selected.some((w) => touched.has(objectId(w.obj)))) {
      continue;
    }
    const pods = selected.reduce((n, w) => n + replicasOf(w.obj), 0);
    const mu = spec.maxUnavailable;
    const ma = spec.minAvailable;
    let why: string | undefined;
    if (mu === 0 || mu === '0%') {
      why = `maxUnavailable is ${JSON.stringify(mu)}`;
    } else if (ma === '100%') {
      why = 'minAvailable is 100%';
    } else if (typeof ma === 'number' && pods > 0 && ma >= pods) {
      why = `minAvailable ${ma} >= the ${pods} pod(s) it selects`;
    }
    if (why) {
      risk(obj, 'spec', 'pdb.blocks-eviction', `${why}: no pod can ever be evicted, so node drains and cluster upgrades hang`);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Line diff

/** Above this many cells (lines x lines of the differing middle) the line alignment is skipped. */
const MAX_LCS_CELLS = 4_000_000;

/** Unified diff (LCS over lines) with `context` lines around each change; '' when equal. */
export function unifiedDiff(a: string, b: string, nameA: string, nameB: string, context = 3): string {
  const x = a.split('\n');
  const y = b.split('\n');
  if (x[x.length - 1] === '' && y[y.length - 1] === '') {
    x.pop();
    y.pop();
  }
  const ops: { op: ' ' | '-' | '+'; line: string; ai: number; bi: number }[] = [];
  // Common head and tail first: most object diffs are a few lines in the middle.
  let head = 0;
  while (head < x.length && head < y.length && x[head] === y[head]) {
    ops.push({ op: ' ', line: x[head], ai: head, bi: head });
    head++;
  }
  let tail = 0;
  while (tail < x.length - head && tail < y.length - head && x[x.length - 1 - tail] === y[y.length - 1 - tail]) {
    tail++;
  }
  const n = x.length - head - tail;
  const m = y.length - head - tail;
  if (n * m > MAX_LCS_CELLS) {
    // Too big to align line by line (a huge generated object): show the middle as replaced.
    for (let k = 0; k < n; k++) ops.push({ op: '-', line: x[head + k], ai: head + k, bi: head });
    for (let k = 0; k < m; k++) ops.push({ op: '+', line: y[head + k], ai: head + n, bi: head + k });
  } else {
    // lcs[i][j] = length of the LCS of the middles from i and j on, in one flat array.
    const xs = x.slice(head, head + n);
    const ys = y.slice(head, head + m);
    const lcs = new Int32Array((n + 1) * (m + 1));
    for (let i = n - 1; i >= 0; i--) {
      for (let j = m - 1; j >= 0; j--) {
        lcs[i * (m + 1) + j] = xs[i] === ys[j] ? lcs[(i + 1) * (m + 1) + j + 1] + 1 : Math.max(lcs[(i + 1) * (m + 1) + j], lcs[i * (m + 1) + j + 1]);
      }
    }
    let i = 0;
    let j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && xs[i] === ys[j]) {
        ops.push({ op: ' ', line: xs[i], ai: head + i++, bi: head + j++ });
      } else if (j < m && (i === n || lcs[i * (m + 1) + j + 1] >= lcs[(i + 1) * (m + 1) + j])) {
        ops.push({ op: '+', line: ys[j], ai: head + i, bi: head + j++ });
      } else {
        ops.push({ op: '-', line: xs[i], ai: head + i++, bi: head + j });
      }
    }
  }
  for (let k = 0; k < tail; k++) {
    ops.push({ op: ' ', line: x[head + n + k], ai: head + n + k, bi: head + m + k });
  }
  // Order each run of changes as all '-' then all '+', like diff(1).
  for (let s = 0; s < ops.length;) {
    if (ops[s].op === ' ') {
      s++;
      continue;
    }
    let e = s;
    while (e < ops.length && ops[e].op !== ' ') e++;
    const run = ops.slice(s, e);
    ops.splice(s, e - s, ...run.filter((o) => o.op === '-'), ...run.filter((o) => o.op === '+'));
    s = e;
  }
  const changes = ops.map((o, k) => (o.op !== ' ' ? k : -1)).filter((k) => k >= 0);
  if (changes.length === 0) {
    return '';
  }
  const out = [`--- ${nameA}`, `+++ ${nameB}`];
  let h = 0;
  while (h < changes.length) {
    const start = Math.max(0, changes[h] - context);
    let end = Math.min(ops.length, changes[h] + context + 1);
    while (h + 1 < changes.length && changes[h + 1] - context <= end) {
      h++;
      end = Math.min(ops.length, changes[h] + context + 1);
    }
    h++;
    const hunk = ops.slice(start, end);
    const aStart = hunk.find((o) => o.op !== '+')?.ai ?? hunk[0].ai;
    const bStart = hunk.find((o) => o.op !== '-')?.bi ?? hunk[0].bi;
    const aLen = hunk.filter((o) => o.op !== '+').length;
    const bLen = hunk.filter((o) => o.op !== '-').length;
    out.push(`@@ -${aLen === 0 ? aStart : aStart + 1},${aLen} +${bLen === 0 ? bStart : bStart + 1},${bLen} @@`);
    out.push(...hunk.map((o) => `${o.op}${o.line}`));
  }
  return out.join('\n');
}

// ---------------------------------------------------------------------------------------------
// Reports

function show(v: unknown): string {
  if (v === undefined) {
    return '(absent)';
  }
  const s = JSON.stringify(v);
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

function counts(d: EnvironmentDiff): string {
  return `${d.added.length} added, ${d.removed.length} removed, ${d.changed.length} changed`;
}

function riskLine(r: Risk): string {
  return `${r.env}: ${r.id}${r.path ? `: ${r.path}` : ''}: ${r.rule}: ${r.message}`;
}

/** The human report: risky changes first, then per environment the added, removed and changed objects. */
export function formatText(diffs: readonly EnvironmentDiff[], against: string): string {
  const code = exitCode(diffs);
  if (code === DIFF_EXIT.NO_CHANGES) {
    return `no changes (${diffs.map((d) => d.env).join(', ')} against ${against})`;
  }
  const lines: string[] = [`diff against ${against}`, ''];
  const risks = diffs.flatMap((d) => d.risks);
  if (risks.length > 0) {
    lines.push(`RISKY: ${risks.length} risky change(s):`);
    lines.push(...risks.map((r) => `  ! ${riskLine(r)}`));
    lines.push('');
  }
  for (const d of diffs) {
    lines.push(`== ${d.env}: ${d.added.length + d.removed.length + d.changed.length === 0 ? 'no changes' : counts(d)}`);
    for (const a of d.added) {
      lines.push(`+ ${a.id}  (${a.file})`);
    }
    for (const r of d.removed) {
      lines.push(`- ${r.id}  (${r.file})`);
    }
    for (const c of d.changed) {
      lines.push(`~ ${c.id}  (${c.file})`);
      for (const f of c.fields) {
        lines.push(`    ${f.path}: ${show(f.before)} -> ${show(f.after)}`);
      }
      lines.push(...c.yamlDiff.split('\n').map((l) => `    ${l}`));
    }
    lines.push('');
  }
  const total = diffs.reduce((n, d) => n + d.added.length + d.removed.length + d.changed.length, 0);
  lines.push(`${total} object(s) differ; ${risks.length} risky change(s)`);
  return lines.join('\n');
}

/** The changed paths, at most five, for a one-line summary. */
function fieldList(fields: readonly FieldChange[]): string {
  const paths = fields.map((f) => f.path);
  return paths.length <= 5 ? paths.join(', ') : `${paths.slice(0, 5).join(', ')} and ${paths.length - 5} more`;
}

/** Marker that lets CI find and update its own pull-request comment. */
export const SUMMARY_MARKER = '<!-- manifests-diff -->';

/** GitHub caps a comment at 65536 characters. */
const SUMMARY_LIMIT = 60000;

/** Markdown for a pull-request comment: counts, risky changes, then each object in a folded YAML diff. */
export function formatSummary(diffs: readonly EnvironmentDiff[], against: string): string {
  const risks = diffs.flatMap((d) => d.risks);
  const total = diffs.reduce((n, d) => n + d.added.length + d.removed.length + d.changed.length, 0);
  const head: string[] = [SUMMARY_MARKER];
  if (total === 0) {
    head.push(`### Manifest diff: no changes`, '', `Fresh synth of ${diffs.map((d) => `\`${d.env}\``).join(', ')} equals \`${against}\`.`);
    return head.join('\n');
  }
  head.push(`### Manifest diff: ${total} object(s) differ${risks.length > 0 ? `, ${risks.length} risky` : ''}`, '');
  head.push('| environment | added | removed | changed | risky |', '|---|---:|---:|---:|---:|');
  // GitOps sections only when they change: most pull requests do not touch gitops/.
  for (const d of diffs.filter((x) => !x.env.endsWith(' gitops') || x.added.length + x.removed.length + x.changed.length > 0)) {
    head.push(`| ${d.env} | ${d.added.length} | ${d.removed.length} | ${d.changed.length} | ${d.risks.length} |`);
  }
  if (risks.length > 0) {
    head.push('', '> [!WARNING]', '> **Risky changes**: review before merging (see `docs/review.md`).', '>');
    head.push(...risks.map((r) => `> - **${r.env}** \`${r.id}\`${r.path ? ` \`${r.path}\`` : ''}: ${r.rule}: ${r.message}`));
  }
  // Lists first (short), then YAML diffs while they fit: GitHub caps a comment.
  const lists: string[] = [];
  for (const d of diffs) {
    if (d.added.length + d.removed.length + d.changed.length === 0) {
      continue;
    }
    lists.push('', `#### ${d.env}`, '');
    lists.push(...d.added.map((a) => `- added \`${a.id}\` (${a.file})`));
    lists.push(...d.removed.map((r) => `- removed \`${r.id}\` (${r.file})`));
    lists.push(...d.changed.map((c) => `- changed \`${c.id}\`: ${fieldList(c.fields)}`));
  }
  let text = [...head, ...lists].join('\n');
  const changed = diffs.flatMap((d) => d.changed.map((c) => ({ env: d.env, c })));
  if (changed.length > 0) {
    text += '\n\n#### YAML diffs\n';
  }
  let shown = 0;
  for (const { env, c } of changed) {
    const block = ['', `<details><summary>${env}: <code>${c.id}</code></summary>`, '', '```diff', c.yamlDiff, '```', '</details>'].join('\n');
    if (text.length + block.length > SUMMARY_LIMIT) {
      break;
    }
    text += block;
    shown++;
  }
  if (shown < changed.length) {
    text += `\n\n_${changed.length - shown} more YAML diff(s) left out to fit a comment: run \`npm run diff\` for all of them._`;
  }
  return text;
}

/** The machine form: same content as the text report, plus the exit code. */
export function toJsonReport(diffs: readonly EnvironmentDiff[], against: string): object {
  return { against, exitCode: exitCode(diffs), environments: diffs };
}
