import { KubeObject } from '../gate/manifest';
import { categoryOf, FolderCategory } from './gitops/model';

/**
 * Argo CD sync waves and hooks on the objects of `dist/`, by category, so that the constructs
 * stay GitOps-agnostic. Inside one Application, waves apply in order and prune in reverse
 * (https://argo-cd.readthedocs.io/en/stable/user-guide/sync-waves/); Flux ignores these
 * annotations and orders folders with `dependsOn` instead (see `synth/gitops/flux.ts`).
 */

export const SYNC_WAVE_ANNOTATION = 'argocd.argoproj.io/sync-wave';
export const HOOK_ANNOTATION = 'argocd.argoproj.io/hook';
export const HOOK_DELETE_POLICY_ANNOTATION = 'argocd.argoproj.io/hook-delete-policy';
/** Flux recreates an object whose immutable fields changed (a Job's pod template). */
export const FLUX_FORCE_ANNOTATION = 'kustomize.toolkit.fluxcd.io/force';

/** The object waves, in order. */
export const WAVES = {
  /** Namespaces and CRDs: everything else lives in or is one of them. */
  namespacesAndCrds: 0,
  /** Secrets (ExternalSecret), config, identities, policies and claims that pods need at start. */
  config: 1,
  /** Add-ons, platform and data services. */
  services: 2,
  /** Application services, after the data services they connect to. */
  apps: 3,
  /** Tenant workloads, last. */
  tenants: 4,
} as const;

const NAMESPACES_AND_CRDS = new Set(['Namespace', 'CustomResourceDefinition']);

/** Kinds a pod reads or needs before it starts; all are declarative and cheap to apply early. */
const CONFIG_KINDS = new Set([
  'ExternalSecret',
  'SecretStore',
  'ClusterSecretStore',
  'Secret',
  'ConfigMap',
  'ServiceAccount',
  'Role',
  'RoleBinding',
  'ClusterRole',
  'ClusterRoleBinding',
  'NetworkPolicy',
  'ResourceQuota',
  'LimitRange',
  'PriorityClass',
  'StorageClass',
  'PersistentVolumeClaim',
  'Certificate',
  'Issuer',
  'ClusterIssuer',
  'KongPlugin',
  'KongConsumer',
  'IPAddressPool',
  'L2Advertisement',
]);

const REST_WAVE: Record<FolderCategory['id'], number> = {
  addons: WAVES.services,
  platform: WAVES.services,
  data: WAVES.services,
  apps: WAVES.apps,
  tenants: WAVES.tenants,
};

/** The wave of one object of `dist/<env>/<folder>/`. */
export function waveOf(obj: KubeObject, folder: string): number {
  if (NAMESPACES_AND_CRDS.has(obj.kind)) {
    return WAVES.namespacesAndCrds;
  }
  if (CONFIG_KINDS.has(obj.kind)) {
    return WAVES.config;
  }
  const category = categoryOf(folder);
  return category ? REST_WAVE[category.id] : WAVES.services;
}

/**
 * Annotates every object with its wave (an annotation already set by a construct wins), and
 * turns provisioning Jobs into PostSync hooks: they run once the workloads they provision are
 * healthy, after every sync (so they must be idempotent), and the previous run is deleted just
 * before the next one is created (a Job's template is immutable). CronJobs are left alone: they
 * are long-lived objects, not steps of a sync.
 */
export function applyWaves<T extends KubeObject>(objects: T[], folder: string): T[] {
  for (const obj of objects) {
    const annotations: Record<string, string> = { ...(obj.metadata.annotations ?? {}) };
    if (obj.kind === 'Job' && obj.apiVersion === 'batch/v1') {
      annotations[HOOK_ANNOTATION] ??= 'PostSync';
      annotations[HOOK_DELETE_POLICY_ANNOTATION] ??= 'BeforeHookCreation';
      annotations[FLUX_FORCE_ANNOTATION] ??= 'enabled';
    }
    annotations[SYNC_WAVE_ANNOTATION] ??= String(waveOf(obj, folder));
    obj.metadata.annotations = sortKeys(annotations);
  }
  return objects;
}

/** cdk8s writes keys sorted; keep it so the YAML stays byte-stable. */
function sortKeys(record: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
