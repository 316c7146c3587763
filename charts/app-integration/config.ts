import { ResourcePresetName } from '../../constructs/lib/resources';

/**
 * The `kafka` block of an environment (`environments/<env>.ts`): the scale and size of the Kafka
 * cluster in the `app-integration` chart. The JSON schema is generated from this type
 * (`npm run schema`).
 */
export interface KafkaConfig {
  /**
   * Combined controller+broker nodes: 1 (dev: replication factor 1, no failover) or an odd
   * count of 3 and more (replication factor 3, min.insync.replicas 2); KafkaCluster refuses even counts.
   * @asType integer
   * @minimum 1
   * @maximum 9
   */
  readonly replicas: number;
  /** Resource preset of each node; the heap is half its memory limit. */
  readonly size: ResourcePresetName;
  /**
   * Data volume of each node, in GiB.
   * @asType integer
   * @minimum 1
   * @maximum 65536
   */
  readonly storageGi: number;
  /**
   * The KRaft cluster id (`kafka-storage.sh random-uuid`), fixed per environment: every node
   * formats its volume for it. Never change it on a running cluster.
   * @pattern ^[A-Za-z0-9_][A-Za-z0-9_-]{21}$
   */
  readonly clusterId: string;
}
