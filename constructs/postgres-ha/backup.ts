import { k8s } from 'cdk8s-plus-28';
import { containerSecurityContext, TMP, WritablePath, writableMounts, writableVolumes } from '../lib/pod-defaults';
import { RestoreSource, ROLES, STANDBY_CREDENTIAL_VARIABLES, STANDBY_CREDENTIALS_PREFIX, StandbySpec, walgEnvironment, WalgTarget } from './config';
import { Resources } from '../lib/resources';
import { ClusterContext } from './context';
import { PostgresBackupProps, StandbyArchiveProps } from './props';

const DEFAULT_PREFIX = 'postgres';

/** Where WAL-G keeps `cluster`'s backups in the backup store (`s3://<bucket>/<prefix>/<cluster>`). */
export function walgTarget(
  backup: Pick<PostgresBackupProps, 'bucket' | 'endpoint' | 'forcePathStyle' | 'prefix'>,
  cluster: string,
  prefix = backup.prefix ?? DEFAULT_PREFIX,
): WalgTarget {
  return {
    s3Prefix: `s3://${backup.bucket}/${prefix}/${cluster}`,
    endpoint: backup.endpoint.replace(/\/$/, ''),
    forcePathStyle: backup.forcePathStyle ?? true,
  };
}

/** Key of the backup Secret (and property of the store entry) with the libsodium key: 64 hex digits. */
export const LIBSODIUM_KEY = 'libsodium-key';
/** Keys of the backup Secret, each read from the same-named property of `credentialsRemoteKey`. */
export const BACKUP_SECRET_KEYS = ['access-key-id', 'secret-access-key', LIBSODIUM_KEY];

/**
 * WAL-G's environment for this cluster's own folder, credentials and encryption key from the
 * backup Secret; empty without backups. Encryption is WAL-G's own (libsodium, client side; wal-g
 * v3.0.5 internal/configure_crypter_libsodium.go reads WALG_LIBSODIUM_KEY and
 * WALG_LIBSODIUM_KEY_TRANSFORM), so it works on any S3 store, MinIO without KMS included.
 */
export function s3Env(ctx: ClusterContext): k8s.EnvVar[] {
  const backup = ctx.props.backup;
  if (!backup) {
    return [];
  }
  const secret = ctx.names.backupCredentials;
  return [
    ...Object.entries(walgEnvironment(walgTarget(backup, ctx.name))).map(([name, value]) => ({ name, value })),
    { name: 'AWS_ACCESS_KEY_ID', valueFrom: { secretKeyRef: { name: secret, key: 'access-key-id' } } },
    { name: 'AWS_SECRET_ACCESS_KEY', valueFrom: { secretKeyRef: { name: secret, key: 'secret-access-key' } } },
    { name: 'WALG_LIBSODIUM_KEY', valueFrom: { secretKeyRef: { name: secret, key: LIBSODIUM_KEY } } },
    { name: 'WALG_LIBSODIUM_KEY_TRANSFORM', value: 'hex' },
  ];
}

/** The WAL-G target of a standby's archive: the primary's store and folder. */
export function standbyArchiveTarget(archive: StandbyArchiveProps): WalgTarget {
  return walgTarget(archive, archive.cluster);
}

/** What a standby follows: a remote primary, the primary's archive, or both. */
export function standbySpec(ctx: ClusterContext): StandbySpec | undefined {
  const standbyOf = ctx.props.standbyOf;
  if (!standbyOf) {
    return undefined;
  }
  return { remote: standbyOf.remote, archive: standbyOf.archive ? standbyArchiveTarget(standbyOf.archive) : undefined };
}

/** The standby archive's read-only credentials and key in the members, as STANDBY_* variables. */
export function standbyArchiveEnv(ctx: ClusterContext): k8s.EnvVar[] {
  if (!ctx.props.standbyOf?.archive) {
    return [];
  }
  const keys: Record<(typeof STANDBY_CREDENTIAL_VARIABLES)[number], string> = {
    AWS_ACCESS_KEY_ID: 'access-key-id',
    AWS_SECRET_ACCESS_KEY: 'secret-access-key',
    WALG_LIBSODIUM_KEY: LIBSODIUM_KEY,
  };
  return STANDBY_CREDENTIAL_VARIABLES.map((name) => ({
    name: `${STANDBY_CREDENTIALS_PREFIX}${name}`,
    valueFrom: { secretKeyRef: { name: ctx.names.standbyArchiveCredentials, key: keys[name] } },
  }));
}

/** The port an S3 endpoint URL answers on: its explicit port, else 443 (https) or 80 (http). */
export function endpointPort(endpoint: string): number {
  const m = /^(https?):\/\/[^/:]+(?::([0-9]+))?/.exec(endpoint);
  return m?.[2] ? Number(m[2]) : m?.[1] === 'http' ? 80 : 443;
}

/** The backup a new cluster bootstraps from, if any. */
export function restoreSource(ctx: ClusterContext): RestoreSource | undefined {
  const { restoreFrom, backup } = ctx.props;
  return restoreFrom
    ? {
        target: walgTarget(backup!, restoreFrom.sourceCluster, restoreFrom.sourcePrefix),
        backupName: restoreFrom.backupName,
        targetTime: restoreFrom.targetTime,
      }
    : undefined;
}

/** The nightly WAL-G base backup and pg_dumpall logical backup, as CronJobs. */
export function addBackupJobs(ctx: ClusterContext, backup: PostgresBackupProps): void {
  const retention = backup.baseBackupRetention ?? 7;
  const days = backup.logicalBackupRetentionDays ?? 14;
  // Base backups stream over the replication protocol from a replica when there is one (WAL-G
  // remote backup-push: no access to the data volume needed), then old ones are deleted. WAL-G
  // also opens an ordinary connection (server info): PGDATABASE, or it would go to a database
  // named after the role. The role and its grants: config.ts backupRole().
  const source = ctx.props.replicas > 1 ? ctx.hosts.replica : ctx.hosts.primary;
  const baseScript = ['set -eu', 'wal-g backup-push', `wal-g delete retain FULL ${retention} --confirm`].join('\n');
  backupCronJob(ctx, 'BaseBackup', {
    name: `${ctx.name}-base-backup`,
    schedule: backup.baseBackupSchedule ?? '0 1 * * *',
    script: baseScript,
    env: [...ctx.libpqEnv(source, ROLES.backup, 'backup-password'), { name: 'PGDATABASE', value: 'postgres' }],
    tmpSize: '256Mi',
  });
  backupCronJob(ctx, 'LogicalBackup', {
    name: `${ctx.name}-logical-backup`,
    schedule: backup.logicalBackupSchedule ?? '30 2 * * *',
    script: logicalBackupScript(days),
    // On the primary: on a replica a dump that runs longer than max_standby_streaming_delay (30 s)
    // is cancelled by replay conflicts unless hot_standby_feedback is on, and with it the primary
    // keeps the dead rows anyway. pg_dumpall reads MVCC snapshots and blocks no writer.
    env: [...ctx.libpqEnv(ctx.hosts.primary, ROLES.superuser, 'superuser-password'), { name: 'PGDATABASE', value: 'postgres' }],
    tmpSize: '20Gi',
  });
}

/**
 * pg_dumpall of roles and every database, uploaded through WAL-G's storage tools (compressed),
 * one folder per UTC day; folders older than the retention are removed.
 */
function logicalBackupScript(retentionDays: number): string {
  return [
    'set -eu',
    'day=$(date -u +%Y%m%d)',
    'file=/tmp/pg_dumpall-$(date -u +%Y%m%dT%H%M%SZ).sql',
    'pg_dumpall --clean --if-exists --quote-all-identifiers --load-via-partition-root > "$file"',
    'wal-g st put "$file" "logical/$day/$(basename "$file")"',
    'rm -f "$file"',
    `cutoff=$(date -u -d "@$(( $(date +%s) - ${retentionDays} * 86400 ))" +%Y%m%d)`,
    'for d in $(wal-g st ls logical/ | grep -oE "[0-9]{8}" | sort -u); do',
    '  if [ "$d" -lt "$cutoff" ]; then wal-g st rm "logical/$d/"; fi',
    'done',
  ].join('\n');
}

interface BackupJob {
  readonly name: string;
  readonly schedule: string;
  readonly script: string;
  readonly env: k8s.EnvVar[];
  /** Room in /tmp (the logical dump is written there before the upload). */
  readonly tmpSize: string;
}

function backupCronJob(ctx: ClusterContext, id: string, job: BackupJob): void {
  const labels = ctx.labelsFor('backup');
  const writable: WritablePath[] = [{ ...TMP, sizeLimit: job.tmpSize }];
  new k8s.KubeCronJob(ctx.scope, id, {
    metadata: { name: job.name, namespace: ctx.namespace, labels },
    spec: {
      schedule: job.schedule,
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
              securityContext: ctx.spiloPodSecurity(),
              containers: [
                {
                  name: 'backup',
                  image: ctx.props.image,
                  command: ['sh', '-c', job.script],
                  env: [...job.env, ...s3Env(ctx)],
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
}
