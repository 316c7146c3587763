import { CoreServiceProps } from '../constructs/core-service';
import { Resources } from '../constructs/lib/resources';
import { appReplicas } from '../environments/derive';
import { tracingFor } from './monitoring/collector';
import { PlatformChart } from './platform-chart';
import { MONITORING_NAMESPACE, namespacePeer, SECRET_STORE } from './shared';

/** The HPA's ceiling, as a multiple of the environment's replicas. */
export const AUTOSCALING_FACTOR = 3;

/** What every stateless application workload of an environment shares: scale, size, placement, secret store. */
export type AppScale = Required<Pick<CoreServiceProps, 'replicas' | 'resources' | 'nodePool' | 'zoneSpread' | 'secretStore'>> &
  Pick<CoreServiceProps, 'autoscaling'>;

/**
 * The environment's scale of an application workload in `chart`: `appReplicas` (0 on DR at rest),
 * `apps.size`, the `general` pool, zone spread where the cloud has zones, the platform secret
 * store, and a CPU HPA of 1x-`AUTOSCALING_FACTOR`x where `features.autoscaling` is on.
 */
export function appScale(chart: PlatformChart): AppScale {
  const config = chart.config;
  const replicas = appReplicas(config);
  return {
    replicas,
    resources: Resources.PRESETS[config.apps.size],
    nodePool: chart.nodePool('general'),
    zoneSpread: config.features.zoneSpread && chart.cloud.supportsZones,
    secretStore: SECRET_STORE,
    autoscaling: config.features.autoscaling && replicas > 0 ? { minReplicas: replicas, maxReplicas: replicas * AUTOSCALING_FACTOR } : undefined,
  };
}

/** What every stateless application service of the environment shares, whichever chart it is in. */
export type AppServiceBase = AppScale & Pick<CoreServiceProps, 'namespace' | 'monitoring' | 'tracing'>;

/** `appScale(chart)` in the chart's namespace, scraped by Prometheus, tracing to the collector (`tracingFor`). */
export function appServiceBase(chart: PlatformChart): AppServiceBase {
  return {
    ...appScale(chart),
    namespace: chart.ns.name,
    monitoring: { scrapers: [namespacePeer(MONITORING_NAMESPACE)] },
    tracing: tracingFor(chart.config),
  };
}
