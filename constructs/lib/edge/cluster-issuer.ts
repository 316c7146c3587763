import { Construct } from 'constructs';
import { ClusterIssuer } from '../../../imports/cert-manager-clusterissuer-cert-manager.io';
import { standardLabels } from '../labels';
import { PropChecks } from '../prop-errors';
import { isPublicHost } from './certificate';

/** One HTTP-01 solver: the ingress controller (by IngressClass) that serves the challenge for some hosts. */
export interface Http01Solver {
  /** IngressClass of the controller the public DNS of `dnsNames` points at (`nginx`, `kong`). */
  readonly ingressClassName: string;
  /** The hosts this solver answers for. @default - every host no other solver names (cert-manager's default solver) */
  readonly dnsNames?: readonly string[];
}

export interface AcmeClusterIssuerProps {
  /** Name of the ClusterIssuer, which Certificates name in `issuerRef`. */
  readonly name: string;
  /** ACME directory URL (https). */
  readonly server: string;
  /** Contact of the ACME account. */
  readonly email: string;
  /** At least one; hosts of a Certificate go to the solver that names them, others to the one without `dnsNames`. */
  readonly solvers: readonly Http01Solver[];
  /**
   * Secret (in cert-manager's cluster resource namespace) holding the ACME account key. cert-manager
   * creates it at the first registration and reuses it after; nothing goes into git.
   * @default - `<name>-account-key`
   */
  readonly accountKeySecretName?: string;
}

const HTTPS_URL = /^https:\/\/[^\s]+$/;
const EMAIL = /^[^@\s]+@[^@\s]+\.[a-z]{2,}$/;

/**
 * A cert-manager `ClusterIssuer` for an ACME CA (Let's Encrypt) that proves control of a host by
 * HTTP-01 through the ingress controller its DNS points at. With HTTP-01 the certificate of each
 * host needs that controller to reach the solver pods (`publicCertificate` admits them).
 */
export class AcmeClusterIssuer extends Construct {
  public readonly issuerName: string;
  public readonly accountKeySecretName: string;

  constructor(scope: Construct, id: string, props: AcmeClusterIssuerProps) {
    super(scope, id);
    const check = new PropChecks(this);
    check.dnsLabel(props.name, 'name');
    check.that(HTTPS_URL.test(props.server ?? ''), 'server', 'must be the https URL of an ACME directory', props.server);
    check.that(EMAIL.test(props.email ?? ''), 'email', 'must be an e-mail address', props.email);
    if (check.that((props.solvers ?? []).length > 0, 'solvers', 'must name at least one solver', props.solvers)) {
      check.that(props.solvers.filter((s) => s.dnsNames === undefined).length <= 1, 'solvers', 'may have one default solver (without dnsNames) at most', props.solvers.length);
      props.solvers.forEach((s, i) => {
        check.dnsLabel(s.ingressClassName ?? '', `solvers[${i}].ingressClassName`);
        for (const h of s.dnsNames ?? []) {
          check.that(isPublicHost(h), `solvers[${i}].dnsNames`, 'must be fully qualified DNS names in lower case', h);
        }
      });
    }
    check.throwIfAny();
    this.issuerName = props.name;
    this.accountKeySecretName = props.accountKeySecretName ?? `${props.name}-account-key`;
    new ClusterIssuer(this, 'Resource', {
      metadata: { name: props.name, labels: standardLabels({ name: props.name, instance: props.name, component: 'certificate-issuer' }) },
      spec: {
        acme: {
          server: props.server,
          email: props.email,
          privateKeySecretRef: { name: this.accountKeySecretName },
          solvers: props.solvers.map((s) => ({
            ...(s.dnsNames ? { selector: { dnsNames: [...s.dnsNames] } } : {}),
            http01: { ingress: { ingressClassName: s.ingressClassName } },
          })),
        },
      },
    });
  }
}
