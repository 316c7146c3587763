import { AlertGroup, exporterDown, scoped } from '../lib/prometheus-rule';

/** The built-in endpoint's alerts: replica delay and read-only replicas. */
export function clickhouseAlerts(namespace: string, name: string): AlertGroup {
  const sel = scoped(namespace, name);
  return {
    name: `${name}.clickhouse`,
    rules: [
      {
        alert: 'ClickHouseReplicaDelayHigh',
        expr: `ClickHouseAsyncMetrics_ReplicasMaxAbsoluteDelay{${sel}} > 300`,
        for: '10m',
        severity: 'warning',
        summary: `A replica of ${namespace}/${name} is more than 5 minutes behind`,
        description: 'The most delayed replicated table on {{ $labels.pod }} is {{ $value | humanizeDuration }} behind.',
      },
      {
        alert: 'ClickHouseReadonlyReplica',
        expr: `ClickHouseMetrics_ReadonlyReplica{${sel}} > 0`,
        for: '5m',
        severity: 'critical',
        summary: `${namespace}/${name} has read-only replicas`,
        description: '{{ $value }} replicated tables on {{ $labels.pod }} are read-only (Keeper session lost?): inserts into them fail.',
      },
      exporterDown(namespace, name, 'ClickHouse/Keeper'),
    ],
  };
}
