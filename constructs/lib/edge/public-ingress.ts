import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { standardLabels } from '../labels';
import { isDnsLabel, PropChecks } from '../prop-errors';
import { checkHosts, publicCertificate, PublicIssuer } from './certificate';

/** ingress-nginx's IngressClass (its Helm chart's default `controller.ingressClassResource.name`). */
export const NGINX_INGRESS_CLASS = 'nginx';
/** Annotation prefix of ingress-nginx. */
const NGINX = 'nginx.ingress.kubernetes.io';

/** The Service and port an Ingress path routes to. */
export interface IngressBackend {
  readonly serviceName: string;
  /** The Service's port (not the pods'). */
  readonly port: number;
}

/** ModSecurity's mode: `On` blocks what the OWASP rules flag, `DetectionOnly` only logs it. */
export type WafMode = 'On' | 'DetectionOnly';

export interface PublicIngressProps {
  /** Name of the Ingress; the Certificate and TLS Secret are `<name>-tls`. */
  readonly name: string;
  readonly namespace: string;
  /** Public host names, all routed to `backend`. */
  readonly hosts: readonly string[];
  readonly backend: IngressBackend;
  /** The ClusterIssuer that signs the certificate. */
  readonly issuer: PublicIssuer;
  /** ModSecurity with the OWASP Core Rule Set, by annotation. @default false */
  readonly waf?: boolean;
  /** @default 'On' (blocking) */
  readonly wafMode?: WafMode;
  /** Largest request body (`proxy-body-size`), an nginx size such as `1m`. @default '1m' */
  readonly maxBodySize?: string;
  /** @default NGINX_INGRESS_CLASS */
  readonly ingressClassName?: string;
  /** Labels of every object. @default - the recommended labels with name and instance `name`, component `ingress` */
  readonly labels?: Record<string, string>;
}

/**
 * A public HTTPS entry through ingress-nginx: an `Ingress` (HTTP redirected to HTTPS) whose TLS
 * Secret comes from a cert-manager `Certificate`, and with `waf` ModSecurity and the OWASP CRS
 * switched on by annotation. The controller must allow snippet annotations for
 * `modsecurity-snippet` (docs/edge.md).
 */
export class PublicIngress extends Construct {
  public readonly ingressName: string;
  public readonly tlsSecretName: string;
  public readonly hosts: readonly string[];

  constructor(scope: Construct, id: string, props: PublicIngressProps) {
    super(scope, id);
    const check = new PropChecks(this);
    check.dnsLabel(props.name, 'name', 59);
    check.dnsLabel(props.namespace, 'namespace');
    checkHosts(props.hosts, check, 'hosts');
    checkBackend(props.backend, check, 'backend');
    check.that(isDnsLabel(props.issuer?.name ?? '', 253), 'issuer.name', 'must name a ClusterIssuer', props.issuer?.name);
    const mode = props.wafMode ?? 'On';
    check.that(mode === 'On' || mode === 'DetectionOnly', 'wafMode', 'must be On or DetectionOnly', mode);
    check.that(props.wafMode === undefined || props.waf === true, 'wafMode', 'needs waf: true', props.wafMode);
    const bodySize = props.maxBodySize ?? '1m';
    check.that(/^[0-9]+[kmg]?$/.test(bodySize), 'maxBodySize', 'must be an nginx size such as 512k or 8m', bodySize);
    check.throwIfAny();

    const labels = props.labels ?? standardLabels({ name: props.name, instance: props.name, component: 'ingress' });
    this.ingressName = props.name;
    this.hosts = [...props.hosts];
    this.tlsSecretName = publicCertificate(this, 'Certificate', {
      name: `${props.name}-tls`,
      namespace: props.namespace,
      labels,
      hosts: props.hosts,
      issuer: props.issuer,
    });
    new k8s.KubeIngress(this, 'Resource', {
      metadata: {
        name: props.name,
        namespace: props.namespace,
        labels,
        annotations: { ...nginxAnnotations(bodySize), ...(props.waf ? wafAnnotations(mode) : {}) },
      },
      spec: {
        ingressClassName: props.ingressClassName ?? NGINX_INGRESS_CLASS,
        tls: [{ hosts: [...props.hosts], secretName: this.tlsSecretName }],
        rules: props.hosts.map((host) => ({ host, http: { paths: [ingressPath('/', props.backend)] } })),
      },
    });
  }
}

/** One `Prefix` path to a Service port. */
export function ingressPath(path: string, backend: IngressBackend): k8s.HttpIngressPath {
  return { path, pathType: 'Prefix', backend: { service: { name: backend.serviceName, port: { number: backend.port } } } };
}

/** Records problems with a backend: a Service name that is not a DNS label, a port outside 1-65535. */
export function checkBackend(backend: IngressBackend | undefined, check: PropChecks, field: string): void {
  check.dnsLabel(backend?.serviceName ?? '', `${field}.serviceName`);
  check.integer(backend?.port ?? 0, `${field}.port`, 1, 65535);
}

function nginxAnnotations(bodySize: string): Record<string, string> {
  return {
    [`${NGINX}/ssl-redirect`]: 'true',
    [`${NGINX}/force-ssl-redirect`]: 'true',
    [`${NGINX}/proxy-body-size`]: bodySize,
  };
}

/**
 * ModSecurity with the OWASP Core Rule Set (ingress-nginx's bundled CRS). The rule engine is
 * `DetectionOnly` in ModSecurity's recommended config, so the snippet turns it `On`; the audit log
 * of flagged requests goes to the controller's stdout.
 * https://kubernetes.github.io/ingress-nginx/user-guide/third-party-addons/modsecurity/
 */
export function wafAnnotations(mode: WafMode): Record<string, string> {
  return {
    [`${NGINX}/enable-modsecurity`]: 'true',
    [`${NGINX}/enable-owasp-core-rules`]: 'true',
    [`${NGINX}/modsecurity-transaction-id`]: '$request_id',
    [`${NGINX}/modsecurity-snippet`]: [
      `SecRuleEngine ${mode}`,
      'SecRequestBodyAccess On',
      'SecAuditEngine RelevantOnly',
      'SecAuditLogParts ABIJDEFHZ',
      'SecAuditLog /dev/stdout',
      'SecAuditLogFormat JSON',
      '',
    ].join('\n'),
  };
}
