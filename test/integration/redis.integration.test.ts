import { ChildProcess, execFileSync, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { Duration, Testing } from 'cdk8s';
import { Resources } from '../../constructs/lib/resources';
import { RedisSentinel, RedisUser, REDIS_USERS } from '../../constructs/redis-sentinel';
import { httpGet, makeCertificates, stopProcess } from './support';

/**
 * RedisSentinel against real servers: three `redis-server` and three `redis-sentinel` processes
 * (Debian's 7.0 packages) run the construct's rendered ConfigMap (configs, start-up scripts,
 * probes) on loopback. The primary is killed; Sentinel must promote a replica within the
 * failover timeout, with the data written before still there, and the old primary must come
 * back as a replica through the same start-up script a pod runs. The metrics sidecar's env runs
 * Debian's build of oliver006/redis_exporter (prometheus-redis-exporter) against a data pod.
 *
 * It runs the production configuration: TLS only (a CA and certificate made with openssl for the
 * rendered Certificate's names), and the ACL users, each with its own password.
 */

const NS = 'db-redis';
/** What the ExternalSecret writes into `<name>-auth`: a password per ACL user. */
const PASSWORDS: Record<RedisUser, string> = {
  app: 'integration-App.pw_1',
  replication: 'integration-Repl.pw_2',
  failover: 'integration-Failover.pw_3',
  monitor: 'integration-Monitor.pw_4',
};
const DOWN_AFTER_MS = 2000;
const FAILOVER_TIMEOUT_MS = 10000;
const DATA_PORTS = [16380, 16381, 16382];
const SENTINEL_PORTS = [26380, 26381, 26382];
const LOOPBACK = '127.0.0.1';
const EXPORTER_BIN = '/usr/bin/prometheus-redis-exporter';

/** The parts of a synthesized container the test runs (plain JSON, as the kubelet gets it). */
interface Container {
  name: string;
  command?: string[];
  args?: string[];
  env?: { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }[];
  ports?: { name?: string; containerPort: number }[];
  readinessProbe?: { httpGet?: { path?: string; port: string | number } };
}

interface Rendered {
  files: Record<string, string>;
  redis: RedisSentinel;
  /** Containers of the data pods (redis, metrics) and of the Sentinels (sentinel), by name. */
  containers: Record<string, Container>;
  /** The names the rendered server Certificate is issued for. */
  certificateNames: string[];
}

function render(): Rendered {
  const chart = Testing.chart();
  const redis = new RedisSentinel(chart, 'Redis', {
    name: 'redis',
    namespace: NS,
    image: 'redis:7.0.15-alpine',
    monitoring: { exporterImage: 'oliver006/redis_exporter:v1.62.0' },
    resources: Resources.SMALL,
    downAfter: Duration.millis(DOWN_AFTER_MS),
    failoverTimeout: Duration.millis(FAILOVER_TIMEOUT_MS),
    secretStore: { name: 'test-store' },
  });
  const manifests = Testing.synth(chart);
  // The ConfigMap as synthesized, i.e. exactly what the pods mount.
  const cm = manifests.find((o) => o.kind === 'ConfigMap');
  const containers: Record<string, Container> = {};
  for (const sts of manifests.filter((o) => o.kind === 'StatefulSet')) {
    for (const c of sts.spec.template.spec.containers as Container[]) {
      containers[c.name] = c;
    }
  }
  for (const name of ['redis', 'metrics', 'sentinel']) {
    if (!containers[name]) {
      throw new Error(`no container named ${name} in the StatefulSets`);
    }
  }
  const cert = manifests.find((o) => o.kind === 'Certificate' && o.spec.secretName === 'redis-tls');
  if (!cert) {
    throw new Error('no Certificate for the secret redis-tls: the test runs the TLS configuration');
  }
  return { files: cm.data as Record<string, string>, redis, containers, certificateNames: cert.spec.dnsNames as string[] };
}

type Kind = 'data' | 'sentinel';

/**
 * TEST-ONLY substitution. In the cluster every pod has its own DNS name, every data pod listens
 * on 6379 and every Sentinel on 26379, and files live at fixed absolute paths. Here all six
 * processes share 127.0.0.1, so each pod's DNS name becomes 127.0.0.1, each pod's port a
 * loopback port of its own, and each absolute path a file in the pod's temp folder. Listening is
 * narrowed from all interfaces to loopback. Nothing else changes; the caller asserts that no
 * cluster name is left.
 */
function localize(text: string, redis: RedisSentinel, kind: Kind, index: number, podDir: string, root: string): string {
  const dataHost = (j: number): string => redis.dataHosts[j];
  const sentinelHost = (j: number): string => `redis-sentinel-${j}.redis-sentinel-headless.${NS}.svc.cluster.local`;
  const ownPort = kind === 'data' ? DATA_PORTS[index] : SENTINEL_PORTS[index];
  const pairs: [string, string][] = [];
  for (let j = 0; j < 3; j++) {
    pairs.push([`${dataHost(j)}:6379`, `${LOOPBACK}:${DATA_PORTS[j]}`]);
    pairs.push([`${sentinelHost(j)}:26379`, `${LOOPBACK}:${SENTINEL_PORTS[j]}`]);
  }
  pairs.push(
    // The cold-start fallback primary (data pod 0).
    [`PRIMARY_HOST="${dataHost(0)}"; PRIMARY_PORT="6379"`, `PRIMARY_HOST="${LOOPBACK}"; PRIMARY_PORT="${DATA_PORTS[0]}"`],
    // The pod's own name and port.
    [`"$POD_NAME.redis-headless.${NS}.svc.cluster.local"`, `"${LOOPBACK}"`],
    [`"$POD_NAME.redis-sentinel-headless.${NS}.svc.cluster.local"`, `"${LOOPBACK}"`],
    [`SELF_PORT="6379"`, `SELF_PORT="${ownPort}"`],
    [`SELF_PORT="26379"`, `SELF_PORT="${ownPort}"`],
    // The Sentinel Service the preStop hook asks: Sentinel 0 here.
    [`-h ${redis.connection.host} -p 26379`, `-h ${LOOPBACK} -p ${SENTINEL_PORTS[0]}`],
    // Probes and preStop talk to the local server.
    [`-p ${kind === 'data' ? 6379 : 26379} `, `-p ${ownPort} `],
    // Config templates: own port, own working directory, loopback only.
    [`port ${kind === 'data' ? 6379 : 26379}\n`, `port ${ownPort}\n`],
    ['dir /data\n', `dir ${podDir}\n`],
    ['dir /sentinel\n', `dir ${podDir}\n`],
    ['bind * -::*\n', `bind ${LOOPBACK}\n`],
    // Mounted files: the passwords' Secret and the certificate's.
    ['/secrets/redis/', `${path.join(root, 'secrets')}/`],
    ['/tls/', `${path.join(root, 'tls')}/`],
    ['/config/redis.conf', path.join(podDir, 'redis.conf.template')],
    ['/config/sentinel.conf', path.join(podDir, 'sentinel.conf.template')],
    ['/run/redis/redis.conf', path.join(podDir, 'redis.conf')],
    ['/sentinel/sentinel.conf', path.join(podDir, 'sentinel.conf')],
  );
  let out = text;
  for (const [from, to] of pairs) {
    out = out.split(from).join(to);
  }
  return out;
}

interface Pod {
  kind: Kind;
  index: number;
  port: number;
  dir: string;
  proc?: ChildProcess;
  log: string;
}

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'redis-it-'));
const pods: Pod[] = [];
/** Every process this file started, stopped in afterAll whatever happened. */
const spawned: ChildProcess[] = [];
const { files, redis, containers, certificateNames } = render();
const exporter = containers.metrics;

/** Writes the pod's localized files and returns the path of one of them. */
function podFile(pod: Pod, name: string, as: string): string {
  const text = localize(files[name], redis, pod.kind, pod.index, pod.dir, root);
  if (text.includes('cluster.local')) {
    throw new Error(`test substitution missed a cluster name in ${name}:\n${text}`);
  }
  const p = path.join(pod.dir, as);
  fs.writeFileSync(p, text, { mode: 0o600 });
  return p;
}

const TLS_DIR = path.join(root, 'tls');
/** redis-cli over TLS, trusting the test CA. */
const TLS_ARGS = ['--tls', '--cacert', path.join(TLS_DIR, 'ca.crt')];
/** A CA that did not sign the servers' certificate. */
const otherCa = path.join(root, 'other-ca', 'ca.crt');

/** redis-cli with explicit options: a login (user and password, or none) and TLS or not. */
function rawCli(port: number, login: { user?: string; password: string }, tls: string[], ...args: string[]): string {
  return execFileSync(
    'redis-cli',
    [...tls, ...(login.user ? ['--user', login.user] : []), '--no-auth-warning', '--raw', '-h', LOOPBACK, '-p', String(port), ...args],
    {
      env: { ...process.env, REDISCLI_AUTH: login.password },
      timeout: 5000,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
    .replace(/\r/g, '')
    .trim();
}

/** A client as the construct tells it to log in: the app user on data pods, Sentinel's password on Sentinels; TLS. */
function cli(port: number, ...args: string[]): string {
  const sentinelPort = SENTINEL_PORTS.includes(port);
  return rawCli(port, { user: sentinelPort ? undefined : redis.connection.username, password: PASSWORDS.app }, TLS_ARGS, ...args);
}

/** Runs a client; returns its output, or its error text when it fails (refusals are the point). */
function attempt(run: () => string): string {
  try {
    return run();
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    return `${err.stdout ?? ''}${err.stderr ?? ''}` || err.message;
  }
}

/** A command as one ACL user, over TLS. */
function cliAs(user: RedisUser, port: number, ...args: string[]): string {
  return rawCli(port, { user, password: PASSWORDS[user] }, TLS_ARGS, ...args);
}

/**
 * TEST-ONLY substitution: a container's env as the kubelet would set it, with each secretKeyRef
 * to `<name>-auth` (key `<user>-password`) replaced by that user's password, which is what the
 * ExternalSecret writes. Any other env source fails: it would need a substitution of its own.
 */
function containerEnv(c: Container): Record<string, string> {
  const env: Record<string, string> = {};
  for (const e of c.env ?? []) {
    const ref = e.valueFrom?.secretKeyRef;
    const user = REDIS_USERS.find((u) => ref?.key === `${u}-password`);
    if (e.value !== undefined) {
      env[e.name] = e.value;
    } else if (ref && ref.name === 'redis-auth' && user) {
      env[e.name] = PASSWORDS[user];
    } else {
      throw new Error(`env ${e.name} of container ${c.name} has a source the test cannot substitute: ${JSON.stringify(e.valueFrom)}`);
    }
  }
  return env;
}

/** Runs a rendered shell script of a pod; returns its exit code and output. */
function runScript(pod: Pod, name: string): { code: number; output: string } {
  const script = podFile(pod, name, name);
  try {
    // The env of the pod's main container (probes and preStop run there), as rendered.
    const own = containerEnv(pod.kind === 'data' ? containers.redis : containers.sentinel);
    const output = execFileSync('sh', [script], {
      env: { ...process.env, ...own, POD_NAME: `${pod.kind}-${pod.index}` },
      timeout: 60000,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return { code: 0, output };
  } catch (e) {
    const err = e as { status?: number; stdout?: string; stderr?: string };
    return { code: err.status ?? -1, output: `${err.stdout ?? ''}${err.stderr ?? ''}` };
  }
}

/** Polls `probe` every 200 ms until it returns a value, at most `timeoutMs`. */
async function waitFor<T>(what: string, timeoutMs: number, probe: () => T | undefined): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  const maxTries = Math.ceil(timeoutMs / 200) + 1;
  let last: unknown;
  for (let i = 0; i < maxTries && Date.now() <= deadline; i++) {
    try {
      const v = probe();
      if (v !== undefined) {
        return v;
      }
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}\n${logs()}`);
}

function logs(): string {
  return pods.map((p) => `--- ${p.kind}-${p.index} (port ${p.port})\n${p.log.split('\n').slice(-15).join('\n')}`).join('\n');
}

/** The init container: the pod's start-up script, which writes the pod's own config file. */
function startPod(pod: Pod): string {
  const start = runScript(pod, pod.kind === 'data' ? 'start-redis.sh' : 'start-sentinel.sh');
  if (start.code !== 0) {
    throw new Error(`start-up script of ${pod.kind}-${pod.index} failed (${start.code}):\n${start.output}`);
  }
  return start.output;
}

function spawnServer(pod: Pod): void {
  if (answers(pod.port)) {
    throw new Error(`port ${pod.port} is already in use: another redis is running there; stop it first`);
  }
  const conf = path.join(pod.dir, pod.kind === 'data' ? 'redis.conf' : 'sentinel.conf');
  const proc = spawn(pod.kind === 'data' ? 'redis-server' : 'redis-sentinel', [conf], { stdio: ['ignore', 'pipe', 'pipe'] });
  pod.log = '';
  proc.stdout?.on('data', (d: Buffer) => (pod.log += d.toString()));
  proc.stderr?.on('data', (d: Buffer) => (pod.log += d.toString()));
  pod.proc = proc;
  spawned.push(proc);
}

/** Whether something answers on a loopback port. */
function answers(port: number): boolean {
  try {
    cli(port, 'PING');
    return true;
  } catch {
    return false;
  }
}

/** A pod: its template (the ConfigMap mount), its init container, then its server. */
async function bootPod(pod: Pod): Promise<string> {
  podFile(pod, pod.kind === 'data' ? 'redis.conf' : 'sentinel.conf', pod.kind === 'data' ? 'redis.conf.template' : 'sentinel.conf.template');
  const output = startPod(pod);
  spawnServer(pod);
  await waitFor(`${pod.kind}-${pod.index} to answer PING`, 10000, () => (cli(pod.port, 'PING') === 'PONG' ? true : undefined));
  return output;
}

function primaryFromSentinel(port: number): string {
  return cli(port, 'SENTINEL', 'get-master-addr-by-name', redis.masterSetName).split('\n').join(':');
}

function killPod(pod: Pod): Promise<void> {
  const proc = pod.proc;
  pod.proc = undefined;
  return stopProcess(proc, 'SIGKILL');
}

/**
 * TEST-ONLY substitution for the exporter sidecar: its env as containerEnv gives it, except that
 * REDIS_ADDR's port (the data pod's 6379 on localhost) becomes the loopback port of `port`, the
 * CA file of the /tls mount becomes the test CA's, and the password is `password` (to try a wrong one).
 */
function exporterEnv(port: number, password: string): Record<string, string> {
  const env = containerEnv(exporter);
  const local = env.REDIS_ADDR.replace(new RegExp(`:${redis.connection.ports.redis}$`), `:${port}`);
  if (local === env.REDIS_ADDR) {
    throw new Error(`test substitution missed the port in REDIS_ADDR=${env.REDIS_ADDR}`);
  }
  env.REDIS_ADDR = local;
  if (env.REDIS_EXPORTER_TLS_CA_CERT_FILE) {
    env.REDIS_EXPORTER_TLS_CA_CERT_FILE = env.REDIS_EXPORTER_TLS_CA_CERT_FILE.replace(/^\/tls\//, `${TLS_DIR}/`);
  }
  env.REDIS_PASSWORD = password;
  return env;
}

/** A free loopback port (the exporter's 9121 may be taken on this machine). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, LOOPBACK, () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

interface Exporter {
  proc: ChildProcess;
  listen: number;
  log: () => string;
}

/**
 * The exporter sidecar: the binary with the container's args and env (see exporterEnv), listening
 * on a free loopback port (`--web.listen-address`, TEST-ONLY: the pod listens on the default
 * :9121). Resolves once `readinessPath` answers 200.
 */
async function startExporter(dataPort: number, password: string, readinessPath: string): Promise<Exporter> {
  if (exporter.command) {
    throw new Error(`the exporter container sets a command (${exporter.command.join(' ')}); the test runs the image's entrypoint`);
  }
  const listen = await freePort();
  const args = [...(exporter.args ?? []), `--web.listen-address=${LOOPBACK}:${listen}`];
  const proc = spawn(EXPORTER_BIN, args, { env: exporterEnv(dataPort, password), stdio: ['ignore', 'pipe', 'pipe'] });
  spawned.push(proc);
  let log = '';
  proc.stdout?.on('data', (d: Buffer) => (log += d.toString()));
  proc.stderr?.on('data', (d: Buffer) => (log += d.toString()));
  const deadline = Date.now() + 10000;
  while ((await httpGet(listen, readinessPath)).status !== 200) {
    if (proc.exitCode !== null || Date.now() > deadline) {
      await stopProcess(proc, 'SIGKILL');
      throw new Error(`exporter on ${LOOPBACK}:${listen} did not answer ${readinessPath} with 200 (exit ${proc.exitCode}):\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { proc, listen, log: () => log };
}

beforeAll(() => {
  fs.mkdirSync(path.join(root, 'secrets'));
  for (const user of REDIS_USERS) {
    fs.writeFileSync(path.join(root, 'secrets', `${user}-password`), PASSWORDS[user], { mode: 0o600 });
  }
  // The certificate cert-manager would issue: the rendered names, plus 127.0.0.1 (TEST-ONLY: here
  // every pod's name is 127.0.0.1).
  makeCertificates(TLS_DIR, undefined, [...certificateNames, LOOPBACK]);
  makeCertificates(path.join(root, 'other-ca'), undefined, [LOOPBACK]);
  for (const kind of ['data', 'sentinel'] as const) {
    for (let i = 0; i < 3; i++) {
      const dir = path.join(root, `${kind}-${i}`);
      fs.mkdirSync(dir);
      pods.push({ kind, index: i, port: kind === 'data' ? DATA_PORTS[i] : SENTINEL_PORTS[i], dir, log: '' });
    }
  }
});

afterAll(async () => {
  await Promise.all(spawned.map((p) => stopProcess(p, 'SIGTERM')));
  fs.rmSync(root, { recursive: true, force: true });
});

const data = (i: number): Pod => pods[i];
const sentinel = (i: number): Pod => pods[3 + i];

describe('RedisSentinel against redis-server and redis-sentinel 7.0.15 (the deployed version)', () => {
  test('cold start: pod 0 becomes primary, the others replicate it, Sentinels find it without being told', async () => {
    expect(await bootPod(data(0))).toMatch(/cold start/);
    expect(await bootPod(data(1))).toMatch(/reports role master/);
    expect(await bootPod(data(2))).toMatch(/reports role master/);
    for (let i = 0; i < 3; i++) {
      await bootPod(sentinel(i));
    }
    expect(cli(data(0).port, 'ROLE').split('\n')[0]).toBe('master');
    for (const i of [1, 2]) {
      await waitFor(`replica ${i} in sync`, 15000, () =>
        cli(data(i).port, 'INFO', 'replication').includes('master_link_status:up') ? true : undefined,
      );
    }
    for (let i = 0; i < 3; i++) {
      expect(primaryFromSentinel(sentinel(i).port)).toBe(`${LOOPBACK}:${DATA_PORTS[0]}`);
    }
    // Every Sentinel sees the other two (hello messages through the primary).
    await waitFor('Sentinels to discover each other', 15000, () =>
      [0, 1, 2].every((i) => cli(sentinel(i).port, 'SENTINEL', 'ckquorum', redis.masterSetName).startsWith('OK 3 usable')) ? true : undefined,
    );
  });

  test('persistence and limits are the rendered ones: AOF on, everysec, save points, maxmemory', () => {
    const p = data(0).port;
    // CONFIG GET is the monitor user's (the app user has no @admin command).
    const cli = (port: number, ...args: string[]): string => cliAs('monitor', port, ...args);
    expect(cli(p, 'CONFIG', 'GET', 'appendonly')).toBe('appendonly\nyes');
    expect(cli(p, 'CONFIG', 'GET', 'appendfsync')).toBe('appendfsync\neverysec');
    expect(cli(p, 'CONFIG', 'GET', 'save')).toBe('save\n3600 1 300 100 60 10000');
    expect(cli(p, 'CONFIG', 'GET', 'maxmemory')).toBe(`maxmemory\n${redis.maxmemoryBytes}`);
    expect(cli(p, 'CONFIG', 'GET', 'min-replicas-to-write')).toBe('min-replicas-to-write\n1');
    expect(cli(data(1).port, 'CONFIG', 'GET', 'replica-announce-ip')).toBe(`replica-announce-ip\n${LOOPBACK}`);
  });

  test('TLS only: plaintext is refused on data pods and Sentinels, TLS verified with the cluster CA is served, replication runs over TLS', () => {
    for (const port of [data(0).port, data(1).port, sentinel(0).port]) {
      // No plaintext port at all (port 0): a plaintext client gets no answer.
      expect(attempt(() => rawCli(port, { password: PASSWORDS.app }, [], 'PING'))).not.toMatch(/PONG/);
      // A client that trusts another CA refuses the server's certificate.
      expect(attempt(() => rawCli(port, { password: PASSWORDS.app }, ['--tls', '--cacert', otherCa], 'PING'))).toMatch(/TLS|SSL|certificate/i);
      expect(cli(port, 'PING')).toBe('PONG');
    }
    expect(cliAs('monitor', data(0).port, 'CONFIG', 'GET', 'port')).toBe('port\n0');
    expect(cliAs('monitor', data(0).port, 'CONFIG', 'GET', 'tls-replication')).toBe('tls-replication\nyes');
    // The replicas reached the primary, which has no plaintext port: replication is TLS.
    expect(cliAs('monitor', data(0).port, 'INFO', 'replication')).toMatch(/connected_slaves:2/);
  });

  test('ACL: the default user is off, and each user can run only what it needs', () => {
    const primary = data(0).port;
    for (const port of [primary, data(1).port]) {
      expect(attempt(() => rawCli(port, { password: '' }, TLS_ARGS, 'PING'))).toMatch(/NOAUTH/);
      expect(attempt(() => rawCli(port, { password: '' }, TLS_ARGS, 'AUTH', 'default', PASSWORDS.app))).toMatch(/WRONGPASS/);
    }
    expect(attempt(() => rawCli(sentinel(0).port, { password: '' }, TLS_ARGS, 'PING'))).toMatch(/NOAUTH/);
    expect(attempt(() => rawCli(sentinel(0).port, { password: '' }, TLS_ARGS, 'AUTH', `${PASSWORDS.app}-wrong`))).toMatch(/WRONGPASS/);
    // app: keys, scripts, INFO and ROLE (client libraries), nothing that reconfigures the server.
    expect(cliAs('app', primary, 'SET', 'acl:probe', 'v')).toBe('OK');
    expect(cliAs('app', primary, 'GET', 'acl:probe')).toBe('v');
    expect(cliAs('app', primary, 'EVAL', "return redis.call('GET', KEYS[1])", '1', 'acl:probe')).toBe('v');
    expect(cliAs('app', primary, 'INFO', 'server')).toMatch(/redis_version:7\.0\.15/);
    expect(cliAs('app', primary, 'ROLE').split('\n')[0]).toBe('master');
    const denied: [RedisUser, string[]][] = [
      ['app', ['CONFIG', 'SET', 'maxmemory', '1']],
      ['app', ['REPLICAOF', 'NO', 'ONE']],
      ['app', ['ACL', 'LIST']],
      ['app', ['FLUSHALL']],
      ['app', ['SHUTDOWN']],
      ['replication', ['GET', 'acl:probe']],
      ['replication', ['INFO']],
      ['failover', ['GET', 'acl:probe']],
      ['failover', ['SET', 'acl:probe', 'x']],
      ['monitor', ['GET', 'acl:probe']],
      ['monitor', ['CONFIG', 'SET', 'maxmemory', '1']],
    ];
    const refused = denied.map(([user, cmd]) => `${user} ${cmd.join(' ')}: ${attempt(() => cliAs(user, primary, ...cmd))}`);
    for (const line of refused) {
      expect(line).toMatch(/NOPERM/);
    }
    // Allowed for the users that need them.
    expect(cliAs('replication', primary, 'PING')).toBe('PONG');
    expect(cliAs('failover', primary, 'ROLE').split('\n')[0]).toBe('master');
    expect(cliAs('monitor', primary, 'INFO', 'replication')).toMatch(/role:master/);
    expect(cli(primary, 'GET', 'acl:probe')).toBe('v');
    console.log(`redis integration: ${refused.length} commands refused with NOPERM`);
  });

  test('probes pass on a healthy primary, replica and Sentinel', () => {
    for (const pod of [data(0), data(1)]) {
      expect(runScript(pod, 'redis-liveness.sh').code).toBe(0);
      expect(runScript(pod, 'redis-readiness.sh').code).toBe(0);
    }
    expect(runScript(sentinel(1), 'sentinel-liveness.sh').code).toBe(0);
    expect(runScript(sentinel(1), 'sentinel-readiness.sh').code).toBe(0);
    // preStop on a replica returns at once.
    expect(runScript(data(1), 'redis-prestop.sh').code).toBe(0);
  });

  test('the metrics sidecar, run as rendered, scrapes the primary; a wrong password gives redis_up 0', async () => {
    // The pod listens on the exporter's default address (the container sets none); the metrics
    // port and the readiness probe must be that port.
    const env = exporterEnv(data(0).port, PASSWORDS.monitor);
    expect(Object.keys(env).some((k) => k.includes('LISTEN'))).toBe(false);
    expect((exporter.args ?? []).some((a) => a.includes('listen-address'))).toBe(false);
    const help = spawnSync(EXPORTER_BIN, ['--help'], { env, encoding: 'utf8', timeout: 5000 });
    const defaultListen = /-web\.listen-address string\s+[^\n]*\n?[^\n]*\(default "([^"]*)"\)/.exec(`${help.stdout}${help.stderr}`);
    expect(defaultListen?.[1]).toBe(':9121');
    const probe = exporter.readinessProbe?.httpGet;
    expect(probe?.port).toBe('metrics');
    expect(exporter.ports?.find((p) => p.name === probe?.port)?.containerPort).toBe(9121);
    const readinessPath = probe?.path ?? '/';

    // Commands the server refused for want of permission (INFO errorstats), as the monitor user sees them.
    const refusals = (): number => Number(/^errorstat_NOPERM:count=(\d+)$/m.exec(cliAs('monitor', data(0).port, 'INFO', 'errorstats'))?.[1] ?? 0);
    const counted = refusals();
    expect(attempt(() => cliAs('monitor', data(0).port, 'GET', 'any'))).toMatch(/NOPERM/);
    expect(refusals()).toBe(counted + 1); // the counter sees a refusal
    const refusalsBefore = refusals();
    const stopped: Exporter[] = [];
    try {
      const good = await startExporter(data(0).port, PASSWORDS.monitor, readinessPath);
      stopped.push(good);
      expect((await httpGet(good.listen, readinessPath)).status).toBe(200);
      const metrics = await httpGet(good.listen, '/metrics');
      expect(metrics.status).toBe(200);
      const matched = [
        /^redis_up 1$/m,
        // data-0 is the primary with both replicas attached (cold start test).
        /^redis_connected_slaves 2$/m,
        /^redis_instance_info\{[^}]*role="master"[^}]*\} 1$/m,
        /^redis_aof_enabled 1$/m,
        // CONFIG GET and SLOWLOG LEN ran as the monitor user (its ACL lets them).
        /^redis_config_maxmemory \S+$/m,
        /^redis_slowlog_length \d+$/m,
        /^redis_exporter_last_scrape_error\{err=""\} 0$/m,
      ].map((re) => {
        const m = re.exec(metrics.body);
        if (!m) {
          throw new Error(
            `no ${re} in the exporter's /metrics:\n${metrics.body
              .split('\n')
              .filter((l) => l.startsWith('redis_'))
              .join('\n')}\n${good.log()}`,
          );
        }
        return m[0];
      });

      expect(Number(/^redis_config_maxmemory (\S+)$/m.exec(metrics.body)?.[1])).toBe(redis.maxmemoryBytes);
      // No command of the scrape was refused: the server's NOPERM count did not move.
      expect(refusals()).toBe(refusalsBefore);
      expect(good.log()).not.toMatch(/NOPERM|permission/i);
      const bad = await startExporter(data(0).port, `${PASSWORDS.monitor}-wrong`, readinessPath);
      stopped.push(bad);
      const refused = await httpGet(bad.listen, '/metrics');
      expect(refused.body).toMatch(/^redis_up 0$/m);
      expect(refused.body).not.toMatch(/^redis_up 1$/m);
      console.log(`redis integration: exporter matched ${matched.join(' | ')}; wrong password: ${/^redis_up 0$/m.exec(refused.body)?.[0]}`);
    } finally {
      await Promise.all(stopped.map((e) => stopProcess(e.proc, 'SIGTERM')));
    }
  });

  test('kill the primary: a replica is promoted within the failover timeout and keeps the data', async () => {
    const primary = data(0);
    // min-replicas-to-write 1: the primary takes writes once a replica has acknowledged (about 1 s after sync).
    await waitFor('the primary to accept writes', 10000, () => (cli(primary.port, 'SET', 'invoice:42', 'paid') === 'OK' ? true : undefined));
    // Both replicas have the write before the primary dies.
    expect(cli(primary.port, 'WAIT', '2', '5000')).toBe('2');

    const killedAt = Date.now();
    await killPod(primary);
    const promoted = await waitFor('Sentinel to promote a replica', DOWN_AFTER_MS + FAILOVER_TIMEOUT_MS, () => {
      const addr = primaryFromSentinel(sentinel(0).port);
      return addr !== `${LOOPBACK}:${DATA_PORTS[0]}` ? addr : undefined;
    });
    const elapsed = Date.now() - killedAt;
    // The dead primary fails its liveness probe (it would be restarted).
    expect(runScript(primary, 'redis-liveness.sh').code).not.toBe(0);
    expect(elapsed).toBeLessThanOrEqual(DOWN_AFTER_MS + FAILOVER_TIMEOUT_MS);
    const newPort = Number(promoted.split(':')[1]);
    expect([DATA_PORTS[1], DATA_PORTS[2]]).toContain(newPort);
    await waitFor('the new primary to report role master', 10000, () => (cli(newPort, 'ROLE').split('\n')[0] === 'master' ? true : undefined));
    expect(cli(newPort, 'GET', 'invoice:42')).toBe('paid');
    // All Sentinels agree, and the new primary takes writes (the other replica follows it).
    for (let i = 0; i < 3; i++) {
      await waitFor(`Sentinel ${i} to name the new primary`, 10000, () => (primaryFromSentinel(sentinel(i).port) === promoted ? true : undefined));
    }
    await waitFor('the new primary to accept writes', 15000, () => (cli(newPort, 'SET', 'after', 'failover') === 'OK' ? true : undefined));
    console.log(`redis integration: failover took ${elapsed} ms (down-after ${DOWN_AFTER_MS} ms, failover-timeout ${FAILOVER_TIMEOUT_MS} ms)`);
  });

  test('the old primary restarts as a replica of the new one (start-up script asks Sentinel)', async () => {
    const promoted = primaryFromSentinel(sentinel(0).port);
    const output = await bootPod(data(0));
    expect(output).toContain(`Sentinel ${LOOPBACK}:${SENTINEL_PORTS[0]} names primary ${promoted}`);
    await waitFor('the old primary to sync from the new one', 15000, () =>
      cli(data(0).port, 'INFO', 'replication').includes('master_link_status:up') ? true : undefined,
    );
    expect(cli(data(0).port, 'ROLE').split('\n')[0]).toBe('slave');
    expect(cli(data(0).port, 'GET', 'invoice:42')).toBe('paid');
    expect(cli(data(0).port, 'GET', 'after')).toBe('failover');
    expect(runScript(data(0), 'redis-readiness.sh').code).toBe(0);
  });

  test('preStop on the primary hands its role to a replica before it stops', async () => {
    const before = primaryFromSentinel(sentinel(0).port);
    const pod = pods.find((p) => p.kind === 'data' && `${LOOPBACK}:${p.port}` === before)!;
    const result = runScript(pod, 'redis-prestop.sh');
    expect(result.output).toContain('asks Sentinel for a failover');
    expect(result.code).toBe(0);
    expect(cli(pod.port, 'ROLE').split('\n')[0]).toBe('slave');
    await waitFor('Sentinel to name another primary', 10000, () => (primaryFromSentinel(sentinel(0).port) !== before ? true : undefined));
  });
});
