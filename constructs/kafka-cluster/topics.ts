import { PropChecks } from '../lib/prop-errors';
import { PASSWORD_CHECK, passwordVar, SCRAM_MODULE } from './config';
import { passwordKey } from './context';
import { KafkaTopicProps, SASL_MECHANISM } from './props';

/** Kafka's own limits (kafka.common.internals.Topic). */
const TOPIC_NAME = /^[a-zA-Z0-9._-]{1,249}$/;
const MAX_PARTITIONS = 10000;
const CONFIG_KEY = /^[a-z][a-z0-9.]*$/;
/** A value the `--add-config a=b,c=d` list carries without brackets. */
const CONFIG_VALUE = /^[A-Za-z0-9._:+-]+$/;

/** A topic with its defaults applied: every config it sets, `retention.ms` included. */
export interface ResolvedTopic {
  readonly name: string;
  readonly partitions: number;
  readonly replicationFactor: number;
  readonly config: Readonly<Record<string, string>>;
}

/** What a topic is checked against: the cluster it is created in and the topics already declared. */
export interface TopicLimits {
  readonly brokers: number;
  readonly defaultReplicationFactor: number;
  readonly minInsyncReplicas: number;
  readonly declared: readonly ResolvedTopic[];
}

/** Checks one topic; problems are recorded on `check` under `topics[<name>].<field>`. */
export function resolveTopic(t: KafkaTopicProps, limits: TopicLimits, check: PropChecks): ResolvedTopic {
  const f = `topics[${t.name}]`;
  const nameOk = check.that(
    typeof t.name === 'string' && TOPIC_NAME.test(t.name) && t.name !== '.' && t.name !== '..',
    `${f}.name`,
    "must be 1 to 249 of letters, digits, '.', '_' and '-', and not '.' or '..' (Kafka's topic name rule)",
    t.name,
  );
  if (nameOk) {
    check.that(!limits.declared.some((d) => d.name === t.name), `${f}.name`, 'is declared twice', t.name);
    // Kafka refuses a topic whose name differs from another only in '.' vs '_' (their metric names collide).
    const clash = limits.declared.find((d) => d.name !== t.name && d.name.replace(/\./g, '_') === t.name.replace(/\./g, '_'));
    check.that(!clash, `${f}.name`, `collides with topic "${clash?.name}": '.' and '_' give the same metric names`, t.name);
  }
  check.integer(t.partitions, `${f}.partitions`, 1, MAX_PARTITIONS);
  const replicationFactor = t.replicationFactor ?? limits.defaultReplicationFactor;
  if (check.integer(replicationFactor, `${f}.replicationFactor`, 1)) {
    check.that(replicationFactor <= limits.brokers, `${f}.replicationFactor`, `must be at most the brokers (${limits.brokers})`, replicationFactor);
  }
  const config: Record<string, string> = {};
  for (const [key, value] of Object.entries(t.config ?? {})) {
    const ok = CONFIG_KEY.test(key) && CONFIG_VALUE.test(String(value));
    check.that(ok, `${f}.config.${key}`, 'must be a lower-case dotted key and a value of letters, digits and . _ : + -', value);
    config[key] = String(value);
  }
  if (t.retentionMs !== undefined) {
    check.integer(t.retentionMs, `${f}.retentionMs`, -1);
    check.that(!('retention.ms' in config), `${f}.config.retention.ms`, 'must not be set with retentionMs', config['retention.ms']);
    config['retention.ms'] = String(t.retentionMs);
  }
  const minIsr = Number(config['min.insync.replicas'] ?? limits.minInsyncReplicas);
  check.that(
    Number.isInteger(replicationFactor) && minIsr <= replicationFactor,
    `${f}.replicationFactor`,
    `must be at least min.insync.replicas (${minIsr}): otherwise no acks=all write succeeds`,
    replicationFactor,
  );
  return { name: t.name, partitions: t.partitions, replicationFactor, config };
}

/** topics.tsv: `name partitions replicationFactor key=value,...` (or `-`), tab-separated, one topic a line. */
export function topicList(topics: readonly ResolvedTopic[]): string {
  return topics
    .map((t) => {
      const config = Object.entries(t.config).map(([k, v]) => `${k}=${v}`);
      return `${[t.name, t.partitions, t.replicationFactor, config.length > 0 ? config.join(',') : '-'].join('\t')}\n`;
    })
    .join('');
}

/**
 * What each client user may do (`kafka-acls.sh --add`, a no-op when the ACL exists): `app` reads
 * and writes every topic and consumes in any group (Write implies IdempotentWrite since Kafka 3.0,
 * KIP-679); `monitor` only describes. Transactions would also need TransactionalId ACLs.
 */
export const CLIENT_ACLS: readonly { readonly user: 'app' | 'monitor'; readonly resource: string; readonly operations: readonly string[] }[] = [
  { user: 'app', resource: "--topic '*'", operations: ['Read', 'Write', 'Describe'] },
  { user: 'app', resource: "--group '*'", operations: ['Read', 'Describe'] },
  { user: 'monitor', resource: "--topic '*'", operations: ['Describe', 'DescribeConfigs'] },
  { user: 'monitor', resource: "--group '*'", operations: ['Describe'] },
  { user: 'monitor', resource: '--cluster', operations: ['Describe'] },
];

/** The client users whose SCRAM credentials the Job sets from the store, so a rotated password takes effect. */
const ROTATED_USERS = ['app', 'monitor'] as const;

/**
 * The topics Job's script. Idempotent: `--create --if-not-exists` leaves an existing topic alone,
 * and `kafka-configs --alter --add-config` sets the declared configs again (config drift is
 * corrected; a config removed from code stays on the topic until removed by hand). Partition
 * counts are never changed: more partitions re-map keys, a decision for a person. It also sets
 * the SCRAM credentials of the client users from the mounted passwords (the first format
 * bootstraps them; this keeps them in step with a rotated secret).
 */
export const TOPICS_SCRIPT = [
  '#!/bin/bash',
  'set -eu',
  ...PASSWORD_CHECK,
  'umask 077',
  'CLIENT="$WORK_DIR/client.properties"',
  `ADMIN_PASSWORD="$(read_password ${passwordKey('admin')})"`,
  '{',
  '  echo "security.protocol=SASL_PLAINTEXT"',
  `  echo "sasl.mechanism=${SASL_MECHANISM}"`,
  `  echo "sasl.jaas.config=${SCRAM_MODULE} username=\\"admin\\" password=\\"$ADMIN_PASSWORD\\";"`,
  '} > "$CLIENT"',
  'kafka() { "$KAFKA_BIN/$1" --bootstrap-server "$BOOTSTRAP" --command-config "$CLIENT" "${@:2}"; }',
  // Read into variables first: `exit` inside a `$(...)` that is an argument would not stop the script.
  ...ROTATED_USERS.map((u) => `${passwordVar(u)}="$(read_password ${passwordKey(u)})"`),
  ...ROTATED_USERS.map(
    (u) =>
      `kafka kafka-configs.sh --alter --entity-type users --entity-name ${u} --add-config "${SASL_MECHANISM}=[password=$${passwordVar(u)}]" > /dev/null`,
  ),
  ...CLIENT_ACLS.map(
    (a) =>
      `kafka kafka-acls.sh --add --allow-principal User:${a.user} ${a.operations.map((o) => `--operation ${o}`).join(' ')} ${a.resource} > /dev/null`,
  ),
  "while IFS=$'\\t' read -r name partitions rf configs; do",
  '  [ -n "$name" ] || continue',
  '  args=()',
  '  if [ "$configs" != "-" ]; then',
  '    IFS=, read -ra pairs <<< "$configs"',
  '    for c in "${pairs[@]}"; do args+=(--config "$c"); done',
  '  fi',
  '  kafka kafka-topics.sh --create --if-not-exists --topic "$name" --partitions "$partitions" --replication-factor "$rf" "${args[@]}"',
  '  if [ "$configs" != "-" ]; then',
  '    kafka kafka-configs.sh --alter --entity-type topics --entity-name "$name" --add-config "$configs"',
  '  fi',
  '  echo "topic $name: ok"',
  'done < "$FILES_DIR/topics.tsv"',
  '',
].join('\n');
