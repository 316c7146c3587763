import { CoreServiceProps } from '../constructs/core-service';
import { Resources } from '../constructs/lib/resources';
import { appReplicas } from '../environments/derive';
import { EnvironmentConfig } from '../environments/types';
import { PlatformChart } from './platform-chart';
import { MONITORING_NAMESPACE, namespacePeer, SECRET_STORE } from './shared';

/** The HPA's ceiling, as a multiple of the environment's replicas. */
export const AUTOSCALING_FACTOR = 3;

/** What every stateless application service of the environment shares, whichever chart it is in. */
export type AppServiceBase = Pick<
  CoreServiceProps,
  'namespace' | 'replicas' | 'resources' | 'nodePool' | 'zoneSpread' | 'secretStore' | 'autoscaling' | 'monitoring'
>;

/**
 * The shared props of an application service in `chart`: `appReplicas` (0 on DR at rest),
 * `apps.size`, the general pool, zone spread where the cloud has zones, the platform secret store,
 * an HPA from 1x to `AUTOSCALING_FACTOR`x where autoscaling is on, and Prometheus as scraper.
 */
export function appServiceBase(chart: PlatformChart, config: EnvironmentConfig): AppServiceBase {
  const replicas = appReplicas(config);
  return {
    namespace: chart.ns.name,
    replicas,
    resources: Resources.PRESETS[config.apps.size],
    nodePool: chart.nodePool('general'),
    zoneSpread: config.features.zoneSpread && chart.cloud.supportsZones,
    secretStore: SECRET_STORE,
    autoscaling: config.features.autoscaling && replicas > 0 ? { minReplicas: replicas, maxReplicas: replicas * AUTOSCALING_FACTOR } : undefined,
    monitoring: { scrapers: [namespacePeer(MONITORING_NAMESPACE)] },
  };
}
