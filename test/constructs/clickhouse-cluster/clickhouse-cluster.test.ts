/* eslint-disable @typescript-eslint/no-explicit-any */
import { DOMParser, Element as XmlElement } from '@xmldom/xmldom';
import { Chart, Testing } from 'cdk8s';
import { ClickHouseCluster, ClickHouseClusterProps, ReplicatedTableProps } from '../../../constructs/clickhouse-cluster';
import { PlatformNamespace } from '../../../constructs/platform-namespace';
import { Resources } from '../../../constructs/lib/resources';
import { runGate } from '../../../gate/gate';
import { SchemaRegistry } from '../../../gate/schema';
import { errorOf } from '../../helpers/errors';
import { alertRules, expectAlerts } from '../../helpers/alerts';

const NS = 'db-clickhouse';
const IMAGE = 'harbor.example.com/clickhouse/clickhouse-server:24.8.14.39';
const KEEPER = 'harbor.example.com/clickhouse/clickhouse-keeper:24.8.14.39';
const MINIO = { peerNamespace: 'storage-minio', peerSelector: {} };
const KAFKA = { peerNamespace: 'app-integration', peerSelector: {} };
const BASE: ClickHouseClusterProps = {
  name: 'ch',
  namespace: NS,
  image: IMAGE,
  keeper: { image: KEEPER },
  database: 'analytics',
  monitoring: { scrapers: [{ peerNamespace: 'monitoring', peerSelector: {} }] },
  secretStore: { name: 'platform-secrets' },
};
const BACKUP = {
  endpoint: 'http://minio.storage-minio.svc:9000',
  bucket: 'clickhouse-backups',
  basePath: 'prod/clickhouse',
  credentialsRemoteKey: 'prod/ch/s3',
  networkPeer: MINIO,
};
const EVENTS: ReplicatedTableProps = {
  name: 'invoice_events',
  columns: [
    { name: 'event_id', type: 'UUID' },
    { name: 'tenant', type: 'LowCardinality(String)' },
    { name: 'occurred_at', type: "DateTime64(3, 'UTC')" },
    { name: 'amount', type: 'Decimal(18, 2)' },
  ],
  orderBy: ['tenant', 'occurred_at', 'event_id'],
  partitionBy: 'toYYYYMM(occurred_at)',
  ttl: 'occurred_at + INTERVAL 90 DAY',
};
const INGEST = {
  topic: 'invoice-events',
  table: 'invoice_events',
  brokers: ['kafka.app-integration.svc.cluster.local:9092'],
  consumerGroup: 'clickhouse-invoice-events',
  networkPeer: KAFKA,
};

function synth(props: Partial<ClickHouseClusterProps> = {}, declare = true): { objects: any[]; ch: ClickHouseCluster; chart: Chart } {
  const chart = new Chart(Testing.app(), 'test', { disableResourceNameHashes: true });
  const ch = new ClickHouseCluster(chart, 'Ch', { ...BASE, ...props });
  ch.allowFrom({ peerNamespace: 'app-core', peerSelector: {} });
  if (declare) {
    ch.addReplicatedTable(EVENTS);
    ch.addKafkaIngestion(INGEST);
  }
  return { objects: Testing.synth(chart), ch, chart };
}
const find = (objects: any[], kind: string, name: string): any => objects.find((o) => o.kind === kind && o.metadata.name === name);
const all = (objects: any[], kind: string): any[] => objects.filter((o) => o.kind === kind);
const matches = (selector: Record<string, string>, labels: Record<string, string>): boolean =>
  Object.entries(selector).every(([k, v]) => labels[k] === v);

/** Parses XML strictly: any warning or error of the parser fails. */
function parseXml(text: string): XmlElement {
  const problems: string[] = [];
  const doc = new DOMParser({ onError: (level: string, msg: string) => problems.push(`${level}: ${msg}`) }).parseFromString(text, 'text/xml');
  expect(problems).toEqual([]);
  return doc.documentElement as unknown as XmlElement;
}
const children = (e: XmlElement, tag?: string): XmlElement[] =>
  Array.from(e.childNodes as any as XmlElement[]).filter((n: any) => n.nodeType === 1 && (tag === undefined || n.tagName === tag));
const child = (e: XmlElement, path: string): XmlElement =>
  path.split('/').reduce((cur, tag) => {
    const next = children(cur, tag)[0];
    if (!next) throw new Error(`no <${tag}> in <${cur.tagName}>`);
    return next;
  }, e);
const text = (e: XmlElement, path: string): string => child(e, path).textContent ?? '';

describe('ClickHouseCluster', () => {
  describe('defaults: 2 shards x 2 replicas, 3 Keeper members', () => {
    const { objects, ch } = synth({ backup: BACKUP });

    test('one StatefulSet per shard with the replicas of that shard, and Keeper', () => {
      const sets = all(objects, 'StatefulSet').map((s) => [s.metadata.name, s.spec.replicas]);
      expect(sets).toEqual([
        ['ch-s0', 2],
        ['ch-s1', 2],
        ['ch-keeper', 3],
      ]);
      expect([ch.shards, ch.replicas, ch.keeperReplicas]).toEqual([2, 2, 3]);
    });

    test('each shard selects only its own pods, and its headless Service governs it', () => {
      const s0 = find(objects, 'StatefulSet', 'ch-s0');
      const s1 = find(objects, 'StatefulSet', 'ch-s1');
      expect(matches(s0.spec.selector.matchLabels, s1.spec.template.metadata.labels)).toBe(false);
      expect(matches(s0.spec.selector.matchLabels, s0.spec.template.metadata.labels)).toBe(true);
      const svc = find(objects, 'Service', 'ch-s0');
      expect(s0.spec.serviceName).toBe('ch-s0');
      expect(svc.spec.clusterIP).toBe('None');
      expect(svc.spec.selector).toEqual(s0.spec.selector.matchLabels);
    });

    test('remote_servers lists every replica of every shard by its stable name, internal_replication on, secret from env', () => {
      const root = parseXml(ch.files.configD['cluster.xml']);
      const cluster = child(root, 'remote_servers/main');
      expect(child(cluster, 'secret').getAttribute('from_env')).toBe('CLICKHOUSE_CLUSTER_SECRET');
      const shards = children(cluster, 'shard');
      expect(shards).toHaveLength(2);
      expect(shards.map((s) => text(s, 'internal_replication'))).toEqual(['true', 'true']);
      expect(shards.map((s) => children(s, 'replica').map((r) => `${text(r, 'host')}:${text(r, 'port')}`))).toEqual([
        ['ch-s0-0.ch-s0.db-clickhouse.svc.cluster.local:9000', 'ch-s0-1.ch-s0.db-clickhouse.svc.cluster.local:9000'],
        ['ch-s1-0.ch-s1.db-clickhouse.svc.cluster.local:9000', 'ch-s1-1.ch-s1.db-clickhouse.svc.cluster.local:9000'],
      ]);
    });

    test('macros: cluster fixed, shard and replica from the pod (shard env per StatefulSet, replica = pod name)', () => {
      const macros = child(parseXml(ch.files.configD['cluster.xml']), 'macros');
      expect(text(macros, 'cluster')).toBe('main');
      expect(child(macros, 'shard').getAttribute('from_env')).toBe('CLICKHOUSE_SHARD');
      expect(child(macros, 'replica').getAttribute('from_env')).toBe('POD_NAME');
      const env = (sts: string): Record<string, any> =>
        Object.fromEntries(find(objects, 'StatefulSet', sts).spec.template.spec.containers[0].env.map((e: any) => [e.name, e.value ?? e.valueFrom]));
      expect([env('ch-s0').CLICKHOUSE_SHARD, env('ch-s1').CLICKHOUSE_SHARD]).toEqual(['1', '2']);
      expect(env('ch-s1').POD_NAME).toEqual({ fieldRef: { fieldPath: 'metadata.name' } });
      expect(env('ch-s1').CLICKHOUSE_INTERSERVER_HOST).toBe('$(POD_NAME).ch-s1.db-clickhouse.svc.cluster.local');
    });

    test('servers find every Keeper member; Keeper lists every member in its Raft configuration', () => {
      const zk = child(parseXml(ch.files.configD['keeper-client.xml']), 'zookeeper');
      expect(children(zk, 'node').map((n) => `${text(n, 'host')}:${text(n, 'port')}`)).toEqual(
        [0, 1, 2].map((i) => `ch-keeper-${i}.ch-keeper.db-clickhouse.svc.cluster.local:9181`),
      );
      const raft = child(parseXml(ch.keeperFiles['keeper.xml']), 'keeper_server/raft_configuration');
      expect(children(raft, 'server').map((s) => [text(s, 'id'), text(s, 'hostname'), text(s, 'port')])).toEqual(
        [0, 1, 2].map((i) => [String(i + 1), `ch-keeper-${i}.ch-keeper.db-clickhouse.svc.cluster.local`, '9234']),
      );
      expect(child(parseXml(ch.keeperFiles['keeper.xml']), 'keeper_server/server_id').getAttribute('from_env')).toBe('KEEPER_SERVER_ID');
      expect(ch.keeperFiles['start.sh']).toContain('KEEPER_SERVER_ID=$((ordinal + 1))');
    });

    test('every generated XML file is well-formed with a <clickhouse> root', () => {
      const files = { ...ch.files.configD, ...ch.files.usersD, 'keeper.xml': ch.keeperFiles['keeper.xml'] };
      expect(Object.keys(files).sort()).toEqual([
        'backup.xml',
        'cluster.xml',
        'keeper-client.xml',
        'keeper.xml',
        'logging.xml',
        'memory.xml',
        'network.xml',
        'prometheus.xml',
        'users.xml',
      ]);
      for (const xml of Object.values(files)) {
        expect(parseXml(xml).tagName).toBe('clickhouse');
      }
    });

    test('log files rotate within the log emptyDir: 2 files x 3 x 100M < 1Gi', () => {
      const logger = child(parseXml(ch.files.configD['logging.xml']), 'logger');
      expect([text(logger, 'size'), text(logger, 'count'), text(logger, 'console')]).toEqual(['100M', '3', '1']);
      const logs = find(objects, 'StatefulSet', 'ch-s0').spec.template.spec.volumes.find((v: any) => v.name === 'logs');
      expect(logs.emptyDir.sizeLimit).toBe('1Gi');
    });

    test('the app login has its own profile and quota: 60 s per query, may insert, no limits by default', () => {
      const users = parseXml(ch.files.usersD['users.xml']);
      expect([text(users, 'users/app/profile'), text(users, 'users/app/quota')]).toEqual(['app', 'app']);
      expect([text(users, 'profiles/app/profile'), text(users, 'profiles/app/max_execution_time'), text(users, 'profiles/app/readonly')]).toEqual([
        'default',
        '60',
        '0',
      ]);
      expect([text(users, 'quotas/app/interval/duration'), text(users, 'quotas/app/interval/queries')]).toEqual(['3600', '0']);
    });

    test('memory limits derive from the container limit (LARGE: 4Gi -> 80% server, 50% per query)', () => {
      expect(text(parseXml(ch.files.configD['memory.xml']), 'max_server_memory_usage')).toBe(String(Math.floor(4 * 1024 * 0.8) * 1024 ** 2));
      expect(text(parseXml(ch.files.usersD['users.xml']), 'profiles/default/max_memory_usage')).toBe(String(2 * 1024 ** 3));
    });

    test('no password in any ConfigMap: users read theirs from env, the Secret comes from the store', () => {
      const users = child(parseXml(ch.files.usersD['users.xml']), 'users');
      expect(child(users, 'admin/password').getAttribute('from_env')).toBe('CLICKHOUSE_ADMIN_PASSWORD');
      expect(child(users, 'app/password').getAttribute('from_env')).toBe('CLICKHOUSE_APP_PASSWORD');
      expect(children(child(users, 'default/networks'), 'ip').map((e) => e.textContent)).toEqual(['::1', '127.0.0.1']);
      for (const cm of all(objects, 'ConfigMap')) {
        for (const [key, value] of Object.entries(cm.data) as [string, string][]) {
          expect(`${key}: ${key.endsWith('.xml') ? value.replace(/<password from_env="[A-Z_]+"\/>/g, '') : ''}`).not.toMatch(/<password/);
        }
      }
      const es = find(objects, 'ExternalSecret', 'ch-credentials');
      expect(es.spec.data.map((d: any) => d.remoteRef)).toEqual(
        ['admin-password', 'app-password', 'cluster-secret', 'interserver-password'].map((property) => ({
          key: 'clickhouse/db-clickhouse/ch',
          property,
        })),
      );
    });

    test('probes on GET /ping (8123); anti-affinity across the replicas of a shard; PDB per shard and a Keeper PDB keeping quorum', () => {
      const s0 = find(objects, 'StatefulSet', 'ch-s0').spec.template.spec;
      const c = s0.containers[0];
      expect([c.readinessProbe.httpGet.path, c.livenessProbe.httpGet.path, c.startupProbe.httpGet.path]).toEqual(['/ping', '/ping', '/ping']);
      expect(c.ports.find((p: any) => p.name === 'http').containerPort).toBe(8123);
      const term = s0.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0];
      expect(term.labelSelector.matchLabels).toEqual(find(objects, 'StatefulSet', 'ch-s0').spec.selector.matchLabels);
      const pdbs = all(objects, 'PodDisruptionBudget').map((p) => [p.metadata.name, p.spec.maxUnavailable]);
      expect(pdbs).toEqual([
        ['ch-s0', 1],
        ['ch-s1', 1],
        ['ch-keeper', 1],
      ]);
    });

    test('ServiceMonitor scrapes the built-in endpoint on 9363 of servers and Keeper', () => {
      const sm = find(objects, 'ServiceMonitor', 'ch');
      expect(sm.spec.endpoints).toEqual([{ port: 'metrics', path: '/metrics', interval: '30s' }]);
      const svc = all(objects, 'Service').find((s) => matches(sm.spec.selector.matchLabels, s.metadata.labels));
      expect(svc.spec.ports).toEqual([{ name: 'metrics', port: 9363, targetPort: 'metrics', protocol: 'TCP' }]);
      for (const sts of ['ch-s0', 'ch-keeper']) {
        expect(matches(svc.spec.selector, find(objects, 'StatefulSet', sts).spec.template.metadata.labels)).toBe(true);
      }
      expect(text(parseXml(ch.files.configD['prometheus.xml']), 'prometheus/port')).toBe('9363');
    });

    test('connection: the client Service, HTTP and native ports, the app secret', () => {
      expect(ch.connection).toEqual({
        host: 'ch.db-clickhouse.svc',
        port: 8123,
        ports: { http: 8123, native: 9000 },
        username: 'app',
        uri: 'http://ch.db-clickhouse.svc:8123',
        secret: {
          name: 'ch-credentials',
          keys: { password: 'app-password' },
          remoteKey: 'clickhouse/db-clickhouse/ch',
          remoteProperty: 'app-password',
        },
      });
      const policy = find(objects, 'NetworkPolicy', 'ch-from-app-core');
      expect(policy.spec.ingress[0].ports.map((p: any) => p.port)).toEqual([8123, 9000]);
    });

    test("the backup CronJob asks the cluster for BACKUP ... ON CLUSTER ... TO S3, with credentials only in the servers' env", () => {
      const cron = find(objects, 'CronJob', 'ch-backup');
      expect(cron.spec.schedule).toBe('15 2 * * *');
      expect(cron.metadata.annotations['receivables.io/retention-days']).toBe('30');
      expect(ch.backupStatement('X')).toBe(
        "BACKUP DATABASE `analytics` ON CLUSTER `main` TO S3('http://minio.storage-minio.svc:9000/clickhouse-backups/prod/clickhouse/X/')",
      );
      const s3 = child(parseXml(ch.files.configD['backup.xml']), 's3/backup');
      expect(text(s3, 'endpoint')).toBe('http://minio.storage-minio.svc:9000/clickhouse-backups/');
      expect(child(s3, 'access_key_id').getAttribute('from_env')).toBe('CLICKHOUSE_BACKUP_S3_ACCESS_KEY_ID');
      expect(find(objects, 'NetworkPolicy', 'ch-backup-s3-egress').spec.egress[0].ports).toEqual([{ protocol: 'TCP', port: 9000 }]);
    });

    test('the servers may reach the Kafka brokers', () => {
      const egress = find(objects, 'NetworkPolicy', 'ch-kafka-egress-1').spec.egress[0];
      expect(egress.ports).toEqual([{ protocol: 'TCP', port: 9092 }]);
      expect(egress.to[0].namespaceSelector.matchLabels).toEqual({ 'kubernetes.io/metadata.name': 'app-integration' });
    });
  });

  test('dev: 1 shard x 1 replica and 1 Keeper member, no PDB, warnings', () => {
    const { objects, ch } = synth({ shards: 1, replicas: 1, keeper: { image: KEEPER, replicas: 1 }, resources: Resources.MEDIUM });
    expect(all(objects, 'StatefulSet').map((s) => [s.metadata.name, s.spec.replicas])).toEqual([
      ['ch-s0', 1],
      ['ch-keeper', 1],
    ]);
    expect(all(objects, 'PodDisruptionBudget')).toEqual([]);
    expect(ch.warnings).toHaveLength(2);
  });

  test('appUser: read-only with a quota', () => {
    const { ch } = synth({ appUser: { readonly: true, maxExecutionTimeSeconds: 30, queriesPerHour: 5000, errorsPerHour: 100 } }, false);
    const users = parseXml(ch.files.usersD['users.xml']);
    expect([text(users, 'profiles/app/readonly'), text(users, 'profiles/app/max_execution_time')]).toEqual(['2', '30']);
    expect([text(users, 'quotas/app/interval/queries'), text(users, 'quotas/app/interval/errors')]).toEqual(['5000', '100']);
  });

  test('zones: with zoneSpread and a zone count the spread is strict; without a count it is best effort', () => {
    const constraint = (props: Partial<ClickHouseClusterProps>, sts: string): any =>
      find(synth(props, false).objects, 'StatefulSet', sts).spec.template.spec.topologySpreadConstraints[0];
    expect(constraint({ zoneSpread: true, zones: 3 }, 'ch-s1').whenUnsatisfiable).toBe('DoNotSchedule');
    expect(constraint({ zoneSpread: true, zones: 3 }, 'ch-keeper').whenUnsatisfiable).toBe('DoNotSchedule');
    expect(constraint({ zoneSpread: true }, 'ch-s1').whenUnsatisfiable).toBe('ScheduleAnyway');
  });

  test('zones: replicas or Keeper members outnumbering the zones under a required zone spread fail', () => {
    const make = (props: Partial<ClickHouseClusterProps>): string[] =>
      errorOf(() => new ClickHouseCluster(new Chart(Testing.app(), 't'), 'Ch', { ...BASE, ...props })).problems.map((p) => `${p.field}=${p.value}`);
    expect(make({ zoneSpread: true, zones: 2, replicas: 3 })).toEqual(['replicas=3', 'keeper.replicas=3']);
    expect(make({ zones: 0 })).toEqual(['zones=0']);
    // Without zoneSpread the zone count constrains nothing.
    expect(() => new ClickHouseCluster(new Chart(Testing.app(), 't'), 'Ch', { ...BASE, zones: 2, replicas: 3 })).not.toThrow();
  });

  describe('bad props fail with every problem at once', () => {
    test('an even Keeper count, a bad shard count, a bad cluster name, an unpinned keeper image', () => {
      const err = errorOf(
        () =>
          new ClickHouseCluster(new Chart(Testing.app(), 't'), 'Ch', {
            ...BASE,
            shards: 0,
            clusterName: 'my-cluster',
            keeper: { image: 'keeper:latest', replicas: 2 },
          }),
      );
      expect(err.problems.map((p) => p.field)).toEqual(['shards', 'clusterName', 'keeper.replicas', 'keeper.image']);
      expect(err.message).toContain('t/Ch: keeper.replicas: must be odd (1 for development, 3 or 5)');
      expect(err.message).toContain('(got 2)');
    });

    test('memory below 1Gi, ratios out of range, an exporter image, a bad backup', () => {
      const err = errorOf(
        () =>
          new ClickHouseCluster(new Chart(Testing.app(), 't'), 'Ch', {
            ...BASE,
            resources: Resources.MICRO,
            memoryRatio: 0.95,
            queryMemoryRatio: 0,
            monitoring: { exporterImage: 'x:1' },
            backup: { ...BACKUP, endpoint: 'minio:9000', bucket: 'B', schedule: 'daily', retentionDays: 0 },
            appUser: { maxExecutionTimeSeconds: -1, queriesPerHour: 1.5 },
          }),
      );
      expect(err.problems.map((p) => p.field)).toEqual([
        'monitoring.exporterImage',
        'memoryRatio',
        'queryMemoryRatio',
        'resources',
        'backup.endpoint',
        'backup.bucket',
        'backup.schedule',
        'backup.retentionDays',
        'appUser.maxExecutionTimeSeconds',
        'appUser.queriesPerHour',
      ]);
    });
  });

  test.each<[string, Partial<ClickHouseClusterProps>]>([
    ['defaults with backups', { backup: BACKUP }],
    ['dev scale without monitoring', { shards: 1, replicas: 1, keeper: { image: KEEPER, replicas: 1 }, monitoring: { enabled: false } }],
    ['3 shards x 3 replicas, 5 Keeper members, zone spread', { shards: 3, replicas: 3, keeper: { image: KEEPER, replicas: 5 }, zoneSpread: true }],
  ])('passes the gate: %s', (_name, props) => {
    const chart = new Chart(Testing.app(), 'test', { disableResourceNameHashes: true });
    for (const ns of [NS, 'app-core', 'monitoring', 'storage-minio', 'app-integration']) {
      new PlatformNamespace(chart, `Ns-${ns}`, { name: ns });
    }
    const ch = new ClickHouseCluster(chart, 'Ch', { ...BASE, ...props });
    ch.allowFrom({ peerNamespace: 'app-core', peerSelector: {} });
    ch.addReplicatedTable(EVENTS);
    ch.addKafkaIngestion(INGEST);
    const result = runGate(
      Testing.synth(chart).map((obj) => ({ file: 'test.yaml', obj })),
      { registry: SchemaRegistry.default() },
    );
    const errors = result.problems.filter((p) => p.severity === 'error').map((p) => `${p.object} ${p.path}: ${p.rule}: ${p.message}`);
    // The MinIO side of the backup URL lives in storage-minio's chart, not here.
    expect(errors.filter((e) => !e.includes('net.in-cluster-url') || !e.includes('storage-minio'))).toEqual([]);
  });
});

describe('ClickHouseCluster alerts', () => {
  test('a PrometheusRule with replica delay and read-only replicas; backup alerts with backup', () => {
    const { objects } = synth({ backup: BACKUP });
    expectAlerts(objects, 'ch', NS, [
      'ClickHouseReplicaDelayHigh',
      'ClickHouseReadonlyReplica',
      'MetricsTargetDown',
      'BackupJobFailed',
      'BackupNotRecent',
    ]);
    expect(alertRules(synth().objects, 'ch').map((r) => r.alert)).not.toContain('BackupNotRecent');
  });
});
