import { Finding, ManifestIndex } from './model';

/* eslint-disable @typescript-eslint/no-explicit-any */

/** The recommended labels every object carries, so tools can group and own them. */
export const REQUIRED_LABELS = ['app.kubernetes.io/name', 'app.kubernetes.io/part-of', 'app.kubernetes.io/managed-by'];
/** Workloads also say which installation they are. */
const WORKLOAD_LABELS = ['app.kubernetes.io/instance'];
const WORKLOADS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob', 'Rollout', 'ReplicaSet', 'Pod']);

/** Secrets, namespaces, labels, duplicates. */
export function checkHygiene(index: ManifestIndex, report: (f: Finding) => void): void {
  for (const m of index.manifests) {
    const o = m.obj as any;
    const f = (path: string, rule: string, message: string): void => report({ manifest: m, path, rule, message });
    if (o.kind === 'Secret') {
      const keys = [...Object.keys(o.data ?? {}), ...Object.keys(o.stringData ?? {})];
      if (keys.length > 0) {
        f(
          o.data ? 'data' : 'stringData',
          'sec.secret-in-git',
          `Secret holds ${keys.length} value(s) in plain base64 in git: use an ExternalSecret (or SealedSecret) instead`,
        );
      }
    }
    const namespaced = index.registry.isNamespaced(o.apiVersion, o.kind);
    const ns = o.metadata?.namespace;
    if (namespaced === true && !ns) {
      f(
        'metadata.namespace',
        'hyg.namespace',
        `namespaced ${o.kind} without metadata.namespace: it would land in whatever namespace kubectl or the controller defaults to`,
      );
    }
    if (ns === 'default' || ns === 'kube-system') {
      f('metadata.namespace', 'hyg.namespace', `lives in "${ns}": give it a namespace of its own`);
    }
    if (namespaced === false && ns) {
      f('metadata.namespace', 'hyg.namespace', `${o.kind} is cluster-scoped: remove metadata.namespace`);
    }
    const labels = o.metadata?.labels ?? {};
    const required = WORKLOADS.has(o.kind) ? [...REQUIRED_LABELS, ...WORKLOAD_LABELS] : REQUIRED_LABELS;
    const missing = required.filter((l) => !labels[l]);
    if (missing.length > 0) {
      f('metadata.labels', 'hyg.labels', `missing recommended label(s) ${missing.join(', ')}`);
    }
  }
  for (const [id, list] of index.byId) {
    if (list.length > 1) {
      for (const m of list.slice(1)) {
        report({
          manifest: m,
          path: 'metadata.name',
          rule: 'hyg.duplicate',
          message: `${id} is defined ${list.length} times (first in ${list[0].file}): kustomize and Flux refuse duplicates, Argo CD warns`,
        });
      }
    }
  }
}
