import { Size } from 'cdk8s';
import { DataServiceProps } from '../lib/contract';
import { Resources } from '../lib/resources';
import { TlsProps } from '../lib/tls';

/** S3 API port: clients, node-to-node traffic, health and metrics. */
export const API_PORT = 9000;
/** Embedded console (`--console-address`). */
export const CONSOLE_PORT = 9001;
/** UID and GID the pods run as: those of the MinIO chart (the image runs as root unless told). */
export const MINIO_UID = 1000;
export const MINIO_GID = 1000;

/** One server pool: a StatefulSet of `replicas` pods with `drivesPerPod` volumes each. */
export interface MinioPoolProps {
  /** Pods of the pool. One pod (development) uses the local form `/data{0...M-1}` and cannot be combined with other pools. */
  readonly replicas: number;
  /** Volumes (drives) of each pod: one PVC each. @default 1 */
  readonly drivesPerPod?: number;
  /** Size of each drive. @default - the construct's `storage.size` */
  readonly size?: Size | string;
}

/** A bucket, created by the setup Job and kept as declared on every run. */
export interface BucketProps {
  /** S3 bucket name: 3-63 lower-case letters, digits, `-` and `.`, not an IP address, no `..`, not `xn--`/`-s3alias`. */
  readonly name: string;
  /** Keep every version of every object. @default false (never suspended by the Job once enabled) */
  readonly versioning?: boolean;
  /** Object lock (WORM), set at creation only: MinIO cannot add it to an existing bucket. Implies versioning. @default false */
  readonly objectLock?: boolean;
  /** Expire current objects this many days after creation (an ILM rule, the bucket's whole lifecycle). @default - no lifecycle */
  readonly lifecycle?: { readonly expireDays: number };
  /** Hard quota, e.g. '500Gi'. @default - none */
  readonly quota?: string;
}

/** One statement of an IAM policy (the AWS policy grammar MinIO implements). */
export interface PolicyStatement {
  /** @default 'Allow' */
  readonly effect?: 'Allow' | 'Deny';
  /** S3 actions, e.g. `s3:GetObject`, `s3:*`. */
  readonly actions: readonly string[];
  /** ARNs, e.g. `arn:aws:s3:::backups/*`. */
  readonly resources: readonly string[];
}

/** A named IAM policy, created (or replaced) by the setup Job. */
export interface PolicyProps {
  /** Policy name: letters, digits, `-`, `_`, `.`. */
  readonly name: string;
  readonly statements: readonly PolicyStatement[];
}

/** A MinIO user whose access and secret keys live in the secret store, with the policies attached to it. */
export interface UserProps {
  /** Name of the user in this construct (the ExternalSecret is `<name>-user-<name>`): a DNS label. The access key itself is secret. */
  readonly name: string;
  /** Store key with properties `access-key-id` and `secret-access-key` (the same entry the client reads). */
  readonly credentialsRemoteKey: string;
  /** Policies attached to the user: names of `addPolicy` policies. */
  readonly policies: readonly string[];
}

/**
 * A MinioDistributed on the data-service contract (`DataServiceProps`). In its terms: `name` is
 * the base of every object (`<name>`, `<name>-hl`, `<name>-root`...; at most 40 characters),
 * `replicas` the pods of the first pool (default 4), `storage.size` the size of each drive
 * (default 10Gi), `resources` those of each pod (default Resources.MEDIUM), `image` is required
 * (pinned; the community images left Docker Hub, `quay.io/minio/minio:RELEASE...` still serves
 * them), `monitoring` emits a ServiceMonitor on the metrics v3 endpoint with a bearer token from
 * the store (no exporter image: MinIO serves its own metrics), `podSecurity` defaults to uid/gid 1000.
 */
export interface MinioDistributedProps extends DataServiceProps {
  /** Drives of each pod of the first pool (one PVC each). At least 4 drives in total. @default 1 */
  readonly drivesPerPod?: number;
  /**
   * Parity drives per erasure set of the standard storage class (`MINIO_STORAGE_CLASS_STANDARD=EC:<parity>`),
   * from 1 to half the set. Every pool must accept it.
   * @default - MinIO's: 2 for sets of 4-5 drives, 3 for 6-7, 4 for 8-16 (of the first pool)
   */
  readonly parity?: number;
  /** `mc` image of the setup Job, pinned. Required: it is a supply-chain decision as the server image is. */
  readonly mcImage: string;
  /** TLS on the S3 API (cert-manager; `--certs-dir`). @default - on, a CA per deployment */
  readonly tls?: TlsProps;
  /** Store key with properties `root-user` and `root-password`. @default `minio/<namespace>/<name>` */
  readonly rootRemoteKey?: string;
  /** Store key with property `prometheus-token`: the JWT `mc admin prometheus generate` prints. @default `<rootRemoteKey>-metrics` */
  readonly metricsTokenRemoteKey?: string;
  /** The cluster's DNS domain, in the endpoint URLs. @default 'cluster.local' */
  readonly clusterDomain?: string;
  /** Resources of the setup Job. @default Resources.NANO */
  readonly setupResources?: Resources;
}
