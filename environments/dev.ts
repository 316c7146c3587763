import { sharedNodePools } from './node-pools';
import { EnvironmentBase } from './base';

/** Development: one replica of everything, minimal resources, sample data, on a single k3s node. */
export const dev: EnvironmentBase = {
  name: 'dev',
  description: 'Development: single replicas, minimal resources, sample data; synced automatically.',
  cloudProfile: 'onprem-k3s',
  region: 'local',
  baseDomain: 'dev.receivables.example.com',
  imageRegistry: 'harbor.receivables.example.com/platform',
  nodePools: sharedNodePools(),
  scale: {
    appReplicas: 1,
    appMaxReplicas: 1,
    postgresInstances: 1,
    pgbouncerReplicas: 1,
    redisReplicas: 1,
  },
  sizes: {
    app: 'micro',
    database: 'small',
    cache: 'micro',
    storage: { postgresGi: 5, redisGi: 1 },
  },
  features: { sampleData: true, autoscaling: false, zoneSpread: false, backups: false },
  gitops: {
    repoUrl: 'https://git.receivables.example.com/platform/receivables-deploy.git',
    credentialsSecret: 'receivables-git',
    targetRevision: 'main',
    clusterServer: 'https://kubernetes.default.svc',
    // Used once sync.pullRequestPreviews is switched on (see docs/readme/gitops.md, "Previews").
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
