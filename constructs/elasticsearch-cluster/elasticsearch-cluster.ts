import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { Connections, IConnectable, Peer } from '../lib/connections';
import { ServiceConnection } from '../lib/contract';
import { disruptionBudget } from '../lib/disruption-budget';
import { managedSecret } from '../lib/external-secret';
import { clusterCertificate } from '../lib/tls';
import { contentHash } from '../lib/content-hash';
import { prepareScript, renderYml, startScript, ymlFile } from './config';
import { CREDENTIAL_KEYS, EsContext, S3_KEYS } from './context';
import { addMonitoring } from './monitoring';
import { addMembersPolicies, addServices, clientIngress } from './network';
import { addNodeSet } from './nodes';
import { ElasticsearchClusterProps, HTTP_PORT, TRANSPORT_PORT } from './props';
import { resolveProps, ResolvedNodeSet } from './resolve';
import { RestRequest, setupRequests } from './rest';
import { addSetupJob } from './setup-job';

/**
 * Elasticsearch with ECK-style node sets: dedicated masters (an odd count), data nodes (one set
 * per zone when `dataZones` is given) and coordinating-only nodes, each its own StatefulSet; or one
 * all-roles node for development. Security is on (TLS on transport always, on HTTP by default,
 * cert-manager), passwords come from the External Secrets store, and a setup Job applies ILM, the
 * snapshot repository and the SLM policy over the REST API. Clients use `connection` (the
 * `<name>-http` Service) and are let in with `allowFrom`.
 */
export class ElasticsearchCluster extends Construct implements IConnectable {
  public readonly name: string;
  public readonly namespace: string;
  /** The node sets, resolved: roles, counts, heap. */
  public readonly nodeSets: readonly ResolvedNodeSet[];
  /** Master-eligible nodes. */
  public readonly masterReplicas: number;
  public readonly connection: ServiceConnection;
  public readonly connections: Connections;
  /** elasticsearch.yml and scripts, by ConfigMap key. */
  public readonly files: Readonly<Record<string, string>>;
  /** The REST requests the setup Job sends, in order. */
  public readonly setupRequests: readonly RestRequest[];
  public readonly statefulSets: readonly k8s.KubeStatefulSet[];
  public readonly warnings: readonly string[];

  constructor(scope: Construct, id: string, props: ElasticsearchClusterProps) {
    super(scope, id);
    const resolved = resolveProps(this, id, props);
    const ctx = new EsContext(this, resolved);
    this.name = resolved.name;
    this.namespace = resolved.namespace;
    this.nodeSets = resolved.nodeSets;
    this.masterReplicas = resolved.masterReplicas;
    this.warnings = resolved.singleNode
      ? [`${this.node.path}: singleNode: one node with every role, no replica shards and no failover (use only for development)`]
      : [];
    for (const w of this.warnings) {
      this.node.addMetadata('warning', w);
    }
    this.connection = {
      host: ctx.httpHost,
      port: HTTP_PORT,
      ports: { http: HTTP_PORT, transport: TRANSPORT_PORT },
      username: 'elastic',
      uri: ctx.url,
      secret: {
        name: ctx.names.credentials,
        keys: { password: CREDENTIAL_KEYS.elastic },
        remoteKey: resolved.secretRemoteKey,
        remoteProperty: CREDENTIAL_KEYS.elastic,
      },
    };
    this.files = renderFiles(ctx);
    const checksum = contentHash(Object.values(this.files).join('\n'));
    new k8s.KubeConfigMap(this, 'Files', { metadata: ctx.meta(ctx.names.files), data: { ...this.files } });
    addSecrets(ctx);
    addCertificate(ctx);
    addServices(ctx);
    this.statefulSets = resolved.nodeSets.map((set) => addNodeSet(ctx, set, checksum));
    addBudgets(ctx);
    if (resolved.monitoring) {
      addMonitoring(ctx);
    }
    addMembersPolicies(ctx);
    this.setupRequests = setupRequests(resolved.snapshot, resolved.ilmPolicies);
    addSetupJob(ctx, this.setupRequests);
    this.connections = new Connections({
      peerNamespace: this.namespace,
      peerSelector: ctx.componentSelector(
        resolved.nodeSets.some((s) => s.component === 'coordinating') ? 'coordinating' : resolved.singleNode ? 'node' : 'data',
      ),
      defaultPorts: [HTTP_PORT],
      renderIngress: clientIngress(ctx),
    });
  }

  /** Lets workloads reach the REST API (`<name>-http`, 9200) on the client nodes. */
  public allowFrom(...peers: Peer[]): void {
    this.connections.allowFrom(...peers);
  }
}

function renderFiles(ctx: EsContext): Record<string, string> {
  const files: Record<string, string> = { 'prepare.sh': prepareScript(!!ctx.props.snapshot) };
  for (const set of ctx.props.nodeSets) {
    files[ymlFile(set)] = renderYml(ctx, set);
    files[`start-${set.set}.sh`] = startScript(ctx, set);
  }
  return files;
}

function addSecrets(ctx: EsContext): void {
  const { secretStore, secretRemoteKey, snapshot } = ctx.props;
  managedSecret(ctx.scope, 'Credentials', {
    name: ctx.names.credentials,
    namespace: ctx.namespace,
    labels: ctx.labelsFor('search'),
    store: secretStore,
    keys: Object.values(CREDENTIAL_KEYS).map((key) => ({ secretKey: key, remoteKey: secretRemoteKey, property: key })),
  });
  if (snapshot) {
    managedSecret(ctx.scope, 'SnapshotCredentials', {
      name: ctx.names.s3,
      namespace: ctx.namespace,
      labels: ctx.labelsFor('search'),
      store: secretStore,
      keys: Object.values(S3_KEYS).map((key) => ({ secretKey: key, remoteKey: snapshot.credentialsRemoteKey, property: key })),
    });
  }
}

/** One certificate for transport and HTTP: every Service name and, by wildcard, every pod name. */
function addCertificate(ctx: EsContext): void {
  const { namespace: ns, clusterDomain } = ctx.props;
  const sets = ctx.props.nodeSets.map((s) => ctx.setName(s));
  clusterCertificate(ctx.scope, 'Certificate', {
    namespace: ns,
    name: ctx.name,
    labels: ctx.labelsFor('search'),
    dnsNames: [ctx.httpHost, `${ctx.httpHost}.${clusterDomain}`, ...sets.flatMap((s) => [`*.${s}.${ns}.svc`, `*.${s}.${ns}.svc.${clusterDomain}`])],
    tls: ctx.props.tls,
  });
}

/**
 * PDBs: masters keep their quorum (one down at a time of 3 or more), data and coordinating nodes
 * one at a time per set. A single node has none: it is disruptable, as ECK treats a 1-node cluster.
 */
function addBudgets(ctx: EsContext): void {
  for (const set of ctx.props.nodeSets.filter((s) => s.replicas > 1)) {
    disruptionBudget(ctx.scope, `Budget-${set.set}`, {
      name: ctx.setName(set),
      namespace: ctx.namespace,
      labels: ctx.labelsFor(set.component),
      selector: ctx.setSelector(set),
      maxUnavailable: set.component === 'master' ? Math.floor((set.replicas - 1) / 2) : 1,
    });
  }
}
