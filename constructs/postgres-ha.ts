import { createHash } from 'crypto';
import { Chart, Duration, JsonPatch, Size } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { disruptionBudget } from './lib/disruption-budget';
import { managedSecret, SecretStoreRef } from './lib/external-secret';
import {
  ANNOTATION_DOMAIN,
  imageVersion,
  LABEL_COMPONENT,
  LABEL_INSTANCE,
  LABEL_NAME,
  selectorLabels,
  standardLabels,
  WorkloadIdentity,
} from './lib/labels';
import { INetworkPeer, peerOf } from './lib/network';
import { exemptFromPolicy } from './lib/policy-exemption';
import { containerSecurityContext, podSecurityContext, TMP, WritablePath, writableMounts, writableVolumes } from './lib/pod-defaults';
import {
  bootstrapSql,
  checkParameters,
  defaultTunedSettings,
  EXPORTER_PORT,
  PATRONI_API_PORT,
  PATRONI_CONFIG_PATH,
  patroniConfig,
  patroniEnvironment,
  renderPatroniYaml,
  PGROOT,
  pgbouncerIni,
  pgbouncerUserlistLine,
  parsePgMemory,
  POOLER_EXPORTER_PORT,
  POSTGRES_PORT,
  postgresParameters,
  ROLES,
  SOCKET_DIR,
  StandbySpec,
  tenantSchemaSql,
  TunedSettings,
  WalgTarget,
  walgEnvironment,
  RestoreSource,
} from './lib/postgres-config';
import { PropChecks } from './lib/prop-errors';
import { Resources } from './lib/resources';
import { NodePool, nodePoolSpec, spreadReplicas } from './lib/scheduling';
import { metricsMonitor } from './lib/service-monitor';

/** Spilo 17 (PostgreSQL 17, Patroni 4, WAL-G), as pinned by zalando/postgres-operator 1.14. */
export const DEFAULT_POSTGRES_IMAGE = 'ghcr.io/zalando/spilo-17:4.0-p2';
/** PgBouncer 1.23 (max_prepared_statements needs >= 1.21), CloudNativePG's build. */
export const DEFAULT_PGBOUNCER_IMAGE = 'ghcr.io/cloudnative-pg/pgbouncer:1.23.0';
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
/** The port every PostgreSQL Service (leader, replica, members, pooler) exposes. */
const POSTGRES_SERVICE_PORT: k8s.ServicePort = {
  name: 'postgresql',
  port: POSTGRES_PORT,
  targetPort: k8s.IntOrString.fromNumber(POSTGRES_PORT),
  protocol: 'TCP',
};
const METRICS_SERVICE_LABEL = `postgres.${ANNOTATION_DOMAIN}/metrics`;
const APP_NAME = 'postgresql';

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

/** Where a standby cluster follows its primary from. */
export class StandbySource {
  /** Stream from a remote primary (its leader Service or a load balancer in front of it). */
  public static primary(host: string, port: number = POSTGRES_PORT): StandbySource {
    return new StandbySource({ host, port });
  }

  /**
   * Replay the WAL archive another cluster writes with WAL-G, through this cluster's `backup` store
   * (for DR: the primary region's bucket, replicated to this region's object storage).
   */
  public static archive(sourceCluster: string, options: { readonly prefix?: string } = {}): StandbySource {
    return new StandbySource(undefined, sourceCluster, options.prefix);
  }

  private constructor(
    /** Remote primary. */
    public readonly remote?: { readonly host: string; readonly port: number },
    /** Cluster name whose archive is replayed. */
    public readonly archiveOf?: string,
    /** Path of that archive in the bucket. @default - this cluster's backup.prefix */
    public readonly archivePrefix?: string,
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
  /** Secret-store key holding the S3 credentials (properties `access-key-id`, `secret-access-key`). */
  readonly credentialsRemoteKey: string;
  /** The object storage's pods, for the egress NetworkPolicy. @default - any destination on `port` */
  readonly networkPeer?: INetworkPeer;
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
  /** Prepared statements tracked per connection in transaction mode (asyncpg, JDBC). 0 disables. @default 200 */
  readonly maxPreparedStatements?: number;
  /** @default Resources.NANO */
  readonly resources?: Resources;
  /**
   * pgbouncer_exporter sidecar image, used when the cluster's `metrics` is on. It logs in to
   * PgBouncer's admin console as the pooler role (PgBouncer's `stats_users`: SHOW only, no PAUSE
   * or SHUTDOWN). @default DEFAULT_POOLER_EXPORTER_IMAGE
   */
  readonly exporterImage?: string;
}

export interface PostgresHAProps {
  /** Namespace of every object. @default - the chart's namespace */
  readonly namespace?: string;
  /** Cluster name: Patroni scope, Service and StatefulSet name. @default - the construct id, lower-cased */
  readonly clusterName?: string;
  /** Spilo image, pinned. @default DEFAULT_POSTGRES_IMAGE */
  readonly image?: string;
  /** PostgreSQL major version in the image (Spilo ships several; it selects `bin_dir`). @default 17 */
  readonly postgresVersion?: number;
  /** Where Patroni keeps the leader lock. @default PatroniDcs.ENDPOINTS */
  readonly dcs?: PatroniDcs;
  /** PostgreSQL pods: one primary, the rest replicas. @default 3 */
  readonly instances?: number;
  /** Allow a single instance (no failover). Only for development. @default false */
  readonly allowSingleInstance?: boolean;
  /** Resources of the database container; parameters derive from its memory limit. @default Resources.LARGE */
  readonly resources?: Resources;
  /** Initial size of each data volume (grow it with the PVC resize runbook). @default Size.gibibytes(20) */
  readonly storage?: Size;
  /** StorageClass of the data volumes. @default - the cluster's default class */
  readonly storageClass?: string;
  readonly nodePool?: NodePool;
  /** Spread members across zones as well as nodes. @default false */
  readonly spreadAcrossZones?: boolean;
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
  /** Synchronous replication (zero data loss on failover; writes wait for one replica). Needs 3+ instances. @default false */
  readonly synchronousMode?: boolean;
  /** Keep the primary up while the Kubernetes API is unreachable, if all members see each other. @default true */
  readonly failsafeMode?: boolean;
  /** A replica further behind than this is never promoted. @default Size.mebibytes(16) */
  readonly maximumLagOnFailover?: Size;
  /** Any other PostgreSQL parameter; names and known formats are checked. @default - none */
  readonly parameters?: Readonly<Record<string, string | number | boolean>>;
  /** The External Secrets store that holds the passwords. */
  readonly secretStore: SecretStoreRef;
  /**
   * Key in the store with the cluster's passwords as properties: `superuser-password`,
   * `replication-password`, `rewind-password`, `monitor-password`, `pooler-password`, `app-password`.
   * @default - `postgres/<clusterName>`
   */
  readonly secretRemoteKey?: string;
  /** The application database. @default 'app' */
  readonly database?: string;
  /** The application's login role, owner of the database. @default 'app' */
  readonly databaseOwner?: string;
  /** @default - PgBouncer with the defaults of PostgresPoolerProps */
  readonly pooler?: PostgresPoolerProps;
  /** postgres_exporter and pgbouncer_exporter sidecars, each with a ServiceMonitor. @default true */
  readonly metrics?: boolean;
  /** @default DEFAULT_POSTGRES_EXPORTER_IMAGE */
  readonly exporterImage?: string;
  /** Who scrapes metrics (Prometheus), for the ingress NetworkPolicy. @default - nobody */
  readonly metricsScrapers?: readonly INetworkPeer[];
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
  /** Time a member gets to shut down cleanly (checkpoint, hand over leadership). @default Duration.minutes(5) */
  readonly terminationGracePeriod?: Duration;
  /** @default DEFAULT_PART_OF */
  readonly partOf?: string;
}

/** Options of a tenant schema. */
export interface TenantSchemaOptions {
  /** Database of the schema. @default - the cluster's application database */
  readonly database?: string;
}

/**
 * A highly available PostgreSQL cluster: Patroni with the Kubernetes API as its DCS (no etcd),
 * PgBouncer in front of the leader, WAL-G archiving and backups to S3-compatible storage, a
 * postgres_exporter sidecar, and NetworkPolicies that admit only named clients.
 *
 * Clients connect to `host:port` (the pooler) as `databaseOwner`, with the password in
 * `secretName` / `secretPasswordKey`. `allowFrom(workload)` lets a workload in.
 */
export class PostgresHA extends Construct implements INetworkPeer {
  /** Cluster name (Patroni scope). */
  public readonly clusterName: string;
  public readonly namespace: string;
  /** Host clients connect to: the PgBouncer Service. */
  public readonly host: string;
  public readonly port: number = POSTGRES_PORT;
  /** The leader Service, for clients that must bypass the pooler (migrations with session state). */
  public readonly primaryHost: string;
  /** Read-only replicas (Service selecting `role=replica`). */
  public readonly replicaHost: string;
  /** The application database and its login role. */
  public readonly database: string;
  public readonly username: string;
  /** Secret (in this namespace) with the application password, and its key. */
  public readonly secretName: string;
  public readonly secretPasswordKey = 'password';
  /** Key in the secret store with the application password (property `app-password`), for ExternalSecrets in client namespaces. */
  public readonly secretRemoteKey: string;
  public readonly instances: number;
  /** The database pods (replication, jobs), for NetworkPolicies of others that need them directly. */
  public readonly databasePeer: INetworkPeer;
  /** As an INetworkPeer, the cluster is its entry point: the pooler pods, in this namespace. */
  public readonly peerNamespace: string;
  public readonly peerSelector: Readonly<Record<string, string>>;
  /** `postgresql://<user>@<host>:<port>/<database>`, without the password (that is in `secretName`). */
  public readonly connectionUri: string;
  public readonly statefulSet: k8s.KubeStatefulSet;

  private readonly partOf?: string;
  private readonly sqlConfigMap?: k8s.KubeConfigMap;
  private readonly sqlFiles: Record<string, string> = {};
  private readonly image: string;
  private readonly credentialsSecret: string;
  private readonly clientPolicies = new Set<string>();
  private readonly tenants = new Set<string>();
  private readonly standby: boolean;

  constructor(scope: Construct, id: string, props: PostgresHAProps) {
    super(scope, id);
    const resolved = resolveProps(this, id, props);
    const { namespace, clusterName, instances, image, postgresVersion, resources, storage, tuned, database, owner, backup, grace } = resolved;

    if (instances === 1) {
      this.node.addMetadata('warning', `${this.node.path}: a single PostgreSQL instance has no failover; use it for development only`);
    }

    this.clusterName = clusterName;
    this.namespace = namespace;
    this.instances = instances;
    this.image = image;
    this.database = database;
    this.username = owner;
    this.standby = !!props.standbyOf;
    this.primaryHost = `${clusterName}.${this.namespace}.svc`;
    this.replicaHost = `${clusterName}-replica.${this.namespace}.svc`;
    this.host = `${clusterName}-pooler.${this.namespace}.svc`;
    this.secretRemoteKey = props.secretRemoteKey ?? `postgres/${clusterName}`;
    this.credentialsSecret = `${clusterName}-credentials`;
    this.secretName = `${clusterName}-app`;
    const ns = this.namespace;
    this.partOf = props.partOf;
    const dbSelector = this.selectorFor('database');
    const dbLabels = standardLabels(this.identity('database', imageVersion(image)));
    this.databasePeer = { peerNamespace: ns, peerSelector: dbSelector };
    this.peerNamespace = ns;
    this.peerSelector = this.selectorFor('pooler');
    this.connectionUri = `postgresql://${owner}@${this.host}:${POSTGRES_PORT}/${database}`;

    // --- Secrets (ExternalSecrets only; nothing secret is in git) ---------------------------------
    const remote = (secretKey: string, property: string): { secretKey: string; remoteKey: string; property: string } => ({
      secretKey,
      remoteKey: this.secretRemoteKey,
      property,
    });
    managedSecret(this, 'Credentials', {
      name: this.credentialsSecret,
      namespace: ns,
      labels: this.labelsFor('database'),
      store: props.secretStore,
      keys: ['superuser', 'replication', 'rewind', 'monitor', 'pooler', 'app'].map((k) => remote(`${k}-password`, `${k}-password`)),
    });
    managedSecret(this, 'AppCredentials', {
      name: this.secretName,
      namespace: ns,
      labels: this.labelsFor('database'),
      store: props.secretStore,
      keys: [remote(this.secretPasswordKey, 'app-password')],
    });
    const poolerAuthSecret = `${clusterName}-pooler-auth`;
    const poolerAuth = managedSecret(this, 'PoolerAuth', {
      name: poolerAuthSecret,
      namespace: ns,
      labels: this.labelsFor('pooler'),
      store: props.secretStore,
      keys: [remote('password', 'pooler-password')],
    });
    // PgBouncer's auth_file holds only the auth_query user; every other user is looked up in PostgreSQL.
    poolerAuth.addJsonPatch(
      JsonPatch.add('/spec/target/template', {
        engineVersion: 'v2',
        data: { 'userlist.txt': `${pgbouncerUserlistLine(ROLES.pooler, '{{ .password }}')}\n` },
      }),
    );
    const s3Secret = `${clusterName}-backup-s3`;
    if (backup) {
      managedSecret(this, 'BackupCredentials', {
        name: s3Secret,
        namespace: ns,
        labels: this.labelsFor('backup'),
        store: props.secretStore,
        keys: [
          { secretKey: 'access-key-id', remoteKey: backup.credentialsRemoteKey, property: 'access-key-id' },
          { secretKey: 'secret-access-key', remoteKey: backup.credentialsRemoteKey, property: 'secret-access-key' },
        ],
      });
    }
    const walgTarget = (cluster: string, prefix = backup!.prefix ?? 'postgres'): WalgTarget => ({
      s3Prefix: `s3://${backup!.bucket}/${prefix}/${cluster}`,
      endpoint: backup!.endpoint.replace(/\/$/, ''),
      forcePathStyle: backup!.forcePathStyle ?? true,
    });
    const s3Env: k8s.EnvVar[] = backup
      ? [
          ...Object.entries(walgEnvironment(walgTarget(clusterName))).map(([name, value]) => ({ name, value })),
          { name: 'AWS_ACCESS_KEY_ID', valueFrom: { secretKeyRef: { name: s3Secret, key: 'access-key-id' } } },
          { name: 'AWS_SECRET_ACCESS_KEY', valueFrom: { secretKeyRef: { name: s3Secret, key: 'secret-access-key' } } },
        ]
      : [];
    const secretEnv = (name: string, key: string): k8s.EnvVar => ({ name, valueFrom: { secretKeyRef: { name: this.credentialsSecret, key } } });

    // --- Patroni configuration -----------------------------------------------------------------
    const dcs = props.dcs ?? PatroniDcs.ENDPOINTS;
    let standby: StandbySpec | undefined;
    if (props.standbyOf?.remote) {
      standby = props.standbyOf.remote;
    } else if (props.standbyOf?.archiveOf) {
      standby = { archive: walgTarget(props.standbyOf.archiveOf, props.standbyOf.archivePrefix) };
    }
    const restore: RestoreSource | undefined = props.restoreFrom
      ? {
          target: walgTarget(props.restoreFrom.sourceCluster, props.restoreFrom.sourcePrefix),
          backupName: props.restoreFrom.backupName,
          targetTime: props.restoreFrom.targetTime,
        }
      : undefined;
    const patroni = patroniConfig({
      scope: clusterName,
      labels: { [LABEL_NAME]: APP_NAME, [LABEL_COMPONENT]: 'database' },
      scopeLabel: LABEL_INSTANCE,
      useEndpoints: dcs.useEndpoints,
      postgresVersion,
      parameters: postgresParameters(tuned, { archiving: !!backup, synchronous: !!props.synchronousMode, extra: props.parameters ?? {} }),
      synchronousMode: !!props.synchronousMode,
      failsafeMode: props.failsafeMode ?? true,
      ttl: 30,
      loopWait: 10,
      retryTimeout: 10,
      maximumLagOnFailoverBytes: (props.maximumLagOnFailover ?? Size.mebibytes(16)).toMebibytes() * 1024 * 1024,
      archive: backup ? walgTarget(clusterName) : undefined,
      restoreFrom: restore,
      standby,
    });
    // archive_command lives in the file (not in DCS parameters) so it never follows a restore source.
    if (backup) {
      const pg = patroni.postgresql as { parameters: Record<string, unknown> };
      pg.parameters.archive_command = 'wal-g wal-push "%p"';
    }
    const patroniConfigMap = `${clusterName}-patroni`;
    new k8s.KubeConfigMap(this, 'PatroniConfig', {
      metadata: this.meta(patroniConfigMap),
      data: { 'patroni.yml': renderPatroniYaml(patroni) },
    });

    // --- RBAC: what Patroni's Kubernetes DCS needs, nothing more -----------------------------------
    const serviceAccount = `${clusterName}-patroni`;
    new k8s.KubeServiceAccount(this, 'ServiceAccount', { metadata: this.meta(serviceAccount), automountServiceAccountToken: true });
    new k8s.KubeRole(this, 'Role', {
      metadata: this.meta(serviceAccount),
      rules: [
        // Leader lock and cluster state live in annotations of Endpoints or ConfigMaps of the scope.
        {
          apiGroups: [''],
          resources: [dcs.useEndpoints ? 'endpoints' : 'configmaps'],
          verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'],
        },
        // Members are found by label; each labels its own pod with its role.
        { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch', 'update', 'patch'] },
        // With Endpoints, Patroni creates `<scope>-config` if missing; we pre-create it, so reading is enough.
        ...(dcs.useEndpoints ? [{ apiGroups: [''], resources: ['services'], verbs: ['get', 'list'] }] : []),
      ],
    });
    new k8s.KubeRoleBinding(this, 'RoleBinding', {
      metadata: this.meta(serviceAccount),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: serviceAccount },
      subjects: [{ kind: 'ServiceAccount', name: serviceAccount, namespace: ns }],
    });

    // --- Services ------------------------------------------------------------------------------
    const pgPort = POSTGRES_SERVICE_PORT;
    /** A Service of the members with one Patroni role; the gate cannot see a label set at runtime. */
    const roleService = (id: string, name: string, role: string, which: string): void => {
      const service = new k8s.KubeService(this, id, {
        metadata: this.meta(name),
        spec: { type: 'ClusterIP', selector: { ...dbSelector, [PATRONI_ROLE_LABEL]: role }, ports: [pgPort] },
      });
      exemptFromPolicy(
        service,
        'ref.service-selector',
        `Patroni sets the ${PATRONI_ROLE_LABEL}=${role} label on ${which} at runtime; the pod template cannot carry it`,
      );
    };
    if (dcs.useEndpoints) {
      // Leader: no selector. Patroni writes the leader's address into the same-named Endpoints, in the
      // same API call that renews the leader lock, so the Service never points at two primaries. The
      // Endpoints are not in git: a GitOps controller would reset them to empty on every sync.
      new k8s.KubeService(this, 'LeaderService', { metadata: this.meta(clusterName), spec: { type: 'ClusterIP', ports: [pgPort] } });
    } else {
      roleService('LeaderService', clusterName, 'primary', 'the leader');
    }
    roleService('ReplicaService', `${clusterName}-replica`, 'replica', 'the pods');
    if (dcs.useEndpoints) {
      // Patroni keeps the cluster configuration in the `<scope>-config` Endpoints; without a Service of
      // that name the endpoints controller garbage-collects it (patroni kubernetes/patroni_k8s.yaml).
      new k8s.KubeService(this, 'ConfigService', { metadata: this.meta(`${clusterName}-config`), spec: { clusterIp: 'None' } });
    }
    const metrics = props.metrics ?? true;
    const membersService = `${clusterName}-members`;
    new k8s.KubeService(this, 'MembersService', {
      metadata: this.meta(membersService, 'database', metrics ? { [METRICS_SERVICE_LABEL]: 'true' } : {}),
      spec: {
        clusterIp: 'None',
        // Members must resolve each other while they bootstrap, before they are ready.
        publishNotReadyAddresses: true,
        selector: dbSelector,
        ports: [
          pgPort,
          { name: 'patroni', port: PATRONI_API_PORT, targetPort: k8s.IntOrString.fromNumber(PATRONI_API_PORT), protocol: 'TCP' },
          ...(metrics ? [metricsServicePort(EXPORTER_PORT)] : []),
        ],
      },
    });

    // --- The StatefulSet -----------------------------------------------------------------------
    const writable: WritablePath[] = [
      TMP,
      { name: 'run', mountPath: SOCKET_DIR, sizeLimit: '16Mi' },
      { name: 'home', mountPath: '/home/postgres', sizeLimit: '64Mi' },
      // The container runtime's 64Mi /dev/shm breaks parallel queries (Zalando's enable_shm_volume).
      { name: 'dshm', mountPath: '/dev/shm', memory: true, sizeLimit: resources.memoryLimit },
    ];
    const downward: k8s.EnvVar[] = [
      { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
      { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
      { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
    ];
    const patroniEnv: k8s.EnvVar[] = [
      ...downward,
      ...Object.entries(patroniEnvironment()).map(([name, value]) => ({ name, value })),
      secretEnv('PATRONI_SUPERUSER_PASSWORD', 'superuser-password'),
      secretEnv('PATRONI_REPLICATION_PASSWORD', 'replication-password'),
      secretEnv('PATRONI_REWIND_PASSWORD', 'rewind-password'),
      { name: 'PGHOST', value: SOCKET_DIR },
      ...s3Env,
    ];
    const httpProbe = (path: string, extra: Partial<k8s.Probe>): k8s.Probe => ({
      httpGet: { path, port: k8s.IntOrString.fromNumber(PATRONI_API_PORT), scheme: 'HTTP' },
      timeoutSeconds: 5,
      ...extra,
    });
    const containers: k8s.Container[] = [
      {
        name: 'postgres',
        image,
        // Patroni directly, not Spilo's entrypoint: that one needs root and a writable root filesystem.
        command: ['patroni', PATRONI_CONFIG_PATH],
        ports: [
          { name: 'postgresql', containerPort: POSTGRES_PORT, protocol: 'TCP' },
          { name: 'patroni', containerPort: PATRONI_API_PORT, protocol: 'TCP' },
        ],
        env: patroniEnv,
        resources: resources.toKube(),
        securityContext: containerSecurityContext(),
        // Readiness: Patroni answers 200 when PostgreSQL runs and (on a replica) replicates.
        readinessProbe: httpProbe('/readiness', { periodSeconds: 10, failureThreshold: 3, successThreshold: 1 }),
        // Liveness: only Patroni's own heartbeat; restarting PostgreSQL for a slow query would make things worse.
        livenessProbe: httpProbe('/liveness', { periodSeconds: 10, failureThreshold: 6, successThreshold: 1 }),
        // Crash recovery or a large restore may take long; liveness waits until Patroni is up.
        startupProbe: httpProbe('/liveness', { periodSeconds: 10, failureThreshold: 90 }),
        volumeMounts: [
          ...writableMounts(writable),
          { name: 'pgdata', mountPath: PGROOT },
          { name: 'patroni-config', mountPath: '/etc/patroni', readOnly: true },
        ],
      },
    ];
    if (metrics) {
      containers.push({
        ...exporterSidecar(
          props.exporterImage ?? DEFAULT_POSTGRES_EXPORTER_IMAGE,
          EXPORTER_PORT,
          ['--collector.stat_statements'],
          [
            { name: 'DATA_SOURCE_URI', value: `127.0.0.1:${POSTGRES_PORT}/postgres?sslmode=disable` },
            { name: 'DATA_SOURCE_USER', value: ROLES.monitor },
            { name: 'DATA_SOURCE_PASS', valueFrom: { secretKeyRef: { name: this.credentialsSecret, key: 'monitor-password' } } },
          ],
        ),
        volumeMounts: writableMounts([TMP]),
      });
    }
    const spread = spreadReplicas(dbSelector, { requireDistinctNodes: true, acrossZones: props.spreadAcrossZones });
    this.statefulSet = new k8s.KubeStatefulSet(this, 'StatefulSet', {
      metadata: { ...this.meta(clusterName), labels: dbLabels },
      spec: {
        replicas: instances,
        serviceName: membersService,
        // Replicas clone from the primary one at a time; Zalando's default.
        podManagementPolicy: 'OrderedReady',
        updateStrategy: { type: 'RollingUpdate' },
        selector: { matchLabels: dbSelector },
        persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
        template: {
          metadata: { labels: dbLabels, annotations: { 'kubectl.kubernetes.io/default-container': 'postgres' } },
          spec: {
            serviceAccountName: serviceAccount,
            automountServiceAccountToken: true,
            securityContext: podSecurityContext({ runAsUser: SPILO_UID, runAsGroup: SPILO_GID, fsGroup: SPILO_GID }),
            terminationGracePeriodSeconds: grace.toSeconds(),
            enableServiceLinks: false,
            ...nodePoolSpec(props.nodePool),
            ...(instances > 1 ? spread : {}),
            containers,
            volumes: [...writableVolumes(writable), { name: 'patroni-config', configMap: { name: patroniConfigMap } }],
          },
        },
        // Only selector labels on the template: volumeClaimTemplates are immutable (kubernetes #68737).
        volumeClaimTemplates: [
          {
            metadata: { name: 'pgdata', labels: dbSelector },
            spec: {
              accessModes: ['ReadWriteOnce'],
              ...(props.storageClass ? { storageClassName: props.storageClass } : {}),
              resources: { requests: { storage: k8s.Quantity.fromString(`${storage.toGibibytes({ rounding: 1 })}Gi`) } },
            },
          },
        ],
      },
    });
    if (instances > 1) {
      // One budget over all members: a primary-only budget would block drains forever without an operator.
      disruptionBudget(this, 'DisruptionBudget', {
        name: clusterName,
        namespace: ns,
        labels: this.labelsFor('database'),
        selector: dbSelector,
        maxUnavailable: 1,
      });
    }
    if (metrics) {
      metricsMonitor(this, 'ServiceMonitor', {
        name: clusterName,
        namespace: ns,
        labels: this.labelsFor('database'),
        serviceSelector: { ...dbSelector, [METRICS_SERVICE_LABEL]: 'true' },
        portName: 'metrics',
      });
    }

    this.addPooler(props, resolved, poolerAuthSecret, metrics);

    // --- Admin Jobs (roles, database, tenants) --------------------------------------------------
    if (!this.standby) {
      // A standby is read-only: its roles and schemas arrive by replication from the primary.
      this.sqlConfigMap = new k8s.KubeConfigMap(this, 'Sql', { metadata: this.meta(`${clusterName}-sql`, 'admin'), data: this.sqlFiles });
      this.addSqlJob('bootstrap', bootstrapSql({ database, owner }));
    }
    if (props.promote) {
      this.addPromoteJob(serviceAccount, patroniConfigMap, downward);
    }

    // --- Backups --------------------------------------------------------------------------------
    if (backup && !this.standby) {
      this.addBackupJobs(backup, s3Env);
    }

    this.addNetworkPolicies(props, backup, metrics);
  }

  private identity(component: string, version?: string): WorkloadIdentity {
    return { name: APP_NAME, instance: this.clusterName, component, version, partOf: this.partOf };
  }

  /** Recommended labels of one component (database, pooler, admin, backup). */
  private labelsFor(component: string): Record<string, string> {
    return standardLabels(this.identity(component));
  }

  private selectorFor(component: string): Record<string, string> {
    return selectorLabels(this.identity(component));
  }

  private meta(name: string, component = 'database', extra: Record<string, string> = {}): k8s.ObjectMeta {
    return { name, namespace: this.namespace, labels: { ...this.labelsFor(component), ...extra } };
  }

  /** libpq's environment for a Job that connects to `host` as `user`, password from the credentials Secret. */
  private libpqEnv(host: string, user: string, passwordKey: string): k8s.EnvVar[] {
    return [
      { name: 'PGHOST', value: host },
      { name: 'PGPORT', value: String(POSTGRES_PORT) },
      { name: 'PGUSER', value: user },
      { name: 'PGCONNECT_TIMEOUT', value: '10' },
      { name: 'PGPASSWORD', valueFrom: { secretKeyRef: { name: this.credentialsSecret, key: passwordKey } } },
    ];
  }

  /** PgBouncer in front of the leader Service: config, Deployment, Service, PDB, and its exporter. */
  private addPooler(props: PostgresHAProps, resolved: ResolvedProps, poolerAuthSecret: string, metrics: boolean): void {
    const {
      clusterName,
      pooler,
      poolerReplicas,
      maxClientConnections,
      defaultPoolSize,
      minPoolSize,
      reservePoolSize,
      maxDbConnections,
      maxPreparedStatements,
    } = resolved;
    const ns = this.namespace;
    const poolerName = `${clusterName}-pooler`;
    const poolerSelector = this.selectorFor('pooler');
    const poolerImage = pooler.image ?? DEFAULT_PGBOUNCER_IMAGE;
    const poolerLabels = standardLabels(this.identity('pooler', imageVersion(poolerImage)));
    const ini = pgbouncerIni({
      host: this.primaryHost,
      port: POSTGRES_PORT,
      poolMode: (pooler.poolMode ?? PoolMode.TRANSACTION).value,
      maxClientConnections,
      defaultPoolSize,
      minPoolSize,
      reservePoolSize,
      maxDbConnections,
      maxPreparedStatements,
      authFile: '/etc/pgbouncer/auth/userlist.txt',
    });
    new k8s.KubeConfigMap(this, 'PoolerConfig', { metadata: this.meta(poolerName, 'pooler'), data: { 'pgbouncer.ini': ini } });
    const tcp = (port: number, extra: Partial<k8s.Probe>): k8s.Probe => ({
      tcpSocket: { port: k8s.IntOrString.fromNumber(port) },
      timeoutSeconds: 3,
      ...extra,
    });
    const containers: k8s.Container[] = [
      {
        name: 'pgbouncer',
        image: poolerImage,
        command: ['pgbouncer', '/etc/pgbouncer/pgbouncer.ini'],
        ports: [{ name: 'postgresql', containerPort: POSTGRES_PORT, protocol: 'TCP' }],
        resources: (pooler.resources ?? Resources.NANO).toKube(),
        securityContext: containerSecurityContext(),
        readinessProbe: tcp(POSTGRES_PORT, { periodSeconds: 5, failureThreshold: 3 }),
        livenessProbe: tcp(POSTGRES_PORT, { periodSeconds: 20, failureThreshold: 6, initialDelaySeconds: 10 }),
        volumeMounts: [
          ...writableMounts([TMP]),
          { name: 'config', mountPath: '/etc/pgbouncer/pgbouncer.ini', subPath: 'pgbouncer.ini', readOnly: true },
          { name: 'auth', mountPath: '/etc/pgbouncer/auth', readOnly: true },
        ],
      },
    ];
    if (metrics) {
      containers.push(
        exporterSidecar(
          pooler.exporterImage ?? DEFAULT_POOLER_EXPORTER_IMAGE,
          POOLER_EXPORTER_PORT,
          // The admin console as the pooler role, a stats_users member (SHOW only). The password comes
          // from PGPASSWORD, which lib/pq reads like libpq, so it never has to be URL-encoded.
          [`--pgBouncer.connectionString=postgres://${ROLES.pooler}@127.0.0.1:${POSTGRES_PORT}/pgbouncer?sslmode=disable`],
          [{ name: 'PGPASSWORD', valueFrom: { secretKeyRef: { name: this.credentialsSecret, key: 'pooler-password' } } }],
        ),
      );
    }
    new k8s.KubeDeployment(this, 'Pooler', {
      metadata: { ...this.meta(poolerName, 'pooler'), labels: poolerLabels },
      spec: {
        replicas: poolerReplicas,
        selector: { matchLabels: poolerSelector },
        strategy: {
          type: 'RollingUpdate',
          rollingUpdate: { maxUnavailable: k8s.IntOrString.fromNumber(0), maxSurge: k8s.IntOrString.fromNumber(1) },
        },
        template: {
          metadata: {
            labels: poolerLabels,
            // A changed pgbouncer.ini rolls the pods (PgBouncer reads it only at start or on SIGHUP).
            annotations: { [`postgres.${ANNOTATION_DOMAIN}/config-hash`]: shortHash(ini) },
          },
          spec: {
            automountServiceAccountToken: false,
            enableServiceLinks: false,
            securityContext: podSecurityContext(),
            ...nodePoolSpec(props.nodePool),
            ...(poolerReplicas > 1 ? spreadReplicas(poolerSelector, { acrossZones: props.spreadAcrossZones }) : {}),
            containers,
            volumes: [
              ...writableVolumes([TMP]),
              { name: 'config', configMap: { name: poolerName } },
              { name: 'auth', secret: { secretName: poolerAuthSecret, defaultMode: 0o440 } },
            ],
          },
        },
      },
    });
    new k8s.KubeService(this, 'PoolerService', {
      metadata: this.meta(poolerName, 'pooler', metrics ? { [METRICS_SERVICE_LABEL]: 'true' } : {}),
      spec: {
        type: 'ClusterIP',
        selector: poolerSelector,
        ports: [POSTGRES_SERVICE_PORT, ...(metrics ? [metricsServicePort(POOLER_EXPORTER_PORT)] : [])],
      },
    });
    if (metrics) {
      metricsMonitor(this, 'PoolerServiceMonitor', {
        name: poolerName,
        namespace: ns,
        labels: this.labelsFor('pooler'),
        serviceSelector: { ...poolerSelector, [METRICS_SERVICE_LABEL]: 'true' },
        portName: 'metrics',
      });
    }
    if (poolerReplicas > 1) {
      disruptionBudget(this, 'PoolerDisruptionBudget', {
        name: poolerName,
        namespace: ns,
        labels: this.labelsFor('pooler'),
        selector: poolerSelector,
      });
    }
  }

  /** Closed by the namespace's default-deny: these are the only ways in and out. */
  private addNetworkPolicies(props: PostgresHAProps, backup: PostgresBackupProps | undefined, metrics: boolean): void {
    const clusterName = this.clusterName;
    const dbSelector = this.selectorFor('database');
    const poolerSelector = this.selectorFor('pooler');
    const poolerName = `${clusterName}-pooler`;
    const adminSelector = this.selectorFor('admin');
    const backupSelector = this.selectorFor('backup');
    const local = (selector: Record<string, string>): k8s.NetworkPolicyPeer => ({ podSelector: { matchLabels: { ...selector } } });
    const ports = (...list: number[]): k8s.NetworkPolicyPort[] => list.map((port) => ({ protocol: 'TCP', port: k8s.IntOrString.fromNumber(port) }));
    const dbClients = [
      local(poolerSelector),
      ...(this.standby ? [] : [local(adminSelector)]),
      ...(backup && !this.standby ? [local(backupSelector)] : []),
    ];
    new k8s.KubeNetworkPolicy(this, 'DatabaseIngress', {
      metadata: this.meta(`${clusterName}-ingress`),
      spec: {
        podSelector: { matchLabels: dbSelector },
        policyTypes: ['Ingress'],
        ingress: [
          // Replication and Patroni's member-to-member REST calls.
          { from: [local(dbSelector)], ports: ports(POSTGRES_PORT, PATRONI_API_PORT) },
          { from: dbClients, ports: ports(POSTGRES_PORT) },
          ...((props.metricsScrapers ?? []).length > 0
            ? [{ from: (props.metricsScrapers ?? []).map(peerOf), ports: ports(PATRONI_API_PORT, ...(metrics ? [EXPORTER_PORT] : [])) }]
            : []),
        ],
      },
    });
    const apiServer: k8s.NetworkPolicyEgressRule = {
      // The API server runs outside the pod network (no pod selector can name it); ports narrow the rule,
      // apiServerCidrs narrows it further where the control plane's addresses are known.
      ...(props.apiServerCidrs && props.apiServerCidrs.length > 0 ? { to: props.apiServerCidrs.map((cidr) => ({ ipBlock: { cidr } })) } : {}),
      ports: ports(...PATRONI_API_SERVER_PORTS),
    };
    const s3Egress = (): k8s.NetworkPolicyEgressRule => ({
      ...(backup!.networkPeer ? { to: [peerOf(backup!.networkPeer)] } : {}),
      ports: ports(backup!.port ?? DEFAULT_BACKUP_S3_PORT),
    });
    const dbEgress: k8s.NetworkPolicyEgressRule[] = [{ to: [local(dbSelector)], ports: ports(POSTGRES_PORT, PATRONI_API_PORT) }, apiServer];
    if (backup) {
      dbEgress.push(s3Egress());
    }
    if (props.standbyOf?.remote) {
      dbEgress.push({ ports: ports(props.standbyOf.remote.port) });
    }
    new k8s.KubeNetworkPolicy(this, 'DatabaseEgress', {
      metadata: this.meta(`${clusterName}-egress`),
      spec: { podSelector: { matchLabels: dbSelector }, policyTypes: ['Egress'], egress: dbEgress },
    });
    if (metrics && (props.metricsScrapers ?? []).length > 0) {
      new k8s.KubeNetworkPolicy(this, 'PoolerMetricsIngress', {
        metadata: this.meta(`${poolerName}-metrics`, 'pooler'),
        spec: {
          podSelector: { matchLabels: poolerSelector },
          policyTypes: ['Ingress'],
          ingress: [{ from: (props.metricsScrapers ?? []).map(peerOf), ports: ports(POOLER_EXPORTER_PORT) }],
        },
      });
    }
    new k8s.KubeNetworkPolicy(this, 'PoolerEgress', {
      metadata: this.meta(`${poolerName}-egress`, 'pooler'),
      spec: {
        podSelector: { matchLabels: poolerSelector },
        policyTypes: ['Egress'],
        egress: [{ to: [local(dbSelector)], ports: ports(POSTGRES_PORT) }],
      },
    });
    if (!this.standby || props.promote) {
      new k8s.KubeNetworkPolicy(this, 'AdminEgress', {
        metadata: this.meta(`${clusterName}-admin-egress`, 'admin'),
        spec: {
          podSelector: { matchLabels: adminSelector },
          policyTypes: ['Egress'],
          egress: [{ to: [local(dbSelector)], ports: ports(POSTGRES_PORT) }, ...(props.promote ? [apiServer] : [])],
        },
      });
    }
    if (backup && !this.standby) {
      new k8s.KubeNetworkPolicy(this, 'BackupEgress', {
        metadata: this.meta(`${clusterName}-backup-egress`, 'backup'),
        spec: {
          podSelector: { matchLabels: backupSelector },
          policyTypes: ['Egress'],
          egress: [{ to: [local(dbSelector)], ports: ports(POSTGRES_PORT) }, s3Egress()],
        },
      });
    }
  }

  /**
   * Lets a workload reach the pooler on 5432. Pass a namespace (PlatformNamespace) to admit all
   * of its pods, or any INetworkPeer for specific pods. Returns the NetworkPolicy.
   */
  public allowFrom(peer: INetworkPeer): k8s.KubeNetworkPolicy {
    let name = `${this.clusterName}-from-${peer.peerNamespace}`.slice(0, 60).replace(/-+$/, '');
    for (let i = 2; this.clientPolicies.has(name); i++) {
      name = `${this.clusterName}-from-${peer.peerNamespace}`.slice(0, 57).replace(/-+$/, '') + `-${i}`;
    }
    this.clientPolicies.add(name);
    return new k8s.KubeNetworkPolicy(this, `AllowFrom-${name}`, {
      metadata: { name, namespace: this.namespace, labels: this.labelsFor('pooler') },
      spec: {
        podSelector: { matchLabels: { ...this.peerSelector } },
        policyTypes: ['Ingress'],
        ingress: [{ from: [peerOf(peer)], ports: [{ protocol: 'TCP', port: k8s.IntOrString.fromNumber(POSTGRES_PORT) }] }],
      },
    });
  }

  /**
   * Adds a tenant: a schema `tenantId` in the application database, owned by a NOLOGIN role
   * `<tenantId>_owner` that the application role is a member of. Emitted as an idempotent Job
   * (re-running it changes nothing) whose name carries a hash of its SQL, so a changed script
   * runs as a new Job instead of failing on the immutable Job spec.
   */
  public addTenantSchema(tenantId: string, options: TenantSchemaOptions = {}): k8s.KubeJob | undefined {
    const check = new PropChecks(this);
    check.that(
      /^[a-z][a-z0-9_]{0,39}$/.test(tenantId),
      'addTenantSchema.tenantId',
      'must start with a letter and use only lower-case letters, digits and _ (at most 40): it names a schema, a role and a Job',
      tenantId,
    );
    check.that(!this.tenants.has(tenantId), 'addTenantSchema.tenantId', 'is already added', tenantId);
    check.that(!['public', 'pg_catalog', 'information_schema', 'pgbouncer'].includes(tenantId), 'addTenantSchema.tenantId', 'is reserved', tenantId);
    const database = options.database ?? this.database;
    check.that(isSqlName(database), 'addTenantSchema.database', 'must be a lower-case SQL name', database);
    check.throwIfAny();
    this.tenants.add(tenantId);
    if (this.standby) {
      return undefined; // Replicated from the primary cluster.
    }
    return this.addSqlJob(`tenant-${tenantId.replace(/_/g, '-')}`, tenantSchemaSql({ database, schema: tenantId, appRole: this.username }));
  }

  private addSqlJob(name: string, sql: string): k8s.KubeJob {
    const file = `${name}.sql`;
    this.sqlFiles[file] = sql;
    const jobName = `${this.clusterName}-${name}-${shortHash(sql)}`.slice(0, 63).replace(/-+$/, '');
    const secret = (key: string): k8s.EnvVarSource => ({ secretKeyRef: { name: this.credentialsSecret, key } });
    return this.adminJob(`SqlJob-${name}`, jobName, {
      automountServiceAccountToken: false,
      container: {
        name: 'psql',
        command: [
          'psql',
          '--no-psqlrc',
          '-v',
          'monitor_password=$(MONITOR_PASSWORD)',
          '-v',
          'pooler_password=$(POOLER_PASSWORD)',
          '-v',
          'app_password=$(APP_PASSWORD)',
          '-f',
          `/sql/${file}`,
        ],
        env: [
          ...this.libpqEnv(this.primaryHost, ROLES.superuser, 'superuser-password'),
          { name: 'PGDATABASE', value: 'postgres' },
          { name: 'PGAPPNAME', value: jobName },
          { name: 'MONITOR_PASSWORD', valueFrom: secret('monitor-password') },
          { name: 'POOLER_PASSWORD', valueFrom: secret('pooler-password') },
          { name: 'APP_PASSWORD', valueFrom: secret('app-password') },
        ],
      },
      volume: {
        mount: { name: 'sql', mountPath: '/sql', readOnly: true },
        source: { name: 'sql', configMap: { name: this.sqlConfigMap!.metadata.name! } },
      },
    });
  }

  private addPromoteJob(serviceAccount: string, configMap: string, downward: k8s.EnvVar[]): void {
    this.adminJob('PromoteJob', `${this.clusterName}-promote`, {
      serviceAccountName: serviceAccount,
      automountServiceAccountToken: true,
      container: {
        name: 'patronictl',
        // Removing standby_cluster from the dynamic configuration makes the standby leader a
        // primary; with no standby_cluster it changes nothing, so re-running is safe.
        command: ['patronictl', '-c', PATRONI_CONFIG_PATH, 'edit-config', '--force', '--set', 'standby_cluster=null'],
        env: [...downward, ...Object.entries(patroniEnvironment()).map(([name, value]) => ({ name, value }))],
      },
      volume: {
        mount: { name: 'patroni-config', mountPath: '/etc/patroni', readOnly: true },
        source: { name: 'patroni-config', configMap: { name: configMap } },
      },
    });
  }

  /**
   * A one-shot admin Job running the database image: retried while the leader may not exist yet
   * (first sync), then failing visibly; hardened like every pod, with /tmp and one extra volume.
   */
  private adminJob(
    id: string,
    name: string,
    pod: {
      serviceAccountName?: string;
      automountServiceAccountToken: boolean;
      container: Pick<k8s.Container, 'name' | 'command' | 'env'>;
      volume: { mount: k8s.VolumeMount; source: k8s.Volume };
    },
  ): k8s.KubeJob {
    return new k8s.KubeJob(this, id, {
      metadata: { name, namespace: this.namespace, labels: this.labelsFor('admin') },
      spec: {
        // The leader may not exist yet on first sync: retry for a while, then give up visibly.
        backoffLimit: 20,
        activeDeadlineSeconds: 3600,
        template: {
          metadata: { labels: this.labelsFor('admin') },
          spec: {
            restartPolicy: 'OnFailure',
            ...(pod.serviceAccountName ? { serviceAccountName: pod.serviceAccountName } : {}),
            automountServiceAccountToken: pod.automountServiceAccountToken,
            enableServiceLinks: false,
            securityContext: podSecurityContext({ runAsUser: SPILO_UID, runAsGroup: SPILO_GID, fsGroup: SPILO_GID }),
            containers: [
              {
                ...pod.container,
                image: this.image,
                resources: Resources.NANO.toKube(),
                securityContext: containerSecurityContext(),
                volumeMounts: [...writableMounts([TMP]), pod.volume.mount],
              },
            ],
            volumes: [...writableVolumes([TMP]), pod.volume.source],
          },
        },
      },
    });
  }

  private addBackupJobs(backup: PostgresBackupProps, s3Env: k8s.EnvVar[]): void {
    const labels = this.labelsFor('backup');
    const retention = backup.baseBackupRetention ?? 7;
    const days = backup.logicalBackupRetentionDays ?? 14;
    // Base backups stream over the replication protocol from a replica when there is one (WAL-G
    // remote backup-push: no access to the data volume needed), then old ones are deleted.
    const source = this.instances > 1 ? this.replicaHost : this.primaryHost;
    const baseScript = ['set -eu', 'wal-g backup-push', `wal-g delete retain FULL ${retention} --confirm`].join('\n');
    // pg_dumpall of roles and every database, uploaded through WAL-G's storage tools (compressed),
    // one folder per UTC day; folders older than the retention are removed.
    const logicalScript = [
      'set -eu',
      'day=$(date -u +%Y%m%d)',
      'file=/tmp/pg_dumpall-$(date -u +%Y%m%dT%H%M%SZ).sql',
      'pg_dumpall --clean --if-exists --quote-all-identifiers --load-via-partition-root > "$file"',
      'wal-g st put "$file" "logical/$day/$(basename "$file")"',
      'rm -f "$file"',
      `cutoff=$(date -u -d "@$(( $(date +%s) - ${days} * 86400 ))" +%Y%m%d)`,
      'for d in $(wal-g st ls logical/ | grep -oE "[0-9]{8}" | sort -u); do',
      '  if [ "$d" -lt "$cutoff" ]; then wal-g st rm "logical/$d/"; fi',
      'done',
    ].join('\n');
    const job = (id: string, name: string, schedule: string, script: string, env: k8s.EnvVar[], tmpSize: string): void => {
      const writable: WritablePath[] = [{ ...TMP, sizeLimit: tmpSize }];
      new k8s.KubeCronJob(this, id, {
        metadata: { name, namespace: this.namespace, labels },
        spec: {
          schedule,
          timeZone: 'Etc/UTC',
          // Never two backups at once; a missed run is skipped after an hour rather than piling up.
          concurrencyPolicy: 'Forbid',
          startingDeadlineSeconds: 3600,
          successfulJobsHistoryLimit: 3,
          failedJobsHistoryLimit: 3,
          jobTemplate: {
            metadata: { labels },
            spec: {
              backoffLimit: 2,
              activeDeadlineSeconds: 6 * 3600,
              template: {
                metadata: { labels },
                spec: {
                  restartPolicy: 'Never',
                  automountServiceAccountToken: false,
                  enableServiceLinks: false,
                  securityContext: podSecurityContext({ runAsUser: SPILO_UID, runAsGroup: SPILO_GID, fsGroup: SPILO_GID }),
                  containers: [
                    {
                      name: 'backup',
                      image: this.image,
                      command: ['sh', '-c', script],
                      env: [...env, ...s3Env],
                      resources: Resources.SMALL.toKube(),
                      securityContext: containerSecurityContext(),
                      volumeMounts: writableMounts(writable),
                    },
                  ],
                  volumes: writableVolumes(writable),
                },
              },
            },
          },
        },
      });
    };
    job(
      'BaseBackup',
      `${this.clusterName}-base-backup`,
      backup.baseBackupSchedule ?? '0 1 * * *',
      baseScript,
      this.libpqEnv(source, ROLES.replication, 'replication-password'),
      '256Mi',
    );
    job(
      'LogicalBackup',
      `${this.clusterName}-logical-backup`,
      backup.logicalBackupSchedule ?? '30 2 * * *',
      logicalScript,
      [...this.libpqEnv(source, ROLES.superuser, 'superuser-password'), { name: 'PGDATABASE', value: 'postgres' }],
      '20Gi',
    );
  }
}

/** A Service port named `metrics` for an exporter sidecar's port. */
function metricsServicePort(port: number): k8s.ServicePort {
  return { name: 'metrics', port, targetPort: k8s.IntOrString.fromNumber(port), protocol: 'TCP' };
}

/** A Prometheus exporter sidecar on `port`: `/` answers when it serves, no privileges, nano resources. */
function exporterSidecar(image: string, port: number, args: string[], env: k8s.EnvVar[]): k8s.Container {
  return {
    name: 'exporter',
    image,
    args: [`--web.listen-address=:${port}`, ...args],
    ports: [{ name: 'metrics', containerPort: port, protocol: 'TCP' }],
    env,
    resources: Resources.NANO.toKube(),
    securityContext: containerSecurityContext(),
    readinessProbe: { httpGet: { path: '/', port: k8s.IntOrString.fromNumber(port) }, periodSeconds: 15, timeoutSeconds: 5 },
    livenessProbe: { tcpSocket: { port: k8s.IntOrString.fromNumber(port) }, periodSeconds: 30, timeoutSeconds: 5 },
  };
}

/** Props with their defaults applied, after every check passed. */
interface ResolvedProps {
  readonly namespace: string;
  readonly clusterName: string;
  readonly instances: number;
  readonly image: string;
  readonly postgresVersion: number;
  readonly resources: Resources;
  readonly storage: Size;
  readonly tuned: TunedSettings;
  readonly pooler: PostgresPoolerProps;
  readonly poolerReplicas: number;
  readonly maxDbConnections: number;
  readonly defaultPoolSize: number;
  readonly minPoolSize: number;
  readonly reservePoolSize: number;
  readonly maxClientConnections: number;
  readonly maxPreparedStatements: number;
  readonly database: string;
  readonly owner: string;
  readonly backup?: PostgresBackupProps;
  readonly grace: Duration;
}

/** Applies defaults and checks every prop; throws one PropValidationError listing all problems. */
function resolveProps(scope: Construct, id: string, props: PostgresHAProps): ResolvedProps {
  const check = new PropChecks(scope);
  const namespace = props.namespace ?? Chart.of(scope).namespace;
  check.that(!!namespace, 'namespace', 'must be set on the props or the chart', namespace);
  const clusterName = props.clusterName ?? id.toLowerCase();
  // Room for the longest derived name, `<cluster>-logical-backup` (63 - 15).
  check.dnsLabel(clusterName, 'clusterName', 40);
  const instances = props.instances ?? 3;
  check.integer(instances, 'instances', 1, 9);
  check.that(
    instances !== 1 || props.allowSingleInstance === true,
    'instances',
    'must be at least 2 for failover; a single instance needs allowSingleInstance: true (development only)',
    instances,
  );
  check.that(
    instances !== 2 || !props.synchronousMode,
    'synchronousMode',
    'needs at least 3 instances: with 2, losing the replica blocks every write (or silently drops to async)',
    props.synchronousMode,
  );
  check.that(
    instances !== 1 || !props.synchronousMode,
    'synchronousMode',
    'needs at least 3 instances: a single instance has no standby',
    props.synchronousMode,
  );
  const image = props.image ?? DEFAULT_POSTGRES_IMAGE;
  check.pinnedImage(image, 'image');
  check.pinnedImage(props.exporterImage, 'exporterImage');
  check.pinnedImage(props.pooler?.image, 'pooler.image');
  check.pinnedImage(props.pooler?.exporterImage, 'pooler.exporterImage');
  const postgresVersion = props.postgresVersion ?? 17;
  check.integer(postgresVersion, 'postgresVersion', 13, 18);
  const resources = props.resources ?? Resources.LARGE;
  const maxConnections = props.maxConnections ?? 100;
  check.integer(maxConnections, 'maxConnections', 25, 10000);
  const storage = props.storage ?? Size.gibibytes(20);
  check.that(storage.toGibibytes({ rounding: 1 }) >= 1, 'storage', 'must be at least 1Gi', `${storage.toMebibytes()}Mi`);

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
  for (const field of ['sharedBuffers', 'effectiveCacheSize', 'workMem', 'maintenanceWorkMem', 'maxWalSize', 'minWalSize', 'walKeepSize'] as const) {
    check.that(!Number.isNaN(parsePgMemory(tuned[field])), field, 'must be a PostgreSQL memory size with a unit (kB, MB, GB, TB)', tuned[field]);
  }
  const sharedBytes = parsePgMemory(tuned.sharedBuffers);
  check.that(
    Number.isNaN(sharedBytes) || sharedBytes <= resources.memoryLimitBytes / 2,
    'sharedBuffers',
    `must be at most half the memory limit (${resources.memoryLimit}), or the kernel kills the pod under load`,
    tuned.sharedBuffers,
  );
  check.that(
    Number.isNaN(parsePgMemory(tuned.minWalSize)) ||
      Number.isNaN(parsePgMemory(tuned.maxWalSize)) ||
      parsePgMemory(tuned.minWalSize) <= parsePgMemory(tuned.maxWalSize),
    'minWalSize',
    `must not exceed maxWalSize (${tuned.maxWalSize})`,
    tuned.minWalSize,
  );
  for (const p of checkParameters(props.parameters ?? {})) {
    check.that(false, `parameters.${p.name}`, p.rule, p.value);
  }

  const pooler = props.pooler ?? {};
  const poolerReplicas = pooler.replicas ?? 2;
  check.integer(poolerReplicas, 'pooler.replicas', 1, 20);
  check.that(
    poolerReplicas !== 1 || props.allowSingleInstance === true,
    'pooler.replicas',
    'must be at least 2: one PgBouncer is a single point of failure in front of an HA cluster; 1 needs allowSingleInstance: true (development only)',
    poolerReplicas,
  );
  // Connections kept outside the pooler: superuser_reserved_connections (3), replication and admin jobs.
  const reserved = 20;
  const maxDbConnections = pooler.maxDbConnections ?? Math.max(1, Math.floor((maxConnections - reserved) / poolerReplicas));
  const defaultPoolSize = pooler.defaultPoolSize ?? Math.min(20, maxDbConnections);
  const minPoolSize = pooler.minPoolSize ?? 0;
  const reservePoolSize = pooler.reservePoolSize ?? 5;
  const maxClientConnections = pooler.maxClientConnections ?? 1000;
  const maxPreparedStatements = pooler.maxPreparedStatements ?? 200;
  check.integer(maxDbConnections, 'pooler.maxDbConnections', 1, 10000);
  check.that(
    !Number.isInteger(maxDbConnections) || poolerReplicas * maxDbConnections + reserved <= maxConnections,
    'pooler.maxDbConnections',
    `times pooler.replicas (${poolerReplicas}) plus ${reserved} reserved connections must fit in maxConnections (${maxConnections})`,
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
  check.integer(reservePoolSize, 'pooler.reservePoolSize', 0, 1000);
  check.integer(maxClientConnections, 'pooler.maxClientConnections', 1, 100000);
  check.integer(maxPreparedStatements, 'pooler.maxPreparedStatements', 0, 10000);

  const database = props.database ?? 'app';
  const owner = props.databaseOwner ?? 'app';
  check.that(isSqlName(database), 'database', 'must be a lower-case SQL name: a letter, then letters, digits or _ (at most 63)', database);
  check.that(isSqlName(owner), 'databaseOwner', 'must be a lower-case SQL name: a letter, then letters, digits or _ (at most 63)', owner);
  check.that(
    !(Object.values(ROLES) as string[]).includes(owner),
    'databaseOwner',
    `must not be a role the cluster uses itself (${Object.values(ROLES).join(', ')})`,
    owner,
  );

  const backup = props.backup;
  if (backup) {
    check.that(
      /^https?:\/\/[^\s/]+(:[0-9]+)?\/?$/.test(backup.endpoint),
      'backup.endpoint',
      'must be an http(s) URL of host and port',
      backup.endpoint,
    );
    check.that(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(backup.bucket), 'backup.bucket', 'must be an S3 bucket name', backup.bucket);
    check.that(isCron(backup.baseBackupSchedule), 'backup.baseBackupSchedule', 'must be a 5-field cron expression', backup.baseBackupSchedule);
    check.that(
      isCron(backup.logicalBackupSchedule),
      'backup.logicalBackupSchedule',
      'must be a 5-field cron expression',
      backup.logicalBackupSchedule,
    );
    check.integer(backup.baseBackupRetention, 'backup.baseBackupRetention', 1, 365);
    check.integer(backup.logicalBackupRetentionDays, 'backup.logicalBackupRetentionDays', 1, 3650);
    check.that(
      !!backup.credentialsRemoteKey?.trim(),
      'backup.credentialsRemoteKey',
      'must name the secret-store key with the S3 credentials',
      backup.credentialsRemoteKey,
    );
  }
  check.that(!props.restoreFrom || !!backup, 'restoreFrom', 'needs backup: the store to restore from', props.restoreFrom);
  check.that(
    !(props.standbyOf?.archiveOf && !backup),
    'standbyOf',
    'archive standby needs backup: the store to read the archive from',
    props.standbyOf?.archiveOf,
  );
  check.that(!(props.standbyOf && props.restoreFrom), 'restoreFrom', 'cannot be combined with standbyOf', props.restoreFrom);
  check.that(!(props.standbyOf && props.promote), 'promote', 'cannot be combined with standbyOf: promotion ends the standby', props.promote);
  check.that(
    !props.restoreFrom?.targetTime || !Number.isNaN(Date.parse(props.restoreFrom.targetTime)),
    'restoreFrom.targetTime',
    'must be a timestamp such as 2026-11-26 08:00:00+00',
    props.restoreFrom?.targetTime,
  );
  if (props.restoreFrom) {
    check.dnsLabel(props.restoreFrom.sourceCluster, 'restoreFrom.sourceCluster');
    check.that(
      props.restoreFrom.sourceCluster !== clusterName || (props.restoreFrom.sourcePrefix ?? backup?.prefix) !== backup?.prefix,
      'restoreFrom.sourceCluster',
      'must differ from clusterName (or use another sourcePrefix): the restored cluster must not archive into its source',
      props.restoreFrom.sourceCluster,
    );
  }
  const grace = props.terminationGracePeriod ?? Duration.minutes(5);
  check.that(grace.toSeconds() >= 30, 'terminationGracePeriod', 'must be at least 30s for a clean shutdown', `${grace.toSeconds()}s`);
  check.throwIfAny();
  return {
    namespace: namespace!,
    clusterName,
    instances,
    image,
    postgresVersion,
    resources,
    storage,
    tuned,
    pooler,
    poolerReplicas,
    maxDbConnections,
    defaultPoolSize,
    minPoolSize,
    reservePoolSize,
    maxClientConnections,
    maxPreparedStatements,
    database,
    owner,
    backup,
    grace,
  };
}

function isSqlName(name: string): boolean {
  return typeof name === 'string' && /^[a-z][a-z0-9_]{0,62}$/.test(name);
}

function isCron(expr: string | undefined): boolean {
  return expr === undefined || /^(\S+\s+){4}\S+$/.test(expr.trim());
}

function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 8);
}
