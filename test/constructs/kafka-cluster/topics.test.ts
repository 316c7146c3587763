import { Chart, Testing } from 'cdk8s';
import { KafkaCluster, KafkaClusterProps, KafkaTopicProps } from '../../../constructs/kafka-cluster';
import { errorOf } from '../../helpers/errors';

function cluster(props: Partial<KafkaClusterProps> = {}): KafkaCluster {
  return new KafkaCluster(new Chart(Testing.app(), 'test'), 'Kafka', {
    name: 'kafka',
    namespace: 'app-integration',
    clusterId: 'MkU3OEVBNTcwNTJENDM2Qg',
    image: 'apache/kafka:3.8.1',
    monitoring: { enabled: false },
    secretStore: { name: 'platform-secrets' },
    ...props,
  });
}

describe('KafkaCluster.addTopic', () => {
  test('defaults: the cluster replication factor, retention.ms only when given, configs as strings', () => {
    const kafka = cluster();
    expect(kafka.addTopic({ name: 'a.b_c-1', partitions: 3 })).toEqual({ name: 'a.b_c-1', partitions: 3, replicationFactor: 3, config: {} });
    expect(kafka.addTopic({ name: 'audit', partitions: 1, replicationFactor: 2, retentionMs: -1, config: { 'min.insync.replicas': 2 } })).toEqual({
      name: 'audit',
      partitions: 1,
      replicationFactor: 2,
      config: { 'min.insync.replicas': '2', 'retention.ms': '-1' },
    });
  });

  test.each(['', '.', '..', 'has space', 'ümlaut', 'a/b', 'x'.repeat(250)])('fails when the topic name is %p', (name) => {
    const err = errorOf(() => cluster().addTopic({ name, partitions: 1 }));
    expect(err.problems.map((p) => p.field)).toEqual([`topics[${name}].name`]);
    expect(err.message).toContain("Kafka's topic name rule");
  });

  test('a 249-character name is accepted', () => {
    expect(cluster().addTopic({ name: 'x'.repeat(249), partitions: 1 }).name).toHaveLength(249);
  });

  test('fails when a topic is declared twice, or collides with another on . versus _', () => {
    const kafka = cluster();
    kafka.addTopic({ name: 'invoice.events', partitions: 1 });
    expect(errorOf(() => kafka.addTopic({ name: 'invoice.events', partitions: 1 })).message).toContain('is declared twice');
    expect(errorOf(() => kafka.addTopic({ name: 'invoice_events', partitions: 1 })).message).toContain('collides with topic "invoice.events"');
  });

  test.each<[string, KafkaTopicProps, string[]]>([
    ['partitions 0', { name: 't', partitions: 0 }, ['topics[t].partitions']],
    ['RF above the brokers', { name: 't', partitions: 1, replicationFactor: 4 }, ['topics[t].replicationFactor']],
    ['RF below the cluster min.insync (2)', { name: 't', partitions: 1, replicationFactor: 1 }, ['topics[t].replicationFactor']],
    [
      'a retention under -1 and a bad config, both',
      { name: 't', partitions: 1, retentionMs: -5, config: { 'Bad Key': 'x', 'cleanup.policy': 'a,b' } },
      ['topics[t].config.Bad Key', 'topics[t].config.cleanup.policy', 'topics[t].retentionMs'],
    ],
    ['retention.ms twice', { name: 't', partitions: 1, retentionMs: 1000, config: { 'retention.ms': 5 } }, ['topics[t].config.retention.ms']],
  ])('fails with %s', (_name, topic, fields) => {
    const err = errorOf(() => cluster().addTopic(topic));
    expect(err.problems.map((p) => p.field)).toEqual(fields);
    expect(err.constructPath).toBe('test/Kafka');
  });

  test('a failed addTopic declares nothing', () => {
    const kafka = cluster();
    errorOf(() => kafka.addTopic({ name: 't', partitions: 0 }));
    expect(kafka.topics).toEqual([]);
  });

  test('in development (1 broker) RF 1 is the default and accepted', () => {
    expect(cluster({ replicas: 1 }).addTopic({ name: 't', partitions: 1 }).replicationFactor).toBe(1);
  });
});
