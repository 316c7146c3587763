import { Size } from 'cdk8s';
import { Construct } from 'constructs';
import { DEFAULT_CLUSTER_DOMAIN, resolveDataService, ResolvedDataService } from '../lib/contract';
import { SecretStoreRef } from '../lib/external-secret';
import { PropChecks } from '../lib/prop-errors';
import { parseQuantity, Resources } from '../lib/resources';
import { NodePool } from '../lib/scheduling';
import { isIdentifier } from './ddl';
import { AppUserProps, BackupProps, CLICKHOUSE_GID, CLICKHOUSE_UID, ClickHouseClusterProps, KafkaClientProps } from './props';

/** Longest name: `<name>-keeper-headless`, `<name>-s<i>-<r>` and a Job hash stay DNS labels. */
const MAX_NAME_LENGTH = 30;
const MAX_SHARDS = 32;
const MAX_REPLICAS = 10;
const MIB = 1024 ** 2;
/** Below this a server does not start usefully (its caches alone take hundreds of MiB). */
const MIN_SERVER_MEMORY = 1024 * MIB;

export interface ResolvedBackup {
  readonly endpoint: string;
  readonly port: number;
  readonly bucket: string;
  readonly basePath: string;
  readonly credentialsRemoteKey: string;
  readonly networkPeer?: BackupProps['networkPeer'];
  readonly schedule: string;
  readonly retentionDays: number;
}

export interface ResolvedClickHouseProps extends ResolvedDataService {
  readonly nodePool?: NodePool;
  readonly secretStore: SecretStoreRef;
  readonly secretRemoteKey: string;
  readonly shards: number;
  readonly clusterName: string;
  readonly database: string;
  readonly keeper: { readonly replicas: number; readonly image: string; readonly resources: Resources; readonly storageSize: string };
  /** `max_server_memory_usage` and the profile's `max_memory_usage`, in bytes. */
  readonly maxServerMemory: number;
  readonly maxQueryMemory: number;
  readonly backup?: ResolvedBackup;
  readonly kafka?: Required<Omit<KafkaClientProps, 'passwordProperty'>> & Pick<KafkaClientProps, 'passwordProperty'>;
  readonly appUser: Required<AppUserProps>;
  /** Spread across zones strictly (DoNotSchedule): `zoneSpread` with a known zone count. */
  readonly strictZoneSpread: boolean;
  readonly clusterDomain: string;
}

/** Applies defaults and checks every prop; throws one PropValidationError listing all problems. */
export function resolveProps(scope: Construct, id: string, props: ClickHouseClusterProps): ResolvedClickHouseProps {
  const check = new PropChecks(scope);
  const base = resolveDataService(
    scope,
    id,
    props,
    {
      maxNameLength: MAX_NAME_LENGTH,
      replicas: 2,
      maxReplicas: MAX_REPLICAS,
      resources: Resources.LARGE,
      storageSize: Size.gibibytes(50),
      // No exporter: the server serves its own metrics. The placeholder is never emitted.
      exporterImage: 'builtin:prometheus',
      podSecurity: { runAsUser: CLICKHOUSE_UID, runAsGroup: CLICKHOUSE_GID, fsGroup: CLICKHOUSE_GID },
    },
    check,
  );
  check.that(
    props.monitoring?.exporterImage === undefined,
    'monitoring.exporterImage',
    'must not be set: ClickHouse serves its own Prometheus endpoint',
    props.monitoring?.exporterImage,
  );
  const shards = props.shards ?? 2;
  check.integer(shards, 'shards', 1, MAX_SHARDS);
  const clusterName = props.clusterName ?? 'main';
  check.that(isIdentifier(clusterName), 'clusterName', 'must be an identifier ([A-Za-z_][A-Za-z0-9_]*)', clusterName);
  const database = props.database ?? 'default';
  check.that(isIdentifier(database), 'database', 'must be an identifier ([A-Za-z_][A-Za-z0-9_]*)', database);
  const keeper = resolveKeeper(props, check);
  const memoryRatio = props.memoryRatio ?? 0.8;
  const queryMemoryRatio = props.queryMemoryRatio ?? 0.5;
  check.that(
    Number.isFinite(memoryRatio) && memoryRatio >= 0.5 && memoryRatio <= 0.9,
    'memoryRatio',
    'must be from 0.5 to 0.9 of the memory limit: the server must stop short of the OOM killer',
    memoryRatio,
  );
  check.that(
    Number.isFinite(queryMemoryRatio) && queryMemoryRatio > 0 && queryMemoryRatio <= memoryRatio,
    'queryMemoryRatio',
    `must be above 0 and at most memoryRatio (${memoryRatio}): one query may not take more than the server`,
    queryMemoryRatio,
  );
  const limit = base.resources.memoryLimitBytes;
  check.that(limit >= MIN_SERVER_MEMORY, 'resources', 'must have a memory limit of at least 1Gi', base.resources.memoryLimit);
  const backup = props.backup ? resolveBackup(props.backup, base.name, check) : undefined;
  const appUser = resolveAppUser(props.appUser, check);
  const strictZoneSpread = checkZones(props, base.replicas, keeper.replicas, check);
  if (props.kafka) {
    check.that(
      /^[A-Za-z0-9._@-]{1,64}$/.test(props.kafka.username),
      'kafka.username',
      'must be 1 to 64 of A-Z a-z 0-9 . _ @ -',
      props.kafka.username,
    );
    check.that(props.kafka.passwordRemoteKey.length > 0, 'kafka.passwordRemoteKey', 'must not be empty', props.kafka.passwordRemoteKey);
  }
  check.throwIfAny();
  return {
    ...base,
    nodePool: props.nodePool,
    secretStore: props.secretStore,
    secretRemoteKey: props.secretRemoteKey ?? `clickhouse/${base.namespace}/${base.name}`,
    shards,
    clusterName,
    database,
    keeper,
    maxServerMemory: Math.floor((limit * memoryRatio) / MIB) * MIB,
    maxQueryMemory: Math.floor((limit * queryMemoryRatio) / MIB) * MIB,
    backup,
    kafka: props.kafka ? { ...props.kafka, saslMechanism: props.kafka.saslMechanism ?? 'SCRAM-SHA-512' } : undefined,
    appUser,
    strictZoneSpread,
    clusterDomain: props.clusterDomain ?? DEFAULT_CLUSTER_DOMAIN,
  };
}

function resolveKeeper(props: ClickHouseClusterProps, check: PropChecks): ResolvedClickHouseProps['keeper'] {
  const replicas = props.keeper?.replicas ?? 3;
  if (check.integer(replicas, 'keeper.replicas', 1, 7)) {
    check.that(
      replicas % 2 === 1,
      'keeper.replicas',
      'must be odd (1 for development, 3 or 5): a Raft quorum is a majority, and an even count adds no failure tolerance',
      replicas,
    );
  }
  const image = props.keeper?.image ?? '';
  if (check.that(!!image, 'keeper.image', 'is required: images are a supply-chain decision', props.keeper?.image)) {
    check.pinnedImage(image, 'keeper.image');
  }
  const storageSize = props.keeper?.storageSize ?? '5Gi';
  check.that(parseQuantity(storageSize) >= 1024 * MIB, 'keeper.storageSize', 'must be a quantity of at least 1Gi', storageSize);
  return { replicas, image, resources: props.keeper?.resources ?? Resources.SMALL, storageSize };
}

function resolveBackup(b: BackupProps, name: string, check: PropChecks): ResolvedBackup {
  const m = /^https?:\/\/[a-z0-9.-]+(?::([0-9]+))?\/?$/.exec(b.endpoint);
  check.that(!!m, 'backup.endpoint', 'must be an http(s) URL of a host and optional port, e.g. http://minio.storage-minio.svc:9000', b.endpoint);
  check.that(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(b.bucket), 'backup.bucket', 'must be an S3 bucket name', b.bucket);
  const basePath = b.basePath ?? name;
  check.that(
    /^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/.test(basePath),
    'backup.basePath',
    'must be a relative path of [A-Za-z0-9._-] segments',
    basePath,
  );
  const schedule = b.schedule ?? '15 2 * * *';
  check.that(/^\S+( \S+){4}$/.test(schedule), 'backup.schedule', 'must be a cron expression of 5 fields', schedule);
  check.that(!!b.credentialsRemoteKey, 'backup.credentialsRemoteKey', 'is required', b.credentialsRemoteKey);
  const retentionDays = b.retentionDays ?? 30;
  check.integer(retentionDays, 'backup.retentionDays', 1, 3650);
  return {
    endpoint: b.endpoint.replace(/\/$/, ''),
    port: m?.[1] ? Number(m[1]) : b.endpoint.startsWith('https') ? 443 : 80,
    bucket: b.bucket,
    basePath,
    credentialsRemoteKey: b.credentialsRemoteKey,
    networkPeer: b.networkPeer,
    schedule,
    retentionDays,
  };
}

function resolveAppUser(u: AppUserProps | undefined, check: PropChecks): Required<AppUserProps> {
  const out = {
    readonly: u?.readonly ?? false,
    maxExecutionTimeSeconds: u?.maxExecutionTimeSeconds ?? 60,
    queriesPerHour: u?.queriesPerHour ?? 0,
    errorsPerHour: u?.errorsPerHour ?? 0,
  };
  check.integer(out.maxExecutionTimeSeconds, 'appUser.maxExecutionTimeSeconds', 0, 86400);
  check.integer(out.queriesPerHour, 'appUser.queriesPerHour', 0);
  check.integer(out.errorsPerHour, 'appUser.errorsPerHour', 0);
  return out;
}

/** With `zoneSpread` and a zone count, every replica of a shard and every Keeper member needs a zone of its own. */
function checkZones(props: ClickHouseClusterProps, replicas: number, keeperReplicas: number, check: PropChecks): boolean {
  if (props.zones === undefined) {
    return false;
  }
  check.integer(props.zones, 'zones', 1, 16);
  if (props.zoneSpread) {
    const why = `must not exceed zones (${props.zones}) when zoneSpread is required: two replicas in one zone are lost together`;
    check.that(replicas <= props.zones, 'replicas', why, replicas);
    check.that(keeperReplicas <= props.zones, 'keeper.replicas', why, keeperReplicas);
  }
  return props.zoneSpread === true;
}
