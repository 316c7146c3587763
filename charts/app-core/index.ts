import { App } from 'cdk8s';
import { CoreService } from '../../constructs/core-service';
import { INGRESS_CONTROLLER_NAMESPACE } from '../../constructs/lib/edge/certificate';
import { ControllerBackend } from '../../constructs/lib/edge/controller-policies';
import { KongApi, KongApiProps } from '../../constructs/lib/edge/kong';
import { appWorkloadSelector } from '../../constructs/lib/workload/app-workload';
import { DEFAULT_HTTP_PORT } from '../../constructs/lib/workload/props';
import { CanaryStep, DeliveryStrategy } from '../../constructs/lib/workload/strategy';
import { imageRef } from '../../environments/derive';
import { EnvironmentConfig } from '../../environments/types';
import { kafkaEndpoint } from '../app-integration';
import { postgresEndpoint } from '../db-postgres';
import { redisEndpoint } from '../db-redis';
import { appServiceBase } from '../app-service';
import { PlatformChart } from '../platform-chart';
import { EndpointOf, namespacePeer, PROMETHEUS_URL, SECRET_STORE } from '../shared';
import { AppCoreDeliveryConfig, DeliveryConfig } from './config';

/** The namespace of the chart. */
export const CORE_NAMESPACE = 'app-core';
export { AUTOSCALING_FACTOR } from '../app-service';
/** Base name of the Kong objects (`api-<service>` Ingresses, `api-rate-limit`, `api-tls`). */
export const API_NAME = 'api';

/** One app-core service: its name, config key, image pin and the data services it uses. */
interface CoreServiceSpec {
  readonly name: string;
  readonly key: keyof AppCoreDeliveryConfig;
  readonly image: string;
  readonly uses: readonly EndpointOf[];
  /** The path prefix of its Kong route on the API host (stripped before proxying). */
  readonly path: string;
  /** Reached without a token (login and token refresh happen here). @default false */
  readonly anonymous?: boolean;
}

/** The services, in the order of the manifests. */
export const CORE_SERVICES: readonly CoreServiceSpec[] = [
  { name: 'auth', key: 'auth', image: 'authService', uses: [postgresEndpoint, redisEndpoint], path: '/api/auth', anonymous: true },
  { name: 'user-management', key: 'userManagement', image: 'userManagementService', uses: [postgresEndpoint], path: '/api/users' },
  {
    name: 'invoice-processing',
    key: 'invoiceProcessing',
    image: 'invoiceProcessingService',
    uses: [postgresEndpoint, kafkaEndpoint],
    path: '/api/invoices',
  },
  { name: 'mobile-backend', key: 'mobileBackend', image: 'mobileBackendService', uses: [postgresEndpoint, redisEndpoint], path: '/api/mobile' },
];

/** The pods and ports Kong routes to (the `ingress` chart's egress); the chart test checks them against the services. */
export function coreBackends(): ControllerBackend[] {
  return CORE_SERVICES.map((s) => ({ namespace: CORE_NAMESPACE, podSelector: appWorkloadSelector(s.name), port: DEFAULT_HTTP_PORT }));
}

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
  /** The Kong routes of the services on the API host. */
  public readonly api: KongApi;

  constructor(scope: App, config: EnvironmentConfig) {
    super(scope, CORE_NAMESPACE, { config, namespace: CORE_NAMESPACE });
    const base = appServiceBase(this);
    const services: Record<string, CoreService> = {};
    for (const spec of CORE_SERVICES) {
      const service = new CoreService(this, spec.name, {
        ...base,
        name: spec.name,
        image: imageRef(config, spec.image),
        strategy: deliveryStrategy(config.apps.delivery[spec.key]),
      });
      for (const endpointOf of spec.uses) {
        service.connectsTo(endpointOf(config));
      }
      service.connections.allowFrom(namespacePeer(INGRESS_CONTROLLER_NAMESPACE));
      services[spec.name] = service;
    }
    this.services = services;
    this.api = new KongApi(this, 'Api', apiProps(config));
    for (const spec of CORE_SERVICES) {
      const service = services[spec.name];
      // serviceName is the active Service of a blue-green: Kong never routes to the preview.
      this.api.addRoute({
        name: spec.name,
        path: spec.path,
        anonymous: spec.anonymous,
        backend: { serviceName: service.serviceName, port: service.port },
      });
    }
  }
}

/** The Kong API of app-core on `edge.apiHost`: CORS, rate limit and body size from `edge`, JWT against the Keycloak realm. */
export function apiProps(config: EnvironmentConfig): KongApiProps {
  const edge = config.edge;
  return {
    name: API_NAME,
    namespace: CORE_NAMESPACE,
    hosts: [edge.apiHost],
    issuer: { name: edge.issuer.name, http01: true },
    rateLimit: { requestsPerMinute: edge.rateLimit.requestsPerMinute },
    maxRequestBodyMegabytes: edge.maxRequestBodyMegabytes,
    cors: { origins: edge.corsOrigins },
    jwt: { issuer: edge.jwtIssuer, secretStore: SECRET_STORE, publicKeyRemoteKey: `${config.name}/edge/keycloak-realm` },
  };
}
