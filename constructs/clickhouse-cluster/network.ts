import { k8s } from 'cdk8s-plus-28';
import { IngressRenderer, perPeerIngress, networkPeerOf, tcpPorts } from '../lib/connections';
import { allowEgressPolicy, allowIngressPolicy, INetworkPeer, peerOf } from '../lib/network';
import { dataServiceRules } from '../lib/prometheus-rule';
import { metricsMonitor } from '../lib/service-monitor';
import { clickhouseAlerts } from './alerts';
import { clusterIpService, headlessService, tcpServicePort } from '../lib/services';
import { ChContext } from './context';
import { HTTP_PORT, INTERSERVER_PORT, KEEPER_CLIENT_PORT, KEEPER_RAFT_PORT, METRICS_PORT, NATIVE_PORT } from './props';

/** A headless Service per shard and for Keeper (stable pod names, published before ready), and the client Service. */
export function addServices(ctx: ChContext): void {
  const serverPorts = [
    tcpServicePort('http', HTTP_PORT, 'http'),
    tcpServicePort('native', NATIVE_PORT, 'native'),
    tcpServicePort('interserver', INTERSERVER_PORT, 'interserver'),
  ];
  for (let i = 0; i < ctx.props.shards; i++) {
    headlessService(ctx.scope, `Headless${i}`, {
      metadata: ctx.meta(ctx.shardName(i), 'server'),
      selector: ctx.shardSelector(i),
      ports: serverPorts,
      publishNotReadyAddresses: true,
    });
  }
  headlessService(ctx.scope, 'KeeperHeadless', {
    metadata: ctx.meta(ctx.names.keeper, 'keeper'),
    selector: ctx.keeperSelector(),
    ports: [tcpServicePort('client', KEEPER_CLIENT_PORT, 'client'), tcpServicePort('raft', KEEPER_RAFT_PORT, 'raft')],
    publishNotReadyAddresses: true,
  });
  clusterIpService(ctx.scope, 'ClientService', {
    metadata: ctx.meta(ctx.name, 'server'),
    selector: ctx.servers,
    ports: serverPorts.slice(0, 2),
  });
}

/** Servers talk to each other and to Keeper; Keeper members talk Raft. */
export function addMembersPolicies(ctx: ChContext): void {
  const servers = [{ peerNamespace: ctx.namespace, peerSelector: ctx.servers }];
  const keeper = [{ peerNamespace: ctx.namespace, peerSelector: ctx.keeperSelector() }];
  const base = { namespace: ctx.namespace, labels: ctx.labelsFor('analytics') };
  const serverPorts = [HTTP_PORT, NATIVE_PORT, INTERSERVER_PORT];
  allowIngressPolicy(ctx.scope, 'ServersIngress', {
    ...base,
    name: `${ctx.name}-servers`,
    podSelector: ctx.servers,
    from: servers,
    ports: serverPorts,
  });
  allowEgressPolicy(ctx.scope, 'ServersEgress', {
    ...base,
    name: `${ctx.name}-servers-egress`,
    podSelector: ctx.servers,
    to: servers,
    ports: serverPorts,
  });
  const keeperSel = ctx.keeperSelector();
  allowIngressPolicy(ctx.scope, 'KeeperClientsIngress', {
    ...base,
    name: `${ctx.name}-keeper-clients`,
    podSelector: keeperSel,
    from: servers,
    ports: [KEEPER_CLIENT_PORT],
  });
  allowEgressPolicy(ctx.scope, 'KeeperClientsEgress', {
    ...base,
    name: `${ctx.name}-keeper-egress`,
    podSelector: ctx.servers,
    to: keeper,
    ports: [KEEPER_CLIENT_PORT],
  });
  allowIngressPolicy(ctx.scope, 'RaftIngress', {
    ...base,
    name: `${ctx.name}-keeper-raft`,
    podSelector: keeperSel,
    from: keeper,
    ports: [KEEPER_RAFT_PORT],
  });
  allowEgressPolicy(ctx.scope, 'RaftEgress', {
    ...base,
    name: `${ctx.name}-keeper-raft-egress`,
    podSelector: keeperSel,
    to: keeper,
    ports: [KEEPER_RAFT_PORT],
  });
}

/** A Job (schema, backup) reaches the servers' native port; the servers admit it. */
export function addJobPolicies(ctx: ChContext, component: 'schema' | 'backup'): void {
  const job = ctx.componentSelector(component);
  const base = { namespace: ctx.namespace, labels: ctx.labelsFor(component), ports: [NATIVE_PORT] };
  allowEgressPolicy(ctx.scope, `${component}Egress`, {
    ...base,
    name: `${ctx.name}-${component}-egress`,
    podSelector: job,
    to: [{ peerNamespace: ctx.namespace, peerSelector: ctx.servers }],
  });
  allowIngressPolicy(ctx.scope, `${component}Ingress`, {
    ...base,
    name: `${ctx.name}-${component}`,
    podSelector: ctx.servers,
    from: [{ peerNamespace: ctx.namespace, peerSelector: job }],
  });
}

/** Egress of `podSelector` to `peer` (any destination when absent) on `ports`. */
export function egressTo(
  ctx: ChContext,
  id: string,
  name: string,
  podSelector: Record<string, string>,
  ports: readonly number[],
  peer?: INetworkPeer,
): void {
  new k8s.KubeNetworkPolicy(ctx.scope, id, {
    metadata: ctx.meta(name),
    spec: {
      podSelector: { matchLabels: { ...podSelector } },
      policyTypes: ['Egress'],
      egress: [{ ...(peer ? { to: [peerOf(peer)] } : {}), ports: tcpPorts(ports) }],
    },
  });
}

/** The ServiceMonitor over the servers' and Keeper's built-in Prometheus endpoints, and the scrapers' policy. */
export function addMonitoring(ctx: ChContext): void {
  headlessService(ctx.scope, 'MetricsService', {
    metadata: ctx.meta(`${ctx.name}-metrics`, 'metrics'),
    selector: ctx.metricsPods,
    ports: [tcpServicePort('metrics', METRICS_PORT, 'metrics')],
  });
  metricsMonitor(ctx.scope, 'Monitor', {
    name: ctx.name,
    namespace: ctx.namespace,
    labels: ctx.labelsFor('analytics'),
    serviceSelector: ctx.monitorSelector(),
    portName: 'metrics',
  });
  dataServiceRules(ctx.scope, {
    name: ctx.name,
    namespace: ctx.namespace,
    labels: ctx.labelsFor('analytics'),
    service: clickhouseAlerts(ctx.namespace, ctx.name),
    backups: ctx.props.backup !== undefined,
  });
  if (ctx.props.scrapers.length > 0) {
    allowIngressPolicy(ctx.scope, 'MetricsIngress', {
      name: `${ctx.name}-metrics`,
      namespace: ctx.namespace,
      labels: ctx.labelsFor('analytics'),
      podSelector: ctx.metricsPods,
      from: ctx.props.scrapers.map(networkPeerOf),
      ports: [METRICS_PORT],
    });
  }
}

/** The ingress side of `allowFrom`: one policy `<name>-from-<namespace>` per peer, on every server. */
export function clientIngress(ctx: ChContext): IngressRenderer {
  return perPeerIngress({
    scope: ctx.scope,
    baseName: ctx.name,
    meta: (name) => ({ name, namespace: ctx.namespace, labels: ctx.labelsFor('analytics') }),
    podSelector: ctx.servers,
  });
}
