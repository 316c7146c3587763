/* eslint-disable @typescript-eslint/no-explicit-any */
import { Testing } from 'cdk8s';
import { checkQueueScaling, KEDA_PAUSED_REPLICAS, QueueScaler, QueueScalingProps, QueueTrigger } from '../../../constructs/lib/keda';
import { PropChecks } from '../../../constructs/lib/prop-errors';
import { errorOf } from '../../helpers/errors';

const KAFKA = QueueTrigger.kafkaLag({
  bootstrapServers: ['kafka-bootstrap.app-integration.svc:9092'],
  consumerGroup: 'agents-collections',
  topic: 'agent-tasks',
  lagThreshold: 20,
  scramSha512: { username: 'app', passwordRemoteKey: 'prod/app-integration/kafka', passwordProperty: 'app-password' },
});

function synth(scaling: QueueScalingProps, pausedAtZero = false): any[] {
  const chart = Testing.chart();
  const check = new PropChecks(chart);
  const resolved = checkQueueScaling(check, scaling, 'autoscaling');
  check.throwIfAny();
  new QueueScaler(chart, 'Scaler', {
    name: 'collections',
    namespace: 'app-agents',
    labels: { app: 'collections' },
    target: { kind: 'Deployment', name: 'collections' },
    scaling: resolved,
    secretStore: { name: 'platform-secrets' },
    pausedAtZero,
  });
  return Testing.synth(chart);
}

function validate(scaling: QueueScalingProps): string {
  const chart = Testing.chart();
  return errorOf(() => {
    const check = new PropChecks(chart);
    checkQueueScaling(check, scaling, 'autoscaling');
    check.throwIfAny();
  }).message;
}

describe('QueueScaler', () => {
  test('Kafka lag: the trigger names the brokers, group, topic and threshold; bounds and pace as given', () => {
    const so = synth({ trigger: KAFKA, minReplicas: 2, maxReplicas: 12, cooldownSeconds: 120, pollingSeconds: 15 }).find((o) => o.kind === 'ScaledObject');
    expect(so.spec).toMatchObject({
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'collections' },
      minReplicaCount: 2,
      maxReplicaCount: 12,
      cooldownPeriod: 120,
      pollingInterval: 15,
    });
    expect(so.spec.triggers).toEqual([
      {
        type: 'kafka',
        metadata: {
          bootstrapServers: 'kafka-bootstrap.app-integration.svc:9092',
          consumerGroup: 'agents-collections',
          topic: 'agent-tasks',
          lagThreshold: '20',
          activationLagThreshold: '0',
          offsetResetPolicy: 'latest',
          sasl: 'scram_sha512',
          tls: 'disable',
        },
        authenticationRef: { name: 'collections-keda' },
      },
    ]);
    expect(so.metadata.annotations).toBeUndefined();
  });

  test('SCRAM login: a TriggerAuthentication reads username and password from a Secret an ExternalSecret writes', () => {
    const objs = synth({ trigger: KAFKA });
    const auth = objs.find((o) => o.kind === 'TriggerAuthentication');
    expect(auth.spec.secretTargetRef).toEqual([
      { parameter: 'username', name: 'collections-keda', key: 'username' },
      { parameter: 'password', name: 'collections-keda', key: 'password' },
    ]);
    const es = objs.find((o) => o.kind === 'ExternalSecret');
    expect(es.spec.target.name).toBe('collections-keda');
    expect(es.spec.data).toEqual([{ secretKey: 'password', remoteRef: { key: 'prod/app-integration/kafka', property: 'app-password' } }]);
    // The user name is not secret: a literal in the template, next to the password from the store.
    expect(es.spec.target.template.data).toEqual({ username: 'app', password: '{{ index . "password" }}' });
    expect(objs.some((o) => o.kind === 'Secret')).toBe(false);
  });

  test('defaults: 1 to 10 replicas, 300 s cooldown, 30 s polling, lag threshold 10', () => {
    const so = synth({ trigger: QueueTrigger.kafkaLag({ bootstrapServers: ['k:9092'], consumerGroup: 'g', topic: 't' }) }).find(
      (o) => o.kind === 'ScaledObject',
    );
    expect(so.spec).toMatchObject({ minReplicaCount: 1, maxReplicaCount: 10, cooldownPeriod: 300, pollingInterval: 30 });
    expect(so.spec.triggers[0].metadata.lagThreshold).toBe('10');
    expect(so.spec.triggers[0].authenticationRef).toBeUndefined();
  });

  test('Redis list behind Sentinel: trigger redis-sentinel, password for both, TLS with the CA from the store', () => {
    const objs = synth({
      trigger: QueueTrigger.redisList({
        addresses: ['redis-sentinel.db-redis.svc:26379'],
        sentinelMaster: 'mymaster',
        listName: 'agent-batch',
        listLength: 50,
        login: { passwordRemoteKey: 'prod/db-redis/redis', passwordProperty: 'password' },
        tlsCaRemoteKey: { remoteKey: 'prod/db-redis/ca', property: 'ca.crt' },
      }),
      minReplicas: 0,
      allowScaleToZero: true,
    });
    const so = objs.find((o) => o.kind === 'ScaledObject');
    expect(so.spec.minReplicaCount).toBe(0);
    expect(so.spec.triggers[0]).toMatchObject({
      type: 'redis-sentinel',
      metadata: { addresses: 'redis-sentinel.db-redis.svc:26379', sentinelMaster: 'mymaster', listName: 'agent-batch', listLength: '50' },
    });
    const auth = objs.find((o) => o.kind === 'TriggerAuthentication');
    expect(auth.spec.secretTargetRef.map((r: any) => r.parameter)).toEqual(['password', 'sentinelPassword', 'ca', 'tls']);
    const es = objs.find((o) => o.kind === 'ExternalSecret');
    expect(es.spec.target.template.data.tls).toBe('enable');
  });

  test('plain Redis without a login: trigger redis and no TriggerAuthentication', () => {
    const objs = synth({ trigger: QueueTrigger.redisList({ addresses: ['redis.cache.svc:6379'], listName: 'jobs' }) });
    expect(objs.find((o) => o.kind === 'ScaledObject').spec.triggers[0].type).toBe('redis');
    expect(objs.filter((o) => o.kind !== 'ScaledObject')).toEqual([]);
  });

  test('paused at zero (DR at rest): the paused-replicas annotation holds the target at 0', () => {
    const so = synth({ trigger: KAFKA }, true).find((o) => o.kind === 'ScaledObject');
    expect(so.metadata.annotations).toEqual({ [KEDA_PAUSED_REPLICAS]: '0' });
    expect(KEDA_PAUSED_REPLICAS).toBe('autoscaling.keda.sh/paused-replicas');
  });

  test('fails when max is below min, naming path, field, rule and value', () => {
    expect(validate({ trigger: KAFKA, minReplicas: 5, maxReplicas: 3 })).toBe(
      'test: autoscaling.maxReplicas: must be at least minReplicas (5) (got 3)',
    );
  });

  test('fails when scale-to-zero is not allowed', () => {
    expect(validate({ trigger: KAFKA, minReplicas: 0 })).toBe(
      'test: autoscaling.minReplicas: may be 0 only with allowScaleToZero: true (batch workloads) (got 0)',
    );
  });

  test('fails on a negative cooldown, max 0, a zero threshold and a bad broker address, all at once', () => {
    const message = validate({
      trigger: QueueTrigger.kafkaLag({ bootstrapServers: ['kafka'], consumerGroup: '', topic: 'agent-tasks', lagThreshold: 0 }),
      minReplicas: 0,
      allowScaleToZero: true,
      maxReplicas: 0,
      cooldownSeconds: -1,
    });
    expect(message.split('\n')).toEqual([
      'test: autoscaling.maxReplicas: must be an integer >= 1 (got 0)',
      'test: autoscaling.cooldownSeconds: must be an integer >= 0 (got -1)',
      'test: autoscaling.trigger.bootstrapServers[0]: must be host:port (got "kafka")',
      'test: autoscaling.trigger.consumerGroup: must not be empty (got "")',
      'test: autoscaling.trigger.lagThreshold: must be an integer >= 1 (got 0)',
    ]);
  });

  test('fails on a zero Redis list length and a negative minimum', () => {
    const message = validate({ trigger: QueueTrigger.redisList({ addresses: [], listName: 'jobs', listLength: 0 }), minReplicas: -1 });
    expect(message.split('\n')).toEqual([
      'test: autoscaling.minReplicas: must be an integer >= 0 (got -1)',
      'test: autoscaling.trigger.addresses: must name at least one host:port (got [])',
      'test: autoscaling.trigger.listLength: must be an integer >= 1 (got 0)',
    ]);
  });
});
