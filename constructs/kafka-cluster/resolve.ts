import { Size, SizeRoundingBehavior } from 'cdk8s';
import { Construct } from 'constructs';
import { DEFAULT_CLUSTER_DOMAIN, resolveDataService, ResolvedDataService } from '../lib/contract';
import { SecretStoreRef } from '../lib/external-secret';
import { PropChecks } from '../lib/prop-errors';
import { parseQuantity, Resources } from '../lib/resources';
import { NodePool } from '../lib/scheduling';
import { BROKER_ID_OFFSET, KAFKA_GID, KAFKA_UID, KafkaClusterProps } from './props';

/** Longest name: `<name>-controller-headless`-style names stay DNS labels. */
const MAX_NAME_LENGTH = 30;
const MAX_REPLICAS = 30;
const MAX_CONTROLLERS = 9;
/** Below this heap a broker does not start usefully. */
const MIN_HEAP_MI = 256;

export type KafkaRole = 'controller' | 'broker';

/** One StatefulSet of Kafka nodes, resolved. */
export interface ResolvedPool {
  /** `combined` (controller+broker), `controller` or `broker`: StatefulSet `<name>-<pool>`, component label. */
  readonly pool: 'combined' | 'controller' | 'broker';
  readonly replicas: number;
  readonly roles: readonly KafkaRole[];
  /** node.id of pod `i` is `idOffset + i`. */
  readonly idOffset: number;
  readonly resources: Resources;
  readonly heapMi: number;
  readonly storageGi: number;
}

export interface ResolvedKafkaProps extends ResolvedDataService {
  readonly nodePool?: NodePool;
  readonly secretStore: SecretStoreRef;
  readonly secretRemoteKey: string;
  readonly clusterId: string;
  readonly pools: readonly ResolvedPool[];
  readonly brokers: number;
  readonly defaultReplicationFactor: number;
  readonly minInsyncReplicas: number;
  readonly exporterResources: Resources;
  readonly clusterDomain: string;
}

/** Applies defaults and checks every prop; throws one PropValidationError listing all problems. */
export function resolveProps(scope: Construct, id: string, props: KafkaClusterProps): ResolvedKafkaProps {
  const check = new PropChecks(scope);
  const base = resolveDataService(
    scope,
    id,
    props,
    {
      maxNameLength: MAX_NAME_LENGTH,
      replicas: 3,
      maxReplicas: MAX_REPLICAS,
      resources: Resources.MEDIUM,
      storageSize: Size.gibibytes(20),
      podSecurity: { runAsUser: KAFKA_UID, runAsGroup: KAFKA_GID, fsGroup: KAFKA_GID },
    },
    check,
  );
  checkClusterId(props.clusterId, check);
  const heapRatio = props.heapRatio ?? 0.5;
  check.that(
    Number.isFinite(heapRatio) && heapRatio >= 0.25 && heapRatio <= 0.75,
    'heapRatio',
    'must be from 0.25 to 0.75 of the memory limit: Kafka serves reads from the page cache, which needs the rest',
    heapRatio,
  );
  const pools = resolvePools(props, base, heapRatio, check);
  const replication = resolveReplication(props, base.replicas, check);
  check.throwIfAny();
  return {
    ...base,
    nodePool: props.nodePool,
    secretStore: props.secretStore,
    secretRemoteKey: props.secretRemoteKey ?? `kafka/${base.namespace}/${base.name}`,
    clusterId: props.clusterId,
    pools,
    brokers: base.replicas,
    ...replication,
    exporterResources: props.exporterResources ?? Resources.NANO,
    clusterDomain: props.clusterDomain ?? DEFAULT_CLUSTER_DOMAIN,
  };
}

/** A KRaft cluster id is a UUID in URL-safe base64 without padding: 22 characters, 16 bytes. */
function checkClusterId(clusterId: string | undefined, check: PropChecks): void {
  const ok =
    typeof clusterId === 'string' &&
    /^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/.test(clusterId) &&
    Buffer.from(clusterId, 'base64url').toString('base64url') === clusterId;
  // A leading '-' reads as a flag on the command line; Kafka's own random UUIDs never start with one.
  check.that(ok, 'clusterId', "must be a base64url UUID of 22 characters not starting with '-', as `kafka-storage.sh random-uuid` prints", clusterId);
}

/** Combined nodes (every broker votes), or dedicated controllers plus broker-only nodes. */
function resolvePools(props: KafkaClusterProps, base: ResolvedDataService, heapRatio: number, check: PropChecks): ResolvedPool[] {
  const brokerGi = base.storageSize.toGibibytes({ rounding: SizeRoundingBehavior.FLOOR });
  const heap = (resources: Resources, field: string): number => heapOf(resources, heapRatio, field, check);
  if (!props.controllers) {
    check.that(
      !Number.isInteger(base.replicas) || base.replicas % 2 === 1,
      'replicas',
      'must be odd with combined controller+broker nodes: a majority of the controllers elects the leader, and an even count adds no failure tolerance (use controllers for an even broker count)',
      base.replicas,
    );
    const resources = base.resources;
    return [
      {
        pool: 'combined',
        replicas: base.replicas,
        roles: ['controller', 'broker'],
        idOffset: 0,
        resources,
        heapMi: heap(resources, 'resources'),
        storageGi: brokerGi,
      },
    ];
  }
  const c = props.controllers;
  const replicas = c.replicas ?? 3;
  if (check.integer(replicas, 'controllers.replicas', 1, MAX_CONTROLLERS)) {
    check.that(
      replicas % 2 === 1,
      'controllers.replicas',
      'must be odd: a majority of the controllers elects the leader, and an even count adds no failure tolerance',
      replicas,
    );
  }
  const storage = c.storageSize ?? '4Gi';
  const gi = parseQuantity(storage) / 1024 ** 3;
  check.that(Number.isFinite(gi) && gi >= 1, 'controllers.storageSize', 'must be a quantity of at least 1Gi', storage);
  const resources = c.resources ?? Resources.SMALL;
  return [
    {
      pool: 'controller',
      replicas,
      roles: ['controller'],
      idOffset: 0,
      resources,
      heapMi: heap(resources, 'controllers.resources'),
      storageGi: Math.max(1, Math.floor(gi)),
    },
    {
      pool: 'broker',
      replicas: base.replicas,
      roles: ['broker'],
      idOffset: BROKER_ID_OFFSET,
      resources: base.resources,
      heapMi: heap(base.resources, 'resources'),
      storageGi: brokerGi,
    },
  ];
}

/** Replication defaults: RF 3 and min.insync 2 where there are 3 brokers; never more than the brokers hold. */
function resolveReplication(
  props: KafkaClusterProps,
  brokers: number,
  check: PropChecks,
): { defaultReplicationFactor: number; minInsyncReplicas: number } {
  const rf = props.defaultReplicationFactor ?? Math.min(3, Math.max(1, brokers));
  if (check.integer(rf, 'defaultReplicationFactor', 1) && Number.isInteger(brokers)) {
    check.that(
      rf <= brokers,
      'defaultReplicationFactor',
      `must be at most the brokers (${brokers}): each replica of a partition is on its own broker`,
      rf,
    );
  }
  const minIsr = props.minInsyncReplicas ?? Math.min(2, rf);
  if (check.integer(minIsr, 'minInsyncReplicas', 1)) {
    check.that(
      minIsr <= rf,
      'minInsyncReplicas',
      `must be at most defaultReplicationFactor (${rf}): otherwise no acks=all write ever succeeds`,
      minIsr,
    );
  }
  return { defaultReplicationFactor: rf, minInsyncReplicas: minIsr };
}

/** The heap in MiB: `heapRatio` of the memory limit, at least 256Mi. */
function heapOf(resources: Resources, heapRatio: number, field: string, check: PropChecks): number {
  const mi = Math.floor((resources.memoryLimitBytes * heapRatio) / 1024 ** 2);
  check.that(
    mi >= MIN_HEAP_MI,
    field,
    `memory limit x heapRatio must give a heap of at least ${MIN_HEAP_MI}Mi (would be ${mi}Mi)`,
    resources.memoryLimit,
  );
  return mi;
}
