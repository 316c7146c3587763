import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { IngressRenderer, tcpPorts, uniquePolicyName } from './connections';
import { peerOf } from './network';

export interface PerPeerIngressProps {
  /** Base of the policy names: `<name>-from-<namespace>`. */
  readonly name: string;
  /** Namespace and labels of a policy, by its name. */
  readonly meta: (name: string) => k8s.ObjectMeta;
  /** The pods clients reach; read when a policy is written. */
  readonly podSelector: () => Record<string, string>;
}

/** An `IngressRenderer` that writes one NetworkPolicy `<name>-from-<namespace>` per peer (easy to review and to delete). */
export function perPeerIngress(scope: Construct, props: PerPeerIngressProps): IngressRenderer {
  const names = new Set<string>();
  return (peers, ports) => {
    for (const peer of peers) {
      const name = uniquePolicyName(names, `${props.name}-from-${peer.peerNamespace}`);
      new k8s.KubeNetworkPolicy(scope, `AllowFrom-${name}`, {
        metadata: props.meta(name),
        spec: {
          podSelector: { matchLabels: { ...props.podSelector() } },
          policyTypes: ['Ingress'],
          ingress: [{ from: [peerOf(peer)], ports: tcpPorts(ports) }],
        },
      });
    }
  };
}
