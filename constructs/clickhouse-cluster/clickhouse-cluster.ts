import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { Connections, IConnectable, Peer } from '../lib/connections';
import { contentHash } from '../lib/content-hash';
import { ServiceConnection } from '../lib/contract';
import { disruptionBudget } from '../lib/disruption-budget';
import { managedSecret } from '../lib/external-secret';
import { PropChecks } from '../lib/prop-errors';
import { KEEPER_START, keeperConfig, serverFiles, ServerFiles } from './config';
import { ChContext, CREDENTIAL_KEYS, S3_KEYS, USERS } from './context';
import { checkIngestion, checkTable, ingestionStatements, IngestionSpec, tableStatements, TableSpec } from './ddl';
import { addBackupCronJob, addSchemaJob, backupStatement } from './jobs';
import { addJobPolicies, addMembersPolicies, addMonitoring, addServices, clientIngress, egressTo } from './network';
import { ClickHouseClusterProps, HTTP_PORT, KafkaIngestionProps, NATIVE_PORT, ReplicatedTableProps } from './props';
import { resolveProps } from './resolve';
import { addKeeper, addShard } from './servers';

/**
 * ClickHouse sharded and replicated: one StatefulSet per shard (`<name>-s<i>`, as Bitnami does, so
 * that a shard scales on its own), `replicas` pods each, ClickHouse Keeper as its own StatefulSet,
 * every file generated from typed props into ConfigMaps (config.d, users.d; passwords only through
 * `from_env` from an ExternalSecret). Tables and Kafka ingestion are declared with
 * `addReplicatedTable` and `addKafkaIngestion`; an idempotent Job applies them ON CLUSTER.
 */
export class ClickHouseCluster extends Construct implements IConnectable {
  public readonly name: string;
  public readonly namespace: string;
  public readonly shards: number;
  /** Replicas of each shard. */
  public readonly replicas: number;
  public readonly keeperReplicas: number;
  public readonly clusterName: string;
  public readonly connection: ServiceConnection;
  public readonly connections: Connections;
  /** config.d and users.d files, by name. */
  public readonly files: ServerFiles;
  /** keeper.xml and start.sh. */
  public readonly keeperFiles: Readonly<Record<string, string>>;
  public readonly statefulSets: readonly k8s.KubeStatefulSet[];
  public readonly warnings: readonly string[];
  private readonly ctx: ChContext;
  private readonly tables = new Map<string, TableSpec>();
  private readonly ingestions: IngestionSpec[] = [];
  private schemaJob?: k8s.KubeJob;

  constructor(scope: Construct, id: string, props: ClickHouseClusterProps) {
    super(scope, id);
    const resolved = resolveProps(this, id, props);
    const ctx = (this.ctx = new ChContext(this, resolved));
    this.name = resolved.name;
    this.namespace = resolved.namespace;
    this.shards = resolved.shards;
    this.replicas = resolved.replicas;
    this.keeperReplicas = resolved.keeper.replicas;
    this.clusterName = resolved.clusterName;
    this.warnings = [
      ...(resolved.replicas === 1 ? [`${this.node.path}: replicas: 1 replica per shard, no failover (use only for development)`] : []),
      ...(resolved.keeper.replicas === 1
        ? [`${this.node.path}: keeper.replicas: 1 Keeper member, no quorum to survive a loss (use only for development)`]
        : []),
    ];
    this.warnings.forEach((w) => this.node.addMetadata('warning', w));
    this.connection = {
      host: ctx.host,
      port: HTTP_PORT,
      ports: { http: HTTP_PORT, native: NATIVE_PORT },
      username: USERS.app,
      uri: `http://${ctx.host}:${HTTP_PORT}`,
      secret: {
        name: ctx.names.credentials,
        keys: { password: CREDENTIAL_KEYS.app },
        remoteKey: resolved.secretRemoteKey,
        remoteProperty: CREDENTIAL_KEYS.app,
      },
    };
    this.files = serverFiles(ctx);
    this.keeperFiles = { 'keeper.xml': keeperConfig(ctx), 'start.sh': KEEPER_START };
    new k8s.KubeConfigMap(this, 'ConfigD', { metadata: ctx.meta(ctx.names.config, 'server'), data: { ...this.files.configD } });
    new k8s.KubeConfigMap(this, 'UsersD', { metadata: ctx.meta(ctx.names.users, 'server'), data: { ...this.files.usersD } });
    new k8s.KubeConfigMap(this, 'KeeperFiles', { metadata: ctx.meta(ctx.names.keeperConfig, 'keeper'), data: { ...this.keeperFiles } });
    addSecrets(ctx);
    addServices(ctx);
    const serverChecksum = contentHash([...Object.values(this.files.configD), ...Object.values(this.files.usersD)].join('\n'));
    this.statefulSets = [
      ...Array.from({ length: resolved.shards }, (_, i) => addShard(ctx, i, serverChecksum)),
      addKeeper(ctx, contentHash(Object.values(this.keeperFiles).join('\n'))),
    ];
    addBudgets(ctx);
    addMembersPolicies(ctx);
    if (resolved.monitoring) {
      addMonitoring(ctx);
    }
    if (resolved.backup) {
      addBackup(ctx);
    }
    this.connections = new Connections({
      peerNamespace: this.namespace,
      peerSelector: ctx.servers,
      defaultPorts: [HTTP_PORT, NATIVE_PORT],
      renderIngress: clientIngress(ctx),
    });
  }

  /** Lets workloads reach the servers (`<name>`, HTTP 8123 and native 9000). */
  public allowFrom(...peers: Peer[]): void {
    this.connections.allowFrom(...peers);
  }

  /** The BACKUP statement the CronJob runs, for a given folder stamp; undefined without `backup`. */
  public backupStatement(stamp: string): string | undefined {
    return this.ctx.props.backup ? backupStatement(this.ctx, stamp) : undefined;
  }

  /** Declares a ReplicatedMergeTree table `<name>_local` on every replica and the Distributed table `<name>` over every shard. */
  public addReplicatedTable(props: ReplicatedTableProps): void {
    const check = new PropChecks(this);
    const field = `addReplicatedTable(${JSON.stringify(props.name)})`;
    const spec = checkTable(props, props.database ?? this.ctx.props.database, check, field);
    check.that(!this.tables.has(props.name), `${field}.name`, 'must not be declared twice', props.name);
    check.throwIfAny();
    this.tables.set(props.name, spec);
    this.renderSchema();
  }

  /** Declares ingestion from a Kafka topic into a declared table: a Kafka engine table `<table>_kafka` and a materialized view `<table>_kafka_mv`. */
  public addKafkaIngestion(props: KafkaIngestionProps): void {
    const check = new PropChecks(this);
    const field = `addKafkaIngestion(${JSON.stringify(props.topic)})`;
    const table = this.tables.get(props.table);
    checkIngestion(props, table, check, field);
    check.that(!this.ingestions.some((i) => i.table.name === props.table), `${field}.table`, 'must have one ingestion only', props.table);
    check.throwIfAny();
    const spec = {
      table: table!,
      topic: props.topic,
      format: props.format ?? 'JSONEachRow',
      brokers: props.brokers,
      consumerGroup: props.consumerGroup,
      consumers: props.consumers ?? 1,
    };
    this.ingestions.push(spec);
    const ports = [...new Set(props.brokers.map((b) => Number(b.split(':')[1])))];
    const n = this.ingestions.length;
    egressTo(this.ctx, `KafkaEgress${n}`, `${this.name}-kafka-egress-${n}`, this.ctx.servers, ports, props.networkPeer);
    this.renderSchema();
  }

  /** Every statement of the schema Job, in order (databases, tables, Kafka tables, views), each once. */
  public get schemaStatements(): readonly string[] {
    const cluster = this.clusterName;
    const all = [
      ...[...this.tables.values()].flatMap((t) => tableStatements(t, cluster)),
      ...this.ingestions.flatMap((i) => ingestionStatements(i, cluster)),
    ];
    const databases = [...new Set(all.filter((s) => s.startsWith('CREATE DATABASE')))];
    return [...databases, ...all.filter((s) => !s.startsWith('CREATE DATABASE'))];
  }

  /** (Re)writes the schema ConfigMap and Job from the declarations so far. */
  private renderSchema(): void {
    if (this.schemaJob) {
      this.node.tryRemoveChild('SchemaFiles');
      this.node.tryRemoveChild('SchemaJob');
    } else {
      addJobPolicies(this.ctx, 'schema');
    }
    this.schemaJob = addSchemaJob(this.ctx, this.schemaStatements);
  }
}

function addSecrets(ctx: ChContext): void {
  const { secretStore, secretRemoteKey, backup, kafka } = ctx.props;
  const labels = ctx.labelsFor('analytics');
  managedSecret(ctx.scope, 'Credentials', {
    name: ctx.names.credentials,
    namespace: ctx.namespace,
    labels,
    store: secretStore,
    keys: Object.values(CREDENTIAL_KEYS).map((key) => ({ secretKey: key, remoteKey: secretRemoteKey, property: key })),
  });
  if (backup) {
    managedSecret(ctx.scope, 'BackupCredentials', {
      name: ctx.names.s3,
      namespace: ctx.namespace,
      labels,
      store: secretStore,
      keys: Object.values(S3_KEYS).map((key) => ({ secretKey: key, remoteKey: backup.credentialsRemoteKey, property: key })),
    });
  }
  if (kafka) {
    managedSecret(ctx.scope, 'KafkaCredentials', {
      name: ctx.names.kafka,
      namespace: ctx.namespace,
      labels,
      store: secretStore,
      keys: [{ secretKey: 'password', remoteKey: kafka.passwordRemoteKey, property: kafka.passwordProperty }],
    });
  }
}

/** A PDB per shard (one replica down at a time) and one for Keeper that keeps a majority. */
function addBudgets(ctx: ChContext): void {
  const { replicas, shards, keeper } = ctx.props;
  if (replicas > 1) {
    for (let i = 0; i < shards; i++) {
      disruptionBudget(ctx.scope, `Budget${i}`, {
        name: ctx.shardName(i),
        namespace: ctx.namespace,
        labels: ctx.labelsFor('server'),
        selector: ctx.shardSelector(i),
      });
    }
  }
  if (keeper.replicas > 1) {
    disruptionBudget(ctx.scope, 'KeeperBudget', {
      name: ctx.names.keeper,
      namespace: ctx.namespace,
      labels: ctx.labelsFor('keeper'),
      selector: ctx.keeperSelector(),
      maxUnavailable: Math.floor((keeper.replicas - 1) / 2),
    });
  }
}

/** The CronJob, its policies, and the servers' and the Job's egress to the S3 store. */
function addBackup(ctx: ChContext): void {
  const b = ctx.props.backup!;
  addBackupCronJob(ctx);
  addJobPolicies(ctx, 'backup');
  egressTo(ctx, 'BackupEgress', `${ctx.name}-backup-s3-egress`, ctx.servers, [b.port], b.networkPeer);
  egressTo(ctx, 'BackupJobEgress', `${ctx.name}-backup-job-s3-egress`, ctx.componentSelector('backup'), [b.port], b.networkPeer);
}
