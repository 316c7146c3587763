import { rollingDelivery } from '../charts/app-core/config';
import { sharedNodePools } from './node-pools';
import { EnvironmentBase } from './base';
import { edgeOf } from './edge';

/** Development: one replica of everything, minimal resources, sample data, on a single k3s node. */
export const dev: EnvironmentBase = {
  name: 'dev',
  description: 'Development: single replicas, minimal resources, sample data; synced automatically.',
  cloudProfile: 'onprem-k3s',
  imageRegistry: 'harbor.receivables.example.com/platform',
  nodePools: sharedNodePools(),
  apps: { replicas: 1, size: 'micro', delivery: rollingDelivery() },
  postgres: { replicas: 1, poolerReplicas: 1, size: 'small', storageGi: 5, tls: false },
  redis: { replicas: 1, size: 'micro', storageGi: 1, tls: false },
  elasticsearch: {
    singleNode: true,
    masters: 1,
    dataNodes: 1,
    coordinatingNodes: 0,
    masterSize: 'small',
    dataSize: 'medium',
    coordinatingSize: 'small',
    dataStorageGi: 5,
    logRetentionDays: 14,
    snapshotRetentionDays: 7,
  },
  minio: { replicas: 1, drivesPerPod: 4, driveStorageGi: 2, size: 'small', backupRetentionDays: 7 },
  modelServer: { replicas: 1, gpus: 1, size: 'large', cacheGi: 40 },
  clickhouse: {
    shards: 1,
    replicas: 1,
    keeperReplicas: 1,
    size: 'medium',
    keeperSize: 'micro',
    storageGi: 5,
    rawEventsRetentionDays: 90,
    backupRetentionDays: 7,
  },
  kafka: { replicas: 1, size: 'small', storageGi: 5, clusterId: 'pRX0__0cN0Tip-TKw5Gk-g' },
  edge: edgeOf({ domain: 'dev.receivables.example.com', letsEncrypt: 'staging', waf: false, requestsPerMinute: 600 }),
  addons: {
    metallbAddresses: ['192.168.50.240-192.168.50.250'],
    prometheusRetentionDays: 3,
    prometheusStorageGi: 5,
    grafanaHost: 'grafana.dev.receivables.example.com',
  },
  features: { autoscaling: false, zoneSpread: false, backups: false, mesh: false },
  gitops: {
    repoUrl: 'https://git.receivables.example.com/platform/receivables-deploy.git',
    credentialsSecret: 'receivables-git',
    targetRevision: 'main',
    clusterServer: 'https://kubernetes.default.svc',
    // Used once sync.pullRequestPreviews is switched on (see docs/gitops.md, "Pull-request previews (dev)").
    pullRequests: {
      provider: 'gitlab',
      api: 'https://git.receivables.example.com',
      repository: 'platform/receivables-deploy',
      tokenSecret: 'scm-api-token',
      labels: ['preview'],
    },
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
