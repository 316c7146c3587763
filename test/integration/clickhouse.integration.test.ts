import { ChildProcess, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { Chart, Testing } from 'cdk8s';
import { ClickHouseCluster, ReplicatedTableProps } from '../../constructs/clickhouse-cluster';
import { Resources } from '../../constructs/lib/resources';
import { httpGet, stopProcess } from './support';

/**
 * ClickHouseCluster against real servers: Debian's clickhouse-server 18.16 (four processes, 2 shards
 * x 2 replicas) load the construct's generated config.d and users.d files, with ZooKeeper 3.8
 * standing in for ClickHouse Keeper (same client protocol). The schema Job's own script runs the
 * generated DDL twice (idempotence), rows inserted through the Distributed table land on both
 * shards and replicate within each shard through the ReplicatedMergeTree paths built from the macros.
 *
 * What the test changes in the generated files, and why (everything else is loaded as generated):
 * - addresses: pod DNS names become 127.0.0.1, and each process gets its own ports, since four
 *   servers share one loopback interface (`listen_host`, the ports, the replica and Keeper ports);
 * - the cluster `<secret>` is removed: 18.16 predates it (20.10) and refuses the cluster with it;
 * - a minimal main config.xml and the packaged users.xml stand in for the image's own files.
 * 18.16 also predates TTL, DateTime64, BACKUP and the Prometheus endpoint: those parts are checked
 * structurally in the unit tests only (docs/constructs/clickhouse-cluster.md, "What was proven").
 */

const ZK_PORT = 22181;
const SHARDS = 2;
const REPLICAS = 2;
const PASSWORDS = { admin: 'integration-Admin.pw_1', app: 'integration-App.pw_2' };
const CLIENT = '/usr/bin/clickhouse-client';
const SERVER = '/usr/sbin/clickhouse-server';
const ZK_SERVER = '/usr/share/zookeeper/bin/zkServer.sh';

/** Server `n` (shard-major): its ports. */
const ports = (n: number): { http: number; tcp: number; interserver: number } => ({ http: 18123 + n, tcp: 19000 + n, interserver: 19100 + n });

/** The table the test declares: the construct's grammar, with types 18.16 knows. */
const EVENTS: ReplicatedTableProps = {
  name: 'events',
  columns: [
    { name: 'event_id', type: 'UInt64' },
    { name: 'tenant_id', type: 'String' },
    { name: 'occurred_at', type: 'DateTime' },
  ],
  orderBy: ['tenant_id', 'occurred_at'],
  partitionBy: 'toYYYYMM(occurred_at)',
  shardingKey: 'event_id',
};

/** ZooKeeper's four-letter `ruok`: true when it answers `imok`. */
function zkOk(): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(ZK_PORT, '127.0.0.1', () => socket.write('ruok'));
    let data = '';
    socket.setTimeout(1000, () => socket.destroy());
    socket.on('data', (d) => (data += d.toString()));
    socket.on('close', () => resolve(data === 'imok'));
    socket.on('error', () => resolve(false));
  });
}

function cluster(): ClickHouseCluster {
  const ch = new ClickHouseCluster(new Chart(Testing.app(), 'it'), 'Ch', {
    name: 'ch',
    namespace: 'db-clickhouse',
    shards: SHARDS,
    replicas: REPLICAS,
    image: 'clickhouse/clickhouse-server:24.8.14.39',
    keeper: { image: 'clickhouse/clickhouse-keeper:24.8.14.39', replicas: 1 },
    database: 'analytics',
    resources: Resources.MEDIUM,
    secretStore: { name: 'platform-secrets' },
  });
  ch.addReplicatedTable(EVENTS);
  return ch;
}

/** The Kafka engine table and the view of an ingestion into EVENTS (no broker listens on port 1). */
function ingestionStatements(): string[] {
  const ch = cluster();
  ch.addKafkaIngestion({ topic: 'invoice-events', table: 'events', brokers: ['localhost:1'], consumerGroup: 'it-events' });
  return ch.schemaStatements.filter((s) => /_kafka/.test(s.split('\n')[0]));
}

/** The generated files with the substitutions listed above, for server `n`. */
function localFiles(ch: ClickHouseCluster, n: number): Record<string, string> {
  const p = ports(n);
  const out: Record<string, string> = {};
  for (const [name, text] of Object.entries(ch.files.configD)) {
    let t = text
      .replace('<listen_host>0.0.0.0</listen_host>', '<listen_host>127.0.0.1</listen_host>')
      .replace('<http_port>8123</http_port>', `<http_port>${p.http}</http_port>`)
      .replace('<tcp_port>9000</tcp_port>', `<tcp_port>${p.tcp}</tcp_port>`)
      .replace('<interserver_http_port>9009</interserver_http_port>', `<interserver_http_port>${p.interserver}</interserver_http_port>`)
      .replace(/<host>ch-keeper-0\.[^<]+<\/host>\s*<port>9181<\/port>/, `<host>127.0.0.1</host>\n<port>${ZK_PORT}</port>`)
      .replace(/\s*<secret from_env="CLICKHOUSE_CLUSTER_SECRET"\/>/, '');
    for (let s = 0; s < SHARDS; s++) {
      for (let r = 0; r < REPLICAS; r++) {
        const host = new RegExp(`<host>ch-s${s}-${r}\\.[^<]+</host>\\s*<port>9000</port>`);
        t = t.replace(host, `<host>127.0.0.1</host>\n<port>${ports(s * REPLICAS + r).tcp}</port>`);
      }
    }
    out[`config.d/${name}`] = t;
  }
  for (const [name, text] of Object.entries(ch.files.usersD)) {
    out[`users.d/${name}`] = text;
  }
  return out;
}

const MAIN_CONFIG = (dir: string): string => `<?xml version="1.0"?>
<yandex>
  <logger><level>information</level><console>1</console></logger>
  <path>${dir}/data/</path>
  <tmp_path>${dir}/data/tmp/</tmp_path>
  <users_config>users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <mark_cache_size>536870912</mark_cache_size>
</yandex>
`;

/** What clients get: run `query` on server `n` as `user`; stdout, or throws with stderr. */
function query(n: number, sql: string, user = 'admin', password = PASSWORDS.admin, settings: string[] = []): string {
  const r = spawnSync(
    CLIENT,
    ['--host', '127.0.0.1', '--port', String(ports(n).tcp), '--user', user, '--password', password, ...settings, '--query', sql],
    {
      encoding: 'utf8',
      timeout: 60000,
    },
  );
  if (r.status !== 0) {
    throw new Error(r.stderr.trim());
  }
  return r.stdout.trim();
}

async function waitFor(what: string, ok: () => Promise<boolean> | boolean, timeoutMs = 60000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await ok()) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('ClickHouseCluster on clickhouse-server 18.16 with ZooKeeper 3.8', () => {
  let dir: string;
  let zk: ChildProcess | undefined;
  const servers: ChildProcess[] = [];
  const ch = cluster();

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ch-it-'));
    fs.mkdirSync(path.join(dir, 'zk/data'), { recursive: true });
    fs.writeFileSync(
      path.join(dir, 'zk/zoo.cfg'),
      `tickTime=2000\ndataDir=${dir}/zk/data\nclientPort=${ZK_PORT}\nclientPortAddress=127.0.0.1\nadmin.enableServer=false\n4lw.commands.whitelist=ruok\n`,
    );
    zk = spawn(ZK_SERVER, ['start-foreground', path.join(dir, 'zk/zoo.cfg')], {
      env: { ...process.env, ZOO_LOG_DIR: path.join(dir, 'zk') },
      stdio: 'ignore',
    });
    // ZooKeeper first: 18.16 drops the connection on DDL ON CLUSTER when it starts before ZooKeeper
    // answers (seen under CI load), so the servers start only once `ruok` says `imok`.
    await waitFor('zookeeper ruok', () => zkOk());
    for (let s = 0; s < SHARDS; s++) {
      for (let r = 0; r < REPLICAS; r++) {
        const n = s * REPLICAS + r;
        const sdir = path.join(dir, `s${n}`);
        for (const [file, text] of Object.entries({
          ...localFiles(ch, n),
          'config.xml': MAIN_CONFIG(sdir),
          'users.xml': fs.readFileSync('/etc/clickhouse-server/users.xml', 'utf8'),
        })) {
          fs.mkdirSync(path.dirname(path.join(sdir, 'etc', file)), { recursive: true });
          fs.writeFileSync(path.join(sdir, 'etc', file), text);
        }
        // The env a pod of StatefulSet ch-s<s> gets (the Secret's values from the test).
        const env = {
          PATH: process.env.PATH,
          POD_NAME: `ch-s${s}-${r}`,
          CLICKHOUSE_SHARD: String(s + 1),
          CLICKHOUSE_INTERSERVER_HOST: '127.0.0.1',
          CLICKHOUSE_ADMIN_PASSWORD: PASSWORDS.admin,
          CLICKHOUSE_APP_PASSWORD: PASSWORDS.app,
          CLICKHOUSE_INTERSERVER_PASSWORD: 'integration-Interserver.pw_3',
        };
        const log = fs.openSync(path.join(sdir, 'server.log'), 'w');
        servers.push(spawn(SERVER, [`--config-file=${sdir}/etc/config.xml`], { cwd: sdir, env, stdio: ['ignore', log, log] }));
      }
    }
    for (let n = 0; n < SHARDS * REPLICAS; n++) {
      await waitFor(`server ${n} /ping`, async () => (await httpGet(ports(n).http, '/ping', 1000)).body === 'Ok.\n');
    }
  });

  afterAll(async () => {
    await Promise.all(servers.map((p) => stopProcess(p)));
    await stopProcess(zk);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('every server loads the generated files: macros from its pod identity, the cluster with every replica', () => {
    for (let s = 0; s < SHARDS; s++) {
      for (let r = 0; r < REPLICAS; r++) {
        const n = s * REPLICAS + r;
        expect(query(n, 'SELECT macro, substitution FROM system.macros ORDER BY macro FORMAT CSV')).toBe(
          `"cluster","main"\n"replica","ch-s${s}-${r}"\n"shard","${s + 1}"`,
        );
      }
    }
    expect(
      query(0, "SELECT shard_num, replica_num, port FROM system.clusters WHERE cluster = 'main' ORDER BY shard_num, replica_num FORMAT CSV"),
    ).toBe('1,1,19000\n1,2,19001\n2,1,19002\n2,2,19003');
  });

  test('users.d: admin and app log in with the passwords from env, a wrong password is refused, app gets its profile', () => {
    expect(query(1, 'SELECT 1', 'app', PASSWORDS.app)).toBe('1');
    expect(query(2, 'SELECT 1', 'admin', PASSWORDS.admin)).toBe('1');
    // app runs with its own profile (max_execution_time 60), admin with default.
    const setting = "SELECT value FROM system.settings WHERE name = 'max_execution_time'";
    expect([query(1, setting, 'app', PASSWORDS.app), query(1, setting)]).toEqual(['60', '0']);
    expect(() => query(1, 'SELECT 1', 'app', 'wrong')).toThrow(/password is incorrect|Authentication failed|Wrong password/i);
    expect(() => query(1, 'SELECT 1', 'admin', PASSWORDS.app)).toThrow(/password is incorrect|Authentication failed|Wrong password/i);
  });

  test('the schema Job script applies the DDL ON CLUSTER, twice without error (IF NOT EXISTS)', () => {
    const sql = path.join(dir, 'schema.sql');
    fs.writeFileSync(sql, `${ch.schemaStatements.map((s) => `${s};`).join('\n\n')}\n`);
    const files = Testing.synth(ch.node.scope as Chart).find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'ch-schema');
    // The Job's own script, with its client config written to the test's folder instead of the pod's /tmp.
    const script = path.join(dir, 'run.sh');
    fs.writeFileSync(script, (files.data['run.sh'] as string).replace(/\/tmp\/client\.xml/g, `${dir}/client.xml`));
    const env = {
      ...process.env,
      CLICKHOUSE_HOST: '127.0.0.1',
      CLICKHOUSE_PORT: String(ports(0).tcp),
      CLICKHOUSE_USER: 'admin',
      CLICKHOUSE_PASSWORD: PASSWORDS.admin,
    };
    for (let run = 0; run < 2; run++) {
      const r = spawnSync('sh', [script, sql], { env, encoding: 'utf8', timeout: 120000 });
      expect({ run, status: r.status, stderr: r.stderr.trim() }).toEqual({ run, status: 0, stderr: '' });
    }
    for (let n = 0; n < SHARDS * REPLICAS; n++) {
      expect(query(n, "SELECT name, engine FROM system.tables WHERE database = 'analytics' ORDER BY name FORMAT CSV")).toBe(
        '"events","Distributed"\n"events_local","ReplicatedMergeTree"',
      );
    }
  });

  test('the replication paths come from the macros: one path per shard, each replica registered under its pod name', () => {
    for (let s = 1; s <= SHARDS; s++) {
      const replicas = query(
        0,
        `SELECT name FROM system.zookeeper WHERE path = '/clickhouse/tables/main/${s}/analytics/events_local/replicas' ORDER BY name FORMAT CSV`,
      );
      expect(replicas).toBe(`"ch-s${s - 1}-0"\n"ch-s${s - 1}-1"`);
    }
  });

  test('rows inserted through the Distributed table land on both shards and replicate within each', async () => {
    // insert_distributed_sync: the insert returns once every shard has its rows (18.16 has no SYSTEM FLUSH DISTRIBUTED).
    const insert = 'INSERT INTO analytics.events SELECT number, toString(number % 7), toDateTime(1700000000 + number) FROM system.numbers LIMIT 1000';
    query(0, insert, 'app', PASSWORDS.app, ['--insert_distributed_sync=1']);
    const local = (n: number): number => Number(query(n, 'SELECT count() FROM analytics.events_local'));
    // The second replica of each shard fetches the part from the first over interserver HTTP.
    await waitFor('replication within each shard', () => local(0) === local(1) && local(2) === local(3), 30000);
    const counts = [0, 1, 2, 3].map(local);
    expect(counts[0]).toBeGreaterThan(0);
    expect(counts[2]).toBeGreaterThan(0);
    expect(counts[0] + counts[2]).toBe(1000);
    expect(query(3, 'SELECT count() FROM analytics.events', 'app', PASSWORDS.app)).toBe('1000');
  });

  test('the Kafka engine table and the materialized view into the local table are created ON CLUSTER on 18.16', () => {
    const results = ingestionStatements().map((stmt) => {
      try {
        query(0, stmt);
        return 'ok';
      } catch (e) {
        return String((e as Error).message).match(/Code: (\d+)/)?.[1] ?? String(e);
      }
    });
    console.log(`clickhouse integration: Kafka table and view on 18.16: ${results.join(', ')}`);
    // 18.16's Debian build has the Kafka engine: both are created ON CLUSTER, on every server.
    expect(results).toEqual(['ok', 'ok']);
    for (let n = 0; n < SHARDS * REPLICAS; n++) {
      expect(
        query(n, "SELECT name, engine FROM system.tables WHERE database = 'analytics' AND name LIKE 'events_kafka%' ORDER BY name FORMAT CSV"),
      ).toBe('"events_kafka","Kafka"\n"events_kafka_mv","MaterializedView"');
    }
  });
});
