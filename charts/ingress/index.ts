import { App } from 'cdk8s';
import { INGRESS_CONTROLLER_NAMESPACE } from '../../constructs/lib/edge/certificate';
import { IngressControllerPolicies } from '../../constructs/lib/edge/controller-policies';
import { EnvironmentConfig } from '../../environments/types';
import { coreBackends, CORE_NAMESPACE } from '../app-core';
import { frontendBackend, FRONTEND_NAMESPACE } from '../app-frontend';
import { TENANT_LABEL } from '../../constructs/tenant-namespace';
import { PlatformChart } from '../platform-chart';

/**
 * `ingress`: the namespace of both ingress controllers, ingress-nginx (the frontend) and Kong (the
 * APIs), installed from their Helm charts. One namespace for both: they are the same kind of
 * component (internet-facing proxies), the backends admit one namespace, and cert-manager's HTTP-01
 * solver policy admits one namespace whichever controller serves the challenge. The chart adds the
 * controllers' allows: the internet to the proxy ports, the proxies to the app-frontend and app-core
 * pods they route to and to the ACME solvers there, and the controllers to the API server.
 */
export class IngressChart extends PlatformChart {
  constructor(scope: App, config: EnvironmentConfig) {
    super(scope, INGRESS_CONTROLLER_NAMESPACE, { config, namespace: INGRESS_CONTROLLER_NAMESPACE });
    new IngressControllerPolicies(this, 'Controllers', {
      namespace: this.ns.name,
      backends: [frontendBackend(), ...coreBackends()],
      acmeSolverNamespaces: [FRONTEND_NAMESPACE, CORE_NAMESPACE],
      // The tenants' namespaces admit the controllers on 8080 (TenantNamespace); this is the other side.
      labelledBackends: { namespaceLabel: TENANT_LABEL, port: 8080 },
    });
  }
}
