/**
 * Pure functions that render what a Redis data pod and a Sentinel pod run: `redis.conf`,
 * `sentinel.conf`, the start-up scripts that add the per-pod and secret lines, and the probe
 * scripts. They take plain values (no constructs), so tests render them directly and the
 * integration test runs them against real `redis-server` and `redis-sentinel` processes.
 *
 * Upstream references: redis/redis `redis.conf` and `sentinel.conf` (7.x), and
 * https://redis.io/docs/latest/operate/oss_and_stack/management/sentinel/
 */

import type { TlsFiles } from '../lib/tls';

/** Port of a Redis data server. */
export const REDIS_PORT = 6379;
/** Port of a Sentinel. */
export const SENTINEL_PORT = 26379;
/** Port of oliver006/redis_exporter. */
export const EXPORTER_PORT = 9121;

/**
 * The ACL users of a data pod, each with its own password (Secret key `<user>-password`). The
 * `default` user is off: a connection without AUTH can run nothing.
 * - `app`: the application, with `appAcl` (see DEFAULT_APP_ACL). Sentinel's own password is the
 *   app's too: Sentinel has no ACL users here, and every client that may use Redis must ask it.
 * - `replication`: replicas to the primary (`masteruser`): PSYNC, REPLCONF, PING only.
 * - `failover`: Sentinels to the data pods (`sentinel auth-user`): the commands the Redis
 *   Sentinel docs list for a Sentinel user, nothing that reads or writes keys.
 * - `monitor`: the exporter, probes and start-up scripts: INFO, ROLE, CONFIG GET and the like, no key access.
 */
export const REDIS_USERS = ['app', 'replication', 'failover', 'monitor'] as const;
export type RedisUser = (typeof REDIS_USERS)[number];

/**
 * The app user's default rules: every key and channel and every command except the `@dangerous`
 * ones (CONFIG, REPLICAOF, SHUTDOWN, DEBUG, MONITOR, ACL, CLIENT KILL/LIST, FLUSHALL, FLUSHDB,
 * KEYS, SORT...), plus INFO and ROLE, which client libraries run on connect (ioredis' ready
 * check, Sentinel role checks).
 */
export const DEFAULT_APP_ACL = '~* &* +@all -@dangerous +info +role';
/** Rules of the replication user (Redis docs, "ACL rules for Sentinel and Replicas"). */
export const REPLICATION_ACL = '-@all +psync +replconf +ping';
/** Rules of the user Sentinels log in to data pods with (Redis Sentinel docs, "Redis Access Control List authentication"). */
export const FAILOVER_ACL =
  '&* -@all +multi +slaveof +ping +exec +subscribe +config|rewrite +role +publish +info +client|setname +client|kill +script|kill';
/**
 * Rules of the monitor user: what oliver006/redis_exporter runs by default (INFO, CONFIG GET,
 * SLOWLOG, LATENCY, CLIENT LIST, ROLE; checked with ACL LOG against the real exporter) and what
 * the probes ask. No key is readable.
 */
export const MONITOR_ACL =
  '-@all +@connection +info +role +config|get +client|list +slowlog|get +slowlog|len +latency|latest +latency|histogram +memory|stats';

/** The TLS files a server or redis-cli uses, once the certificate secret is mounted. */
export type RedisTlsFiles = Pick<TlsFiles, 'cert' | 'key' | 'ca'>;

/**
 * The config lines that make a server (data pod or Sentinel) listen on TLS only: `port 0`, the
 * certificate, and TLS for its own outgoing links (`tls-replication`: replicas to the primary,
 * Sentinels to data pods and to each other). Clients authenticate with ACL passwords, not client
 * certificates (`tls-auth-clients no`), as application pods in other namespaces have none.
 */
function listenLines(port: number, tls: RedisTlsFiles | undefined): string[] {
  if (!tls) {
    return [`port ${port}`];
  }
  return [
    'port 0',
    `tls-port ${port}`,
    `tls-cert-file ${tls.cert}`,
    `tls-key-file ${tls.key}`,
    `tls-ca-cert-file ${tls.ca}`,
    'tls-auth-clients no',
    'tls-replication yes',
    'tls-protocols "TLSv1.2 TLSv1.3"',
  ];
}

/** The redis-cli options of scripts and probes: TLS with the cluster CA, and an ACL user. */
export function cliOptions(tls: RedisTlsFiles | undefined, user?: RedisUser): string {
  return [...(tls ? ['--tls', `--cacert ${tls.ca}`] : []), ...(user ? [`--user ${user}`] : []), '--no-auth-warning', '--raw'].join(' ');
}

/** One RDB save point: snapshot after `afterSeconds` if at least `minChanges` keys changed. */
export interface SavePoint {
  readonly afterSeconds: number;
  readonly minChanges: number;
}

/** The save points of upstream redis.conf: 1 change in an hour, 100 in 5 minutes, 10000 in a minute. */
export const DEFAULT_SAVE_POINTS: readonly SavePoint[] = [
  { afterSeconds: 3600, minChanges: 1 },
  { afterSeconds: 300, minChanges: 100 },
  { afterSeconds: 60, minChanges: 10000 },
];

/** How often the AOF is fsynced (`appendfsync`). */
export class AppendFsync {
  /** After every write: safest, slowest. */
  public static readonly ALWAYS = new AppendFsync('always');
  /** Once a second: at most one second of writes lost on a crash. Upstream's default. */
  public static readonly EVERYSEC = new AppendFsync('everysec');
  /** When the kernel flushes (about every 30 s on Linux). */
  public static readonly NO = new AppendFsync('no');
  private constructor(public readonly value: string) {}
}

/** The eviction policies Redis 7 knows (`maxmemory-policy`). */
export const MAXMEMORY_POLICIES = [
  'noeviction',
  'allkeys-lru',
  'allkeys-lfu',
  'allkeys-random',
  'volatile-lru',
  'volatile-lfu',
  'volatile-random',
  'volatile-ttl',
] as const;

/** What Redis does when `maxmemory` is reached. */
export class MaxmemoryPolicy {
  /** Refuse writes that need memory: nothing is ever evicted silently. Upstream's default. */
  public static readonly NOEVICTION = new MaxmemoryPolicy('noeviction');
  /** Evict the least recently used key: a pure cache. */
  public static readonly ALLKEYS_LRU = new MaxmemoryPolicy('allkeys-lru');
  /** Evict the least frequently used key. */
  public static readonly ALLKEYS_LFU = new MaxmemoryPolicy('allkeys-lfu');
  /** Evict the least recently used key among those with a TTL: a cache mixed with durable keys. */
  public static readonly VOLATILE_LRU = new MaxmemoryPolicy('volatile-lru');
  /** Evict the key with the nearest expiry. */
  public static readonly VOLATILE_TTL = new MaxmemoryPolicy('volatile-ttl');

  /** Any policy by name; the construct rejects names Redis does not know. */
  public static of(value: string): MaxmemoryPolicy {
    return new MaxmemoryPolicy(value);
  }

  private constructor(public readonly value: string) {}

  /** Whether Redis 7 knows this policy. */
  public get isKnown(): boolean {
    return (MAXMEMORY_POLICIES as readonly string[]).includes(this.value);
  }
}

export interface RedisServerConfig {
  readonly port: number;
  /** Working directory: AOF directory and RDB file. */
  readonly dataDir: string;
  readonly maxmemoryBytes: number;
  readonly maxmemoryPolicy: string;
  /** An empty list disables RDB snapshots (`save ""`). */
  readonly savePoints: readonly SavePoint[];
  readonly appendfsync: string;
  /** `min-replicas-to-write` on the primary; 0 disables it. */
  readonly minReplicasToWrite: number;
  readonly minReplicasMaxLagSeconds: number;
  /** Serve TLS only, with these files. @default - plaintext */
  readonly tls?: RedisTlsFiles;
}

/**
 * The shared part of `redis.conf`, identical on every data pod and free of secrets. Each pod's
 * start-up script appends `redisRuntimeConf()` and, on a replica, `replicaOfLine()`.
 */
export function renderRedisConf(c: RedisServerConfig): string {
  const save = c.savePoints.length === 0 ? '""' : c.savePoints.map((s) => `${s.afterSeconds} ${s.minChanges}`).join(' ');
  return [
    '# Rendered by RedisSentinel; per-pod and secret lines are appended at start-up.',
    // Listen on every interface (IPv6 optional: "-" lets start-up succeed on IPv4-only pods).
    'bind * -::*',
    ...listenLines(c.port, c.tls),
    'daemonize no',
    'logfile ""',
    `dir ${c.dataDir}`,
    '# Persistence: RDB snapshots for backups and fast restarts, AOF for durability between them.',
    `save ${save}`,
    'dbfilename dump.rdb',
    'stop-writes-on-bgsave-error yes',
    'appendonly yes',
    'appendfilename "appendonly.aof"',
    'appenddirname "appendonlydir"',
    `appendfsync ${c.appendfsync}`,
    'aof-use-rdb-preamble yes',
    'auto-aof-rewrite-percentage 100',
    'auto-aof-rewrite-min-size 64mb',
    '# Memory: below the container limit, leaving room for fork copy-on-write and buffers.',
    `maxmemory ${c.maxmemoryBytes}`,
    `maxmemory-policy ${c.maxmemoryPolicy}`,
    '# Replication: a primary cut off from its replicas stops taking writes (bounds split-brain loss).',
    `min-replicas-to-write ${c.minReplicasToWrite}`,
    `min-replicas-max-lag ${c.minReplicasMaxLagSeconds}`,
    'replica-read-only yes',
    'replica-serve-stale-data yes',
    'repl-diskless-sync yes',
    'tcp-keepalive 60',
    '',
  ].join('\n');
}

/** A password per ACL user, or shell expansions such as `${APP_PASSWORD}` when rendered into a script. */
export type Passwords = Readonly<Record<RedisUser, string>>;

export interface RedisRuntimeValues {
  readonly passwords: Passwords;
  /** Rules of the app user. */
  readonly appAcl: string;
  /** The name replicas and Sentinel use for this pod: its stable DNS name, never its IP. */
  readonly announceHost: string;
}

/**
 * Per-pod and secret lines of `redis.conf`: the ACL users and the announced hostname. Sentinel's
 * `CONFIG REWRITE` keeps the users (with hashed passwords) in the rewritten file.
 */
export function redisRuntimeConf(v: RedisRuntimeValues): string {
  const p = v.passwords;
  return [
    'user default off resetpass -@all',
    `user app on >${p.app} ${v.appAcl}`,
    `user replication on >${p.replication} ${REPLICATION_ACL}`,
    `user failover on >${p.failover} ${FAILOVER_ACL}`,
    `user monitor on >${p.monitor} ${MONITOR_ACL}`,
    'masteruser replication',
    `masterauth "${p.replication}"`,
    `replica-announce-ip ${v.announceHost}`,
    '',
  ].join('\n');
}

/** The line that makes a pod a replica of the current primary. */
export function replicaOfLine(primaryHost: string, port: number): string {
  return `replicaof ${primaryHost} ${port}\n`;
}

export interface SentinelConfig {
  readonly port: number;
  /** Sentinel's working directory, writable. */
  readonly dir: string;
  /** Serve TLS only, and reach data pods and other Sentinels over TLS. @default - plaintext */
  readonly tls?: RedisTlsFiles;
}

/**
 * The shared part of `sentinel.conf`. Sentinel rewrites its config file at run time (it records
 * the current primary, the replicas and the other Sentinels there), so the start-up script copies
 * this into a writable volume and appends `sentinelRuntimeConf()` and `sentinelMonitorConf()`.
 */
export function renderSentinelConf(c: SentinelConfig): string {
  return [
    '# Rendered by RedisSentinel; per-pod, secret and monitor lines are appended at start-up.',
    'bind * -::*',
    ...listenLines(c.port, c.tls),
    'daemonize no',
    'logfile ""',
    `dir ${c.dir}`,
    '# Pods come and go with new IPs: announce and resolve stable DNS names instead.',
    'sentinel resolve-hostnames yes',
    'sentinel announce-hostnames yes',
    '# SENTINEL SET could make a Sentinel run scripts; nobody may change them at run time.',
    'sentinel deny-scripts-reconfig yes',
    '',
  ].join('\n');
}

export interface SentinelRuntimeValues {
  /** Sentinel's own password: the app user's (every client of Redis asks Sentinel first). */
  readonly password: string;
  readonly announceHost: string;
}

/** Per-pod and secret lines of `sentinel.conf`: Sentinel's own auth and its announced hostname. */
export function sentinelRuntimeConf(v: SentinelRuntimeValues): string {
  return [
    `sentinel announce-ip ${v.announceHost}`,
    // Sentinels require the password too, and present it to each other.
    `requirepass "${v.password}"`,
    `sentinel sentinel-pass "${v.password}"`,
    '',
  ].join('\n');
}

export interface SentinelMonitorValues {
  readonly masterSet: string;
  readonly primaryHost: string;
  /** A number, or a shell expansion when rendered into a script. */
  readonly primaryPort: number | string;
  readonly quorum: number;
  /** Password of the `failover` user, which Sentinel logs in to the data pods as. */
  readonly failoverPassword: string;
  readonly downAfterMs: number;
  readonly failoverTimeoutMs: number;
  readonly parallelSyncs: number;
}

/** The monitored primary and its failover settings; must follow `sentinel monitor` in the file. */
export function sentinelMonitorConf(v: SentinelMonitorValues): string {
  return [
    `sentinel monitor ${v.masterSet} ${v.primaryHost} ${v.primaryPort} ${v.quorum}`,
    `sentinel auth-user ${v.masterSet} failover`,
    `sentinel auth-pass ${v.masterSet} "${v.failoverPassword}"`,
    `sentinel down-after-milliseconds ${v.masterSet} ${v.downAfterMs}`,
    `sentinel failover-timeout ${v.masterSet} ${v.failoverTimeoutMs}`,
    `sentinel parallel-syncs ${v.masterSet} ${v.parallelSyncs}`,
    '',
  ].join('\n');
}

/** A host and port a script talks to. */
export interface Endpoint {
  readonly host: string;
  readonly port: number;
}

export interface StartScriptValues {
  /** Directory of the password files (a Secret volume), one `<user>-password` per user. */
  readonly passwordDir: string;
  /** The users whose passwords this script reads into `<USER>_PASSWORD`. */
  readonly users: readonly RedisUser[];
  /** This pod's announced name; may use shell expansions (`$POD_NAME`). */
  readonly selfHost: string;
  /** The port this pod serves (a data pod never asks itself). */
  readonly selfPort: number;
  /** Every Sentinel, asked in order for the current primary. */
  readonly sentinels: readonly Endpoint[];
  /** Every data pod, asked in order (after the Sentinels) whether it is a primary. */
  readonly dataPods: readonly Endpoint[];
  /** The primary of a cold start, when nobody answers: the first data pod. */
  readonly fallbackPrimary: Endpoint;
  readonly masterSet: string;
  /** TLS to every peer. @default - plaintext */
  readonly tls?: RedisTlsFiles;
  /** Seconds one question may take before the next peer is asked. @default 3 */
  readonly askTimeoutSeconds?: number;
}

/** Characters a password may hold: it is written into config values and ACL rules unquoted. */
export const PASSWORD_CHARSET = 'A-Za-z0-9._~+=/@%^-';

/** The shell variable a script holds a user's password in. */
export function passwordVar(user: RedisUser): string {
  return `${user.toUpperCase()}_PASSWORD`;
}

/**
 * The shell preamble both start-up scripts share: read and check the passwords, then find the
 * current primary. Sentinels are asked first (they know about failovers; Sentinel's password is
 * the app user's), then the data pods (`ROLE`, as the monitor user), and only when nobody
 * answers (a cold start of the whole set) is the first data pod the primary. Every question is
 * bounded by `timeout`, so a dead peer never hangs the pod.
 */
function discoverPrimaryScript(v: StartScriptValues): string {
  const t = v.askTimeoutSeconds ?? 3;
  const sentinels = v.sentinels.map((s) => `${s.host}:${s.port}`).join(' ');
  const dataPods = v.dataPods.map((s) => `${s.host}:${s.port}`).join(' ');
  const reads = v.users.map((u) => `${passwordVar(u)}="$(password ${u})"\n`).join('');
  return `set -euf
umask 077
# password USER: the user's password file, checked.
password() {
  value="$(cat "${v.passwordDir}/$1-password")"
  case "$value" in
    '' | *[!${PASSWORD_CHARSET}]*)
      echo "start: the $1 password is empty or has characters outside [${PASSWORD_CHARSET}]" >&2
      exit 1 ;;
  esac
  printf '%s' "$value"
}
${reads}SELF="${v.selfHost}"
SELF_PORT="${v.selfPort}"
# ask HOST:PORT PASSWORD [--user USER] COMMAND...: one bounded question; prints the raw answer, or nothing.
ask() {
  to="$1"; auth="$2"; shift 2
  REDISCLI_AUTH="$auth" timeout ${t} redis-cli ${cliOptions(v.tls)} -h "\${to%:*}" -p "\${to##*:}" "$@" 2>/dev/null | tr -d '\\r' || true
}
PRIMARY_HOST=""
PRIMARY_PORT=""
for peer in ${sentinels}; do
  answer="$(ask "$peer" "$APP_PASSWORD" SENTINEL get-master-addr-by-name '${v.masterSet}' | sed -n '1p;2p' | tr '\\n' ' ')"
  set -- $answer
  # Two words, the second a port: anything else (an error, no answer) is not an address.
  if [ $# -eq 2 ] && [ -n "$1" ] && [ "$2" -gt 0 ] 2>/dev/null; then
    PRIMARY_HOST="$1"; PRIMARY_PORT="$2"; echo "start: Sentinel $peer names primary $1:$2"; break
  fi
done
if [ -z "$PRIMARY_HOST" ]; then
  for peer in ${dataPods}; do
    [ "$peer" = "$SELF:$SELF_PORT" ] && continue
    if [ "$(ask "$peer" "$MONITOR_PASSWORD" --user monitor ROLE | sed -n 1p)" = master ]; then
      PRIMARY_HOST="\${peer%:*}"; PRIMARY_PORT="\${peer##*:}"; echo "start: $peer reports role master"; break
    fi
  done
fi
if [ -z "$PRIMARY_HOST" ]; then
  PRIMARY_HOST="${v.fallbackPrimary.host}"; PRIMARY_PORT="${v.fallbackPrimary.port}"
  echo "start: no Sentinel or data pod answered: cold start, primary is $PRIMARY_HOST"
fi
`;
}

/** `${NAME_PASSWORD}` of every user: the script's expansions of the passwords it read. */
function passwordExpansions(): Passwords {
  return Object.fromEntries(REDIS_USERS.map((u) => [u, `\${${passwordVar(u)}}`])) as Record<RedisUser, string>;
}

export interface RedisStartScriptValues extends StartScriptValues {
  /** The shared redis.conf (ConfigMap). */
  readonly templateFile: string;
  /** The pod's own redis.conf, on a writable volume. */
  readonly targetFile: string;
  /** Rules of the app user. */
  readonly appAcl: string;
}

/**
 * Start-up of a data pod (init container): writes its redis.conf with the ACL users, its
 * announced name, and `replicaof` unless it is the primary. The file lives on a writable volume,
 * because Sentinel sends `CONFIG REWRITE` after every reconfiguration.
 */
export function redisStartScript(v: RedisStartScriptValues): string {
  return `#!/bin/sh
${discoverPrimaryScript(v)}cp '${v.templateFile}' '${v.targetFile}'
cat >> '${v.targetFile}' <<EOF
${redisRuntimeConf({ passwords: passwordExpansions(), appAcl: v.appAcl, announceHost: '${SELF}' })}EOF
if [ "$PRIMARY_HOST:$PRIMARY_PORT" = "$SELF:$SELF_PORT" ]; then
  echo "start: $SELF starts as primary"
else
  echo "replicaof $PRIMARY_HOST $PRIMARY_PORT" >> '${v.targetFile}'
  echo "start: $SELF starts as replica of $PRIMARY_HOST:$PRIMARY_PORT"
fi
`;
}

export interface SentinelStartScriptValues extends StartScriptValues {
  readonly templateFile: string;
  readonly targetFile: string;
  readonly quorum: number;
  readonly downAfterMs: number;
  readonly failoverTimeoutMs: number;
  readonly parallelSyncs: number;
}

/** Start-up of a Sentinel pod (init container): copies sentinel.conf to a writable volume and adds auth and the monitor. */
export function sentinelStartScript(v: SentinelStartScriptValues): string {
  const p = passwordExpansions();
  const monitor = sentinelMonitorConf({
    masterSet: v.masterSet,
    primaryHost: '${PRIMARY_HOST}',
    primaryPort: '${PRIMARY_PORT}',
    quorum: v.quorum,
    failoverPassword: p.failover,
    downAfterMs: v.downAfterMs,
    failoverTimeoutMs: v.failoverTimeoutMs,
    parallelSyncs: v.parallelSyncs,
  });
  return `#!/bin/sh
${discoverPrimaryScript(v)}cp '${v.templateFile}' '${v.targetFile}'
cat >> '${v.targetFile}' <<EOF
${sentinelRuntimeConf({ password: p.app, announceHost: '${SELF}' })}${monitor}EOF
echo "start: Sentinel $SELF monitors $PRIMARY_HOST:$PRIMARY_PORT"
`;
}

/**
 * Liveness of a data pod: the process answers. `LOADING` (a replica loading its dataset) and
 * `MASTERDOWN` (a replica waiting for a new primary) count as alive, so a slow load or a failover
 * never gets a replica killed and restarted into the same load. `cli` holds the redis-cli
 * options (TLS, the monitor user); the password is in REDISCLI_AUTH.
 */
export function redisLivenessScript(port: number, cli: string): string {
  return `#!/bin/sh
answer="$(timeout 4 redis-cli ${cli} -p ${port} PING 2>&1 | tr -d '\\r')"
case "$answer" in
  PONG | LOADING* | MASTERDOWN*) exit 0 ;;
  *) echo "liveness: $answer"; exit 1 ;;
esac
`;
}

/**
 * Readiness of a data pod: it answers PONG, and it is either the primary or a replica whose link
 * to the primary is up (a replica still syncing is not ready to serve reads).
 */
export function redisReadinessScript(port: number, cli: string): string {
  return `#!/bin/sh
answer="$(timeout 4 redis-cli ${cli} -p ${port} PING 2>&1 | tr -d '\\r')"
[ "$answer" = PONG ] || { echo "readiness: $answer"; exit 1; }
info="$(timeout 4 redis-cli ${cli} -p ${port} INFO replication 2>&1 | tr -d '\\r')"
case "$info" in
  *role:master*) exit 0 ;;
  *master_link_status:up*) exit 0 ;;
  *) echo "readiness: replica not in sync with its primary"; exit 1 ;;
esac
`;
}

/** Liveness of a Sentinel: it answers PING. */
export function sentinelLivenessScript(port: number, cli: string): string {
  return `#!/bin/sh
answer="$(timeout 4 redis-cli ${cli} -p ${port} PING 2>&1 | tr -d '\\r')"
[ "$answer" = PONG ] || { echo "liveness: $answer"; exit 1; }
`;
}

/** Readiness of a Sentinel: it knows the primary of the set, so clients asking it get an answer. */
export function sentinelReadinessScript(port: number, masterSet: string, cli: string): string {
  return `#!/bin/sh
host="$(timeout 4 redis-cli ${cli} -p ${port} SENTINEL get-master-addr-by-name '${masterSet}' 2>&1 | sed -n 1p | tr -d '\\r')"
case "$host" in
  '' | *ERR* | *NOAUTH* | *Could*) echo "readiness: no primary known for ${masterSet}: $host"; exit 1 ;;
esac
`;
}

export interface PreStopValues {
  readonly port: number;
  readonly sentinel: Endpoint;
  readonly masterSet: string;
  /** How long to wait for a replica to take over. */
  readonly waitSeconds: number;
  /** TLS to the local server and the Sentinel. @default - plaintext */
  readonly tls?: RedisTlsFiles;
}

/**
 * preStop of a data pod: a primary asks Sentinel for a failover and waits until it has become a
 * replica, so a rolling update or node drain costs a planned switch instead of `down-after` of
 * failed writes. A replica stops at once. It asks the local server as the monitor user
 * (REDISCLI_AUTH) and Sentinel with Sentinel's password (SENTINEL_AUTH).
 */
export function redisPreStopScript(v: PreStopValues): string {
  return `#!/bin/sh
cli() { timeout 4 redis-cli ${cliOptions(v.tls, 'monitor')} "$@" 2>/dev/null | tr -d '\\r'; }
sentinel() { REDISCLI_AUTH="$SENTINEL_AUTH" timeout 4 redis-cli ${cliOptions(v.tls)} "$@" 2>/dev/null | tr -d '\\r'; }
[ "$(cli -p ${v.port} ROLE | sed -n 1p)" = master ] || exit 0
[ "$(cli -p ${v.port} INFO replication | sed -n 's/^connected_slaves://p')" -gt 0 ] 2>/dev/null || exit 0
echo "preStop: primary asks Sentinel for a failover"
sentinel -h ${v.sentinel.host} -p ${v.sentinel.port} SENTINEL FAILOVER '${v.masterSet}'
i=0
while [ $i -lt ${v.waitSeconds} ]; do
  [ "$(cli -p ${v.port} ROLE | sed -n 1p)" = slave ] && exit 0
  sleep 1; i=$((i + 1))
done
echo "preStop: still primary after ${v.waitSeconds}s; stopping anyway"
`;
}
