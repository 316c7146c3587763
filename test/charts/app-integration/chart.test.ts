/* eslint-disable @typescript-eslint/no-explicit-any */
import { App, Testing } from 'cdk8s';
import { AppIntegrationChart } from '../../../charts/app-integration';
import { CLIENT_NAMESPACES } from '../../../charts/shared';
import { loadEnvironments } from '../../../environments/load';

describe('app-integration chart (Kafka)', () => {
  const configs = Object.fromEntries(loadEnvironments(['dev', 'staging', 'prod', 'dr']).map((c) => [c.name, c]));
  const chartOf = (env: string): AppIntegrationChart => new AppIntegrationChart(new App(), configs[env]);
  const objectsOf = (env: string): any[] => Testing.synth(chartOf(env));

  test('dev runs one combined node with replication factor 1', () => {
    const kafka = chartOf('dev').kafka;
    expect(kafka.pools.map((p) => [p.pool, p.replicas])).toEqual([['combined', 1]]);
    expect(kafka.topics.every((t) => t.replicationFactor === 1)).toBe(true);
  });

  test.each(['staging', 'prod', 'dr'])('%s runs 3 combined nodes, topics with replication factor 3', (env) => {
    const kafka = chartOf(env).kafka;
    expect(kafka.pools.map((p) => [p.pool, p.replicas])).toEqual([['combined', 3]]);
    expect(kafka.topics.map((t) => t.replicationFactor)).toEqual([3, 3, 3, 3, 3]);
  });

  test('the platform topics: invoice events, the agent task queues, audit events with long retention', () => {
    const topics = Object.fromEntries(chartOf('prod').kafka.topics.map((t) => [t.name, t]));
    expect(Object.keys(topics)).toEqual(['invoice-events', 'agent-tasks', 'agent-tasks-collections', 'agent-tasks-disputes', 'audit-events']);
    const days = (name: string): number => Number(topics[name].config['retention.ms']) / 86400000;
    expect(Object.keys(topics).map(days)).toEqual([7, 3, 3, 3, 400]);
  });

  test('each environment has its own cluster id', () => {
    const ids = Object.values(configs).map((c) => c.kafka.clusterId);
    expect(new Set(ids).size).toBe(ids.length);
  });

  test("ClickHouse and the client-labelled pods of Kafka's client namespaces may reach the brokers on 9092, nobody else", () => {
    const from = objectsOf('prod')
      .filter((o) => o.kind === 'NetworkPolicy' && /^kafka-from-(db|app)-/.test(o.metadata.name))
      .map((o) => o.spec.ingress[0].from[0])
      .map((peer) => `${peer.namespaceSelector.matchLabels['kubernetes.io/metadata.name']} ${JSON.stringify(peer.podSelector.matchLabels)}`);
    expect(from.sort()).toEqual([...CLIENT_NAMESPACES.kafka.map((ns) => `${ns} {"client.receivables.io/kafka":"true"}`), 'db-clickhouse {}'].sort());
  });

  test('images come from the environment pins', () => {
    const objects = objectsOf('prod');
    const sts = objects.find((o) => o.kind === 'StatefulSet');
    expect(sts.spec.template.spec.containers[0].image).toBe(`${configs.prod.imageRegistry}/apache/kafka:3.8.1`);
    const exporter = objects.find((o) => o.kind === 'Deployment');
    expect(exporter.spec.template.spec.containers[0].image).toBe(`${configs.prod.imageRegistry}/danielqsj/kafka-exporter:v1.8.0`);
  });
});
