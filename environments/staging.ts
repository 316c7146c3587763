import { dedicatedNodePools } from './node-pools';
import { EnvironmentBase } from './base';
import { prod } from './prod';

/** Staging: like prod at reduced scale; synced automatically from main. */
export const staging: EnvironmentBase = {
  ...prod,
  name: 'staging',
  description: 'Staging: prod topology at reduced scale, synced automatically from main.',
  baseDomain: 'staging.receivables.example.com',
  nodePools: dedicatedNodePools(),
  scale: {
    appReplicas: 2,
    appMaxReplicas: 4,
    postgresInstances: 3,
    pgbouncerReplicas: 2,
    redisReplicas: 3,
  },
  sizes: {
    app: 'small',
    database: 'medium',
    cache: 'small',
    storage: { postgresGi: 50, redisGi: 4 },
  },
  features: { sampleData: false, autoscaling: true, zoneSpread: false, backups: true },
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
