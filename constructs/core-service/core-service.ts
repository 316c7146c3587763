import { Construct } from 'constructs';
import { AppWorkload } from '../lib/workload/app-workload';
import { AppWorkloadProps } from '../lib/workload/props';

/** `app.kubernetes.io/component` of a CoreService. */
export const CORE_SERVICE_COMPONENT = 'api';

/**
 * A CoreService: a generic hardened Node.js HTTP service on the application-workload base
 * (`AppWorkload`), with the same props. It adds `NODE_ENV=production` unless `env` sets it.
 * Used for auth, user-management, invoice-processing and mobile-backend (app-core) and the
 * integrations (app-integration). See docs/constructs/core-service.md.
 */
export type CoreServiceProps = AppWorkloadProps;

export class CoreService extends AppWorkload {
  constructor(scope: Construct, id: string, props: CoreServiceProps) {
    super(scope, id, { ...props, env: { NODE_ENV: 'production', ...(props.env ?? {}) } }, { component: CORE_SERVICE_COMPONENT });
  }
}
