/* eslint-disable @typescript-eslint/no-explicit-any */
import { App, Chart, Size, Testing } from 'cdk8s';
import * as YAML from 'yaml';
import { DbPostgresChart } from '../../charts/db-postgres';
import { runGate } from '../../gate/gate';
import { SchemaRegistry } from '../../gate/schema';
import { checkParameters, defaultTunedSettings, pgMemory, quoteIdent, quoteLiteral, tenantSchemaSql } from '../../constructs/lib/postgres-config';
import { Resources } from '../../constructs/lib/resources';
import { PlatformNamespace } from '../../constructs/platform-namespace';
import { PatroniDcs, PoolMode, PostgresHA, PostgresHAProps, StandbySource } from '../../constructs/postgres-ha';
import { loadEnvironments } from '../../environments/load';
import { EnvironmentConfig } from '../../environments/types';
import { errorOf } from '../helpers/errors';

const STORE = { name: 'platform-secrets' };
const BACKUP = {
  endpoint: 'http://minio.storage-minio.svc:9000',
  bucket: 'postgres-backups',
  prefix: 'prod',
  credentialsRemoteKey: 'prod/db-postgres/backup-s3',
  networkPeer: { peerNamespace: 'storage-minio', peerSelector: {} },
};

function synth(props: Partial<PostgresHAProps> = {}, extra?: (pg: PostgresHA) => void): { objects: any[]; pg: PostgresHA } {
  const chart = new Chart(Testing.app(), 'test', { namespace: 'db-postgres', disableResourceNameHashes: true });
  const pg = new PostgresHA(chart, 'Postgres', { clusterName: 'pg', secretStore: STORE, ...props });
  extra?.(pg);
  return { objects: Testing.synth(chart), pg };
}

const find = (objects: any[], kind: string, name?: string): any =>
  objects.find((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
const all = (objects: any[], kind: string): any[] => objects.filter((o) => o.kind === kind);
const patroniOf = (objects: any[]): any => YAML.parse(find(objects, 'ConfigMap', 'pg-patroni').data['patroni.yml'], { version: '1.1' });
const container = (objects: any[], name: string): any => find(objects, 'StatefulSet').spec.template.spec.containers.find((c: any) => c.name === name);

describe('PostgresHA', () => {
  describe('defaults (3 instances)', () => {
    const { objects, pg } = synth({ storageClass: 'gp3', storage: Size.gibibytes(50) });
    const sts = find(objects, 'StatefulSet');
    const selector = sts.spec.selector.matchLabels;

    test('a StatefulSet of 3 members, each with its own PVC of the storage class', () => {
      expect(sts.metadata.name).toBe('pg');
      expect(sts.spec.replicas).toBe(3);
      expect(sts.spec.serviceName).toBe('pg-members');
      expect(sts.spec.volumeClaimTemplates).toEqual([
        {
          metadata: { name: 'pgdata', labels: selector },
          spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'gp3', resources: { requests: { storage: '50Gi' } } },
        },
      ]);
      expect(sts.spec.persistentVolumeClaimRetentionPolicy).toEqual({ whenDeleted: 'Retain', whenScaled: 'Retain' });
      expect(container(objects, 'postgres').volumeMounts).toContainEqual({ name: 'pgdata', mountPath: '/home/postgres/pgdata' });
    });

    test('one PDB over all members with maxUnavailable 1, and required anti-affinity across nodes', () => {
      const pdbs = all(objects, 'PodDisruptionBudget').filter((p) => p.metadata.name === 'pg');
      expect(pdbs).toHaveLength(1);
      expect(pdbs[0].spec).toMatchObject({ maxUnavailable: 1, selector: { matchLabels: selector } });
      const anti = sts.spec.template.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution;
      expect(anti).toEqual([{ labelSelector: { matchLabels: selector }, topologyKey: 'kubernetes.io/hostname' }]);
      expect(sts.spec.template.spec.topologySpreadConstraints).toBeUndefined();
    });

    test('leader Service has no selector, replica Service selects role=replica, config and members Services are headless', () => {
      const leader = find(objects, 'Service', 'pg');
      expect(leader.spec.selector).toBeUndefined();
      expect(leader.spec.ports).toEqual([{ name: 'postgresql', port: 5432, targetPort: 5432, protocol: 'TCP' }]);
      // Patroni must write the same port name into the Endpoints it manages.
      expect(patroniOf(objects).kubernetes.ports).toEqual([{ name: 'postgresql', port: 5432 }]);
      expect(find(objects, 'Endpoints')).toBeUndefined();
      const replica = find(objects, 'Service', 'pg-replica');
      expect(replica.spec.selector).toEqual({ ...selector, role: 'replica' });
      expect(replica.metadata.annotations['policy.receivables.io/exempt']).toMatch(/^ref\.service-selector: Patroni sets the role=replica label/);
      const config = find(objects, 'Service', 'pg-config');
      expect(config.spec).toEqual({ clusterIP: 'None' });
      const members = find(objects, 'Service', 'pg-members');
      expect(members.spec).toMatchObject({ clusterIP: 'None', publishNotReadyAddresses: true, selector });
      expect(pg.primaryHost).toBe('pg.db-postgres.svc');
      expect(pg.replicaHost).toBe('pg-replica.db-postgres.svc');
      expect(pg.host).toBe('pg-pooler.db-postgres.svc');
      expect(pg.port).toBe(5432);
      expect(pg.secretName).toBe('pg-app');
      expect(pg.connectionUri).toBe('postgresql://app@pg-pooler.db-postgres.svc:5432/app');
      // As a network peer, the cluster is its pooler: what clients open egress to.
      expect({ ns: pg.peerNamespace, selector: pg.peerSelector }).toEqual({
        ns: 'db-postgres',
        selector: find(objects, 'Deployment', 'pg-pooler').spec.selector.matchLabels,
      });
      expect(pg.databasePeer.peerSelector).toEqual(selector);
    });

    test('Patroni finds its pods by the selector labels, with the instance label as scope', () => {
      const k = patroniOf(objects).kubernetes;
      expect({ ...k.labels, [k.scope_label]: patroniOf(objects).scope }).toEqual(selector);
      expect(k.use_endpoints).toBe(true);
      expect(k.role_label).toBe('role');
    });

    test('RBAC is minimal: endpoints, pods, and read-only services, in a namespaced Role', () => {
      expect(all(objects, 'ClusterRole')).toHaveLength(0);
      expect(all(objects, 'ClusterRoleBinding')).toHaveLength(0);
      const role = find(objects, 'Role', 'pg-patroni');
      expect(role.rules.map((r: any) => r.resources).flat()).toEqual(['endpoints', 'pods', 'services']);
      expect(role.rules.find((r: any) => r.resources[0] === 'pods').verbs).toEqual(['get', 'list', 'watch', 'update', 'patch']);
      expect(role.rules.find((r: any) => r.resources[0] === 'services').verbs).toEqual(['get', 'list']);
      expect(role.rules.every((r: any) => !r.verbs.includes('*') && r.apiGroups.every((g: string) => g === ''))).toBe(true);
      expect(sts.spec.template.spec.serviceAccountName).toBe('pg-patroni');
      expect(find(objects, 'RoleBinding', 'pg-patroni').subjects).toEqual([{ kind: 'ServiceAccount', name: 'pg-patroni', namespace: 'db-postgres' }]);
    });

    test('probes hit Patroni on 8008: /readiness and /liveness, and they differ', () => {
      const c = container(objects, 'postgres');
      expect(c.readinessProbe.httpGet).toEqual({ path: '/readiness', port: 8008, scheme: 'HTTP' });
      expect(c.livenessProbe.httpGet).toEqual({ path: '/liveness', port: 8008, scheme: 'HTTP' });
      expect(c.readinessProbe).not.toEqual(c.livenessProbe);
      expect(c.startupProbe.httpGet.path).toBe('/liveness');
    });

    test('/dev/shm is a memory emptyDir, and the root filesystem is read-only with emptyDirs for writable paths', () => {
      const volumes = sts.spec.template.spec.volumes;
      expect(volumes.find((v: any) => v.name === 'dshm').emptyDir).toEqual({ medium: 'Memory', sizeLimit: '4Gi' });
      const c = container(objects, 'postgres');
      expect(c.volumeMounts.map((m: any) => m.mountPath)).toEqual(
        expect.arrayContaining(['/dev/shm', '/tmp', '/run/postgresql', '/home/postgres', '/home/postgres/pgdata']),
      );
      expect(c.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
      expect(sts.spec.template.spec.securityContext).toMatchObject({ runAsUser: 101, runAsGroup: 103, fsGroup: 103, runAsNonRoot: true });
    });

    test('parameters derive from the memory limit (LARGE: 4Gi)', () => {
      const params = patroniOf(objects).bootstrap.dcs.postgresql.parameters;
      expect(params).toMatchObject({
        max_connections: 100,
        shared_buffers: '1GB',
        effective_cache_size: '3GB',
        maintenance_work_mem: '256MB',
        work_mem: '10MB',
        wal_level: 'replica',
        archive_mode: 'off',
      });
      expect(patroniOf(objects).bootstrap.dcs).toMatchObject({
        synchronous_mode: false,
        failsafe_mode: true,
        ttl: 30,
        loop_wait: 10,
        retry_timeout: 10,
      });
    });

    test('PgBouncer: 2 replicas in transaction mode behind a PDB, pointed at the leader Service', () => {
      const dep = find(objects, 'Deployment', 'pg-pooler');
      expect(dep.spec.replicas).toBe(2);
      const ini = find(objects, 'ConfigMap', 'pg-pooler').data['pgbouncer.ini'];
      expect(ini).toMatch(/^pool_mode = transaction$/m);
      expect(ini).toMatch(/^\* = host=pg\.db-postgres\.svc port=5432$/m);
      expect(ini).toMatch(/^max_db_connections = 40$/m);
      expect(ini).toMatch(/^max_prepared_statements = 200$/m);
      expect(find(objects, 'PodDisruptionBudget', 'pg-pooler').spec.maxUnavailable).toBe(1);
      expect(dep.spec.template.spec.affinity.podAntiAffinity).toBeDefined();
      expect(find(objects, 'Service', 'pg-pooler').spec.selector).toEqual(dep.spec.selector.matchLabels);
      const es = find(objects, 'ExternalSecret', 'pg-pooler-auth');
      expect(es.spec.target.template.data['userlist.txt']).toBe('"pgbouncer_auth" "{{ .password }}"\n');
    });

    test('secrets come only from ExternalSecrets, passwords only through secretKeyRef', () => {
      expect(all(objects, 'Secret')).toHaveLength(0);
      expect(all(objects, 'ExternalSecret').map((e) => e.metadata.name)).toEqual(['pg-credentials', 'pg-app', 'pg-pooler-auth']);
      const env = container(objects, 'postgres').env;
      for (const e of env.filter((x: any) => /PASSWORD/.test(x.name))) {
        expect(e.valueFrom.secretKeyRef.name).toBe('pg-credentials');
      }
    });

    test('an exporter sidecar on 9187 and a ServiceMonitor that selects only the members Service', () => {
      expect(container(objects, 'exporter').ports).toEqual([{ name: 'metrics', containerPort: 9187, protocol: 'TCP' }]);
      const sm = find(objects, 'ServiceMonitor', 'pg');
      const selected = all(objects, 'Service').filter((s) =>
        Object.entries(sm.spec.selector.matchLabels).every(([k, v]) => s.metadata.labels[k] === v),
      );
      expect(selected.map((s) => s.metadata.name)).toEqual(['pg-members']);
      expect(sm.spec.endpoints[0].port).toBe('metrics');
    });

    test('PgBouncer has a pgbouncer_exporter sidecar on 9127 that logs in to the admin console as the stats user', () => {
      const dep = find(objects, 'Deployment', 'pg-pooler');
      const exporter = dep.spec.template.spec.containers.find((c: any) => c.name === 'exporter');
      expect(exporter.image).toBe('quay.io/prometheuscommunity/pgbouncer-exporter:v0.11.0');
      expect(exporter.ports).toEqual([{ name: 'metrics', containerPort: 9127, protocol: 'TCP' }]);
      // The role in the connection string is the one pgbouncer.ini lists in stats_users (SHOW only).
      const ini = find(objects, 'ConfigMap', 'pg-pooler').data['pgbouncer.ini'];
      const statsUser = /^stats_users = (\S+)$/m.exec(ini)![1];
      expect(exporter.args).toContain(`--pgBouncer.connectionString=postgres://${statsUser}@127.0.0.1:5432/pgbouncer?sslmode=disable`);
      expect(ini).not.toMatch(/^admin_users/m);
      // No password in the manifest: lib/pq reads PGPASSWORD, from the credentials Secret.
      expect(exporter.env).toEqual([{ name: 'PGPASSWORD', valueFrom: { secretKeyRef: { name: 'pg-credentials', key: 'pooler-password' } } }]);
      expect(exporter.readinessProbe.httpGet.port).toBe(9127);
      expect(exporter.livenessProbe).not.toEqual(exporter.readinessProbe);
      // Its own ServiceMonitor selects only the pooler Service, whose metrics port reaches the sidecar.
      const sm = find(objects, 'ServiceMonitor', 'pg-pooler');
      const selected = all(objects, 'Service').filter((s) =>
        Object.entries(sm.spec.selector.matchLabels).every(([k, v]) => s.metadata.labels[k] === v),
      );
      expect(selected.map((s) => s.metadata.name)).toEqual(['pg-pooler']);
      expect(selected[0].spec.ports.find((p: any) => p.name === sm.spec.endpoints[0].port).targetPort).toBe(9127);
      // Without metricsScrapers nobody may scrape it.
      expect(find(objects, 'NetworkPolicy', 'pg-pooler-metrics')).toBeUndefined();
    });

    test('the bootstrap Job runs idempotent SQL from a ConfigMap as the superuser, with a content-hashed name', () => {
      const jobs = all(objects, 'Job');
      expect(jobs).toHaveLength(1);
      expect(jobs[0].metadata.name).toMatch(/^pg-bootstrap-[0-9a-f]{8}$/);
      const sql = find(objects, 'ConfigMap', 'pg-sql').data['bootstrap.sql'];
      expect(sql).toMatch(/\\gexec/);
      expect(sql).toMatch(/PASSWORD :'app_password'/);
      // postgres_exporter connects to the postgres database: pg_stat_statements must exist there too.
      const [inPostgresDb, inAppDb] = sql.split('\\connect "app"');
      expect(inPostgresDb).toMatch(/^CREATE EXTENSION IF NOT EXISTS pg_stat_statements;$/m);
      expect(inAppDb).toMatch(/^CREATE EXTENSION IF NOT EXISTS pg_stat_statements;$/m);
      expect(all(objects, 'CronJob')).toHaveLength(0);
    });

    test('NetworkPolicies: members talk to each other on 5432/8008, the API server on 443/6443; nothing else leaves', () => {
      const egress = find(objects, 'NetworkPolicy', 'pg-egress').spec.egress;
      expect(egress[0].ports.map((p: any) => p.port)).toEqual([5432, 8008]);
      expect(egress[1]).toEqual({ ports: [443, 6443].map((port) => ({ protocol: 'TCP', port })) });
      expect(egress).toHaveLength(2);
      const ingress = find(objects, 'NetworkPolicy', 'pg-ingress').spec.ingress;
      expect(ingress[0]).toEqual({
        from: [{ podSelector: { matchLabels: selector } }],
        ports: [5432, 8008].map((port) => ({ protocol: 'TCP', port })),
      });
    });
  });

  test('dcs CONFIG_MAPS: state in ConfigMaps, the leader Service selects role=primary (exempted), no Endpoints rights', () => {
    const { objects } = synth({ dcs: PatroniDcs.CONFIG_MAPS });
    const selector = find(objects, 'StatefulSet').spec.selector.matchLabels;
    const k = patroniOf(objects).kubernetes;
    expect(k.use_endpoints).toBe(false);
    expect(k.ports).toBeUndefined();
    // The value the leader Service selects, pinned whatever the Patroni version's default.
    expect([k.role_label, k.leader_label_value, k.standby_leader_label_value]).toEqual(['role', 'primary', 'primary']);
    const leader = find(objects, 'Service', 'pg');
    expect(leader.spec.selector).toEqual({ ...selector, role: 'primary' });
    expect(leader.metadata.annotations['policy.receivables.io/exempt']).toMatch(/^ref\.service-selector: Patroni sets the role=primary label/);
    // Readiness keeps a primary that lost the lock out of the Service.
    expect(container(objects, 'postgres').readinessProbe.httpGet.path).toBe('/readiness');
    expect(find(objects, 'Service', 'pg-config')).toBeUndefined();
    const role = find(objects, 'Role', 'pg-patroni');
    expect(role.rules.map((r: any) => r.resources).flat()).toEqual(['configmaps', 'pods']);
    // The default stays Endpoints.
    expect(patroniOf(synth().objects).kubernetes.use_endpoints).toBe(true);
  });

  test('allowFrom admits a workload to the pooler on 5432 only', () => {
    const { objects } = synth({}, (pg) => pg.allowFrom({ peerNamespace: 'app-core', peerSelector: { app: 'api' } }));
    const np = find(objects, 'NetworkPolicy', 'pg-from-app-core');
    expect(np.spec.podSelector.matchLabels['app.kubernetes.io/component']).toBe('pooler');
    expect(np.spec.ingress).toEqual([
      {
        from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'app-core' } }, podSelector: { matchLabels: { app: 'api' } } }],
        ports: [{ protocol: 'TCP', port: 5432 }],
      },
    ]);
  });

  test('metricsScrapers may scrape the pooler exporter on 9127 only; metrics: false drops both exporters and monitors', () => {
    const { objects } = synth({ metricsScrapers: [{ peerNamespace: 'monitoring', peerSelector: {} }] });
    const np = find(objects, 'NetworkPolicy', 'pg-pooler-metrics');
    expect(np.spec.podSelector).toEqual(find(objects, 'Deployment', 'pg-pooler').spec.selector);
    expect(np.spec.ingress).toEqual([
      {
        from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } }, podSelector: { matchLabels: {} } }],
        ports: [{ protocol: 'TCP', port: 9127 }],
      },
    ]);
    const off = synth({ metrics: false, metricsScrapers: [{ peerNamespace: 'monitoring', peerSelector: {} }] }).objects;
    expect(all(off, 'ServiceMonitor')).toEqual([]);
    expect(find(off, 'Deployment', 'pg-pooler').spec.template.spec.containers.map((c: any) => c.name)).toEqual(['pgbouncer']);
    expect(find(off, 'Service', 'pg-pooler').spec.ports.map((p: any) => p.name)).toEqual(['postgresql']);
    expect(find(off, 'NetworkPolicy', 'pg-pooler-metrics')).toBeUndefined();
  });

  test('zones: a topology spread across zones when asked', () => {
    const { objects } = synth({ spreadAcrossZones: true });
    expect(find(objects, 'StatefulSet').spec.template.spec.topologySpreadConstraints[0].topologyKey).toBe('topology.kubernetes.io/zone');
  });

  test('synchronous mode with 3 instances', () => {
    const { objects } = synth({ synchronousMode: true });
    expect(patroniOf(objects).bootstrap.dcs.synchronous_mode).toBe(true);
    expect(patroniOf(objects).bootstrap.dcs.postgresql.parameters.synchronous_commit).toBe('on');
  });

  test('typed parameters and the parameters map reach patroni.yml; on/off stay strings for PyYAML', () => {
    const { objects } = synth({ maxConnections: 300, sharedBuffers: '512MB', parameters: { statement_timeout: '30s', jit: 'off' } });
    const text = find(objects, 'ConfigMap', 'pg-patroni').data['patroni.yml'];
    expect(text).toMatch(/jit: "off"/);
    expect(patroniOf(objects).bootstrap.dcs.postgresql.parameters).toMatchObject({
      max_connections: 300,
      shared_buffers: '512MB',
      statement_timeout: '30s',
      jit: 'off',
    });
  });

  describe('backups', () => {
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
      ]);
    });

    test('base backup CronJob: schedule, retention, never concurrent, from a replica', () => {
      const cj = find(objects, 'CronJob', 'pg-base-backup');
      expect(cj.spec).toMatchObject({ schedule: '0 1 * * *', concurrencyPolicy: 'Forbid', timeZone: 'Etc/UTC' });
      const c = cj.spec.jobTemplate.spec.template.spec.containers[0];
      expect(c.command[2]).toMatch(/wal-g backup-push\nwal-g delete retain FULL 5 --confirm/);
      expect(c.env.find((e: any) => e.name === 'PGHOST').value).toBe('pg-replica.db-postgres.svc');
    });

    test('logical backup CronJob: pg_dumpall with retention in days', () => {
      const cj = find(objects, 'CronJob', 'pg-logical-backup');
      expect(cj.spec).toMatchObject({ schedule: '30 2 * * *', concurrencyPolicy: 'Forbid' });
      const script = cj.spec.jobTemplate.spec.template.spec.containers[0].command[2];
      expect(script).toMatch(/pg_dumpall --clean --if-exists --quote-all-identifiers/);
      expect(script).toMatch(/- 30 \* 86400/);
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
      const { objects } = synth({ backup: { ...BACKUP, prefix: 'dr' }, standbyOf: StandbySource.archive('pg', { prefix: 'prod' }) }, (pg) =>
        pg.addTenantSchema('acme'),
      );
      const standby = patroniOf(objects).bootstrap.dcs.standby_cluster;
      expect(standby.create_replica_methods).toEqual(['walg_standby']);
      expect(standby.restore_command).toMatch(/WALG_S3_PREFIX=s3:\/\/postgres-backups\/prod\/pg .*wal-g wal-fetch/);
      expect(all(objects, 'Job')).toHaveLength(0);
      expect(all(objects, 'CronJob')).toHaveLength(0);
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

    test('promote: a Job removes standby_cluster from the dynamic configuration', () => {
      const { objects } = synth({ promote: true });
      const job = find(objects, 'Job', 'pg-promote');
      expect(job.spec.template.spec.containers[0].command).toEqual([
        'patronictl',
        '-c',
        '/etc/patroni/patroni.yml',
        'edit-config',
        '--force',
        '--set',
        'standby_cluster=null',
      ]);
      expect(job.spec.template.spec.serviceAccountName).toBe('pg-patroni');
    });
  });

  test('addTenantSchema emits an idempotent Job with quoted identifiers', () => {
    const { objects } = synth({}, (pg) => pg.addTenantSchema('acme_gmbh'));
    const job = all(objects, 'Job').find((j) => j.metadata.name.startsWith('pg-tenant-acme-gmbh-'));
    expect(job).toBeDefined();
    const sql = find(objects, 'ConfigMap', 'pg-sql').data['tenant-acme-gmbh.sql'];
    expect(sql).toContain('CREATE SCHEMA IF NOT EXISTS "acme_gmbh" AUTHORIZATION "acme_gmbh_owner";');
    expect(sql).toContain(`WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'acme_gmbh_owner')\\gexec`);
  });

  test('single instance in dev: no PDB, no anti-affinity, a warning', () => {
    const { objects, pg } = synth({ instances: 1, allowSingleInstance: true, pooler: { replicas: 1 } });
    expect(find(objects, 'StatefulSet').spec.replicas).toBe(1);
    expect(all(objects, 'PodDisruptionBudget')).toHaveLength(0);
    expect(find(objects, 'StatefulSet').spec.template.spec.affinity).toBeUndefined();
    expect(pg.node.metadata.find((m) => m.type === 'warning')?.data).toMatch(/single PostgreSQL instance has no failover/);
  });

  describe('fails when', () => {
    const expectProblem = (props: Partial<PostgresHAProps>, field: string, rule: RegExp, value: string): void => {
      const e = errorOf(() => synth(props));
      const p = e.problems.find((x) => x.field === field);
      expect(p).toBeDefined();
      expect(p!.rule).toMatch(rule);
      expect(e.message).toContain(`test/Postgres: ${field}: `);
      expect(e.message).toContain(`(got ${value})`);
    };

    test('fails when 1 instance without allowSingleInstance', () => {
      expectProblem({ instances: 1 }, 'instances', /allowSingleInstance: true \(development only\)/, '1');
    });

    test('fails when a single PgBouncer fronts the cluster without allowSingleInstance', () => {
      expectProblem({ pooler: { replicas: 1 } }, 'pooler.replicas', /single point of failure/, '1');
      expect(() => synth({ instances: 1, allowSingleInstance: true, pooler: { replicas: 1 } })).not.toThrow();
    });

    test('fails when synchronous mode with 2 instances', () => {
      expectProblem({ instances: 2, synchronousMode: true }, 'synchronousMode', /needs at least 3 instances/, 'true');
    });

    test('fails when the image is not pinned', () => {
      expectProblem({ image: 'ghcr.io/zalando/spilo-17:latest' }, 'image', /pinned/, '"ghcr.io/zalando/spilo-17:latest"');
      expectProblem({ pooler: { image: 'pgbouncer' } }, 'pooler.image', /pinned/, '"pgbouncer"');
      expectProblem({ pooler: { exporterImage: 'pgbouncer-exporter:latest' } }, 'pooler.exporterImage', /pinned/, '"pgbouncer-exporter:latest"');
    });

    test('fails when a parameter name is invalid, managed by Patroni, typed, or has a bad value', () => {
      const e = errorOf(() =>
        synth({ parameters: { 'Bad-Name': 1, listen_addresses: '*', max_connections: 500, checkpoint_timeout: 'soon', log_statement: 'x\ny' } }),
      );
      const byField = Object.fromEntries(e.problems.map((p) => [p.field, p.rule]));
      expect(byField['parameters.Bad-Name']).toMatch(/not a PostgreSQL parameter name/);
      expect(byField['parameters.listen_addresses']).toMatch(/managed by Patroni/);
      expect(byField['parameters.max_connections']).toMatch(/set maxConnections instead/);
      expect(byField['parameters.checkpoint_timeout']).toMatch(/a duration/);
      expect(byField['parameters.log_statement']).toMatch(/single line/);
      expect(e.message).toContain('test/Postgres: parameters.checkpoint_timeout: must be a duration such as 15min (got "soon")');
    });

    test('fails when memory settings are malformed or too large for the limit', () => {
      expectProblem({ workMem: '4 megabytes' }, 'workMem', /memory size with a unit/, '"4 megabytes"');
      expectProblem({ resources: Resources.MEDIUM, sharedBuffers: '2GB' }, 'sharedBuffers', /at most half the memory limit \(2Gi\)/, '"2GB"');
    });

    test('fails when pool sizes are out of range or do not fit max_connections', () => {
      expectProblem({ pooler: { replicas: 3, maxDbConnections: 40 } }, 'pooler.maxDbConnections', /must fit in maxConnections \(100\)/, '40');
      expectProblem({ pooler: { defaultPoolSize: 0 } }, 'pooler.defaultPoolSize', /integer from 1/, '0');
      expectProblem(
        { pooler: { maxDbConnections: 10, defaultPoolSize: 20 } },
        'pooler.defaultPoolSize',
        /must not exceed pooler.maxDbConnections \(10\)/,
        '20',
      );
      expectProblem({ pooler: { maxClientConnections: -5 } }, 'pooler.maxClientConnections', /integer from 1/, '-5');
    });

    test('fails when restoreFrom or an archive standby has no backup store', () => {
      expectProblem({ restoreFrom: { sourceCluster: 'old' } }, 'restoreFrom', /needs backup/, '{"sourceCluster":"old"}');
      expectProblem({ standbyOf: StandbySource.archive('prod') }, 'standbyOf', /needs backup/, '"prod"');
    });

    test('fails when backup settings are malformed', () => {
      expectProblem({ backup: { ...BACKUP, baseBackupSchedule: 'daily' } }, 'backup.baseBackupSchedule', /5-field cron/, '"daily"');
      expectProblem({ backup: { ...BACKUP, bucket: 'Bad_Bucket' } }, 'backup.bucket', /S3 bucket name/, '"Bad_Bucket"');
    });

    test('fails when a tenant id could break out of an identifier, and reports all problems at once', () => {
      const { pg } = synth();
      for (const bad of ["acme'; DROP SCHEMA public; --", 'two words', 'Acme', 'public']) {
        expect(() => pg.addTenantSchema(bad)).toThrow(/test\/Postgres: addTenantSchema\.tenantId: /);
      }
      const e = errorOf(() => synth({ instances: 2, synchronousMode: true, image: 'x', maxConnections: 5 }));
      expect(e.problems.map((p) => p.field)).toEqual(expect.arrayContaining(['synchronousMode', 'image', 'maxConnections']));
    });
  });
});

describe('postgres-config renderers', () => {
  test('quoting', () => {
    expect(quoteIdent('a"b')).toBe('"a""b"');
    expect(quoteLiteral("o'brien")).toBe("'o''brien'");
    expect(() => quoteIdent('a\0b')).toThrow(/NUL/);
    const sql = tenantSchemaSql({ database: 'app', schema: 'x"; DROP', appRole: 'app' });
    expect(sql).toContain('CREATE SCHEMA IF NOT EXISTS "x""; DROP"');
  });

  test('memory defaults stay in their bounds', () => {
    expect(pgMemory(1024 ** 3)).toBe('1GB');
    expect(pgMemory(1536 * 1024 ** 2)).toBe('1536MB');
    const tiny = defaultTunedSettings(128 * 1024 ** 2);
    expect(tiny.workMem).toBe('4MB');
    expect(tiny.maintenanceWorkMem).toBe('64MB');
    const huge = defaultTunedSettings(64 * 1024 ** 3);
    expect(huge.workMem).toBe('64MB');
    expect(huge.maintenanceWorkMem).toBe('1GB');
    expect(checkParameters({ 'pg_stat_statements.max': 5000, random_page_cost: 1.1 })).toEqual([]);
  });
});

describe('db-postgres chart', () => {
  const configs = Object.fromEntries(loadEnvironments(['dev', 'staging', 'prod', 'dr']).map((c) => [c.name, c])) as Record<string, EnvironmentConfig>;
  const objectsOf = (config: EnvironmentConfig): any[] => Testing.synth(new DbPostgresChart(new App(), config));

  test.each([
    ['dev', 1, 1, false],
    ['staging', 3, 2, false],
    ['prod', 3, 3, true],
  ])('%s: %d instances, %d poolers, backups %s', (env, instances, poolers, backups) => {
    const objects = objectsOf(configs[env]);
    expect(find(objects, 'StatefulSet').spec.replicas).toBe(instances);
    expect(find(objects, 'Deployment').spec.replicas).toBe(configs[env].postgres.poolerReplicas);
    expect(poolers).toBe(configs[env].postgres.poolerReplicas);
    expect(all(objects, 'CronJob').length > 0).toBe(backups === true || configs[env].features.backups);
    expect(find(objects, 'StatefulSet').spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe(`${configs[env].postgres.storageGi}Gi`);
    for (const ns of ['app-core', 'app-agents', 'app-integration', 'app-batch']) {
      expect(find(objects, 'NetworkPolicy', `postgres-from-${ns}`)).toBeDefined();
    }
  });

  test('dr at rest is a standby of prod archive; after failover it is promoted and archives under dr/', () => {
    const rest = objectsOf(configs.dr);
    const standby = patroniOfNamed(rest).bootstrap.dcs.standby_cluster;
    expect(standby.restore_command).toMatch(/s3:\/\/postgres-backups\/prod\/postgres/);
    expect(find(rest, 'Job', 'postgres-promote')).toBeUndefined();
    const failedOver = objectsOf({ ...configs.dr, dr: { ...configs.dr.dr!, failover: true } });
    expect(patroniOfNamed(failedOver).bootstrap.dcs.standby_cluster).toBeUndefined();
    expect(find(failedOver, 'Job', 'postgres-promote')).toBeDefined();
    const env = find(failedOver, 'StatefulSet').spec.template.spec.containers[0].env;
    expect(env.find((e: any) => e.name === 'WALG_S3_PREFIX').value).toBe('s3://postgres-backups/dr/postgres');
  });
});

function patroniOfNamed(objects: any[]): any {
  return YAML.parse(find(objects, 'ConfigMap', 'postgres-patroni').data['patroni.yml'], { version: '1.1' });
}

// Keep PoolMode referenced: the enum-like class is public API.
test('PoolMode values', () => {
  expect([PoolMode.TRANSACTION, PoolMode.SESSION, PoolMode.STATEMENT].map((m) => m.value)).toEqual(['transaction', 'session', 'statement']);
});

describe('every variant passes the gate (schemas, policy, references)', () => {
  const registry = SchemaRegistry.default();
  const variants: [string, Partial<PostgresHAProps>][] = [
    ['defaults', {}],
    ['single instance', { instances: 1, allowSingleInstance: true, pooler: { replicas: 1 } }],
    [
      'backups, zones, synchronous',
      { backup: BACKUP, spreadAcrossZones: true, synchronousMode: true, metricsScrapers: [{ peerNamespace: 'monitoring', peerSelector: {} }] },
    ],
    ['restore', { backup: BACKUP, restoreFrom: { sourceCluster: 'old' } }],
    ['archive standby', { backup: BACKUP, standbyOf: StandbySource.archive('pg', { prefix: 'prod' }) }],
    ['remote standby', { standbyOf: StandbySource.primary('pg.prod.example.com'), apiServerCidrs: ['10.0.0.1/32'] }],
    ['promoted', { backup: BACKUP, promote: true }],
    ['no metrics', { metrics: false }],
    ['ConfigMaps DCS', { dcs: PatroniDcs.CONFIG_MAPS }],
  ];
  test.each(variants)('%s', (_, props) => {
    // No chart namespace: it would land on the Namespace objects too.
    const chart = new Chart(Testing.app(), 'test', { disableResourceNameHashes: true });
    for (const ns of ['db-postgres', 'storage-minio', 'monitoring', 'app-core']) {
      new PlatformNamespace(chart, `Ns-${ns}`, { name: ns });
    }
    const pg = new PostgresHA(chart, 'Postgres', { clusterName: 'pg', namespace: 'db-postgres', secretStore: STORE, ...props });
    pg.allowFrom({ peerNamespace: 'app-core', peerSelector: {} });
    pg.addTenantSchema('acme');
    const result = runGate(
      Testing.synth(chart).map((obj) => ({ file: 'test.yaml', obj })),
      { registry },
    );
    expect(result.problems.filter((p) => p.severity === 'error').map((p) => `${p.object} ${p.path}: ${p.rule}: ${p.message}`)).toEqual([]);
  });
});
