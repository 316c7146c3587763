import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { INetworkPeer, peerOf } from './network';

/**
 * Something with network connections: a data service, a workload. Modelled on the AWS CDK's
 * `IConnectable`: the ports and the peers travel with the construct, so a chart says
 * `postgres.allowFrom(api)` and never rebuilds a selector or a port.
 */
export interface IConnectable {
  readonly connections: Connections;
}

/** Who may be let in: a namespace (`PlatformNamespace`), any set of pods, or another construct. */
export type Peer = INetworkPeer | IConnectable;

/** The pods a peer stands for, whatever form it comes in. */
export function networkPeerOf(peer: Peer): INetworkPeer {
  return 'connections' in peer ? peer.connections : peer;
}

/** A NetworkPolicy peer for `peer`: its namespace (by name) and its pod selector. */
export function policyPeerOf(peer: Peer): k8s.NetworkPolicyPeer {
  return peerOf(networkPeerOf(peer));
}

/** TCP ports of a NetworkPolicy rule. */
export function tcpPorts(ports: readonly number[]): k8s.NetworkPolicyPort[] {
  return ports.map((port) => ({ protocol: 'TCP', port: k8s.IntOrString.fromNumber(port) }));
}

/** Longest policy name before a dedupe suffix; `-<n>` keeps it within 60. */
const POLICY_NAME_LENGTH = 60;

/**
 * A NetworkPolicy name from `base` (`<name>-from-<namespace>`), cut to 60 characters and made
 * unique among `taken` with a `-<n>` suffix (a namespace admitted twice); the name is added to `taken`.
 */
export function uniquePolicyName(taken: Set<string>, base: string): string {
  let name = base.slice(0, POLICY_NAME_LENGTH).replace(/-+$/, '');
  for (let i = 2; taken.has(name); i++) {
    name = `${base.slice(0, POLICY_NAME_LENGTH - 3).replace(/-+$/, '')}-${i}`;
  }
  taken.add(name);
  return name;
}

/**
 * Renders the NetworkPolicies that admit peers. Each construct chooses the shape: PostgresHA
 * writes one policy per peer (`<name>-from-<namespace>`, easy to review and to delete),
 * RedisSentinel one policy whose list grows. An ingress rule with no peers would admit
 * everyone, so a renderer is only called with at least one peer.
 */
export type IngressRenderer = (peers: readonly INetworkPeer[], ports: readonly number[]) => void;

/**
 * Renders the egress side on a client: called when this construct is allowed into another one
 * (`db.allowFrom(this)`), with the server's pods and ports.
 */
export type EgressRenderer = (to: INetworkPeer, ports: readonly number[]) => void;

export interface ConnectionsProps {
  /** Namespace of the pods clients connect to. */
  readonly peerNamespace: string;
  /** Labels that select exactly those pods. */
  readonly peerSelector: Readonly<Record<string, string>>;
  /** Ports a client needs, used when `allowFrom` names none. */
  readonly defaultPorts: readonly number[];
  /** Writes the ingress policies of the construct. */
  readonly renderIngress: IngressRenderer;
  /** Writes the egress policies of the construct as a client. @default - the construct is never a client */
  readonly renderEgress?: EgressRenderer;
}

/**
 * The network face of a construct: the pods clients reach (as an `INetworkPeer`, for the
 * client's own egress policy), the ports they need, and `allowFrom`, which writes the ingress.
 * When the peer is itself `IConnectable` and renders egress, one call writes both sides.
 */
export class Connections implements INetworkPeer {
  public readonly peerNamespace: string;
  public readonly peerSelector: Readonly<Record<string, string>>;
  /** Ports a client needs (e.g. 5432 for the PgBouncer of PostgresHA; 6379 and 26379 for Redis). */
  public readonly defaultPorts: readonly number[];
  private readonly renderIngress: IngressRenderer;
  private readonly renderEgress?: EgressRenderer;

  constructor(props: ConnectionsProps) {
    this.peerNamespace = props.peerNamespace;
    this.peerSelector = props.peerSelector;
    this.defaultPorts = [...props.defaultPorts];
    this.renderIngress = props.renderIngress;
    this.renderEgress = props.renderEgress;
  }

  /** Lets `peers` in on the default ports. */
  public allowFrom(...peers: Peer[]): void {
    this.allowFromOn(this.defaultPorts, ...peers);
  }

  /** Lets `peers` in on `ports`; peers that render egress get their side too. */
  public allowFromOn(ports: readonly number[], ...peers: Peer[]): void {
    if (peers.length === 0) {
      return;
    }
    this.renderIngress(peers.map(networkPeerOf), ports);
    for (const peer of peers) {
      if ('connections' in peer) {
        peer.connections.renderEgress?.(this, ports);
      }
    }
  }
}

export interface PerPeerIngressProps {
  readonly scope: Construct;
  /** Base of each policy name: `<base>-from-<namespace>`. */
  readonly baseName: string;
  /** Metadata of a policy, from its name. */
  readonly meta: (name: string) => k8s.ObjectMeta;
  /** The pods clients reach. */
  readonly podSelector: Readonly<Record<string, string>>;
}

/**
 * An `IngressRenderer` that writes one NetworkPolicy per peer, `<base>-from-<namespace>` (a
 * suffix when a namespace comes twice), so each is easy to review and to delete.
 */
export function perPeerIngress(props: PerPeerIngressProps): IngressRenderer {
  const names = new Set<string>();
  return (peers, ports) => {
    for (const peer of peers) {
      const name = uniquePolicyName(names, `${props.baseName}-from-${peer.peerNamespace}`);
      new k8s.KubeNetworkPolicy(props.scope, `AllowFrom-${name}`, {
        metadata: props.meta(name),
        spec: {
          podSelector: { matchLabels: { ...props.podSelector } },
          policyTypes: ['Ingress'],
          ingress: [{ from: [peerOf(peer)], ports: tcpPorts(ports) }],
        },
      });
    }
  };
}
