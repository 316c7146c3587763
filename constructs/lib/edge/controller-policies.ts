import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { standardLabels } from '../labels';
import { NAMESPACE_NAME_LABEL } from '../network';
import { exemptFromPolicy } from '../policy-exemption';
import { PropChecks } from '../prop-errors';
import { ACME_SOLVER_LABEL, ACME_SOLVER_PORT } from './certificate';

/** Ports the controllers' proxies listen on in their pods: ingress-nginx 80/443, Kong's proxy 8000/8443 (both Helm charts' defaults). */
export const CONTROLLER_PROXY_PORTS = [80, 443, 8000, 8443];
/** Ports the Kubernetes API answers on: 443 through the `kubernetes` Service, 6443 on kubeadm/k3s endpoints. */
export const API_SERVER_PORTS = [443, 6443];

/** Pods a controller proxies to. */
export interface ControllerBackend {
  readonly namespace: string;
  /** Labels of the backend's pods. */
  readonly podSelector: Readonly<Record<string, string>>;
  /** The pods' port (what the Service targets). */
  readonly port: number;
}

export interface IngressControllerPoliciesProps {
  /** The controllers' namespace; it must hold only the controllers (the policies select every pod). */
  readonly namespace: string;
  /** @default CONTROLLER_PROXY_PORTS */
  readonly proxyPorts?: readonly number[];
  /** Every backend an Ingress of the controllers routes to. */
  readonly backends: readonly ControllerBackend[];
  /** Namespaces with HTTP-01 Certificates, whose solver pods the controllers proxy to. @default - none */
  readonly acmeSolverNamespaces?: readonly string[];
  /**
   * Namespaces the controllers reach by a label rather than by name (one per tenant, added and
   * removed as data): every pod of a namespace carrying `namespaceLabel`, on `port`.
   * @default - none
   */
  readonly labelledBackends?: { readonly namespaceLabel: string; readonly port: number };
  /** Where the API server is, to narrow the controllers' watch egress. @default - any address on API_SERVER_PORTS */
  readonly apiServerCidrs?: readonly string[];
}

/**
 * The allows of the ingress controllers' namespace (ingress-nginx and Kong, installed from their
 * Helm charts): the internet to the proxy ports, the proxies to their backends and to
 * cert-manager's HTTP-01 solvers, and the controllers to the API server (they watch Ingresses,
 * Services, Endpoints, Secrets). The namespace's default-deny and DNS come from PlatformNamespace.
 */
export class IngressControllerPolicies extends Construct {
  constructor(scope: Construct, id: string, props: IngressControllerPoliciesProps) {
    super(scope, id);
    const check = new PropChecks(this);
    check.dnsLabel(props.namespace, 'namespace');
    check.that(props.backends.length > 0, 'backends', 'must name at least one backend', props.backends.length);
    props.backends.forEach((b, i) => {
      check.dnsLabel(b.namespace, `backends[${i}].namespace`);
      check.that(Object.keys(b.podSelector).length > 0, `backends[${i}].podSelector`, 'must select pods (not a whole namespace)', b.podSelector);
      check.integer(b.port, `backends[${i}].port`, 1, 65535);
    });
    for (const p of props.proxyPorts ?? []) {
      check.integer(p, 'proxyPorts', 1, 65535);
    }
    check.throwIfAny();
    const policy = (name: string, spec: Omit<k8s.NetworkPolicySpec, 'podSelector'>): k8s.KubeNetworkPolicy =>
      new k8s.KubeNetworkPolicy(this, name, {
        metadata: { name, namespace: props.namespace, labels: standardLabels({ name: 'ingress-controllers', instance: name, component: 'network-policy' }) },
        spec: { podSelector: {}, ...spec },
      });
    policy('allow-public-to-controllers', {
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ ipBlock: { cidr: '0.0.0.0/0' } }, { ipBlock: { cidr: '::/0' } }], ports: tcp(props.proxyPorts ?? CONTROLLER_PROXY_PORTS) }],
    });
    policy('allow-controllers-to-backends', {
      policyTypes: ['Egress'],
      egress: props.backends.map((b) => ({ to: [{ namespaceSelector: nsSelector(b.namespace), podSelector: { matchLabels: { ...b.podSelector } } }], ports: tcp([b.port]) })),
    });
    const labelled = props.labelledBackends;
    if (labelled) {
      policy('allow-controllers-to-labelled-backends', {
        policyTypes: ['Egress'],
        egress: [{ to: [{ namespaceSelector: { matchExpressions: [{ key: labelled.namespaceLabel, operator: 'Exists' }] } }], ports: tcp([labelled.port]) }],
      });
    }
    const solvers = props.acmeSolverNamespaces ?? [];
    if (solvers.length > 0) {
      const p = policy('allow-controllers-to-acme-solvers', {
        policyTypes: ['Egress'],
        egress: [{ to: solvers.map((ns) => ({ namespaceSelector: nsSelector(ns), podSelector: { matchLabels: { [ACME_SOLVER_LABEL]: 'true' } } })), ports: tcp([ACME_SOLVER_PORT]) }],
      });
      exemptFromPolicy(p, 'ref.netpol-peer', 'cert-manager starts the ACME HTTP-01 solver pods at runtime, while a challenge is open');
    }
    const cidrs = props.apiServerCidrs ?? [];
    // The API server runs outside the pod network: no selector can name it; ports narrow the rule.
    policy('allow-controllers-to-api-server', {
      policyTypes: ['Egress'],
      egress: [{ ...(cidrs.length > 0 ? { to: cidrs.map((cidr) => ({ ipBlock: { cidr } })) } : {}), ports: tcp(API_SERVER_PORTS) }],
    });
  }
}

function tcp(ports: readonly number[]): k8s.NetworkPolicyPort[] {
  return ports.map((port) => ({ protocol: 'TCP', port: k8s.IntOrString.fromNumber(port) }));
}

function nsSelector(namespace: string): k8s.LabelSelector {
  return { matchLabels: { [NAMESPACE_NAME_LABEL]: namespace } };
}
