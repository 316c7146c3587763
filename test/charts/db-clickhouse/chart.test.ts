/* eslint-disable @typescript-eslint/no-explicit-any */
import { App, Testing } from 'cdk8s';
import { AppIntegrationChart } from '../../../charts/app-integration';
import { clickhouseBackupWriter, clickhouseEndpoint, DbClickHouseChart } from '../../../charts/db-clickhouse';
import { CLIENT_NAMESPACES } from '../../../charts/shared';
import { StorageMinioChart } from '../../../charts/storage-minio';
import { loadEnvironments } from '../../../environments/load';

describe('db-clickhouse chart', () => {
  const configs = Object.fromEntries(loadEnvironments(['dev', 'staging', 'prod', 'dr']).map((c) => [c.name, c]));
  const chartOf = (env: string): DbClickHouseChart => new DbClickHouseChart(new App(), configs[env]);
  const scale = (env: string): number[] => {
    const ch = chartOf(env).clickhouse;
    return [ch.shards, ch.replicas, ch.keeperReplicas];
  };

  test('dev runs 1 shard x 1 replica and 1 Keeper member; staging, prod and dr 2 x 2 and 3', () => {
    expect(scale('dev')).toEqual([1, 1, 1]);
    for (const env of ['staging', 'prod', 'dr']) {
      expect(scale(env)).toEqual([2, 2, 3]);
    }
  });

  test('the invoice-events path: topic -> Kafka table -> view -> replicated table -> Distributed table, raw events 90 days', () => {
    const statements = chartOf('prod').clickhouse.schemaStatements;
    const heads = statements.map((s) =>
      s
        .split('\n')[0]
        .replace(/ ON CLUSTER .*/, '')
        .replace(/ \($/, ''),
    );
    expect(heads).toEqual([
      'CREATE DATABASE IF NOT EXISTS `analytics`',
      'CREATE TABLE IF NOT EXISTS `analytics`.`invoice_events_local`',
      'CREATE TABLE IF NOT EXISTS `analytics`.`invoice_events`',
      'CREATE TABLE IF NOT EXISTS `analytics`.`invoice_events_kafka`',
      'CREATE MATERIALIZED VIEW IF NOT EXISTS `analytics`.`invoice_events_kafka_mv`',
    ]);
    expect(statements[1]).toContain('TTL `occurred_at` + INTERVAL 90 DAY DELETE');
    expect(statements[2]).toContain('cityHash64(`invoice_id`)');
    expect(statements[3]).toContain("kafka_topic_list = 'invoice-events'");
    // The brokers are app-integration's KafkaCluster, the one that chart serves.
    const kafka = new AppIntegrationChart(new App(), configs.prod).kafka;
    expect(statements[3]).toContain(`kafka_broker_list = '${kafka.connection.bootstrapServers}'`);
    expect(statements[4]).toContain('TO `analytics`.`invoice_events_local`');
  });

  test('backups go to MinIO clickhouse-backups/<env>/clickhouse exactly when the environment backs up', () => {
    expect(chartOf('dev').clickhouse.backupStatement('X')).toBeUndefined();
    expect(chartOf('prod').clickhouse.backupStatement('X')).toBe(
      "BACKUP DATABASE `analytics` ON CLUSTER `main` TO S3('http://minio.storage-minio.svc:9000/clickhouse-backups/prod/clickhouse/X/')",
    );
  });

  test('the backup writer MinIO needs: bucket, folder, store key, and the retention as the bucket lifecycle', () => {
    expect(clickhouseBackupWriter(configs.dev)).toBeUndefined();
    expect(clickhouseBackupWriter(configs.prod)).toEqual({
      namespace: 'db-clickhouse',
      bucket: 'clickhouse-backups',
      prefix: 'prod/clickhouse',
      credentialsRemoteKey: 'prod/db-clickhouse/backup-s3',
      expireDays: configs.prod.clickhouse.backupRetentionDays,
    });
  });

  test('storage-minio admits db-clickhouse exactly when it backs up', () => {
    const policy = (env: string): any =>
      Testing.synth(new StorageMinioChart(new App(), configs[env])).find(
        (o: any) => o.kind === 'NetworkPolicy' && o.metadata.name === 'minio-from-db-clickhouse',
      );
    expect(policy('dev')).toBeUndefined();
    expect(policy('prod').spec.ingress[0].ports).toEqual([{ protocol: 'TCP', port: 9000 }]);
  });

  test("clickhouseEndpoint is what the cluster serves: its Service, HTTP port, the app user and that user's password in the store", () => {
    for (const env of ['dev', 'prod']) {
      const { connection, connections } = chartOf(env).clickhouse;
      const e = clickhouseEndpoint(configs[env]);
      expect([e.host, e.port, e.username, e.password]).toEqual([
        connection.host,
        connection.port,
        connection.username,
        { remoteKey: connection.secret.remoteKey, property: connection.secret.remoteProperty },
      ]);
      expect(e).toMatchObject({ host: 'clickhouse.db-clickhouse.svc', port: 8123, settings: { DB: 'analytics' } });
      expect(e.peer).toEqual({ peerNamespace: 'db-clickhouse', peerSelector: connections.peerSelector, ports: [8123, 9000] });
    }
  });

  test("the client-labelled pods of ClickHouse's client namespaces may connect on HTTP and native", () => {
    const allows = Testing.synth(chartOf('staging')).filter((o: any) => o.kind === 'NetworkPolicy' && /^clickhouse-from-/.test(o.metadata.name));
    expect(allows.map((o: any) => o.metadata.name)).toEqual(CLIENT_NAMESPACES.clickhouse.map((ns) => `clickhouse-from-${ns}`));
    for (const o of allows) {
      expect(o.spec.ingress[0].from[0].podSelector).toEqual({ matchLabels: { 'client.receivables.io/clickhouse': 'true' } });
      expect(o.spec.ingress[0].ports.map((p: any) => p.port)).toEqual([8123, 9000]);
    }
  });

  test("the Kafka engine logs in as Kafka's app user with SCRAM-SHA-512; the password is Kafka's app-password, from the store", () => {
    const chart = chartOf('prod');
    const kafka = new AppIntegrationChart(new App(), configs.prod).kafka;
    const objects = Testing.synth(chart);
    const cm = objects.find((o) => o.kind === 'ConfigMap' && o.data?.['kafka.xml']);
    const xml = cm.data['kafka.xml'];
    expect(xml).toContain('<security_protocol>sasl_plaintext</security_protocol>');
    expect(xml).toContain(`<sasl_mechanism>${kafka.connection.saslMechanism}</sasl_mechanism>`);
    expect(xml).toContain(`<sasl_username>${kafka.connection.username}</sasl_username>`);
    expect(xml).toMatch(/<sasl_password from_env="CLICKHOUSE_KAFKA_SASL_PASSWORD"\s*\/>/);
    const es = objects.find((o) => o.kind === 'ExternalSecret' && o.metadata.name === 'clickhouse-kafka');
    expect(es.spec.data).toEqual([
      { secretKey: 'password', remoteRef: { key: kafka.connection.secret.remoteKey, property: kafka.connection.secret.remoteProperty } },
    ]);
    const sts = objects.find((o) => o.kind === 'StatefulSet' && o.metadata.name === 'clickhouse-s0');
    expect(sts.spec.template.spec.containers[0].env).toContainEqual({
      name: 'CLICKHOUSE_KAFKA_SASL_PASSWORD',
      valueFrom: { secretKeyRef: { name: 'clickhouse-kafka', key: 'password' } },
    });
  });
});
