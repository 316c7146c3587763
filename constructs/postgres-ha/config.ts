import * as YAML from 'yaml';

/**
 * Pure renderers for PostgresHA: Patroni's configuration, PostgreSQL parameters, pgbouncer.ini and
 * the SQL of the admin Jobs. No constructs here, so unit and integration tests render exactly what
 * the cluster gets and run it against real servers (`test/integration/postgres.integration.test.ts`).
 */

/** PostgreSQL's port, in the pods and on every Service. */
export const POSTGRES_PORT = 5432;
/** Patroni REST API: health (`/readiness`, `/liveness`), switchover, `/metrics`. */
export const PATRONI_API_PORT = 8008;
/** postgres_exporter's metrics port (prometheus-community/postgres_exporter default). */
export const EXPORTER_PORT = 9187;
/** pgbouncer_exporter's metrics port (prometheus-community/pgbouncer_exporter default). */
export const POOLER_EXPORTER_PORT = 9127;

/** Where the Spilo image keeps PostgreSQL (`PGROOT`); the PVC is mounted here. */
export const PGROOT = '/home/postgres/pgdata';
/** The data directory inside the PVC (Spilo's layout, so a Spilo-made volume can be adopted). */
export const PGDATA = `${PGROOT}/pgroot/data`;
/** Unix socket directory: an emptyDir on a read-only root filesystem. */
export const SOCKET_DIR = '/run/postgresql';
/** Where the rendered patroni.yml is mounted. */
export const PATRONI_CONFIG_PATH = '/etc/patroni/patroni.yml';

/** Role names the construct creates. Fixed: other objects (pgbouncer, exporter) refer to them. */
export const ROLES = {
  superuser: 'postgres',
  replication: 'standby',
  rewind: 'rewinder',
  monitor: 'monitor',
  pooler: 'pgbouncer_auth',
  /** The base-backup CronJob's role: REPLICATION (BASE_BACKUP) and pg_read_all_settings, nothing else. */
  backup: 'backup',
} as const;

/** Schema that holds the SECURITY DEFINER lookup function PgBouncer's auth_query calls. */
export const POOLER_SCHEMA = 'pgbouncer';

// ---------------------------------------------------------------------------------------------
// Quoting

/** A SQL identifier, always double-quoted: `tenant "a"` becomes `"tenant ""a"""`. */
export function quoteIdent(name: string): string {
  if (name.includes('\0')) {
    throw new Error(`identifier contains a NUL byte: ${JSON.stringify(name)}`);
  }
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * A SQL string literal. Standard-conforming strings (on by default since PostgreSQL 9.1, and
 * set explicitly at the top of every script we render) make `''` the only escape needed.
 */
export function quoteLiteral(value: string): string {
  if (value.includes('\0')) {
    throw new Error(`literal contains a NUL byte: ${JSON.stringify(value)}`);
  }
  return `'${value.replace(/'/g, "''")}'`;
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL parameters

/** A memory amount in PostgreSQL's units (kB, MB, GB), rounded down to whole MB above 1 MB. */
export function pgMemory(bytes: number): string {
  const mb = Math.floor(bytes / 1024 ** 2);
  if (mb >= 1024 && mb % 1024 === 0) {
    return `${mb / 1024}GB`;
  }
  if (mb >= 1) {
    return `${mb}MB`;
  }
  return `${Math.max(64, Math.floor(bytes / 1024))}kB`;
}

const MEMORY_VALUE = /^[0-9]+(kB|MB|GB|TB)?$/;
const DURATION_VALUE = /^[0-9]+(us|ms|s|min|h|d)?$/;
/** A PostgreSQL GUC name: letters, digits, `_`, and `.` for extension namespaces (`pg_stat_statements.max`). */
const PARAMETER_NAME = /^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)?$/;

/** Parameters Patroni owns: setting them in `parameters` would be ignored or break replication. */
export const PATRONI_MANAGED_PARAMETERS: readonly string[] = [
  'listen_addresses',
  'port',
  'cluster_name',
  'hot_standby',
  'data_directory',
  'config_file',
  'hba_file',
  'ident_file',
  'primary_conninfo',
  'primary_slot_name',
  'recovery_target',
  'recovery_target_lsn',
  'recovery_target_name',
  'recovery_target_time',
  'recovery_target_xid',
  'synchronous_standby_names',
  'restore_command',
  'archive_command',
];

/** Parameters with a typed prop: set them there, so defaults and checks see them. */
export const TYPED_PARAMETERS: Readonly<Record<string, string>> = {
  max_connections: 'maxConnections',
  shared_buffers: 'sharedBuffers',
  work_mem: 'workMem',
  maintenance_work_mem: 'maintenanceWorkMem',
  effective_cache_size: 'effectiveCacheSize',
  max_wal_size: 'maxWalSize',
  min_wal_size: 'minWalSize',
  wal_keep_size: 'walKeepSize',
};

/** Value formats of well-known parameters, so a typo fails at synth and not at 3 a.m. */
const PARAMETER_FORMATS: Readonly<Record<string, { pattern: RegExp; what: string }>> = {
  temp_buffers: { pattern: MEMORY_VALUE, what: 'a memory size such as 8MB' },
  autovacuum_work_mem: { pattern: /^(-1|[0-9]+(kB|MB|GB)?)$/, what: 'a memory size or -1' },
  checkpoint_timeout: { pattern: DURATION_VALUE, what: 'a duration such as 15min' },
  checkpoint_completion_target: { pattern: /^(0(\.[0-9]+)?|1(\.0+)?)$/, what: 'a fraction from 0 to 1' },
  statement_timeout: { pattern: DURATION_VALUE, what: 'a duration such as 30s' },
  idle_in_transaction_session_timeout: { pattern: DURATION_VALUE, what: 'a duration such as 10min' },
  lock_timeout: { pattern: DURATION_VALUE, what: 'a duration such as 5s' },
  log_min_duration_statement: { pattern: /^(-1|[0-9]+(us|ms|s|min|h|d)?)$/, what: 'a duration or -1' },
  random_page_cost: { pattern: /^[0-9]+(\.[0-9]+)?$/, what: 'a number' },
  effective_io_concurrency: { pattern: /^[0-9]+$/, what: 'an integer' },
  max_worker_processes: { pattern: /^[0-9]+$/, what: 'an integer' },
  max_parallel_workers: { pattern: /^[0-9]+$/, what: 'an integer' },
  max_parallel_workers_per_gather: { pattern: /^[0-9]+$/, what: 'an integer' },
  wal_compression: { pattern: /^(on|off|pglz|lz4|zstd)$/, what: 'on, off, pglz, lz4 or zstd' },
  log_statement: { pattern: /^(none|ddl|mod|all)$/, what: 'none, ddl, mod or all' },
  password_encryption: { pattern: /^scram-sha-256$/, what: 'scram-sha-256 (md5 is deprecated)' },
};

/** One problem with a `parameters` entry. */
export interface ParameterProblem {
  readonly name: string;
  readonly rule: string;
  readonly value: string | number | boolean;
}

/** Checks the free-form `parameters` map: names, ownership and the formats we know. */
export function checkParameters(parameters: Readonly<Record<string, string | number | boolean>>): ParameterProblem[] {
  const problems: ParameterProblem[] = [];
  for (const [name, value] of Object.entries(parameters)) {
    if (!PARAMETER_NAME.test(name)) {
      problems.push({ name, rule: 'is not a PostgreSQL parameter name (lower-case letters, digits, _ and one optional "." namespace)', value });
      continue;
    }
    if (PATRONI_MANAGED_PARAMETERS.includes(name)) {
      problems.push({ name, rule: 'is managed by Patroni and cannot be set', value });
      continue;
    }
    if (TYPED_PARAMETERS[name]) {
      problems.push({ name, rule: `has a typed prop: set ${TYPED_PARAMETERS[name]} instead`, value });
      continue;
    }
    const text = String(value);
    if (typeof value === 'number' && !Number.isFinite(value)) {
      problems.push({ name, rule: 'must be a finite number', value });
      continue;
    }
    if (/[\n\r\0]/.test(text)) {
      problems.push({ name, rule: 'must be a single line', value });
      continue;
    }
    const format = PARAMETER_FORMATS[name];
    if (format && !format.pattern.test(text)) {
      problems.push({ name, rule: `must be ${format.what}`, value });
    }
  }
  return problems;
}

/** The settings people tune, in PostgreSQL units; all derive from the memory limit unless given. */
export interface TunedSettings {
  readonly maxConnections: number;
  readonly sharedBuffers: string;
  readonly effectiveCacheSize: string;
  readonly workMem: string;
  readonly maintenanceWorkMem: string;
  readonly maxWalSize: string;
  readonly minWalSize: string;
  readonly walKeepSize: string;
}

/**
 * Defaults from the container's memory limit, after the PostgreSQL wiki's "Tuning Your PostgreSQL
 * Server" and pgtune: shared_buffers 25%, effective_cache_size 75%, maintenance_work_mem 1/16
 * (at most 1GB), work_mem what is left after shared_buffers over 3 sorts per connection (4MB to 64MB).
 */
export function defaultTunedSettings(memoryLimitBytes: number, maxConnections = 100): TunedSettings {
  const mb = 1024 ** 2;
  const shared = Math.max(32 * mb, Math.floor(memoryLimitBytes / 4));
  const work = Math.min(64 * mb, Math.max(4 * mb, Math.floor((memoryLimitBytes - shared) / (maxConnections * 3))));
  return {
    maxConnections,
    sharedBuffers: pgMemory(shared),
    effectiveCacheSize: pgMemory(Math.floor((memoryLimitBytes * 3) / 4)),
    workMem: pgMemory(work),
    maintenanceWorkMem: pgMemory(Math.min(1024 * mb, Math.max(64 * mb, Math.floor(memoryLimitBytes / 16)))),
    maxWalSize: '2GB',
    minWalSize: '512MB',
    walKeepSize: '1GB',
  };
}

/** Parses a PostgreSQL memory value (`128MB`, `1GB`, `8192kB`) to bytes; NaN if invalid. */
export function parsePgMemory(value: string): number {
  const m = /^([0-9]+)(kB|MB|GB|TB)?$/.exec(value);
  if (!m) {
    return NaN;
  }
  const unit: Record<string, number> = { kB: 1024, MB: 1024 ** 2, GB: 1024 ** 3, TB: 1024 ** 4 };
  // A bare number is in 8kB blocks for shared_buffers, kB for work_mem: demand a unit instead.
  return m[2] ? parseInt(m[1], 10) * unit[m[2]] : NaN;
}

/** Every PostgreSQL parameter the cluster runs with (Patroni adds the ones it manages). */
export function postgresParameters(
  tuned: TunedSettings,
  options: { archiving: boolean; synchronous: boolean; extra: Readonly<Record<string, string | number | boolean>> },
): Record<string, string | number | boolean> {
  const params: Record<string, string | number | boolean> = {
    max_connections: tuned.maxConnections,
    shared_buffers: tuned.sharedBuffers,
    effective_cache_size: tuned.effectiveCacheSize,
    work_mem: tuned.workMem,
    maintenance_work_mem: tuned.maintenanceWorkMem,
    max_wal_size: tuned.maxWalSize,
    min_wal_size: tuned.minWalSize,
    wal_keep_size: tuned.walKeepSize,
    wal_level: 'replica',
    wal_log_hints: 'on',
    max_wal_senders: 10,
    max_replication_slots: 10,
    checkpoint_completion_target: 0.9,
    password_encryption: 'scram-sha-256',
    // Logs go to stderr, where the kubelet collects them; the root filesystem is read-only.
    logging_collector: 'off',
    log_destination: 'stderr',
    log_line_prefix: '%m [%p] %q%u@%d ',
    log_min_duration_statement: '1s',
    log_lock_waits: 'on',
    log_temp_files: 0,
    unix_socket_directories: SOCKET_DIR,
    shared_preload_libraries: 'pg_stat_statements',
    track_io_timing: 'on',
    // The default of 64MB /dev/shm would break parallel queries; the pod mounts a memory emptyDir.
    dynamic_shared_memory_type: 'posix',
    archive_mode: options.archiving ? 'on' : 'off',
    archive_timeout: options.archiving ? '5min' : 0,
  };
  if (options.synchronous) {
    // A commit waits for the sync standby; Patroni picks it and maintains synchronous_standby_names.
    params.synchronous_commit = 'on';
  }
  return { ...params, ...options.extra };
}

// ---------------------------------------------------------------------------------------------
// Patroni

/** Where WAL-G keeps a cluster's backups: an S3 prefix plus the settings MinIO needs. */
export interface WalgTarget {
  /** `s3://bucket/path`. */
  readonly s3Prefix: string;
  /** S3 endpoint URL, e.g. `http://minio.storage-minio.svc:9000`. */
  readonly endpoint: string;
  /** Path-style addressing (MinIO). */
  readonly forcePathStyle: boolean;
}

/** WAL-G's environment for one target (credentials come from a Secret, separately). */
export function walgEnvironment(target: WalgTarget): Record<string, string> {
  return {
    WALG_S3_PREFIX: target.s3Prefix,
    AWS_ENDPOINT: target.endpoint,
    AWS_S3_FORCE_PATH_STYLE: String(target.forcePathStyle),
    WALG_COMPRESSION_METHOD: 'lz4',
  };
}

/** Pod variables that hold the standby archive's credentials (`STANDBY_<WAL-G name>`). */
export const STANDBY_CREDENTIAL_VARIABLES = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'WALG_LIBSODIUM_KEY'] as const;

/**
 * Prefixes a WAL-G command with the environment of another target (restore, standby). With
 * `credentialsFrom`, the credentials come from the pod's `<prefix><name>` variables, expanded by
 * the shell that runs the command (PostgreSQL runs restore_command with /bin/sh).
 */
function walgWith(target: WalgTarget, command: string, credentialsFrom?: string): string {
  const env = Object.entries(walgEnvironment(target)).map(([k, v]) => `${k}=${shellQuote(v)}`);
  if (credentialsFrom) {
    env.push(...STANDBY_CREDENTIAL_VARIABLES.map((name) => `${name}="$${credentialsFrom}${name}"`));
  }
  return `env ${env.join(' ')} ${command}`;
}

/** Prefix of the standby archive's credential variables in the pod. */
export const STANDBY_CREDENTIALS_PREFIX = 'STANDBY_';

/** A POSIX shell word. */
export function shellQuote(value: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

export interface RestoreSource {
  /** The backups to restore: the source cluster's WAL-G target. */
  readonly target: WalgTarget;
  /** Base backup name. @default 'LATEST' */
  readonly backupName?: string;
  /** Point in time to recover to (`2026-11-26 08:00:00+00`). @default - end of the archive */
  readonly targetTime?: string;
}

/** What a standby follows: a remote primary (streaming), the primary's archive, or both. */
export interface StandbySpec {
  readonly remote?: { readonly host: string; readonly port: number };
  /** The primary's archive, read with the STANDBY_* credentials of the pod. */
  readonly archive?: WalgTarget;
}

export interface PatroniConfigOptions {
  /** Patroni scope: the cluster name. */
  readonly scope: string;
  /** Labels Patroni puts on (and finds) its pods and Endpoints; the scope label is added to them. */
  readonly labels: Readonly<Record<string, string>>;
  /** The label that carries the scope. */
  readonly scopeLabel: string;
  /** Leader lock and state in Endpoints (true) or in ConfigMaps (false). */
  readonly useEndpoints: boolean;
  readonly postgresVersion: number;
  readonly parameters: Readonly<Record<string, string | number | boolean>>;
  readonly synchronousMode: boolean;
  readonly failsafeMode: boolean;
  readonly ttl: number;
  readonly loopWait: number;
  readonly retryTimeout: number;
  readonly maximumLagOnFailoverBytes: number;
  /** WAL archive (also where replicas may restore from). @default - no archiving */
  readonly archive?: WalgTarget;
  readonly restoreFrom?: RestoreSource;
  readonly standby?: StandbySpec;
  /** Serve TLS with these files; remote connections must use it. @default - no TLS */
  readonly tls?: PostgresTls;
}

/** TLS of the members: the mounted certificate and how members connect to each other. */
export interface PostgresTls {
  readonly cert: string;
  readonly key: string;
  readonly ca: string;
  /**
   * sslmode of replication and rewind connections. `verify-ca` inside a cluster: members connect to
   * each other's pod IP, which no certificate names, so the host name cannot be verified. `require`
   * for a DR standby that streams from another cluster, whose CA it does not have.
   */
  readonly replicationSslMode: 'verify-ca' | 'require';
}

/** pg_hba: SCRAM everywhere; with TLS every remote line is `hostssl` and plaintext is rejected. */
export function pgHbaRules(tls: boolean): string[] {
  const remote = tls ? 'hostssl' : 'host';
  return [
    `local all all trust`,
    // Loopback (the exporter sidecar, Patroni's own checks) stays plain: it never leaves the pod.
    `host all all 127.0.0.1/32 scram-sha-256`,
    `host all all ::1/128 scram-sha-256`,
    `${remote} replication ${ROLES.replication} 0.0.0.0/0 scram-sha-256`,
    `${remote} replication ${ROLES.backup} 0.0.0.0/0 scram-sha-256`,
    `${remote} all all 0.0.0.0/0 scram-sha-256`,
    // `all` never matches a replication connection: reject plaintext ones by name too.
    ...(tls ? [`${remote} all all ::/0 scram-sha-256`, 'hostnossl replication all all reject', 'hostnossl all all all reject'] : []),
  ];
}

/** The server's TLS parameters (file-local, like the certificate's paths). */
export function tlsParameters(tls: PostgresTls): Record<string, string> {
  return {
    ssl: 'on',
    ssl_cert_file: tls.cert,
    ssl_key_file: tls.key,
    ssl_ca_file: tls.ca,
    ssl_min_protocol_version: 'TLSv1.2',
  };
}

/** libpq TLS settings of Patroni's replication and rewind connections. */
function tlsAuthentication(tls: PostgresTls | undefined): Record<string, string> {
  return tls ? { sslmode: tls.replicationSslMode, sslrootcert: tls.ca } : {};
}

/**
 * `standby_cluster`: stream from the remote primary, and fetch from its archive what the stream no
 * longer has (Patroni docs/standby_cluster.rst: host/port and restore_command together). A new
 * member clones with pg_basebackup from the primary, else from the archive's latest base backup.
 */
function standbyCluster(s: StandbySpec): Record<string, unknown> {
  const methods = [...(s.remote ? ['basebackup'] : []), ...(s.archive ? ['walg_standby'] : [])];
  return {
    ...(s.remote ? { host: s.remote.host, port: s.remote.port } : {}),
    ...(s.archive ? { restore_command: walgWith(s.archive, 'wal-g wal-fetch "%f" "%p"', STANDBY_CREDENTIALS_PREFIX) } : {}),
    create_replica_methods: methods,
  };
}

/** The DCS settings Patroni bootstraps the cluster with (`bootstrap.dcs`). */
function dcsConfig(o: PatroniConfigOptions): Record<string, unknown> {
  const dcs: Record<string, unknown> = {
    ttl: o.ttl,
    loop_wait: o.loopWait,
    retry_timeout: o.retryTimeout,
    maximum_lag_on_failover: o.maximumLagOnFailoverBytes,
    // Without failsafe mode a primary that cannot renew its leader key in the Kubernetes API demotes
    // itself, so an API server outage would take the database down (patroni docs/dcs_failsafe_mode.rst).
    failsafe_mode: o.failsafeMode,
    synchronous_mode: o.synchronousMode,
    synchronous_mode_strict: false,
    postgresql: {
      use_pg_rewind: true,
      use_slots: true,
      parameters: { ...o.parameters },
    },
  };
  if (o.standby) {
    dcs.standby_cluster = standbyCluster(o.standby);
  }
  return dcs;
}

/** `bootstrap`: the DCS settings, initdb, and the restore method when the cluster starts from a backup. */
function bootstrapConfig(o: PatroniConfigOptions, pgHba: readonly string[]): Record<string, unknown> {
  const bootstrap: Record<string, unknown> = {
    dcs: dcsConfig(o),
    initdb: [{ encoding: 'UTF8' }, { locale: 'C.UTF-8' }, 'data-checksums'],
    // Patroni 3.0's validator still requires bootstrap.pg_hba; postgresql.pg_hba below is what applies.
    pg_hba: pgHba,
  };
  if (o.restoreFrom) {
    const r = o.restoreFrom;
    bootstrap.method = 'walg_restore';
    bootstrap.walg_restore = {
      // Patroni appends --scope and --datadir; `sh -c` ignores them and uses PGDATA below.
      command: `sh -c ${shellQuote(walgWith(r.target, `wal-g backup-fetch ${PGDATA} ${r.backupName ?? 'LATEST'}`))}`,
      no_params: true,
      keep_existing_recovery_conf: false,
      recovery_conf: {
        restore_command: walgWith(r.target, 'wal-g wal-fetch "%f" "%p"'),
        recovery_target_action: 'promote',
        recovery_target_timeline: 'latest',
        ...(r.targetTime ? { recovery_target_time: r.targetTime } : {}),
      },
    };
  }
  return bootstrap;
}

/** `postgresql`: where PostgreSQL lives, the roles Patroni uses, and how replicas are created. */
function postgresqlConfig(o: PatroniConfigOptions, pgHba: readonly string[]): Record<string, unknown> {
  const replicaMethods: string[] = [];
  const postgresql: Record<string, unknown> = {
    listen: `0.0.0.0:${POSTGRES_PORT}`,
    data_dir: PGDATA,
    bin_dir: `/usr/lib/postgresql/${o.postgresVersion}/bin`,
    pgpass: '/tmp/pgpass',
    use_unix_socket: true,
    use_unix_socket_repl: false,
    authentication: {
      superuser: { username: ROLES.superuser },
      replication: { username: ROLES.replication, ...tlsAuthentication(o.tls) },
      rewind: { username: ROLES.rewind, ...tlsAuthentication(o.tls) },
    },
    parameters: { unix_socket_directories: SOCKET_DIR, ...(o.tls ? tlsParameters(o.tls) : {}) },
    pg_hba: pgHba,
  };
  if (o.archive) {
    replicaMethods.push('walg');
    postgresql.walg = { command: `wal-g backup-fetch ${PGDATA} LATEST`, no_params: true, keep_data: false };
    postgresql.recovery_conf = { restore_command: 'wal-g wal-fetch "%f" "%p"' };
  }
  if (o.standby?.archive) {
    // Patroni runs the command without a shell (shlex split): `sh -c` expands the credentials.
    const fetch = walgWith(o.standby.archive, `wal-g backup-fetch ${PGDATA} LATEST`, STANDBY_CREDENTIALS_PREFIX);
    postgresql.walg_standby = { command: `sh -c ${shellQuote(fetch)}`, no_params: true };
  }
  replicaMethods.push('basebackup');
  postgresql.create_replica_methods = replicaMethods;
  postgresql.basebackup = [{ 'max-rate': '100M' }, { checkpoint: 'fast' }];
  return postgresql;
}

/**
 * patroni.yml. Per-pod values (name, pod IP, addresses) and passwords are not in it: they come
 * from the environment (`patroniEnvironment`), which Patroni merges over the file.
 */
export function patroniConfig(o: PatroniConfigOptions): Record<string, unknown> {
  // Every remote connection authenticates with SCRAM; the NetworkPolicy decides who may connect at all.
  const pgHba = pgHbaRules(!!o.tls);
  return {
    scope: o.scope,
    restapi: { listen: `0.0.0.0:${PATRONI_API_PORT}` },
    kubernetes: {
      labels: { ...o.labels },
      scope_label: o.scopeLabel,
      role_label: 'role',
      use_endpoints: o.useEndpoints,
      ...(o.useEndpoints
        ? // The leader Service names its port; Patroni must write the same name into the Endpoints.
          { ports: [{ name: 'postgresql', port: POSTGRES_PORT }] }
        : // The leader Service selects this label value: pin it (Patroni < 4 defaults to `master`).
          { leader_label_value: 'primary', standby_leader_label_value: 'primary' }),
    },
    bootstrap: bootstrapConfig(o, pgHba),
    postgresql: postgresqlConfig(o, pgHba),
    watchdog: { mode: 'off' },
    tags: { nofailover: false, noloadbalance: false, clonefrom: false, nosync: false },
  };
}

/**
 * The environment Patroni reads next to patroni.yml. Values may use Kubernetes `$(VAR)` expansion;
 * `POD_IP`, `POD_NAME` and `POD_NAMESPACE` come from the downward API in the pod.
 */
export function patroniEnvironment(): Record<string, string> {
  return {
    PATRONI_NAME: '$(POD_NAME)',
    PATRONI_KUBERNETES_NAMESPACE: '$(POD_NAMESPACE)',
    PATRONI_KUBERNETES_POD_IP: '$(POD_IP)',
    PATRONI_POSTGRESQL_CONNECT_ADDRESS: `$(POD_IP):${POSTGRES_PORT}`,
    PATRONI_RESTAPI_CONNECT_ADDRESS: `$(POD_IP):${PATRONI_API_PORT}`,
  };
}

// ---------------------------------------------------------------------------------------------
// PgBouncer

export interface PgBouncerOptions {
  /** Host of the primary: the leader Service. */
  readonly host: string;
  readonly port: number;
  readonly poolMode: 'transaction' | 'session' | 'statement';
  readonly maxClientConnections: number;
  readonly defaultPoolSize: number;
  readonly minPoolSize: number;
  readonly reservePoolSize: number;
  /** Server connections of one PgBouncer instance to one database, all users. */
  readonly maxDbConnections: number;
  /** Prepared statements in transaction mode (PgBouncer >= 1.21). 0 leaves the setting out (1.18 refuses it). */
  readonly maxPreparedStatements: number;
  /** The userlist with the auth user's SCRAM secret or password. */
  readonly authFile: string;
  /** TLS to clients (required) and to the server (verified against the cluster's CA). @default - plain, server TLS if offered */
  readonly tls?: { readonly cert: string; readonly key: string; readonly ca: string };
}

/**
 * PgBouncer's TLS lines. Clients must use TLS (`require`: PgBouncer asks for no client certificate).
 * Protocols stay at PgBouncer's default `secure` (TLS 1.2 and 1.3). To the server `verify-full`: PgBouncer connects to the leader Service's name, which the
 * certificate carries, so both the CA and the host name are checked.
 */
function pgbouncerTls(tls: PgBouncerOptions['tls']): string[] {
  if (!tls) {
    return ['server_tls_sslmode = prefer'];
  }
  return [
    'client_tls_sslmode = require',
    `client_tls_cert_file = ${tls.cert}`,
    `client_tls_key_file = ${tls.key}`,
    `client_tls_ca_file = ${tls.ca}`,
    'server_tls_sslmode = verify-full',
    `server_tls_ca_file = ${tls.ca}`,
  ];
}

/** pgbouncer.ini: every database through the leader Service; users looked up with auth_query. */
export function pgbouncerIni(o: PgBouncerOptions): string {
  const lines = [
    '[databases]',
    `* = host=${o.host} port=${o.port}`,
    '',
    '[pgbouncer]',
    'listen_addr = 0.0.0.0',
    `listen_port = ${POSTGRES_PORT}`,
    // No unix socket: the root filesystem is read-only, and clients come over the network.
    'unix_socket_dir =',
    'auth_type = scram-sha-256',
    `auth_file = ${o.authFile}`,
    `auth_user = ${ROLES.pooler}`,
    `auth_query = SELECT usename, passwd FROM ${POOLER_SCHEMA}.get_auth($1)`,
    `pool_mode = ${o.poolMode}`,
    `max_client_conn = ${o.maxClientConnections}`,
    `default_pool_size = ${o.defaultPoolSize}`,
    `min_pool_size = ${o.minPoolSize}`,
    `reserve_pool_size = ${o.reservePoolSize}`,
    `max_db_connections = ${o.maxDbConnections}`,
    ...(o.maxPreparedStatements > 0 ? [`max_prepared_statements = ${o.maxPreparedStatements}`] : []),
    // After a failover the leader Service points elsewhere: drop server connections quickly.
    'server_check_delay = 10',
    'server_lifetime = 3600',
    'server_idle_timeout = 300',
    'server_connect_timeout = 5',
    'server_login_retry = 2',
    'query_wait_timeout = 60',
    ...pgbouncerTls(o.tls),
    'ignore_startup_parameters = extra_float_digits,options',
    // SHOW STATS/POOLS for monitoring; no admin user: nobody can PAUSE or SHUTDOWN a pooler remotely.
    `stats_users = ${ROLES.pooler}`,
    'log_connections = 0',
    'log_disconnections = 0',
    '',
  ];
  return lines.join('\n');
}

/** The auth_file line for the auth user: `"user" "secret"` (PgBouncer's userlist format). */
export function pgbouncerUserlistLine(user: string, secret: string): string {
  return `"${user.replace(/"/g, '""')}" "${secret.replace(/"/g, '""')}"`;
}

// ---------------------------------------------------------------------------------------------
// SQL of the admin Jobs (run with psql: they use \gexec and :'variables')

/** Session settings; repeated after every `\\connect`, which starts a new session. */
const SESSION = ['SET standard_conforming_strings = on;', "SET client_min_messages = 'warning';"];
const SQL_PRELUDE = ['\\set ON_ERROR_STOP on', ...SESSION];

/** `\\connect` to a database (psql keeps a double-quoted name as is) and restore the session settings. */
function connect(database: string): string[] {
  return [`\\connect ${quoteIdent(database)}`, ...SESSION];
}

/** `CREATE ROLE` only when it is missing (CREATE ROLE has no IF NOT EXISTS). */
function createRoleIfMissing(role: string, attributes: string): string {
  return `SELECT format('CREATE ROLE %I ${attributes}', ${quoteLiteral(role)}) WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = ${quoteLiteral(role)})\\gexec`;
}

/** The pooler's lookup function in the current database (auth_query runs in the client's database). */
function poolerLookup(): string[] {
  const schema = quoteIdent(POOLER_SCHEMA);
  const role = quoteIdent(ROLES.pooler);
  return [
    `CREATE SCHEMA IF NOT EXISTS ${schema} AUTHORIZATION ${quoteIdent(ROLES.superuser)};`,
    `REVOKE ALL ON SCHEMA ${schema} FROM PUBLIC;`,
    `GRANT USAGE ON SCHEMA ${schema} TO ${role};`,
    // SECURITY DEFINER with a pinned search_path (CNPG's user_search pattern): the pooler reads one
    // row of pg_shadow and nothing else; superusers cannot log in through the pooler.
    `CREATE OR REPLACE FUNCTION ${schema}.get_auth(p_usename text) RETURNS TABLE (usename name, passwd text)`,
    `  LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp`,
    `  AS $fn$ SELECT usename, passwd FROM pg_catalog.pg_shadow WHERE usename = p_usename AND NOT usesuper $fn$;`,
    `REVOKE ALL ON FUNCTION ${schema}.get_auth(text) FROM PUBLIC;`,
    `GRANT EXECUTE ON FUNCTION ${schema}.get_auth(text) TO ${role};`,
  ];
}

export interface BootstrapSqlOptions {
  /** The application database. */
  readonly database: string;
  /** Its owner, a login role used by the application through the pooler. */
  readonly owner: string;
}

/**
 * The base-backup role. WAL-G's remote backup-push (no data directory: wal-g v3.0.5
 * `internal/databases/postgres/backup_push_handler.go`, `GetPgServerInfo` and `runRemoteBackup`)
 * runs `show data_directory` (superuser or pg_read_all_settings), `current_setting`,
 * `pg_control_system()`, `pg_control_checkpoint()` and `pg_control_init()` (executable by PUBLIC),
 * then BASE_BACKUP on a replication connection (the REPLICATION attribute). Nothing else: no
 * superuser, no pg_monitor, no table access.
 */
function backupRole(): string[] {
  const role = quoteIdent(ROLES.backup);
  return [
    createRoleIfMissing(ROLES.backup, 'LOGIN REPLICATION'),
    `ALTER ROLE ${role} WITH LOGIN REPLICATION NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'backup_password';`,
    `GRANT pg_read_all_settings TO ${role};`,
  ];
}

/**
 * Roles and the application database, safe to re-run. Passwords arrive as psql variables
 * (`-v monitor_password=...`) from Secrets, so they never appear in the manifest: `monitor_password`,
 * `pooler_password`, `app_password`, `backup_password`.
 */
export function bootstrapSql(o: BootstrapSqlOptions): string {
  const db = quoteIdent(o.database);
  const owner = quoteIdent(o.owner);
  return [
    ...SQL_PRELUDE,
    createRoleIfMissing(ROLES.monitor, 'LOGIN'),
    `ALTER ROLE ${quoteIdent(ROLES.monitor)} WITH LOGIN PASSWORD :'monitor_password';`,
    `GRANT pg_monitor TO ${quoteIdent(ROLES.monitor)};`,
    createRoleIfMissing(ROLES.pooler, 'LOGIN'),
    `ALTER ROLE ${quoteIdent(ROLES.pooler)} WITH LOGIN PASSWORD :'pooler_password';`,
    createRoleIfMissing(o.owner, 'LOGIN'),
    `ALTER ROLE ${owner} WITH LOGIN PASSWORD :'app_password';`,
    ...backupRole(),
    `SELECT format('CREATE DATABASE %I OWNER %I', ${quoteLiteral(o.database)}, ${quoteLiteral(o.owner)}) WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = ${quoteLiteral(o.database)})\\gexec`,
    `ALTER DATABASE ${db} OWNER TO ${owner};`,
    `REVOKE CREATE ON SCHEMA public FROM PUBLIC;`,
    // postgres_exporter connects to this database; its stat_statements collector reads the view
    // here (it covers every database). Without it each scrape logs "relation does not exist".
    `CREATE EXTENSION IF NOT EXISTS pg_stat_statements;`,
    ...poolerLookup(),
    ...connect(o.database),
    `REVOKE CREATE ON SCHEMA public FROM PUBLIC;`,
    `CREATE EXTENSION IF NOT EXISTS pg_stat_statements;`,
    ...poolerLookup(),
    '',
  ].join('\n');
}

/** A tenant's objects: a NOLOGIN owner role and a schema it owns, in the application database. */
export interface TenantSqlOptions {
  readonly database: string;
  /** The tenant's schema (and owner role's base name). */
  readonly schema: string;
  /** The application role that may use the schema. */
  readonly appRole: string;
  /** Create the tenant's LOGIN role `<schema>_user`, its password from psql variable `tenant_password`. @default false */
  readonly login?: boolean;
}

/** The owner role of a tenant schema. */
export function tenantRole(schema: string): string {
  return `${schema}_owner`;
}

/** The LOGIN role of a tenant's own workloads: a member of the owner role. */
export function tenantLoginRole(schema: string): string {
  return `${schema}_user`;
}

/** Tenant schema SQL: idempotent, every identifier quoted, every name passed as a literal. */
export function tenantSchemaSql(o: TenantSqlOptions): string {
  const schema = quoteIdent(o.schema);
  const owner = tenantRole(o.schema);
  const app = quoteIdent(o.appRole);
  return [
    ...SQL_PRELUDE,
    ...connect(o.database),
    createRoleIfMissing(owner, 'NOLOGIN'),
    `GRANT ${quoteIdent(owner)} TO ${app};`,
    `CREATE SCHEMA IF NOT EXISTS ${schema} AUTHORIZATION ${quoteIdent(owner)};`,
    `REVOKE ALL ON SCHEMA ${schema} FROM PUBLIC;`,
    `GRANT USAGE, CREATE ON SCHEMA ${schema} TO ${app};`,
    `ALTER DEFAULT PRIVILEGES FOR ROLE ${quoteIdent(owner)} IN SCHEMA ${schema} GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ${app};`,
    ...(o.login ? tenantLoginSql(o.schema, owner) : []),
    '',
  ].join('\n');
}

/**
 * The tenant's LOGIN role: no other privilege than membership of its schema's owner (it sees its
 * schema only: every tenant schema revokes PUBLIC), `search_path` set to its schema, a connection
 * limit so one tenant cannot exhaust the server's slots.
 */
function tenantLoginSql(schema: string, owner: string): string[] {
  const user = tenantLoginRole(schema);
  return [
    createRoleIfMissing(user, 'LOGIN'),
    `ALTER ROLE ${quoteIdent(user)} WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION CONNECTION LIMIT 50 PASSWORD :'tenant_password';`,
    `GRANT ${quoteIdent(owner)} TO ${quoteIdent(user)};`,
    `ALTER ROLE ${quoteIdent(user)} SET search_path = ${quoteIdent(schema)};`,
  ];
}

/**
 * patroni.yml as text. Patroni reads it with PyYAML, a YAML 1.1 parser, where a bare `on` or `off`
 * is a boolean: writing YAML 1.1 quotes such strings, so `wal_log_hints: "on"` stays a string.
 */
export function renderPatroniYaml(config: Record<string, unknown>): string {
  return YAML.stringify(config, { version: '1.1', sortMapEntries: false, lineWidth: 0 });
}
