import { k8s } from 'cdk8s-plus-28';
import { IngressRenderer, perPeerIngress, policyPeerOf, tcpPorts } from '../lib/connections';
import { allowEgressPolicy, allowIngressPolicy } from '../lib/network';
import { clusterIpService, headlessService, tcpServicePort } from '../lib/services';
import { EsContext } from './context';
import { HTTP_PORT, TRANSPORT_PORT } from './props';
import { ResolvedNodeSet } from './resolve';

/** The node sets clients talk to: coordinating nodes, else data nodes, else the single node. */
export function clientSets(ctx: EsContext): ResolvedNodeSet[] {
  const sets = ctx.props.nodeSets;
  const coordinating = sets.filter((s) => s.component === 'coordinating');
  return coordinating.length > 0 ? coordinating : sets.filter((s) => s.roles.includes('data'));
}

/** The pod labels of the client node sets (one component: selects them all). */
export function clientSelector(ctx: EsContext): Record<string, string> {
  return ctx.componentSelector(clientSets(ctx)[0].component);
}

/** A headless Service per node set (stable pod names, published before ready), and the client Service. */
export function addServices(ctx: EsContext): void {
  const ports = [tcpServicePort('http', HTTP_PORT, 'http'), tcpServicePort('transport', TRANSPORT_PORT, 'transport')];
  for (const set of ctx.props.nodeSets) {
    headlessService(ctx.scope, `Headless-${set.set}`, {
      metadata: ctx.meta(ctx.setName(set), set.component),
      selector: ctx.setSelector(set),
      ports,
      publishNotReadyAddresses: true,
    });
  }
  clusterIpService(ctx.scope, 'HttpService', {
    metadata: ctx.meta(ctx.names.http),
    selector: clientSelector(ctx),
    ports: [tcpServicePort('http', HTTP_PORT, 'http')],
  });
}

/** Nodes talk to each other on transport and HTTP; they reach the snapshot store. */
export function addMembersPolicies(ctx: EsContext): void {
  const members = [{ peerNamespace: ctx.namespace, peerSelector: ctx.allNodes }];
  const common = { namespace: ctx.namespace, labels: ctx.labelsFor('search'), podSelector: { ...ctx.allNodes }, ports: [HTTP_PORT, TRANSPORT_PORT] };
  allowIngressPolicy(ctx.scope, 'MembersIngress', { ...common, name: `${ctx.name}-members`, from: members });
  allowEgressPolicy(ctx.scope, 'MembersEgress', { ...common, name: `${ctx.name}-members-egress`, to: members });
  const snapshot = ctx.props.snapshot;
  if (snapshot) {
    new k8s.KubeNetworkPolicy(ctx.scope, 'SnapshotEgress', {
      metadata: ctx.meta(`${ctx.name}-snapshot-egress`),
      spec: {
        podSelector: { matchLabels: { ...ctx.allNodes } },
        policyTypes: ['Egress'],
        egress: [{ ...(snapshot.networkPeer ? { to: [policyPeerOf(snapshot.networkPeer)] } : {}), ports: tcpPorts([snapshot.port]) }],
      },
    });
  }
}

/** The setup Job reaches the client Service; the client nodes admit it. */
export function addSetupPolicies(ctx: EsContext, jobSelector: Record<string, string>): void {
  const labels = ctx.labelsFor('setup');
  const clients = { peerNamespace: ctx.namespace, peerSelector: clientSelector(ctx) };
  const job = { peerNamespace: ctx.namespace, peerSelector: jobSelector };
  allowEgressPolicy(ctx.scope, 'SetupEgress', {
    name: `${ctx.name}-setup-egress`,
    namespace: ctx.namespace,
    labels,
    podSelector: jobSelector,
    to: [clients],
    ports: [HTTP_PORT],
  });
  allowIngressPolicy(ctx.scope, 'SetupIngress', {
    name: `${ctx.name}-setup`,
    namespace: ctx.namespace,
    labels,
    podSelector: clientSelector(ctx),
    from: [job],
    ports: [HTTP_PORT],
  });
}

/** The ingress side of `allowFrom`: one policy `<name>-from-<namespace>` per peer, on the client nodes. */
export function clientIngress(ctx: EsContext): IngressRenderer {
  return perPeerIngress({ scope: ctx.scope, baseName: ctx.name, meta: (name) => ctx.meta(name), podSelector: clientSelector(ctx) });
}
