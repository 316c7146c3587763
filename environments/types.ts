/**
 * The typed description of one environment. `environments/<env>.ts` holds the structure;
 * `environments/<env>.yaml` holds the data that tools edit (image and chart pins,
 * the DR failover flag) and any local override. Both are merged and checked against
 * `environments/schema/environment.schema.json` before any construct is built. That schema is
 * generated from these types (`npm run schema`); a test fails when it drifts.
 */

import { AppsConfig } from '../charts/app-core/config';
import { ClickHouseConfig } from '../charts/db-clickhouse/config';
import { PostgresConfig } from '../charts/db-postgres/config';
import { ElasticsearchConfig } from '../charts/db-elasticsearch/config';
import { KafkaConfig } from '../charts/app-integration/config';
import { EdgeConfig } from '../charts/ingress/config';
import { RedisConfig } from '../charts/db-redis/config';
import { MinioConfig } from '../charts/storage-minio/config';
import { ModelServerConfig } from '../charts/app-agents/config';
import { AddonsConfig } from '../charts/addons/config';
import { ResourcePresetName } from '../constructs/lib/resources';

export type {
  AppsConfig,
  ClickHouseConfig,
  EdgeConfig,
  ElasticsearchConfig,
  KafkaConfig,
  MinioConfig,
  ModelServerConfig,
  PostgresConfig,
  RedisConfig,
  ResourcePresetName,
};

export const ENVIRONMENT_NAMES = ['dev', 'staging', 'prod', 'dr'] as const;
export type EnvironmentName = (typeof ENVIRONMENT_NAMES)[number];

export const CLOUD_PROFILE_NAMES = ['onprem-k3s', 'onprem-kubeadm', 'aws', 'azure', 'gcp'] as const;
export type CloudProfileName = (typeof CLOUD_PROFILE_NAMES)[number];

/** Workload classes: each maps to a node pool. */
export const WORKLOAD_CLASSES = ['general', 'data', 'compute', 'gpu'] as const;
export type WorkloadClass = (typeof WORKLOAD_CLASSES)[number];

export { RESOURCE_PRESETS } from '../constructs/lib/resources';

/** @minLength 1 */
export type NonEmptyString = string;

/**
 * A Kubernetes object name (DNS subdomain).
 * @maxLength 253
 * @pattern ^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$
 */
export type ObjectName = string;

/**
 * An https URL.
 * @pattern ^https://[^\s]+$
 */
export type HttpsUrl = string;

/**
 * An image pin: repository:tag (not latest) or repository@sha256:<64 hex>.
 * @pattern ^[a-z0-9]([a-z0-9._/-]*[a-z0-9])?(:(?!latest$)[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|@sha256:[a-f0-9]{64})$
 */
export type PinnedImage = string;

/**
 * A Helm chart version.
 * @pattern ^v?[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.-]+)?$
 */
export type ChartVersion = string;

export interface TolerationConfig {
  readonly key: NonEmptyString;
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
  /**
   * Cron expression for the window start.
   * @pattern ^\S+( \S+){4}$
   */
  readonly schedule: string;
  /**
   * e.g. `2h`.
   * @pattern ^[0-9]+(m|h)$
   */
  readonly duration: string;
  readonly timeZone: NonEmptyString;
}

export interface SyncConfig {
  /** automated: the controller applies every commit; manual: a person syncs; disabled: never. */
  readonly mode: 'automated' | 'manual' | 'disabled';
  readonly prune: boolean;
  readonly selfHeal: boolean;
  /** A person approves each sync (prod). */
  readonly approvalGate: boolean;
  /**
   * SSO groups allowed to sync behind the approval gate (Argo CD project role). Absent: bind them in Argo CD.
   * @minItems 1
   */
  readonly approverGroups?: readonly NonEmptyString[];
  readonly syncWindows: readonly SyncWindowConfig[];
  /** One preview of this environment per open pull request (dev only). */
  readonly pullRequestPreviews: boolean;
}

/** Where the Argo CD pull-request generator finds open pull requests (dev previews). */
export interface PullRequestSourceConfig {
  readonly provider: 'github' | 'gitlab' | 'gitea';
  /** API base URL of the Git server, e.g. `https://api.github.com` or `https://gitlab.example.com`. */
  readonly api: HttpsUrl;
  /**
   * `owner/repo` (GitHub, Gitea) or the project path `group/project` (GitLab).
   * @pattern ^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)+$
   */
  readonly repository: string;
  /** Secret in the `argocd` namespace holding the API token under the key `token`. */
  readonly tokenSecret: ObjectName;
  /** Only pull requests carrying all of these labels get a preview (empty: every open one). */
  readonly labels: readonly NonEmptyString[];
}

export interface GitOpsConfig {
  /** @pattern ^(https://|ssh://|git@)[^\s]+$ */
  readonly repoUrl: string;
  /**
   * Branch or tag the controller reads `dist/<env>` from.
   * @minLength 1
   * @pattern ^[^\s]+$
   */
  readonly targetRevision: string;
  /** API server of the destination cluster, as registered in Argo CD. */
  readonly clusterServer: HttpsUrl;
  /**
   * Secret in `flux-system` with the credentials Flux reads the repository with
   * (`flux create secret git`). Argo CD keeps its own repository credentials. Absent: a public repository.
   */
  readonly credentialsSecret?: ObjectName;
  /** Needed when `sync.pullRequestPreviews` is on. Absent: no previews possible. */
  readonly pullRequests?: PullRequestSourceConfig;
  readonly sync: SyncConfig;
}

export interface FeatureFlags {
  /** HorizontalPodAutoscalers on application services. */
  readonly autoscaling: boolean;
  /** Spread data services across zones (needs a zoned cluster). */
  readonly zoneSpread: boolean;
  /** Logical pg_dump backups and WAL archiving to object storage. */
  readonly backups: boolean;
  /**
   * Istio service mesh on the meshed namespaces (sidecar injection, STRICT mTLS, AuthorizationPolicies
   * mirroring the NetworkPolicies, DestinationRules): needs istiod and the Istio CNI node agent in
   * the cluster. See docs/mesh.md.
   */
  readonly mesh: boolean;
}

export interface DisasterRecoveryConfig {
  /** The environment this one stands by for. */
  readonly standbyOf: EnvironmentName;
  /** Set by `npm run failover`: data services are promoted and workloads scale up. */
  readonly failover: boolean;
  /** Where the DR PostgreSQL standby follows the primary environment's cluster from. */
  readonly postgres: DisasterRecoveryPostgres;
}

export interface DisasterRecoveryPostgres {
  /**
   * DNS name of the primary's replication endpoint (a load balancer in front of its leader), port 5432.
   * @pattern ^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$
   */
  readonly primaryHost: string;
  /**
   * S3 endpoint of the primary region's object storage, where the primary archives WAL. Never this
   * environment's own MinIO.
   * @pattern ^https?://[^\s/]+(:[0-9]+)?$
   */
  readonly archiveEndpoint: string;
}

export interface EnvironmentConfig {
  readonly name: EnvironmentName;
  readonly description: NonEmptyString;
  readonly cloudProfile: CloudProfileName;
  /**
   * The cluster's DNS domain (kubelet `--cluster-domain`): the suffix of every in-cluster name we
   * render, such as the Redis pods Sentinel announces. @default 'cluster.local'
   * @pattern ^([a-z0-9]([-a-z0-9]*[a-z0-9])?[.])*[a-z0-9]([-a-z0-9]*[a-z0-9])?$
   */
  readonly clusterDomain?: string;
  /**
   * Private registry prefix every image is pulled through (e.g. Harbor): host[:port]/path, no scheme, no trailing slash.
   * @pattern ^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]+)?(/[a-z0-9]([a-z0-9._-]*[a-z0-9])?)*$
   */
  readonly imageRegistry: string;
  /** Image pins by key (`^[a-z][a-zA-Z0-9]*$`), relative to imageRegistry. */
  readonly images: Readonly<Record<string, PinnedImage>>;
  /** Helm chart version pins of the add-ons, by chart key (`^[a-z][a-z0-9-]*$`). */
  readonly chartVersions: Readonly<Record<string, ChartVersion>>;
  readonly nodePools: Readonly<Record<WorkloadClass, NodePoolConfig>>;
  readonly features: FeatureFlags;
  /** One block per service: each block's type lives next to its chart. */
  readonly apps: AppsConfig;
  readonly postgres: PostgresConfig;
  readonly redis: RedisConfig;
  readonly elasticsearch: ElasticsearchConfig;
  readonly minio: MinioConfig;
  /** The GPU model server of app-agents (deepseek-r1). */
  readonly modelServer: ModelServerConfig;
  readonly clickhouse: ClickHouseConfig;
  readonly kafka: KafkaConfig;
  /** Public hosts, certificates, WAF and API gateway limits (charts ingress, cert-manager, app-frontend, app-core). */
  readonly edge: EdgeConfig;
  /** What the cluster add-ons' Helm values need (MetalLB addresses, secret manager, Prometheus, Grafana). */
  readonly addons: AddonsConfig;
  readonly gitops: GitOpsConfig;
  /** Present only on a disaster-recovery environment. */
  readonly dr?: DisasterRecoveryConfig;
}

/** Recursively optional: the shape of `environments/<env>.yaml`. */
export type DeepPartial<T> = { -readonly [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] };
