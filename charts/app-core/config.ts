import { ResourcePresetName } from '../../constructs/lib/resources';

/** How a new version of one app-core service rolls out (see docs/charts/app-core.md). */
export interface DeliveryConfig {
  /** `rolling`: a Deployment; `canary` or `blueGreen`: an Argo Rollouts `Rollout`. */
  readonly strategy: 'rolling' | 'canary' | 'blueGreen';
  /**
   * blueGreen only: switch the active Service to the new version without a person. Off in prod.
   * @default false
   */
  readonly autoPromotion?: boolean;
}

/** The delivery strategy of each `app-core` service. */
export interface AppCoreDeliveryConfig {
  readonly auth: DeliveryConfig;
  readonly userManagement: DeliveryConfig;
  readonly invoiceProcessing: DeliveryConfig;
  readonly mobileBackend: DeliveryConfig;
}

/**
 * The `apps` block of an environment (`environments/<env>.ts`): the scale and size of the
 * application workloads (app-* namespaces) and the delivery strategy of each `app-core` service.
 * The JSON schema is generated from this type (`npm run schema`).
 */
export interface AppsConfig {
  /**
   * Replicas of each stateless application service (0 on a DR environment at rest: see `appReplicas()`).
   * @asType integer
   * @minimum 0
   * @maximum 100
   */
  readonly replicas: number;
  /** Resource preset of each application pod. */
  readonly size: ResourcePresetName;
  /** Delivery strategy of each `app-core` service. */
  readonly delivery: AppCoreDeliveryConfig;
}

/** Every app-core service on a plain rolling update (dev, staging). */
export function rollingDelivery(): AppCoreDeliveryConfig {
  const rolling: DeliveryConfig = { strategy: 'rolling' };
  return { auth: rolling, userManagement: rolling, invoiceProcessing: rolling, mobileBackend: rolling };
}
