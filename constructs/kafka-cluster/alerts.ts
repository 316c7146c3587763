import { AlertGroup, exporterDown, scoped } from '../lib/prometheus-rule';

/** kafka-exporter's alerts: under-replicated partitions, brokers missing. */
export function kafkaAlerts(namespace: string, name: string, brokers: number): AlertGroup {
  const sel = scoped(namespace, name);
  return {
    name: `${name}.kafka`,
    rules: [
      {
        alert: 'KafkaUnderReplicatedPartitions',
        expr: `sum by (namespace, topic) (kafka_topic_partition_under_replicated_partition{${sel}}) > 0`,
        for: '10m',
        severity: 'warning',
        summary: `Topic partitions of ${namespace}/${name} are under-replicated`,
        description: 'Topic {{ $labels.topic }} has {{ $value }} under-replicated partitions.',
      },
      {
        alert: 'KafkaBrokersMissing',
        expr: `max(kafka_brokers{${sel}}) < ${brokers}`,
        for: '5m',
        severity: 'critical',
        summary: `${namespace}/${name} has fewer brokers than configured`,
        description: `{{ $value }} brokers are in the cluster metadata, ${brokers} expected.`,
      },
      exporterDown(namespace, name, 'kafka-exporter'),
    ],
  };
}
