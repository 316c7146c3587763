import { IngressRenderer, networkPeerOf, perPeerIngress } from '../lib/connections';
import { allowEgressPolicy, allowIngressPolicy } from '../lib/network';
import { clusterIpService, headlessService, tcpServicePort } from '../lib/services';
import { MinioContext } from './context';
import { API_PORT, CONSOLE_PORT } from './props';

/**
 * The headless Service every pool's pods are named under (published before they are ready:
 * servers find each other while the erasure sets form) and the client Service.
 */
export function addServices(ctx: MinioContext): void {
  headlessService(ctx.scope, 'Headless', {
    metadata: ctx.meta(ctx.names.headless, 'server'),
    selector: ctx.servers,
    ports: [tcpServicePort('api', API_PORT, 'api')],
    publishNotReadyAddresses: true,
  });
  clusterIpService(ctx.scope, 'Client', {
    metadata: ctx.meta(ctx.names.client),
    selector: ctx.servers,
    ports: [tcpServicePort('api', API_PORT, 'api'), tcpServicePort('console', CONSOLE_PORT, 'console')],
  });
}

/** Servers talk to each other on the API port, in both directions. */
export function addMembersPolicies(ctx: MinioContext): void {
  const members = [{ peerNamespace: ctx.namespace, peerSelector: ctx.servers }];
  const common = { namespace: ctx.namespace, labels: ctx.labelsFor('server'), podSelector: { ...ctx.servers }, ports: [API_PORT] };
  allowIngressPolicy(ctx.scope, 'MembersIngress', { ...common, name: `${ctx.name}-members`, from: members });
  allowEgressPolicy(ctx.scope, 'MembersEgress', { ...common, name: `${ctx.name}-members-egress`, to: members });
}

/** The setup Job reaches the servers; they admit it. */
export function addSetupPolicies(ctx: MinioContext, jobSelector: Record<string, string>): void {
  const labels = ctx.labelsFor('setup');
  allowEgressPolicy(ctx.scope, 'SetupEgress', {
    name: `${ctx.name}-setup-egress`,
    namespace: ctx.namespace,
    labels,
    podSelector: jobSelector,
    to: [{ peerNamespace: ctx.namespace, peerSelector: ctx.servers }],
    ports: [API_PORT],
  });
  allowIngressPolicy(ctx.scope, 'SetupIngress', {
    name: `${ctx.name}-setup`,
    namespace: ctx.namespace,
    labels,
    podSelector: { ...ctx.servers },
    from: [{ peerNamespace: ctx.namespace, peerSelector: jobSelector }],
    ports: [API_PORT],
  });
}

/** Prometheus scrapes every server on the API port (metrics are served there). */
export function addScrapePolicy(ctx: MinioContext): void {
  if (ctx.props.scrapers.length === 0) {
    return;
  }
  allowIngressPolicy(ctx.scope, 'MetricsIngress', {
    name: `${ctx.name}-metrics`,
    namespace: ctx.namespace,
    labels: ctx.labelsFor('metrics'),
    podSelector: { ...ctx.servers },
    from: ctx.props.scrapers.map(networkPeerOf),
    ports: [API_PORT],
  });
}

/** The ingress side of `allowFrom`: one policy `<name>-from-<namespace>` per peer, on every server. */
export function clientIngress(ctx: MinioContext): IngressRenderer {
  return perPeerIngress({
    scope: ctx.scope,
    baseName: ctx.name,
    meta: (name) => ({ name, namespace: ctx.namespace, labels: ctx.labelsFor('storage') }),
    podSelector: ctx.servers,
  });
}
