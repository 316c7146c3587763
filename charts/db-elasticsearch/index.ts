import { App, Size } from 'cdk8s';
import { ElasticsearchCluster } from '../../constructs/elasticsearch-cluster';
import { Resources } from '../../constructs/lib/resources';
import { s3Address } from '../../constructs/lib/s3-endpoint';
import { imageRef } from '../../environments/derive';
import { EnvironmentConfig } from '../../environments/types';
import { PlatformChart } from '../platform-chart';
import { appClients, MINIO_S3, MinioBackupWriter, MONITORING_NAMESPACE, namespacePeer, SECRET_STORE } from '../shared';

/** The namespace of the chart. */
export const ELASTICSEARCH_NAMESPACE = 'db-elasticsearch';
/** The snapshot target: MinIO's S3 API in `storage-minio`, which admits this namespace (charts/storage-minio). */
const MINIO = s3Address(MINIO_S3);
/** Bucket of the snapshots (SLM keeps their retention; no age expiry): below `<env>/elasticsearch`. */
export const ELASTICSEARCH_BACKUP_BUCKET = 'elasticsearch-snapshots';

/** Whether the environment snapshots Elasticsearch: `features.backups`. */
export function elasticsearchSnapshots(config: EnvironmentConfig): boolean {
  return config.features.backups;
}

/** Where Elasticsearch snapshots in MinIO (`elasticsearch-snapshots/<env>/elasticsearch`), when it does. */
export function elasticsearchSnapshotWriter(config: EnvironmentConfig): MinioBackupWriter | undefined {
  return elasticsearchSnapshots(config)
    ? {
        namespace: ELASTICSEARCH_NAMESPACE,
        bucket: ELASTICSEARCH_BACKUP_BUCKET,
        prefix: `${config.name}/elasticsearch`,
        credentialsRemoteKey: `${config.name}/db-elasticsearch/snapshot-s3`,
      }
    : undefined;
}

/**
 * `db-elasticsearch`: the search and log store at the environment's scale.
 *
 * - dev: one all-roles node, HTTP TLS as the environment's TLS feature says, no snapshots.
 * - staging, prod: 3 dedicated masters, data nodes, 2 coordinating nodes that take client traffic,
 *   snapshots to MinIO (`elasticsearch-snapshots/<env>/elasticsearch`) with an SLM policy when `features.backups`.
 * - every environment: an ILM policy `logs` (hot rollover daily or at 50 GB, warm after 7 days,
 *   delete after `elasticsearch.logRetentionDays`) on data streams `logs-*`.
 *
 * Secrets in the store: `<env>/db-elasticsearch/credentials` (elastic-password,
 * monitoring-password) and `<env>/db-elasticsearch/snapshot-s3` (access-key-id, secret-access-key
 * of a MinIO user that may write the bucket).
 */
export class DbElasticsearchChart extends PlatformChart {
  public readonly elasticsearch: ElasticsearchCluster;

  constructor(scope: App, config: EnvironmentConfig) {
    super(scope, ELASTICSEARCH_NAMESPACE, { config, namespace: ELASTICSEARCH_NAMESPACE });
    const es = config.elasticsearch;
    const snapshots = elasticsearchSnapshotWriter(config);
    this.elasticsearch = new ElasticsearchCluster(this, 'Elasticsearch', {
      name: 'elasticsearch',
      namespace: this.ns.name,
      image: imageRef(config, 'elasticsearch'),
      singleNode: es.singleNode,
      replicas: es.dataNodes,
      resources: Resources.PRESETS[es.dataSize],
      storage: { size: Size.gibibytes(es.dataStorageGi), storageClass: this.cloud.storageClass },
      ...(es.singleNode
        ? {}
        : {
            masters: { replicas: es.masters, resources: Resources.PRESETS[es.masterSize] },
            coordinating: { replicas: es.coordinatingNodes, resources: Resources.PRESETS[es.coordinatingSize] },
          }),
      nodePool: this.nodePool('data'),
      zoneSpread: config.features.zoneSpread && this.cloud.supportsZones,
      secretStore: SECRET_STORE,
      secretRemoteKey: `${config.name}/db-elasticsearch/credentials`,
      monitoring: { exporterImage: imageRef(config, 'elasticsearchExporter'), scrapers: [namespacePeer(MONITORING_NAMESPACE)] },
      ilmPolicies: [{ name: 'logs', indexPatterns: ['logs-*'], deleteAfterDays: es.logRetentionDays }],
      snapshot: snapshots
        ? {
            endpoint: MINIO.url,
            bucket: snapshots.bucket,
            basePath: snapshots.prefix,
            credentialsRemoteKey: snapshots.credentialsRemoteKey,
            networkPeer: MINIO,
            retentionDays: es.snapshotRetentionDays,
          }
        : undefined,
      clusterDomain: config.clusterDomain,
    });
    this.elasticsearch.allowFrom(...appClients('elasticsearch'));
  }
}
