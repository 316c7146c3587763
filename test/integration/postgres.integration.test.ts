/**
 * PostgresHA's rendered configuration against the real servers from Debian packages: Patroni 3.0.2
 * validates patroni.yml, PostgreSQL 15 runs with the rendered parameters, PgBouncer 1.18 runs the
 * rendered pgbouncer.ini in front of it, the admin SQL runs twice, the pooler exporter's login
 * works on PgBouncer's admin console, and postgres_exporter 0.11 scrapes with its rendered settings.
 *
 * Everything is taken from the synthesized manifests (the ConfigMaps the pods mount), not
 * re-rendered, so this tests what the cluster gets. Test-only substitutions (paths, loopback
 * addresses, ports) are listed where they happen, each with its reason.
 *
 * PostgreSQL and PgBouncer refuse to run as root, and CI runs as root: servers run as the
 * `postgres` OS user the Debian package creates, in a temp dir it owns.
 */
/* eslint-disable @typescript-eslint/no-explicit-any */
import { ChildProcess, execFileSync, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Chart, Testing } from 'cdk8s';
import * as YAML from 'yaml';
import { PGDATA, ROLES, tenantSchemaSql } from '../../constructs/postgres-ha/config';
import { Resources } from '../../constructs/lib/resources';
import { PatroniDcs, PostgresHA, PostgresHAProps, StandbySource } from '../../constructs/postgres-ha';
import { httpGet, httpRequest, makeCertificates, stopProcess, TestCertificates } from './support';

const PG_MAJOR = 15; // Debian 12's postgresql package
const PG_BIN = `/usr/lib/postgresql/${PG_MAJOR}/bin`;
// Fixed ports stay below Linux's ephemeral range (32768-60999): a listener there can find its port
// taken by any outgoing connection on the machine (Patroni's REST API on 58008 once did).
const PG_PORT = 25432;
const BOUNCER_PORT = 24432;
const PASSWORDS = { superuser: 'su-secret', monitor: 'mon-secret', pooler: 'pool-secret', app: "app-'secret" };
const IS_ROOT = process.getuid?.() === 0;

/** Runs a command as the `postgres` OS user (directly when we are not root). */
function asPostgres(cmd: string, args: string[]): [string, string[]] {
  return IS_ROOT ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args];
}

function run(
  cmd: string,
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; input?: string } = {},
): { status: number; stdout: string; stderr: string } {
  const [c, a] = asPostgres(cmd, args);
  const r = spawnSync(c, a, { encoding: 'utf8', env: { ...process.env, ...opts.env }, input: opts.input, timeout: 60000 });
  return { status: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

const BACKUP = {
  endpoint: 'http://minio.storage-minio.svc:9000',
  bucket: 'postgres-backups',
  prefix: 'prod',
  credentialsRemoteKey: 'prod/db-postgres/backup-s3',
};

/** Test-only substitution: a file of the secret's mount /tls becomes the same file of `certs`. */
function testCertificatePath(certs: TestCertificates, p: string): string {
  return ({ '/tls/ca.crt': certs.ca, '/tls/tls.crt': certs.cert, '/tls/tls.key': certs.key } as Record<string, string>)[p] ?? p;
}

/** Test-only substitution in a rendered patroni.yml: the secret's /tls files become `certs`' files. */
function withTestCertificates(config: any, certs: TestCertificates): Record<string, string> {
  const map = (p: string): string => testCertificatePath(certs, p);
  const params = config.postgresql.parameters;
  for (const k of ['ssl_cert_file', 'ssl_key_file', 'ssl_ca_file']) {
    params[k] = map(params[k]);
  }
  for (const role of ['replication', 'rewind']) {
    const a = config.postgresql.authentication[role];
    if (a.sslrootcert) {
      a.sslrootcert = map(a.sslrootcert);
    }
  }
  const ssl: Record<string, string> = {};
  for (const k of ['ssl', 'ssl_cert_file', 'ssl_key_file', 'ssl_ca_file', 'ssl_min_protocol_version']) {
    ssl[k] = params[k];
  }
  return ssl;
}

/** An address of this machine that is not loopback: connections from it match the remote pg_hba lines. */
function externalAddress(): string {
  const all = Object.values(os.networkInterfaces()).flat();
  const ip = all.find((i) => i && i.family === 'IPv4' && !i.internal);
  if (!ip) {
    throw new Error('no non-loopback IPv4 address: the TLS test needs one to reach the remote pg_hba lines');
  }
  return ip.address;
}

/** The manifests of a chart with one PostgresHA, the way the prod chart configures it. */
function synthesize(): { objects: any[]; cluster: PostgresHA } {
  const app = Testing.app();
  const chart = new Chart(app, 'test', { namespace: 'db-postgres', disableResourceNameHashes: true });
  const cluster = new PostgresHA(chart, 'Postgres', {
    name: 'postgres',
    replicas: 3,
    synchronousMode: true,
    resources: Resources.MEDIUM,
    secretStore: { name: 'platform-secrets' },
    pooler: { replicas: 2 },
    backup: BACKUP,
    parameters: { statement_timeout: '30s', random_page_cost: 1.1, 'pg_stat_statements.max': 5000 },
  });
  cluster.addTenantSchema('acme');
  return { objects: Testing.synth(chart), cluster };
}

function configMap(objects: any[], name: string): Record<string, string> {
  const cm = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === name);
  if (!cm) {
    throw new Error(`no ConfigMap ${name}`);
  }
  return cm.data;
}

/** SHOW output for a parameter, from the running server. */
function show(name: string): string {
  const r = psql(['-At', '-c', `SHOW "${name}"`], PG_PORT, 'postgres');
  expect(r.stderr).toBe('');
  return r.stdout.replace(/\n$/, '');
}

let sockDir = '';
/** psql over the unix socket of the test server, as `user`, in database `db`. */
function psql(
  args: string[],
  port: number,
  user: string,
  opts: { db?: string; input?: string } = {},
): { status: number; stdout: string; stderr: string } {
  return run(`${PG_BIN}/psql`, ['--no-psqlrc', '-h', sockDir, '-p', String(port), '-U', user, '-d', opts.db ?? 'postgres', ...args], {
    input: opts.input,
  });
}

/** psql over TCP to 127.0.0.1:`port` with a password, the way pods connect. */
function psqlTcp(port: number, user: string, db: string, sql: string, env: NodeJS.ProcessEnv): { status: number; stdout: string; stderr: string } {
  return run(`${PG_BIN}/psql`, ['--no-psqlrc', '-At', '-h', '127.0.0.1', '-p', String(port), '-U', user, '-d', db, '-c', sql], {
    env: { PGCONNECT_TIMEOUT: '5', ...env },
  });
}

/** A container of the synthesized manifests: `name` in the pod template of workload `kind`/`workload` (CronJobs too). */
function containerOf(objects: any[], kind: string, workload: string, name: string): any {
  const w = objects.find((o) => o.kind === kind && o.metadata.name === workload);
  const template = kind === 'CronJob' ? w?.spec.jobTemplate.spec.template : w?.spec.template;
  const c = template?.spec.containers.find((x: any) => x.name === name);
  if (!c) {
    throw new Error(`no container ${name} in ${kind}/${workload}`);
  }
  return c;
}

/** What the ExternalSecrets put into the Secrets, by key, for this test. */
const SECRET_VALUES: Record<string, string> = {
  'superuser-password': PASSWORDS.superuser,
  'replication-password': 'repl-secret',
  'backup-password': 'backup-secret',
  'monitor-password': PASSWORDS.monitor,
  'pooler-password': PASSWORDS.pooler,
  'app-password': PASSWORDS.app,
  'access-key-id': 'minio-key',
  'secret-access-key': 'minio-secret',
  'libsodium-key': '6c6962736f6469756d2d6b65792d666f722d7468652d696e746567726174696f6e',
};

/**
 * Runs a container's command the way the kubelet would, as the postgres OS user: env from values
 * and Secrets (SECRET_VALUES), `$(VAR)` in command and args expanded (`$$` escapes), no shell.
 * `overrides` are the caller's test-only substitutions (hosts, ports, PATH, paths).
 */
function runAsContainer(c: any, overrides: Record<string, string>): { status: number; stdout: string; stderr: string; env: Record<string, string> } {
  const env: Record<string, string> = {};
  for (const e of c.env ?? []) {
    const key = e.valueFrom?.secretKeyRef?.key;
    if (e.value === undefined && !(key in SECRET_VALUES)) {
      throw new Error(`env ${e.name}: no test value for ${JSON.stringify(e.valueFrom)}`);
    }
    env[e.name] = e.value ?? SECRET_VALUES[key];
  }
  const rendered = { ...env };
  Object.assign(env, overrides);
  const expand = (s: string): string =>
    s.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (m, name) => (m === '$$' ? '$' : name in env ? env[name] : m));
  const argv = [...(c.command ?? []), ...(c.args ?? [])].map(expand);
  const [cmd, args] = asPostgres('/usr/bin/env', [...Object.entries(env).map(([k, v]) => `${k}=${v}`), ...argv]);
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 60000 });
  return { status: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '', env: rendered };
}

/** GET on loopback once it answers at all (a just-started exporter may not listen yet). */
async function httpGetWhenUp(port: number, urlPath: string, seconds = 15): Promise<{ status: number; body: string }> {
  for (let i = 0; i < seconds * 5; i++) {
    const r = await httpGet(port, urlPath);
    if (r.status !== 0) {
      return r;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`GET :${port}${urlPath}: nothing answered in ${seconds} s`);
}

/** Runs `fn` with a process started from `cmd args env`, and always stops it afterwards. */
async function withProcess<T>(cmd: string, args: string[], env: NodeJS.ProcessEnv, fn: (log: () => string) => Promise<T>): Promise<T> {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH, ...env } });
  const out: string[] = [];
  child.stdout?.on('data', (d) => out.push(String(d)));
  child.stderr?.on('data', (d) => out.push(String(d)));
  try {
    return await fn(() => out.join(''));
  } finally {
    await stopProcess(child);
  }
}

/** Starts named processes as the postgres user, keeping each one and its output in the maps. */
function starter(
  procs: Map<string, ChildProcess>,
  logs: Map<string, string[]>,
): (name: string, cmd: string, args: string[], env?: NodeJS.ProcessEnv) => void {
  return (name, cmd, args, env = {}) => {
    const [c, a] = asPostgres(cmd, args);
    const p = spawn(c, a, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    const log: string[] = [];
    p.stdout?.on('data', (d) => log.push(String(d)));
    p.stderr?.on('data', (d) => log.push(String(d)));
    procs.set(name, p);
    logs.set(name, log);
  };
}

/** postgresql.conf lines, values quoted. */
function pgConf(settings: Record<string, string | number>): string {
  return Object.entries(settings)
    .map(([k, v]) => `${k} = '${String(v).replace(/'/g, "''")}'`)
    .join('\n');
}

/** A single-member etcd on loopback: clients on `port`, peers on `port + 10`. */
function etcdArgs(name: string, dataDir: string, port: number): string[] {
  const peer = `http://127.0.0.1:${port + 10}`;
  return [
    `--name=${name}`,
    `--data-dir=${dataDir}`,
    `--listen-client-urls=http://127.0.0.1:${port}`,
    `--advertise-client-urls=http://127.0.0.1:${port}`,
    `--listen-peer-urls=${peer}`,
    `--initial-advertise-peer-urls=${peer}`,
    `--initial-cluster=${name}=${peer}`,
  ];
}

/** The value of a metric line `name{...} value` (or `name value`) in Prometheus text output. */
function metricValue(body: string, name: string): number | undefined {
  const line = body.split('\n').find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('PostgresHA against real servers (PostgreSQL 15, PgBouncer 1.18, Patroni 3.0.2)', () => {
  let root = '';
  let dataDir = '';
  let bouncer: ChildProcess | undefined;
  let objects: any[] = [];
  const started: string[] = [];
  let certs = { ca: '', cert: '', key: '' };
  let external = '';
  /** Test-only substitution: the secret's mount /tls becomes this test's certificate files. */
  const tlsPath = (p: string): string => testCertificatePath(certs, p);

  beforeAll(() => {
    for (const bin of ['/usr/bin/patroni', '/usr/sbin/pgbouncer', `${PG_BIN}/postgres`, '/usr/bin/prometheus-postgres-exporter']) {
      if (!fs.existsSync(bin)) {
        throw new Error(`${bin} is missing: run the integration tests with npm run test:integration (it installs the Debian packages)`);
      }
    }
    objects = synthesize().objects;
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'pg-ha-it-'));
    fs.chmodSync(root, 0o755);
    sockDir = path.join(root, 'run');
    dataDir = path.join(root, 'data');
    fs.mkdirSync(sockDir);
    if (IS_ROOT) {
      execFileSync('chown', ['-R', 'postgres:postgres', root]);
    }
    external = externalAddress();
    certs = makeCertificates(path.join(root, 'tls'), IS_ROOT ? 'postgres' : undefined, [
      'postgres.db-postgres.svc',
      'localhost',
      '127.0.0.1',
      external,
    ]);
  });

  afterAll(async () => {
    // Stop everything we started, even when a test failed half-way.
    await stopProcess(bouncer); // runuser passes SIGTERM on to pgbouncer
    if (started.includes('postgres')) {
      run(`${PG_BIN}/pg_ctl`, ['-D', dataDir, '-m', 'immediate', '-w', 'stop']);
    }
    if (root) {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  /**
   * Writes a cluster's rendered patroni.yml with the test-only substitutions and returns the file
   * and the environment the pod would give Patroni.
   */
  function patroniFile(rendered: any[], name: string): { file: string; env: Record<string, string>; config: any } {
    const config = YAML.parse(configMap(rendered, `${name}-patroni`)['patroni.yml'], { version: '1.1' });
    // Test-only: the image's data directory does not exist here (bin_dir is PostgreSQL 15's already, the default).
    config.postgresql.bin_dir = PG_BIN;
    config.postgresql.data_dir = path.join(root, `${name}-data`);
    const file = path.join(root, `${name}-patroni.yml`);
    fs.writeFileSync(file, YAML.stringify(config, { version: '1.1' }));
    // The pod's environment (see the StatefulSet), with concrete downward-API values.
    const statefulSet = rendered.find((o) => o.kind === 'StatefulSet');
    const podEnv: { name: string; value?: string }[] = statefulSet.spec.template.spec.containers[0].env;
    // Patroni rejects loopback connect addresses (other members could not reach them): a pod-like address.
    const concrete: Record<string, string> = { POD_NAME: `${name}-0`, POD_NAMESPACE: 'db-postgres', POD_IP: '10.42.0.17' };
    const env: Record<string, string> = {};
    for (const e of podEnv.filter((v) => v.name.startsWith('PATRONI_') && v.value !== undefined)) {
      env[e.name] = e.value!.replace(/\$\((\w+)\)/g, (_, v: string) => concrete[v]);
    }
    // Secrets in the pod come from secretKeyRef; any value does for validation.
    Object.assign(env, {
      PATRONI_SUPERUSER_PASSWORD: 'x',
      PATRONI_REPLICATION_PASSWORD: 'x',
      PATRONI_REWIND_PASSWORD: 'x',
      PATRONI_RESTAPI_PASSWORD: 'x',
    });
    return { file, env, config };
  }

  function validate(file: string, env: Record<string, string>): { status: number | null; output: string } {
    const r = spawnSync('patroni', ['--validate-config', file], { encoding: 'utf8', env: { ...process.env, ...env } });
    return { status: r.status, output: `${r.stdout}${r.stderr}` };
  }

  test('patroni --validate-config accepts the rendered patroni.yml', () => {
    const { file, env, config } = patroniFile(objects, 'postgres');
    expect(env.PATRONI_NAME).toBe('postgres-0');
    expect(env.PATRONI_POSTGRESQL_CONNECT_ADDRESS).toBe('10.42.0.17:5432');
    expect(validate(file, env)).toEqual({ status: 0, output: '' });

    // Control: the validator does reject a broken config, so the pass above means something.
    fs.writeFileSync(file, YAML.stringify({ ...config, restapi: { listen: 'not-an-address' } }, { version: '1.1' }));
    const bad = validate(file, env);
    expect(bad.status).not.toBe(0);
    expect(bad.output).toMatch(/restapi\.listen/);
  });

  test('Patroni (PyYAML, YAML 1.1) reads the rendered file exactly as meant: on/off stay strings', () => {
    const text = configMap(objects, 'postgres-patroni')['patroni.yml'];
    const file = path.join(root, 'pyyaml.yml');
    fs.writeFileSync(file, text);
    const py = spawnSync('python3', ['-c', 'import json,sys,yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))', file], { encoding: 'utf8' });
    expect(py.stderr).toBe('');
    const parsed = JSON.parse(py.stdout);
    expect(parsed).toEqual(YAML.parse(text, { version: '1.1' }));
    expect(parsed.bootstrap.dcs.postgresql.parameters.wal_log_hints).toBe('on');
    expect(parsed.watchdog.mode).toBe('off');
  });

  test.each([
    ['a single dev instance', { replicas: 1, allowSingleInstance: true, pooler: { replicas: 1 } }],
    [
      'a standby of an archive',
      {
        backup: BACKUP,
        standbyOf: StandbySource.archive({
          endpoint: 'https://minio.prod.example.com',
          bucket: 'postgres-backups',
          prefix: 'prod',
          cluster: 'postgres',
          credentialsRemoteKey: 'prod/ro',
        }),
      },
    ],
    [
      'a streaming standby with an archive fallback',
      {
        backup: BACKUP,
        standbyOf: StandbySource.primary('pg.prod.example.com', 5432, {
          archive: {
            endpoint: 'https://minio.prod.example.com',
            bucket: 'postgres-backups',
            prefix: 'prod',
            cluster: 'postgres',
            credentialsRemoteKey: 'prod/ro',
          },
        }),
      },
    ],
    ['a standby of a remote primary', { standbyOf: StandbySource.primary('pg.prod.example.com', 5432) }],
    ['a point-in-time restore', { backup: BACKUP, restoreFrom: { sourceCluster: 'old', targetTime: '2026-11-26 08:00:00+00' } }],
    ['the ConfigMaps DCS', { dcs: PatroniDcs.CONFIG_MAPS }],
  ] as [string, Partial<PostgresHAProps>][])('patroni --validate-config accepts %s', (_, props) => {
    const chart = new Chart(Testing.app(), 'variant', { namespace: 'db-postgres', disableResourceNameHashes: true });
    new PostgresHA(chart, 'Variant', { name: 'variant', secretStore: { name: 'platform-secrets' }, ...props });
    const { file, env } = patroniFile(Testing.synth(chart), 'variant');
    expect(validate(file, env)).toEqual({ status: 0, output: '' });
  });

  test('restore and standby commands reach WAL-G with the source prefix and the right arguments (shell quoting)', () => {
    const chart = new Chart(Testing.app(), 'restore', { namespace: 'db-postgres', disableResourceNameHashes: true });
    new PostgresHA(chart, 'Restore', {
      name: 'restored',
      secretStore: { name: 'platform-secrets' },
      backup: { ...BACKUP, bucket: 'postgres-backups' },
      restoreFrom: { sourceCluster: 'old', sourcePrefix: "weird prefix's", targetTime: '2026-11-26 08:00:00+00' },
    });
    const config = YAML.parse(configMap(Testing.synth(chart), 'restored-patroni')['patroni.yml'], { version: '1.1' });
    // Test-only: a fake wal-g first in PATH records its arguments and WALG_S3_PREFIX.
    const bin = path.join(root, 'fakebin');
    const record = path.join(root, 'walg-calls.txt');
    fs.mkdirSync(bin, { recursive: true });
    fs.writeFileSync(path.join(bin, 'wal-g'), `#!/bin/sh\nprintf '%s|%s\\n' "$WALG_S3_PREFIX" "$*" >> ${record}\n`, { mode: 0o755 });
    const env = { ...process.env, PATH: `${bin}:${process.env.PATH}` };
    // Patroni runs the bootstrap command split like a shell (shlex) and appends --scope/--datadir.
    const py = spawnSync(
      'python3',
      [
        '-c',
        'import shlex,subprocess,sys; sys.exit(subprocess.call(shlex.split(sys.argv[1]) + ["--scope=restored", "--datadir=/x"]))',
        config.bootstrap.walg_restore.command,
      ],
      { encoding: 'utf8', env },
    );
    expect(py.stderr).toBe('');
    expect(py.status).toBe(0);
    // PostgreSQL runs restore_command through /bin/sh after replacing %f and %p.
    const restore = config.bootstrap.walg_restore.recovery_conf.restore_command
      .replace('%f', '000000010000000000000001')
      .replace('%p', 'pg_wal/RECOVERYXLOG');
    expect(spawnSync('sh', ['-c', restore], { encoding: 'utf8', env }).status).toBe(0);
    expect(fs.readFileSync(record, 'utf8').trim().split('\n')).toEqual([
      "s3://postgres-backups/weird prefix's/old|backup-fetch /home/postgres/pgdata/pgroot/data LATEST",
      "s3://postgres-backups/weird prefix's/old|wal-fetch 000000010000000000000001 pg_wal/RECOVERYXLOG",
    ]);
  });

  test('postgres starts with the rendered parameters and SHOW returns them', () => {
    const config = YAML.parse(configMap(objects, 'postgres-patroni')['patroni.yml'], { version: '1.1' });
    const params: Record<string, string | number | boolean> = {
      ...config.bootstrap.dcs.postgresql.parameters,
      ...config.postgresql.parameters,
    };
    // PyYAML (Patroni) and this parser agree: on/off stayed strings.
    expect(params.wal_log_hints).toBe('on');
    // Test-only substitutions: the socket directory of this temp dir instead of the pod's
    // /run/postgresql, and no archiving (wal-g and the bucket are not here).
    params.unix_socket_directories = sockDir;
    params.archive_command = '/bin/true';
    for (const k of ['ssl_cert_file', 'ssl_key_file', 'ssl_ca_file']) {
      expect(params[k]).toMatch(/^\/tls\//);
      params[k] = tlsPath(String(params[k]));
    }
    const init = run(`${PG_BIN}/initdb`, [
      '-D',
      dataDir,
      '--auth-local=trust',
      '--auth-host=scram-sha-256',
      '-E',
      'UTF8',
      '--locale=C.UTF-8',
      '--data-checksums',
    ]);
    expect(init.status).toBe(0);
    const conf = Object.entries(params)
      .map(([k, v]) => `${k} = '${String(v).replace(/'/g, "''")}'`)
      .join('\n');
    fs.appendFileSync(
      path.join(dataDir, 'postgresql.conf'),
      `\n# rendered by PostgresHA\nport = ${PG_PORT}\nlisten_addresses = '127.0.0.1,${external}'\n${conf}\n`,
    );
    // Patroni writes pg_hba from the rendered lines; do the same.
    fs.writeFileSync(path.join(dataDir, 'pg_hba.conf'), `${config.postgresql.pg_hba.join('\n')}\n`);
    const start = run(`${PG_BIN}/pg_ctl`, ['-D', dataDir, '-l', path.join(root, 'postgres.log'), '-w', '-t', '60', 'start']);
    if (start.status !== 0) {
      throw new Error(`postgres did not start:\n${start.stdout}\n${start.stderr}\n${fs.readFileSync(path.join(root, 'postgres.log'), 'utf8')}`);
    }
    started.push('postgres');
    for (const [name, value] of Object.entries(params)) {
      if (name === 'unix_socket_directories' || name === 'archive_command') {
        continue;
      }
      expect({ name, value: show(name) }).toEqual({ name, value: String(value) });
    }
    expect(show('synchronous_commit')).toBe('on');
    expect(show('shared_preload_libraries')).toBe('pg_stat_statements');
    // No parameter in the file was unknown or rejected.
    expect(fs.readFileSync(path.join(root, 'postgres.log'), 'utf8')).not.toMatch(/unrecognized configuration parameter|invalid value/);
  });

  test('the bootstrap SQL (roles, database, pooler lookup) runs twice without error', () => {
    const sql = configMap(objects, 'postgres-sql');
    const file = path.join(root, 'bootstrap.sql');
    fs.writeFileSync(file, sql['bootstrap.sql']);
    fs.chmodSync(file, 0o644);
    const vars = ['-v', `monitor_password=${PASSWORDS.monitor}`, '-v', `pooler_password=${PASSWORDS.pooler}`, '-v', `app_password=${PASSWORDS.app}`];
    vars.push('-v', `backup_password=${SECRET_VALUES['backup-password']}`);
    for (let i = 0; i < 2; i++) {
      const r = psql([...vars, '-f', file], PG_PORT, 'postgres');
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
    }
    expect(psql(['-At', '-c', "SELECT datname FROM pg_database WHERE datname = 'app'"], PG_PORT, 'postgres').stdout.trim()).toBe('app');
    expect(psql(['-At', '-c', "SELECT pg_has_role('monitor', 'pg_monitor', 'member')"], PG_PORT, 'postgres').stdout.trim()).toBe('t');
  });

  test('the rendered pgbouncer.ini runs in front of postgres and a client query through it succeeds', async () => {
    let ini = configMap(objects, 'postgres-pooler')['pgbouncer.ini'];
    expect(ini).toMatch(/^pool_mode = transaction$/m);
    expect(ini).toMatch(/^\* = host=postgres\.db-postgres\.svc port=5432$/m);
    // Test-only substitutions: the leader Service becomes the loopback postgres; loopback ports;
    // and the auth file of this temp dir. Nothing else: the ini runs as rendered on PgBouncer 1.18,
    // the default image's version.
    ini = ini
      .replace(/^\* = host=\S+ port=\d+$/m, `* = host=127.0.0.1 port=${PG_PORT}`)
      .replace(/^listen_addr = .*$/m, 'listen_addr = 127.0.0.1')
      .replace(/^listen_port = .*$/m, `listen_port = ${BOUNCER_PORT}`)
      .replace(/^auth_file = .*$/m, `auth_file = ${path.join(root, 'userlist.txt')}`)
      .replace(/ = (\/tls\/\S+)$/gm, (_, p: string) => ` = ${tlsPath(p)}`);
    expect(ini).not.toMatch(/ = \/tls\//);
    const iniFile = path.join(root, 'pgbouncer.ini');
    fs.writeFileSync(iniFile, ini);
    // The ExternalSecret's template renders exactly this line from the pooler password.
    const es = objects.find((o) => o.kind === 'ExternalSecret' && o.metadata.name === 'postgres-pooler-auth');
    const userlist = es.spec.target.template.data['userlist.txt'].replace('{{ .password }}', PASSWORDS.pooler);
    fs.writeFileSync(path.join(root, 'userlist.txt'), userlist);
    for (const f of [iniFile, path.join(root, 'userlist.txt')]) {
      fs.chmodSync(f, 0o644);
    }
    const [cmd, args] = asPostgres('/usr/sbin/pgbouncer', [iniFile]);
    const log: string[] = [];
    bouncer = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    bouncer.stdout?.on('data', (d) => log.push(String(d)));
    bouncer.stderr?.on('data', (d) => log.push(String(d)));
    const client = (user: string, password: string, sql: string): { status: number; stdout: string; stderr: string } =>
      psqlTcp(BOUNCER_PORT, user, 'app', sql, { PGPASSWORD: password, PGSSLMODE: 'verify-full', PGSSLROOTCERT: certs.ca });
    let result = client('app', PASSWORDS.app, 'SELECT current_user, current_database()');
    for (let i = 0; i < 50 && result.status !== 0 && bouncer.exitCode === null; i++) {
      await new Promise((r) => setTimeout(r, 200));
      result = client('app', PASSWORDS.app, 'SELECT current_user, current_database()');
    }
    if (result.status !== 0) {
      throw new Error(`query through pgbouncer failed: ${result.stderr}\npgbouncer log:\n${log.join('')}`);
    }
    expect(result.stdout.trim()).toBe('app|app');
    expect(log.join('')).not.toMatch(/unknown parameter|FATAL|ERROR/i);
    // A wrong password is refused, and superusers cannot come in through the pooler at all.
    expect(client('app', 'wrong', 'SELECT 1').status).not.toBe(0);
    expect(client('postgres', PASSWORDS.superuser, 'SELECT 1').status).not.toBe(0);
  });

  test('TLS (PostgreSQL 15, PgBouncer 1.18): verify-full accepted, plaintext refused, the pooler and replication connect over TLS', () => {
    const at = (host: string, port: number, user: string, db: string, sql: string, env: NodeJS.ProcessEnv) =>
      run(`${PG_BIN}/psql`, ['--no-psqlrc', '-At', '-h', host, '-p', String(port), '-U', user, '-d', db, '-c', sql], {
        env: { PGCONNECT_TIMEOUT: '5', ...env },
      });
    const verified = { PGSSLMODE: 'verify-full', PGSSLROOTCERT: certs.ca };
    const mySsl = 'SELECT ssl, version FROM pg_stat_ssl WHERE pid = pg_backend_pid()';
    // PostgreSQL from a remote address: the hostssl line takes a verified TLS connection...
    const direct = at(external, PG_PORT, 'app', 'app', mySsl, { PGPASSWORD: PASSWORDS.app, ...verified });
    expect(direct.stderr).not.toMatch(/ERROR|FATAL/);
    expect([direct.status, direct.stderr]).toEqual([0, expect.not.stringMatching(/ERROR|FATAL/)]);
    expect(direct.stdout.trim()).toMatch(/^t\|TLSv1\.[23]$/);
    // ... and hostnossl rejects plaintext, with the right password.
    const plain = at(external, PG_PORT, 'app', 'app', 'SELECT 1', { PGPASSWORD: PASSWORDS.app, PGSSLMODE: 'disable' });
    expect(plain.status).not.toBe(0);
    expect(plain.stderr).toMatch(/pg_hba\.conf rejects connection .*no encryption/);
    // PgBouncer refuses plaintext clients.
    const bouncerPlain = at('127.0.0.1', BOUNCER_PORT, 'app', 'app', 'SELECT 1', { PGPASSWORD: PASSWORDS.app, PGSSLMODE: 'disable' });
    expect(bouncerPlain.status).not.toBe(0);
    expect(bouncerPlain.stderr).toMatch(/SSL required/);
    // Through PgBouncer (verify-full from the client), the server sees the pooler's connection as TLS.
    const pooled = at('127.0.0.1', BOUNCER_PORT, 'app', 'app', mySsl, { PGPASSWORD: PASSWORDS.app, ...verified });
    expect(pooled.stderr).not.toMatch(/ERROR|FATAL/);
    expect([pooled.status, pooled.stderr]).toEqual([0, expect.not.stringMatching(/ERROR|FATAL/)]);
    expect(pooled.stdout.trim()).toMatch(/^t\|TLSv1\.[23]$/);
    // Replication with Patroni's rendered replication settings: a walsender over TLS; plaintext refused.
    const config = YAML.parse(configMap(objects, 'postgres-patroni')['patroni.yml'], { version: '1.1' });
    const repl = config.postgresql.authentication.replication;
    expect(repl.sslmode).toBe('verify-ca');
    const password = 'repl-secret';
    const role = psql(
      ['-c', `DROP ROLE IF EXISTS ${repl.username}; CREATE ROLE ${repl.username} REPLICATION LOGIN PASSWORD '${password}'`],
      PG_PORT,
      'postgres',
    );
    expect(role.stderr).not.toMatch(/ERROR|FATAL/); // a NOTICE that the role did not exist is fine
    expect([role.status, role.stderr]).toEqual([0, expect.not.stringMatching(/ERROR|FATAL/)]);
    const walsender = 'SELECT s.ssl, a.backend_type FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) WHERE pid = pg_backend_pid()';
    const replEnv = { PGPASSWORD: password, PGSSLMODE: repl.sslmode, PGSSLROOTCERT: tlsPath(repl.sslrootcert) };
    // From a member's address (not loopback). A `replication=database` session shows its walsender in
    // pg_stat_ssl; a physical one (`replication=true`, what streaming uses) runs IDENTIFY_SYSTEM over TLS.
    const streamed = at(external, PG_PORT, repl.username, 'dbname=postgres replication=database', walsender, replEnv);
    expect([streamed.status, streamed.stderr]).toEqual([0, expect.not.stringMatching(/ERROR|FATAL/)]);
    expect(streamed.stdout.trim()).toBe('t|walsender');
    const physical = at(external, PG_PORT, repl.username, 'dbname=postgres replication=true', 'IDENTIFY_SYSTEM', replEnv);
    expect([physical.status, physical.stderr]).toEqual([0, expect.not.stringMatching(/ERROR|FATAL/)]);
    // Plaintext physical replication: the `hostnossl replication all all reject` line.
    const replPlain = at(external, PG_PORT, repl.username, 'dbname=postgres replication=true', 'IDENTIFY_SYSTEM', {
      ...replEnv,
      PGSSLMODE: 'disable',
    });
    expect(replPlain.status).not.toBe(0);
    expect(replPlain.stderr).toMatch(/pg_hba\.conf rejects replication connection .*no encryption/);
  });

  test("the pooler exporter's rendered login reaches PgBouncer's admin console, every SHOW it runs works, and nothing more", () => {
    const exporter = containerOf(objects, 'Deployment', 'postgres-pooler', 'exporter');
    const flag = exporter.args.find((a: string) => a.startsWith('--pgBouncer.connectionString='));
    const url = new URL(flag.slice(flag.indexOf('=') + 1));
    expect(url.password).toBe(''); // the password comes from PGPASSWORD, below
    const passwordRef = exporter.env.find((e: any) => e.name === 'PGPASSWORD').valueFrom.secretKeyRef;
    expect(passwordRef.key).toBe('pooler-password'); // the key PASSWORDS.pooler stands for
    // Test-only substitution: the pod's 127.0.0.1:5432 is this test's PgBouncer port.
    expect(`${url.hostname}:${url.port}`).toBe('127.0.0.1:5432');
    const admin = (sql: string, password = PASSWORDS.pooler): { status: number; stdout: string; stderr: string } =>
      psqlTcp(BOUNCER_PORT, decodeURIComponent(url.username), url.pathname.slice(1), sql, {
        PGPASSWORD: password,
        PGSSLMODE: url.searchParams.get('sslmode') ?? 'prefer',
      });
    // What prometheus-community/pgbouncer_exporter queries (collector.go).
    for (const command of ['SHOW STATS', 'SHOW STATS_TOTALS', 'SHOW POOLS', 'SHOW DATABASES', 'SHOW LISTS', 'SHOW CONFIG', 'SHOW VERSION']) {
      const r = admin(command);
      expect({ command, stderr: r.stderr, status: r.status }).toEqual({ command, stderr: '', status: 0 });
    }
    expect(admin('SHOW LISTS').stdout).toMatch(/^databases\|\d+$/m);
    // A stats user, not an admin: it cannot pause or shut down the pooler. A wrong password is refused.
    expect(admin('PAUSE').stderr).toMatch(/admin access needed/);
    expect(admin('SHOW STATS', 'wrong').status).not.toBe(0);
  });

  test('the postgres_exporter sidecar, run with its rendered environment, scrapes the real server as the monitor role', async () => {
    const exporter = containerOf(objects, 'StatefulSet', 'postgres', 'exporter');
    const env: Record<string, string> = {};
    for (const e of exporter.env) {
      // The only Secret reference is the monitor password, which the ExternalSecret fills in.
      env[e.name] = e.value ?? (e.valueFrom.secretKeyRef.key === 'monitor-password' ? PASSWORDS.monitor : 'unexpected-secret');
    }
    expect(env.DATA_SOURCE_USER).toBe('monitor');
    // Test-only substitutions: this server's port for the pod's 5432, a free loopback port for 9187,
    // and no --collector.stat_statements, a flag of postgres_exporter >= 0.13 that Debian's 0.11
    // predates (the monitor role's read of pg_stat_statements is checked directly below).
    expect(env.DATA_SOURCE_URI).toBe('127.0.0.1:5432/postgres?sslmode=disable');
    env.DATA_SOURCE_URI = env.DATA_SOURCE_URI.replace(':5432/', `:${PG_PORT}/`);
    const METRICS_PORT = 29187;
    expect(exporter.args).toEqual(['--web.listen-address=:9187', '--collector.stat_statements']);
    const args = [`--web.listen-address=127.0.0.1:${METRICS_PORT}`];
    const monitorRead = psqlTcp(PG_PORT, 'monitor', 'postgres', 'SELECT count(*) >= 0 FROM pg_stat_statements', { PGPASSWORD: PASSWORDS.monitor });
    expect({ stderr: monitorRead.stderr, out: monitorRead.stdout.trim() }).toEqual({ stderr: '', out: 't' });

    await withProcess('/usr/bin/prometheus-postgres-exporter', args, env, async (log) => {
      const root = await httpGetWhenUp(METRICS_PORT, '/'); // the readiness probe's path
      expect(root.status).toBe(200);
      const { status, body } = await httpGetWhenUp(METRICS_PORT, '/metrics');
      expect(status).toBe(200);
      expect({ pg_up: metricValue(body, 'pg_up'), log: metricValue(body, 'pg_up') === 1 ? '' : log() }).toEqual({ pg_up: 1, log: '' });
      // Statistics the pg_monitor role grants: per-database counters, including the app database.
      expect(body).toMatch(/^pg_stat_database_xact_commit\{[^}]*datname="app"/m);
      // The settings collector reads the rendered max_connections.
      expect(body).toMatch(/^pg_settings_max_connections(\{[^}]*\})? 100$/m);
    });
    // The wrong password gives pg_up 0, so the assertion above could fail.
    await withProcess(
      '/usr/bin/prometheus-postgres-exporter',
      [`--web.listen-address=127.0.0.1:${METRICS_PORT + 1}`],
      { ...env, DATA_SOURCE_PASS: 'wrong' },
      async () => {
        const { body } = await httpGetWhenUp(METRICS_PORT + 1, '/metrics');
        expect(metricValue(body, 'pg_up')).toBe(0);
      },
    );
  });

  test('tenant SQL runs twice (idempotent) and quotes identifiers safely', () => {
    const sql = configMap(objects, 'postgres-sql');
    const tenantFile = Object.keys(sql).find((k) => k.startsWith('tenant-acme'))!;
    const file = path.join(root, 'tenant.sql');
    fs.writeFileSync(file, sql[tenantFile]);
    fs.chmodSync(file, 0o644);
    for (let i = 0; i < 2; i++) {
      const r = psql(['-f', file], PG_PORT, 'postgres');
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
    }
    const owner = psql(['-At', '-c', "SELECT nspowner::regrole FROM pg_namespace WHERE nspname = 'acme'"], PG_PORT, 'postgres', { db: 'app' });
    expect(owner.stdout.trim()).toBe('acme_owner');

    // The construct rejects names with quotes or spaces outright...
    const { cluster } = synthesize();
    expect(() => cluster.addTenantSchema("acme'; DROP SCHEMA public; --")).toThrow(/addTenantSchema\.tenantId: must start with a letter/);
    expect(() => cluster.addTenantSchema('two words')).toThrow(/addTenantSchema\.tenantId/);
    // ...and the renderer quotes whatever it gets: hostile names become exactly those schemas.
    for (const evil of [`evil"; DROP SCHEMA public CASCADE; --`, "o'brien tenant"]) {
      const evilFile = path.join(root, 'evil.sql');
      fs.writeFileSync(evilFile, tenantSchemaSql({ database: 'app', schema: evil, appRole: 'app' }));
      fs.chmodSync(evilFile, 0o644);
      for (let i = 0; i < 2; i++) {
        const r = psql(['-f', evilFile], PG_PORT, 'postgres');
        expect(r.stderr).toBe('');
        expect(r.status).toBe(0);
      }
      // psql interpolates :'name' (as a quoted literal) only in scripts, not in -c.
      const found = psql(['-At', '-v', `name=${evil}`], PG_PORT, 'postgres', {
        db: 'app',
        input: "SELECT count(*) FROM pg_namespace WHERE nspname = :'name';\n",
      });
      expect(found.stdout.trim()).toBe('1');
    }
    // The injection attempts did nothing: public is still there.
    expect(psql(['-At', '-c', "SELECT count(*) FROM pg_namespace WHERE nspname = 'public'"], PG_PORT, 'postgres', { db: 'app' }).stdout.trim()).toBe(
      '1',
    );
  });

  test("the bootstrap Job's exact command (kubelet $(VAR) expansion, no shell) sets passwords from the Secret, quotes intact", () => {
    const job = objects.find((o) => o.kind === 'Job' && o.metadata.name.startsWith('postgres-bootstrap-'));
    const c = containerOf(objects, 'Job', job.metadata.name, 'psql');
    expect(c.volumeMounts).toContainEqual({ name: 'sql', mountPath: '/sql', readOnly: true });
    expect(job.spec.template.spec.volumes).toContainEqual({ name: 'sql', configMap: { name: 'postgres-sql' } });
    expect(c.command).toContain('/sql/bootstrap.sql');
    const file = path.join(root, 'job-bootstrap.sql');
    fs.writeFileSync(file, configMap(objects, 'postgres-sql')['bootstrap.sql'], { mode: 0o644 });
    // The superuser password is Patroni's job; set it here. Then make the app password stale, so
    // only the Job can make the Secret's value (which holds a quote) work again.
    expect(psql(['-c', `ALTER ROLE postgres PASSWORD '${PASSWORDS.superuser}'`], PG_PORT, 'postgres').status).toBe(0);
    expect(psql(['-c', "ALTER ROLE app PASSWORD 'stale'"], PG_PORT, 'postgres').status).toBe(0);
    expect(psqlTcp(PG_PORT, 'app', 'app', 'SELECT 1', { PGPASSWORD: PASSWORDS.app }).status).not.toBe(0);
    // Test-only substitutions: the leader Service is this server; the mounted file is the temp copy.
    const r = runAsContainer(
      { ...c, command: c.command.map((a: string) => (a === '/sql/bootstrap.sql' ? file : a)) },
      { PGHOST: '127.0.0.1', PGPORT: String(PG_PORT) },
    );
    expect([r.env.PGHOST, r.env.PGUSER, r.env.PGDATABASE]).toEqual(['postgres.db-postgres.svc', 'postgres', 'postgres']);
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
    expect(psqlTcp(PG_PORT, 'app', 'app', 'SELECT current_user', { PGPASSWORD: PASSWORDS.app }).stdout.trim()).toBe('app');
    expect(psqlTcp(PG_PORT, 'app', 'app', 'SELECT 1', { PGPASSWORD: 'stale' }).status).not.toBe(0);
    expect(psqlTcp(PG_PORT, 'monitor', 'postgres', 'SELECT 1', { PGPASSWORD: PASSWORDS.monitor }).stdout.trim()).toBe('1');
  });

  test("the backup CronJobs' scripts: pg_dumpall of the real server lands in today's folder, folders past the retention go", () => {
    // A fake wal-g first in PATH: a folder plays the bucket. `st ls` prints WAL-G's own format
    // (storagetools/folder_list_handler.go: `type size last-modified name`, directories with a zero time).
    const store = path.join(root, 'bucket');
    const calls = path.join(root, 'backup-calls.txt');
    const bin = path.join(root, 'backupbin');
    fs.mkdirSync(bin, { recursive: true });
    fs.writeFileSync(
      path.join(bin, 'wal-g'),
      [
        '#!/bin/sh',
        'set -eu',
        `printf '%s|%s|%s|%s\\n' "$WALG_S3_PREFIX" "$PGHOST" "$PGUSER" "$*" >> ${calls}`,
        `store=${store}`,
        'case "$1 ${2:-}" in',
        '  "st put") mkdir -p "$store/$(dirname "$4")"; cp "$3" "$store/$4" ;;',
        '  "st ls") echo "type size last modified name"',
        '    for d in "$store/$3"*/; do if [ -d "$d" ]; then echo "dir  0    0001-01-01 00:00:00 +0000 UTC $(basename "$d")/"; fi; done ;;',
        '  "st rm") [ -e "$store/$3" ] || { echo "object or folder $3 does not exist" >&2; exit 1; }; rm -rf "$store/$3" ;;',
        'esac',
        '',
      ].join('\n'),
      { mode: 0o755 },
    );
    const day = (offsetDays: number): string => new Date(Date.now() + offsetDays * 86400000).toISOString().slice(0, 10).replace(/-/g, '');
    // Retention is 14 days by default: a folder 30 days old goes, one from yesterday stays.
    for (const d of [day(-30), day(-1)]) {
      fs.mkdirSync(path.join(store, 'logical', d), { recursive: true });
      fs.writeFileSync(path.join(store, 'logical', d, 'old.sql'), '-- old\n');
    }
    if (IS_ROOT) {
      execFileSync('chown', ['-R', 'postgres:postgres', store, bin]);
    }
    // Patroni sets the superuser's password from the Secret; this initdb'd server needs it set by hand.
    expect(psql(['-c', `ALTER ROLE postgres PASSWORD '${PASSWORDS.superuser}'`], PG_PORT, 'postgres').status).toBe(0);
    const runCronJob = (name: string): { status: number; stdout: string; stderr: string } => {
      const c = containerOf(objects, 'CronJob', name, 'backup');
      expect(c.command.slice(0, 2)).toEqual(['sh', '-c']);
      // Test-only substitutions: the replica Service is this server, on its port.
      const r = runAsContainer(c, { PGHOST: '127.0.0.1', PGPORT: String(PG_PORT), PATH: `${bin}:${process.env.PATH}` });
      // The base backup streams from a replica; pg_dumpall runs on the primary (docs: why).
      const service = name === 'postgres-logical-backup' ? 'postgres.db-postgres.svc' : 'postgres-replica.db-postgres.svc';
      expect([r.env.PGHOST, r.env.PGPORT]).toEqual([service, '5432']);
      return r;
    };

    const logical = runCronJob('postgres-logical-backup');
    expect({ status: logical.status, stderr: logical.stderr }).toEqual({ status: 0, stderr: '' });
    const today = fs.readdirSync(path.join(store, 'logical', day(0)));
    expect(today).toHaveLength(1);
    expect(today[0]).toMatch(/^pg_dumpall-\d{8}T\d{6}Z\.sql$/);
    const dump = fs.readFileSync(path.join(store, 'logical', day(0), today[0]), 'utf8');
    // Roles, the app database, a tenant schema, and the hostile names, quoted.
    expect(dump).toMatch(/^CREATE ROLE "app";$/m);
    expect(dump).toMatch(/^\\connect "app"$/m);
    expect(dump).toMatch(/^CREATE SCHEMA "acme";$/m);
    expect(dump).toContain('CREATE SCHEMA "evil""; DROP SCHEMA public CASCADE; --";');
    expect(fs.readdirSync(path.join(store, 'logical')).sort()).toEqual([day(-1), day(0)].sort());
    // The local copy is gone (it would fill the pod's /tmp).
    expect(fs.existsSync(path.join('/tmp', today[0]))).toBe(false);

    fs.writeFileSync(calls, '');
    const base = runCronJob('postgres-base-backup');
    expect({ status: base.status, stderr: base.stderr }).toEqual({ status: 0, stderr: '' });
    // A remote backup-push over the replication protocol as the replication role, then retention.
    expect(fs.readFileSync(calls, 'utf8').trim().split('\n')).toEqual([
      's3://postgres-backups/prod/postgres|127.0.0.1|backup|backup-push',
      's3://postgres-backups/prod/postgres|127.0.0.1|backup|delete retain FULL 7 --confirm',
    ]);
  });
});

/**
 * Three Patroni members run the rendered patroni.yml, elect a leader, replicate, answer the probes
 * the pods use, and fail over when the leader stops (what a pod deletion or node drain does).
 *
 * Test-only substitutions: there is no Kubernetes API here, so the `kubernetes` DCS section is
 * replaced by a local etcd (Patroni's leader election and dynamic configuration work the same way
 * on every DCS); members listen on loopback ports; paths point into a temp dir; PostgreSQL 15
 * binaries (the default postgresVersion, 15). Everything else (bootstrap.dcs, parameters, pg_hba, users,
 * replica creation, tags) is the rendered file.
 */
describe('a Patroni cluster from the rendered patroni.yml (Patroni 3.0.2, PostgreSQL 15)', () => {
  const ETCD_PORT = 23790;
  const members = [0, 1, 2].map((i) => ({ name: `member${i}`, rest: 28008 + i, pg: 25442 + i }));
  const procs = new Map<string, ChildProcess>();
  const logs = new Map<string, string[]>();
  let root = '';
  let sock = '';

  const get = async (port: number, urlPath: string): Promise<number> => (await httpGet(port, urlPath, 2000)).status;
  const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
  /** Polls until probe returns a value. A probe that throws (a server between states) is asked again. */
  async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, seconds: number): Promise<T> {
    let lastError = '';
    for (let i = 0; i < seconds * 2; i++) {
      try {
        const v = await probe();
        if (v !== undefined) {
          return v;
        }
      } catch (e) {
        lastError = (e as Error).message;
      }
      await sleep(500);
    }
    const tail = [...logs.entries()].map(([n, l]) => `--- ${n}\n${l.join('').split('\n').slice(-80).join('\n')}`).join('\n');
    throw new Error(`timed out waiting for ${what}${lastError ? ` (last error: ${lastError})` : ''}\n${tail}`);
  }
  const start = starter(procs, logs);
  const stop = (name: string): Promise<void> => stopProcess(procs.get(name), 'SIGTERM', 30000);
  const sql = (port: number, query: string): string => {
    const r = run(`${PG_BIN}/psql`, ['--no-psqlrc', '-At', '-h', sock, '-p', String(port), '-U', 'postgres', '-d', 'postgres', '-c', query]);
    if (r.status !== 0) {
      throw new Error(`psql on ${port}: ${r.stderr}`);
    }
    return r.stdout.trim();
  };
  /** The manifests of this cluster: 3 synchronous members, as in the rendered file the members run. */
  const clusterObjects = (extra: Partial<PostgresHAProps> = {}): any[] => {
    const chart = new Chart(Testing.app(), 'cluster', { namespace: 'db-postgres', disableResourceNameHashes: true });
    new PostgresHA(chart, 'Postgres', {
      name: 'pg',
      replicas: 3,
      synchronousMode: true,
      resources: Resources.SMALL,
      secretStore: { name: 'platform-secrets' },
      ...extra,
    });
    return Testing.synth(chart);
  };
  /** What the ExternalSecret puts into the credentials Secret, by key, for this cluster. */
  const clusterSecrets: Record<string, string> = {
    'superuser-password': PASSWORDS.superuser,
    'replication-password': 'repl-secret',
    'rewind-password': 'rewind-secret',
    'restapi-password': 'rest-secret',
  };
  /**
   * The member container's environment that does not depend on the pod: every variable from the
   * credentials Secret, and the REST API's fixed values. The `$(POD_IP)` addresses and the
   * Kubernetes DCS variables are left out: the test-only file replaces them with loopback and etcd.
   */
  const memberEnv = (): Record<string, string> => {
    const statefulSet = clusterObjects().find((o) => o.kind === 'StatefulSet');
    const env: Record<string, string> = {};
    for (const e of statefulSet.spec.template.spec.containers[0].env) {
      const key: string | undefined = e.valueFrom?.secretKeyRef?.key;
      if (key !== undefined) {
        if (!(key in clusterSecrets)) {
          throw new Error(`env ${e.name}: no test value for Secret key ${key}`);
        }
        env[e.name] = clusterSecrets[key];
      } else if (e.name.startsWith('PATRONI_RESTAPI_') && e.value !== undefined && !e.value.includes('$(')) {
        env[e.name] = e.value;
      }
    }
    return env;
  };
  const primaryOf = async (candidates: typeof members): Promise<(typeof members)[number] | undefined> => {
    for (const m of candidates) {
      if ((await get(m.rest, '/primary')) === 200) {
        return m;
      }
    }
    return undefined;
  };

  beforeAll(() => {
    if (!fs.existsSync('/usr/bin/etcd')) {
      throw new Error('/usr/bin/etcd is missing: run the integration tests with npm run test:integration (it installs etcd-server)');
    }
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'pg-patroni-it-'));
    fs.chmodSync(root, 0o755);
    sock = path.join(root, 'run');
    fs.mkdirSync(sock);
    const rendered = YAML.parse(configMap(clusterObjects(), 'pg-patroni')['patroni.yml'], { version: '1.1' });
    // The members replicate over TLS with the rendered settings (verify-ca), from test certificates.
    withTestCertificates(rendered, makeCertificates(path.join(root, 'tls'), IS_ROOT ? 'postgres' : undefined, ['localhost', '127.0.0.1']));
    for (const m of members) {
      const config = structuredClone(rendered);
      delete config.kubernetes;
      config.etcd3 = { hosts: [`127.0.0.1:${ETCD_PORT}`] };
      config.name = m.name;
      config.restapi = { ...config.restapi, listen: `127.0.0.1:${m.rest}`, connect_address: `127.0.0.1:${m.rest}` };
      Object.assign(config.postgresql, {
        listen: `127.0.0.1:${m.pg}`,
        connect_address: `127.0.0.1:${m.pg}`,
        data_dir: path.join(root, m.name),
        bin_dir: PG_BIN,
        pgpass: path.join(root, `${m.name}.pgpass`),
      });
      config.postgresql.parameters.unix_socket_directories = sock;
      config.bootstrap.dcs.postgresql.parameters.unix_socket_directories = sock;
      fs.writeFileSync(path.join(root, `${m.name}.yml`), YAML.stringify(config, { version: '1.1' }), { mode: 0o644 });
    }
    if (IS_ROOT) {
      execFileSync('chown', ['-R', 'postgres:postgres', root]);
      // The key stays root-owned 0640, group postgres, as the secret volume mounts it: PostgreSQL refuses a postgres-owned 0640 key.
      execFileSync('chown', ['-R', 'root:postgres', path.join(root, 'tls')]);
    }
  });

  afterAll(async () => {
    for (const m of members) {
      await stop(m.name);
    }
    await stop('etcd');
    // Patroni stops PostgreSQL on SIGTERM; stop any postmaster that outlived a killed Patroni.
    for (const m of members) {
      if (fs.existsSync(path.join(root, m.name, 'postmaster.pid'))) {
        run(`${PG_BIN}/pg_ctl`, ['-D', path.join(root, m.name), '-m', 'immediate', '-w', 'stop']);
      }
    }
    if (root) {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  test('members elect a leader, replicate synchronously, answer the probes, and fail over', async () => {
    start('etcd', '/usr/bin/etcd', etcdArgs('it', path.join(root, 'etcd'), ETCD_PORT));
    await waitFor('etcd', async () => ((await get(ETCD_PORT, '/health')) === 200 ? true : undefined), 30);
    for (const m of members) {
      start(m.name, '/usr/bin/patroni', [path.join(root, `${m.name}.yml`)], memberEnv());
    }

    const leader = await waitFor('a leader', () => primaryOf(members), 90);
    const replicas = members.filter((m) => m !== leader);
    // Both replicas stream, and both walsenders run over TLS (Patroni's replication sslmode verify-ca,
    // from the rendered file). Polled as one query: a replica may leave `streaming` for a moment while
    // Patroni reconfigures it, and a replica's clone (pg_basebackup) holds walsenders of its own.
    const streamingOverTls =
      "SELECT count(*) FILTER (WHERE s.ssl), count(*) FROM pg_stat_replication r JOIN pg_stat_ssl s USING (pid) WHERE r.state = 'streaming'";
    await waitFor('two replicas streaming over TLS', async () => (sql(leader.pg, streamingOverTls) === '2|2' ? true : undefined), 90);
    // And no walsender, in any state, runs without TLS.
    expect(sql(leader.pg, 'SELECT count(*) FROM pg_stat_replication r JOIN pg_stat_ssl s USING (pid) WHERE NOT s.ssl')).toBe('0');
    // The probes the pods use: every member is live and ready.
    for (const m of members) {
      expect(await waitFor(`${m.name} ready`, async () => ((await get(m.rest, '/readiness')) === 200 ? 200 : undefined), 30)).toBe(200);
      expect(await get(m.rest, '/liveness')).toBe(200);
    }
    for (const m of replicas) {
      expect(await get(m.rest, '/replica')).toBe(200);
    }
    // The rendered bootstrap.dcs reached PostgreSQL: tuned parameters and synchronous replication.
    expect(sql(leader.pg, 'SHOW shared_buffers')).toBe('256MB');
    expect(sql(leader.pg, 'SHOW max_connections')).toBe('100');
    expect(sql(leader.pg, 'SHOW data_checksums')).toBe('on');
    await waitFor('a synchronous standby', async () => (sql(leader.pg, 'SHOW synchronous_standby_names') !== '' ? true : undefined), 60);

    sql(leader.pg, 'CREATE TABLE before_failover (x int); INSERT INTO before_failover VALUES (42)');
    // A pod deletion or node drain sends SIGTERM: Patroni stops PostgreSQL and hands over.
    await stop(leader.name);
    const next = await waitFor('a new leader', () => primaryOf(replicas), 90);
    expect(next).not.toBe(leader);
    // Patroni answers /primary once it holds the leader key and has asked PostgreSQL to promote;
    // the promotion itself finishes a moment later, so wait until the server leaves recovery.
    await waitFor(`${next.name} out of recovery`, async () => (sql(next.pg, 'SELECT pg_is_in_recovery()') === 'f' ? true : undefined), 60);
    expect(sql(next.pg, 'SELECT x FROM before_failover')).toBe('42');
    sql(next.pg, 'INSERT INTO before_failover VALUES (43)');
    expect(sql(next.pg, 'SELECT count(*) FROM before_failover')).toBe('2');
  });

  test("the DR promote Job's patronictl command turns a standby cluster back into a primary one, changing nothing else", async () => {
    const c = containerOf(clusterObjects({ promote: true }), 'Job', 'pg-promote', 'patronictl');
    expect(c.command.slice(0, 3)).toEqual(['patronictl', '-c', '/etc/patroni/patroni.yml']);
    const running = (m: (typeof members)[number]): boolean => procs.get(m.name)?.exitCode === null && procs.get(m.name)?.signalCode === null;
    const live = members.filter(running);
    expect(live).toHaveLength(2); // the first leader was stopped by the failover test
    // Test-only substitution: a live member's config (etcd instead of the Kubernetes API) for the mounted one.
    const config = path.join(root, `${live[0].name}.yml`);
    const patronictl = (args: string[]): ReturnType<typeof run> => run('/usr/bin/patronictl', ['-c', config, ...args]);
    const before = YAML.parse(patronictl(['show-config']).stdout);
    // Make this a standby cluster, as DR is before failover: it follows a primary that is gone.
    const dead = members.find((m) => !live.includes(m))!;
    expect(patronictl(['edit-config', '--force', '--set', `standby_cluster.host=127.0.0.1`, '--set', `standby_cluster.port=${dead.pg}`]).status).toBe(
      0,
    );
    const standbyLeader = await waitFor(
      'a standby leader',
      async () => {
        for (const m of live) {
          if ((await get(m.rest, '/standby-leader')) === 200) {
            return m;
          }
        }
        return undefined;
      },
      90,
    );
    expect(await get(standbyLeader.rest, '/primary')).not.toBe(200);

    const r = run('/usr/bin/patronictl', ['-c', config, ...c.command.slice(3)]);
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
    const leader = await waitFor('a primary again', () => primaryOf(live), 90);
    await waitFor(`${leader.name} out of recovery`, async () => (sql(leader.pg, 'SELECT pg_is_in_recovery()') === 'f' ? true : undefined), 60);
    sql(leader.pg, 'INSERT INTO before_failover VALUES (44)');
    const after = YAML.parse(patronictl(['show-config']).stdout);
    expect(after.standby_cluster).toBeUndefined();
    expect(after).toEqual(before);
  });
  test("the REST API refuses unsafe requests without the Secret's credentials (401), accepts them with, and the probes stay open", async () => {
    const env = memberEnv();
    expect(Object.keys(env)).toEqual(expect.arrayContaining(['PATRONI_RESTAPI_USERNAME', 'PATRONI_RESTAPI_PASSWORD']));
    const credentials = `${env.PATRONI_RESTAPI_USERNAME}:${env.PATRONI_RESTAPI_PASSWORD}`;
    const live = members.filter((m) => procs.get(m.name)?.exitCode === null && procs.get(m.name)?.signalCode === null);
    const leader = await waitFor('a primary', () => primaryOf(live), 60);
    // Patroni switches over only to the synchronous standby; after the promote test it may not be
    // one yet. Either replica will do: after the DR promote (a new timeline) one of them may still
    // be catching up, which is not what this test is about.
    const other = await waitFor(
      'a synchronous standby',
      async () => {
        for (const m of live.filter((x) => x !== leader)) {
          if ((await get(m.rest, '/sync')) === 200) {
            return m;
          }
        }
        return undefined;
      },
      90,
    );
    // No candidate: with synchronous_mode Patroni picks the synchronous standby.
    const switchover = { leader: leader.name };
    const unsafe: [string, string, unknown][] = [
      ['POST', '/switchover', switchover],
      ['POST', '/restart', {}],
      ['PATCH', '/config', { ttl: 30 }],
      ['POST', '/reinitialize', {}],
    ];
    for (const [method, urlPath, body] of unsafe) {
      expect({ method, urlPath, status: (await httpRequest(leader.rest, method, urlPath, { body })).status }).toEqual({
        method,
        urlPath,
        status: 401,
      });
      const wrong = await httpRequest(leader.rest, method, urlPath, { body, basicAuth: `${env.PATRONI_RESTAPI_USERNAME}:wrong` });
      expect({ method, urlPath, status: wrong.status }).toEqual({ method, urlPath, status: 401 });
    }
    // The probes the kubelet sends carry no credentials.
    for (const m of live) {
      expect(await get(m.rest, '/readiness')).toBe(200);
      expect(await get(m.rest, '/liveness')).toBe(200);
    }
    expect((await httpRequest(leader.rest, 'PATCH', '/config', { body: { ttl: 30 }, basicAuth: credentials })).status).toBe(200);
    const accepted = await httpRequest(leader.rest, 'POST', '/switchover', { body: switchover, basicAuth: credentials, timeoutMs: 60000 });
    expect({ status: accepted.status, body: accepted.body }).toEqual({ status: 200, body: expect.stringMatching(/switched over/i) });
    await waitFor(`${other.name} primary`, async () => ((await get(other.rest, '/primary')) === 200 ? true : undefined), 60);
    // What an operator runs in the pod (kubectl exec ... patronictl switchover): patronictl reads the
    // same variables from the container's environment, and without them it is refused.
    const config = path.join(root, `${other.name}.yml`);
    const back = ['-c', config, 'switchover', '--leader', other.name, '--force'];
    await waitFor(`${leader.name} synchronous`, async () => ((await get(leader.rest, '/sync')) === 200 ? true : undefined), 90);
    const refused = run('/usr/bin/patronictl', back);
    expect(`${refused.stdout}${refused.stderr}`).toMatch(/401|not authenticated|no auth header/);
    const done = run('/usr/bin/patronictl', back, { env });
    expect({ status: done.status, out: done.stdout }).toEqual({ status: 0, out: expect.stringMatching(/switched over/i) });
    await waitFor(`${leader.name} primary again`, async () => ((await get(leader.rest, '/primary')) === 200 ? true : undefined), 60);
  });
});

/**
 * The base-backup CronJob runs `wal-g backup-push` with no data directory, so WAL-G takes its
 * remote path (wal-g v3.0.5, the version Spilo 4.0 ships; `internal/databases/postgres/`):
 * `NewBackupHandler` -> `GetPgServerInfo` opens an ordinary connection from the libpq environment
 * (`connect.go`: `pgx.ParseConfig("")`, so PGHOST/PGPORT/PGUSER/PGPASSWORD/PGDATABASE) and runs the
 * four queries below (`query_runner.go`); `runRemoteBackup` then opens a replication connection
 * (`pgconn.Connect(ctx, "replication=yes")`) and runs BASE_BACKUP (`streaming_base_backup.go`:
 * fast checkpoint, tablespace map, label `wal-g`).
 *
 * WAL-G is not installable here, so a stand-in `wal-g` first in PATH runs exactly those queries
 * with psql and the same BASE_BACKUP with pg_basebackup, in a process of its own, from the
 * CronJob's own environment, against a real PostgreSQL 15 whose roles come from the rendered
 * bootstrap SQL. What it does not prove: WAL-G's upload to S3 (MinIO is not here).
 */
const WALG_REMOTE_QUERIES = [
  'show data_directory',
  "select (current_setting('server_version_num'))::int",
  'select system_identifier from pg_control_system();',
  'select timeline_id, bytes_per_wal_segment from pg_catalog.pg_control_checkpoint(), pg_catalog.pg_control_init()',
];

/**
 * A stand-in wal-g over a folder that plays the bucket (`s3://bucket/path` is `<store>/bucket/path`):
 * `backup-push` runs WAL-G's remote queries, then BASE_BACKUP with pg_basebackup into
 * `basebackups/`; `backup-fetch DIR LATEST` unpacks the newest; `wal-push`/`wal-fetch` copy segments.
 */
function walgRemoteStandIn(bin: string, store: string): void {
  fs.mkdirSync(bin, { recursive: true });
  const lines = [
    '#!/bin/sh',
    'set -eu',
    `folder=${store}/\${WALG_S3_PREFIX#s3://}`,
    'case "$1" in',
    '  backup-push)',
    ...WALG_REMOTE_QUERIES.map((q) => `    ${PG_BIN}/psql --no-psqlrc -At -v ON_ERROR_STOP=1 -c ${JSON.stringify(q).replace(/\$/g, '\\$')}`),
    '    mkdir -p "$folder/basebackups"',
    '    dir="$folder/basebackups/base_$(date +%s%N)"',
    `    ${PG_BIN}/pg_basebackup -D "$dir" -F tar -X none -c fast -l wal-g --no-sync ;;`,
    '  backup-fetch) [ "$3" = LATEST ]; mkdir -p "$2"; tar -xf "$(ls -d "$folder"/basebackups/base_* | tail -1)/base.tar" -C "$2" ;;',
    '  wal-push) mkdir -p "$folder/wal"; cp "$2" "$folder/wal/$(basename "$2")" ;;',
    '  wal-fetch) [ -f "$folder/wal/$2" ] && cp "$folder/wal/$2" "$3" ;;',
    '  delete) ;;',
    '  *) echo "unexpected wal-g $*" >&2; exit 2 ;;',
    'esac',
    '',
  ];
  fs.writeFileSync(path.join(bin, 'wal-g'), lines.join('\n'), { mode: 0o755 });
}

describe("WAL-G's remote backup-push from the base-backup CronJob, as the role the construct creates, and a point-in-time restore (PostgreSQL 15)", () => {
  const PORT = 25470;
  let root = '';
  let data = '';
  let objects: any[] = [];
  const sql = (query: string): string => {
    const r = run(`${PG_BIN}/psql`, ['--no-psqlrc', '-At', '-h', root, '-p', String(PORT), '-U', 'postgres', '-d', 'postgres', '-c', query]);
    if (r.status !== 0) {
      throw new Error(`psql: ${r.stderr}`);
    }
    return r.stdout.trim();
  };
  /** The member's WAL-G environment (plain values of the StatefulSet), the stand-in wal-g first in PATH. */
  const memberEnv = (): Record<string, string> => {
    const c = containerOf(objects, 'StatefulSet', 'postgres', 'postgres');
    const walg = c.env.filter((e: any) => /^(WALG_|AWS_)/.test(e.name) && e.value !== undefined).map((e: any) => [e.name, e.value]);
    return { ...Object.fromEntries(walg), PATH: `${path.join(root, 'bin')}:${process.env.PATH}` };
  };
  const runBaseBackupJob = (): ReturnType<typeof runAsContainer> => {
    const c = containerOf(objects, 'CronJob', 'postgres-base-backup', 'backup');
    // Test-only substitutions: the Service is this server on its port; the stand-in wal-g first in PATH.
    return runAsContainer(c, { PGHOST: '127.0.0.1', PGPORT: String(PORT), PATH: `${path.join(root, 'bin')}:${process.env.PATH}` });
  };

  beforeAll(() => {
    objects = synthesize().objects;
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'pg-walg-it-'));
    fs.chmodSync(root, 0o755);
    data = path.join(root, 'data');
    walgRemoteStandIn(path.join(root, 'bin'), path.join(root, 'store'));
    fs.mkdirSync(path.join(root, 'store'));
    fs.mkdirSync(path.join(root, 'restored'));
    if (IS_ROOT) {
      execFileSync('chown', ['-R', 'postgres:postgres', root]);
    }
    expect(run(`${PG_BIN}/initdb`, ['-D', data, '-U', 'postgres', '--auth-local=trust', '--auth-host=scram-sha-256']).status).toBe(0);
    const config = YAML.parse(configMap(objects, 'postgres-patroni')['patroni.yml'], { version: '1.1' });
    // Patroni writes pg_hba from the rendered lines; do the same.
    fs.writeFileSync(path.join(data, 'pg_hba.conf'), `${config.postgresql.pg_hba.join('\n')}\n`);
    // Archiving as rendered: archive_mode (bootstrap.dcs) and archive_command (postgresql.parameters),
    // run by the server with the member's WAL-G environment (the StatefulSet's plain values).
    const archiving = {
      archive_mode: config.bootstrap.dcs.postgresql.parameters.archive_mode,
      archive_command: config.postgresql.parameters.archive_command,
    };
    expect(archiving).toEqual({ archive_mode: 'on', archive_command: 'wal-g wal-push "%p"' });
    const ssl = withTestCertificates(config, makeCertificates(path.join(root, 'tls'), IS_ROOT ? 'postgres' : undefined, ['localhost', '127.0.0.1']));
    const settings = { port: PORT, listen_addresses: '127.0.0.1', unix_socket_directories: root, ...archiving, ...ssl };
    fs.appendFileSync(path.join(data, 'postgresql.conf'), `\n${pgConf(settings)}\n`);
    const start = run(`${PG_BIN}/pg_ctl`, ['-D', data, '-l', path.join(root, 'pg.log'), '-w', '-t', '60', 'start'], { env: memberEnv() });
    expect(start.status).toBe(0);
    // What Patroni does at bootstrap (the superuser's password, the replication role from
    // postgresql.authentication), then what the bootstrap Job does: the rendered bootstrap SQL.
    sql(`ALTER ROLE postgres PASSWORD '${PASSWORDS.superuser}'`);
    sql(
      `CREATE ROLE "${config.postgresql.authentication.replication.username}" LOGIN REPLICATION PASSWORD '${SECRET_VALUES['replication-password']}'`,
    );
    const file = path.join(root, 'bootstrap.sql');
    fs.writeFileSync(file, configMap(objects, 'postgres-sql')['bootstrap.sql'], { mode: 0o644 });
    const job = containerOf(
      objects,
      'Job',
      objects.find((o) => o.kind === 'Job' && o.metadata.name.startsWith('postgres-bootstrap-')).metadata.name,
      'psql',
    );
    const vars = job.command
      .filter((_: string, i: number) => job.command[i - 1] === '-v')
      .flatMap((v: string) => {
        const [name, value] = v.split('=');
        const key = /^\$\((\w+)_PASSWORD\)$/.exec(value)![1].toLowerCase();
        return ['-v', `${name}=${SECRET_VALUES[`${key}-password`]}`];
      });
    const boot = run(`${PG_BIN}/psql`, ['--no-psqlrc', '-h', root, '-p', String(PORT), '-U', 'postgres', '-d', 'postgres', ...vars, '-f', file]);
    expect({ status: boot.status, stderr: boot.stderr }).toEqual({ status: 0, stderr: '' });
  });

  afterAll(() => {
    if (data && fs.existsSync(path.join(data, 'postmaster.pid'))) {
      run(`${PG_BIN}/pg_ctl`, ['-D', data, '-m', 'immediate', '-w', 'stop']);
    }
    if (root) {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  test("the CronJob's environment runs WAL-G's queries and BASE_BACKUP (pg_basebackup) in a separate process", () => {
    const r = runBaseBackupJob();
    expect({ status: r.status, stderr: r.stderr.replace(/^NOTICE: .*\n/gm, '') }).toEqual({ status: 0, stderr: '' });
    const [dataDir, version, systemId, timeline] = r.stdout.trim().split('\n');
    expect(dataDir).toBe(sql('SHOW data_directory'));
    expect(Number(version)).toBeGreaterThanOrEqual(150000);
    expect(systemId).toBe(sql('SELECT system_identifier FROM pg_control_system()'));
    expect(timeline).toBe('1|16777216');
    const folder = path.join(root, 'store', 'postgres-backups', 'prod', 'postgres', 'basebackups');
    const backups = fs.readdirSync(folder);
    expect(backups).toHaveLength(1);
    expect(fs.readdirSync(path.join(folder, backups[0])).sort()).toEqual(['backup_manifest', 'base.tar']);
  });

  test('the default the construct deploys is the major proven here: bin_dir is PostgreSQL 15', () => {
    const config = YAML.parse(configMap(objects, 'postgres-patroni')['patroni.yml'], { version: '1.1' });
    expect(config.postgresql.bin_dir).toBe(PG_BIN);
    expect(run(`${PG_BIN}/postgres`, ['--version']).stdout).toMatch(new RegExp(`^postgres \\(PostgreSQL\\) ${PG_MAJOR}\\.`));
  });

  test('the role has exactly what it needs: without pg_read_all_settings, or without REPLICATION, the backup fails', () => {
    const c = containerOf(objects, 'CronJob', 'postgres-base-backup', 'backup');
    const role = c.env.find((e: any) => e.name === 'PGUSER').value;
    expect(sql(`SELECT rolsuper, rolreplication, rolcreaterole, rolcreatedb FROM pg_roles WHERE rolname = '${role}'`)).toBe('f|t|f|f');
    expect(
      sql(
        `SELECT string_agg(b.rolname, ',') FROM pg_auth_members m JOIN pg_roles b ON b.oid = m.roleid JOIN pg_roles u ON u.oid = m.member WHERE u.rolname = '${role}'`,
      ),
    ).toBe('pg_read_all_settings');
    sql(`REVOKE pg_read_all_settings FROM "${role}"`);
    const noSettings = runBaseBackupJob();
    expect(noSettings.status).not.toBe(0);
    expect(noSettings.stderr).toMatch(/must be superuser or have privileges of pg_read_all_settings to examine "data_directory"/);
    sql(`GRANT pg_read_all_settings TO "${role}"`);
    sql(`ALTER ROLE "${role}" NOREPLICATION`);
    const noReplication = runBaseBackupJob();
    expect(noReplication.status).not.toBe(0);
    expect(noReplication.stderr).toMatch(
      /must be superuser or replication role|no pg_hba.conf entry for replication connection|permission denied to start WAL sender/,
    );
    sql(`ALTER ROLE "${role}" REPLICATION`);
    expect(runBaseBackupJob().status).toBe(0);
  });

  // docs/runbooks/postgres-pitr.md, executed: each step is the runbook's, with the rendered commands.
  test('point-in-time restore (runbook): base backup, rows, timestamp, more rows; the restore to the timestamp has only the first rows', async () => {
    const restoredPort = PORT + 1;
    const restored = path.join(root, 'restored', 'data');
    // 1. A base backup, by the CronJob.
    expect(runBaseBackupJob().status).toBe(0);
    // 2. Rows, then the target time, then more rows; the segment is archived by the rendered archive_command.
    sql('CREATE TABLE invoices (id int, note text)');
    sql("INSERT INTO invoices VALUES (1, 'before'), (2, 'before')");
    const target = sql("SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') || '+00'");
    await new Promise((r) => setTimeout(r, 1100));
    sql("INSERT INTO invoices VALUES (3, 'after the bad deploy')");
    const segment = sql('SELECT pg_walfile_name(pg_current_wal_lsn())');
    sql('SELECT pg_switch_wal()');
    const wal = path.join(root, 'store', 'postgres-backups', 'prod', 'postgres', 'wal', segment);
    for (let i = 0; i < 60 && !fs.existsSync(wal); i++) {
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(fs.existsSync(wal)).toBe(true);
    // 3. A new cluster with restoreFrom { sourceCluster, targetTime }: its rendered bootstrap.
    const chart = new Chart(Testing.app(), 'pitr', { namespace: 'db-postgres', disableResourceNameHashes: true });
    new PostgresHA(chart, 'Restored', {
      name: 'postgres-restored',
      secretStore: { name: 'platform-secrets' },
      backup: BACKUP,
      restoreFrom: { sourceCluster: 'postgres', targetTime: target },
    });
    const boot = YAML.parse(configMap(Testing.synth(chart), 'postgres-restored-patroni')['patroni.yml'], { version: '1.1' }).bootstrap;
    expect(boot.method).toBe('walg_restore');
    // Patroni runs the method split like a shell and appends --scope/--datadir. Test-only: the
    // pod's data directory is this fresh one.
    const command = boot.walg_restore.command.replace(PGDATA, restored);
    const fetch = spawnSync(
      ...asPostgres('python3', [
        '-c',
        'import shlex,subprocess,sys; sys.exit(subprocess.call(shlex.split(sys.argv[1]) + ["--scope=postgres-restored", "--datadir=/x"]))',
        command,
      ]),
      { encoding: 'utf8', env: { ...process.env, PATH: memberEnv().PATH } },
    );
    expect({ status: fetch.status, stderr: fetch.stderr }).toEqual({ status: 0, stderr: '' });
    // What Patroni writes for PostgreSQL >= 12: recovery_conf as settings, and recovery.signal.
    const recovery = boot.walg_restore.recovery_conf;
    expect(recovery).toMatchObject({ recovery_target_time: target, recovery_target_action: 'promote', recovery_target_timeline: 'latest' });
    const restoredSettings = { port: restoredPort, archive_mode: 'off', ...recovery };
    fs.appendFileSync(path.join(restored, 'postgresql.auto.conf'), `\n${pgConf(restoredSettings)}\n`);
    fs.writeFileSync(path.join(restored, 'recovery.signal'), '');
    fs.chmodSync(restored, 0o700);
    if (IS_ROOT) {
      execFileSync('chown', ['-R', 'postgres:postgres', path.join(root, 'restored')]);
    }
    const start = run(`${PG_BIN}/pg_ctl`, ['-D', restored, '-l', path.join(root, 'restored.log'), '-w', '-t', '60', 'start'], {
      env: { PATH: memberEnv().PATH },
    });
    try {
      expect(start.status).toBe(0);
      const restoredSql = (q: string): string =>
        run(`${PG_BIN}/psql`, [
          '--no-psqlrc',
          '-At',
          '-h',
          root,
          '-p',
          String(restoredPort),
          '-U',
          'postgres',
          '-d',
          'postgres',
          '-c',
          q,
        ]).stdout.trim();
      for (let i = 0; i < 60 && restoredSql('SELECT pg_is_in_recovery()') !== 'f'; i++) {
        await new Promise((r) => setTimeout(r, 500));
      }
      // 4. Check: promoted, only the rows from before the target time.
      expect(restoredSql('SELECT pg_is_in_recovery()')).toBe('f');
      expect(restoredSql("SELECT string_agg(id::text, ',' ORDER BY id) FROM invoices")).toBe('1,2');
      expect(sql('SELECT count(*) FROM invoices')).toBe('3');
      expect(fs.readFileSync(path.join(root, 'restored.log'), 'utf8')).toMatch(/recovery stopping before commit of transaction/);
    } finally {
      run(`${PG_BIN}/pg_ctl`, ['-D', restored, '-m', 'immediate', '-w', 'stop']);
    }
  });
});

/**
 * A DR standby cluster from the rendered patroni.yml: one Patroni member (Patroni 3.0.2,
 * PostgreSQL 15) with `StandbySource.primary(..., { archive })` follows a separate PostgreSQL
 * primary. It clones with pg_basebackup and streams; then, with the primary gone, it replays WAL
 * the primary archived, through the rendered restore_command and its STANDBY_* credentials.
 *
 * Test-only substitutions: a local etcd for the Kubernetes API (as above); loopback addresses and
 * temp paths; the primary's archive_command is `cp` into a folder, and a stand-in `wal-g` first in
 * PATH serves `wal-fetch` from that folder (mapping `s3://bucket/path` to `<root>/s3/bucket/path`)
 * and records the endpoint and credentials it was given. Not proven: WAL-G against real S3.
 */
describe('a DR standby cluster from the rendered patroni.yml: streaming from the primary, restore_command from its archive (Patroni 3.0.2, PostgreSQL 15)', () => {
  const ETCD_PORT = 23800;
  const PRIMARY_PORT = 25480;
  const STANDBY = { rest: 28020, pg: 25481 };
  const ARCHIVE = {
    endpoint: 'https://minio.prod.example.com',
    bucket: 'postgres-backups',
    prefix: 'prod',
    cluster: 'postgres',
    credentialsRemoteKey: 'prod/db-postgres/backup-s3-readonly',
  };
  const procs = new Map<string, ChildProcess>();
  const logs = new Map<string, string[]>();
  let root = '';
  const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
  const start = starter(procs, logs);
  const sql = (port: number, query: string): string => {
    const r = run(`${PG_BIN}/psql`, ['--no-psqlrc', '-At', '-h', root, '-p', String(port), '-U', 'postgres', '-d', 'postgres', '-c', query]);
    if (r.status !== 0) {
      throw new Error(`psql on ${port}: ${r.stderr}`);
    }
    return r.stdout.trim();
  };
  async function waitFor(what: string, probe: () => Promise<boolean> | boolean, seconds: number): Promise<void> {
    for (let i = 0; i < seconds * 2; i++) {
      try {
        if (await probe()) {
          return;
        }
      } catch {
        // a server between states: ask again
      }
      await sleep(500);
    }
    const tail = [...logs.entries()].map(([n, l]) => `--- ${n}\n${l.join('').split('\n').slice(-20).join('\n')}`).join('\n');
    throw new Error(`timed out waiting for ${what}\n${tail}`);
  }

  beforeAll(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'pg-dr-it-'));
    fs.chmodSync(root, 0o755);
    const archiveDir = path.join(root, 's3', ARCHIVE.bucket, ARCHIVE.prefix, ARCHIVE.cluster);
    fs.mkdirSync(archiveDir, { recursive: true });
    const bin = path.join(root, 'bin');
    fs.mkdirSync(bin);
    fs.writeFileSync(
      path.join(bin, 'wal-g'),
      [
        '#!/bin/sh',
        'set -eu',
        `printf '%s|%s|%s|%s|%s\\n' "$1" "$WALG_S3_PREFIX" "$AWS_ENDPOINT" "$AWS_ACCESS_KEY_ID" "$WALG_LIBSODIUM_KEY" >> ${root}/walg-calls.txt`,
        `dir=${root}/s3/\${WALG_S3_PREFIX#s3://}`,
        '[ "$1" = wal-fetch ] && [ -f "$dir/$2" ] && exec cp "$dir/$2" "$3"',
        'exit 1',
        '',
      ].join('\n'),
      { mode: 0o755 },
    );
    // The primary: what prod runs, with the rendered pg_hba, the replication role and its password
    // (the DR pods authenticate with prod's: the same store entry), archiving into the folder.
    const objects = (() => {
      const chart = new Chart(Testing.app(), 'dr', { namespace: 'db-postgres', disableResourceNameHashes: true });
      new PostgresHA(chart, 'Postgres', {
        name: 'postgres',
        replicas: 1,
        allowSingleInstance: true,
        pooler: { replicas: 1 },
        resources: Resources.SMALL,
        secretStore: { name: 'platform-secrets' },
        backup: { ...BACKUP, prefix: 'dr' },
        standbyOf: StandbySource.primary('127.0.0.1', PRIMARY_PORT, { archive: ARCHIVE }),
      });
      return Testing.synth(chart);
    })();
    const rendered = YAML.parse(configMap(objects, 'postgres-patroni')['patroni.yml'], { version: '1.1' });
    if (IS_ROOT) {
      execFileSync('chown', ['-R', 'postgres:postgres', root]);
    }
    const primary = path.join(root, 'primary');
    expect(run(`${PG_BIN}/initdb`, ['-D', primary, '-U', 'postgres', '--auth-local=trust', '--auth-host=scram-sha-256']).status).toBe(0);
    fs.writeFileSync(path.join(primary, 'pg_hba.conf'), `${rendered.postgresql.pg_hba.join('\n')}\n`);
    // Prod and DR have different CAs: the standby connects with sslmode=require (rendered), prod serves its own.
    expect(rendered.postgresql.authentication.replication.sslmode).toBe('require');
    const ssl = withTestCertificates(
      rendered,
      makeCertificates(path.join(root, 'tls'), IS_ROOT ? 'postgres' : undefined, ['localhost', '127.0.0.1']),
    );
    fs.appendFileSync(
      path.join(primary, 'postgresql.conf'),
      `\nport = ${PRIMARY_PORT}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '${root}'\narchive_mode = on\narchive_command = 'cp %p ${archiveDir}/%f'\n\n${pgConf(ssl)}\n`,
    );
    expect(run(`${PG_BIN}/pg_ctl`, ['-D', primary, '-l', path.join(root, 'primary.log'), '-w', '-t', '60', 'start']).status).toBe(0);
    sql(PRIMARY_PORT, `CREATE ROLE "${ROLES.replication}" LOGIN REPLICATION PASSWORD '${SECRET_VALUES['replication-password']}'`);
    sql(PRIMARY_PORT, `ALTER ROLE postgres PASSWORD '${PASSWORDS.superuser}'`);
    // The standby member: the rendered file, with the test-only substitutions.
    const config = structuredClone(rendered);
    delete config.kubernetes;
    config.etcd3 = { hosts: [`127.0.0.1:${ETCD_PORT}`] };
    config.name = 'standby0';
    config.restapi = { ...config.restapi, listen: `127.0.0.1:${STANDBY.rest}`, connect_address: `127.0.0.1:${STANDBY.rest}` };
    Object.assign(config.postgresql, {
      listen: `127.0.0.1:${STANDBY.pg}`,
      connect_address: `127.0.0.1:${STANDBY.pg}`,
      data_dir: path.join(root, 'standby'),
      bin_dir: PG_BIN,
      pgpass: path.join(root, 'standby.pgpass'),
    });
    config.postgresql.parameters.unix_socket_directories = root;
    config.bootstrap.dcs.postgresql.parameters.unix_socket_directories = root;
    fs.writeFileSync(path.join(root, 'standby.yml'), YAML.stringify(config, { version: '1.1' }), { mode: 0o644 });
  });

  afterAll(async () => {
    for (const p of procs.values()) {
      await stopProcess(p, 'SIGTERM', 30000);
    }
    for (const dir of ['primary', 'standby']) {
      if (root && fs.existsSync(path.join(root, dir, 'postmaster.pid'))) {
        run(`${PG_BIN}/pg_ctl`, ['-D', path.join(root, dir), '-m', 'immediate', '-w', 'stop']);
      }
    }
    if (root) {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  test('the standby leader clones and streams from the primary, then replays the archive when the primary is gone', async () => {
    start('etcd', '/usr/bin/etcd', etcdArgs('dr', path.join(root, 'etcd'), ETCD_PORT));
    await waitFor('etcd', async () => (await httpGet(ETCD_PORT, '/health', 2000)).status === 200, 30);
    const env = {
      PATRONI_SUPERUSER_PASSWORD: PASSWORDS.superuser,
      PATRONI_REPLICATION_PASSWORD: SECRET_VALUES['replication-password'],
      PATRONI_REWIND_PASSWORD: 'rewind-secret',
      // The ExternalSecret postgres-standby-archive-s3, as the pod's STANDBY_* variables.
      STANDBY_AWS_ACCESS_KEY_ID: 'prod-readonly-key',
      STANDBY_AWS_SECRET_ACCESS_KEY: 'prod-readonly-secret',
      STANDBY_WALG_LIBSODIUM_KEY: 'prod-libsodium-key',
      PATH: `${path.join(root, 'bin')}:${process.env.PATH}`,
    };
    const startStandby = (): void => start('standby', '/usr/bin/patroni', [path.join(root, 'standby.yml')], env);
    startStandby();
    await waitFor('a standby leader', async () => (await httpGet(STANDBY.rest, '/standby-leader', 2000)).status === 200, 90);
    await waitFor('streaming from the primary', () => sql(STANDBY.pg, 'SELECT status FROM pg_stat_wal_receiver') === 'streaming', 60);
    sql(PRIMARY_PORT, 'CREATE TABLE orders (id int); INSERT INTO orders VALUES (1)');
    await waitFor('row 1 streamed', () => sql(STANDBY.pg, 'SELECT count(*) FROM orders') === '1', 30);
    const rendered = YAML.parse(fs.readFileSync(path.join(root, 'standby.yml'), 'utf8'), { version: '1.1' });
    expect(sql(STANDBY.pg, 'SHOW restore_command')).toBe(rendered.bootstrap.dcs.standby_cluster.restore_command);

    // The standby stops; the primary writes and archives more, then goes away for good.
    await stopProcess(procs.get('standby'), 'SIGTERM', 30000);
    sql(PRIMARY_PORT, 'INSERT INTO orders VALUES (2), (3)');
    const segment = sql(PRIMARY_PORT, 'SELECT pg_walfile_name(pg_current_wal_lsn())');
    sql(PRIMARY_PORT, 'SELECT pg_switch_wal()');
    const archived = path.join(root, 's3', ARCHIVE.bucket, ARCHIVE.prefix, ARCHIVE.cluster, segment);
    await waitFor(`${segment} archived`, () => fs.existsSync(archived), 30);
    expect(run(`${PG_BIN}/pg_ctl`, ['-D', path.join(root, 'primary'), '-m', 'fast', '-w', 'stop']).status).toBe(0);
    startStandby();
    await waitFor('rows 2 and 3 from the archive', () => sql(STANDBY.pg, 'SELECT count(*) FROM orders') === '3', 90);
    // restore_command reached WAL-G with prod's archive and the read-only credentials, never DR's store.
    const calls = fs.readFileSync(path.join(root, 'walg-calls.txt'), 'utf8').trim().split('\n');
    expect(calls).toContainEqual(`wal-fetch|s3://postgres-backups/prod/postgres|https://minio.prod.example.com|prod-readonly-key|prod-libsodium-key`);
    expect(calls.filter((l) => !l.startsWith('wal-fetch|s3://postgres-backups/prod/postgres|https://minio.prod.example.com|'))).toEqual([]);
  });
});
