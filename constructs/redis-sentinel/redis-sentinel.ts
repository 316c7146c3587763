import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { Connections, IConnectable, Peer } from '../lib/connections';
import { ServiceConnection } from '../lib/contract';
import { managedSecret } from '../lib/external-secret';
import { metricsMonitor } from '../lib/service-monitor';
import { clusterCertificate } from '../lib/tls';
import { REDIS_PORT, REDIS_USERS, SENTINEL_PORT } from './config';
import { APP_PASSWORD_KEY, passwordKey, PATHS, RedisContext } from './context';
import { addBudget, addDataStatefulSet } from './data';
import { addConfigMap, renderFiles } from './files';
import { addMembersPolicies, addMetricsPolicy, addServices, clientIngress } from './network';
import { RedisSentinelProps } from './props';
import { resolveProps } from './resolve';
import { addSentinelStatefulSet } from './sentinel';
import { dataServiceRules } from '../lib/prometheus-rule';
import { redisAlerts } from './alerts';

/**
 * Redis with Sentinel: a StatefulSet of data pods (one primary, the rest replicas) and a separate
 * StatefulSet of Sentinels that elect a new primary when it fails.
 *
 * Sentinels run apart from the data pods so that each has its own readiness and restarts: a
 * replica that is resyncing never takes a Sentinel out of the Service clients ask, and a
 * Sentinel restart never restarts Redis. Everyone announces stable DNS names, never pod IPs.
 * Clients ask `connection.host:connection.port` (the Sentinel Service) for the primary of
 * `masterSetName` (any Sentinel-aware driver), then log in to it as `connection.username` with
 * the password in `connection.secret` (Sentinel takes the same password); with TLS (the
 * default) both over TLS, verified with `connection.tls`. `allowFrom(workload)` lets a workload in.
 */
export class RedisSentinel extends Construct implements IConnectable {
  /** Base name of the objects. */
  public readonly name: string;
  public readonly namespace: string;
  /** Data pods. */
  public readonly replicas: number;
  /** Sentinel pods. */
  public readonly sentinelReplicas: number;
  /** Sentinels that must agree before a failover. */
  public readonly quorum: number;
  /** True with a single data pod: no replica, so no failover. */
  public readonly standalone: boolean;
  /** The master set name clients ask Sentinel for. */
  public readonly masterSetName: string;
  /** How clients connect: the Sentinel Service (`ports.sentinel`), then the primary it names (`ports.redis`). */
  public readonly connection: ServiceConnection;
  /** Every pod (data and Sentinel) on 6379 and 26379: what clients are let in to, and open their egress to. */
  public readonly connections: Connections;
  /** Stable DNS name of each data pod, as announced to Sentinel and replicas. */
  public readonly dataHosts: readonly string[];
  /** `maxmemory` in bytes, derived from the memory limit. */
  public readonly maxmemoryBytes: number;
  /** Config files and scripts, by file name, as the pods see them. */
  public readonly files: Readonly<Record<string, string>>;
  /** Things a reviewer should know about this configuration (e.g. no failover). */
  public readonly warnings: readonly string[];
  public readonly dataStatefulSet: k8s.KubeStatefulSet;
  public readonly sentinelStatefulSet: k8s.KubeStatefulSet;

  constructor(scope: Construct, id: string, props: RedisSentinelProps) {
    super(scope, id);
    const resolved = resolveProps(this, id, props);
    const ctx = new RedisContext(this, resolved);
    this.name = resolved.name;
    this.namespace = resolved.namespace;
    this.replicas = resolved.replicas;
    this.sentinelReplicas = resolved.sentinelReplicas;
    this.quorum = resolved.quorum;
    this.standalone = resolved.standalone;
    this.masterSetName = resolved.masterSetName;
    this.maxmemoryBytes = resolved.maxmemoryBytes;
    this.dataHosts = ctx.hosts.data;
    this.connection = connectionOf(ctx);
    this.warnings = resolved.standalone
      ? [`${this.node.path}: replicas is 1: a single Redis instance with one Sentinel; no replica, so no failover (use only for development)`]
      : [];
    for (const w of this.warnings) {
      this.node.addMetadata('warning', w);
    }

    // The creation order is the order of the objects in the manifests: keep it.
    this.files = renderFiles(ctx);
    const configChecksum = addConfigMap(ctx, this.files);
    addSecrets(ctx);
    addCertificate(ctx);
    addServices(ctx);
    this.dataStatefulSet = addDataStatefulSet(ctx, configChecksum);
    this.sentinelStatefulSet = addSentinelStatefulSet(ctx, configChecksum);
    addBudget(ctx, 'DataBudget', this.name, 'data', resolved.replicas);
    addBudget(ctx, 'SentinelBudget', ctx.names.sentinel, 'sentinel', resolved.sentinelReplicas);
    if (resolved.monitoring) {
      metricsMonitor(this, 'Monitor', {
        name: this.name,
        namespace: this.namespace,
        labels: ctx.labelsFor('cache'),
        serviceSelector: ctx.monitorSelectorFor('data'),
        portName: 'metrics',
      });
      dataServiceRules(this, {
        name: this.name,
        namespace: this.namespace,
        labels: ctx.labelsFor('cache'),
        service: redisAlerts(this.namespace, this.name, resolved.replicas, {
          statefulSet: ctx.names.sentinel,
          sentinels: resolved.sentinelReplicas,
          quorum: resolved.quorum,
        }),
        backups: false,
      });
    }
    addMembersPolicies(ctx);
    // Client policies are written when allowFrom is called, in this scope, before the metrics policy.
    this.connections = new Connections({
      peerNamespace: this.namespace,
      peerSelector: ctx.allPods,
      defaultPorts: [REDIS_PORT, SENTINEL_PORT],
      renderIngress: clientIngress(ctx, new Construct(this, 'Clients')),
    });
    addMetricsPolicy(ctx);
  }

  /**
   * Lets workloads reach Redis: the Sentinels (to find the primary) and the data pods, in one
   * policy `<name>-clients`. Pass a namespace (PlatformNamespace) to admit all of its pods, any
   * INetworkPeer for specific pods, or an IConnectable construct (which then also gets its egress
   * side). Other peers' namespaces must allow their egress to `connections` on 6379 and 26379.
   */
  public allowFrom(...peers: Peer[]): void {
    this.connections.allowFrom(...peers);
  }
}

function connectionOf(ctx: RedisContext): ServiceConnection {
  return {
    host: ctx.hosts.sentinel,
    port: SENTINEL_PORT,
    ports: { sentinel: SENTINEL_PORT, redis: REDIS_PORT },
    username: 'app',
    secret: { name: ctx.names.app, keys: { password: APP_PASSWORD_KEY }, remoteKey: ctx.props.secretRemoteKey, remoteProperty: passwordKey('app') },
    ...(ctx.tls ? { tls: { caSecret: ctx.tls.secretName } } : {}),
  };
}

/**
 * The passwords, as ExternalSecrets only: every user's for the pods (`<name>-auth`, each key from
 * the same-named property of the store's value), the app user's alone for clients (`<name>-app`).
 */
function addSecrets(ctx: RedisContext): void {
  const { secretStore: store, secretRemoteKey: remoteKey } = ctx.props;
  const common = { namespace: ctx.namespace, labels: ctx.labelsFor('cache'), store };
  managedSecret(ctx.scope, 'Auth', {
    ...common,
    name: ctx.names.auth,
    keys: REDIS_USERS.map((u) => ({ secretKey: passwordKey(u), remoteKey, property: passwordKey(u) })),
  });
  managedSecret(ctx.scope, 'AppAuth', {
    ...common,
    name: ctx.names.app,
    keys: [{ secretKey: APP_PASSWORD_KEY, remoteKey, property: passwordKey('app') }],
  });
}

/**
 * The certificate of data pods and Sentinels: every pod's announced name, the Sentinel Service
 * (full, namespaced and short names), and `localhost` for the exporter sidecar.
 */
function addCertificate(ctx: RedisContext): void {
  if (!ctx.tls) {
    return;
  }
  const service = ctx.names.sentinel;
  const ns = ctx.namespace;
  const files = clusterCertificate(ctx.scope, 'Tls', {
    namespace: ns,
    name: ctx.name,
    labels: ctx.labelsFor('cache'),
    dnsNames: [ctx.hosts.sentinel, `${service}.${ns}.svc`, `${service}.${ns}`, service, ...ctx.hosts.data, ...ctx.hosts.sentinels, 'localhost'],
    tls: ctx.props.tls,
    mountPath: PATHS.tls,
  });
  if (files.secretName !== ctx.tls.secretName || files.cert !== ctx.tls.cert || files.ca !== ctx.tls.ca) {
    throw new Error(`${ctx.scope.node.path}: internal: certificate secret ${files.secretName} is not where the pods mount it`);
  }
}
