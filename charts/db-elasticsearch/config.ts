import { ResourcePresetName } from '../../constructs/lib/resources';

/**
 * The `elasticsearch` block of an environment (`environments/<env>.ts`): the scale and size of the
 * `db-elasticsearch` chart. The JSON schema is generated from this type (`npm run schema`).
 */
export interface ElasticsearchConfig {
  /** One all-roles node (development); the master and coordinating fields are then ignored. */
  readonly singleNode: boolean;
  /**
   * Dedicated master nodes: odd, 3 or more (ElasticsearchCluster refuses an even count).
   * @asType integer
   * @minimum 1
   * @maximum 7
   */
  readonly masters: number;
  /**
   * Data nodes (the single node in development).
   * @asType integer
   * @minimum 1
   * @maximum 30
   */
  readonly dataNodes: number;
  /**
   * Coordinating-only nodes that take client traffic: 0 or 2 and more.
   * @asType integer
   * @minimum 0
   * @maximum 10
   */
  readonly coordinatingNodes: number;
  /** Resource preset of each master node. */
  readonly masterSize: ResourcePresetName;
  /** Resource preset of each data node; the heap is half its memory limit. */
  readonly dataSize: ResourcePresetName;
  /** Resource preset of each coordinating node. */
  readonly coordinatingSize: ResourcePresetName;
  /**
   * Data volume of each data node, in GiB.
   * @asType integer
   * @minimum 1
   * @maximum 65536
   */
  readonly dataStorageGi: number;
  /**
   * Days the platform's logs are kept (ILM delete phase of `logs-*`); after the warm phase at 7 days.
   * @asType integer
   * @minimum 8
   * @maximum 3650
   */
  readonly logRetentionDays: number;
  /**
   * Days snapshots are kept (SLM retention), when the environment backs up.
   * @asType integer
   * @minimum 1
   * @maximum 3650
   */
  readonly snapshotRetentionDays: number;
}
