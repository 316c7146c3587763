import { App, Size } from 'cdk8s';
import { Resources } from '../../constructs/lib/resources';
import { bucketReadOnly, bucketReadWrite, MinioDistributed } from '../../constructs/minio-distributed';
import { imageRef } from '../../environments/derive';
import { EnvironmentConfig } from '../../environments/types';
import { clickhouseBackupWriter } from '../db-clickhouse';
import { elasticsearchSnapshotWriter } from '../db-elasticsearch';
import { postgresBackupWriter } from '../db-postgres';
import { Tenant, tenantsOf } from '../../environments/tenants';
import { PlatformChart } from '../platform-chart';
import { tenantBucketProps, tenantNamespace, tenantRemoteKey } from '../tenants/names';
import { MINIO_S3, MinioBackupWriter, MinioReader, MONITORING_NAMESPACE, namespacePeer, SECRET_STORE } from '../shared';
import { modelServerReader } from '../app-agents/model-servers';

/** Invoice documents: versioned, object lock (WORM) for the audit trail. */
export const INVOICES_BUCKET = 'invoices';
/** Backup files written whole (exports, dumps), expired after `minio.backupRetentionDays`. */
export const BACKUPS_BUCKET = 'backups';
export const LOGS_BUCKET = 'logs';

/**
 * `storage-minio`: distributed MinIO at the environment's scale (`config.minio`), the S3 API every
 * backup is written to, at `minio.storage-minio.svc:9000` (MINIO_S3, which db-postgres,
 * db-elasticsearch and db-clickhouse name as their backup endpoint; the gate rule `net.in-cluster-url` checks both
 * sides). Buckets `invoices`, `backups`, `logs`, and one per backup writer whose tool keeps its
 * own retention (WAL-G, Elasticsearch SLM, ClickHouse `BACKUP`: an age expiry would delete files that newer backups
 * still reference). Each writer is a MinIO user whose keys are the same store entry it reads,
 * with read-write on its own folder only, and is let in by a NetworkPolicy. Readers likewise, read
 * only: the model servers of app-agents read the `models` bucket (`modelServerReader`), which
 * someone fills with `mc mirror` (docs/constructs/model-server.md).
 *
 * TLS is off: the backup clients speak plain HTTP to MINIO_S3 today, and would need the CA and
 * an https endpoint first (docs/constructs/minio-distributed.md).
 *
 * Secrets in the store: `<env>/storage-minio/root` (root-user, root-password) and
 * `<env>/storage-minio/metrics` (prometheus-token, from `mc admin prometheus generate`).
 */
export class StorageMinioChart extends PlatformChart {
  public readonly minio: MinioDistributed;

  constructor(scope: App, config: EnvironmentConfig, tenants: readonly Tenant[] = []) {
    super(scope, 'storage-minio', { config, namespace: MINIO_S3.namespace });
    const m = config.minio;
    this.minio = new MinioDistributed(this, 'Minio', {
      name: MINIO_S3.service,
      namespace: this.ns.name,
      image: imageRef(config, 'minio'),
      mcImage: imageRef(config, 'minioMc'),
      replicas: m.replicas,
      drivesPerPod: m.drivesPerPod,
      resources: Resources.PRESETS[m.size],
      storage: { size: Size.gibibytes(m.driveStorageGi), storageClass: this.cloud.storageClass },
      nodePool: this.nodePool('data'),
      zoneSpread: config.features.zoneSpread && this.cloud.supportsZones,
      secretStore: SECRET_STORE,
      rootRemoteKey: `${config.name}/storage-minio/root`,
      metricsTokenRemoteKey: `${config.name}/storage-minio/metrics`,
      monitoring: { scrapers: [namespacePeer(MONITORING_NAMESPACE)] },
      tls: { enabled: false },
      clusterDomain: config.clusterDomain,
    });
    this.minio.addBucket({ name: INVOICES_BUCKET, versioning: true, objectLock: true });
    this.minio.addBucket({ name: BACKUPS_BUCKET, lifecycle: { expireDays: m.backupRetentionDays } });
    this.minio.addBucket({ name: LOGS_BUCKET });
    for (const writer of [postgresBackupWriter(config), elasticsearchSnapshotWriter(config), clickhouseBackupWriter(config)]) {
      if (writer) {
        this.addWriter(writer);
      }
    }
    this.addReader(modelServerReader(config));
    // A bucket per tenant: versioned, with the plan's quota, and a user that can use it alone.
    // Kept when the tenant is removed (README "Tenants": decommission).
    for (const t of tenantsOf(config.name, tenants)) {
      const b = tenantBucketProps(t);
      this.minio.addBucket({ name: b.bucket, versioning: true, quota: b.quota });
      this.minio.addPolicy({ name: b.policy, statements: b.statements });
      this.minio.addUser({ name: b.user, credentialsRemoteKey: tenantRemoteKey(config, t, 's3'), policies: [b.policy] });
      this.minio.allowFrom(namespacePeer(tenantNamespace(t)));
    }
  }

  /** A reader: its bucket (once), a read-only policy on it, its user, and its NetworkPolicy. */
  private addReader(r: MinioReader): void {
    if (!this.minio.buckets.some((b) => b.name === r.bucket)) {
      this.minio.addBucket({ name: r.bucket });
    }
    this.minio.addPolicy({ name: `${r.user}-read`, statements: bucketReadOnly(r.bucket) });
    this.minio.addUser({ name: r.user, credentialsRemoteKey: r.credentialsRemoteKey, policies: [`${r.user}-read`] });
    this.minio.allowFrom(namespacePeer(r.namespace));
  }

  /** A backup writer: its bucket, a policy on its folder, its user, and its NetworkPolicy. */
  private addWriter(w: MinioBackupWriter): void {
    // Not versioned: the tool deletes what its retention drops, and a versioned bucket would keep it.
    this.minio.addBucket({ name: w.bucket, ...(w.expireDays !== undefined ? { lifecycle: { expireDays: w.expireDays } } : {}) });
    this.minio.addPolicy({ name: `${w.namespace}-backup`, statements: bucketReadWrite(w.bucket, w.prefix) });
    this.minio.addUser({ name: w.namespace, credentialsRemoteKey: w.credentialsRemoteKey, policies: [`${w.namespace}-backup`] });
    this.minio.allowFrom(namespacePeer(w.namespace));
  }
}
