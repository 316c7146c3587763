import { dedicatedNodePools } from './node-pools';
import { EnvironmentBase } from './base';
import { edgeOf } from './edge';

/** Production: full scale, several replicas, autoscaling; a person syncs, behind an approval gate. */
export const prod: EnvironmentBase = {
  name: 'prod',
  description: 'Production: full scale, HA everywhere, manual sync behind an approval gate.',
  cloudProfile: 'aws',
  imageRegistry: 'harbor.receivables.example.com/platform',
  nodePools: dedicatedNodePools(),
  apps: {
    replicas: 3,
    size: 'medium',
    // Canary with Prometheus analysis for the request-serving APIs; invoice processing moves money,
    // so a person promotes its blue-green switch after checking the preview.
    delivery: {
      auth: { strategy: 'canary' },
      userManagement: { strategy: 'canary' },
      invoiceProcessing: { strategy: 'blueGreen', autoPromotion: false },
      mobileBackend: { strategy: 'canary' },
    },
  },
  postgres: { replicas: 3, poolerReplicas: 3, size: 'xlarge', storageGi: 200, tls: true },
  redis: { replicas: 3, size: 'medium', storageGi: 16, tls: true },
  elasticsearch: {
    singleNode: false,
    masters: 3,
    dataNodes: 3,
    coordinatingNodes: 2,
    masterSize: 'medium',
    dataSize: 'xlarge',
    coordinatingSize: 'large',
    dataStorageGi: 500,
    logRetentionDays: 90,
    snapshotRetentionDays: 30,
  },
  minio: { replicas: 4, drivesPerPod: 4, driveStorageGi: 100, size: 'large', backupRetentionDays: 30 },
  modelServer: { replicas: 2, gpus: 1, size: 'xlarge', cacheGi: 40 },
  clickhouse: {
    shards: 2,
    replicas: 2,
    keeperReplicas: 3,
    size: 'xlarge',
    keeperSize: 'small',
    storageGi: 500,
    rawEventsRetentionDays: 90,
    backupRetentionDays: 30,
  },
  kafka: { replicas: 3, size: 'large', storageGi: 200, clusterId: '2x393A_VBBnoiRORCjg_OA' },
  // DR inherits this block: the same public hosts, which DNS points at DR on failover (docs/edge.md).
  edge: edgeOf({ domain: 'receivables.example.com', letsEncrypt: 'production', waf: true, requestsPerMinute: 1200 }),
  addons: {
    secretManager: { awsRegion: 'eu-central-1' },
    prometheusRetentionDays: 15,
    prometheusStorageGi: 100,
    grafanaHost: 'grafana.receivables.example.com',
  },
  features: { autoscaling: true, zoneSpread: true, backups: true, mesh: true },
  gitops: {
    repoUrl: 'https://git.receivables.example.com/platform/receivables-deploy.git',
    credentialsSecret: 'receivables-git',
    targetRevision: 'main',
    clusterServer: 'https://prod.k8s.receivables.example.com:6443',
    sync: {
      mode: 'manual',
      prune: true,
      selfHeal: false,
      approvalGate: true,
      approverGroups: ['receivables-release-approvers'],
      // Changes land on weekdays in office hours only; outside them even a manual sync is refused.
      syncWindows: [{ kind: 'allow', schedule: '0 8 * * 1-5', duration: '10h', timeZone: 'Europe/Berlin' }],
      pullRequestPreviews: false,
    },
  },
};
