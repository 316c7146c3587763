import { App, Size } from 'cdk8s';
import { CoreService } from '../../constructs/core-service';
import { KAFKA_CLIENT_PORT, KafkaCluster } from '../../constructs/kafka-cluster';
import { KEDA_OPERATOR, QueueLogin } from '../../constructs/lib/keda';
import { Resources } from '../../constructs/lib/resources';
import { ClientEndpoint } from '../../constructs/lib/workload/endpoint';
import { imageRef } from '../../environments/derive';
import { EnvironmentConfig } from '../../environments/types';
import { appServiceBase } from '../app-service';
import { postgresEndpoint } from '../db-postgres';
import { PlatformChart } from '../platform-chart';
import { appClients, assertEndpointServed, MONITORING_NAMESPACE, namespacePeer, queueScalingEnabled, SECRET_STORE } from '../shared';

/** The namespace of the chart. */
export const INTEGRATION_NAMESPACE = 'app-integration';
/** ClickHouse's Kafka engine tables consume `invoice-events` from there (every ClickHouse server pod). */
const CLICKHOUSE_CLIENT_NAMESPACE = 'db-clickhouse';

const DAY_MS = 24 * 60 * 60 * 1000;

/** The topics the platform needs. Partitions bound the consumers of a group; raising them is a manual step. */
export const PLATFORM_TOPICS = [
  // Invoice lifecycle events, consumed into ClickHouse (Kafka engine -> materialized view).
  { name: 'invoice-events', partitions: 6, retentionMs: 7 * DAY_MS },
  // The agents' task queue: short retention, a task is consumed within minutes. The APIs submit
  // tasks here; the orchestrator (app-agents) routes each to the queue of a specialized agent.
  { name: 'agent-tasks', partitions: 12, retentionMs: 3 * DAY_MS },
  // One queue per specialized agent (app-agents): each scales on its own group's lag, which a
  // shared topic would inflate with the other agent's tasks. Partitions cap the agent's replicas.
  { name: 'agent-tasks-collections', partitions: 12, retentionMs: 3 * DAY_MS },
  { name: 'agent-tasks-disputes', partitions: 12, retentionMs: 3 * DAY_MS },
  // Audit trail: kept for 400 days (a year plus the audit window), compressed.
  { name: 'audit-events', partitions: 3, retentionMs: 400 * DAY_MS, config: { 'compression.type': 'zstd' } },
] as const;

/**
 * `app-integration`: the event backbone, Apache Kafka in KRaft mode, next to the integration
 * services that produce most of its events. Kafka is an app-integration component rather than a
 * `db-*` data service: its topics are application contracts (invoice events, agent tasks, audit
 * events), and this namespace already exists in every environment.
 *
 * - dev: one combined node, replication factor 1 (a warning says so).
 * - staging, prod, dr: 3 combined controller+broker nodes on distinct nodes, RF 3, min.insync 2.
 *
 * Secrets in the store: `<env>/app-integration/kafka` (admin-password, app-password,
 * monitor-password). Clients use user `app` with SCRAM-SHA-512 on `kafka-bootstrap.app-integration.svc:9092`.
 */
/** The Kafka cluster's name, in every environment. */
export const KAFKA_NAME = 'kafka';
/** The integration service: the ERP and bank connectors, between Kafka and PostgreSQL. */
export const INTEGRATION_HUB = 'integration-hub';

/**
 * How a client in another chart reaches and logs in to Kafka (charts are synthesized apart, so
 * they share this, not the construct): the bootstrap Service and the app user's SCRAM login,
 * whose password is the `app-password` property of the cluster's store entry.
 */
export function kafkaClient(config: EnvironmentConfig): {
  brokers: string[];
  login: { username: string; saslMechanism: 'SCRAM-SHA-512'; passwordRemoteKey: string; passwordProperty: string };
} {
  return {
    brokers: [`${KAFKA_NAME}-bootstrap.${INTEGRATION_NAMESPACE}.svc:${KAFKA_CLIENT_PORT}`],
    login: { username: 'app', saslMechanism: 'SCRAM-SHA-512', passwordRemoteKey: kafkaRemoteKey(config), passwordProperty: 'app-password' },
  };
}

/**
 * `kafkaClient()` as a `ClientEndpoint`, for `AppWorkload.connectsTo`: the bootstrap Service,
 * SASL settings as `KAFKA_SECURITY_PROTOCOL` and `KAFKA_SASL_MECHANISM`, `KAFKA_BROKERS`, and the
 * broker pods on 9092 (no TLS: SCRAM over plaintext inside the cluster, see docs/constructs/kafka-cluster.md).
 */
export function kafkaEndpoint(config: EnvironmentConfig): ClientEndpoint {
  const client = kafkaClient(config);
  return {
    kind: 'kafka',
    host: `${KAFKA_NAME}-bootstrap.${INTEGRATION_NAMESPACE}.svc`,
    port: KAFKA_CLIENT_PORT,
    username: client.login.username,
    password: { remoteKey: client.login.passwordRemoteKey, property: client.login.passwordProperty },
    settings: { BROKERS: client.brokers.join(','), SECURITY_PROTOCOL: 'SASL_PLAINTEXT', SASL_MECHANISM: client.login.saslMechanism },
    peer: {
      peerNamespace: INTEGRATION_NAMESPACE,
      peerSelector: { 'app.kubernetes.io/name': 'kafka', 'app.kubernetes.io/instance': KAFKA_NAME, 'app.kubernetes.io/component': 'combined' },
      ports: [KAFKA_CLIENT_PORT],
    },
  };
}

/**
 * The login the KEDA operator reads consumer lag with: the `monitor` user, whose ACLs
 * (`CLIENT_ACLS`: Describe on every topic and group, Describe on the cluster) are exactly what
 * lag needs (OffsetFetch and ListOffsets), and who can neither read nor write a message.
 */
export function kafkaLagLogin(config: EnvironmentConfig): QueueLogin {
  return { username: 'monitor', passwordRemoteKey: kafkaRemoteKey(config), passwordProperty: 'monitor-password' };
}

function kafkaRemoteKey(config: EnvironmentConfig): string {
  return `${config.name}/app-integration/kafka`;
}

/**
 * The chart: Kafka, and `integration-hub`, a `CoreService` at the application services' scale
 * (`appServiceBase`: `appReplicas`, 0 on DR at rest) that moves ERP and bank data between Kafka and
 * PostgreSQL. It reaches Kafka in its own namespace: its egress policy `integration-hub-to-kafka`
 * pairs with Kafka's `kafka-from-app-integration`, as any client namespace's does.
 */
export class AppIntegrationChart extends PlatformChart {
  public readonly kafka: KafkaCluster;
  public readonly integrationHub: CoreService;

  constructor(scope: App, config: EnvironmentConfig) {
    super(scope, INTEGRATION_NAMESPACE, { config, namespace: INTEGRATION_NAMESPACE });
    const k = config.kafka;
    this.kafka = new KafkaCluster(this, 'Kafka', {
      name: KAFKA_NAME,
      namespace: this.ns.name,
      clusterId: k.clusterId,
      replicas: k.replicas,
      image: imageRef(config, 'kafka'),
      resources: Resources.PRESETS[k.size],
      storage: { size: Size.gibibytes(k.storageGi), storageClass: this.cloud.storageClass },
      nodePool: this.nodePool('data'),
      zoneSpread: config.features.zoneSpread && this.cloud.supportsZones,
      secretStore: SECRET_STORE,
      secretRemoteKey: kafkaRemoteKey(config),
      monitoring: { exporterImage: imageRef(config, 'kafkaExporter'), scrapers: [namespacePeer(MONITORING_NAMESPACE)] },
      clusterDomain: config.clusterDomain,
    });
    this.keepOutOfMesh(
      this.kafka,
      'Kafka brokers advertise per-pod listeners and serve ClickHouse, which is outside the mesh; SCRAM logins and the NetworkPolicies guard them',
    );
    for (const topic of PLATFORM_TOPICS) {
      this.kafka.addTopic(topic);
    }
    this.kafka.allowFrom(namespacePeer(CLICKHOUSE_CLIENT_NAMESPACE), ...appClients('kafka'));
    if (queueScalingEnabled(config)) {
      // The KEDA operator reads the agents' consumer lag itself (app-agents' ScaledObjects).
      this.kafka.allowFrom(KEDA_OPERATOR);
    }
    const client = kafkaClient(config);
    if (this.kafka.connection.bootstrapServers !== client.brokers[0]) {
      throw new Error(
        `${this.node.path}: internal: kafkaClient() names ${client.brokers[0]}, the cluster serves ${this.kafka.connection.bootstrapServers}`,
      );
    }
    assertEndpointServed(this, 'kafkaEndpoint', kafkaEndpoint(config), this.kafka);
    this.integrationHub = new CoreService(this, INTEGRATION_HUB, {
      ...appServiceBase(this),
      name: INTEGRATION_HUB,
      image: imageRef(config, 'integrationHubService'),
    });
    this.integrationHub.connectsTo(kafkaEndpoint(config));
    this.integrationHub.connectsTo(postgresEndpoint(config));
  }
}
