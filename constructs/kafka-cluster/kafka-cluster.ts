import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { Connections, IConnectable, Peer } from '../lib/connections';
import { contentHash } from '../lib/content-hash';
import { ServiceConnection } from '../lib/contract';
import { disruptionBudget } from '../lib/disruption-budget';
import { managedSecret } from '../lib/external-secret';
import { PropChecks } from '../lib/prop-errors';
import { LOG4J_PROPERTIES, propertiesFile, quorumVoters, renderProperties, serverProperties, startScript } from './config';
import { KafkaContext, passwordKey, USERS } from './context';
import { addMonitoring } from './monitoring';
import { addMembersPolicies, addServices, clientIngress } from './network';
import { addPool } from './nodes';
import { CLIENT_PORT, KafkaClusterProps, KafkaTopicProps, SASL_MECHANISM } from './props';
import { resolveProps, ResolvedPool } from './resolve';
import { resolveTopic, ResolvedTopic } from './topics';
import { addTopicsJob } from './topics-job';

/** What a client needs besides the contract's `connection`: how it authenticates. */
export interface KafkaConnection extends ServiceConnection {
  /** `host:port` of the bootstrap Service, for `bootstrap.servers`. */
  readonly bootstrapServers: string;
  /** `security.protocol` of the client listener. */
  readonly securityProtocol: 'SASL_PLAINTEXT';
  /** `sasl.mechanism`. */
  readonly saslMechanism: typeof SASL_MECHANISM;
}

/**
 * Apache Kafka in KRaft mode (no ZooKeeper): combined controller+broker nodes (3 by default, 1 for
 * development), or dedicated controllers and broker-only nodes, each pool a StatefulSet with a
 * stable `node.id` from the pod ordinal and a volume per pod. Clients authenticate with
 * SASL SCRAM-SHA-512 (user `app`), passwords come from the External Secrets store, topics are
 * declared with `addTopic` and created by an idempotent Job. Clients use `connection` and are let
 * in with `allowFrom`.
 */
export class KafkaCluster extends Construct implements IConnectable {
  public readonly name: string;
  public readonly namespace: string;
  public readonly pools: readonly ResolvedPool[];
  /** Brokers. */
  public readonly brokers: number;
  /** `controller.quorum.voters`. */
  public readonly quorumVoters: string;
  public readonly connection: KafkaConnection;
  public readonly connections: Connections;
  /** server-<pool>.properties, log4j.properties and start scripts, by ConfigMap key. */
  public readonly files: Readonly<Record<string, string>>;
  public readonly statefulSets: readonly k8s.KubeStatefulSet[];
  public readonly warnings: readonly string[];
  private readonly ctx: KafkaContext;
  private readonly declared: ResolvedTopic[] = [];

  constructor(scope: Construct, id: string, props: KafkaClusterProps) {
    super(scope, id);
    const resolved = resolveProps(this, id, props);
    const ctx = new KafkaContext(this, resolved);
    this.ctx = ctx;
    this.name = resolved.name;
    this.namespace = resolved.namespace;
    this.pools = resolved.pools;
    this.brokers = resolved.brokers;
    this.quorumVoters = quorumVoters(ctx);
    this.warnings =
      resolved.brokers === 1
        ? [`${this.node.path}: replicas: one broker, replication factor 1: no failover and data loss with the volume (use only for development)`]
        : [];
    for (const w of this.warnings) {
      this.node.addMetadata('warning', w);
    }
    this.connection = {
      host: ctx.bootstrapHost,
      port: CLIENT_PORT,
      ports: { kafka: CLIENT_PORT },
      username: 'app',
      bootstrapServers: ctx.bootstrapServers,
      securityProtocol: 'SASL_PLAINTEXT',
      saslMechanism: SASL_MECHANISM,
      secret: {
        name: ctx.names.credentials,
        keys: { password: passwordKey('app') },
        remoteKey: resolved.secretRemoteKey,
        remoteProperty: passwordKey('app'),
      },
    };
    this.files = renderFiles(ctx);
    new k8s.KubeConfigMap(this, 'Files', { metadata: ctx.meta(ctx.names.files), data: { ...this.files } });
    managedSecret(this, 'Credentials', {
      name: ctx.names.credentials,
      namespace: this.namespace,
      labels: ctx.labelsFor('kafka'),
      store: resolved.secretStore,
      keys: USERS.map((u) => ({ secretKey: passwordKey(u), remoteKey: resolved.secretRemoteKey, property: passwordKey(u) })),
    });
    addServices(ctx);
    const checksum = contentHash(Object.values(this.files).join('\n'));
    this.statefulSets = resolved.pools.map((pool) => addPool(ctx, pool, checksum));
    addBudgets(ctx);
    if (resolved.monitoring) {
      addMonitoring(ctx);
    }
    addMembersPolicies(ctx);
    addTopicsJob(ctx, this.declared);
    this.connections = new Connections({
      peerNamespace: this.namespace,
      peerSelector: ctx.brokerSelector(),
      defaultPorts: [CLIENT_PORT],
      renderIngress: clientIngress(ctx),
    });
  }

  /** The topics declared so far, with their defaults applied. */
  public get topics(): readonly ResolvedTopic[] {
    return [...this.declared];
  }

  /** Declares a topic; the topics Job creates it, and sets its configs on every sync. Throws on bad props. */
  public addTopic(topic: KafkaTopicProps): ResolvedTopic {
    const check = new PropChecks(this);
    const p = this.ctx.props;
    const limits = {
      brokers: p.brokers,
      defaultReplicationFactor: p.defaultReplicationFactor,
      minInsyncReplicas: p.minInsyncReplicas,
      declared: this.declared,
    };
    const resolved = resolveTopic(topic, limits, check);
    check.throwIfAny();
    this.declared.push(resolved);
    return resolved;
  }

  /** Lets workloads reach the brokers (bootstrap Service and each broker, port 9092). */
  public allowFrom(...peers: Peer[]): void {
    this.connections.allowFrom(...peers);
  }
}

function renderFiles(ctx: KafkaContext): Record<string, string> {
  const files: Record<string, string> = { 'log4j.properties': LOG4J_PROPERTIES };
  for (const pool of ctx.props.pools) {
    files[propertiesFile(pool)] = renderProperties(serverProperties(ctx, pool));
    files[`start-${pool.pool}.sh`] = startScript(ctx, pool);
  }
  return files;
}

/** One PDB per pool, one pod down at a time: 3 controllers keep their majority, RF 3 / min.insync 2 keeps writes. A single pod has none. */
function addBudgets(ctx: KafkaContext): void {
  for (const pool of ctx.props.pools.filter((p) => p.replicas > 1)) {
    disruptionBudget(ctx.scope, `Budget-${pool.pool}`, {
      name: ctx.setName(pool),
      namespace: ctx.namespace,
      labels: ctx.labelsFor(pool.pool),
      selector: ctx.selector(pool.pool),
      maxUnavailable: 1,
    });
  }
}
