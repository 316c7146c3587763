import { App, Size } from 'cdk8s';
import { ClickHouseCluster } from '../../constructs/clickhouse-cluster';
import { HTTP_PORT, NATIVE_PORT } from '../../constructs/clickhouse-cluster/props';
import { ClientEndpoint } from '../../constructs/lib/workload/endpoint';
import { Resources } from '../../constructs/lib/resources';
import { s3Address } from '../../constructs/lib/s3-endpoint';
import { imageRef } from '../../environments/derive';
import { EnvironmentConfig } from '../../environments/types';
import { INTEGRATION_NAMESPACE, kafkaClient } from '../app-integration';
import { PlatformChart } from '../platform-chart';
import { appClients, assertEndpointServed, MINIO_S3, MinioBackupWriter, MONITORING_NAMESPACE, namespacePeer, SECRET_STORE } from '../shared';

/** The namespace of the chart. */
export const CLICKHOUSE_NAMESPACE = 'db-clickhouse';
/** The backup target: MinIO's S3 API in `storage-minio`, which admits this namespace (charts/storage-minio). */
const MINIO = s3Address(MINIO_S3);
/** Bucket of the ClickHouse backups; each environment writes below `<env>/clickhouse`. */
export const CLICKHOUSE_BACKUP_BUCKET = 'clickhouse-backups';
/** Whether the environment backs up ClickHouse: `features.backups`. */
export function clickhouseBackups(config: EnvironmentConfig): boolean {
  return config.features.backups;
}

/** Where ClickHouse backs up in MinIO (`clickhouse-backups/<env>/clickhouse`), when it does. */
export function clickhouseBackupWriter(config: EnvironmentConfig): MinioBackupWriter | undefined {
  return clickhouseBackups(config)
    ? {
        namespace: CLICKHOUSE_NAMESPACE,
        bucket: CLICKHOUSE_BACKUP_BUCKET,
        prefix: `${config.name}/clickhouse`,
        credentialsRemoteKey: `${config.name}/db-clickhouse/backup-s3`,
        // Each BACKUP is a full, self-contained backup: expiring whole folders by age is safe.
        expireDays: config.clickhouse.backupRetentionDays,
      }
    : undefined;
}

/** The cluster's name and its database, in every environment. */
const CLICKHOUSE_NAME = 'clickhouse';
const CLICKHOUSE_DATABASE = 'analytics';

/**
 * How an application in another chart queries ClickHouse (charts are synthesized apart, so they
 * share this, not the construct): the HTTP interface of the cluster Service as user `app`
 * (read-write, the `app` profile's quota), database `analytics`; the password is the
 * `app-password` property of `<env>/db-clickhouse/credentials`. No TLS: ClickHouse serves plain
 * HTTP inside the cluster, guarded by the NetworkPolicies (docs/constructs/clickhouse-cluster.md).
 * The chart asserts its cluster serves it.
 */
export function clickhouseEndpoint(config: EnvironmentConfig): ClientEndpoint {
  return {
    kind: 'clickhouse',
    host: `${CLICKHOUSE_NAME}.${CLICKHOUSE_NAMESPACE}.svc`,
    port: HTTP_PORT,
    username: 'app',
    password: { remoteKey: clickhouseCredentialsKey(config), property: 'app-password' },
    settings: { DB: CLICKHOUSE_DATABASE },
    peer: {
      peerNamespace: CLICKHOUSE_NAMESPACE,
      peerSelector: {
        'app.kubernetes.io/name': 'clickhouse',
        'app.kubernetes.io/instance': CLICKHOUSE_NAME,
        'app.kubernetes.io/component': 'server',
      },
      ports: [HTTP_PORT, NATIVE_PORT],
    },
  };
}

function clickhouseCredentialsKey(config: EnvironmentConfig): string {
  return `${config.name}/db-clickhouse/credentials`;
}

/**
 * `db-clickhouse`: the analytics store at the environment's scale (dev 1 shard x 1 replica and 1
 * Keeper member; staging and prod 2 x 2 and 3), database `analytics` with the invoice-events path
 * wired end to end: topic `invoice-events` -> Kafka table -> materialized view -> replicated table
 * `invoice_events_local` -> Distributed table `invoice_events` (raw events kept
 * `clickhouse.rawEventsRetentionDays`). Daily backups to MinIO (`clickhouse-backups/<env>/clickhouse`)
 * when `features.backups`.
 *
 * Secrets in the store: `<env>/db-clickhouse/credentials` (admin-password, app-password,
 * cluster-secret, interserver-password) and `<env>/db-clickhouse/backup-s3` (access-key-id,
 * secret-access-key of a MinIO user that may write the bucket).
 */
export class DbClickHouseChart extends PlatformChart {
  public readonly clickhouse: ClickHouseCluster;

  constructor(scope: App, config: EnvironmentConfig) {
    super(scope, CLICKHOUSE_NAMESPACE, { config, namespace: CLICKHOUSE_NAMESPACE });
    const ch = config.clickhouse;
    const backup = clickhouseBackupWriter(config);
    const kafka = kafkaClient(config);
    this.clickhouse = new ClickHouseCluster(this, 'ClickHouse', {
      name: CLICKHOUSE_NAME,
      namespace: this.ns.name,
      image: imageRef(config, 'clickhouse'),
      shards: ch.shards,
      replicas: ch.replicas,
      resources: Resources.PRESETS[ch.size],
      storage: { size: Size.gibibytes(ch.storageGi), storageClass: this.cloud.storageClass },
      keeper: { image: imageRef(config, 'clickhouseKeeper'), replicas: ch.keeperReplicas, resources: Resources.PRESETS[ch.keeperSize] },
      database: CLICKHOUSE_DATABASE,
      nodePool: this.nodePool('data'),
      zoneSpread: config.features.zoneSpread && this.cloud.supportsZones,
      secretStore: SECRET_STORE,
      secretRemoteKey: clickhouseCredentialsKey(config),
      monitoring: { scrapers: [namespacePeer(MONITORING_NAMESPACE)] },
      backup: backup
        ? {
            endpoint: MINIO.url,
            bucket: backup.bucket,
            basePath: backup.prefix,
            credentialsRemoteKey: backup.credentialsRemoteKey,
            networkPeer: MINIO,
            retentionDays: ch.backupRetentionDays,
          }
        : undefined,
      kafka: kafka.login,
      clusterDomain: config.clusterDomain,
    });
    this.declareInvoiceEvents(config, kafka.brokers);
    this.clickhouse.allowFrom(...appClients('clickhouse'));
    assertEndpointServed(this, 'clickhouseEndpoint', clickhouseEndpoint(config), this.clickhouse);
  }

  /** invoice_events (ReplicatedMergeTree + Distributed, monthly partitions, TTL) and its ingestion from Kafka. */
  private declareInvoiceEvents(config: EnvironmentConfig, brokers: string[]): void {
    this.clickhouse.addReplicatedTable({
      name: 'invoice_events',
      columns: [
        { name: 'event_id', type: 'UUID' },
        { name: 'tenant_id', type: 'LowCardinality(String)' },
        { name: 'invoice_id', type: 'String' },
        { name: 'event_type', type: 'LowCardinality(String)' },
        { name: 'amount', type: 'Decimal(18, 2)' },
        { name: 'currency', type: 'LowCardinality(String)' },
        { name: 'occurred_at', type: "DateTime64(3, 'UTC')" },
      ],
      orderBy: ['tenant_id', 'occurred_at', 'invoice_id'],
      partitionBy: 'toYYYYMM(occurred_at)',
      ttl: `occurred_at + INTERVAL ${config.clickhouse.rawEventsRetentionDays} DAY`,
      shardingKey: 'invoice_id',
    });
    this.clickhouse.addKafkaIngestion({
      topic: 'invoice-events',
      table: 'invoice_events',
      format: 'JSONEachRow',
      brokers,
      consumerGroup: 'clickhouse-invoice-events',
      networkPeer: namespacePeer(INTEGRATION_NAMESPACE),
    });
  }
}
