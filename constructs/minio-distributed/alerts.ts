import { AlertGroup, exporterDown, scoped } from '../lib/prometheus-rule';

/** Metrics v3 alerts: drives offline, an erasure set at or below its write quorum. */
export function minioAlerts(namespace: string, name: string): AlertGroup {
  const sel = scoped(namespace, name);
  const bySet = 'max by (namespace, pool_id, set_id)';
  return {
    name: `${name}.minio`,
    rules: [
      {
        alert: 'MinioDriveOffline',
        expr: `max by (namespace) (minio_cluster_health_drives_offline_count{${sel}}) > 0`,
        for: '5m',
        severity: 'warning',
        summary: `${namespace}/${name} has offline drives`,
        description: '{{ $value }} drives are offline; the erasure sets still serve, with less tolerance.',
      },
      {
        alert: 'MinioWriteQuorumAtRisk',
        expr: `${bySet} (minio_cluster_erasure_set_online_drives_count{${sel}}) - ${bySet} (minio_cluster_erasure_set_write_quorum{${sel}}) < 1`,
        for: '5m',
        severity: 'warning',
        summary: `An erasure set of ${namespace}/${name} has no drive to spare for writes`,
        description: 'Pool {{ $labels.pool_id }} set {{ $labels.set_id }}: one more drive offline and writes fail.',
      },
      {
        alert: 'MinioWriteQuorumLost',
        expr: `min by (namespace, pool_id, set_id) (minio_cluster_erasure_set_write_health{${sel}}) == 0`,
        for: '1m',
        severity: 'critical',
        summary: `An erasure set of ${namespace}/${name} lost write quorum`,
        description: 'Pool {{ $labels.pool_id }} set {{ $labels.set_id }} cannot accept writes.',
      },
      exporterDown(namespace, name, 'MinIO'),
    ],
  };
}
