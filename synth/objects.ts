import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as YAML from 'yaml';
import { parseQuantity } from '../constructs/lib/resources';
import { isNotApiObject, KubeObject } from '../gate/manifest';
import { flagProblem, InputError } from '../core/problem';

/* eslint-disable @typescript-eslint/no-explicit-any */

/**
 * Code-point order: the same on every machine (localeCompare follows the locale of the process,
 * and generated files must not depend on it).
 */
export function byText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** One object of an environment tree, with the file (relative to `dist/<env>`) it lives in. */
export interface TreeObject {
  readonly file: string;
  readonly obj: KubeObject;
}

/** Objects of one environment by key (see objectKey). */
export type ObjectTree = Map<string, TreeObject>;

/**
 * Identity of an object across two trees: API group (not version: a version bump is a change),
 * kind, namespace, name.
 */
export function objectKey(obj: KubeObject): string {
  const group = obj.apiVersion.includes('/') ? obj.apiVersion.split('/')[0] : '';
  return [group, obj.kind, obj.metadata?.namespace ?? '', obj.metadata?.name ?? ''].join('|');
}

/** Builds a tree from synth output: folder (relative to `dist/<env>`) -> objects. */
export function treeFromFolders(folders: ReadonlyMap<string, readonly KubeObject[]>): ObjectTree {
  const tree: ObjectTree = new Map();
  for (const folder of [...folders.keys()].sort()) {
    const file = `${folder}/${path.posix.basename(folder)}.k8s.yaml`;
    for (const obj of folders.get(folder)!) {
      // A JSON round trip gives the same shapes as reading the YAML back (no undefined fields).
      tree.set(objectKey(obj), { file, obj: JSON.parse(JSON.stringify(obj)) as KubeObject });
    }
  }
  return tree;
}

/**
 * Reads every `*.yaml` manifest below `dir` (an environment folder such as `dist/prod`);
 * kustomization files and non-YAML files (README.md) are skipped. A missing folder is an empty tree.
 */
export function readTree(dir: string): ObjectTree {
  const tree: ObjectTree = new Map();
  if (!fs.existsSync(dir)) {
    return tree;
  }
  const files: string[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => byText(a.name, b.name))) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) {
        walk(p);
      } else if (/\.ya?ml$/.test(e.name) && e.name !== 'kustomization.yaml') {
        files.push(p);
      }
    }
  };
  walk(dir);
  for (const file of files) {
    const rel = path.relative(dir, file).split(path.sep).join('/');
    const docs = YAML.parseAllDocuments(fs.readFileSync(file, 'utf8'));
    for (const doc of docs) {
      if (doc.errors.length > 0) {
        throw new InputError(
          doc.errors.map((e) => ({ file: file, path: '', rule: 'diff.yaml-syntax', message: e.message.split('\n')[0], severity: 'error' as const })),
          `cannot read ${file}`,
        );
      }
      const obj = doc.toJS() as KubeObject | null;
      if (!obj || typeof obj !== 'object' || isNotApiObject(obj) || typeof obj.kind !== 'string') {
        continue;
      }
      tree.set(objectKey(obj), { file: rel, obj });
    }
  }
  return tree;
}

/**
 * Reads several folders below `root` (e.g. `gitops/argocd/prod` and `gitops/flux/clusters/prod`)
 * into one tree; file paths are relative to `root`.
 */
export function readTrees(root: string, folders: readonly string[]): ObjectTree {
  const tree: ObjectTree = new Map();
  for (const folder of folders) {
    for (const [key, t] of readTree(path.join(root, folder))) {
      tree.set(key, { file: `${folder}/${t.file}`, obj: t.obj });
    }
  }
  return tree;
}

/**
 * Extracts the given folders of a git revision into a temporary directory and returns its path
 * (the caller removes it). Folders the revision does not have are skipped (a new environment).
 */
export function checkoutFolders(ref: string, folders: readonly string[], cwd: string): string {
  const git = (args: string[]): Buffer => execFileSync('git', args, { cwd, maxBuffer: 1 << 30, stdio: ['pipe', 'pipe', 'pipe'] });
  try {
    git(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
  } catch {
    throw new InputError([flagProblem('--base-ref', 'not-found', `no such git revision "${ref}"`)]);
  }
  const present = folders.filter((f) => git(['ls-tree', '--name-only', ref, '--', f]).toString().trim() !== '');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'diff-base-'));
  if (present.length > 0) {
    const tar = git(['archive', '--format=tar', ref, '--', ...present]);
    execFileSync('tar', ['-x', '-C', tmp], { input: tar, maxBuffer: 1 << 30 });
  }
  return tmp;
}

/** Workload kinds and where their pod template sits. */
const TEMPLATE_PATHS: Record<string, string[]> = {
  Deployment: ['spec', 'template'],
  StatefulSet: ['spec', 'template'],
  DaemonSet: ['spec', 'template'],
  ReplicaSet: ['spec', 'template'],
  Job: ['spec', 'template'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template'],
};

export const WORKLOAD_KINDS = Object.keys(TEMPLATE_PATHS);

/** The pod template (`metadata` + `spec`) of a workload, if the object is one. */
export function podTemplate(obj: KubeObject): { metadata?: any; spec?: any } | undefined {
  const p = TEMPLATE_PATHS[obj.kind];
  if (!p) {
    return undefined;
  }
  let node: any = obj;
  for (const k of p) {
    node = node?.[k];
  }
  return node ?? undefined;
}

/** Pods a workload runs at once (Jobs and CronJobs: parallelism; DaemonSets: 1 per node, counted as 1). */
export function replicasOf(obj: KubeObject): number {
  const spec = (obj as any).spec ?? {};
  switch (obj.kind) {
    case 'Deployment':
    case 'StatefulSet':
    case 'ReplicaSet':
      return typeof spec.replicas === 'number' ? spec.replicas : 1;
    case 'Job':
      return typeof spec.parallelism === 'number' ? spec.parallelism : 1;
    case 'CronJob':
      return typeof spec.jobTemplate?.spec?.parallelism === 'number' ? spec.jobTemplate.spec.parallelism : 1;
    default:
      return 1;
  }
}

/** A Kubernetes quantity (`512Mi`, `250m`, `2`) in base units; 0 when absent or invalid. */
export function quantity(q: unknown): number {
  const n = typeof q === 'string' || typeof q === 'number' ? parseQuantity(q) : NaN;
  return Number.isNaN(n) ? 0 : n;
}
