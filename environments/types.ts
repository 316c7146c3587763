/**
 * The typed description of one environment. `environments/<env>.ts` holds the structure;
 * `environments/overrides/<env>.yaml` holds the data that tools edit (image and chart pins,
 * the DR failover flag) and any local override. Both are merged and checked against
 * `environments/schema/environment.schema.json` before any construct is built.
 */

export const ENVIRONMENT_NAMES = ['dev', 'staging', 'prod', 'dr'] as const;
export type EnvironmentName = (typeof ENVIRONMENT_NAMES)[number];

export const CLOUD_PROFILE_NAMES = ['onprem-k3s', 'onprem-kubeadm', 'aws', 'azure', 'gcp'] as const;
export type CloudProfileName = (typeof CLOUD_PROFILE_NAMES)[number];

/** Workload classes: each maps to a node pool. */
export const WORKLOAD_CLASSES = ['general', 'data', 'compute', 'gpu'] as const;
export type WorkloadClass = (typeof WORKLOAD_CLASSES)[number];

export const RESOURCE_PRESETS = ['nano', 'micro', 'small', 'medium', 'large', 'xlarge'] as const;
export type ResourcePresetName = (typeof RESOURCE_PRESETS)[number];

export interface TolerationConfig {
  readonly key: string;
  readonly operator: 'Equal' | 'Exists';
  readonly value?: string;
  readonly effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
}

export interface NodePoolConfig {
  readonly nodeSelector: Readonly<Record<string, string>>;
  readonly tolerations: readonly TolerationConfig[];
}

export interface SyncWindowConfig {
  readonly kind: 'allow' | 'deny';
  /** Cron expression for the window start. */
  readonly schedule: string;
  /** e.g. `2h`. */
  readonly duration: string;
  readonly timeZone: string;
}

export interface SyncConfig {
  /** automated: the controller applies every commit; manual: a person syncs; disabled: never. */
  readonly mode: 'automated' | 'manual' | 'disabled';
  readonly prune: boolean;
  readonly selfHeal: boolean;
  /** A person approves each sync (prod). */
  readonly approvalGate: boolean;
  /** SSO groups allowed to sync behind the approval gate (Argo CD project role). @default - none: bind them in Argo CD */
  readonly approverGroups?: readonly string[];
  readonly syncWindows: readonly SyncWindowConfig[];
  /** One preview of this environment per open pull request (dev only). */
  readonly pullRequestPreviews: boolean;
}

/** Where the Argo CD pull-request generator finds open pull requests (dev previews). */
export interface PullRequestSourceConfig {
  readonly provider: 'github' | 'gitlab' | 'gitea';
  /** API base URL of the Git server, e.g. `https://api.github.com` or `https://gitlab.example.com`. */
  readonly api: string;
  /** `owner/repo` (GitHub, Gitea) or the project path `group/project` (GitLab). */
  readonly repository: string;
  /** Secret in the `argocd` namespace holding the API token under the key `token`. */
  readonly tokenSecret: string;
  /** Only pull requests carrying all of these labels get a preview (empty: every open one). */
  readonly labels: readonly string[];
}

export interface GitOpsConfig {
  readonly repoUrl: string;
  /** Branch or tag the controller reads `dist/<env>` from. */
  readonly targetRevision: string;
  /** API server of the destination cluster, as registered in Argo CD. */
  readonly clusterServer: string;
  /**
   * Secret in `flux-system` with the credentials Flux reads the repository with
   * (`flux create secret git`). Argo CD keeps its own repository credentials. @default - a public repository
   */
  readonly credentialsSecret?: string;
  /** Needed when `sync.pullRequestPreviews` is on. @default - no previews possible */
  readonly pullRequests?: PullRequestSourceConfig;
  readonly sync: SyncConfig;
}

export interface ScaleConfig {
  /** Replicas of each stateless application service. */
  readonly appReplicas: number;
  /** Upper bound for the autoscaler (equal to appReplicas when autoscaling is off). */
  readonly appMaxReplicas: number;
  readonly postgresInstances: number;
  readonly pgbouncerReplicas: number;
  readonly redisReplicas: number;
}

export interface StorageConfig {
  readonly postgresGi: number;
  readonly redisGi: number;
}

export interface SizesConfig {
  readonly app: ResourcePresetName;
  readonly database: ResourcePresetName;
  readonly cache: ResourcePresetName;
  readonly storage: StorageConfig;
}

export interface FeatureFlags {
  /** Load sample tenants and data (dev). */
  readonly sampleData: boolean;
  /** HorizontalPodAutoscalers on application services. */
  readonly autoscaling: boolean;
  /** Spread data services across zones (needs a zoned cluster). */
  readonly zoneSpread: boolean;
  /** Logical pg_dump backups and WAL archiving to object storage. */
  readonly backups: boolean;
}

export interface DisasterRecoveryConfig {
  /** The environment this one stands by for. */
  readonly standbyOf: EnvironmentName;
  /** Set by `npm run failover`: data services are promoted and workloads scale up. */
  readonly failover: boolean;
}

export interface EnvironmentConfig {
  readonly name: EnvironmentName;
  readonly description: string;
  readonly cloudProfile: CloudProfileName;
  readonly region: string;
  /** Public base domain; services live at `<service>.<baseDomain>`. */
  readonly baseDomain: string;
  /** Private registry prefix every image is pulled through (e.g. Harbor). */
  readonly imageRegistry: string;
  /** Image pins, `repository:tag` or `repository@sha256:...`, relative to imageRegistry. */
  readonly images: Readonly<Record<string, string>>;
  /** Helm chart version pins of the add-ons. */
  readonly chartVersions: Readonly<Record<string, string>>;
  readonly nodePools: Readonly<Record<WorkloadClass, NodePoolConfig>>;
  readonly scale: ScaleConfig;
  readonly sizes: SizesConfig;
  readonly features: FeatureFlags;
  readonly gitops: GitOpsConfig;
  /** Present only on a disaster-recovery environment. @default - not a DR environment */
  readonly dr?: DisasterRecoveryConfig;
}

/** Recursively optional: the shape of `environments/overrides/<env>.yaml`. */
export type DeepPartial<T> = { -readonly [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] };
