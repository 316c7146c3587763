import { AlertGroup, exporterDown, scoped } from '../lib/prometheus-rule';

/** elasticsearch_exporter's alerts: cluster health red or yellow. */
export function elasticsearchAlerts(namespace: string, name: string): AlertGroup {
  const sel = scoped(namespace, name);
  return {
    name: `${name}.elasticsearch`,
    rules: [
      {
        alert: 'ElasticsearchClusterRed',
        expr: `max by (namespace, cluster) (elasticsearch_cluster_health_status{${sel}, color="red"}) == 1`,
        for: '2m',
        severity: 'critical',
        summary: `Elasticsearch ${namespace}/${name} is red`,
        description: 'At least one primary shard of cluster {{ $labels.cluster }} is unassigned: some data cannot be searched or written.',
      },
      {
        alert: 'ElasticsearchClusterYellow',
        expr: `max by (namespace, cluster) (elasticsearch_cluster_health_status{${sel}, color="yellow"}) == 1`,
        for: '15m',
        severity: 'warning',
        summary: `Elasticsearch ${namespace}/${name} is yellow`,
        description: 'Replica shards of cluster {{ $labels.cluster }} are unassigned: one more node loss may lose data.',
      },
      exporterDown(namespace, name, 'Elasticsearch'),
    ],
  };
}
