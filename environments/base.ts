import { EnvironmentConfig } from './types';

/** What `environments/<env>.ts` declares; pins come from `environments/<env>.yaml`. */
export type EnvironmentBase = Omit<EnvironmentConfig, 'images' | 'chartVersions'>;
