/* eslint-disable @typescript-eslint/no-explicit-any */
import { Chart, Testing } from 'cdk8s';
import { ClickHouseCluster, ClickHouseClusterProps, ReplicatedTableProps } from '../../../constructs/clickhouse-cluster';
import { isIdentifier, parseTtl, quoteIdentifier, quoteString } from '../../../constructs/clickhouse-cluster';
import { errorOf } from '../../helpers/errors';

const BASE: ClickHouseClusterProps = {
  name: 'ch',
  namespace: 'db-clickhouse',
  image: 'clickhouse/clickhouse-server:24.8.14.39',
  keeper: { image: 'clickhouse/clickhouse-keeper:24.8.14.39' },
  database: 'analytics',
  secretStore: { name: 'platform-secrets' },
};
const EVENTS: ReplicatedTableProps = {
  name: 'invoice_events',
  columns: [
    { name: 'event_id', type: 'UUID' },
    { name: 'tenant', type: 'LowCardinality(String)' },
    { name: 'occurred_at', type: "DateTime64(3, 'UTC')" },
  ],
  orderBy: ['tenant', 'occurred_at'],
  partitionBy: 'toYYYYMM(occurred_at)',
  ttl: 'occurred_at + INTERVAL 90 DAY',
};
const INGEST = { topic: 'invoice-events', table: 'invoice_events', brokers: ['kafka.app-integration.svc:9092'], consumerGroup: 'ch-invoice-events' };

const cluster = (): ClickHouseCluster => new ClickHouseCluster(new Chart(Testing.app(), 't', { disableResourceNameHashes: true }), 'Ch', BASE);

describe('ClickHouseCluster DDL', () => {
  test('the four objects of the ingestion path, in order, each CREATE ... IF NOT EXISTS ... ON CLUSTER', () => {
    const ch = cluster();
    ch.addReplicatedTable(EVENTS);
    ch.addKafkaIngestion(INGEST);
    expect(ch.schemaStatements).toEqual([
      'CREATE DATABASE IF NOT EXISTS `analytics` ON CLUSTER `main`',
      'CREATE TABLE IF NOT EXISTS `analytics`.`invoice_events_local` ON CLUSTER `main` (\n' +
        "  `event_id` UUID,\n  `tenant` LowCardinality(String),\n  `occurred_at` DateTime64(3, 'UTC')\n)\n" +
        "ENGINE = ReplicatedMergeTree('/clickhouse/tables/{cluster}/{shard}/analytics/invoice_events_local', '{replica}')\n" +
        'PARTITION BY toYYYYMM(`occurred_at`)\nORDER BY (`tenant`, `occurred_at`)\nTTL `occurred_at` + INTERVAL 90 DAY DELETE\nSETTINGS ttl_only_drop_parts = 1',
      'CREATE TABLE IF NOT EXISTS `analytics`.`invoice_events` ON CLUSTER `main` AS `analytics`.`invoice_events_local`\n' +
        "ENGINE = Distributed('main', 'analytics', 'invoice_events_local', rand())",
      'CREATE TABLE IF NOT EXISTS `analytics`.`invoice_events_kafka` ON CLUSTER `main` (\n' +
        "  `event_id` UUID,\n  `tenant` LowCardinality(String),\n  `occurred_at` DateTime64(3, 'UTC')\n)\nENGINE = Kafka\nSETTINGS\n" +
        "  kafka_broker_list = 'kafka.app-integration.svc:9092',\n  kafka_topic_list = 'invoice-events',\n" +
        "  kafka_group_name = 'ch-invoice-events',\n  kafka_format = 'JSONEachRow',\n  kafka_num_consumers = 1",
      'CREATE MATERIALIZED VIEW IF NOT EXISTS `analytics`.`invoice_events_kafka_mv` ON CLUSTER `main`\n' +
        'TO `analytics`.`invoice_events_local`\nAS SELECT `event_id`, `tenant`, `occurred_at` FROM `analytics`.`invoice_events_kafka`',
    ]);
  });

  test('idempotent: every statement is IF NOT EXISTS, and the same declarations render the same Job', () => {
    const render = (): any[] => {
      const ch = cluster();
      ch.addReplicatedTable(EVENTS);
      ch.addKafkaIngestion(INGEST);
      expect(ch.schemaStatements.every((s) => / IF NOT EXISTS .* ON CLUSTER `main`/.test(s.split('\n')[0]))).toBe(true);
      return Testing.synth(ch.node.scope as Chart).filter((o: any) => o.kind === 'Job');
    };
    const [a, b] = [render(), render()];
    expect(a).toHaveLength(1);
    expect(a[0].metadata.name).toMatch(/^ch-schema-[0-9a-f]{8}$/);
    expect(b[0].metadata.name).toBe(a[0].metadata.name);
  });

  test('a second table replaces the Job (one Job, a new name) and the database is created once', () => {
    const ch = cluster();
    ch.addReplicatedTable(EVENTS);
    const first = Testing.synth(ch.node.scope as Chart).find((o: any) => o.kind === 'Job').metadata.name;
    ch.addReplicatedTable({ ...EVENTS, name: 'invoice_daily', ttl: 'occurred_at + INTERVAL 2 YEAR' });
    const jobs = Testing.synth(ch.node.scope as Chart).filter((o: any) => o.kind === 'Job');
    expect(jobs).toHaveLength(1);
    expect(jobs[0].metadata.name).not.toBe(first);
    expect(ch.schemaStatements.filter((s) => s.startsWith('CREATE DATABASE'))).toHaveLength(1);
    expect(ch.schemaStatements.some((s) => s.includes('TTL `occurred_at` + INTERVAL 2 YEAR DELETE'))).toBe(true);
  });

  test('quoting: backquotes and single quotes are escaped; identifiers are validated', () => {
    expect(quoteIdentifier('a`b')).toBe('`a\\`b`');
    expect(quoteString("it's \\")).toBe("'it\\'s \\\\'");
    expect(['events', '_x1', 'A_b'].map(isIdentifier)).toEqual([true, true, true]);
    expect(['1abc', 'a-b', 'a b', 'a`b', 'x;DROP', '', 'a'.repeat(64)].map(isIdentifier)).toEqual([false, false, false, false, false, false, false]);
  });

  test('TTL parsing', () => {
    expect(parseTtl('occurred_at + INTERVAL 90 DAY')).toEqual({ column: 'occurred_at', amount: 90, unit: 'DAY' });
    expect(parseTtl('d+interval 2 year')).toEqual({ column: 'd', amount: 2, unit: 'YEAR' });
    for (const bad of [
      '90 days',
      'occurred_at + 90',
      'occurred_at + INTERVAL 90 FORTNIGHT',
      'occurred_at + INTERVAL 1 DAY; DROP TABLE x',
      'now() + INTERVAL 1 DAY',
    ]) {
      expect(parseTtl(bad)).toBeUndefined();
    }
  });

  test('bad identifiers, types, keys and TTLs fail, every problem at once, naming the table', () => {
    const ch = cluster();
    const err = errorOf(() =>
      ch.addReplicatedTable({
        name: 'bad-name',
        database: 'x y',
        columns: [
          { name: 'id`; DROP', type: 'UInt64' },
          { name: 'ts', type: 'DateTime; DROP TABLE x' },
          { name: 'tenant', type: 'String' },
          { name: 'tenant', type: 'String' },
        ],
        orderBy: ['missing'],
        partitionBy: 'rand()',
        ttl: 'tenant + INTERVAL 0 DAY',
      }),
    );
    expect(err.problems.map((p) => p.field)).toEqual([
      'addReplicatedTable("bad-name").name',
      'addReplicatedTable("bad-name").database',
      'addReplicatedTable("bad-name").columns[0].name',
      'addReplicatedTable("bad-name").columns[1].type',
      'addReplicatedTable("bad-name").columns[3].name',
      'addReplicatedTable("bad-name").orderBy[0]',
      'addReplicatedTable("bad-name").partitionBy',
      'addReplicatedTable("bad-name").ttl',
      'addReplicatedTable("bad-name").ttl',
    ]);
    expect(err.message).toContain('t/Ch: addReplicatedTable("bad-name").ttl: must be based on a Date or DateTime column (got "tenant String")');
  });

  test('a TTL that does not parse', () => {
    const err = errorOf(() => cluster().addReplicatedTable({ ...EVENTS, ttl: 'occurred_at + 90 days' }));
    expect(err.message).toBe(
      't/Ch: addReplicatedTable("invoice_events").ttl: must be "<column> + INTERVAL <n> <SECOND|MINUTE|HOUR|DAY|WEEK|MONTH|QUARTER|YEAR>" (got "occurred_at + 90 days")',
    );
  });

  test('an ingestion needs a declared table, a topic name, host:port brokers and a group', () => {
    const ch = cluster();
    const err = errorOf(() => ch.addKafkaIngestion({ topic: 'bad topic', table: 'nope', brokers: ['kafka'], consumerGroup: '', consumers: 0 }));
    expect(err.problems.map((p) => p.field.replace('addKafkaIngestion("bad topic").', ''))).toEqual([
      'table',
      'topic',
      'consumerGroup',
      'brokers[0]',
      'consumers',
    ]);
  });

  test('a table is declared once', () => {
    const ch = cluster();
    ch.addReplicatedTable(EVENTS);
    expect(errorOf(() => ch.addReplicatedTable(EVENTS)).problems.map((p) => p.rule)).toEqual(['must not be declared twice']);
  });
});
