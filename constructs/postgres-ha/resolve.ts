import { Duration, Size } from 'cdk8s';
import { Construct } from 'constructs';
import { resolveDataService, ResolvedDataService } from '../lib/contract';
import { NodePool } from '../lib/scheduling';
import { SecretStoreRef } from '../lib/external-secret';
import { checkParameters, defaultTunedSettings, parsePgMemory, ROLES, TunedSettings } from './config';
import { PropChecks } from '../lib/prop-errors';
import { Resources } from '../lib/resources';
import { ResolvedTls, resolveTls } from '../lib/tls';
import {
  DEFAULT_POOLER_EXPORTER_IMAGE,
  DEFAULT_PGBOUNCER_IMAGE,
  DEFAULT_POSTGRES_EXPORTER_IMAGE,
  DEFAULT_POSTGRES_IMAGE,
  DEFAULT_POSTGRES_VERSION,
  PatroniDcs,
  PoolMode,
  PostgresBackupProps,
  PostgresHAProps,
  PostgresRestoreProps,
  StandbyArchiveProps,
  SPILO_GID,
  SPILO_UID,
  StandbySource,
} from './props';

/** Longest cluster name: room for the longest derived name, `<name>-logical-backup` (63 - 15). */
const MAX_NAME_LENGTH = 40;
/** Connections kept outside the pooler: superuser_reserved_connections (3), replication and admin jobs. */
const RESERVED_CONNECTIONS = 20;
const MEMORY_FIELDS = ['sharedBuffers', 'effectiveCacheSize', 'workMem', 'maintenanceWorkMem', 'maxWalSize', 'minWalSize', 'walKeepSize'] as const;

/** The pooler's props with their defaults applied. */
export interface ResolvedPooler {
  readonly replicas: number;
  readonly image: string;
  readonly exporterImage: string;
  readonly poolMode: PoolMode;
  readonly resources: Resources;
  readonly maxDbConnections: number;
  readonly defaultPoolSize: number;
  readonly minPoolSize: number;
  readonly reservePoolSize: number;
  readonly maxClientConnections: number;
  readonly maxPreparedStatements: number;
}

/** Props with their defaults applied, after every check passed: what the builders read. */
export interface ResolvedProps extends ResolvedDataService {
  readonly nodePool?: NodePool;
  readonly secretStore: SecretStoreRef;
  readonly secretRemoteKey: string;
  readonly postgresVersion: number;
  readonly dcs: PatroniDcs;
  readonly tuned: TunedSettings;
  readonly synchronousMode: boolean;
  readonly failsafeMode: boolean;
  readonly maximumLagOnFailover: Size;
  readonly parameters: Readonly<Record<string, string | number | boolean>>;
  readonly pooler: ResolvedPooler;
  readonly database: string;
  readonly owner: string;
  readonly backup?: PostgresBackupProps;
  readonly restoreFrom?: PostgresRestoreProps;
  readonly standbyOf?: StandbySource;
  /** A standby: read-only, its roles and schemas arrive by replication. */
  readonly standby: boolean;
  readonly tls: ResolvedTls;
  readonly promote: boolean;
  readonly apiServerCidrs: readonly string[];
  readonly terminationGracePeriod: Duration;
}

/** Applies defaults and checks every prop; throws one PropValidationError listing all problems. */
export function resolveProps(scope: Construct, id: string, props: PostgresHAProps): ResolvedProps {
  const check = new PropChecks(scope);
  const base = resolveDataService(
    scope,
    id,
    props,
    {
      maxNameLength: MAX_NAME_LENGTH,
      replicas: 3,
      maxReplicas: 9,
      resources: Resources.LARGE,
      storageSize: Size.gibibytes(20),
      image: DEFAULT_POSTGRES_IMAGE,
      exporterImage: DEFAULT_POSTGRES_EXPORTER_IMAGE,
      podSecurity: { runAsUser: SPILO_UID, runAsGroup: SPILO_GID, fsGroup: SPILO_GID },
    },
    check,
  );
  checkReplication(check, props, base.replicas);
  const postgresVersion = props.postgresVersion ?? DEFAULT_POSTGRES_VERSION;
  check.integer(postgresVersion, 'postgresVersion', 13, 18);
  const tuned = resolveTuning(check, props, base.resources);
  const pooler = resolvePooler(check, props, tuned.maxConnections);
  const database = props.database ?? 'app';
  const owner = props.databaseOwner ?? 'app';
  checkDatabase(check, database, owner);
  checkBackup(check, props.backup);
  checkRecovery(check, props, base.name);
  const tls = resolveTls(check, props.tls);
  const terminationGracePeriod = props.terminationGracePeriod ?? Duration.minutes(5);
  const grace = terminationGracePeriod.toSeconds();
  check.that(grace >= 30, 'terminationGracePeriod', 'must be at least 30s for a clean shutdown', `${grace}s`);
  check.throwIfAny();
  return {
    ...base,
    nodePool: props.nodePool,
    secretStore: props.secretStore,
    secretRemoteKey: props.secretRemoteKey ?? `postgres/${base.name}`,
    postgresVersion,
    dcs: props.dcs ?? PatroniDcs.ENDPOINTS,
    tuned,
    synchronousMode: !!props.synchronousMode,
    failsafeMode: props.failsafeMode ?? true,
    maximumLagOnFailover: props.maximumLagOnFailover ?? Size.mebibytes(16),
    parameters: props.parameters ?? {},
    pooler,
    database,
    owner,
    backup: props.backup,
    restoreFrom: props.restoreFrom,
    standbyOf: props.standbyOf,
    standby: !!props.standbyOf,
    tls,
    promote: !!props.promote,
    apiServerCidrs: props.apiServerCidrs ?? [],
    terminationGracePeriod,
  };
}

/** Failover needs a second member; synchronous replication needs a third. */
function checkReplication(check: PropChecks, props: PostgresHAProps, replicas: number): void {
  check.that(
    replicas !== 1 || props.allowSingleInstance === true,
    'replicas',
    'must be at least 2 for failover; a single instance needs allowSingleInstance: true (development only)',
    replicas,
  );
  check.that(
    replicas !== 2 || !props.synchronousMode,
    'synchronousMode',
    'needs at least 3 replicas: with 2, losing the replica blocks every write (or silently drops to async)',
    props.synchronousMode,
  );
  check.that(
    replicas !== 1 || !props.synchronousMode,
    'synchronousMode',
    'needs at least 3 replicas: a single instance has no standby',
    props.synchronousMode,
  );
}

/** Memory settings (derived from the memory limit unless given) and the free-form parameters. */
function resolveTuning(check: PropChecks, props: PostgresHAProps, resources: Resources): TunedSettings {
  const maxConnections = props.maxConnections ?? 100;
  check.integer(maxConnections, 'maxConnections', 25, 10000);
  const defaults = defaultTunedSettings(resources.memoryLimitBytes, maxConnections);
  const tuned: TunedSettings = {
    maxConnections,
    sharedBuffers: props.sharedBuffers ?? defaults.sharedBuffers,
    effectiveCacheSize: props.effectiveCacheSize ?? defaults.effectiveCacheSize,
    workMem: props.workMem ?? defaults.workMem,
    maintenanceWorkMem: props.maintenanceWorkMem ?? defaults.maintenanceWorkMem,
    maxWalSize: props.maxWalSize ?? defaults.maxWalSize,
    minWalSize: props.minWalSize ?? defaults.minWalSize,
    walKeepSize: props.walKeepSize ?? defaults.walKeepSize,
  };
  for (const field of MEMORY_FIELDS) {
    check.that(!Number.isNaN(parsePgMemory(tuned[field])), field, 'must be a PostgreSQL memory size with a unit (kB, MB, GB, TB)', tuned[field]);
  }
  const sharedBytes = parsePgMemory(tuned.sharedBuffers);
  check.that(
    Number.isNaN(sharedBytes) || sharedBytes <= resources.memoryLimitBytes / 2,
    'sharedBuffers',
    `must be at most half the memory limit (${resources.memoryLimit}), or the kernel kills the pod under load`,
    tuned.sharedBuffers,
  );
  const [minWal, maxWal] = [parsePgMemory(tuned.minWalSize), parsePgMemory(tuned.maxWalSize)];
  check.that(
    Number.isNaN(minWal) || Number.isNaN(maxWal) || minWal <= maxWal,
    'minWalSize',
    `must not exceed maxWalSize (${tuned.maxWalSize})`,
    tuned.minWalSize,
  );
  for (const p of checkParameters(props.parameters ?? {})) {
    check.that(false, `parameters.${p.name}`, p.rule, p.value);
  }
  return tuned;
}

/** PgBouncer's pools, sized so that every PgBouncer's connections fit in max_connections together. */
function resolvePooler(check: PropChecks, props: PostgresHAProps, maxConnections: number): ResolvedPooler {
  const pooler = props.pooler ?? {};
  const replicas = pooler.replicas ?? 2;
  check.integer(replicas, 'pooler.replicas', 1, 20);
  check.that(
    replicas !== 1 || props.allowSingleInstance === true,
    'pooler.replicas',
    'must be at least 2: one PgBouncer is a single point of failure in front of an HA cluster; 1 needs allowSingleInstance: true (development only)',
    replicas,
  );
  check.pinnedImage(pooler.image, 'pooler.image');
  check.pinnedImage(pooler.exporterImage, 'pooler.exporterImage');
  const maxDbConnections = pooler.maxDbConnections ?? Math.max(1, Math.floor((maxConnections - RESERVED_CONNECTIONS) / replicas));
  const resolved: ResolvedPooler = {
    replicas,
    image: pooler.image ?? DEFAULT_PGBOUNCER_IMAGE,
    exporterImage: pooler.exporterImage ?? DEFAULT_POOLER_EXPORTER_IMAGE,
    poolMode: pooler.poolMode ?? PoolMode.TRANSACTION,
    resources: pooler.resources ?? Resources.NANO,
    maxDbConnections,
    defaultPoolSize: pooler.defaultPoolSize ?? Math.min(20, maxDbConnections),
    minPoolSize: pooler.minPoolSize ?? 0,
    reservePoolSize: pooler.reservePoolSize ?? 5,
    maxClientConnections: pooler.maxClientConnections ?? 1000,
    maxPreparedStatements: pooler.maxPreparedStatements ?? 0,
  };
  checkPoolSizes(check, resolved, maxConnections);
  check.that(
    resolved.maxPreparedStatements === 0 || resolved.image !== DEFAULT_PGBOUNCER_IMAGE,
    'pooler.maxPreparedStatements',
    `needs PgBouncer >= 1.21 (max_prepared_statements); the default image ${DEFAULT_PGBOUNCER_IMAGE} is 1.18: set pooler.image to a newer one, or 0`,
    resolved.maxPreparedStatements,
  );
  return resolved;
}

function checkPoolSizes(check: PropChecks, pool: ResolvedPooler, maxConnections: number): void {
  const { replicas, maxDbConnections, defaultPoolSize, minPoolSize } = pool;
  check.integer(maxDbConnections, 'pooler.maxDbConnections', 1, 10000);
  check.that(
    !Number.isInteger(maxDbConnections) || replicas * maxDbConnections + RESERVED_CONNECTIONS <= maxConnections,
    'pooler.maxDbConnections',
    `times pooler.replicas (${replicas}) plus ${RESERVED_CONNECTIONS} reserved connections must fit in maxConnections (${maxConnections})`,
    maxDbConnections,
  );
  check.integer(defaultPoolSize, 'pooler.defaultPoolSize', 1, 10000);
  check.that(
    defaultPoolSize <= maxDbConnections,
    'pooler.defaultPoolSize',
    `must not exceed pooler.maxDbConnections (${maxDbConnections})`,
    defaultPoolSize,
  );
  check.integer(minPoolSize, 'pooler.minPoolSize', 0, 10000);
  check.that(minPoolSize <= defaultPoolSize, 'pooler.minPoolSize', `must not exceed pooler.defaultPoolSize (${defaultPoolSize})`, minPoolSize);
  check.integer(pool.reservePoolSize, 'pooler.reservePoolSize', 0, 1000);
  check.integer(pool.maxClientConnections, 'pooler.maxClientConnections', 1, 100000);
  check.integer(pool.maxPreparedStatements, 'pooler.maxPreparedStatements', 0, 10000);
}

function checkDatabase(check: PropChecks, database: string, owner: string): void {
  const rule = 'must be a lower-case SQL name: a letter, then letters, digits or _ (at most 63)';
  check.that(isSqlName(database), 'database', rule, database);
  check.that(isSqlName(owner), 'databaseOwner', rule, owner);
  const own = Object.values(ROLES) as string[];
  check.that(!own.includes(owner), 'databaseOwner', `must not be a role the cluster uses itself (${own.join(', ')})`, owner);
}

function checkBackup(check: PropChecks, backup: PostgresBackupProps | undefined): void {
  if (!backup) {
    return;
  }
  check.that(S3_ENDPOINT.test(backup.endpoint), 'backup.endpoint', 'must be an http(s) URL of host and port', backup.endpoint);
  check.that(S3_BUCKET.test(backup.bucket), 'backup.bucket', 'must be an S3 bucket name', backup.bucket);
  for (const field of ['baseBackupSchedule', 'logicalBackupSchedule'] as const) {
    check.that(isCron(backup[field]), `backup.${field}`, 'must be a 5-field cron expression', backup[field]);
  }
  check.integer(backup.baseBackupRetention, 'backup.baseBackupRetention', 1, 365);
  check.integer(backup.logicalBackupRetentionDays, 'backup.logicalBackupRetentionDays', 1, 3650);
  check.that(
    !!backup.credentialsRemoteKey?.trim(),
    'backup.credentialsRemoteKey',
    'must name the secret-store key with the S3 credentials',
    backup.credentialsRemoteKey,
  );
}

const S3_ENDPOINT = /^https?:\/\/[^\s/]+(:[0-9]+)?\/?$/;
const S3_BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** A standby's archive is the primary's store, read with its own (read-only) credentials, never this cluster's. */
function checkStandbyArchive(check: PropChecks, archive: StandbyArchiveProps | undefined, backup: PostgresBackupProps | undefined): void {
  if (!archive) {
    return;
  }
  const field = 'standbyOf.archive';
  check.that(S3_ENDPOINT.test(archive.endpoint), `${field}.endpoint`, 'must be an http(s) URL of host and port', archive.endpoint);
  check.that(
    !backup || archive.endpoint.replace(/\/$/, '') !== backup.endpoint.replace(/\/$/, ''),
    `${field}.endpoint`,
    "must be the primary's object storage, not this cluster's own backup.endpoint",
    archive.endpoint,
  );
  check.that(S3_BUCKET.test(archive.bucket), `${field}.bucket`, 'must be an S3 bucket name', archive.bucket);
  check.dnsLabel(archive.cluster, `${field}.cluster`);
  check.that(!!archive.credentialsRemoteKey?.trim(), `${field}.credentialsRemoteKey`, 'must name a secret-store key', archive.credentialsRemoteKey);
  check.that(
    archive.credentialsRemoteKey !== backup?.credentialsRemoteKey,
    `${field}.credentialsRemoteKey`,
    "must be read-only credentials of the primary's store, not backup.credentialsRemoteKey",
    archive.credentialsRemoteKey,
  );
}

/** restoreFrom, standbyOf and promote: each needs the backup store or excludes another. */
function checkRecovery(check: PropChecks, props: PostgresHAProps, name: string): void {
  const { backup, restoreFrom, standbyOf } = props;
  check.that(!restoreFrom || !!backup, 'restoreFrom', 'needs backup: the store to restore from', restoreFrom);
  checkStandbyArchive(check, standbyOf?.archive, backup);
  check.that(!(standbyOf && restoreFrom), 'restoreFrom', 'cannot be combined with standbyOf', restoreFrom);
  check.that(!(standbyOf && props.promote), 'promote', 'cannot be combined with standbyOf: promotion ends the standby', props.promote);
  check.that(
    !restoreFrom?.targetTime || !Number.isNaN(Date.parse(restoreFrom.targetTime)),
    'restoreFrom.targetTime',
    'must be a timestamp such as 2026-11-26 08:00:00+00',
    restoreFrom?.targetTime,
  );
  if (restoreFrom) {
    check.dnsLabel(restoreFrom.sourceCluster, 'restoreFrom.sourceCluster');
    check.that(
      restoreFrom.sourceCluster !== name || (restoreFrom.sourcePrefix ?? backup?.prefix) !== backup?.prefix,
      'restoreFrom.sourceCluster',
      'must differ from name (or use another sourcePrefix): the restored cluster must not archive into its source',
      restoreFrom.sourceCluster,
    );
  }
}

export function isSqlName(name: string): boolean {
  return typeof name === 'string' && /^[a-z][a-z0-9_]{0,62}$/.test(name);
}

function isCron(expr: string | undefined): boolean {
  return expr === undefined || /^(\S+\s+){4}\S+$/.test(expr.trim());
}
