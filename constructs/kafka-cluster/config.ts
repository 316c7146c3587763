import { KafkaContext, KafkaUser, passwordKey, USERS } from './context';
import { CLIENT_PORT, CONTROLLER_PORT, INTERNAL_PORT, SASL_MECHANISM } from './props';
import { ResolvedPool } from './resolve';

/** Kafka's data (and KRaft metadata) folder: a subfolder of the volume, whose root may hold `lost+found`. */
export const LOG_DIRS = '/var/lib/kafka/data/kafka-log';
export const SCRAM_MODULE = 'org.apache.kafka.common.security.scram.ScramLoginModule required';

/** `controller.quorum.voters`: `<id>@<pod DNS name>:9093` for every controller, in id order. */
export function quorumVoters(ctx: KafkaContext): string {
  return ctx
    .controllerPools()
    .flatMap((p) => Array.from({ length: p.replicas }, (_, i) => `${p.idOffset + i}@${ctx.podHost(p, i)}:${CONTROLLER_PORT}`))
    .join(',');
}

/**
 * The static part of server.properties of one pool, as key/value pairs. What differs per pod
 * (`node.id`, `advertised.listeners`) and the inter-broker password are appended by the start
 * script: no password is ever in the ConfigMap.
 */
export function serverProperties(ctx: KafkaContext, pool: ResolvedPool): Record<string, string> {
  const p = ctx.props;
  const broker = pool.roles.includes('broker');
  const controller = pool.roles.includes('controller');
  const listeners = [
    ...(controller ? [`CONTROLLER://:${CONTROLLER_PORT}`] : []),
    ...(broker ? [`INTERNAL://:${INTERNAL_PORT}`, `CLIENT://:${CLIENT_PORT}`] : []),
  ];
  return {
    'process.roles': pool.roles.join(','),
    'controller.quorum.voters': quorumVoters(ctx),
    'controller.listener.names': 'CONTROLLER',
    listeners: listeners.join(','),
    // The controller listener is plaintext: KRaft controllers cannot authenticate with SCRAM
    // (its credentials live in the metadata they serve). NetworkPolicies admit only Kafka pods to it.
    'listener.security.protocol.map': 'CONTROLLER:PLAINTEXT,INTERNAL:SASL_PLAINTEXT,CLIENT:SASL_PLAINTEXT',
    'log.dirs': LOG_DIRS,
    // ACLs (granted by the topics Job). The brokers reach the controllers as ANONYMOUS over the
    // plaintext controller listener, which only Kafka pods may reach (NetworkPolicy), so both
    // must be super users; on the SASL listeners a principal is always a SCRAM user.
    'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
    'super.users': 'User:admin;User:ANONYMOUS',
    ...(broker
      ? {
          'inter.broker.listener.name': 'INTERNAL',
          'sasl.enabled.mechanisms': SASL_MECHANISM,
          'sasl.mechanism.inter.broker.protocol': SASL_MECHANISM,
          [`listener.name.client.${SASL_MECHANISM.toLowerCase()}.sasl.jaas.config`]: `${SCRAM_MODULE};`,
          'default.replication.factor': String(p.defaultReplicationFactor),
          'min.insync.replicas': String(p.minInsyncReplicas),
          'offsets.topic.replication.factor': String(p.defaultReplicationFactor),
          'transaction.state.log.replication.factor': String(p.defaultReplicationFactor),
          'transaction.state.log.min.isr': String(p.minInsyncReplicas),
          'unclean.leader.election.enable': 'false',
          'auto.create.topics.enable': 'false',
        }
      : {}),
  };
}

/** key=value lines, in the order given. */
export function renderProperties(props: Readonly<Record<string, string>>): string {
  return `${Object.entries(props)
    .map(([k, v]) => `${k}=${v}`)
    .join('\n')}\n`;
}

/** Reads key=value lines back (comments and blank lines skipped); a repeated key is an error. */
export function parseProperties(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#'))) {
    const eq = line.indexOf('=');
    const key = line.slice(0, eq);
    if (eq <= 0 || key in out) {
      throw new Error(`bad or repeated property line: ${line}`);
    }
    out[key] = line.slice(eq + 1);
  }
  return out;
}

/** ConfigMap key of a pool's server.properties. */
export function propertiesFile(pool: ResolvedPool): string {
  return `server-${pool.pool}.properties`;
}

/** The shell variable a user's password is read into. */
export function passwordVar(user: KafkaUser): string {
  return `${user.toUpperCase()}_PASSWORD`;
}

/** Refuses a password the SCRAM and JAAS syntaxes cannot carry unquoted. */
export const PASSWORD_CHECK = [
  'read_password() {',
  '  p="$(cat "$AUTH_DIR/$1")"',
  '  case "$p" in',
  '    "" | *[][,=\\"\\\\\\ ]*) echo "$1: empty, or has one of [ ] , = \\" \\\\ or a space, which SCRAM and JAAS cannot carry" >&2; exit 1 ;;',
  '  esac',
  '  printf "%s" "$p"',
  '}',
];

/**
 * The start script of one pool: node.id from the pod ordinal (`POD_NAME`), the pod's own
 * advertised listeners, the inter-broker JAAS line from the mounted password, then
 * `kafka-storage.sh format --ignore-formatted` (a no-op on a formatted volume; the SCRAM users are
 * bootstrapped with the metadata on first format) and the broker.
 */
export function startScript(ctx: KafkaContext, pool: ResolvedPool): string {
  const broker = pool.roles.includes('broker');
  const domain = `${ctx.names.headless}.${ctx.namespace}.svc.${ctx.props.clusterDomain}`;
  // Read into variables first: `exit` inside a `$(...)` that is an argument would not stop the script.
  const reads = USERS.map((u) => `${passwordVar(u)}="$(read_password ${passwordKey(u)})"`);
  const scram = USERS.map((u) => `--add-scram "${SASL_MECHANISM}=[name=${u},password=$${passwordVar(u)}]"`);
  return [
    '#!/bin/bash',
    'set -eu',
    ...PASSWORD_CHECK,
    'ORDINAL="${POD_NAME##*-}"',
    `NODE_ID=$((${pool.idOffset} + ORDINAL))`,
    'CONF="$CONFIG_DIR/server.properties"',
    `cp "$FILES_DIR/${propertiesFile(pool)}" "$CONF"`,
    ...reads,
    'echo "node.id=$NODE_ID" >> "$CONF"',
    ...(broker
      ? [
          `echo "advertised.listeners=INTERNAL://$POD_NAME.${domain}:${INTERNAL_PORT},CLIENT://$POD_NAME.${domain}:${CLIENT_PORT}" >> "$CONF"`,
          `echo "listener.name.internal.${SASL_MECHANISM.toLowerCase()}.sasl.jaas.config=${SCRAM_MODULE} username=\\"admin\\" password=\\"$${passwordVar('admin')}\\";" >> "$CONF"`,
        ]
      : []),
    `"$KAFKA_BIN/kafka-storage.sh" format --ignore-formatted --cluster-id "$CLUSTER_ID" --config "$CONF" \\`,
    ...scram.map((s, i) => `  ${s}${i < scram.length - 1 ? ' \\' : ''}`),
    'exec "$KAFKA_BIN/kafka-server-start.sh" "$CONF"',
    '',
  ].join('\n');
}

/** Log to the console only: the root filesystem is read-only and kubectl logs is where people look. */
export const LOG4J_PROPERTIES = [
  'log4j.rootLogger=INFO, stdout',
  'log4j.appender.stdout=org.apache.log4j.ConsoleAppender',
  'log4j.appender.stdout.layout=org.apache.log4j.PatternLayout',
  'log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n',
  'log4j.logger.kafka=INFO',
  'log4j.logger.org.apache.kafka=INFO',
  '',
].join('\n');
