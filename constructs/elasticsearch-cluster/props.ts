import { DataServiceProps } from '../lib/contract';
import { INetworkPeer } from '../lib/network';
import { Resources } from '../lib/resources';
import { TlsProps } from '../lib/tls';

/** HTTP (REST) port of every node. */
export const HTTP_PORT = 9200;
/** Transport port: node-to-node traffic, TLS always. */
export const TRANSPORT_PORT = 9300;
/** `readiness.port` (ES >= 8.2): open while the node has joined a cluster and can serve. */
export const READINESS_PORT = 8080;
/** prometheus-community elasticsearch_exporter. */
export const EXPORTER_PORT = 9114;
/** UID and GID of user `elasticsearch` in the official image (GID 1000 is its own group; the image's files are group root but owned by 1000). */
export const ELASTICSEARCH_UID = 1000;
export const ELASTICSEARCH_GID = 1000;
/** Heap cap: above ~31Gi the JVM loses compressed object pointers (elastic.co "Set the JVM heap size"). */
export const MAX_HEAP_BYTES = 31 * 1024 ** 3;

/** One kind of node: how many, how big, and (for stateful roles) the volume. */
export interface NodeSetProps {
  /** Pods of this node set. @default - master 3, coordinating 2 (data: the base `replicas`) */
  readonly replicas?: number;
  /** Resources of each node; the heap is `heapRatio` of its memory limit. @default - master Resources.MEDIUM, coordinating Resources.MEDIUM */
  readonly resources?: Resources;
  /** Volume of each master node (cluster state only). @default '4Gi' */
  readonly storageSize?: string;
}

/** One ILM policy and the index template (data stream) that uses it: hot -> warm -> delete. */
export interface IlmPolicyProps {
  /** Policy and index template name, e.g. `logs`. A lower-case name. */
  readonly name: string;
  /** Index patterns of the data streams it governs, e.g. `['logs-*']`. */
  readonly indexPatterns: readonly string[];
  /** Roll over the write index after this many days. @default 1 */
  readonly rolloverMaxAgeDays?: number;
  /** ...or when a primary shard reaches this size in GB. @default 50 */
  readonly rolloverMaxPrimaryShardSizeGb?: number;
  /** Move to warm (force-merged to one segment, read-only) this many days after rollover. @default 7 */
  readonly warmAfterDays?: number;
  /** Delete this many days after rollover; more than warmAfterDays. */
  readonly deleteAfterDays: number;
  /** Priority of the index template over others matching the same names. @default 200 */
  readonly templatePriority?: number;
}

/** Snapshots to an S3 store (MinIO) through the bundled `repository-s3` module, and the SLM policy. */
export interface SnapshotProps {
  /** The S3 endpoint, e.g. `http://minio.storage-minio.svc:9000` (MinIO: path-style access is used). */
  readonly endpoint: string;
  readonly bucket: string;
  /** Folder in the bucket. @default - the cluster name */
  readonly basePath?: string;
  /** Key of the store entry with properties `access-key-id` and `secret-access-key` (in the keystore, never in a file). */
  readonly credentialsRemoteKey: string;
  /** The store's pods, for the nodes' egress policy (the store admits them on its side). @default - any destination on the port */
  readonly networkPeer?: INetworkPeer;
  /** Repository name. @default 'minio' */
  readonly repository?: string;
  /** SLM schedule, an Elasticsearch cron expression (with seconds). @default '0 30 1 * * ?' (01:30 daily) */
  readonly schedule?: string;
  /** Delete snapshots older than this many days (SLM retention). @default 30 */
  readonly retentionDays?: number;
  /** Keep at least this many. @default 5 */
  readonly minCount?: number;
  /** Keep at most this many. @default 50 */
  readonly maxCount?: number;
}

/**
 * An ElasticsearchCluster on the data-service contract (`DataServiceProps`). In its terms: `name`
 * is the base of every object (`<name>-master`, `<name>-data`, `<name>-http`...; at most 30
 * characters), `replicas` the data nodes (default 2), `resources` and `storage` those of a data
 * node (default Resources.LARGE, 50Gi), `image` is required (pinned; official
 * `docker.elastic.co/elasticsearch/elasticsearch:8.x`, >= 8.2 for the readiness port), `monitoring`
 * runs the prometheus-community elasticsearch_exporter sidecar with a ServiceMonitor
 * (`monitoring.exporterImage` is required while it is on), `podSecurity` defaults to uid/gid 1000.
 */
export interface ElasticsearchClusterProps extends DataServiceProps {
  /** One node with every role and `discovery.type: single-node`, for development: no master, data or coordinating sets. @default false */
  readonly singleNode?: boolean;
  /** Dedicated master-eligible nodes: an odd count, 3 or more. @default { replicas: 3, resources: Resources.MEDIUM, storageSize: '4Gi' } */
  readonly masters?: NodeSetProps;
  /** Coordinating-only nodes that take client traffic; `replicas: 0` sends clients to the data nodes. @default { replicas: 2, resources: Resources.MEDIUM } */
  readonly coordinating?: NodeSetProps;
  /** JVM heap as a share of each node's memory limit (capped at 31Gi). @default 0.5 */
  readonly heapRatio?: number;
  /**
   * Let Lucene memory-map index files. `true` needs `vm.max_map_count >= 262144` on every node,
   * set at node level (a sysctl in the node image or a node-tuning operator): pods here never run
   * a privileged init container. @default false (`node.store.allow_mmap: false`, niofs)
   */
  readonly allowMmap?: boolean;
  /** TLS of the HTTP layer (cert-manager). Transport TLS is always on: security needs it. @default - on, a CA per cluster */
  readonly tls?: TlsProps;
  /** Snapshots to S3 with an SLM policy. @default - none */
  readonly snapshot?: SnapshotProps;
  /** ILM policies with their index templates. @default - none */
  readonly ilmPolicies?: readonly IlmPolicyProps[];
  /** Key of the store entry with properties `elastic-password` and `monitoring-password`. @default `elasticsearch/<namespace>/<name>` */
  readonly secretRemoteKey?: string;
  /**
   * Zones of the data nodes: one data StatefulSet per zone (`<name>-data-<zone>`, `replicas` pods
   * each, pinned by `topology.kubernetes.io/zone`), each node tagged `node.attr.zone`, and shard
   * allocation aware of `zone` as well as `k8s_node_name`. A pod cannot read its node's labels, so
   * the zone is known per StatefulSet, as ECK does it with one nodeSet per zone.
   * @default - one data StatefulSet; awareness of `k8s_node_name` only
   */
  readonly dataZones?: readonly string[];
  /** Resources of the exporter sidecar. @default Resources.NANO */
  readonly exporterResources?: Resources;
  /** The cluster's DNS domain. @default 'cluster.local' */
  readonly clusterDomain?: string;
}
