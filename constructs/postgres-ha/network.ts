import { k8s } from 'cdk8s-plus-28';
import { IngressRenderer, perPeerIngress, policyPeerOf, tcpPorts } from '../lib/connections';
import { EXPORTER_PORT, PATRONI_API_PORT, POOLER_EXPORTER_PORT, POSTGRES_PORT } from './config';
import { endpointPort } from './backup';
import { ClusterContext, Component } from './context';
import { DEFAULT_BACKUP_S3_PORT, PATRONI_API_SERVER_PORTS } from './props';

/** The component's pods, as a peer in this namespace (no namespace selector: same namespace). */
function local(ctx: ClusterContext, component: Component): k8s.NetworkPolicyPeer {
  return { podSelector: { matchLabels: ctx.selectorFor(component) } };
}

function policy(ctx: ClusterContext, id: string, name: string, component: Component, spec: Omit<k8s.NetworkPolicySpec, 'podSelector'>): void {
  new k8s.KubeNetworkPolicy(ctx.scope, id, {
    metadata: ctx.meta(name, component),
    spec: { podSelector: { matchLabels: ctx.selectorFor(component) }, ...spec },
  });
}

/**
 * The only ways in and out of the cluster's pods, under the namespace's default-deny. Clients
 * are admitted one by one with `allowFrom` (see `clientIngress`).
 */
export function addNetworkPolicies(ctx: ClusterContext): void {
  const { backup, standby, promote, scrapers } = ctx.props;
  addDatabasePolicies(ctx);
  // Scrapers need monitoring (resolveDataService checks it): there is an exporter to reach.
  if (scrapers.length > 0) {
    policy(ctx, 'PoolerMetricsIngress', `${ctx.names.pooler}-metrics`, 'pooler', {
      policyTypes: ['Ingress'],
      ingress: [{ from: scrapers.map(policyPeerOf), ports: tcpPorts([POOLER_EXPORTER_PORT]) }],
    });
  }
  policy(ctx, 'PoolerEgress', `${ctx.names.pooler}-egress`, 'pooler', {
    policyTypes: ['Egress'],
    egress: [{ to: [local(ctx, 'database')], ports: tcpPorts([POSTGRES_PORT]) }],
  });
  if (!standby || promote) {
    policy(ctx, 'AdminEgress', `${ctx.name}-admin-egress`, 'admin', {
      policyTypes: ['Egress'],
      egress: [{ to: [local(ctx, 'database')], ports: tcpPorts([POSTGRES_PORT]) }, ...(promote ? [apiServerEgress(ctx)] : [])],
    });
  }
  if (backup && !standby) {
    policy(ctx, 'BackupEgress', `${ctx.name}-backup-egress`, 'backup', {
      policyTypes: ['Egress'],
      egress: [{ to: [local(ctx, 'database')], ports: tcpPorts([POSTGRES_PORT]) }, s3Egress(ctx)],
    });
  }
}

function addDatabasePolicies(ctx: ClusterContext): void {
  const { backup, standby, scrapers, standbyOf } = ctx.props;
  const members = local(ctx, 'database');
  const clients = [local(ctx, 'pooler'), ...(standby ? [] : [local(ctx, 'admin')]), ...(backup && !standby ? [local(ctx, 'backup')] : [])];
  policy(ctx, 'DatabaseIngress', `${ctx.name}-ingress`, 'database', {
    policyTypes: ['Ingress'],
    ingress: [
      // Replication and Patroni's member-to-member REST calls.
      { from: [members], ports: tcpPorts([POSTGRES_PORT, PATRONI_API_PORT]) },
      { from: clients, ports: tcpPorts([POSTGRES_PORT]) },
      // Prometheus: Patroni's own /metrics and postgres_exporter.
      ...(scrapers.length > 0 ? [{ from: scrapers.map(policyPeerOf), ports: tcpPorts([PATRONI_API_PORT, EXPORTER_PORT]) }] : []),
    ],
  });
  const egress: k8s.NetworkPolicyEgressRule[] = [{ to: [members], ports: tcpPorts([POSTGRES_PORT, PATRONI_API_PORT]) }, apiServerEgress(ctx)];
  if (backup) {
    egress.push(s3Egress(ctx));
  }
  if (standbyOf?.remote) {
    egress.push({ ports: tcpPorts([standbyOf.remote.port]) });
  }
  if (standbyOf?.archive) {
    // The primary's object storage is outside this cluster: no pod selector names it.
    egress.push({ ports: tcpPorts([endpointPort(standbyOf.archive.endpoint)]) });
  }
  policy(ctx, 'DatabaseEgress', `${ctx.name}-egress`, 'database', { policyTypes: ['Egress'], egress });
}

/**
 * The API server runs outside the pod network (no pod selector can name it); ports narrow the rule,
 * apiServerCidrs narrows it further where the control plane's addresses are known.
 */
function apiServerEgress(ctx: ClusterContext): k8s.NetworkPolicyEgressRule {
  const cidrs = ctx.props.apiServerCidrs;
  return { ...(cidrs.length > 0 ? { to: cidrs.map((cidr) => ({ ipBlock: { cidr } })) } : {}), ports: tcpPorts(PATRONI_API_SERVER_PORTS) };
}

function s3Egress(ctx: ClusterContext): k8s.NetworkPolicyEgressRule {
  const backup = ctx.props.backup!;
  return { ...(backup.networkPeer ? { to: [policyPeerOf(backup.networkPeer)] } : {}), ports: tcpPorts([backup.port ?? DEFAULT_BACKUP_S3_PORT]) };
}

/**
 * The ingress side of `allowFrom`: one NetworkPolicy per client, `<name>-from-<namespace>` (a
 * suffix when a namespace comes twice), so each is easy to review and to delete.
 */
export function clientIngress(ctx: ClusterContext): IngressRenderer {
  return perPeerIngress({ scope: ctx.scope, baseName: ctx.name, meta: (name) => ctx.meta(name, 'pooler'), podSelector: ctx.selectorFor('pooler') });
}
