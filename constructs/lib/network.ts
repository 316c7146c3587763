import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';

/** Label every namespace carries since Kubernetes 1.22; NetworkPolicies select namespaces by it. */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

/** Where cluster DNS runs, on every distribution we target (k3s, kubeadm, EKS, AKS, GKE). */
export const CLUSTER_DNS = {
  namespace: 'kube-system',
  selector: { 'k8s-app': 'kube-dns' } as Record<string, string>,
  port: 53,
};

/**
 * A set of pods another workload can name in a NetworkPolicy: `db.allowFrom(api)` works for any
 * construct that exposes one.
 */
export interface INetworkPeer {
  /** Namespace of the pods. */
  readonly peerNamespace: string;
  /** Labels that select exactly those pods. */
  readonly peerSelector: Readonly<Record<string, string>>;
}

/** A NetworkPolicy peer that selects the pods of `peer`, wherever they run. */
export function peerOf(peer: INetworkPeer): k8s.NetworkPolicyPeer {
  return {
    namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: peer.peerNamespace } },
    podSelector: { matchLabels: { ...peer.peerSelector } },
  };
}

export interface NamespacePolicyProps {
  readonly namespace: string;
  readonly labels: Record<string, string>;
}

/** Denies all ingress and egress to every pod of the namespace; allows are added one by one. */
export function defaultDenyPolicy(scope: Construct, id: string, props: NamespacePolicyProps): k8s.KubeNetworkPolicy {
  return new k8s.KubeNetworkPolicy(scope, id, {
    metadata: { name: 'default-deny', namespace: props.namespace, labels: props.labels },
    spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
  });
}

/** Allows every pod of the namespace to resolve names through cluster DNS, and nothing else. */
export function allowDnsEgressPolicy(scope: Construct, id: string, props: NamespacePolicyProps): k8s.KubeNetworkPolicy {
  return new k8s.KubeNetworkPolicy(scope, id, {
    metadata: { name: 'allow-dns-egress', namespace: props.namespace, labels: props.labels },
    spec: {
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [
        {
          to: [peerOf({ peerNamespace: CLUSTER_DNS.namespace, peerSelector: CLUSTER_DNS.selector })],
          ports: [
            { protocol: 'UDP', port: k8s.IntOrString.fromNumber(CLUSTER_DNS.port) },
            { protocol: 'TCP', port: k8s.IntOrString.fromNumber(CLUSTER_DNS.port) },
          ],
        },
      ],
    },
  });
}

export interface IngressAllowProps {
  readonly name: string;
  readonly namespace: string;
  readonly labels: Record<string, string>;
  /** The pods being protected. */
  readonly podSelector: Record<string, string>;
  /** Who may connect. */
  readonly from: readonly INetworkPeer[];
  /** On which TCP ports. */
  readonly ports: readonly number[];
}

/** Allows the named peers to reach the selected pods on the given TCP ports. */
export function allowIngressPolicy(scope: Construct, id: string, props: IngressAllowProps): k8s.KubeNetworkPolicy {
  return allowPolicy(scope, id, props, 'Ingress', props.from);
}

export interface EgressAllowProps {
  readonly name: string;
  readonly namespace: string;
  readonly labels: Record<string, string>;
  readonly podSelector: Record<string, string>;
  readonly to: readonly INetworkPeer[];
  readonly ports: readonly number[];
}

/** Allows the selected pods to reach the named peers on the given TCP ports. */
export function allowEgressPolicy(scope: Construct, id: string, props: EgressAllowProps): k8s.KubeNetworkPolicy {
  return allowPolicy(scope, id, props, 'Egress', props.to);
}

/** One NetworkPolicy with one rule: the selected pods and the peers, in one direction, on TCP ports. */
function allowPolicy(
  scope: Construct,
  id: string,
  props: Omit<EgressAllowProps, 'to'>,
  direction: 'Ingress' | 'Egress',
  peers: readonly INetworkPeer[],
): k8s.KubeNetworkPolicy {
  const ports = props.ports.map((port) => ({ protocol: 'TCP', port: k8s.IntOrString.fromNumber(port) }));
  const rule = direction === 'Ingress' ? { ingress: [{ from: peers.map(peerOf), ports }] } : { egress: [{ to: peers.map(peerOf), ports }] };
  return new k8s.KubeNetworkPolicy(scope, id, {
    metadata: { name: props.name, namespace: props.namespace, labels: props.labels },
    spec: { podSelector: { matchLabels: { ...props.podSelector } }, policyTypes: [direction], ...rule },
  });
}
