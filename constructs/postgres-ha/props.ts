import { Duration, Size } from 'cdk8s';
import { Peer } from '../lib/connections';
import { DataServiceProps } from '../lib/contract';
import { Resources } from '../lib/resources';
import { TlsProps } from '../lib/tls';
import { POSTGRES_PORT } from './config';

/** Spilo 17 (PostgreSQL 13 to 17, Patroni 4, WAL-G 3.0.5), as pinned by zalando/postgres-operator 1.14. */
export const DEFAULT_POSTGRES_IMAGE = 'ghcr.io/zalando/spilo-17:4.0-p2';
/**
 * The PostgreSQL major run by default: 15, the one `npm run test:integration` proves (Debian 12's
 * postgresql-15). Spilo 17 ships 13, 14, 15 and 16 beside 17 (zalando/spilo
 * `postgres-appliance/Dockerfile`, `PGOLDVERSIONS`), so this only selects `bin_dir`.
 */
export const DEFAULT_POSTGRES_VERSION = 15;
/**
 * PgBouncer 1.18, CloudNativePG's build (its operator's default from PR #1201 until #2018): the
 * version `npm run test:integration` proves (Debian 12's pgbouncer 1.18). Protocol-level prepared
 * statements in transaction mode (`pooler.maxPreparedStatements`) need 1.21 or newer: set `pooler.image`.
 */
export const DEFAULT_PGBOUNCER_IMAGE = 'ghcr.io/cloudnative-pg/pgbouncer:1.18.0';
/** prometheus-community postgres_exporter. */
export const DEFAULT_POSTGRES_EXPORTER_IMAGE = 'quay.io/prometheuscommunity/postgres-exporter:v0.15.0';
/** prometheus-community pgbouncer_exporter (reads PgBouncer's SHOW STATS/POOLS/LISTS as a stats user). */
export const DEFAULT_POOLER_EXPORTER_IMAGE = 'quay.io/prometheuscommunity/pgbouncer-exporter:v0.11.0';

/** The Spilo image's `postgres` user and group (zalando/spilo Dockerfile; zalando docs/user.md). */
export const SPILO_UID = 101;
export const SPILO_GID = 103;
/** Ports the Kubernetes API answers on: 443 through the `kubernetes` Service, 6443 on kubeadm/k3s endpoints. */
export const PATRONI_API_SERVER_PORTS = [443, 6443];
/** MinIO's S3 port. */
export const DEFAULT_BACKUP_S3_PORT = 9000;
/** Label Patroni sets on each pod: `primary` (Patroni >= 4; `master` before) or `replica`. */
export const PATRONI_ROLE_LABEL = 'role';

/** How PgBouncer shares server connections between clients. */
export class PoolMode {
  /** A server connection per transaction: the most sharing; session state (SET, advisory locks) does not survive. */
  public static readonly TRANSACTION = new PoolMode('transaction');
  /** A server connection per client session: full compatibility, little sharing. */
  public static readonly SESSION = new PoolMode('session');
  /** A server connection per statement: no multi-statement transactions. */
  public static readonly STATEMENT = new PoolMode('statement');
  private constructor(public readonly value: 'transaction' | 'session' | 'statement') {}
}

/** Where Patroni keeps its leader lock and cluster state in the Kubernetes API. */
export class PatroniDcs {
  /**
   * Annotations of Endpoints (`<scope>`, `<scope>-config`). The leader Service has no selector:
   * Patroni writes the leader's address into its Endpoints in the same call that renews the lock,
   * so the Service never points at two primaries. Kubernetes 1.33 deprecates the v1 Endpoints API
   * (still served, with warnings).
   */
  public static readonly ENDPOINTS = new PatroniDcs(true);
  /**
   * Annotations of ConfigMaps (`<scope>-leader`, `-config`, `-sync`, `-failover`), which Patroni
   * creates. The leader Service selects `role=primary`, the label Patroni puts on the leader; the
   * readiness probe keeps a primary that lost the lock out of it (patroni docs/kubernetes.rst).
   * No use of the Endpoints API.
   */
  public static readonly CONFIG_MAPS = new PatroniDcs(false);
  private constructor(public readonly useEndpoints: boolean) {}
}

/**
 * The primary's WAL-G archive as a standby reads it: the primary's own object storage (in DR, the
 * primary region's), never this cluster's `backup` store, with read-only credentials.
 */
export interface StandbyArchiveProps {
  /** S3 endpoint URL of the primary's object storage, e.g. `https://minio.prod.example.com`. */
  readonly endpoint: string;
  /** Bucket the primary archives to. */
  readonly bucket: string;
  /** The primary's `backup.prefix`. @default 'postgres' */
  readonly prefix?: string;
  /** The primary cluster's name (its folder under the prefix). */
  readonly cluster: string;
  /** Path-style addressing (MinIO). @default true */
  readonly forcePathStyle?: boolean;
  /**
   * Store key with read-only S3 credentials for that bucket and the primary's encryption key:
   * properties `access-key-id`, `secret-access-key`, `libsodium-key`.
   */
  readonly credentialsRemoteKey: string;
}

/** Where a standby cluster follows its primary from. */
export class StandbySource {
  /**
   * Stream from a remote primary (its leader Service or a load balancer in front of it); with
   * `archive`, WAL the stream no longer has is fetched from the primary's archive.
   */
  public static primary(host: string, port: number = POSTGRES_PORT, options: { readonly archive?: StandbyArchiveProps } = {}): StandbySource {
    return new StandbySource({ host, port }, options.archive);
  }

  /** Replay only the primary's WAL-G archive (no streaming: the standby lags by up to archive_timeout). */
  public static archive(archive: StandbyArchiveProps): StandbySource {
    return new StandbySource(undefined, archive);
  }

  private constructor(
    /** Remote primary. */
    public readonly remote?: { readonly host: string; readonly port: number },
    /** The primary's archive. */
    public readonly archive?: StandbyArchiveProps,
  ) {}
}

/** Object storage for WAL archiving, base backups and pg_dump (S3 or MinIO). */
export interface PostgresBackupProps {
  /** S3 endpoint URL, e.g. `http://minio.storage-minio.svc:9000`. */
  readonly endpoint: string;
  /** Bucket; each cluster writes below `<bucket>/<prefix>/<cluster>/`. */
  readonly bucket: string;
  /** Path inside the bucket. @default 'postgres' */
  readonly prefix?: string;
  /** Path-style addressing, which MinIO needs. @default true */
  readonly forcePathStyle?: boolean;
  /**
   * Secret-store key holding the S3 credentials and the encryption key: properties `access-key-id`,
   * `secret-access-key`, and `libsodium-key` (64 hex digits, `openssl rand -hex 32`; WAL-G encrypts
   * every backup and WAL segment with it, client side). Losing the key loses the backups.
   */
  readonly credentialsRemoteKey: string;
  /** The object storage's pods, for the egress NetworkPolicy. @default - any destination on `port` */
  readonly networkPeer?: Peer;
  /** Port of the object storage. @default 9000 */
  readonly port?: number;
  /** Cron schedule of WAL-G base backups. @default '0 1 * * *' */
  readonly baseBackupSchedule?: string;
  /** Full base backups kept (with the WAL to replay them). @default 7 */
  readonly baseBackupRetention?: number;
  /** Cron schedule of the pg_dumpall logical backup. @default '30 2 * * *' */
  readonly logicalBackupSchedule?: string;
  /** Days a logical backup is kept. @default 14 */
  readonly logicalBackupRetentionDays?: number;
}

/** Bootstrap a new cluster from another cluster's base backup and WAL (point-in-time restore). */
export interface PostgresRestoreProps {
  /** The cluster whose backups are restored (its name, i.e. its folder in the backup bucket). */
  readonly sourceCluster: string;
  /** Path of the source's backups in the bucket. @default - this cluster's backup.prefix */
  readonly sourcePrefix?: string;
  /** WAL-G backup name. @default 'LATEST' */
  readonly backupName?: string;
  /** Recover up to this time, e.g. `2026-11-26 08:00:00+00`. @default - replay all archived WAL */
  readonly targetTime?: string;
}

/** The PgBouncer pooler in front of the leader Service. */
export interface PostgresPoolerProps {
  /** PgBouncer pods. @default 2 */
  readonly replicas?: number;
  /** @default DEFAULT_PGBOUNCER_IMAGE */
  readonly image?: string;
  /** @default PoolMode.TRANSACTION */
  readonly poolMode?: PoolMode;
  /** Client connections one PgBouncer accepts. @default 1000 */
  readonly maxClientConnections?: number;
  /** Server connections per user and database. @default 20 */
  readonly defaultPoolSize?: number;
  /** @default 0 */
  readonly minPoolSize?: number;
  /** @default 5 */
  readonly reservePoolSize?: number;
  /**
   * Server connections one PgBouncer opens to one database. Times `replicas`, it must fit in
   * `maxConnections` minus the connections kept for superusers, replication and jobs.
   * @default - (maxConnections - 20) / replicas
   */
  readonly maxDbConnections?: number;
  /**
   * Prepared statements tracked per connection in transaction mode (asyncpg, JDBC): PgBouncer's
   * `max_prepared_statements`, which needs PgBouncer >= 1.21, so a value above 0 needs a `pooler.image`
   * other than the default 1.18 (not proven here). 0 leaves the setting out. @default 0
   */
  readonly maxPreparedStatements?: number;
  /** @default Resources.NANO */
  readonly resources?: Resources;
  /**
   * pgbouncer_exporter sidecar image, used while the cluster's `monitoring.enabled` is on. It logs
   * in to PgBouncer's admin console as the pooler role (PgBouncer's `stats_users`: SHOW only, no
   * PAUSE or SHUTDOWN). @default DEFAULT_POOLER_EXPORTER_IMAGE
   */
  readonly exporterImage?: string;
}

/**
 * A PostgresHA on the data-service contract (`DataServiceProps`). In its terms: `name` is the
 * cluster name (Patroni scope, Service and StatefulSet name; at most 40 characters), `replicas`
 * the PostgreSQL pods (1 to 9, default 3), `storage.size` 20Gi by default, `image` defaults to
 * DEFAULT_POSTGRES_IMAGE, `resources` to Resources.LARGE (parameters derive from its memory limit),
 * `monitoring` runs postgres_exporter and pgbouncer_exporter sidecars (each with a ServiceMonitor;
 * `monitoring.exporterImage` defaults to DEFAULT_POSTGRES_EXPORTER_IMAGE), and `podSecurity`
 * applies to the Spilo pods (members, admin and backup Jobs; default SPILO_UID and SPILO_GID).
 */
export interface PostgresHAProps extends DataServiceProps {
  /** PostgreSQL major version in the image (Spilo ships several; it selects `bin_dir`). @default DEFAULT_POSTGRES_VERSION (15, the proven one) */
  readonly postgresVersion?: number;
  /** Where Patroni keeps the leader lock. @default PatroniDcs.ENDPOINTS */
  readonly dcs?: PatroniDcs;
  /** Allow a single replica (no failover) and a single PgBouncer. Only for development. @default false */
  readonly allowSingleInstance?: boolean;
  /** @default 100 */
  readonly maxConnections?: number;
  /** @default - 25% of the memory limit */
  readonly sharedBuffers?: string;
  /** @default - 75% of the memory limit */
  readonly effectiveCacheSize?: string;
  /** @default - (memory limit - shared_buffers) / (3 x maxConnections), 4MB to 64MB */
  readonly workMem?: string;
  /** @default - 1/16 of the memory limit, 64MB to 1GB */
  readonly maintenanceWorkMem?: string;
  /** @default '2GB' */
  readonly maxWalSize?: string;
  /** @default '512MB' */
  readonly minWalSize?: string;
  /** WAL kept for replicas that fall behind. @default '1GB' */
  readonly walKeepSize?: string;
  /** Synchronous replication (zero data loss on failover; writes wait for one replica). Needs 3+ replicas. @default false */
  readonly synchronousMode?: boolean;
  /** Keep the primary up while the Kubernetes API is unreachable, if all members see each other. @default true */
  readonly failsafeMode?: boolean;
  /** A replica further behind than this is never promoted. @default Size.mebibytes(16) */
  readonly maximumLagOnFailover?: Size;
  /** Any other PostgreSQL parameter; names and known formats are checked. @default - none */
  readonly parameters?: Readonly<Record<string, string | number | boolean>>;
  /**
   * Key in the store with the cluster's passwords as properties: `superuser-password`,
   * `replication-password`, `rewind-password`, `monitor-password`, `pooler-password`, `app-password`,
   * `backup-password` (the base-backup role), `restapi-password` (Patroni's REST API, user `patroni`).
   * @default - `postgres/<name>`
   */
  readonly secretRemoteKey?: string;
  /** The application database. @default 'app' */
  readonly database?: string;
  /** The application's login role, owner of the database. @default 'app' */
  readonly databaseOwner?: string;
  /** @default - PgBouncer with the defaults of PostgresPoolerProps */
  readonly pooler?: PostgresPoolerProps;
  /** WAL archiving, base backups and logical backups. @default - no backups */
  readonly backup?: PostgresBackupProps;
  /** Bootstrap from a backup instead of initdb. Needs `backup` (the store to read from). @default - a new, empty cluster */
  readonly restoreFrom?: PostgresRestoreProps;
  /** Run as a standby cluster (read-only, following another cluster). @default - a primary cluster */
  readonly standbyOf?: StandbySource;
  /**
   * Emit a Job that promotes a former standby (removes `standby_cluster` from Patroni's dynamic
   * configuration, which a changed patroni.yml alone never does). For DR failover. @default false
   */
  readonly promote?: boolean;
  /** Where the Kubernetes API is, for Patroni's egress. @default - any address on ports 443 and 6443 */
  readonly apiServerCidrs?: readonly string[];
  /**
   * TLS for PostgreSQL and PgBouncer: a cert-manager Certificate per cluster (its own CA unless
   * `tls.issuer`), `ssl=on` with `hostssl` rules and plaintext rejected, replication over TLS,
   * PgBouncer requiring TLS from clients and verifying the server. @default - enabled, own CA
   */
  readonly tls?: TlsProps;
  /** Time a member gets to shut down cleanly (checkpoint, hand over leadership). @default Duration.minutes(5) */
  readonly terminationGracePeriod?: Duration;
}

/** Options of a tenant schema. */
export interface TenantSchemaOptions {
  /** Database of the schema. @default - the cluster's application database */
  readonly database?: string;
  /**
   * A LOGIN role `<tenantId>_user` for the tenant's own workloads, a member of the schema's owner
   * (so it can use its schema and no other), with its password from the store. @default - no login role
   */
  readonly login?: { readonly remoteKey: string; /** @default 'password' */ readonly property?: string };
}
