import { Construct } from 'constructs';
import { Connections, IConnectable, Peer } from '../lib/connections';
import { ServiceConnection } from '../lib/contract';
import { disruptionBudget } from '../lib/disruption-budget';
import { managedSecret } from '../lib/external-secret';
import { INetworkPeer } from '../lib/network';
import { PropChecks } from '../lib/prop-errors';
import { clusterCertificate } from '../lib/tls';
import { PolicyDocument, ResolvedBucket, resolveBucket, resolvePolicy, resolveUser } from './buckets';
import { MinioContext, ROOT_KEYS } from './context';
import { addMonitoring } from './monitoring';
import { addMembersPolicies, addServices, clientIngress } from './network';
import { addPoolSet, serverFlags } from './pools';
import { API_PORT, BucketProps, CONSOLE_PORT, MinioDistributedProps, MinioPoolProps, PolicyProps, UserProps } from './props';
import { resolvePool, resolveProps, ResolvedPool } from './resolve';
import { addSetupJob, addUserSecret } from './setup-job';
import { SetupPlan } from './setup-script';

/** Where a client writes its backups: the S3 endpoint, the bucket, and the store entry of its keys. */
export interface S3BackupTarget {
  /** Path-style S3 endpoint, `http(s)://<name>.<namespace>.svc:9000`. */
  readonly endpoint: string;
  readonly bucket: string;
  /** Store key with properties `access-key-id` and `secret-access-key` of the user (`addUser`). */
  readonly credentialsRemoteKey: string;
  /** The servers, for the client's egress policy. */
  readonly networkPeer: INetworkPeer;
  readonly port: number;
}

/**
 * Distributed, erasure-coded MinIO: one StatefulSet per server pool (N pods x M drives, one PVC
 * per drive, started in parallel), every server running the same `minio server` command with one
 * `{0...N-1}` ellipsis argument per pool. The parity is checked against MinIO's own erasure-set
 * rules (erasure.ts), each pool's PDB keeps the write quorum, root credentials and user keys come
 * from the External Secrets store, and a setup Job applies buckets, policies and users with `mc`.
 */
export class MinioDistributed extends Construct implements IConnectable {
  public readonly name: string;
  public readonly namespace: string;
  /** Parity drives per erasure set (`EC:<parity>`). */
  public readonly parity: number;
  /** Path-style S3 endpoint URL. */
  public readonly url: string;
  public readonly connection: ServiceConnection;
  public readonly connections: Connections;
  /** The `minio server` arguments every server runs with; grows with `addPool`. */
  public readonly serverArgs: readonly string[];
  private readonly ctx: MinioContext;
  private readonly args: string[];
  private readonly poolList: ResolvedPool[] = [];
  private readonly bucketList: ResolvedBucket[] = [];
  private readonly policyList: { name: string; document: PolicyDocument }[] = [];
  private readonly userList: UserProps[] = [];

  constructor(scope: Construct, id: string, props: MinioDistributedProps) {
    super(scope, id);
    const resolved = resolveProps(this, id, props);
    const ctx = new MinioContext(this, resolved);
    this.ctx = ctx;
    this.name = resolved.name;
    this.namespace = resolved.namespace;
    this.parity = resolved.parity;
    this.url = ctx.url;
    this.args = serverFlags(ctx);
    this.serverArgs = this.args;
    this.connection = {
      host: ctx.host,
      port: API_PORT,
      ports: { s3: API_PORT, console: CONSOLE_PORT },
      uri: ctx.url,
      secret: {
        name: ctx.names.root,
        keys: { username: ROOT_KEYS.user, password: ROOT_KEYS.password },
        remoteKey: resolved.rootRemoteKey,
        remoteProperty: ROOT_KEYS.password,
      },
      ...(resolved.tls.enabled ? { tls: { caSecret: `${ctx.name}-tls` } } : {}),
    };
    managedSecret(this, 'Root', {
      name: ctx.names.root,
      namespace: this.namespace,
      labels: ctx.labelsFor('storage'),
      store: resolved.secretStore,
      keys: Object.values(ROOT_KEYS).map((key) => ({ secretKey: key, remoteKey: resolved.rootRemoteKey, property: key })),
    });
    if (resolved.tls.enabled) {
      addCertificate(ctx);
    }
    addServices(ctx);
    this.addResolvedPool(resolved.firstPool);
    if (resolved.monitoring) {
      addMonitoring(ctx);
    }
    addMembersPolicies(ctx);
    addSetupJob(
      ctx,
      () => this.plan(),
      () => this.userList,
    );
    this.connections = new Connections({
      peerNamespace: this.namespace,
      peerSelector: ctx.servers,
      defaultPorts: [API_PORT],
      renderIngress: clientIngress(ctx),
    });
  }

  /** The server pools, resolved: pods, drives, erasure set size, write quorum, PDB. */
  public get pools(): readonly ResolvedPool[] {
    return [...this.poolList];
  }

  /** The buckets the setup Job keeps, in order. */
  public get buckets(): readonly ResolvedBucket[] {
    return [...this.bucketList];
  }

  /** The policy documents the setup Job creates, by name. */
  public get policyDocuments(): Readonly<Record<string, PolicyDocument>> {
    return Object.fromEntries(this.policyList.map((p) => [p.name, p.document]));
  }

  /**
   * Expands the deployment with another server pool: its own StatefulSet, its own ellipsis argument
   * appended to every server's command. MinIO cannot change a pool, only add one; every pool must
   * accept the parity. After the sync, every server must restart to see the new pool.
   */
  public addPool(pool: MinioPoolProps): ResolvedPool {
    const resolved = resolvePool(this, pool, this.poolList.length, this.parity, this.poolList[0]);
    this.addResolvedPool(resolved);
    return resolved;
  }

  /** A bucket the setup Job creates and keeps as declared. */
  public addBucket(bucket: BucketProps): ResolvedBucket {
    const check = new PropChecks(this);
    const resolved = resolveBucket(bucket, `buckets[${this.bucketList.length}]`, this.bucketList, check);
    check.throwIfAny();
    this.bucketList.push(resolved);
    return resolved;
  }

  /** An IAM policy the setup Job creates (or replaces). */
  public addPolicy(policy: PolicyProps): PolicyDocument {
    const check = new PropChecks(this);
    const document = resolvePolicy(policy, `policies[${this.policyList.length}]`, new Set(this.policyList.map((p) => p.name)), check);
    check.throwIfAny();
    this.policyList.push({ name: policy.name, document });
    return document;
  }

  /** A user whose keys are in the store, with policies added before. */
  public addUser(user: UserProps): void {
    const check = new PropChecks(this);
    const resolved = resolveUser(user, `users[${this.userList.length}]`, this.userList, new Set(this.policyList.map((p) => p.name)), check);
    check.throwIfAny();
    this.userList.push(resolved);
    addUserSecret(this.ctx, resolved);
  }

  /** Where a client writes backups as `user` (its keys' store entry) into a declared bucket. */
  public backupTarget(bucket: string, user: string): S3BackupTarget {
    const u = this.userList.find((x) => x.name === user);
    const check = new PropChecks(this);
    check.that(
      this.bucketList.some((b) => b.name === bucket),
      'backupTarget.bucket',
      'must be a bucket added with addBucket',
      bucket,
    );
    check.that(u !== undefined, 'backupTarget.user', 'must be a user added with addUser', user);
    check.throwIfAny();
    return {
      endpoint: this.url,
      bucket,
      credentialsRemoteKey: u?.credentialsRemoteKey ?? '',
      networkPeer: this.connections,
      port: API_PORT,
    };
  }

  /** Lets workloads reach the S3 API (`<name>`, 9000) on every server. */
  public allowFrom(...peers: Peer[]): void {
    this.connections.allowFrom(...peers);
  }

  private addResolvedPool(pool: ResolvedPool): void {
    this.poolList.push(pool);
    this.args.push(this.ctx.poolArgument(pool));
    addPoolSet(this.ctx, pool, this.args);
    if (pool.replicas > 1) {
      disruptionBudget(this, `Budget-${pool.index}`, {
        name: this.ctx.poolName(pool),
        namespace: this.namespace,
        labels: this.ctx.labelsFor('server'),
        selector: this.ctx.poolSelector(pool),
        maxUnavailable: pool.maxUnavailable,
      });
    }
  }

  private plan(): SetupPlan {
    return {
      buckets: this.bucketList,
      policies: this.policyList,
      users: this.userList.map((u) => ({ name: u.name, policies: u.policies })),
    };
  }
}

/** One certificate: the client Service and, by wildcard, every server under the headless Service. */
function addCertificate(ctx: MinioContext): void {
  const { namespace: ns, clusterDomain } = ctx.props;
  const hl = `${ctx.names.headless}.${ns}.svc`;
  const metrics = `${ctx.names.metrics}.${ns}.svc`;
  clusterCertificate(ctx.scope, 'Certificate', {
    namespace: ns,
    name: ctx.name,
    labels: ctx.labelsFor('storage'),
    dnsNames: [ctx.host, `${ctx.host}.${clusterDomain}`, `*.${hl}`, `*.${hl}.${clusterDomain}`, metrics],
    tls: ctx.props.tls,
  });
}
