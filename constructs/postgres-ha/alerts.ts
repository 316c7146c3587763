import { AlertGroup, exporterDown, scoped } from '../lib/prometheus-rule';

/** postgres_exporter's alerts: replication lag, no primary (or two), the exporter down. */
export function postgresAlerts(namespace: string, name: string): AlertGroup {
  const sel = scoped(namespace, name);
  return {
    name: `${name}.postgres`,
    rules: [
      {
        alert: 'PostgresReplicationLagHigh',
        expr: `max by (namespace, pod) (pg_replication_lag_seconds{${sel}}) > 300`,
        for: '5m',
        severity: 'warning',
        summary: `A replica of ${namespace}/${name} is more than 5 minutes behind`,
        description: 'Replica {{ $labels.pod }} replays WAL {{ $value | humanizeDuration }} behind the primary.',
      },
      {
        alert: 'PostgresNoLeader',
        expr: `sum(pg_replication_is_replica{${sel}} == bool 0) < 1`,
        for: '2m',
        severity: 'critical',
        summary: `${namespace}/${name} has no primary`,
        description: 'Every member that answers is a replica: Patroni has no leader, writes fail.',
      },
      {
        alert: 'PostgresMultiplePrimaries',
        expr: `sum(pg_replication_is_replica{${sel}} == bool 0) > 1`,
        for: '1m',
        severity: 'critical',
        summary: `${namespace}/${name} has more than one primary`,
        description: '{{ $value }} members are not in recovery: a split brain.',
      },
      {
        alert: 'PostgresDown',
        expr: `pg_up{${sel}} == 0`,
        for: '2m',
        severity: 'critical',
        summary: `PostgreSQL of ${namespace}/${name} does not answer its exporter`,
        description: 'postgres_exporter in {{ $labels.pod }} cannot connect to PostgreSQL.',
      },
      exporterDown(namespace, name, 'PostgreSQL/PgBouncer'),
    ],
  };
}
