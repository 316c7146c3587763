import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import {
  Certificate,
  CertificateSpecPrivateKeyAlgorithm,
  CertificateSpecPrivateKeyRotationPolicy,
  CertificateSpecUsages,
} from '../../../imports/cert-manager-certificate-cert-manager.io';
import { NAMESPACE_NAME_LABEL } from '../network';
import { exemptFromPolicy } from '../policy-exemption';
import { PropChecks } from '../prop-errors';

/** The namespace the platform runs its ingress controllers in (ingress-nginx and Kong). */
export const INGRESS_CONTROLLER_NAMESPACE = 'ingress';
/** Port of cert-manager's ACME HTTP-01 solver pods (`acmesolver --listen-port`, cert-manager's default). */
export const ACME_SOLVER_PORT = 8089;
/** Label cert-manager puts on its HTTP-01 solver pods. */
export const ACME_SOLVER_LABEL = 'acme.cert-manager.io/http01-solver';

/** The cert-manager ClusterIssuer that signs a public certificate. */
export interface PublicIssuer {
  /** Name of the ClusterIssuer. */
  readonly name: string;
  /**
   * It answers ACME HTTP-01 challenges: cert-manager then starts a solver pod in the Certificate's
   * namespace, which the ingress controller must reach (a NetworkPolicy admits it). @default false
   */
  readonly http01?: boolean;
}

/** A public host name: lower-case RFC 1123 labels, at least two of them, at most 253 characters. */
const HOST = /^(?=.{1,253}$)([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\.)+[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;

export function isPublicHost(host: string): boolean {
  return typeof host === 'string' && HOST.test(host);
}

/** Records a problem for each host that is not a public DNS name, and for no hosts at all. */
export function checkHosts(hosts: readonly string[] | undefined, check: PropChecks, field: string): void {
  if (check.that(Array.isArray(hosts) && hosts.length > 0, field, 'must name at least one host', hosts)) {
    for (const h of hosts ?? []) {
      check.that(isPublicHost(h), field, 'must be fully qualified DNS names in lower case, such as app.example.com', h);
    }
  }
}

export interface PublicCertificateProps {
  /** Name of the Certificate and of the TLS Secret it writes. */
  readonly name: string;
  readonly namespace: string;
  readonly labels: Record<string, string>;
  readonly hosts: readonly string[];
  readonly issuer: PublicIssuer;
  /** Where the controller that answers HTTP-01 runs. @default INGRESS_CONTROLLER_NAMESPACE */
  readonly controllerNamespace?: string;
}

/**
 * The TLS Secret of public hosts, from a cert-manager Certificate signed by the environment's
 * ClusterIssuer (an explicit Certificate rather than ingress-shim's annotation, so the gate sees
 * the Secret's producer). With an HTTP-01 issuer, a NetworkPolicy lets the ingress controller reach
 * the solver pods cert-manager starts in this namespace. Returns the Secret's name.
 */
export function publicCertificate(scope: Construct, id: string, props: PublicCertificateProps): string {
  const secretName = props.name;
  new Certificate(scope, id, {
    metadata: { name: props.name, namespace: props.namespace, labels: props.labels },
    spec: {
      secretName,
      dnsNames: [...props.hosts],
      // ECDSA P-256: what Let's Encrypt signs by default and every browser accepts.
      privateKey: { algorithm: CertificateSpecPrivateKeyAlgorithm.ECDSA, size: 256, rotationPolicy: CertificateSpecPrivateKeyRotationPolicy.ALWAYS },
      usages: [CertificateSpecUsages.SERVER_AUTH, CertificateSpecUsages.DIGITAL_SIGNATURE],
      issuerRef: { name: props.issuer.name, kind: 'ClusterIssuer', group: 'cert-manager.io' },
    },
  });
  if (props.issuer.http01) {
    acmeSolverPolicy(scope, props);
  }
  return secretName;
}

/** One per namespace and controller namespace, whatever the number of Certificates: the name is fixed. */
function acmeSolverPolicy(scope: Construct, props: PublicCertificateProps): void {
  const controllers = props.controllerNamespace ?? INGRESS_CONTROLLER_NAMESPACE;
  const name = `allow-acme-solver-from-${controllers}`;
  if (scope.node.tryFindChild(name)) {
    return;
  }
  const policy = new k8s.KubeNetworkPolicy(scope, name, {
    metadata: { name, namespace: props.namespace, labels: props.labels },
    spec: {
      podSelector: { matchLabels: { [ACME_SOLVER_LABEL]: 'true' } },
      policyTypes: ['Ingress'],
      ingress: [
        {
          from: [{ namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: controllers } } }],
          ports: [{ protocol: 'TCP', port: k8s.IntOrString.fromNumber(ACME_SOLVER_PORT) }],
        },
      ],
    },
  });
  exemptFromPolicy(policy, 'ref.netpol-selector', 'cert-manager starts the ACME HTTP-01 solver pods at runtime, while a challenge is open');
}
