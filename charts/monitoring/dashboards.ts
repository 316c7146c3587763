import { DashboardSpec } from '../../constructs/lib/grafana-dashboard';
import { recordName } from '../../constructs/lib/slo';

/**
 * The dashboards: a platform overview and one per data service. Every query uses metrics that
 * the exporters we deploy expose (the same ones the alerts use; see docs/monitoring.md), scoped
 * by namespace, with fixed `[5m]` ranges so that promtool can parse them as they are.
 */

/** The namespace of each data service's dashboard. */
export interface DataNamespaces {
  readonly postgres: string;
  readonly redis: string;
  readonly clickhouse: string;
  readonly kafka: string;
  readonly minio: string;
  readonly elasticsearch: string;
}

export function platformOverview(ns: DataNamespaces, apiNamespace: string): DashboardSpec {
  const api = `service=~"${apiNamespace}[.].*"`;
  return {
    uid: 'receivables-platform-overview',
    title: 'Receivables platform: overview',
    tags: ['receivables', 'platform'],
    panels: [
      {
        title: 'Firing alerts by severity',
        kind: 'stat',
        queries: [{ expr: 'sum by (severity) (ALERTS{alertstate="firing"})', legend: '{{severity}}' }],
      },
      {
        title: 'Scrape targets down by namespace',
        kind: 'stat',
        queries: [{ expr: 'sum by (namespace) (up == 0)', legend: '{{namespace}}' }],
      },
      {
        title: 'API requests per second (Kong) by status class',
        unit: 'reqps',
        queries: [{ expr: `sum by (code) (rate(kong_http_requests_total{${api}}[5m]))`, legend: '{{code}}' }],
      },
      {
        title: 'API error ratio (SLO records)',
        unit: 'percentunit',
        queries: [
          { expr: `${recordName('5m')}{slo="api-availability"}`, legend: 'availability 5m' },
          { expr: `${recordName('1h')}{slo="api-availability"}`, legend: 'availability 1h' },
          { expr: `${recordName('1h')}{slo="api-latency"}`, legend: 'latency 1h' },
        ],
      },
      {
        title: 'API latency p99 (ms)',
        unit: 'ms',
        queries: [{ expr: `histogram_quantile(0.99, sum by (le) (rate(kong_request_latency_ms_bucket{${api}}[5m])))`, legend: 'p99' }],
      },
      {
        title: 'Container restarts (15m) by namespace',
        queries: [{ expr: 'sum by (namespace) (increase(kube_pod_container_status_restarts_total[15m]))', legend: '{{namespace}}' }],
      },
      {
        title: 'Agent queue depth (KEDA)',
        queries: [{ expr: 'max by (namespace, scaledObject) (keda_scaler_metrics_value)', legend: '{{namespace}}/{{scaledObject}}' }],
      },
      {
        title: 'Days until certificate expiry',
        unit: 'd',
        queries: [{ expr: '(certmanager_certificate_expiration_timestamp_seconds - time()) / 86400', legend: '{{namespace}}/{{name}}' }],
      },
      {
        title: 'Fullest volumes',
        unit: 'percentunit',
        queries: [
          {
            expr: 'topk(10, 1 - kubelet_volume_stats_available_bytes / kubelet_volume_stats_capacity_bytes)',
            legend: '{{namespace}}/{{persistentvolumeclaim}}',
          },
        ],
      },
      {
        title: 'Hours since the last successful backup',
        unit: 'h',
        queries: [
          {
            expr: `(time() - kube_cronjob_status_last_successful_time{namespace=~"${Object.values(ns).join('|')}"}) / 3600`,
            legend: '{{namespace}}/{{cronjob}}',
          },
        ],
      },
    ],
  };
}

export function postgresDashboard(namespace: string): DashboardSpec {
  const sel = `namespace="${namespace}"`;
  return {
    uid: 'receivables-postgres',
    title: 'Receivables: PostgreSQL (Patroni)',
    tags: ['receivables', 'postgres'],
    panels: [
      { title: 'Members up', kind: 'stat', queries: [{ expr: `sum(pg_up{${sel}})` }] },
      { title: 'Primaries (not in recovery)', kind: 'stat', queries: [{ expr: `sum(pg_replication_is_replica{${sel}} == bool 0)` }] },
      { title: 'Replication lag', unit: 's', queries: [{ expr: `max by (pod) (pg_replication_lag_seconds{${sel}})`, legend: '{{pod}}' }] },
      {
        title: 'Connections by database',
        queries: [{ expr: `sum by (datname) (pg_stat_database_numbackends{${sel}})`, legend: '{{datname}}' }],
      },
      {
        title: 'Transactions per second',
        queries: [
          { expr: `sum(rate(pg_stat_database_xact_commit{${sel}}[5m]))`, legend: 'commit' },
          { expr: `sum(rate(pg_stat_database_xact_rollback{${sel}}[5m]))`, legend: 'rollback' },
        ],
      },
      {
        title: 'Deadlocks (5m)',
        queries: [{ expr: `sum by (datname) (increase(pg_stat_database_deadlocks{${sel}}[5m]))`, legend: '{{datname}}' }],
      },
    ],
  };
}

export function redisDashboard(namespace: string): DashboardSpec {
  const sel = `namespace="${namespace}"`;
  return {
    uid: 'receivables-redis',
    title: 'Receivables: Redis (Sentinel)',
    tags: ['receivables', 'redis'],
    panels: [
      { title: 'Masters', kind: 'stat', queries: [{ expr: `count(redis_instance_info{${sel}, role="master"})` }] },
      { title: 'Connected replicas', kind: 'stat', queries: [{ expr: `max(redis_connected_slaves{${sel}})` }] },
      { title: 'Commands per second', queries: [{ expr: `sum by (pod) (rate(redis_commands_processed_total{${sel}}[5m]))`, legend: '{{pod}}' }] },
      { title: 'Memory used', unit: 'bytes', queries: [{ expr: `redis_memory_used_bytes{${sel}}`, legend: '{{pod}}' }] },
      { title: 'Clients', queries: [{ expr: `redis_connected_clients{${sel}}`, legend: '{{pod}}' }] },
      {
        title: 'Ready Sentinels',
        queries: [{ expr: `kube_statefulset_status_replicas_ready{${sel}, statefulset=~".*-sentinel"}`, legend: '{{statefulset}}' }],
      },
    ],
  };
}

export function clickhouseDashboard(namespace: string): DashboardSpec {
  const sel = `namespace="${namespace}"`;
  return {
    uid: 'receivables-clickhouse',
    title: 'Receivables: ClickHouse',
    tags: ['receivables', 'clickhouse'],
    panels: [
      { title: 'Readonly replicas', kind: 'stat', queries: [{ expr: `sum(ClickHouseMetrics_ReadonlyReplica{${sel}})` }] },
      { title: 'Replica delay', unit: 's', queries: [{ expr: `ClickHouseAsyncMetrics_ReplicasMaxAbsoluteDelay{${sel}}`, legend: '{{pod}}' }] },
      { title: 'Queries per second', queries: [{ expr: `sum by (pod) (rate(ClickHouseProfileEvents_Query{${sel}}[5m]))`, legend: '{{pod}}' }] },
      { title: 'Running queries', queries: [{ expr: `ClickHouseMetrics_Query{${sel}}`, legend: '{{pod}}' }] },
      {
        title: 'Inserted rows per second',
        queries: [{ expr: `sum by (pod) (rate(ClickHouseProfileEvents_InsertedRows{${sel}}[5m]))`, legend: '{{pod}}' }],
      },
      { title: 'Memory tracked', unit: 'bytes', queries: [{ expr: `ClickHouseMetrics_MemoryTracking{${sel}}`, legend: '{{pod}}' }] },
    ],
  };
}

export function kafkaDashboard(namespace: string): DashboardSpec {
  const sel = `namespace="${namespace}"`;
  return {
    uid: 'receivables-kafka',
    title: 'Receivables: Kafka',
    tags: ['receivables', 'kafka'],
    panels: [
      { title: 'Brokers', kind: 'stat', queries: [{ expr: `max(kafka_brokers{${sel}})` }] },
      {
        title: 'Under-replicated partitions',
        kind: 'stat',
        queries: [{ expr: `sum(kafka_topic_partition_under_replicated_partition{${sel}})` }],
      },
      {
        title: 'Messages in per second by topic',
        queries: [{ expr: `sum by (topic) (rate(kafka_topic_partition_current_offset{${sel}}[5m]))`, legend: '{{topic}}' }],
      },
      {
        title: 'Consumer group lag',
        queries: [{ expr: `sum by (consumergroup, topic) (kafka_consumergroup_lag{${sel}})`, legend: '{{consumergroup}} {{topic}}' }],
      },
    ],
  };
}

export function minioDashboard(namespace: string): DashboardSpec {
  const sel = `namespace="${namespace}"`;
  return {
    uid: 'receivables-minio',
    title: 'Receivables: MinIO',
    tags: ['receivables', 'minio'],
    panels: [
      { title: 'Drives offline', kind: 'stat', queries: [{ expr: `max(minio_cluster_health_drives_offline_count{${sel}})` }] },
      {
        title: 'Drives above write quorum, by erasure set',
        queries: [
          {
            expr: `min by (pool_id, set_id) (minio_cluster_erasure_set_online_drives_count{${sel}}) - max by (pool_id, set_id) (minio_cluster_erasure_set_write_quorum{${sel}})`,
            legend: 'pool {{pool_id}} set {{set_id}}',
          },
        ],
      },
      {
        title: 'Write health by erasure set',
        queries: [{ expr: `min by (pool_id, set_id) (minio_cluster_erasure_set_write_health{${sel}})`, legend: 'pool {{pool_id}} set {{set_id}}' }],
      },
      { title: 'Drives online', queries: [{ expr: `max(minio_cluster_health_drives_online_count{${sel}})`, legend: 'online' }] },
    ],
  };
}

export function elasticsearchDashboard(namespace: string): DashboardSpec {
  const sel = `namespace="${namespace}"`;
  return {
    uid: 'receivables-elasticsearch',
    title: 'Receivables: Elasticsearch',
    tags: ['receivables', 'elasticsearch'],
    panels: [
      {
        title: 'Cluster status',
        kind: 'stat',
        queries: [{ expr: `max by (color) (elasticsearch_cluster_health_status{${sel}}) == 1`, legend: '{{color}}' }],
      },
      { title: 'Nodes', kind: 'stat', queries: [{ expr: `max(elasticsearch_cluster_health_number_of_nodes{${sel}})` }] },
      {
        title: 'Unassigned shards',
        queries: [{ expr: `max(elasticsearch_cluster_health_unassigned_shards{${sel}})`, legend: 'unassigned' }],
      },
      {
        title: 'JVM heap used',
        unit: 'bytes',
        queries: [{ expr: `sum by (name) (elasticsearch_jvm_memory_used_bytes{${sel}, area="heap"})`, legend: '{{name}}' }],
      },
      {
        title: 'Disk available',
        unit: 'bytes',
        queries: [{ expr: `sum by (name) (elasticsearch_filesystem_data_available_bytes{${sel}})`, legend: '{{name}}' }],
      },
      { title: 'Indexing per second', queries: [{ expr: `sum(rate(elasticsearch_indices_indexing_index_total{${sel}}[5m]))`, legend: 'docs/s' }] },
    ],
  };
}
