import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { Connections, IConnectable, Peer } from '../lib/connections';
import { ServiceConnection } from '../lib/contract';
import { addCertificate } from './tls';
import { INetworkPeer } from '../lib/network';
import { POSTGRES_PORT } from './config';
import { addPromoteJob, AdminJobs } from './admin-jobs';
import { addBackupJobs } from './backup';
import { ClusterContext } from './context';
import { addServiceMonitor } from './monitoring';
import { dataServiceRules } from '../lib/prometheus-rule';
import { postgresAlerts } from './alerts';
import { addNetworkPolicies, clientIngress } from './network';
import { addDatabaseServices, addPatroniConfig, addPatroniRbac } from './patroni';
import { addPooler } from './pgbouncer';
import { PostgresHAProps, TenantSchemaOptions } from './props';
import { resolveProps } from './resolve';
import { addSecrets, APP_PASSWORD_KEY, APP_PASSWORD_PROPERTY } from './secrets';
import { addMembersDisruptionBudget, addStatefulSet } from './statefulset';

/**
 * A highly available PostgreSQL cluster: Patroni with the Kubernetes API as its DCS (no etcd),
 * PgBouncer in front of the leader, WAL-G archiving and backups to S3-compatible storage, a
 * postgres_exporter sidecar, and NetworkPolicies that admit only named clients.
 *
 * Clients connect as `connection` says (the pooler's host and port, the application role, the
 * password in `connection.secret`). `allowFrom(workload)` lets a workload in.
 */
export class PostgresHA extends Construct implements IConnectable {
  /** Cluster name (Patroni scope). */
  public readonly name: string;
  public readonly namespace: string;
  /** PostgreSQL pods: one primary, the rest replicas. */
  public readonly replicas: number;
  /** How clients connect: through PgBouncer, as the application role. */
  public readonly connection: ServiceConnection;
  /** The pooler pods on 5432: what clients are let in to, and open their egress to. */
  public readonly connections: Connections;
  /** The leader Service, for clients that must bypass the pooler (migrations with session state). */
  public readonly primaryHost: string;
  /** Read-only replicas (Service selecting `role=replica`). */
  public readonly replicaHost: string;
  /** The application database. */
  public readonly database: string;
  /** The database pods (replication, jobs), for NetworkPolicies of others that need them directly. */
  public readonly databasePeer: INetworkPeer;
  public readonly statefulSet: k8s.KubeStatefulSet;

  private readonly admin: AdminJobs;

  constructor(scope: Construct, id: string, props: PostgresHAProps) {
    super(scope, id);
    const resolved = resolveProps(this, id, props);
    const ctx = new ClusterContext(this, resolved);
    if (resolved.replicas === 1) {
      this.node.addMetadata('warning', `${this.node.path}: a single PostgreSQL instance has no failover; use it for development only`);
    }
    this.name = resolved.name;
    this.namespace = resolved.namespace;
    this.replicas = resolved.replicas;
    this.database = resolved.database;
    this.primaryHost = ctx.hosts.primary;
    this.replicaHost = ctx.hosts.replica;
    this.databasePeer = ctx.peerOf('database');
    this.connection = connectionOf(ctx);
    this.connections = new Connections({
      peerNamespace: this.namespace,
      peerSelector: ctx.selectorFor('pooler'),
      defaultPorts: [POSTGRES_PORT],
      renderIngress: clientIngress(ctx),
    });

    // The creation order is the order of the objects in the manifests: keep it.
    addSecrets(ctx);
    addCertificate(ctx);
    addPatroniConfig(ctx);
    addPatroniRbac(ctx);
    addDatabaseServices(ctx);
    this.statefulSet = addStatefulSet(ctx);
    if (resolved.replicas > 1) {
      addMembersDisruptionBudget(ctx);
    }
    if (resolved.monitoring) {
      addServiceMonitor(ctx, 'ServiceMonitor', this.name, 'database');
      dataServiceRules(this, {
        name: this.name,
        namespace: this.namespace,
        labels: ctx.labelsFor('database'),
        service: postgresAlerts(this.namespace, this.name),
        backups: resolved.backup !== undefined && !resolved.standby,
      });
    }
    addPooler(ctx);
    this.admin = new AdminJobs(ctx);
    if (!resolved.standby) {
      this.admin.addBootstrap();
    }
    if (resolved.promote) {
      addPromoteJob(ctx);
    }
    if (resolved.backup && !resolved.standby) {
      addBackupJobs(ctx, resolved.backup);
    }
    addNetworkPolicies(ctx);
  }

  /**
   * Lets workloads reach the pooler on 5432, one NetworkPolicy per peer (`<name>-from-<namespace>`).
   * Pass a namespace (PlatformNamespace) to admit all of its pods, any INetworkPeer for specific
   * pods, or an IConnectable construct (which then also gets its egress side).
   */
  public allowFrom(...peers: Peer[]): void {
    this.connections.allowFrom(...peers);
  }

  /**
   * Adds a tenant: a schema `tenantId` in the application database, owned by a NOLOGIN role
   * `<tenantId>_owner` that the application role is a member of. Emitted as an idempotent Job
   * (re-running it changes nothing) whose name carries a hash of its SQL, so a changed script
   * runs as a new Job instead of failing on the immutable Job spec. None on a standby.
   */
  public addTenantSchema(tenantId: string, options: TenantSchemaOptions = {}): k8s.KubeJob | undefined {
    return this.admin.addTenantSchema(tenantId, options);
  }
}

function connectionOf(ctx: ClusterContext): ServiceConnection {
  const { owner, database, secretRemoteKey } = ctx.props;
  const host = ctx.hosts.pooler;
  return {
    host,
    port: POSTGRES_PORT,
    ports: { postgresql: POSTGRES_PORT },
    username: owner,
    uri: `postgresql://${owner}@${host}:${POSTGRES_PORT}/${database}`,
    secret: {
      name: ctx.names.appCredentials,
      keys: { password: APP_PASSWORD_KEY },
      remoteKey: secretRemoteKey,
      remoteProperty: APP_PASSWORD_PROPERTY,
    },
    ...(ctx.tls ? { tls: { caSecret: ctx.tls.secretName, caKey: 'ca.crt' } } : {}),
  };
}
