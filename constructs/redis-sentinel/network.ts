import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { IngressRenderer, networkPeerOf, tcpPorts } from '../lib/connections';
import { allowEgressPolicy, allowIngressPolicy, INetworkPeer, peerOf } from '../lib/network';
import { headlessService, clusterIpService, tcpServicePort } from '../lib/services';
import { EXPORTER_PORT, REDIS_PORT, SENTINEL_PORT } from './config';
import { RedisContext } from './context';

/**
 * Stable names for every pod (headless, published before ready so peers find each other while
 * starting), and one Service over ready Sentinels for clients.
 */
export function addServices(ctx: RedisContext): void {
  const { names } = ctx;
  const dataPorts = [
    tcpServicePort('redis', REDIS_PORT, 'redis'),
    ...(ctx.props.monitoring ? [tcpServicePort('metrics', EXPORTER_PORT, 'metrics')] : []),
  ];
  const sentinelPorts = [tcpServicePort('sentinel', SENTINEL_PORT, 'sentinel')];
  headlessService(ctx.scope, 'Headless', {
    metadata: ctx.meta(names.headless, 'data'),
    selector: ctx.selectorFor('data'),
    ports: dataPorts,
    publishNotReadyAddresses: true,
  });
  headlessService(ctx.scope, 'SentinelHeadless', {
    metadata: ctx.meta(names.sentinelHeadless, 'sentinel'),
    selector: ctx.selectorFor('sentinel'),
    ports: sentinelPorts,
    publishNotReadyAddresses: true,
  });
  clusterIpService(ctx.scope, 'SentinelService', {
    metadata: ctx.meta(names.sentinel, 'sentinel'),
    selector: ctx.selectorFor('sentinel'),
    ports: sentinelPorts,
  });
}

/** Members talk to each other: replication (6379), Sentinel gossip and start-up questions (26379). */
export function addMembersPolicies(ctx: RedisContext): void {
  const members = [{ peerNamespace: ctx.namespace, peerSelector: ctx.allPods }];
  const common = { namespace: ctx.namespace, labels: ctx.labelsFor('cache'), podSelector: { ...ctx.allPods }, ports: [REDIS_PORT, SENTINEL_PORT] };
  allowIngressPolicy(ctx.scope, 'MembersIngress', { ...common, name: `${ctx.name}-members`, from: members });
  allowEgressPolicy(ctx.scope, 'MembersEgress', { ...common, name: `${ctx.name}-members-egress`, to: members });
}

/** Prometheus (`monitoring.scrapers`) may reach the exporters of the data pods. */
export function addMetricsPolicy(ctx: RedisContext): void {
  const { scrapers } = ctx.props;
  if (scrapers.length > 0) {
    allowIngressPolicy(ctx.scope, 'MetricsIngress', {
      name: `${ctx.name}-metrics`,
      namespace: ctx.namespace,
      labels: ctx.labelsFor('cache'),
      podSelector: ctx.selectorFor('data'),
      from: scrapers.map(networkPeerOf),
      ports: [EXPORTER_PORT],
    });
  }
}

/**
 * The ingress side of `allowFrom`: one policy `<name>-clients` over every pod (clients ask a
 * Sentinel for the primary, then connect to it), whose peer list grows with each call. An
 * ingress rule with no peers would admit everyone, so the policy is created with its first peer.
 * A call with other ports gets its own policy, `<name>-clients-<ports>`. The policies are
 * created in `scope`, so they keep their place in the manifests whenever allowFrom is called.
 */
export function clientIngress(ctx: RedisContext, scope: Construct): IngressRenderer {
  const lists = new Map<string, k8s.NetworkPolicyPeer[]>();
  const defaultKey = [REDIS_PORT, SENTINEL_PORT].join('-');
  return (peers: readonly INetworkPeer[], ports: readonly number[]): void => {
    const key = ports.join('-');
    let list = lists.get(key);
    if (!list) {
      list = [];
      lists.set(key, list);
      const name = key === defaultKey ? `${ctx.name}-clients` : `${ctx.name}-clients-${key}`;
      new k8s.KubeNetworkPolicy(scope, key === defaultKey ? 'ClientsIngress' : `ClientsIngress-${key}`, {
        metadata: ctx.meta(name),
        spec: {
          podSelector: { matchLabels: { ...ctx.allPods } },
          policyTypes: ['Ingress'],
          // The same array: peers added later are rendered at synth time.
          ingress: [{ from: list, ports: tcpPorts(ports) }],
        },
      });
    }
    list.push(...peers.map(peerOf));
  };
}
