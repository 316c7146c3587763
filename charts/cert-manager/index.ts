import { App } from 'cdk8s';
import { AcmeClusterIssuer } from '../../constructs/lib/edge/cluster-issuer';
import { KONG_INGRESS_CLASS } from '../../constructs/lib/edge/kong';
import { NGINX_INGRESS_CLASS } from '../../constructs/lib/edge/public-ingress';
import { EnvironmentConfig } from '../../environments/types';
import { PlatformChart } from '../platform-chart';

/** The namespace of the chart (cert-manager's own, its cluster resource namespace). */
export const CERT_MANAGER_NAMESPACE = 'cert-manager';

/**
 * `cert-manager`: the namespace (closed) and the environment's ACME `ClusterIssuer`
 * (`edge.issuer`), which signs the Certificates of app-frontend (ingress-nginx) and of the API
 * host (Kong). HTTP-01: the API host's DNS points at Kong, so its challenges go through Kong's
 * IngressClass; every other host's through ingress-nginx. cert-manager itself is an add-on
 * installed from its Helm chart (docs/edge.md).
 */
export class CertManagerChart extends PlatformChart {
  public readonly issuer: AcmeClusterIssuer;

  constructor(scope: App, config: EnvironmentConfig) {
    super(scope, CERT_MANAGER_NAMESPACE, { config, namespace: CERT_MANAGER_NAMESPACE });
    const { issuer, apiHost } = config.edge;
    this.issuer = new AcmeClusterIssuer(this, 'Issuer', {
      name: issuer.name,
      server: issuer.server,
      email: issuer.email,
      solvers: [{ ingressClassName: KONG_INGRESS_CLASS, dnsNames: [apiHost] }, { ingressClassName: NGINX_INGRESS_CLASS }],
    });
  }
}
