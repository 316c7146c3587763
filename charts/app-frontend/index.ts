import { App } from 'cdk8s';
import { INGRESS_CONTROLLER_NAMESPACE } from '../../constructs/lib/edge/certificate';
import { PublicIngress } from '../../constructs/lib/edge/public-ingress';
import { DEFAULT_CSP, NGINX_PORT } from '../../constructs/static-site/nginx-conf';
import { ControllerBackend } from '../../constructs/lib/edge/controller-policies';
import { appWorkloadSelector } from '../../constructs/lib/workload/app-workload';
import { StaticSite } from '../../constructs/static-site/static-site';
import { imageRef } from '../../environments/derive';
import { EnvironmentConfig } from '../../environments/types';
import { appScale } from '../app-service';
import { httpsOrigin } from '../ingress/config';
import { PlatformChart } from '../platform-chart';
import { namespacePeer } from '../shared';

/** The namespace of the chart. */
export const FRONTEND_NAMESPACE = 'app-frontend';
/** Name of the StaticSite, its Service and its Ingress. */
export const FRONTEND_NAME = 'frontend';

/** The pods and port ingress-nginx routes to (the `ingress` chart's egress); the chart test checks it against the site. */
export function frontendBackend(): ControllerBackend {
  return { namespace: FRONTEND_NAMESPACE, podSelector: appWorkloadSelector(FRONTEND_NAME), port: NGINX_PORT };
}

/**
 * The browser may call the API host (Kong) and Keycloak's token endpoint besides its own origin;
 * everything else stays as strict as `DEFAULT_CSP`.
 */
export function frontendCsp(config: EnvironmentConfig): Record<string, readonly string[]> {
  return { 'connect-src': [...DEFAULT_CSP['connect-src'], httpsOrigin(config.edge.apiHost), new URL(config.edge.jwtIssuer).origin] };
}

/**
 * `app-frontend`: the React build as a `StaticSite` (`images.frontend`) at `apps.replicas` (0 on DR
 * at rest) and `apps.size`, autoscaled like app-core, behind a `PublicIngress` for
 * `edge.frontendHost` with TLS from the environment's ClusterIssuer and the WAF where `edge.waf`
 * is set. The ingress controllers' namespace is admitted to the site's port. See
 * docs/charts/app-frontend.md.
 */
export class AppFrontendChart extends PlatformChart {
  public readonly site: StaticSite;
  public readonly ingress: PublicIngress;

  constructor(scope: App, config: EnvironmentConfig) {
    super(scope, FRONTEND_NAMESPACE, { config, namespace: FRONTEND_NAMESPACE });
    this.site = new StaticSite(this, 'Frontend', {
      name: FRONTEND_NAME,
      namespace: this.ns.name,
      image: imageRef(config, 'frontend'),
      ...appScale(this),
      site: { contentSecurityPolicy: frontendCsp(config) },
    });
    this.site.connections.allowFrom(namespacePeer(INGRESS_CONTROLLER_NAMESPACE));
    this.ingress = new PublicIngress(this, 'Ingress', {
      name: FRONTEND_NAME,
      namespace: this.ns.name,
      hosts: [config.edge.frontendHost],
      backend: { serviceName: this.site.serviceName, port: this.site.port },
      issuer: { name: config.edge.issuer.name, http01: true },
      waf: config.edge.waf,
    });
  }
}
