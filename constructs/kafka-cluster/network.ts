import { IngressRenderer, perPeerIngress } from '../lib/connections';
import { allowEgressPolicy, allowIngressPolicy } from '../lib/network';
import { clusterIpService, headlessService, tcpServicePort } from '../lib/services';
import { Component, KafkaContext } from './context';
import { CLIENT_PORT, CONTROLLER_PORT, INTERNAL_PORT } from './props';

/**
 * One headless Service over every Kafka pod (each pod's stable DNS name, published before it is
 * ready, which the controllers need to elect a leader); no ports, as the pools serve different
 * ones. The bootstrap Service in front of the brokers is where clients start.
 */
export function addServices(ctx: KafkaContext): void {
  headlessService(ctx.scope, 'Headless', {
    metadata: ctx.meta(ctx.names.headless),
    selector: ctx.allNodes,
    publishNotReadyAddresses: true,
  });
  clusterIpService(ctx.scope, 'Bootstrap', {
    metadata: ctx.meta(ctx.names.bootstrap, ctx.brokerPools()[0].pool),
    selector: ctx.brokerSelector(),
    ports: [tcpServicePort('client', CLIENT_PORT, 'client')],
  });
}

/** Kafka pods talk to each other on the controller and inter-broker listeners, and nothing else. */
export function addMembersPolicies(ctx: KafkaContext): void {
  const members = [{ peerNamespace: ctx.namespace, peerSelector: ctx.allNodes }];
  const common = {
    namespace: ctx.namespace,
    labels: ctx.labelsFor('kafka'),
    podSelector: { ...ctx.allNodes },
    ports: [CONTROLLER_PORT, INTERNAL_PORT],
  };
  allowIngressPolicy(ctx.scope, 'MembersIngress', { ...common, name: `${ctx.name}-members`, from: members });
  allowEgressPolicy(ctx.scope, 'MembersEgress', { ...common, name: `${ctx.name}-members-egress`, to: members });
}

/** A pod of this namespace (the topics Job, the exporter) reaches the brokers' client port, and they admit it. */
export function addInternalClientPolicies(ctx: KafkaContext, component: Component, selector: Record<string, string>): void {
  const labels = ctx.labelsFor(component);
  const brokers = { peerNamespace: ctx.namespace, peerSelector: ctx.brokerSelector() };
  const common = { namespace: ctx.namespace, labels, ports: [CLIENT_PORT] };
  allowEgressPolicy(ctx.scope, `${component}-Egress`, { ...common, name: `${ctx.name}-${component}-egress`, podSelector: selector, to: [brokers] });
  allowIngressPolicy(ctx.scope, `${component}-Ingress`, {
    ...common,
    name: `${ctx.name}-from-${component}`,
    podSelector: ctx.brokerSelector(),
    from: [{ peerNamespace: ctx.namespace, peerSelector: selector }],
  });
}

/** The ingress side of `allowFrom`: one policy `<name>-from-<namespace>` per peer, on the brokers. */
export function clientIngress(ctx: KafkaContext): IngressRenderer {
  return perPeerIngress({ scope: ctx.scope, baseName: ctx.name, meta: (name) => ctx.meta(name), podSelector: ctx.brokerSelector() });
}
