import { App } from 'cdk8s';
import { S3Endpoint } from '../../constructs/lib/s3-endpoint';
import { EnvironmentConfig } from '../../environments/types';
import { clickhouseBackupWriter } from '../db-clickhouse';
import { ELASTICSEARCH_NAMESPACE, elasticsearchSnapshots } from '../db-elasticsearch';
import { POSTGRES_NAMESPACE, postgresBackups } from '../db-postgres';
import { PlatformChart } from '../platform-chart';
import { MINIO_S3, namespacePeer } from '../shared';

/**
 * `storage-minio`: the namespace of the in-cluster object store (closed by default) and the
 * network face of its S3 API. MinIO itself is not deployed from here yet; its S3 endpoint is, so
 * that every backup writer is let in explicitly: db-postgres (WAL archive, base and logical
 * backups) when the environment backs up PostgreSQL, db-elasticsearch (snapshots) and db-clickhouse
 * (`BACKUP ... TO S3`, bucket `clickhouse-backups`) likewise. Each opens its own egress to the same
 * endpoint (`backup.networkPeer`); the gate rule `net.in-cluster-url` checks that both sides exist.
 */
export class StorageMinioChart extends PlatformChart {
  public readonly s3: S3Endpoint;

  constructor(scope: App, config: EnvironmentConfig) {
    super(scope, 'storage-minio', { config, namespace: MINIO_S3.namespace });
    this.s3 = new S3Endpoint(this, 'S3', MINIO_S3);
    if (postgresBackups(config)) {
      this.s3.connections.allowFrom(namespacePeer(POSTGRES_NAMESPACE));
    }
    if (elasticsearchSnapshots(config)) {
      this.s3.connections.allowFrom(namespacePeer(ELASTICSEARCH_NAMESPACE));
    }
    const clickhouse = clickhouseBackupWriter(config);
    if (clickhouse) {
      this.s3.connections.allowFrom(namespacePeer(clickhouse.namespace));
    }
  }
}
