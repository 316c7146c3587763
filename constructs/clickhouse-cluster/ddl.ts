import { PropChecks } from '../lib/prop-errors';
import { ColumnProps, KafkaIngestionProps, ReplicatedTableProps } from './props';

/**
 * The DDL of declared tables. Every statement is `CREATE ... IF NOT EXISTS ... ON CLUSTER`, so the
 * schema Job can run it again and again; every identifier is validated and backquoted, every string
 * a quoted literal, every expression built from a small grammar: nothing is pasted in as given.
 */

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const MAX_IDENTIFIER = 63;
const TTL = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*\+\s*INTERVAL\s+([0-9]+)\s+(SECOND|MINUTE|HOUR|DAY|WEEK|MONTH|QUARTER|YEAR)\s*$/i;
const PARTITION = /^\s*(?:(toYYYYMM|toYYYYMMDD|toMonday|toStartOfMonth|toDate)\(\s*([A-Za-z_][A-Za-z0-9_]*)\s*\)|([A-Za-z_][A-Za-z0-9_]*))\s*$/;
/** A type name with optional arguments: names, numbers, quoted strings, nested types. */
const TYPE = /^[A-Za-z][A-Za-z0-9_]*(\((?:[A-Za-z0-9_ ,.]|'[A-Za-z0-9_/+:. -]*'|\((?:[A-Za-z0-9_ ,.]|'[A-Za-z0-9_/+:. -]*')*\))*\))?$/;

export function isIdentifier(name: string): boolean {
  return typeof name === 'string' && name.length <= MAX_IDENTIFIER && IDENTIFIER.test(name);
}

/** A backquoted identifier; only ever called with validated identifiers, and escapes anyway. */
export function quoteIdentifier(name: string): string {
  return `\`${name.replace(/\\/g, '\\\\').replace(/`/g, '\\`')}\``;
}

/** A single-quoted string literal. */
export function quoteString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** A parsed TTL: `<column> + INTERVAL <n> <unit>`. */
export interface ParsedTtl {
  readonly column: string;
  readonly amount: number;
  readonly unit: string;
}

export function parseTtl(ttl: string): ParsedTtl | undefined {
  const m = TTL.exec(ttl);
  return m ? { column: m[1], amount: Number(m[2]), unit: m[3].toUpperCase() } : undefined;
}

/** A table, checked: what the statements are rendered from. */
export interface TableSpec {
  readonly database: string;
  readonly name: string;
  readonly columns: readonly ColumnProps[];
  readonly orderBy: readonly string[];
  readonly partition?: { readonly fn?: string; readonly column: string };
  readonly ttl?: ParsedTtl;
  readonly shardingKey?: string;
}

/** Checks a table declaration under `field` (e.g. `tables[0]`) and returns its spec. */
export function checkTable(props: ReplicatedTableProps, database: string, check: PropChecks, field: string): TableSpec {
  check.that(
    isIdentifier(props.name) && props.name.length <= 50,
    `${field}.name`,
    'must be an identifier ([A-Za-z_][A-Za-z0-9_]*, at most 50 characters)',
    props.name,
  );
  check.that(isIdentifier(database), `${field}.database`, 'must be an identifier ([A-Za-z_][A-Za-z0-9_]*)', database);
  check.that(props.columns.length > 0, `${field}.columns`, 'must name at least one column', props.columns.length);
  const types = new Map<string, string>();
  props.columns.forEach((c, i) => {
    check.that(isIdentifier(c.name), `${field}.columns[${i}].name`, 'must be an identifier ([A-Za-z_][A-Za-z0-9_]*)', c.name);
    check.that(
      TYPE.test(c.type) && balanced(c.type),
      `${field}.columns[${i}].type`,
      "must be a ClickHouse type such as String, DateTime64(3, 'UTC') or LowCardinality(String)",
      c.type,
    );
    check.that(!types.has(c.name), `${field}.columns[${i}].name`, 'must not repeat a column', c.name);
    types.set(c.name, c.type);
  });
  const known = (col: string, f: string): boolean =>
    check.that(types.has(col), f, `must be a declared column (${[...types.keys()].join(', ')})`, col);
  check.that(props.orderBy.length > 0, `${field}.orderBy`, 'must name at least one column (the sorting key)', props.orderBy.length);
  props.orderBy.forEach((c, i) => known(c, `${field}.orderBy[${i}]`));
  let partition: TableSpec['partition'];
  if (props.partitionBy !== undefined) {
    const m = PARTITION.exec(props.partitionBy);
    if (
      check.that(
        !!m,
        `${field}.partitionBy`,
        'must be a column or toYYYYMM|toYYYYMMDD|toMonday|toStartOfMonth|toDate(<column>)',
        props.partitionBy,
      ) &&
      m
    ) {
      partition = { fn: m[1], column: m[2] ?? m[3] };
      known(partition.column, `${field}.partitionBy`);
    }
  }
  let ttl: ParsedTtl | undefined;
  if (props.ttl !== undefined) {
    ttl = parseTtl(props.ttl);
    if (check.that(!!ttl, `${field}.ttl`, 'must be "<column> + INTERVAL <n> <SECOND|MINUTE|HOUR|DAY|WEEK|MONTH|QUARTER|YEAR>"', props.ttl) && ttl) {
      check.that(ttl.amount >= 1, `${field}.ttl`, 'must keep rows for at least 1 unit', props.ttl);
      if (known(ttl.column, `${field}.ttl`)) {
        check.that(
          /^(Nullable\()?(Date|DateTime)/.test(types.get(ttl.column) ?? ''),
          `${field}.ttl`,
          'must be based on a Date or DateTime column',
          `${ttl.column} ${types.get(ttl.column)}`,
        );
      }
    }
  }
  if (props.shardingKey !== undefined) {
    known(props.shardingKey, `${field}.shardingKey`);
  }
  return { database, name: props.name, columns: props.columns, orderBy: props.orderBy, partition, ttl, shardingKey: props.shardingKey };
}

function balanced(type: string): boolean {
  let depth = 0;
  for (const ch of type.replace(/'[^']*'/g, '')) {
    depth += ch === '(' ? 1 : ch === ')' ? -1 : 0;
    if (depth < 0) return false;
  }
  return depth === 0;
}

/** A Kafka ingestion, checked. */
export interface IngestionSpec {
  readonly table: TableSpec;
  readonly topic: string;
  readonly format: string;
  readonly brokers: readonly string[];
  readonly consumerGroup: string;
  readonly consumers: number;
}

const TOPIC = /^[A-Za-z0-9._-]{1,249}$/;
const BROKER = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?:[0-9]{1,5}$/;

export function checkIngestion(props: KafkaIngestionProps, table: TableSpec | undefined, check: PropChecks, field: string): void {
  check.that(!!table, `${field}.table`, 'must be a table declared with addReplicatedTable', props.table);
  check.that(TOPIC.test(props.topic), `${field}.topic`, 'must be a Kafka topic name ([A-Za-z0-9._-], at most 249)', props.topic);
  check.that(TOPIC.test(props.consumerGroup), `${field}.consumerGroup`, 'must be a Kafka group id ([A-Za-z0-9._-])', props.consumerGroup);
  check.that(props.brokers.length > 0, `${field}.brokers`, 'must name at least one broker', props.brokers.length);
  props.brokers.forEach((b, i) => check.that(BROKER.test(b), `${field}.brokers[${i}]`, 'must be host:port', b));
  check.integer(props.consumers, `${field}.consumers`, 1, 64);
}

/** Column list `(`a` T, `b` U)`. */
function columnList(columns: readonly ColumnProps[]): string {
  return `(\n  ${columns.map((c) => `${quoteIdentifier(c.name)} ${c.type}`).join(',\n  ')}\n)`;
}

function qualified(database: string, table: string): string {
  return `${quoteIdentifier(database)}.${quoteIdentifier(table)}`;
}

/** ZooKeeper/Keeper path of a table's replicas: the cluster and shard macros, then the database and local table. */
export function replicationPath(t: TableSpec): string {
  return `/clickhouse/tables/{cluster}/{shard}/${t.database}/${t.name}_local`;
}

/** The ReplicatedMergeTree table on every replica and the Distributed table over every shard. */
export function tableStatements(t: TableSpec, cluster: string): string[] {
  const on = `ON CLUSTER ${quoteIdentifier(cluster)}`;
  const local = qualified(t.database, `${t.name}_local`);
  const partition = t.partition
    ? `\nPARTITION BY ${t.partition.fn ? `${t.partition.fn}(${quoteIdentifier(t.partition.column)})` : quoteIdentifier(t.partition.column)}`
    : '';
  const ttl = t.ttl ? `\nTTL ${quoteIdentifier(t.ttl.column)} + INTERVAL ${t.ttl.amount} ${t.ttl.unit} DELETE` : '';
  const settings = t.ttl && t.partition ? '\nSETTINGS ttl_only_drop_parts = 1' : '';
  const shardBy = t.shardingKey ? `cityHash64(${quoteIdentifier(t.shardingKey)})` : 'rand()';
  return [
    `CREATE DATABASE IF NOT EXISTS ${quoteIdentifier(t.database)} ${on}`,
    `CREATE TABLE IF NOT EXISTS ${local} ${on} ${columnList(t.columns)}\n` +
      `ENGINE = ReplicatedMergeTree(${quoteString(replicationPath(t))}, '{replica}')${partition}\n` +
      `ORDER BY (${t.orderBy.map(quoteIdentifier).join(', ')})${ttl}${settings}`,
    `CREATE TABLE IF NOT EXISTS ${qualified(t.database, t.name)} ${on} AS ${local}\n` +
      `ENGINE = Distributed(${quoteString(cluster)}, ${quoteString(t.database)}, ${quoteString(`${t.name}_local`)}, ${shardBy})`,
  ];
}

/** The Kafka engine table `<table>_kafka` and the materialized view `<table>_kafka_mv` into the local table. */
export function ingestionStatements(i: IngestionSpec, cluster: string): string[] {
  const t = i.table;
  const on = `ON CLUSTER ${quoteIdentifier(cluster)}`;
  const queue = qualified(t.database, `${t.name}_kafka`);
  const columns = t.columns.map((c) => quoteIdentifier(c.name)).join(', ');
  return [
    `CREATE TABLE IF NOT EXISTS ${queue} ${on} ${columnList(t.columns)}\nENGINE = Kafka\nSETTINGS\n` +
      `  kafka_broker_list = ${quoteString(i.brokers.join(','))},\n` +
      `  kafka_topic_list = ${quoteString(i.topic)},\n` +
      `  kafka_group_name = ${quoteString(i.consumerGroup)},\n` +
      `  kafka_format = ${quoteString(i.format)},\n` +
      `  kafka_num_consumers = ${i.consumers}`,
    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${qualified(t.database, `${t.name}_kafka_mv`)} ${on}\n` +
      `TO ${qualified(t.database, `${t.name}_local`)}\nAS SELECT ${columns} FROM ${queue}`,
  ];
}
