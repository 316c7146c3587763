/* eslint-disable @typescript-eslint/no-explicit-any */
import { StandbySource } from '../../../constructs/postgres-ha';
import { all, BACKUP, container, find, patroniOf, synth } from './support';

/** Prod's archive as DR reads it: prod's own object storage, read-only credentials. */
const PROD_ARCHIVE = {
  endpoint: 'https://minio.prod.example.com',
  bucket: 'postgres-backups',
  prefix: 'prod',
  cluster: 'pg',
  credentialsRemoteKey: 'prod/db-postgres/backup-s3-readonly',
};

describe('PostgresHA backups', () => {
  const { objects } = synth({ backup: { ...BACKUP, baseBackupRetention: 5, logicalBackupRetentionDays: 30 } });

  test('WAL archiving with WAL-G to the bucket, credentials from an ExternalSecret', () => {
    const p = patroniOf(objects);
    expect(p.bootstrap.dcs.postgresql.parameters.archive_mode).toBe('on');
    expect(p.postgresql.parameters.archive_command).toBe('wal-g wal-push "%p"');
    expect(p.postgresql.recovery_conf.restore_command).toBe('wal-g wal-fetch "%f" "%p"');
    const env = Object.fromEntries(container(objects, 'postgres').env.map((e: any) => [e.name, e.value ?? e.valueFrom]));
    expect(env).toMatchObject({
      WALG_S3_PREFIX: 's3://postgres-backups/prod/pg',
      AWS_ENDPOINT: 'http://minio.storage-minio.svc:9000',
      AWS_S3_FORCE_PATH_STYLE: 'true',
      AWS_ACCESS_KEY_ID: { secretKeyRef: { name: 'pg-backup-s3', key: 'access-key-id' } },
    });
    expect(find(objects, 'ExternalSecret', 'pg-backup-s3').spec.data.map((d: any) => d.remoteRef.key)).toEqual([
      'prod/db-postgres/backup-s3',
      'prod/db-postgres/backup-s3',
      'prod/db-postgres/backup-s3',
    ]);
  });

  /**
   * Settings WAL-G v3.0.5 reads (internal/config/config.go; the S3 ones also in
   * pkg/storages/s3/configure.go). WALG_DISABLE_S3_SSE is not among them: only Spilo's entrypoint reads it.
   */
  const WALG_READS = [
    'WALG_S3_PREFIX',
    'AWS_ENDPOINT',
    'AWS_S3_FORCE_PATH_STYLE',
    'AWS_ACCESS_KEY_ID',
    'AWS_SECRET_ACCESS_KEY',
    'WALG_COMPRESSION_METHOD',
    'WALG_LIBSODIUM_KEY',
    'WALG_LIBSODIUM_KEY_TRANSFORM',
  ];

  test('encrypted with WAL-G libsodium (key from the backup ExternalSecret) in the members and both CronJobs; every WAL-G setting is one it reads', () => {
    const podSpecs = [
      find(objects, 'StatefulSet').spec.template.spec,
      ...all(objects, 'CronJob').map((cj: any) => cj.spec.jobTemplate.spec.template.spec),
    ];
    expect(podSpecs).toHaveLength(3);
    for (const spec of podSpecs) {
      const env = spec.containers[0].env;
      const byName = Object.fromEntries(env.map((e: any) => [e.name, e.value ?? e.valueFrom]));
      expect(byName.WALG_LIBSODIUM_KEY).toEqual({ secretKeyRef: { name: 'pg-backup-s3', key: 'libsodium-key' } });
      expect(byName.WALG_LIBSODIUM_KEY_TRANSFORM).toBe('hex');
      const walg = env.map((e: any) => e.name).filter((n: string) => /^(WALG_|AWS_)/.test(n));
      expect(walg.filter((n: string) => !WALG_READS.includes(n))).toEqual([]);
    }
    expect(
      find(objects, 'ExternalSecret', 'pg-backup-s3').spec.data.map((d: any) => `${d.secretKey} <- ${d.remoteRef.key}#${d.remoteRef.property}`),
    ).toEqual([
      'access-key-id <- prod/db-postgres/backup-s3#access-key-id',
      'secret-access-key <- prod/db-postgres/backup-s3#secret-access-key',
      'libsodium-key <- prod/db-postgres/backup-s3#libsodium-key',
    ]);
  });

  test('base backup CronJob: schedule, retention, never concurrent, from a replica', () => {
    const cj = find(objects, 'CronJob', 'pg-base-backup');
    expect(cj.spec).toMatchObject({ schedule: '0 1 * * *', concurrencyPolicy: 'Forbid', timeZone: 'Etc/UTC' });
    const c = cj.spec.jobTemplate.spec.template.spec.containers[0];
    expect(c.command[2]).toMatch(/wal-g backup-push\nwal-g delete retain FULL 5 --confirm/);
    expect(c.env.find((e: any) => e.name === 'PGHOST').value).toBe('pg-replica.db-postgres.svc');
  });

  test('base backup CronJob: connects as the backup role to the postgres database (WAL-G remote backup-push)', () => {
    const c = find(objects, 'CronJob', 'pg-base-backup').spec.jobTemplate.spec.template.spec.containers[0];
    const env = Object.fromEntries(c.env.map((e: any) => [e.name, e.value ?? e.valueFrom]));
    expect(env).toMatchObject({
      PGUSER: 'backup',
      PGDATABASE: 'postgres',
      PGPASSWORD: { secretKeyRef: { name: 'pg-credentials', key: 'backup-password' } },
    });
    expect(find(objects, 'ExternalSecret', 'pg-credentials').spec.data.map((d: any) => d.secretKey)).toContain('backup-password');
    expect(patroniOf(objects).postgresql.pg_hba).toContain('hostssl replication backup 0.0.0.0/0 scram-sha-256');
  });

  test('logical backup CronJob: pg_dumpall with retention in days', () => {
    const cj = find(objects, 'CronJob', 'pg-logical-backup');
    expect(cj.spec).toMatchObject({ schedule: '30 2 * * *', concurrencyPolicy: 'Forbid' });
    const script = cj.spec.jobTemplate.spec.template.spec.containers[0].command[2];
    expect(script).toMatch(/pg_dumpall --clean --if-exists --quote-all-identifiers/);
    expect(script).toMatch(/- 30 \* 86400/);
  });

  test('logical backup CronJob: pg_dumpall runs against the primary (leader Service), never a replica', () => {
    const env = find(objects, 'CronJob', 'pg-logical-backup').spec.jobTemplate.spec.template.spec.containers[0].env;
    expect(env.find((e: any) => e.name === 'PGHOST').value).toBe('pg.db-postgres.svc');
  });

  test('egress to MinIO on 9000 from the members and the backup pods', () => {
    for (const name of ['pg-egress', 'pg-backup-egress']) {
      const egress = find(objects, 'NetworkPolicy', name).spec.egress;
      expect(egress).toContainEqual({
        to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'storage-minio' } }, podSelector: { matchLabels: {} } }],
        ports: [{ protocol: 'TCP', port: 9000 }],
      });
    }
  });
});

describe('PostgresHA restore and standby', () => {
  test('restoreFrom bootstraps from the source cluster backup up to a point in time', () => {
    const { objects } = synth({ backup: BACKUP, restoreFrom: { sourceCluster: 'old', targetTime: '2026-11-26 08:00:00+00' } });
    const b = patroniOf(objects).bootstrap;
    expect(b.method).toBe('walg_restore');
    expect(b.walg_restore.command).toMatch(
      /WALG_S3_PREFIX=s3:\/\/postgres-backups\/prod\/old .*wal-g backup-fetch \/home\/postgres\/pgdata\/pgroot\/data LATEST/,
    );
    expect(b.walg_restore.recovery_conf).toMatchObject({ recovery_target_time: '2026-11-26 08:00:00+00', recovery_target_action: 'promote' });
    // The restored cluster archives into its own folder, never the source's.
    expect(container(objects, 'postgres').env.find((e: any) => e.name === 'WALG_S3_PREFIX').value).toBe('s3://postgres-backups/prod/pg');
  });

  describe('standbyOf', () => {
    test('archive: a standby cluster replaying another cluster archive; no admin or backup Jobs', () => {
      const { objects } = synth({ backup: { ...BACKUP, prefix: 'dr' }, standbyOf: StandbySource.archive(PROD_ARCHIVE) }, (pg) =>
        pg.addTenantSchema('acme'),
      );
      const standby = patroniOf(objects).bootstrap.dcs.standby_cluster;
      expect(standby.create_replica_methods).toEqual(['walg_standby']);
      expect(standby.restore_command).toMatch(/WALG_S3_PREFIX=s3:\/\/postgres-backups\/prod\/pg .*wal-g wal-fetch/);
      expect(all(objects, 'Job')).toHaveLength(0);
      expect(all(objects, 'CronJob')).toHaveLength(0);
    });

    test("primary with archive: streams from prod's replication endpoint, falls back to prod's archive with read-only credentials", () => {
      const { objects } = synth({
        backup: { ...BACKUP, prefix: 'dr' },
        standbyOf: StandbySource.primary('pg.prod.example.com', 5432, { archive: PROD_ARCHIVE }),
      });
      const standby = patroniOf(objects).bootstrap.dcs.standby_cluster;
      expect([standby.host, standby.port, standby.create_replica_methods]).toEqual(['pg.prod.example.com', 5432, ['basebackup', 'walg_standby']]);
      // The archive's own endpoint and folder, and the standby credentials, never this cluster's own store.
      expect(standby.restore_command).toBe(
        'env WALG_S3_PREFIX=s3://postgres-backups/prod/pg AWS_ENDPOINT=https://minio.prod.example.com AWS_S3_FORCE_PATH_STYLE=true WALG_COMPRESSION_METHOD=lz4 ' +
          'AWS_ACCESS_KEY_ID="$STANDBY_AWS_ACCESS_KEY_ID" AWS_SECRET_ACCESS_KEY="$STANDBY_AWS_SECRET_ACCESS_KEY" WALG_LIBSODIUM_KEY="$STANDBY_WALG_LIBSODIUM_KEY" ' +
          'wal-g wal-fetch "%f" "%p"',
      );
      const env = Object.fromEntries(container(objects, 'postgres').env.map((e: any) => [e.name, e.value ?? e.valueFrom]));
      expect(env).toMatchObject({
        STANDBY_AWS_ACCESS_KEY_ID: { secretKeyRef: { name: 'pg-standby-archive-s3', key: 'access-key-id' } },
        STANDBY_AWS_SECRET_ACCESS_KEY: { secretKeyRef: { name: 'pg-standby-archive-s3', key: 'secret-access-key' } },
        STANDBY_WALG_LIBSODIUM_KEY: { secretKeyRef: { name: 'pg-standby-archive-s3', key: 'libsodium-key' } },
      });
      expect(find(objects, 'ExternalSecret', 'pg-standby-archive-s3').spec.data.map((d: any) => d.remoteRef.key)).toEqual([
        'prod/db-postgres/backup-s3-readonly',
        'prod/db-postgres/backup-s3-readonly',
        'prod/db-postgres/backup-s3-readonly',
      ]);
      // Egress to the primary and to the archive (https: 443).
      const egress = find(objects, 'NetworkPolicy', 'pg-egress').spec.egress;
      expect(egress).toContainEqual({ ports: [{ protocol: 'TCP', port: 5432 }] });
      expect(egress).toContainEqual({ ports: [{ protocol: 'TCP', port: 443 }] });
    });

    test('primary: streams from a remote host, with egress to its port', () => {
      const { objects } = synth({ standbyOf: StandbySource.primary('pg.prod.example.com', 5433) });
      expect(patroniOf(objects).bootstrap.dcs.standby_cluster).toEqual({
        host: 'pg.prod.example.com',
        port: 5433,
        create_replica_methods: ['basebackup'],
      });
      expect(find(objects, 'NetworkPolicy', 'pg-egress').spec.egress).toContainEqual({ ports: [{ protocol: 'TCP', port: 5433 }] });
    });
  });
});
