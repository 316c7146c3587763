import { Construct } from 'constructs';
import {
  Certificate,
  CertificateSpecPrivateKeyAlgorithm,
  CertificateSpecPrivateKeyRotationPolicy,
  CertificateSpecUsages,
} from '../../imports/cert-manager-certificate-cert-manager.io';
import { Issuer } from '../../imports/cert-manager-issuer-cert-manager.io';
import { PropChecks } from './prop-errors';

/** An existing cert-manager issuer to sign a cluster's certificate with (Vault PKI, a platform CA). */
export interface TlsIssuerRef {
  readonly name: string;
  /** @default 'ClusterIssuer' */
  readonly kind?: 'Issuer' | 'ClusterIssuer';
}

/**
 * TLS of a data service: one cert-manager `Certificate` per cluster, in the cluster's namespace.
 *
 * By default each cluster gets its own CA, as CloudNativePG does: a self-signed `Issuer`, a CA
 * `Certificate` (`<name>-ca`, ECDSA P-256, 5 years) and a CA `Issuer` that signs the server
 * certificate. Clients verify the server with the `ca.crt` key of the server secret. The server
 * certificate carries both `server auth` and `client auth`, because members use it as clients
 * too (replication, Sentinel).
 */
export interface TlsProps {
  /** Serve TLS. @default true (the platform's dev environment turns it off) */
  readonly enabled?: boolean;
  /**
   * Sign with an existing issuer instead of the cluster's own CA. The issuer must put `ca.crt`
   * into the secret (CA, Vault and self-signed issuers do; ACME does not).
   * @default - a CA per cluster
   */
  readonly issuer?: TlsIssuerRef;
  /** Lifetime of the server certificate (a Go duration). @default '2160h' (90 days) */
  readonly duration?: string;
  /** Renew this long before expiry. @default '360h' (15 days) */
  readonly renewBefore?: string;
}

export interface ResolvedTls {
  readonly enabled: boolean;
  readonly issuer?: Required<TlsIssuerRef>;
  readonly duration: string;
  readonly renewBefore: string;
}

/** Where the certificate's files are, once the secret is mounted. */
export interface TlsFiles {
  /** The server secret: `tls.crt`, `tls.key`, `ca.crt`. */
  readonly secretName: string;
  readonly cert: string;
  readonly key: string;
  readonly ca: string;
}

/** Hours in a Go duration of h/m/s parts (`2160h`, `1h30m`); undefined when it is not one. */
function hours(d: string): number | undefined {
  const m = /^(?:([0-9]+)h)?(?:([0-9]+)m)?(?:([0-9]+)s)?$/.exec(d);
  return m && d !== '' ? Number(m[1] ?? 0) + Number(m[2] ?? 0) / 60 + Number(m[3] ?? 0) / 3600 : undefined;
}

/** Checks `tls` props (under `field`) and fills the defaults. */
export function resolveTls(check: PropChecks, tls: TlsProps | undefined, field = 'tls'): ResolvedTls {
  const duration = tls?.duration ?? '2160h';
  const renewBefore = tls?.renewBefore ?? '360h';
  const durationHours = hours(duration);
  const renewHours = hours(renewBefore);
  check.that(durationHours !== undefined, `${field}.duration`, 'must be a Go duration in h/m/s, such as 2160h', duration);
  check.that(renewHours !== undefined, `${field}.renewBefore`, 'must be a Go duration in h/m/s, such as 360h', renewBefore);
  if (durationHours !== undefined && renewHours !== undefined) {
    check.that(durationHours >= 1, `${field}.duration`, 'must be at least 1h (cert-manager refuses shorter)', duration);
    check.that(renewHours < durationHours, `${field}.renewBefore`, `must be shorter than duration (${duration})`, renewBefore);
  }
  if (tls?.issuer) {
    check.that(/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/.test(tls.issuer.name), `${field}.issuer.name`, 'must be a Kubernetes object name', tls.issuer.name);
  }
  return {
    enabled: tls?.enabled ?? true,
    issuer: tls?.issuer ? { name: tls.issuer.name, kind: tls.issuer.kind ?? 'ClusterIssuer' } : undefined,
    duration,
    renewBefore,
  };
}

export interface ClusterCertificateProps {
  readonly namespace: string;
  /** Cluster name: objects are `<name>-ca`, `<name>-selfsigned`, `<name>-tls`. */
  readonly name: string;
  readonly labels: Record<string, string>;
  /** Every name clients and members connect to. The first is the common name. */
  readonly dnsNames: readonly string[];
  readonly tls: ResolvedTls;
  /** Where the secret is mounted in the pods. @default '/tls' */
  readonly mountPath?: string;
}

/**
 * The server certificate of one cluster (and, unless an issuer is given, the cluster's CA).
 * Returns the secret and the file paths under `mountPath`.
 */
export function clusterCertificate(scope: Construct, id: string, props: ClusterCertificateProps): TlsFiles {
  const meta = (name: string): { name: string; namespace: string; labels: Record<string, string> } => ({
    name,
    namespace: props.namespace,
    labels: props.labels,
  });
  let issuerRef: { name: string; kind: string; group: string };
  if (props.tls.issuer) {
    issuerRef = { ...props.tls.issuer, group: 'cert-manager.io' };
  } else {
    const selfSigned = new Issuer(scope, `${id}-selfsigned`, { metadata: meta(`${props.name}-selfsigned`), spec: { selfSigned: {} } });
    new Certificate(scope, `${id}-ca`, {
      metadata: meta(`${props.name}-ca`),
      spec: {
        isCa: true,
        commonName: `${props.name}-ca`,
        secretName: `${props.name}-ca`,
        duration: '43800h',
        renewBefore: '720h',
        privateKey: { algorithm: CertificateSpecPrivateKeyAlgorithm.ECDSA, size: 256, rotationPolicy: CertificateSpecPrivateKeyRotationPolicy.ALWAYS },
        issuerRef: { name: selfSigned.name, kind: 'Issuer', group: 'cert-manager.io' },
      },
    });
    const ca = new Issuer(scope, `${id}-ca-issuer`, { metadata: meta(`${props.name}-ca`), spec: { ca: { secretName: `${props.name}-ca` } } });
    issuerRef = { name: ca.name, kind: 'Issuer', group: 'cert-manager.io' };
  }
  const secretName = `${props.name}-tls`;
  new Certificate(scope, id, {
    metadata: meta(secretName),
    spec: {
      secretName,
      commonName: props.dnsNames[0],
      dnsNames: [...props.dnsNames],
      duration: props.tls.duration,
      renewBefore: props.tls.renewBefore,
      privateKey: { algorithm: CertificateSpecPrivateKeyAlgorithm.ECDSA, size: 256, rotationPolicy: CertificateSpecPrivateKeyRotationPolicy.ALWAYS },
      usages: [CertificateSpecUsages.SERVER_AUTH, CertificateSpecUsages.CLIENT_AUTH, CertificateSpecUsages.DIGITAL_SIGNATURE],
      issuerRef,
    },
  });
  const dir = props.mountPath ?? '/tls';
  return { secretName, cert: `${dir}/tls.crt`, key: `${dir}/tls.key`, ca: `${dir}/ca.crt` };
}
