import { App, Size } from 'cdk8s';
import { Resources } from '../../constructs/lib/resources';
import { ClientEndpoint } from '../../constructs/lib/workload/endpoint';
import { s3Address } from '../../constructs/lib/s3-endpoint';
import { PostgresHA, StandbySource } from '../../constructs/postgres-ha';
import { POSTGRES_PORT } from '../../constructs/postgres-ha/config';
import { imageRef, isStandby } from '../../environments/derive';
import { DisasterRecoveryConfig, EnvironmentConfig } from '../../environments/types';
import { Tenant, tenantsOf } from '../../environments/tenants';
import { PlatformChart } from '../platform-chart';
import { tenantNamespace, tenantRemoteKey, tenantSchema } from '../tenants/names';
import { appClients, assertEndpointServed, MINIO_S3, MinioBackupWriter, MONITORING_NAMESPACE, namespacePeer, SECRET_STORE } from '../shared';

/** The backup target: MinIO's S3 API in `storage-minio`, which admits this namespace (charts/storage-minio). */
const MINIO = s3Address(MINIO_S3);
/** Bucket of every PostgreSQL backup; each environment writes below `<env>/<cluster>/`. */
export const POSTGRES_BACKUP_BUCKET = 'postgres-backups';
/** The namespace of the chart. */
export const POSTGRES_NAMESPACE = 'db-postgres';
/** The cluster name, the same in every environment (DR replays prod's archive by it). */
export const POSTGRES_CLUSTER = 'postgres';

/** Whether the environment archives and backs up PostgreSQL: `features.backups`, and always in DR (it replays prod's archive). */
export function postgresBackups(config: EnvironmentConfig): boolean {
  return config.features.backups || config.dr !== undefined;
}

/** Where PostgreSQL archives and backs up in MinIO (`postgres-backups/<env>/`), when it does. */
export function postgresBackupWriter(config: EnvironmentConfig): MinioBackupWriter | undefined {
  return postgresBackups(config)
    ? {
        namespace: POSTGRES_NAMESPACE,
        bucket: POSTGRES_BACKUP_BUCKET,
        prefix: config.name,
        credentialsRemoteKey: `${config.name}/db-postgres/backup-s3`,
      }
    : undefined;
}

/** The application database and its owner role (PostgresHA's defaults, which the chart keeps). */
export const POSTGRES_APP_DATABASE = 'app';
const POSTGRES_APP_ROLE = 'app';

/**
 * Where the roles' passwords are in the store. A standby replicates its primary's roles and
 * passwords (pg_authid), and keeps them when promoted: DR reads prod's role secrets; a rotation
 * is done once, in prod's entry.
 */
function postgresCredentialsKey(config: EnvironmentConfig): string {
  return `${config.dr?.standbyOf ?? config.name}/db-postgres/credentials`;
}

/**
 * How an application in another chart reaches PostgreSQL (charts are synthesized apart, so they
 * share this, not the construct): the PgBouncer Service as the application role, the password in
 * the store, `sslmode=verify-full` with the CA at `<env>/db-postgres/ca` (property `ca.crt`, a
 * copy of the cert-manager CA) where `postgres.tls` is on. The chart asserts its cluster serves it.
 */
export function postgresEndpoint(config: EnvironmentConfig): ClientEndpoint {
  const tls = config.postgres.tls;
  return {
    kind: 'postgres',
    host: `${POSTGRES_CLUSTER}-pooler.${POSTGRES_NAMESPACE}.svc`,
    port: POSTGRES_PORT,
    username: POSTGRES_APP_ROLE,
    password: { remoteKey: postgresCredentialsKey(config), property: 'app-password' },
    settings: { DB: POSTGRES_APP_DATABASE, SSLMODE: tls ? 'verify-full' : 'disable' },
    ...(tls ? { tls: { ca: { remoteKey: `${config.name}/db-postgres/ca`, property: 'ca.crt' } } } : {}),
    peer: {
      peerNamespace: POSTGRES_NAMESPACE,
      peerSelector: {
        'app.kubernetes.io/name': 'postgresql',
        'app.kubernetes.io/instance': POSTGRES_CLUSTER,
        'app.kubernetes.io/component': 'pooler',
      },
      ports: [POSTGRES_PORT],
    },
  };
}

/**
 * DR at rest: stream from the primary environment's replication endpoint, and fall back to its
 * archive in its own region's object storage, with read-only credentials of that store.
 */
function standbyOfPrimary(dr: DisasterRecoveryConfig): StandbySource {
  return StandbySource.primary(dr.postgres.primaryHost, POSTGRES_PORT, {
    archive: {
      endpoint: dr.postgres.archiveEndpoint,
      bucket: POSTGRES_BACKUP_BUCKET,
      prefix: dr.standbyOf,
      cluster: POSTGRES_CLUSTER,
      credentialsRemoteKey: `${dr.standbyOf}/db-postgres/backup-s3-readonly`,
    },
  });
}

/**
 * `db-postgres`: PostgreSQL with Patroni and PgBouncer at the environment's scale.
 *
 * - dev: one instance (no failover, explicitly allowed), one pooler, no backups.
 * - staging, prod: `postgres.replicas` members on distinct nodes (and zones where the
 *   cloud has them), WAL archiving and base plus logical backups to MinIO when `features.backups`.
 * - dr at rest: a standby cluster streaming from prod's replication endpoint, falling back to prod's
 *   WAL archive (`prod/postgres` in prod's region's MinIO, `dr.postgres.archiveEndpoint`, read with
 *   `prod/db-postgres/backup-s3-readonly`: access-key-id, secret-access-key, prod's libsodium-key). It archives nothing
 *   and runs no admin Jobs. When `dr.failover` is set, it stops being a standby: a Job removes
 *   `standby_cluster` from Patroni's configuration, the leader is promoted, and backups start
 *   under `dr/postgres`, never into prod's folder.
 *
 * Secrets in the store: `<env>/db-postgres/credentials` (in dr: `prod/db-postgres/credentials`, the
 * roles it replicates; properties superuser-password,
 * replication-password, rewind-password, monitor-password, pooler-password, app-password,
 * backup-password, restapi-password) and
 * `<env>/db-postgres/backup-s3` (libsodium-key, the 64-hex-digit WAL-G encryption key; access-key-id,
 * secret-access-key of a MinIO user that may write
 * the bucket).
 */
export class DbPostgresChart extends PlatformChart {
  public readonly postgres: PostgresHA;

  constructor(scope: App, config: EnvironmentConfig, tenants: readonly Tenant[] = []) {
    super(scope, POSTGRES_NAMESPACE, { config, namespace: POSTGRES_NAMESPACE });
    const dr = config.dr;
    const backup = postgresBackupWriter(config);
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
      secretRemoteKey: postgresCredentialsKey(config),
      tls: { enabled: config.postgres.tls },
      pooler: {
        replicas: config.postgres.poolerReplicas,
        image: imageRef(config, 'pgbouncer'),
        exporterImage: imageRef(config, 'pgbouncerExporter'),
      },
      monitoring: { exporterImage: imageRef(config, 'postgresExporter'), scrapers: [namespacePeer(MONITORING_NAMESPACE)] },
      backup: backup
        ? {
            endpoint: MINIO.url,
            bucket: backup.bucket,
            prefix: backup.prefix,
            credentialsRemoteKey: backup.credentialsRemoteKey,
            networkPeer: MINIO,
            port: MINIO.port,
          }
        : undefined,
      standbyOf: dr && isStandby(config) ? standbyOfPrimary(dr) : undefined,
      promote: dr !== undefined && dr.failover,
    });
    // Applications reach PostgreSQL through PgBouncer.
    this.postgres.allowFrom(...appClients('postgres'));
    // A schema and a LOGIN role per tenant (kept when the tenant is removed: README "Tenants"),
    // and the tenant's namespace let in to PgBouncer.
    for (const t of tenantsOf(config.name, tenants)) {
      this.postgres.addTenantSchema(tenantSchema(t), { login: { remoteKey: tenantRemoteKey(config, t, 'postgres') } });
      this.postgres.allowFrom(namespacePeer(tenantNamespace(t)));
    }
    assertEndpointServed(this, 'postgresEndpoint', postgresEndpoint(config), this.postgres, { DB: this.postgres.database });
  }
}
