import { DataServiceProps } from '../lib/contract';
import { Resources } from '../lib/resources';

/** The port clients bootstrap from and produce/consume on (listener CLIENT, SASL SCRAM-SHA-512). */
export const CLIENT_PORT = 9092;
/** The KRaft controller listener (CONTROLLER): controllers vote here, brokers fetch metadata here. */
export const CONTROLLER_PORT = 9093;
/** The inter-broker listener (INTERNAL, SASL SCRAM-SHA-512): replication between brokers. */
export const INTERNAL_PORT = 9094;
/** danielqsj/kafka-exporter. */
export const EXPORTER_PORT = 9308;
/** UID and GID of `appuser` in the official apache/kafka image (apache/kafka docker/jvm/Dockerfile). */
export const KAFKA_UID = 1000;
export const KAFKA_GID = 1000;
/** node.id of broker-only pod `i` is `BROKER_ID_OFFSET + i`, so it never collides with a controller's. */
export const BROKER_ID_OFFSET = 100;
/** The only SASL mechanism served: SCRAM with SHA-512 (salted, never the password on the wire). */
export const SASL_MECHANISM = 'SCRAM-SHA-512';

/** Dedicated controllers (`KafkaClusterProps.controllers`): the KRaft quorum in its own StatefulSet. */
export interface ControllerPoolProps {
  /** Controllers: an odd count, 3 or 5. @default 3 */
  readonly replicas?: number;
  /** Resources of each controller. @default Resources.SMALL */
  readonly resources?: Resources;
  /** Metadata volume of each controller. @default '4Gi' */
  readonly storageSize?: string;
}

/** One topic, created by the topics Job (`addTopic`). */
export interface KafkaTopicProps {
  /** Topic name: letters, digits, `.`, `_`, `-`, at most 249 characters, not `.` or `..`. */
  readonly name: string;
  /** Partitions. Only ever raised by hand: a change re-maps keys to partitions. */
  readonly partitions: number;
  /** Replicas of each partition. @default - the cluster's defaultReplicationFactor */
  readonly replicationFactor?: number;
  /** `retention.ms`; -1 keeps forever. @default - the broker default (7 days) */
  readonly retentionMs?: number;
  /** Other topic configs (`cleanup.policy`, `compression.type`, ...), applied with `kafka-configs --alter`. @default - none */
  readonly config?: Readonly<Record<string, string | number>>;
}

/**
 * A KafkaCluster on the data-service contract (`DataServiceProps`): Apache Kafka in KRaft mode.
 * In its terms: `name` is the base of every object (`<name>-broker`, `<name>-bootstrap`, ...; at
 * most 30 characters), `replicas` the brokers (default 3; with combined nodes every broker is
 * also a controller, so the count must be odd), `resources` and `storage` those of a broker
 * (default Resources.MEDIUM, 20Gi), `image` is required (pinned; the official `apache/kafka:3.8.x`),
 * `monitoring` runs danielqsj/kafka-exporter as a Deployment with a ServiceMonitor
 * (`monitoring.exporterImage` is required while it is on), `podSecurity` defaults to uid/gid 1000.
 */
export interface KafkaClusterProps extends DataServiceProps {
  /**
   * The KRaft cluster id, a base64url UUID of 22 characters (`kafka-storage.sh random-uuid`). Fixed
   * in code so that every pod formats its volume for the same cluster; never change it on a live
   * cluster.
   */
  readonly clusterId: string;
  /** Dedicated controllers in their own StatefulSet; brokers are then broker-only. @default - combined controller+broker nodes */
  readonly controllers?: ControllerPoolProps;
  /** `default.replication.factor` and the internal topics' replication. @default - min(3, brokers) */
  readonly defaultReplicationFactor?: number;
  /** `min.insync.replicas`: acks=all writes fail below this. @default - min(2, defaultReplicationFactor) */
  readonly minInsyncReplicas?: number;
  /** JVM heap as a share of each pod's memory limit; the rest is page cache. @default 0.5 */
  readonly heapRatio?: number;
  /** Key of the store entry with properties `admin-password`, `app-password`, `monitor-password`. @default `kafka/<namespace>/<name>` */
  readonly secretRemoteKey?: string;
  /** Resources of the exporter. @default Resources.NANO */
  readonly exporterResources?: Resources;
  /** The cluster's DNS domain (pod names in the voters list and the advertised listeners). @default 'cluster.local' */
  readonly clusterDomain?: string;
}
