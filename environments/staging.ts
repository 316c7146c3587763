import { rollingDelivery } from '../charts/app-core/config';
import { dedicatedNodePools } from './node-pools';
import { EnvironmentBase } from './base';
import { edgeOf } from './edge';
import { prod } from './prod';

/** Staging: like prod at reduced scale; synced automatically from main. */
export const staging: EnvironmentBase = {
  ...prod,
  name: 'staging',
  description: 'Staging: prod topology at reduced scale, synced automatically from main.',
  nodePools: dedicatedNodePools(),
  apps: { replicas: 2, size: 'small', delivery: rollingDelivery() },
  postgres: { replicas: 3, poolerReplicas: 2, size: 'medium', storageGi: 50, tls: true },
  redis: { replicas: 3, size: 'small', storageGi: 4, tls: true },
  elasticsearch: {
    singleNode: false,
    masters: 3,
    dataNodes: 2,
    coordinatingNodes: 2,
    masterSize: 'small',
    dataSize: 'large',
    coordinatingSize: 'medium',
    dataStorageGi: 50,
    logRetentionDays: 14,
    snapshotRetentionDays: 14,
  },
  minio: { replicas: 4, drivesPerPod: 2, driveStorageGi: 20, size: 'medium', backupRetentionDays: 14 },
  modelServer: { replicas: 1, gpus: 1, size: 'xlarge', cacheGi: 40 },
  clickhouse: {
    shards: 2,
    replicas: 2,
    keeperReplicas: 3,
    size: 'medium',
    keeperSize: 'small',
    storageGi: 20,
    rawEventsRetentionDays: 90,
    backupRetentionDays: 14,
  },
  kafka: { replicas: 3, size: 'medium', storageGi: 20, clusterId: 'jYsgcQC6gcbxEc20TWP6hQ' },
  edge: edgeOf({ domain: 'staging.receivables.example.com', letsEncrypt: 'production', waf: true, requestsPerMinute: 600 }),
  addons: { ...prod.addons, prometheusRetentionDays: 7, prometheusStorageGi: 50, grafanaHost: 'grafana.staging.receivables.example.com' },
  features: { autoscaling: true, zoneSpread: false, backups: true, mesh: true },
  gitops: {
    ...prod.gitops,
    clusterServer: 'https://staging.k8s.receivables.example.com:6443',
    sync: {
      mode: 'automated',
      prune: true,
      selfHeal: true,
      approvalGate: false,
      syncWindows: [],
      pullRequestPreviews: false,
    },
  },
};
