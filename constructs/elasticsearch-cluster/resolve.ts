import { Size, SizeRoundingBehavior } from 'cdk8s';
import { Construct } from 'constructs';
import { DEFAULT_CLUSTER_DOMAIN, resolveDataService, ResolvedDataService } from '../lib/contract';
import { SecretStoreRef } from '../lib/external-secret';
import { PropChecks } from '../lib/prop-errors';
import { parseQuantity, Resources } from '../lib/resources';
import { NodePool } from '../lib/scheduling';
import { ResolvedTls, resolveTls } from '../lib/tls';
import { resolveIlm, resolveSnapshot, ResolvedIlmPolicy, ResolvedSnapshot } from './resolve-rest';
import { ELASTICSEARCH_GID, ELASTICSEARCH_UID, ElasticsearchClusterProps, MAX_HEAP_BYTES, NodeSetProps } from './props';

/** Longest name: `<name>-coordinating-headless` and zone suffixes stay DNS labels. */
const MAX_NAME_LENGTH = 30;
const MAX_REPLICAS = 50;
/** Below this heap Elasticsearch does not start usefully. */
const MIN_HEAP_BYTES = 256 * 1024 ** 2;

/** The roles of a node set, as `node.roles`. */
export type NodeRole = 'master' | 'data' | 'ingest' | 'remote_cluster_client';

/** One StatefulSet of nodes, resolved. */
export interface ResolvedNodeSet {
  /** `master`, `data`, `data-<zone>`, `coordinating`, or `node` (single node). */
  readonly set: string;
  /** `app.kubernetes.io/component`. */
  readonly component: 'master' | 'data' | 'coordinating' | 'node';
  readonly replicas: number;
  readonly roles: readonly NodeRole[];
  readonly resources: Resources;
  readonly heapMi: number;
  /** Volume size in whole GiB; undefined for coordinating nodes (an emptyDir). */
  readonly storageGi?: number;
  readonly zone?: string;
}

export interface ResolvedElasticsearchProps extends ResolvedDataService {
  readonly nodePool?: NodePool;
  readonly secretStore: SecretStoreRef;
  readonly secretRemoteKey: string;
  readonly singleNode: boolean;
  readonly nodeSets: readonly ResolvedNodeSet[];
  readonly masterReplicas: number;
  readonly allowMmap: boolean;
  readonly tls: ResolvedTls;
  readonly snapshot?: ResolvedSnapshot;
  readonly ilmPolicies: readonly ResolvedIlmPolicy[];
  readonly dataZones: readonly string[];
  readonly exporterResources: Resources;
  readonly clusterDomain: string;
}

/** Applies defaults and checks every prop; throws one PropValidationError listing all problems. */
export function resolveProps(scope: Construct, id: string, props: ElasticsearchClusterProps): ResolvedElasticsearchProps {
  const check = new PropChecks(scope);
  const base = resolveDataService(
    scope,
    id,
    props,
    {
      maxNameLength: MAX_NAME_LENGTH,
      replicas: props.singleNode ? 1 : 2,
      maxReplicas: MAX_REPLICAS,
      resources: Resources.LARGE,
      storageSize: Size.gibibytes(50),
      podSecurity: { runAsUser: ELASTICSEARCH_UID, runAsGroup: ELASTICSEARCH_GID, fsGroup: ELASTICSEARCH_GID },
    },
    check,
  );
  const heapRatio = props.heapRatio ?? 0.5;
  check.that(
    Number.isFinite(heapRatio) && heapRatio >= 0.1 && heapRatio <= 0.75,
    'heapRatio',
    'must be from 0.1 to 0.75 of the memory limit: the heap must stay below the limit, and Lucene needs the rest for the file-system cache',
    heapRatio,
  );
  const dataZones = props.dataZones ?? [];
  dataZones.forEach((z, i) => check.dnsLabel(z, `dataZones[${i}]`, 20));
  check.that(new Set(dataZones).size === dataZones.length, 'dataZones', 'must not repeat a zone', dataZones);
  const nodeSets = props.singleNode ? singleNodeSet(props, base, heapRatio, check) : dedicatedSets(props, base, heapRatio, dataZones, check);
  const tls = resolveTls(check, props.tls);
  const snapshot = props.snapshot ? resolveSnapshot(props.snapshot, base.name, check) : undefined;
  const ilmPolicies = resolveIlm(props.ilmPolicies ?? [], check);
  check.throwIfAny();
  return {
    ...base,
    nodePool: props.nodePool,
    secretStore: props.secretStore,
    secretRemoteKey: props.secretRemoteKey ?? `elasticsearch/${base.namespace}/${base.name}`,
    singleNode: props.singleNode ?? false,
    nodeSets,
    masterReplicas: nodeSets.filter((s) => s.roles.includes('master')).reduce((n, s) => n + s.replicas, 0),
    allowMmap: props.allowMmap ?? false,
    tls,
    snapshot,
    ilmPolicies,
    dataZones,
    exporterResources: props.exporterResources ?? Resources.NANO,
    clusterDomain: props.clusterDomain ?? DEFAULT_CLUSTER_DOMAIN,
  };
}

/** Development: one node with every role. The dedicated-set props make no sense with it. */
function singleNodeSet(props: ElasticsearchClusterProps, base: ResolvedDataService, heapRatio: number, check: PropChecks): ResolvedNodeSet[] {
  check.that(base.replicas === 1, 'replicas', 'must be 1 with singleNode (discovery.type: single-node)', base.replicas);
  for (const field of ['masters', 'coordinating', 'dataZones'] as const) {
    check.that(props[field] === undefined, field, 'must not be set with singleNode: the one node has every role', props[field]);
  }
  const heapMi = heapOf(base.resources, heapRatio, 'resources', check);
  return [
    {
      set: 'node',
      component: 'node',
      replicas: 1,
      roles: ['master', 'data', 'ingest'],
      resources: base.resources,
      heapMi,
      storageGi: gibOf(base.storageSize),
    },
  ];
}

/** Production: 3 (odd) dedicated masters, data nodes (one set per zone), coordinating-only nodes. */
function dedicatedSets(
  props: ElasticsearchClusterProps,
  base: ResolvedDataService,
  heapRatio: number,
  zones: readonly string[],
  check: PropChecks,
): ResolvedNodeSet[] {
  const masters = nodeSet(props.masters, 3, Resources.MEDIUM, 'masters', check);
  if (Number.isInteger(masters.replicas)) {
    check.that(
      masters.replicas >= 3 && masters.replicas % 2 === 1,
      'masters.replicas',
      'must be odd and at least 3: a majority of master-eligible nodes elects the master, and an even count adds no failure tolerance (use singleNode for development)',
      masters.replicas,
    );
  }
  const coordinating = nodeSet(props.coordinating, 2, Resources.MEDIUM, 'coordinating', check);
  check.integer(coordinating.replicas, 'coordinating.replicas', 0, MAX_REPLICAS);
  check.that(
    coordinating.replicas !== 1,
    'coordinating.replicas',
    'must be 0 or at least 2: one coordinating node is a single point of failure for every client',
    coordinating.replicas,
  );
  check.that(
    props.coordinating?.storageSize === undefined,
    'coordinating.storageSize',
    'must not be set: coordinating nodes hold no data',
    props.coordinating?.storageSize,
  );
  const masterStorage = props.masters?.storageSize ?? '4Gi';
  const masterGi = parseQuantity(masterStorage) / 1024 ** 3;
  check.that(Number.isFinite(masterGi) && masterGi >= 1, 'masters.storageSize', 'must be a quantity of at least 1Gi', masterStorage);
  const dataHeap = heapOf(base.resources, heapRatio, 'resources', check);
  const data = (zone?: string): ResolvedNodeSet => ({
    set: zone ? `data-${zone}` : 'data',
    component: 'data',
    replicas: base.replicas,
    roles: ['data', 'ingest'],
    resources: base.resources,
    heapMi: dataHeap,
    storageGi: gibOf(base.storageSize),
    ...(zone ? { zone } : {}),
  });
  return [
    {
      set: 'master',
      component: 'master',
      replicas: masters.replicas,
      roles: ['master'],
      resources: masters.resources,
      heapMi: heapOf(masters.resources, heapRatio, 'masters.resources', check),
      storageGi: Math.max(1, Math.floor(masterGi)),
    },
    ...(zones.length > 0 ? zones.map(data) : [data()]),
    ...(coordinating.replicas > 0
      ? [
          {
            set: 'coordinating',
            component: 'coordinating' as const,
            replicas: coordinating.replicas,
            roles: [],
            resources: coordinating.resources,
            heapMi: heapOf(coordinating.resources, heapRatio, 'coordinating.resources', check),
          },
        ]
      : []),
  ];
}

function nodeSet(
  props: NodeSetProps | undefined,
  replicas: number,
  resources: Resources,
  field: string,
  check: PropChecks,
): { replicas: number; resources: Resources } {
  const out = { replicas: props?.replicas ?? replicas, resources: props?.resources ?? resources };
  check.integer(out.replicas, `${field}.replicas`, 0, MAX_REPLICAS);
  return out;
}

/** The heap in MiB: `heapRatio` of the memory limit, capped for compressed oops, at least 256Mi. */
function heapOf(resources: Resources, heapRatio: number, field: string, check: PropChecks): number {
  const bytes = Math.min(Math.floor(resources.memoryLimitBytes * heapRatio), MAX_HEAP_BYTES);
  check.that(
    bytes >= MIN_HEAP_BYTES,
    field,
    `memory limit x heapRatio must give a heap of at least 256Mi (would be ${Math.floor(bytes / 1024 ** 2)}Mi)`,
    resources.memoryLimit,
  );
  return Math.floor(bytes / 1024 ** 2);
}

function gibOf(size: Size): number {
  return size.toGibibytes({ rounding: SizeRoundingBehavior.FLOOR });
}
