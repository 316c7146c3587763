/* eslint-disable @typescript-eslint/no-explicit-any */
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { promisify } from 'util';
import { Chart, Testing } from 'cdk8s';
import { KafkaCluster, KafkaClusterProps } from '../../../constructs/kafka-cluster';
import { parseProperties } from '../../../constructs/kafka-cluster/config';

const run = promisify(execFile);
const NS = 'app-integration';
const PASSWORDS = { 'admin-password': 'adm1n-S3cret', 'app-password': 'app.pass_1', 'monitor-password': 'mon-2' };

function files(props: Partial<KafkaClusterProps> = {}): { kafka: KafkaCluster; objects: any[] } {
  const chart = new Chart(Testing.app(), 'test', { disableResourceNameHashes: true });
  const kafka = new KafkaCluster(chart, 'Kafka', {
    name: 'kafka',
    namespace: NS,
    clusterId: 'MkU3OEVBNTcwNTJENDM2Qg',
    image: 'apache/kafka:3.8.1',
    monitoring: { enabled: false },
    secretStore: { name: 'platform-secrets' },
    ...props,
  });
  kafka.addTopic({ name: 'invoice-events', partitions: 6 });
  kafka.addTopic({ name: 'audit-events', partitions: 3, retentionMs: 31536000000, config: { 'cleanup.policy': 'delete', 'min.insync.replicas': 2 } });
  return { kafka, objects: Testing.synth(chart) };
}

/** A folder with `files` written into it. */
function folder(prefix: string, content: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  for (const [name, text] of Object.entries(content)) {
    fs.writeFileSync(path.join(dir, name), text, { mode: 0o755 });
  }
  return dir;
}

/** Fake Kafka tools: each records its argv (one line, NUL-free) to $LOG; the broker copies its config to $OUT. */
const START_FAKES = {
  'kafka-storage.sh': '#!/bin/bash\nprintf "%s\\n" "kafka-storage.sh $*" >> "$LOG"\n',
  'kafka-server-start.sh': '#!/bin/bash\nprintf "%s\\n" "kafka-server-start.sh $*" >> "$LOG"\ncp "$1" "$OUT"\n',
};

/**
 * Recording fakes of kafka-topics.sh and kafka-configs.sh that keep state as a real cluster does:
 * `--create` of an existing topic fails unless `--if-not-exists`; `--alter --add-config` merges.
 */
const TOPIC_FAKES = {
  'kafka-topics.sh': `#!/bin/bash
printf "%s\\n" "kafka-topics.sh $*" >> "$LOG"
topic=""; partitions=""; rf=""; ifne=0; configs=()
while [ $# -gt 0 ]; do
  case "$1" in
    --topic) topic="$2"; shift ;;
    --partitions) partitions="$2"; shift ;;
    --replication-factor) rf="$2"; shift ;;
    --if-not-exists) ifne=1 ;;
    --config) configs+=("$2"); shift ;;
  esac
  shift
done
if [ -e "$STATE/topic.$topic" ]; then
  [ $ifne = 1 ] && exit 0
  echo "TopicExistsException: Topic '$topic' already exists." >&2; exit 1
fi
echo "partitions=$partitions rf=$rf" > "$STATE/topic.$topic"
for c in "\${configs[@]}"; do echo "$c" >> "$STATE/config.$topic"; done
echo "Created topic $topic."
`,
  // Adding an ACL that exists is a no-op, as on a broker: the set of ACLs is kept sorted and unique.
  'kafka-acls.sh': `#!/bin/bash
printf "%s\\n" "kafka-acls.sh $*" >> "$LOG"
principal=""; resource=""; ops=()
while [ $# -gt 0 ]; do
  case "$1" in
    --allow-principal) principal="$2"; shift ;;
    --operation) ops+=("$2"); shift ;;
    --topic) resource="topic:$2"; shift ;;
    --group) resource="group:$2"; shift ;;
    --cluster) resource="cluster" ;;
  esac
  shift
done
touch "$STATE/acls"
for o in "\${ops[@]}"; do echo "$principal $resource $o" >> "$STATE/acls"; done
sort -u "$STATE/acls" -o "$STATE/acls"
`,
  'kafka-configs.sh': `#!/bin/bash
printf "%s\\n" "kafka-configs.sh $*" >> "$LOG"
type=""; name=""; add=""
while [ $# -gt 0 ]; do
  case "$1" in
    --entity-type) type="$2"; shift ;;
    --entity-name) name="$2"; shift ;;
    --add-config) add="$2"; shift ;;
  esac
  shift
done
if [ "$type" = topics ]; then
  [ -e "$STATE/topic.$name" ] || { echo "UnknownTopicOrPartitionException" >&2; exit 1; }
  IFS=, read -ra pairs <<< "$add"
  for kv in "\${pairs[@]}"; do
    k="\${kv%%=*}"
    touch "$STATE/config.$name"
    grep -v "^$k=" "$STATE/config.$name" > "$STATE/tmp" || true
    echo "$kv" >> "$STATE/tmp"
    sort "$STATE/tmp" > "$STATE/config.$name"
  done
else
  echo "$add" > "$STATE/user.$name"
fi
`,
};

describe('start script', () => {
  async function start(pool: string, pod: string, props: Partial<KafkaClusterProps> = {}, passwords: Record<string, string> = PASSWORDS) {
    const { kafka } = files(props);
    const filesDir = folder('kafka-files-', kafka.files as Record<string, string>);
    const bin = folder('kafka-bin-', START_FAKES);
    const auth = folder('kafka-auth-', passwords);
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'kafka-conf-'));
    const env = {
      PATH: process.env.PATH ?? '',
      POD_NAME: pod,
      CLUSTER_ID: 'MkU3OEVBNTcwNTJENDM2Qg',
      KAFKA_BIN: bin,
      FILES_DIR: filesDir,
      CONFIG_DIR: work,
      AUTH_DIR: auth,
      LOG: path.join(work, 'log'),
      OUT: path.join(work, 'out.properties'),
    };
    await run('bash', [path.join(filesDir, `start-${pool}.sh`)], { env });
    return {
      conf: parseProperties(fs.readFileSync(env.OUT, 'utf8')),
      log: fs.readFileSync(env.LOG, 'utf8').trim().split('\n'),
      template: parseProperties(kafka.files[`server-${pool}.properties`]),
    };
  }

  test('pod 2 of the combined pool: node.id 2, its own advertised listeners, the inter-broker JAAS line, every template key kept', async () => {
    const { conf, template } = await start('combined', 'kafka-combined-2');
    const host = `kafka-combined-2.kafka-headless.${NS}.svc.cluster.local`;
    expect(conf['node.id']).toBe('2');
    expect(conf['advertised.listeners']).toBe(`INTERNAL://${host}:9094,CLIENT://${host}:9092`);
    expect(conf['listener.name.internal.scram-sha-512.sasl.jaas.config']).toBe(
      'org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="adm1n-S3cret";',
    );
    expect(conf).toMatchObject(template);
    expect(Object.keys(conf).length).toBe(Object.keys(template).length + 3);
  });

  test('formats with the fixed cluster id, --ignore-formatted and the three SCRAM users, then starts the broker', async () => {
    const { log } = await start('combined', 'kafka-combined-0');
    expect(log).toHaveLength(2);
    expect(log[0]).toContain('kafka-storage.sh format --ignore-formatted --cluster-id MkU3OEVBNTcwNTJENDM2Qg --config ');
    for (const [u, p] of [
      ['admin', 'adm1n-S3cret'],
      ['app', 'app.pass_1'],
      ['monitor', 'mon-2'],
    ]) {
      expect(log[0]).toContain(`--add-scram SCRAM-SHA-512=[name=${u},password=${p}]`);
    }
    expect(log[1]).toMatch(/^kafka-server-start\.sh .*server\.properties$/);
  });

  test('a broker-only pod gets node.id 100 + ordinal; a controller has no advertised listeners and no JAAS line', async () => {
    const broker = await start('broker', 'kafka-broker-3', { replicas: 4, controllers: {} });
    expect(broker.conf['node.id']).toBe('103');
    const controller = await start('controller', 'kafka-controller-1', { replicas: 4, controllers: {} });
    expect(controller.conf['node.id']).toBe('1');
    expect(controller.conf['advertised.listeners']).toBeUndefined();
    expect(Object.keys(controller.conf).filter((k) => k.includes('jaas'))).toEqual([]);
  });

  test.each(['a,b', 'x]y', 'q"uote', 'sp ace', ''])('fails when a password is %p: nothing is started', async (bad) => {
    await expect(start('combined', 'kafka-combined-0', {}, { ...PASSWORDS, 'app-password': bad })).rejects.toMatchObject({
      stderr: expect.stringContaining('app-password: empty, or has one of'),
    });
  });
});

describe('topics Job script', () => {
  const { objects } = files();
  const data = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'kafka-topics').data;
  const filesDir = folder('kafka-topics-', data);
  const bin = folder('kafka-bin-', TOPIC_FAKES);
  const auth = folder('kafka-auth-', PASSWORDS);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'kafka-work-'));
  const state = fs.mkdtempSync(path.join(os.tmpdir(), 'kafka-state-'));
  const log = path.join(work, 'log');
  const env = {
    PATH: process.env.PATH ?? '',
    BOOTSTRAP: 'kafka-bootstrap:9092',
    KAFKA_BIN: bin,
    FILES_DIR: filesDir,
    AUTH_DIR: auth,
    WORK_DIR: work,
    LOG: log,
    STATE: state,
  };
  const job = (): Promise<{ stdout: string }> => run('bash', [path.join(filesDir, 'topics.sh')], { env });
  const snapshotState = (): Record<string, string> =>
    Object.fromEntries(
      fs
        .readdirSync(state)
        .filter((f) => f !== 'tmp')
        .sort()
        .map((f) => [f, fs.readFileSync(path.join(state, f), 'utf8')]),
    );
  const calls = (): string[] => fs.readFileSync(log, 'utf8').trim().split('\n');

  test('first run creates every topic with its partitions, RF and configs, and sets the client users', async () => {
    const { stdout } = await job();
    expect(stdout).toContain('Created topic invoice-events.');
    expect(snapshotState()).toEqual({
      'topic.invoice-events': 'partitions=6 rf=3\n',
      'topic.audit-events': 'partitions=3 rf=3\n',
      'config.audit-events': 'cleanup.policy=delete\nmin.insync.replicas=2\nretention.ms=31536000000\n',
      'user.app': 'SCRAM-SHA-512=[password=app.pass_1]\n',
      'user.monitor': 'SCRAM-SHA-512=[password=mon-2]\n',
      acls: [
        'User:app group:* Describe',
        'User:app group:* Read',
        'User:app topic:* Describe',
        'User:app topic:* Read',
        'User:app topic:* Write',
        'User:monitor cluster Describe',
        'User:monitor group:* Describe',
        'User:monitor topic:* Describe',
        'User:monitor topic:* DescribeConfigs',
        '',
      ].join('\n'),
    });
    expect(calls().every((c) => c.includes('--bootstrap-server kafka-bootstrap:9092 --command-config '))).toBe(true);
    const client = parseProperties(fs.readFileSync(path.join(work, 'client.properties'), 'utf8'));
    expect(client).toEqual({
      'security.protocol': 'SASL_PLAINTEXT',
      'sasl.mechanism': 'SCRAM-SHA-512',
      'sasl.jaas.config': 'org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="adm1n-S3cret";',
    });
    expect(fs.statSync(path.join(work, 'client.properties')).mode & 0o077).toBe(0);
  });

  test('a second run changes nothing and does not fail on existing topics', async () => {
    const before = snapshotState();
    const { stdout } = await job();
    expect(stdout).not.toContain('Created topic');
    expect(snapshotState()).toEqual(before);
  });

  test('config drift is corrected: a changed retention.ms is set back', async () => {
    fs.writeFileSync(path.join(state, 'config.audit-events'), 'cleanup.policy=compact\nmin.insync.replicas=2\nretention.ms=1000\n');
    await job();
    expect(snapshotState()['config.audit-events']).toBe('cleanup.policy=delete\nmin.insync.replicas=2\nretention.ms=31536000000\n');
  });

  test('the topic without configs is never altered', () => {
    expect(calls().filter((c) => c.includes('--entity-name invoice-events'))).toEqual([]);
  });
});
