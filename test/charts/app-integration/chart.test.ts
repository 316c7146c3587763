/* eslint-disable @typescript-eslint/no-explicit-any */
import { App, Testing } from 'cdk8s';
import { AppIntegrationChart } from '../../../charts/app-integration';
import { CLIENT_NAMESPACES } from '../../../charts/shared';
import { DbPostgresChart } from '../../../charts/db-postgres';
import { loadEnvironments } from '../../../environments/load';
import { EnvironmentConfig } from '../../../environments/types';

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

  describe('integration-hub', () => {
    const drFailedOver: EnvironmentConfig = { ...configs.dr, dr: { ...configs.dr.dr!, failover: true } };
    const named = (objects: any[], kind: string, name: string): any => objects.find((o) => o.kind === kind && o.metadata.name === name);
    const hubOf = (objects: any[]): any =>
      objects.find((o) => (o.kind === 'Deployment' || o.kind === 'Rollout') && o.metadata.name === 'integration-hub');
    const envOf = (objects: any[]): Record<string, any> =>
      Object.fromEntries(hubOf(objects).spec.template.spec.containers[0].env.map((e: any) => [e.name, e.value ?? e.valueFrom]));

    test.each(['dev', 'staging', 'prod'])('%s: a CoreService (component api) at the environment scale, with its Service and pinned image', (env) => {
      const objects = objectsOf(env);
      const hub = hubOf(objects);
      expect(hub.metadata.labels['app.kubernetes.io/component']).toBe('api');
      expect(hub.spec.template.spec.containers[0].image).toBe(`${configs[env].imageRegistry}/receivables/integration-hub-service:1.0.0`);
      expect(named(objects, 'Service', 'integration-hub').metadata.namespace).toBe('app-integration');
      const hpa = named(objects, 'HorizontalPodAutoscaler', 'integration-hub');
      const replicas = configs[env].apps.replicas;
      expect(hpa ? [hpa.spec.minReplicas, hpa.spec.maxReplicas] : hub.spec.replicas).toEqual(
        configs[env].features.autoscaling ? [replicas, 3 * replicas] : replicas,
      );
    });

    test('dr at rest: 0 replicas, no HPA and no PDB; after failover prod scale', () => {
      const atRest = objectsOf('dr');
      expect(hubOf(atRest).spec.replicas).toBe(0);
      expect([named(atRest, 'HorizontalPodAutoscaler', 'integration-hub'), named(atRest, 'PodDisruptionBudget', 'integration-hub')]).toEqual([
        undefined,
        undefined,
      ]);
      const up = Testing.synth(new AppIntegrationChart(new App(), drFailedOver));
      expect(named(up, 'HorizontalPodAutoscaler', 'integration-hub').spec.minReplicas).toBe(configs.prod.apps.replicas);
      expect(named(up, 'PodDisruptionBudget', 'integration-hub')).toBeDefined();
    });

    test('connects to Kafka and PostgreSQL: env vars and passwords from the store', () => {
      const env = envOf(objectsOf('prod'));
      expect([env.KAFKA_BROKERS, env.KAFKA_USER, env.POSTGRES_HOST, env.POSTGRES_SSLMODE]).toEqual([
        'kafka-bootstrap.app-integration.svc:9092',
        'app',
        'postgres-pooler.db-postgres.svc',
        'verify-full',
      ]);
      expect(env.KAFKA_PASSWORD).toEqual({ secretKeyRef: { name: 'integration-hub-kafka', key: 'password' } });
      expect(env.POSTGRES_PASSWORD).toEqual({ secretKeyRef: { name: 'integration-hub-postgres', key: 'password' } });
    });

    test('Kafka in its own namespace: the egress integration-hub-to-kafka pairs with kafka-from-app-integration', () => {
      const objects = objectsOf('prod');
      const egress = named(objects, 'NetworkPolicy', 'integration-hub-to-kafka').spec;
      const ingress = named(objects, 'NetworkPolicy', 'kafka-from-app-integration').spec;
      expect(egress.podSelector.matchLabels).toEqual({
        'app.kubernetes.io/name': 'integration-hub',
        'app.kubernetes.io/instance': 'integration-hub',
      });
      expect(egress.egress[0].to[0].namespaceSelector.matchLabels).toEqual({ 'kubernetes.io/metadata.name': 'app-integration' });
      expect(ingress.ingress[0].from[0].namespaceSelector.matchLabels).toEqual({ 'kubernetes.io/metadata.name': 'app-integration' });
      expect(egress.egress[0].to[0].podSelector.matchLabels).toEqual(ingress.podSelector.matchLabels);
      expect(egress.egress[0].ports).toEqual([{ port: 9092, protocol: 'TCP' }]);
      expect(ingress.ingress[0].ports).toContainEqual({ port: 9092, protocol: 'TCP' });
    });

    test('the egress to PostgreSQL meets the ingress db-postgres opens for app-integration', () => {
      const egress = named(objectsOf('prod'), 'NetworkPolicy', 'integration-hub-to-postgres').spec.egress[0];
      const ingress = named(Testing.synth(new DbPostgresChart(new App(), configs.prod)), 'NetworkPolicy', 'postgres-from-app-integration').spec;
      expect(egress.to[0].podSelector.matchLabels).toEqual(ingress.podSelector.matchLabels);
      expect(egress.ports).toEqual(ingress.ingress[0].ports);
    });
  });
});
