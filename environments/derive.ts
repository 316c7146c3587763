import { EnvironmentConfig } from './types';

/** True for a DR environment that has not failed over: its workloads stay at zero. */
export function isStandby(config: EnvironmentConfig): boolean {
  return config.dr !== undefined && !config.dr.failover;
}

/** Replicas of application workloads: prod's numbers, or zero on a DR environment at rest. */
export function appReplicas(config: EnvironmentConfig): number {
  return isStandby(config) ? 0 : config.apps.replicas;
}

/** Full image reference of a pin, through the environment's registry. */
export function imageRef(config: EnvironmentConfig, key: string): string {
  const pin = config.images[key];
  if (!pin) {
    throw new Error(
      `environment ${config.name}: no image pin "${key}" in environments/${config.name}.yaml (pins: ${Object.keys(config.images).join(', ')})`,
    );
  }
  return `${config.imageRegistry}/${pin}`;
}
