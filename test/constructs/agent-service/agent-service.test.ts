/* eslint-disable @typescript-eslint/no-explicit-any */
import { Chart, Testing } from 'cdk8s';
import { AgentService, AgentServiceProps } from '../../../constructs/agent-service';
import { KEDA_PAUSED_REPLICAS, QueueTrigger } from '../../../constructs/lib/keda';
import { runGate } from '../../../gate/gate';
import { SchemaRegistry } from '../../../gate/schema';
import { PlatformNamespace } from '../../../constructs/platform-namespace';
import { errorOf } from '../../helpers/errors';

const BASE = {
  namespace: 'app-agents',
  image: 'registry.example.com/receivables/collections-agent:1.0.0',
  secretStore: { name: 'platform-secrets' },
};

const KAFKA = QueueTrigger.kafkaLag({
  bootstrapServers: ['kafka-bootstrap.app-integration.svc:9092'],
  consumerGroup: 'collections-agent',
  topic: 'agent-tasks-collections',
  lagThreshold: 5,
  scramSha512: { username: 'app', passwordRemoteKey: 'prod/app-integration/kafka', passwordProperty: 'app-password' },
});
const REDIS = QueueTrigger.redisList({
  addresses: ['redis-sentinel.db-redis.svc.cluster.local:26379'],
  sentinelMaster: 'redis',
  listName: 'report-tasks',
  listLength: 2,
  login: { username: 'app', passwordRemoteKey: 'prod/db-redis/credentials', passwordProperty: 'app-password' },
});

function synth(props: Partial<AgentServiceProps> = {}, withNamespace = false): any[] {
  const chart = new Chart(Testing.app(), 'test', { disableResourceNameHashes: true });
  if (withNamespace) {
    new PlatformNamespace(chart, 'Namespace', { name: BASE.namespace });
  }
  new AgentService(chart, 'Collections', { ...BASE, ...props } as AgentServiceProps);
  return Testing.synth(chart);
}
const ofKind = (objs: any[], kind: string): any[] => objs.filter((o) => o.kind === kind);
const one = (objs: any[], kind: string): any => {
  const found = ofKind(objs, kind);
  expect(found).toHaveLength(1);
  return found[0];
};
const main = (objs: any[]): any => one(objs, 'Deployment').spec.template.spec.containers[0];
const envOf = (objs: any[]): Record<string, string> => Object.fromEntries(main(objs).env.map((e: any) => [e.name, e.value]));

describe('AgentService', () => {
  test('one uvicorn worker per pod, bound to all addresses on the HTTP port, component agent', () => {
    const objs = synth({ port: 8081 });
    expect(one(objs, 'Deployment').metadata.labels['app.kubernetes.io/component']).toBe('agent');
    expect(envOf(objs)).toMatchObject({ WEB_CONCURRENCY: '1', UVICORN_WORKERS: '1', UVICORN_HOST: '0.0.0.0', UVICORN_PORT: '8081' });
  });

  test('liveness on /livez, readiness on /readyz, both on the http port', () => {
    const c = main(synth());
    expect(c.livenessProbe.httpGet).toEqual({ path: '/livez', port: 'http' });
    expect(c.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' });
  });

  test('drain: uvicorn graceful-shutdown timeout = drainSeconds; grace period = 5 s preStop + drain + 5 s', () => {
    const objs = synth({ drainSeconds: 300 });
    const pod = one(objs, 'Deployment').spec.template.spec;
    expect(envOf(objs).UVICORN_TIMEOUT_GRACEFUL_SHUTDOWN).toBe('300');
    expect(pod.terminationGracePeriodSeconds).toBe(310);
    expect(pod.containers[0].lifecycle).toEqual({ preStop: { exec: { command: ['sleep', '5'] } } });
    expect(one(synth(), 'Deployment').spec.template.spec.terminationGracePeriodSeconds).toBe(130);
  });

  test('without queueScaling: fixed replicas or the CPU HPA of the base, no ScaledObject', () => {
    const objs = synth({ replicas: 2, autoscaling: { maxReplicas: 6 } });
    expect(one(objs, 'HorizontalPodAutoscaler').spec).toMatchObject({ minReplicas: 2, maxReplicas: 6 });
    expect(ofKind(objs, 'ScaledObject')).toEqual([]);
    expect(Object.keys(envOf(objs)).filter((k) => k.startsWith('QUEUE_'))).toEqual([]);
  });

  test('Kafka lag: a ScaledObject on the Deployment with the trigger, bounds and cooldown; no HPA, no spec.replicas', () => {
    const objs = synth({ queueScaling: { trigger: KAFKA, minReplicas: 2, maxReplicas: 12, cooldownSeconds: 600 } });
    const so = one(objs, 'ScaledObject');
    expect(so.metadata).toMatchObject({ name: 'collections', namespace: 'app-agents' });
    expect(so.metadata.annotations).toBeUndefined();
    expect(so.spec).toMatchObject({
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'collections' },
      minReplicaCount: 2,
      maxReplicaCount: 12,
      cooldownPeriod: 600,
    });
    expect(so.spec.triggers).toHaveLength(1);
    expect(so.spec.triggers[0]).toMatchObject({
      type: 'kafka',
      metadata: {
        bootstrapServers: 'kafka-bootstrap.app-integration.svc:9092',
        consumerGroup: 'collections-agent',
        topic: 'agent-tasks-collections',
        lagThreshold: '5',
        sasl: 'scram_sha512',
      },
      authenticationRef: { name: 'collections-keda' },
    });
    expect(ofKind(objs, 'HorizontalPodAutoscaler')).toEqual([]);
    expect(one(objs, 'Deployment').spec.replicas).toBeUndefined();
    // PDB and spread are sized for the maximum.
    expect(one(objs, 'PodDisruptionBudget').spec.maxUnavailable).toBe(1);
    expect(envOf(objs)).toMatchObject({ QUEUE_KIND: 'kafka', QUEUE_TOPIC: 'agent-tasks-collections', QUEUE_CONSUMER_GROUP: 'collections-agent' });
  });

  test('the TriggerAuthentication reads user and password from a Secret an ExternalSecret writes from the store', () => {
    const objs = synth({ queueScaling: { trigger: KAFKA } });
    const auth = one(objs, 'TriggerAuthentication');
    expect(auth.metadata).toMatchObject({ name: 'collections-keda', namespace: 'app-agents' });
    expect(auth.spec.secretTargetRef.map((r: any) => [r.parameter, r.name, r.key])).toEqual([
      ['username', 'collections-keda', 'username'],
      ['password', 'collections-keda', 'password'],
    ]);
    const es = ofKind(objs, 'ExternalSecret').find((e) => e.spec.target.name === 'collections-keda');
    expect(es.spec.data).toEqual([{ secretKey: 'password', remoteRef: { key: 'prod/app-integration/kafka', property: 'app-password' } }]);
  });

  test('Redis list via Sentinel: trigger redis-sentinel, scale to zero allowed for a batch agent', () => {
    const objs = synth({ queueScaling: { trigger: REDIS, minReplicas: 0, maxReplicas: 4, allowScaleToZero: true } });
    const so = one(objs, 'ScaledObject');
    expect(so.spec).toMatchObject({ minReplicaCount: 0, maxReplicaCount: 4 });
    expect(so.spec.triggers[0]).toMatchObject({
      type: 'redis-sentinel',
      metadata: { addresses: 'redis-sentinel.db-redis.svc.cluster.local:26379', sentinelMaster: 'redis', listName: 'report-tasks', listLength: '2' },
    });
    expect(one(objs, 'TriggerAuthentication').spec.secretTargetRef.map((r: any) => r.parameter)).toEqual([
      'password',
      'username',
      'sentinelPassword',
    ]);
    expect(envOf(objs)).toMatchObject({ QUEUE_KIND: 'redis', QUEUE_LIST: 'report-tasks' });
  });

  test('replicas 0 (DR at rest): the ScaledObject stays, paused at zero; spec.replicas 0, no PDB', () => {
    const objs = synth({ replicas: 0, queueScaling: { trigger: KAFKA, minReplicas: 2, maxReplicas: 12 } });
    expect(one(objs, 'ScaledObject').metadata.annotations).toEqual({ [KEDA_PAUSED_REPLICAS]: '0' });
    expect(one(objs, 'Deployment').spec.replicas).toBe(0);
    expect(ofKind(objs, 'PodDisruptionBudget')).toEqual([]);
  });

  test('a queue-scaled agent and a paused one pass the gate', () => {
    for (const replicas of [undefined, 0]) {
      const objects = synth({ replicas, queueScaling: { trigger: KAFKA, maxReplicas: 6 } }, true);
      const problems = runGate(
        objects.map((obj) => ({ file: 'test.yaml', obj })),
        { registry: SchemaRegistry.default() },
      ).problems.filter((p) => p.severity === 'error');
      expect(problems.map((p) => `${p.object} ${p.path}: ${p.rule}: ${p.message}`)).toEqual([]);
    }
  });

  test('fails when KEDA max is below min, scale to zero lacks the flag, and replicas/autoscaling fight the scaler', () => {
    const err = errorOf(() =>
      synth({ replicas: 3, autoscaling: { maxReplicas: 4 }, queueScaling: { trigger: KAFKA, minReplicas: 5, maxReplicas: 2 } }),
    );
    expect(err.message).toContain('test/Collections: queueScaling.maxReplicas: must be at least minReplicas (5) (got 2)');
    expect(err.message).toContain('test/Collections: autoscaling: cannot be set');
    expect(err.message).toContain('test/Collections: replicas: must be unset or 0 with queueScaling');
    const zero = errorOf(() => synth({ queueScaling: { trigger: REDIS, minReplicas: 0 } }));
    expect(zero.problems.map((p) => p.field)).toEqual(['queueScaling.minReplicas']);
    expect(zero.message).toContain('may be 0 only with allowScaleToZero: true');
  });

  test('fails when drainSeconds is 0 or above an hour', () => {
    expect(errorOf(() => synth({ drainSeconds: 0 })).message).toBe('test/Collections: drainSeconds: must be an integer from 1 to 3600 (got 0)');
    expect(errorOf(() => synth({ drainSeconds: 7200 })).problems.map((p) => p.field)).toEqual(['drainSeconds']);
  });

  test('fails when env or args ask for more uvicorn workers, or the liveness path checks the database', () => {
    const err = errorOf(() =>
      synth({ env: { WEB_CONCURRENCY: '4', UVICORN_PORT: '9000' }, args: ['--workers', '4'], probes: { livenessPath: '/health/db' } }),
    );
    expect(err.problems.map((p) => p.field).sort()).toEqual(['args', 'env.UVICORN_PORT', 'env.WEB_CONCURRENCY', 'probes.livenessPath']);
    expect(err.message).toContain('args: must not set --workers: one uvicorn worker per pod');
  });
});
