import { App, Size } from 'cdk8s';
import { Resources } from '../../constructs/lib/resources';
import { PostgresHA, StandbySource } from '../../constructs/postgres-ha';
import { imageRef, isStandby } from '../../environments/derive';
import { EnvironmentConfig } from '../../environments/types';
import { PlatformChart } from '../platform-chart';
import { APP_NAMESPACES, MONITORING_NAMESPACE, namespacePeer, SECRET_STORE } from '../shared';

/** In-cluster MinIO (chart `storage-minio`): S3 API on 9000. */
const MINIO = { namespace: 'storage-minio', endpoint: 'http://minio.storage-minio.svc:9000', port: 9000 };
/** Bucket of every PostgreSQL backup; each environment writes below `<env>/<cluster>/`. */
export const POSTGRES_BACKUP_BUCKET = 'postgres-backups';
/** The cluster name, the same in every environment (DR replays prod's archive by it). */
export const POSTGRES_CLUSTER = 'postgres';

/**
 * `db-postgres`: PostgreSQL with Patroni and PgBouncer at the environment's scale.
 *
 * - dev: one instance (no failover, explicitly allowed), one pooler, no backups.
 * - staging, prod: `postgres.replicas` members on distinct nodes (and zones where the
 *   cloud has them), WAL archiving and base plus logical backups to MinIO when `features.backups`.
 * - dr at rest: a standby cluster replaying prod's WAL archive (`prod/postgres` in the backup
 *   bucket, which MinIO bucket replication copies from prod's region). It archives nothing
 *   and runs no admin Jobs. When `dr.failover` is set, it stops being a standby: a Job removes
 *   `standby_cluster` from Patroni's configuration, the leader is promoted, and backups start
 *   under `dr/postgres`, never into prod's folder.
 *
 * Secrets in the store: `<env>/db-postgres/credentials` (properties superuser-password,
 * replication-password, rewind-password, monitor-password, pooler-password, app-password,
 * restapi-password) and
 * `<env>/db-postgres/backup-s3` (access-key-id, secret-access-key of a MinIO user that may write
 * the bucket).
 */
export class DbPostgresChart extends PlatformChart {
  public readonly postgres: PostgresHA;

  constructor(scope: App, config: EnvironmentConfig) {
    super(scope, 'db-postgres', { config, namespace: 'db-postgres' });
    const dr = config.dr;
    const backups = config.features.backups || dr !== undefined;
    this.postgres = new PostgresHA(this, 'Postgres', {
      name: POSTGRES_CLUSTER,
      namespace: this.ns.name,
      image: imageRef(config, 'postgres'),
      replicas: config.postgres.replicas,
      allowSingleInstance: config.name === 'dev',
      resources: Resources.PRESETS[config.postgres.size],
      storage: { size: Size.gibibytes(config.postgres.storageGi), storageClass: this.cloud.storageClass },
      nodePool: this.nodePool('data'),
      zoneSpread: config.features.zoneSpread && this.cloud.supportsZones,
      secretStore: SECRET_STORE,
      secretRemoteKey: `${config.name}/db-postgres/credentials`,
      pooler: {
        replicas: config.postgres.poolerReplicas,
        image: imageRef(config, 'pgbouncer'),
        exporterImage: imageRef(config, 'pgbouncerExporter'),
      },
      monitoring: { exporterImage: imageRef(config, 'postgresExporter'), scrapers: [namespacePeer(MONITORING_NAMESPACE)] },
      backup: backups
        ? {
            endpoint: MINIO.endpoint,
            bucket: POSTGRES_BACKUP_BUCKET,
            prefix: config.name,
            credentialsRemoteKey: `${config.name}/db-postgres/backup-s3`,
            networkPeer: { peerNamespace: MINIO.namespace, peerSelector: {} },
            port: MINIO.port,
          }
        : undefined,
      standbyOf: dr && isStandby(config) ? StandbySource.archive(POSTGRES_CLUSTER, { prefix: dr.standbyOf }) : undefined,
      promote: dr !== undefined && dr.failover,
    });
    // Applications reach PostgreSQL through PgBouncer.
    this.postgres.allowFrom(...APP_NAMESPACES.map(namespacePeer));
  }
}
