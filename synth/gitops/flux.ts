import { App, Chart } from 'cdk8s';
import { EnvironmentConfig } from '../../environments/types';
import { GitRepository, GitRepositorySpecRef } from '../../imports/flux-gitrepository-source.toolkit.fluxcd.io';
import { Kustomization, KustomizationSpecSourceRefKind } from '../../imports/flux-kustomization-kustomize.toolkit.fluxcd.io';
import { EnvironmentFacts } from './facts';
import { CATEGORIES, categoryOf, effectiveSync, FolderCategory, fluxDir, gitopsLabels, TENANTS_FOLDER } from './model';

/** Namespace of the Flux controllers and their objects. */
export const FLUX_NAMESPACE = 'flux-system';
/** The GitRepository every Kustomization of the cluster reads from. */
export const SOURCE_NAME = 'receivables';
/** The Kustomization that applies `gitops/flux/clusters/<env>` itself. */
export const SELF_NAME = 'receivables-gitops';
export const TENANTS_KUSTOMIZATION = 'tenants';

/** Reference settings of flux2-kustomize-helm-example (`clusters/production/*.yaml`). */
const INTERVAL = '10m';
const RETRY_INTERVAL = '2m';
const TIMEOUT = '5m';
/** Data services start slowly (a Patroni bootstrap, an Elasticsearch cluster forming). */
const DATA_TIMEOUT = '15m';
const SOURCE_INTERVAL = '1m';

/** Kustomization name of a `dist/<env>/` folder: `addons/keda` -> `addons-keda`. */
export function kustomizationName(folder: string): string {
  return folder.replace(/\//g, '-');
}

/** A branch, a tag (`refs/tags/...`), a full ref, or a commit: what `gitops.targetRevision` holds. */
export function gitRef(revision: string): GitRepositorySpecRef {
  if (/^[0-9a-f]{40}$/.test(revision)) {
    return { commit: revision };
  }
  if (revision.startsWith('refs/')) {
    return { name: revision };
  }
  return { branch: revision };
}

/**
 * `gitops/flux/clusters/<env>/`: the same description as the Argo CD output. One Kustomization
 * per component and add-on folder, ordered by `dependsOn` on the previous category (the Argo
 * waves), and one Kustomization for all tenants over `dist/<env>/tenants` (its kustomization.yaml
 * lists the tenant folders), so adding a tenant changes nothing here.
 */
export function fluxCharts(app: App, config: EnvironmentConfig, facts: EnvironmentFacts): Map<string, Chart> {
  const files = new Map<string, Chart>();
  const env = config.name;
  const sync = effectiveSync(config);
  // Flux has no manual sync: `disabled` (DR until failover) suspends; `manual` and the approval
  // gate are the protected branch Flux reads (docs/gitops.md, "Sync policies").
  const suspend = sync.mode === 'disabled';
  const sourceRef = { kind: KustomizationSpecSourceRefKind.GIT_REPOSITORY, name: SOURCE_NAME };

  const source = new Chart(app, `${env}-flux-source`, { disableResourceNameHashes: true });
  new GitRepository(source, 'Source', {
    metadata: { name: SOURCE_NAME, namespace: FLUX_NAMESPACE, labels: gitopsLabels(config, SOURCE_NAME) },
    spec: {
      url: config.gitops.repoUrl,
      secretRef: config.gitops.credentialsSecret ? { name: config.gitops.credentialsSecret } : undefined,
      ref: gitRef(config.gitops.targetRevision),
      interval: SOURCE_INTERVAL,
      // Only the rendered manifests (and this folder, which manages itself) reach the cluster.
      ignore: ['/*', '!/dist/', '!/gitops/'].join('\n'),
    },
  });
  // Not suspended on DR: the failover commit that lifts `suspend` must reach the cluster.
  new Kustomization(source, 'Self', {
    metadata: { name: SELF_NAME, namespace: FLUX_NAMESPACE, labels: gitopsLabels(config, SELF_NAME) },
    spec: {
      sourceRef,
      path: `./${fluxDir(env)}`,
      interval: INTERVAL,
      retryInterval: RETRY_INTERVAL,
      timeout: TIMEOUT,
      prune: true,
      wait: true,
    },
  });
  files.set('source.yaml', source);

  const byCategory = new Map<FolderCategory['id'], string[]>();
  for (const folder of facts.folders) {
    const c = categoryOf(folder);
    if (c) {
      byCategory.set(c.id, [...(byCategory.get(c.id) ?? []), folder]);
    }
  }
  /** The Kustomizations a category waits for: every one of the nearest earlier non-empty category. */
  const dependsOnFor = (category: FolderCategory): { name: string }[] => {
    for (const earlier of [...CATEGORIES].filter((c) => c.order < category.order).reverse()) {
      const names = earlier.id === 'tenants' ? [] : (byCategory.get(earlier.id) ?? []).map(kustomizationName);
      if (names.length > 0) {
        return names.map((name) => ({ name }));
      }
    }
    return [];
  };

  const components = new Chart(app, `${env}-flux-components`, { disableResourceNameHashes: true });
  for (const category of CATEGORIES.filter((c) => c.id !== 'tenants')) {
    for (const folder of byCategory.get(category.id) ?? []) {
      const name = kustomizationName(folder);
      const dependsOn = dependsOnFor(category);
      const workloads = category.id === 'data' ? (facts.workloads.get(folder) ?? []) : [];
      new Kustomization(components, name, {
        metadata: { name, namespace: FLUX_NAMESPACE, labels: gitopsLabels(config, name) },
        spec: {
          sourceRef,
          path: `./dist/${env}/${folder}`,
          interval: INTERVAL,
          retryInterval: RETRY_INTERVAL,
          timeout: category.id === 'data' ? DATA_TIMEOUT : TIMEOUT,
          prune: sync.prune,
          // `wait` health-checks everything and makes Flux ignore `healthChecks`
          // (kustomize-controller docs, "Health checks"). Data services instead name the
          // workloads that must be Ready before the apps that use them are applied.
          wait: workloads.length === 0,
          healthChecks: workloads.length > 0 ? workloads.map((w) => ({ ...w })) : undefined,
          dependsOn: dependsOn.length > 0 ? dependsOn : undefined,
          suspend,
        },
      });
    }
  }
  files.set('components.yaml', components);

  const tenants = new Chart(app, `${env}-flux-tenants`, { disableResourceNameHashes: true });
  const tenantCategory = CATEGORIES.find((c) => c.id === 'tenants')!;
  const tenantDeps = dependsOnFor(tenantCategory);
  new Kustomization(tenants, 'Tenants', {
    metadata: { name: TENANTS_KUSTOMIZATION, namespace: FLUX_NAMESPACE, labels: gitopsLabels(config, TENANTS_KUSTOMIZATION) },
    spec: {
      sourceRef,
      path: `./dist/${env}/${TENANTS_FOLDER}`,
      interval: INTERVAL,
      retryInterval: RETRY_INTERVAL,
      timeout: TIMEOUT,
      prune: sync.prune,
      wait: true,
      dependsOn: tenantDeps.length > 0 ? tenantDeps : undefined,
      suspend,
    },
  });
  files.set('tenants.yaml', tenants);
  return files;
}
