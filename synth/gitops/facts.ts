import * as path from 'path';
import { PLATFORM_NAMESPACES } from '../../charts';
import { KubeObject } from '../../gate/manifest';
import { SchemaRegistry } from '../../gate/schema';
import { ADDONS_FOLDER, categoryOf, TENANTS_FOLDER } from './model';

/**
 * What the GitOps objects need to know about the synthesized objects of one environment. Tenant
 * folders are left out on purpose: adding a tenant must change nothing under `gitops/` (tenants
 * live in `tenant-*` namespaces and may only emit the cluster-scoped kinds listed here).
 */
export interface EnvironmentFacts {
  /** Component and add-on folders (relative to `dist/<env>`), sorted; no tenant folders. */
  readonly folders: readonly string[];
  /** Cluster-scoped kinds the non-tenant folders emit, sorted. */
  readonly clusterKinds: readonly GroupKind[];
  /** Namespaces the non-tenant folders create or write into, sorted. */
  readonly namespaces: readonly string[];
  /** Fields a controller owns: `/spec/replicas` of every workload an autoscaler scales. */
  readonly controllerOwnedFields: readonly ControllerOwnedField[];
  /** Long-running workloads per folder (Flux health checks of data services). */
  readonly workloads: ReadonlyMap<string, readonly WorkloadRef[]>;
  /** Problems found on the way, e.g. a tenant emitting a cluster-scoped kind nobody allowed. */
  readonly problems: readonly FactProblem[];
}

export interface GroupKind {
  readonly group: string;
  readonly kind: string;
}

export interface ControllerOwnedField {
  readonly group: string;
  readonly kind: string;
  readonly name: string;
  readonly namespace: string;
  readonly jsonPointers: readonly string[];
  /** Who owns it, for the generated comment and docs. */
  readonly owner: string;
}

export interface WorkloadRef {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly namespace: string;
}

export interface FactProblem {
  readonly folder: string;
  readonly object: string;
  readonly message: string;
}

/** Tenants need their Namespace, even in an environment that has no tenant yet. */
const TENANT_CLUSTER_KINDS: readonly GroupKind[] = [{ group: '', kind: 'Namespace' }];
const HEALTH_CHECKED_KINDS = new Set(['Deployment', 'StatefulSet']);
const REPLICAS_POINTER = '/spec/replicas';

export function isTenantFolder(folder: string): boolean {
  return folder.startsWith(`${TENANTS_FOLDER}/`);
}

export function isAddonFolder(folder: string): boolean {
  return folder.startsWith(`${ADDONS_FOLDER}/`);
}

function groupOf(apiVersion: string): string {
  return apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.lastIndexOf('/')) : '';
}

const gkKey = (g: GroupKind): string => `${g.group}/${g.kind}`;

export function collectFacts(folders: ReadonlyMap<string, readonly KubeObject[]>, registry: SchemaRegistry): EnvironmentFacts {
  const own = [...folders.keys()].filter((f) => !isTenantFolder(f)).sort();
  const clusterKinds = new Map<string, GroupKind>(TENANT_CLUSTER_KINDS.map((g) => [gkKey(g), g]));
  const namespaces = new Set<string>(PLATFORM_NAMESPACES);
  const owned = new Map<string, ControllerOwnedField>();
  const workloads = new Map<string, WorkloadRef[]>();
  for (const folder of own) {
    if (isAddonFolder(folder)) {
      // Convention: an add-on's folder is named after its namespace (the Application's destination).
      namespaces.add(path.posix.basename(folder));
    }
    for (const obj of folders.get(folder) ?? []) {
      const ns = obj.metadata.namespace;
      if (registry.isNamespaced(obj.apiVersion, obj.kind) === false) {
        const gk = { group: groupOf(obj.apiVersion), kind: obj.kind };
        clusterKinds.set(gkKey(gk), gk);
      }
      if (obj.kind === 'Namespace' && obj.metadata.name) {
        namespaces.add(obj.metadata.name);
      }
      if (ns) {
        namespaces.add(ns);
      }
      const field = scaledField(obj);
      if (field) {
        owned.set(`${field.group}/${field.kind}/${field.namespace}/${field.name}`, field);
      }
      if (HEALTH_CHECKED_KINDS.has(obj.kind) && obj.metadata.name && ns) {
        const list = workloads.get(folder) ?? [];
        list.push({ apiVersion: obj.apiVersion, kind: obj.kind, name: obj.metadata.name, namespace: ns });
        workloads.set(folder, list);
      }
    }
  }
  const problems: FactProblem[] = [];
  for (const folder of [...folders.keys()].filter(isTenantFolder).sort()) {
    for (const obj of folders.get(folder) ?? []) {
      if (registry.isNamespaced(obj.apiVersion, obj.kind) === false && !clusterKinds.has(gkKey({ group: groupOf(obj.apiVersion), kind: obj.kind }))) {
        problems.push({
          folder,
          object: `${obj.kind}/${obj.metadata.name ?? '?'}`,
          message: `tenants may only emit the cluster-scoped kinds the AppProject allows (${[...clusterKinds.keys()].join(', ')}): move it to a platform folder`,
        });
      }
    }
  }
  for (const folder of own) {
    if (!categoryOf(folder)) {
      problems.push({ folder, object: '', message: 'no GitOps category takes this folder (see CATEGORIES in synth/gitops/model.ts)' });
    }
  }
  const byKey = <T>(m: Map<string, T>): T[] => [...m.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v);
  return {
    folders: own,
    clusterKinds: byKey(clusterKinds),
    namespaces: [...namespaces].sort(),
    controllerOwnedFields: byKey(owned),
    workloads,
    problems,
  };
}

/** The replicas field an HPA or a KEDA ScaledObject owns, if `obj` is one. */
function scaledField(obj: KubeObject): ControllerOwnedField | undefined {
  const spec = obj.spec as { scaleTargetRef?: { apiVersion?: string; kind?: string; name?: string } } | undefined;
  const ref = spec?.scaleTargetRef;
  const ns = obj.metadata.namespace;
  if (!ref?.name || !ns) {
    return undefined;
  }
  if (obj.kind === 'HorizontalPodAutoscaler' && obj.apiVersion.startsWith('autoscaling/')) {
    return { group: groupOf(ref.apiVersion ?? 'apps/v1'), kind: ref.kind ?? 'Deployment', name: ref.name, namespace: ns, jsonPointers: [REPLICAS_POINTER], owner: 'HorizontalPodAutoscaler' };
  }
  if (obj.kind === 'ScaledObject' && obj.apiVersion.startsWith('keda.sh/')) {
    return { group: groupOf(ref.apiVersion ?? 'apps/v1'), kind: ref.kind ?? 'Deployment', name: ref.name, namespace: ns, jsonPointers: [REPLICAS_POINTER], owner: 'KEDA ScaledObject' };
  }
  return undefined;
}
