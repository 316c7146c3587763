/* eslint-disable @typescript-eslint/no-explicit-any */
import { App, Testing } from 'cdk8s';
import { AppAgentsChart, ORCHESTRATOR, SPECIALIZED_AGENTS, topicPartitions } from '../../../charts/app-agents';
import { AppIntegrationChart } from '../../../charts/app-integration';
import { DbPostgresChart } from '../../../charts/db-postgres';
import { DbRedisChart } from '../../../charts/db-redis';
import { KEDA_PAUSED_REPLICAS } from '../../../constructs/lib/keda';
import { loadEnvironments } from '../../../environments/load';
import { EnvironmentConfig } from '../../../environments/types';

const ENVS = ['dev', 'staging', 'prod', 'dr'] as const;
const NAMES = [ORCHESTRATOR, ...SPECIALIZED_AGENTS].map((a) => a.name);
const QUEUED = SPECIALIZED_AGENTS.map((a) => a.name);

describe('app-agents chart', () => {
  const configs: Record<string, EnvironmentConfig> = Object.fromEntries(loadEnvironments([...ENVS]).map((c) => [c.name, c]));
  const drFailedOver: EnvironmentConfig = { ...configs.dr, dr: { ...configs.dr.dr!, failover: true } };
  const cache = new Map<EnvironmentConfig, any[]>();
  const objectsOf = (config: EnvironmentConfig): any[] => {
    if (!cache.has(config)) {
      cache.set(config, Testing.synth(new AppAgentsChart(new App(), config)));
    }
    return cache.get(config)!;
  };
  // The agents' objects; the model server beside them is tested in model-servers.test.ts.
  const ofKind = (objects: any[], kind: string): any[] => objects.filter((o) => o.kind === kind && !o.metadata.name.startsWith('deepseek-r1'));
  const named = (objects: any[], kind: string, name: string): any => objects.find((o) => o.kind === kind && o.metadata.name === name);
  const envOf = (objects: any[], name: string): Record<string, any> =>
    Object.fromEntries(named(objects, 'Deployment', name).spec.template.spec.containers[0].env.map((e: any) => [e.name, e.value ?? e.valueFrom]));
  const bounds = (objects: any[]): Record<string, [number, number]> =>
    Object.fromEntries(ofKind(objects, 'ScaledObject').map((s) => [s.metadata.name, [s.spec.minReplicaCount, s.spec.maxReplicaCount]]));

  test.each(ENVS)('%s: the orchestrator and the three specialized agents in app-agents, pinned images, one uvicorn worker each', (env) => {
    const objects = objectsOf(configs[env]);
    // Every agent talks to the model server through its OpenAI-compatible API.
    for (const name of NAMES) {
      const env = named(objects, 'Deployment', name).spec.template.spec.containers[0].env;
      expect(env).toContainEqual({ name: 'LLM_BASE_URL', value: 'http://deepseek-r1.app-agents.svc:8000/v1' });
    }
    expect(ofKind(objects, 'Deployment').map((d) => [d.metadata.namespace, d.metadata.name])).toEqual(NAMES.map((n) => ['app-agents', n]));
    for (const name of NAMES) {
      expect(named(objects, 'Deployment', name).spec.template.spec.containers[0].image).toBe(
        `harbor.receivables.example.com/platform/receivables/${name === 'orchestrator' ? 'orchestrator-agent' : name}:1.0.0`,
      );
      expect(envOf(objects, name).WEB_CONCURRENCY).toBe('1');
    }
  });

  test('prod: Kafka agents scale on lag from 3 to 12 (the partitions), the reporting agent from 0 to 6 on its Redis list', () => {
    const objects = objectsOf(configs.prod);
    expect(bounds(objects)).toEqual({ 'collections-agent': [3, 12], 'dispute-agent': [3, 12], 'reporting-agent': [0, 6] });
    expect(topicPartitions('agent-tasks-collections')).toBe(12);
    const collections = named(objects, 'ScaledObject', 'collections-agent').spec.triggers[0];
    expect(collections.type).toBe('kafka');
    expect(collections.metadata).toMatchObject({
      bootstrapServers: 'kafka-bootstrap.app-integration.svc:9092',
      consumerGroup: 'collections-agent',
      topic: 'agent-tasks-collections',
      lagThreshold: '5',
    });
    expect(named(objects, 'ScaledObject', 'dispute-agent').spec.triggers[0].metadata.topic).toBe('agent-tasks-disputes');
    const reporting = named(objects, 'ScaledObject', 'reporting-agent');
    expect(reporting.spec.cooldownPeriod).toBe(600);
    expect(reporting.spec.triggers[0]).toMatchObject({
      type: 'redis-sentinel',
      metadata: {
        addresses: 'redis-sentinel.db-redis.svc.cluster.local:26379',
        sentinelMaster: 'redis',
        listName: 'agent-report-tasks',
        listLength: '2',
      },
    });
    expect(ofKind(objects, 'ScaledObject').every((s) => s.metadata.annotations === undefined)).toBe(true);
    for (const name of QUEUED) {
      expect(named(objects, 'Deployment', name).spec.replicas).toBeUndefined();
    }
  });

  test('prod: the orchestrator serves HTTP at 3 replicas with a CPU HPA 3-9 and routes to each agent queue', () => {
    const objects = objectsOf(configs.prod);
    expect(ofKind(objects, 'HorizontalPodAutoscaler').map((h) => [h.spec.scaleTargetRef.name, h.spec.minReplicas, h.spec.maxReplicas])).toEqual([
      ['orchestrator', 3, 9],
    ]);
    const env = envOf(objects, 'orchestrator');
    expect([env.TASKS_TOPIC, env.ROUTE_COLLECTIONS_AGENT, env.ROUTE_DISPUTE_AGENT, env.ROUTE_REPORTING_AGENT]).toEqual([
      'agent-tasks',
      'kafka:agent-tasks-collections',
      'kafka:agent-tasks-disputes',
      'redis:agent-report-tasks',
    ]);
    expect(['POSTGRES', 'REDIS', 'KAFKA'].filter((p) => env[`${p}_HOST`] !== undefined)).toEqual(['POSTGRES', 'REDIS', 'KAFKA']);
    // Every queue the orchestrator routes to is the one its agent consumes.
    for (const name of QUEUED) {
      const agent = envOf(objects, name);
      expect(env[`ROUTE_${name.toUpperCase().replace(/-/g, '_')}`]).toBe(`${agent.QUEUE_KIND}:${agent.QUEUE_TOPIC ?? agent.QUEUE_LIST}`);
    }
  });

  test('drain: agents get 300 s (reports 600 s) after SIGTERM, the orchestrator 60 s; preStop sleep on every pod', () => {
    const objects = objectsOf(configs.prod);
    const grace = Object.fromEntries(ofKind(objects, 'Deployment').map((d) => [d.metadata.name, d.spec.template.spec.terminationGracePeriodSeconds]));
    expect(grace).toEqual({ orchestrator: 70, 'collections-agent': 310, 'dispute-agent': 310, 'reporting-agent': 610 });
    expect(ofKind(objects, 'Deployment').every((d) => d.spec.template.spec.containers[0].lifecycle.preStop.exec.command[0] === 'sleep')).toBe(true);
  });

  test('KEDA logins: Kafka lag as the read-only monitor user, the Redis list as app, with the Redis CA where TLS is on', () => {
    const objects = objectsOf(configs.prod);
    const secret = (name: string): any => ofKind(objects, 'ExternalSecret').find((e) => e.spec.target.name === name);
    expect(secret('collections-agent-keda').spec.data).toEqual([
      { secretKey: 'password', remoteRef: { key: 'prod/app-integration/kafka', property: 'monitor-password' } },
    ]);
    expect(secret('collections-agent-keda').spec.target.template.data.username).toBe('monitor');
    expect(secret('reporting-agent-keda').spec.data.map((d: any) => [d.secretKey, d.remoteRef.key, d.remoteRef.property])).toEqual([
      ['password', 'prod/db-redis/credentials', 'app-password'],
      ['sentinelPassword', 'prod/db-redis/credentials', 'app-password'],
      ['ca', 'prod/db-redis/ca', 'ca.crt'],
    ]);
    expect(named(objects, 'TriggerAuthentication', 'reporting-agent-keda').spec.secretTargetRef.map((r: any) => r.parameter)).toEqual([
      'password',
      'username',
      'sentinelPassword',
      'ca',
      'tls',
    ]);
  });

  test('dr at rest: every agent at 0, the ScaledObjects paused at 0, no HPA, no PDB; after failover prod scale', () => {
    const atRest = objectsOf(configs.dr);
    expect(ofKind(atRest, 'Deployment').map((d) => d.spec.replicas)).toEqual([0, 0, 0, 0]);
    expect(ofKind(atRest, 'ScaledObject').map((s) => [s.metadata.name, s.metadata.annotations?.[KEDA_PAUSED_REPLICAS]])).toEqual(
      QUEUED.map((n) => [n, '0']),
    );
    expect(ofKind(atRest, 'HorizontalPodAutoscaler')).toEqual([]);
    expect(ofKind(atRest, 'PodDisruptionBudget')).toEqual([]);
    const up = objectsOf(drFailedOver);
    expect(bounds(up)).toEqual(bounds(objectsOf(configs.prod)));
    expect(ofKind(up, 'ScaledObject').every((s) => s.metadata.annotations === undefined)).toBe(true);
    expect(ofKind(up, 'PodDisruptionBudget')).toHaveLength(4);
  });

  test('staging scales the Kafka agents 2-8 and the reporting agent 0-4; dev has no KEDA: fixed single replicas', () => {
    expect(bounds(objectsOf(configs.staging))).toEqual({ 'collections-agent': [2, 8], 'dispute-agent': [2, 8], 'reporting-agent': [0, 4] });
    const dev = objectsOf(configs.dev);
    expect(ofKind(dev, 'ScaledObject')).toEqual([]);
    expect(ofKind(dev, 'HorizontalPodAutoscaler')).toEqual([]);
    expect(ofKind(dev, 'Deployment').map((d) => d.spec.replicas)).toEqual([1, 1, 1, 1]);
  });

  test('the Kafka and Redis servers admit the KEDA operator on their client ports where KEDA runs, not in dev', () => {
    const kafkaFromKeda = (env: string): any =>
      named(Testing.synth(new AppIntegrationChart(new App(), configs[env])), 'NetworkPolicy', 'kafka-from-keda');
    const keda = kafkaFromKeda('prod').spec.ingress[0];
    expect(keda.from).toEqual([
      { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'keda' } }, podSelector: { matchLabels: { app: 'keda-operator' } } },
    ]);
    expect(keda.ports).toEqual([{ port: 9092, protocol: 'TCP' }]);
    expect(kafkaFromKeda('dev')).toBeUndefined();
    const redisClients = named(Testing.synth(new DbRedisChart(new App(), configs.prod)), 'NetworkPolicy', 'redis-clients').spec.ingress[0];
    expect(redisClients.from).toContainEqual({
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'keda' } },
      podSelector: { matchLabels: { app: 'keda-operator' } },
    });
    expect(redisClients.ports.map((p: any) => p.port)).toEqual([6379, 26379]);
  });

  test('each agent egress meets an ingress its server opens for app-agents', () => {
    const objects = objectsOf(configs.prod);
    const egress = named(objects, 'NetworkPolicy', 'collections-agent-to-kafka').spec.egress[0];
    expect(egress.to[0].namespaceSelector.matchLabels).toEqual({ 'kubernetes.io/metadata.name': 'app-integration' });
    const server = named(Testing.synth(new AppIntegrationChart(new App(), configs.prod)), 'NetworkPolicy', 'kafka-from-app-agents').spec;
    expect(server.podSelector.matchLabels).toEqual(egress.to[0].podSelector.matchLabels);
    expect(server.ingress[0].ports).toEqual(egress.ports);
    const pgEgress = named(objects, 'NetworkPolicy', 'orchestrator-to-postgres').spec.egress[0];
    const pgServer = named(Testing.synth(new DbPostgresChart(new App(), configs.prod)), 'NetworkPolicy', 'postgres-from-app-agents').spec;
    expect(pgEgress.to[0].namespaceSelector.matchLabels).toEqual({ 'kubernetes.io/metadata.name': 'db-postgres' });
    expect(pgServer.podSelector.matchLabels).toEqual(pgEgress.to[0].podSelector.matchLabels);
    expect(pgServer.ingress[0].ports).toEqual(pgEgress.ports);
    const redisEgress = named(objects, 'NetworkPolicy', 'reporting-agent-to-redis').spec.egress[0];
    const redisServer = named(Testing.synth(new DbRedisChart(new App(), configs.prod)), 'NetworkPolicy', 'redis-clients').spec;
    expect(redisServer.ingress[0].from).toContainEqual({
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'app-agents' } },
      podSelector: { matchLabels: { 'client.receivables.io/redis': 'true' } },
    });
    // Only pods that connect get in: the client label is on the agents that connect, not on the others.
    const labels = (name: string): Record<string, string> => named(objects, 'Deployment', name).spec.template.metadata.labels;
    expect(labels('reporting-agent')['client.receivables.io/redis']).toBe('true');
    expect(labels('collections-agent')['client.receivables.io/redis']).toBeUndefined();
    expect(redisServer.podSelector.matchLabels).toEqual(redisEgress.to[0].podSelector.matchLabels);
    expect(redisServer.ingress[0].ports).toEqual(redisEgress.ports);
  });
});
