import { ANNOTATION_DOMAIN, DEFAULT_PART_OF, LABEL_MANAGED_BY, LABEL_NAME, LABEL_PART_OF } from '../../constructs/lib/labels';
import { EnvironmentConfig, SyncConfig } from '../../environments/types';

/**
 * The one typed description both GitOps outputs (Argo CD and Flux) and the object sync waves are
 * derived from: which folder of `dist/<env>/` belongs to which category, in which order the
 * categories reconcile, and what the environment's sync policy really is.
 */

/** A group of `dist/<env>/` folders that reconcile together, in `order`. */
export interface FolderCategory {
  readonly id: 'addons' | 'platform' | 'data' | 'apps' | 'tenants';
  /** Per-Application sync wave (Argo) and `dependsOn` rank (Flux). */
  readonly order: number;
  /**
   * Folder globs below `dist/<env>/`, with the syntax of Go's `path.Match` (what the Argo CD git
   * directory generator uses): `*` never crosses a `/`.
   */
  readonly include: readonly string[];
  /** Globs excluded again (exclusions win, as in the Argo CD generator). */
  readonly exclude: readonly string[];
  /** What the category holds, for comments in the output and the docs. */
  readonly description: string;
}

/** Folder below `dist/<env>/` holding one folder per tenant. */
export const TENANTS_FOLDER = 'tenants';
/** Folder below `dist/<env>/` holding one folder per add-on (CRD operators such as KEDA). */
export const ADDONS_FOLDER = 'addons';
/**
 * Folder below `dist/<env>/` of files for the control plane (the API server's audit policy), not
 * objects of the API: no category takes it, so neither Argo CD nor Flux ever applies it.
 */
export const CLUSTER_FOLDER = 'cluster';

/**
 * The categories in reconcile order. Every folder of `dist/<env>/` is in exactly one (a test
 * checks it), so a new component folder is picked up without touching this list.
 */
export const CATEGORIES: readonly FolderCategory[] = [
  { id: 'addons', order: 0, include: [`${ADDONS_FOLDER}/*`], exclude: [], description: 'add-ons that bring CRDs and operators' },
  {
    id: 'platform',
    order: 1,
    include: ['*'],
    exclude: [ADDONS_FOLDER, TENANTS_FOLDER, CLUSTER_FOLDER, 'db-*', 'storage-*', 'app-*'],
    description: 'platform services (ingress, certificates, monitoring, security)',
  },
  { id: 'data', order: 2, include: ['db-*', 'storage-*'], exclude: [], description: 'data services' },
  { id: 'apps', order: 3, include: ['app-*'], exclude: [], description: 'application services' },
  { id: 'tenants', order: 4, include: [`${TENANTS_FOLDER}/*`], exclude: [], description: 'one folder per tenant' },
];

/** Go `path.Match` semantics for the globs we write (`*`, `?`, character classes). */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*') {
      re += '[^/]*';
    } else if (c === '?') {
      re += '[^/]';
    } else if (c === '[') {
      const end = glob.indexOf(']', i);
      re += glob.slice(i, end + 1).replace('[^', '[^/').replace('[!', '[^/');
      i = end;
    } else {
      re += c.replace(/[.+^${}()|\\]/g, '\\$&');
    }
  }
  return new RegExp(`^${re}$`);
}

export function matchesGlob(glob: string, value: string): boolean {
  return globToRegExp(glob).test(value);
}

/** The category of a folder below `dist/<env>/`, or undefined for a folder no category takes. */
export function categoryOf(folder: string): FolderCategory | undefined {
  return CATEGORIES.find((c) => c.include.some((g) => matchesGlob(g, folder)) && !c.exclude.some((g) => matchesGlob(g, folder)));
}

/** The sync policy the controllers get, after the DR rule is applied: the same shape as the config's. */
export type EffectiveSync = SyncConfig;

/**
 * The environment's sync policy with the DR rule applied: a DR environment is disabled while it
 * stands by, whatever its `sync.mode` says; after failover a person syncs it (`disabled` reads as
 * "disabled until failover"), and it is never automated (load.ts refuses that).
 */
export function effectiveSync(config: EnvironmentConfig): EffectiveSync {
  const s = config.gitops.sync;
  if (config.dr && !config.dr.failover) {
    return { ...s, mode: 'disabled', selfHeal: false };
  }
  if (config.dr && s.mode === 'disabled') {
    return { ...s, mode: 'manual', selfHeal: false };
  }
  return s;
}

/** Labels on every GitOps object we generate (the gate's recommended-labels rule). */
export function gitopsLabels(config: EnvironmentConfig, name: string): Record<string, string> {
  return {
    [LABEL_NAME]: name,
    [LABEL_PART_OF]: DEFAULT_PART_OF,
    [LABEL_MANAGED_BY]: 'cdk8s',
    [ENVIRONMENT_LABEL]: config.name,
  };
}

export const ENVIRONMENT_LABEL = `${ANNOTATION_DOMAIN}/environment`;
export const CATEGORY_LABEL = `${ANNOTATION_DOMAIN}/category`;
/** The per-Application wave as a label, so a person can sync one wave: `argocd app sync -l receivables.io/sync-wave=2`. */
export const WAVE_LABEL = `${ANNOTATION_DOMAIN}/sync-wave`;
export const COMPONENT_LABEL = `${ANNOTATION_DOMAIN}/component`;

/** Where the generated objects go, relative to the repository root. */
export function argoDir(env: string): string {
  return `gitops/argocd/${env}`;
}
export function fluxDir(env: string): string {
  return `gitops/flux/clusters/${env}`;
}
