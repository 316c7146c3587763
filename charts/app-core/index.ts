import { App } from 'cdk8s';
import { CoreService } from '../../constructs/core-service';
import { ClientEndpoint } from '../../constructs/lib/workload/endpoint';
import { CanaryStep, DeliveryStrategy } from '../../constructs/lib/workload/strategy';
import { imageRef } from '../../environments/derive';
import { EnvironmentConfig } from '../../environments/types';
import { kafkaEndpoint } from '../app-integration';
import { postgresEndpoint } from '../db-postgres';
import { redisEndpoint } from '../db-redis';
import { appScale } from '../app-scale';
import { PlatformChart } from '../platform-chart';
import { MONITORING_NAMESPACE, namespacePeer, PROMETHEUS_URL } from '../shared';
import { AppCoreDeliveryConfig, DeliveryConfig } from './config';

/** The namespace of the chart. */
export const CORE_NAMESPACE = 'app-core';
export { AUTOSCALING_FACTOR } from '../app-scale';

type EndpointOf = (config: EnvironmentConfig) => ClientEndpoint;

/** One app-core service: its name, config key, image pin and the data services it uses. */
interface CoreServiceSpec {
  readonly name: string;
  readonly key: keyof AppCoreDeliveryConfig;
  readonly image: string;
  readonly uses: readonly EndpointOf[];
}

/** The services, in the order of the manifests. */
export const CORE_SERVICES: readonly CoreServiceSpec[] = [
  { name: 'auth', key: 'auth', image: 'authService', uses: [postgresEndpoint, redisEndpoint] },
  { name: 'user-management', key: 'userManagement', image: 'userManagementService', uses: [postgresEndpoint] },
  { name: 'invoice-processing', key: 'invoiceProcessing', image: 'invoiceProcessingService', uses: [postgresEndpoint, kafkaEndpoint] },
  { name: 'mobile-backend', key: 'mobileBackend', image: 'mobileBackendService', uses: [postgresEndpoint, redisEndpoint] },
];

/** Canary: 20% for 5 minutes, 50% for 5 minutes, then all, with Prometheus analysis throughout. */
const CANARY_STEPS = [CanaryStep.setWeight(20), CanaryStep.pause(300), CanaryStep.setWeight(50), CanaryStep.pause(300), CanaryStep.setWeight(100)];

/** The `DeliveryStrategy` of a service's `apps.delivery` entry. */
export function deliveryStrategy(delivery: DeliveryConfig): DeliveryStrategy {
  const analysis = { prometheusAddress: PROMETHEUS_URL };
  switch (delivery.strategy) {
    case 'canary':
      return DeliveryStrategy.canary({ steps: CANARY_STEPS, analysis });
    case 'blueGreen':
      return DeliveryStrategy.blueGreen({ autoPromotionEnabled: delivery.autoPromotion ?? false, analysis });
    default:
      return DeliveryStrategy.rolling();
  }
}

/**
 * `app-core`: the Node.js APIs behind Kong: auth, user-management, invoice-processing and
 * mobile-backend, one `CoreService` each, at `apps.replicas` (0 on DR at rest) and `apps.size`,
 * rolled out as `apps.delivery` says. Each connects to PostgreSQL, and auth and mobile-backend to
 * Redis, invoice-processing to Kafka, through the endpoint functions of the server charts (which
 * admit app-core). See docs/charts/app-core.md.
 */
export class AppCoreChart extends PlatformChart {
  /** The services by name. */
  public readonly services: Readonly<Record<string, CoreService>>;

  constructor(scope: App, config: EnvironmentConfig) {
    super(scope, CORE_NAMESPACE, { config, namespace: CORE_NAMESPACE });
    const scale = appScale(this);
    const services: Record<string, CoreService> = {};
    for (const spec of CORE_SERVICES) {
      const service = new CoreService(this, spec.name, {
        name: spec.name,
        namespace: this.ns.name,
        image: imageRef(config, spec.image),
        ...scale,
        strategy: deliveryStrategy(config.apps.delivery[spec.key]),
        monitoring: { scrapers: [namespacePeer(MONITORING_NAMESPACE)] },
      });
      for (const endpointOf of spec.uses) {
        service.connectsTo(endpointOf(config));
      }
      services[spec.name] = service;
    }
    this.services = services;
  }
}
