import { EnvironmentBase } from './base';
import { prod } from './prod';

/**
 * Disaster recovery: prod's scale in another region. Data services stand by for prod's; the
 * application workloads stay at zero replicas until `npm run failover -- --env dr` sets
 * `dr.failover` in `dr.yaml`. Never synced automatically.
 */
export const dr: EnvironmentBase = {
  ...prod,
  name: 'dr',
  description: 'Disaster recovery: standby of prod in another region; workloads at zero until failover.',
  gitops: {
    ...prod.gitops,
    clusterServer: 'https://dr.k8s.receivables.example.com:6443',
    sync: { ...prod.gitops.sync, mode: 'disabled', syncWindows: [] },
  },
  // Its own Kafka cluster (not a mirror of prod's), so its own cluster id.
  kafka: { ...prod.kafka, clusterId: '0SD_GODVnXFrwGqRqD9VZg' },
  dr: {
    standbyOf: 'prod',
    failover: false,
    // Prod's leader behind a load balancer, and prod's region's MinIO, both reached across regions.
    postgres: { primaryHost: 'postgres-replication.prod.receivables.example.com', archiveEndpoint: 'https://minio.prod.receivables.example.com' },
  },
};
