import { ApiObject, App, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { EnvironmentConfig, PullRequestSourceConfig } from '../../environments/types';
import { ApplicationSpec, ApplicationSpecSyncPolicy, toJson_ApplicationSpec } from '../../imports/argocd-application-argoproj.io';
import { Application } from '../../imports/argocd-application-argoproj.io';
import { AppProject, AppProjectSpecSyncWindows } from '../../imports/argocd-appproject-argoproj.io';
import { EXEMPT_ANNOTATION } from '../../core/annotations';
import { KubeObject } from '../../gate/manifest';
import { EnvironmentFacts } from './facts';
import {
  argoDir,
  CATEGORIES,
  CATEGORY_LABEL,
  COMPONENT_LABEL,
  effectiveSync,
  FolderCategory,
  gitopsLabels,
  TENANTS_FOLDER,
  CLUSTER_FOLDER,
  ADDONS_FOLDER,
  WAVE_LABEL,
} from './model';

/** Namespace of the Argo CD installation that holds projects, ApplicationSets and Applications. */
export const ARGOCD_NAMESPACE = 'argocd';
/** The cluster Argo CD runs in, as it names it; the bootstrap Application deploys there. */
export const ARGOCD_HOME_SERVER = 'https://kubernetes.default.svc';
/** Tenant namespaces: `tenant-<folder>`. */
export const TENANT_NAMESPACE_PREFIX = 'tenant-';
/** Preview namespaces: `pr-<number>-<component>`. */
export const PREVIEW_NAMESPACE_PREFIX = 'pr-';
/** An always-open deny window: no sync at all, not even a manual one. */
/** Deleting the Application deletes its objects (https://argo-cd.readthedocs.io/en/stable/user-guide/app_deletion/). */
const RESOURCES_FINALIZER = 'resources-finalizer.argocd.argoproj.io';
const DENY_ALL_WINDOW: AppProjectSpecSyncWindows = { kind: 'deny', schedule: '* * * * *', duration: '24h', applications: ['*'], manualSync: false };

/**
 * The sync options of every Application: server-side apply (large CRs, field ownership), prune
 * after everything else is applied, and never create a namespace (our charts emit them, with
 * Pod Security labels). https://argo-cd.readthedocs.io/en/stable/user-guide/sync-options/
 */
export const SYNC_OPTIONS = ['ServerSideApply=true', 'PruneLast=true', 'CreateNamespace=false'] as const;
const RETRY = { limit: 5, backoff: { duration: '10s', factor: 2, maxDuration: '3m' } };

/** The patch of the Argo CD installation's own settings, one for every environment (see docs/gitops.md). */
export const ARGOCD_INSTALL_DIR = 'gitops/argocd/install';
export const ARGOCD_CM_PATCH_FILE = 'argocd-cm.yaml';
/**
 * Track applied objects by the annotation `argocd.argoproj.io/tracking-id`, not by the label
 * `app.kubernetes.io/instance`, which Argo CD before 3.0 overwrites with the Application's name
 * (and which our selectors and other tools read). The default from Argo CD 3.0 on.
 * https://argo-cd.readthedocs.io/en/release-3.3/user-guide/resource_tracking/
 */
export const RESOURCE_TRACKING_METHOD = 'annotation';

/**
 * A strategic-merge patch of `argocd/argocd-cm`: only the tracking method. Argo CD is installed
 * outside this repository (Helm chart or upstream manifests), so it carries no labels of ours,
 * which would take over the install's own (Helm refuses to upgrade objects whose managed-by changed);
 * it is exempt from hyg.labels instead, and the exemption is the one annotation it adds.
 */
export function argocdConfigPatch(): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: 'argocd-cm',
      namespace: ARGOCD_NAMESPACE,
      annotations: { [EXEMPT_ANNOTATION]: 'hyg.labels: a patch of the Argo CD installation\'s own argocd-cm, whose labels belong to the installer' },
    },
    data: { 'application.resourceTrackingMethod': RESOURCE_TRACKING_METHOD },
  };
}

/** The kustomize Component an Argo CD install includes (`components: [<repo>/gitops/argocd/install]`) to get the patch. */
export function argocdInstallComponent(): Record<string, unknown> {
  return { apiVersion: 'kustomize.config.k8s.io/v1alpha1', kind: 'Component', patches: [{ path: ARGOCD_CM_PATCH_FILE }] };
}

export function projectName(env: string): string {
  return `receivables-${env}`;
}
export function bootstrapName(env: string): string {
  return `receivables-${env}-gitops`;
}
export function previewProjectName(env: string): string {
  return `receivables-${env}-previews`;
}

// ---------------------------------------------------------------------------------------------
// ApplicationSet. Written as an ApiObject with this local interface rather than a `cdk8s import`
// of schemas/crds/argo-cd/applicationset-crd.yaml. Measured (2026-11-26, 2-core VM under load):
// the import is one 3.3 MB .ts file that takes the TypeScript tsc checks from 31k to 108k lines,
// tsc memory from ~180 MB to ~310 MB and check time up by 0.6-1.7 s on every lint and typecheck,
// for the handful of fields used here. The template's `spec` reuses the imported ApplicationSpec
// type, and the gate validates every ApplicationSet against the CRD schema at synth (and the tests
// validate every simulated Application), so a wrong field still fails the build.
// ---------------------------------------------------------------------------------------------

export interface GitDirectory {
  readonly path: string;
  readonly exclude?: boolean;
}

export interface ApplicationSetGenerator {
  readonly git?: { readonly repoURL: string; readonly revision: string; readonly directories: readonly GitDirectory[] };
  readonly list?: { readonly elements: readonly Record<string, string>[] };
  readonly matrix?: { readonly generators: readonly ApplicationSetGenerator[] };
  readonly pullRequest?: PullRequestGenerator;
}

export interface PullRequestGenerator {
  readonly github?: { owner: string; repo: string; api: string; tokenRef: SecretKeyRef; labels?: readonly string[] };
  readonly gitea?: { owner: string; repo: string; api: string; tokenRef: SecretKeyRef; labels?: readonly string[] };
  readonly gitlab?: { project: string; api: string; tokenRef: SecretKeyRef; labels?: readonly string[]; pullRequestState: 'opened' };
  readonly requeueAfterSeconds: number;
}

export interface SecretKeyRef {
  readonly secretName: string;
  readonly key: string;
}

export interface ApplicationSetTemplate {
  readonly metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string>; finalizers?: string[] };
  readonly spec: ApplicationSpec;
}

export interface ApplicationSetProps {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly generators: readonly ApplicationSetGenerator[];
  readonly template: ApplicationSetTemplate;
  /** Keep an Application's objects when the ApplicationSet deletes it. @default true */
  readonly preserveResourcesOnDeletion?: boolean;
}

export class ApplicationSet extends ApiObject {
  constructor(scope: Construct, id: string, props: ApplicationSetProps) {
    super(scope, id, {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'ApplicationSet',
      metadata: { name: props.name, namespace: ARGOCD_NAMESPACE, labels: props.labels },
      spec: {
        // Go templates with missingkey=error: a typo in a parameter fails instead of rendering "".
        goTemplate: true,
        goTemplateOptions: ['missingkey=error'],
        generators: props.generators,
        template: { metadata: props.template.metadata, spec: toJson_ApplicationSpec(props.template.spec) },
        // Deleting an ApplicationSet (or a folder) removes Applications, never the workloads of a
        // data service: https://argo-cd.readthedocs.io/en/stable/operator-manual/applicationset/Application-Deletion/
        syncPolicy: { preserveResourcesOnDeletion: props.preserveResourcesOnDeletion ?? true },
      },
    });
  }
}

// ---------------------------------------------------------------------------------------------

/** The Application sync policy of an environment (see docs/gitops.md, "Sync policies"). */
export function applicationSyncPolicy(config: EnvironmentConfig, extraOptions: readonly string[] = []): ApplicationSpecSyncPolicy {
  const sync = effectiveSync(config);
  return {
    automated: sync.mode === 'automated' ? { prune: sync.prune, selfHeal: sync.selfHeal } : undefined,
    syncOptions: [...SYNC_OPTIONS, ...extraOptions],
    retry: RETRY,
  };
}

/** One file of `gitops/argocd/<env>/` per chart. */
export function argoCharts(app: App, config: EnvironmentConfig, facts: EnvironmentFacts): Map<string, Chart> {
  const files = new Map<string, Chart>();
  const env = config.name;
  const sync = effectiveSync(config);
  const server = config.gitops.clusterServer;

  const project = new Chart(app, `${env}-project`, { disableResourceNameHashes: true });
  const windows: AppProjectSpecSyncWindows[] =
    sync.mode === 'disabled'
      ? [DENY_ALL_WINDOW]
      : sync.syncWindows.map((w) => ({ kind: w.kind, schedule: w.schedule, duration: w.duration, timeZone: w.timeZone, applications: ['*'] }));
  new AppProject(project, 'Project', {
    metadata: { name: projectName(env), namespace: ARGOCD_NAMESPACE, labels: gitopsLabels(config, projectName(env)) },
    spec: {
      description: `${config.description} Generated from environments/${env}.ts; do not edit.`,
      sourceRepos: [config.gitops.repoUrl],
      destinations: [
        ...facts.namespaces.map((namespace) => ({ server, namespace })),
        { server, namespace: `${TENANT_NAMESPACE_PREFIX}*` },
      ],
      clusterResourceWhitelist: facts.clusterKinds.map((g) => ({ group: g.group, kind: g.kind })),
      orphanedResources: { warn: true },
      syncWindows: windows.length > 0 ? windows : undefined,
      roles: sync.approvalGate
        ? [
            {
              name: 'release-approver',
              description: 'The people who may sync this environment after the pull request was approved.',
              groups: sync.approverGroups && sync.approverGroups.length > 0 ? [...sync.approverGroups] : undefined,
              policies: [
                `p, proj:${projectName(env)}:release-approver, applications, get, ${projectName(env)}/*, allow`,
                `p, proj:${projectName(env)}:release-approver, applications, sync, ${projectName(env)}/*, allow`,
              ],
            },
          ]
        : undefined,
    },
  });
  files.set('project.yaml', project);

  const appsets = new Chart(app, `${env}-applicationsets`, { disableResourceNameHashes: true });
  const ignoreDifferences = facts.controllerOwnedFields.map((f) => ({
    group: f.group,
    kind: f.kind,
    name: f.name,
    namespace: f.namespace,
    jsonPointers: [...f.jsonPointers],
  }));
  for (const category of CATEGORIES) {
    const tenant = category.id === 'tenants';
    new ApplicationSet(appsets, category.id, {
      name: `${projectName(env)}-${category.id}`,
      labels: gitopsLabels(config, `${projectName(env)}-${category.id}`),
      generators: [
        {
          matrix: {
            generators: [
              { git: { repoURL: config.gitops.repoUrl, revision: config.gitops.targetRevision, directories: directoriesOf(env, category) } },
              { list: { elements: [{ clusterName: env, clusterServer: server }] } },
            ],
          },
        },
      ],
      template: {
        metadata: {
          name: `${env}-${appNameInfix(category)}{{.path.basename}}`,
          labels: {
            ...gitopsLabels(config, '{{.path.basename}}'),
            [CATEGORY_LABEL]: category.id,
            [COMPONENT_LABEL]: '{{.path.basename}}',
            // For a person who syncs wave by wave (`argocd app sync -l receivables.io/sync-wave=2`). No
            // argocd.argoproj.io/sync-wave annotation: on ApplicationSet-generated Applications nothing
            // reads it (no parent Application, no progressive sync); docs/gitops.md gives the real order.
            [WAVE_LABEL]: String(category.order),
          },
        },
        spec: {
          project: projectName(env),
          source: { repoUrl: config.gitops.repoUrl, targetRevision: config.gitops.targetRevision, path: '{{.path.path}}' },
          destination: { server: '{{.clusterServer}}', namespace: tenant ? `${TENANT_NAMESPACE_PREFIX}{{.path.basename}}` : '{{.path.basename}}' },
          // Only fields a controller owns, listed one by one (an autoscaler's replicas); tenants get none.
          ignoreDifferences: !tenant && ignoreDifferences.length > 0 ? ignoreDifferences : undefined,
          syncPolicy: applicationSyncPolicy(config, !tenant && ignoreDifferences.length > 0 ? ['RespectIgnoreDifferences=true'] : []),
        },
      },
    });
  }
  files.set('applicationsets.yaml', appsets);

  const bootstrap = new Chart(app, `${env}-bootstrap`, { disableResourceNameHashes: true });
  new AppProject(bootstrap, 'Project', {
    metadata: { name: bootstrapName(env), namespace: ARGOCD_NAMESPACE, labels: gitopsLabels(config, bootstrapName(env)) },
    spec: {
      description: `Manages gitops/argocd/${env} itself (app of apps). Generated; do not edit.`,
      sourceRepos: [config.gitops.repoUrl],
      destinations: [{ server: ARGOCD_HOME_SERVER, namespace: ARGOCD_NAMESPACE }],
      clusterResourceWhitelist: [],
      namespaceResourceWhitelist: ['AppProject', 'ApplicationSet', 'Application'].map((kind) => ({ group: 'argoproj.io', kind })),
      orphanedResources: { warn: true },
    },
  });
  new Application(bootstrap, 'App', {
    metadata: { name: bootstrapName(env), namespace: ARGOCD_NAMESPACE, labels: gitopsLabels(config, bootstrapName(env)) },
    spec: {
      project: bootstrapName(env),
      source: { repoUrl: config.gitops.repoUrl, targetRevision: config.gitops.targetRevision, path: argoDir(env) },
      destination: { server: ARGOCD_HOME_SERVER, namespace: ARGOCD_NAMESPACE },
      // Follows the environment: automated where the platform is, otherwise a person syncs it
      // first (for DR: the first step of the failover runbook, which lifts the deny window).
      syncPolicy: {
        automated: sync.mode === 'automated' ? { prune: true, selfHeal: true } : undefined,
        syncOptions: ['ServerSideApply=true', 'PruneLast=true'],
        retry: RETRY,
      },
    },
  });
  files.set('bootstrap.yaml', bootstrap);

  if (sync.pullRequestPreviews && config.gitops.pullRequests) {
    files.set('previews.yaml', previewChart(app, config, config.gitops.pullRequests, facts));
  }
  return files;
}

function appNameInfix(category: FolderCategory): string {
  return category.id === 'tenants' ? 'tenant-' : category.id === 'addons' ? 'addon-' : '';
}

/** The git directory generator entries of a category, below `dist/<env>/`. */
export function directoriesOf(env: string, category: FolderCategory): GitDirectory[] {
  return [
    ...category.include.map((g) => ({ path: `dist/${env}/${g}` })),
    ...category.exclude.map((g) => ({ path: `dist/${env}/${g}`, exclude: true })),
  ];
}

/**
 * One preview of dev per open pull request, from that pull request's `dist/dev` (its head
 * commit). Isolation: every component of PR n lands in namespace `pr-<n>-<component>` through the
 * kustomize namespace transform of the Application (it renames our Namespace objects and moves
 * every namespaced object), so two previews, or a preview and dev, never share a namespace. The
 * previews project allows only `pr-*` namespaces, and FailOnSharedResource refuses to take over an
 * object another Application owns (a cluster-scoped one would collide).
 */
function previewChart(app: App, config: EnvironmentConfig, pr: PullRequestSourceConfig, facts: EnvironmentFacts): Chart {
  const env = config.name;
  const chart = new Chart(app, `${env}-previews`, { disableResourceNameHashes: true });
  const server = config.gitops.clusterServer;
  const ns = `${PREVIEW_NAMESPACE_PREFIX}{{.number}}-{{.path.basename}}`;
  new AppProject(chart, 'Project', {
    metadata: { name: previewProjectName(env), namespace: ARGOCD_NAMESPACE, labels: gitopsLabels(config, previewProjectName(env)) },
    spec: {
      description: `Pull-request previews of ${env}: namespaces pr-<number>-<component> only. Generated; do not edit.`,
      sourceRepos: [config.gitops.repoUrl],
      destinations: [{ server, namespace: `${PREVIEW_NAMESPACE_PREFIX}*` }],
      clusterResourceWhitelist: facts.clusterKinds.some((g) => g.group === '' && g.kind === 'Namespace') ? [{ group: '', kind: 'Namespace' }] : [],
      orphanedResources: { warn: true },
    },
  });
  const tokenRef = { secretName: pr.tokenSecret, key: 'token' };
  const labels = pr.labels.length > 0 ? pr.labels : undefined;
  const [owner, ...rest] = pr.repository.split('/');
  const scm: PullRequestGenerator =
    pr.provider === 'gitlab'
      ? { gitlab: { project: pr.repository, api: pr.api, tokenRef, labels, pullRequestState: 'opened' }, requeueAfterSeconds: 300 }
      : { [pr.provider]: { owner, repo: rest.join('/'), api: pr.api, tokenRef, labels }, requeueAfterSeconds: 300 };
  new ApplicationSet(chart, 'Previews', {
    name: previewProjectName(env),
    labels: gitopsLabels(config, previewProjectName(env)),
    generators: [
      {
        matrix: {
          generators: [
            { pullRequest: scm },
            {
              git: {
                repoURL: config.gitops.repoUrl,
                revision: '{{.head_sha}}',
                directories: [
                  { path: `dist/${env}/*` },
                  { path: `dist/${env}/${ADDONS_FOLDER}`, exclude: true },
                  { path: `dist/${env}/${TENANTS_FOLDER}`, exclude: true },
                  { path: `dist/${env}/${CLUSTER_FOLDER}`, exclude: true },
                  // Cluster-wide RBAC (ClusterRoles, bindings in every namespace): a preview would share them with dev.
                  { path: `dist/${env}/security`, exclude: true },
                ],
              },
            },
          ],
        },
      },
    ],
    preserveResourcesOnDeletion: false,
    template: {
      metadata: {
        name: `${env}-pr-{{.number}}-{{.path.basename}}`,
        labels: { ...gitopsLabels(config, '{{.path.basename}}'), [COMPONENT_LABEL]: '{{.path.basename}}', 'receivables.io/preview': 'pr-{{.number}}' },
        // A closed pull request takes its preview with it: cascade delete, nothing preserved.
        finalizers: [RESOURCES_FINALIZER],
      },
      spec: {
        project: previewProjectName(env),
        source: {
          repoUrl: config.gitops.repoUrl,
          targetRevision: '{{.head_sha}}',
          path: '{{.path.path}}',
          kustomize: {
            namespace: ns,
            // The API server sets this label to the namespace's name; keep the manifest equal to it.
            patches: [
              {
                target: { kind: 'Namespace' },
                patch: JSON.stringify([{ op: 'replace', path: '/metadata/labels/kubernetes.io~1metadata.name', value: ns }]),
              },
            ],
          },
        },
        destination: { server, namespace: ns },
        syncPolicy: {
          automated: { prune: true, selfHeal: true },
          syncOptions: [...SYNC_OPTIONS, 'FailOnSharedResource=true'],
          retry: RETRY,
        },
      },
    },
  });
  return chart;
}
