import { Size, SizeRoundingBehavior } from 'cdk8s';
import { Construct } from 'constructs';
import { DEFAULT_CLUSTER_DOMAIN, resolveDataService, ResolvedDataService } from '../lib/contract';
import { SecretStoreRef } from '../lib/external-secret';
import { PropChecks } from '../lib/prop-errors';
import { parseQuantity, Resources } from '../lib/resources';
import { NodePool } from '../lib/scheduling';
import { ResolvedTls, resolveTls } from '../lib/tls';
import { defaultParity, erasureSetSize, podsDownKeepingWriteQuorum, writeQuorum } from './erasure';
import { MINIO_GID, MINIO_UID, MinioDistributedProps, MinioPoolProps } from './props';

/** Longest name: `<name>-pool-<n>` stays a StatefulSet name whose pods' revision label fits 63 characters. */
const MAX_NAME_LENGTH = 40;
/** Pods of one pool; MinIO has no hard limit, this keeps the endpoint list reviewable. */
const MAX_PODS = 64;
const MAX_DRIVES_PER_POD = 32;
/** Total drives at or above which MinIO runs erasure-coded (docs/distributed/DESIGN.md: "Minimum of 4 disks"). */
export const MIN_DRIVES = 4;
/** Erasure sets of 2 or 3 drives (MinIO allows them) survive one drive at most: we refuse them. */
const MIN_USABLE_SET = 4;
/** Size of each drive unless `storage.size` says otherwise. */
const DEFAULT_DRIVE_GI = 10;
/** MinIO serves its own metrics: this fills the contract's exporter image, which nothing emits. */
const NO_EXPORTER = 'builtin:metrics';

/** One server pool, resolved: its StatefulSet, its erasure layout and its disruption budget. */
export interface ResolvedPool {
  readonly index: number;
  readonly replicas: number;
  readonly drivesPerPod: number;
  /** Each drive's size in whole GiB. */
  readonly sizeGi: number;
  /** Erasure set size MinIO picks for the pool (0 when it refuses the pool). */
  readonly setSize: number;
  readonly writeQuorum: number;
  /** Pods that may be down at once while every set keeps write quorum: the PDB's maxUnavailable. */
  readonly maxUnavailable: number;
}

export interface ResolvedMinioProps extends ResolvedDataService {
  readonly nodePool?: NodePool;
  readonly secretStore: SecretStoreRef;
  readonly mcImage: string;
  readonly parity: number;
  readonly firstPool: ResolvedPool;
  readonly tls: ResolvedTls;
  readonly rootRemoteKey: string;
  readonly metricsTokenRemoteKey: string;
  readonly clusterDomain: string;
  readonly setupResources: Resources;
}

/** Applies defaults and checks every prop; throws one PropValidationError listing all problems. */
export function resolveProps(scope: Construct, id: string, props: MinioDistributedProps): ResolvedMinioProps {
  const check = new PropChecks(scope);
  const base = resolveDataService(
    scope,
    id,
    props,
    {
      maxNameLength: MAX_NAME_LENGTH,
      replicas: 4,
      maxReplicas: MAX_PODS,
      resources: Resources.MEDIUM,
      storageSize: Size.gibibytes(DEFAULT_DRIVE_GI),
      exporterImage: NO_EXPORTER,
      podSecurity: { runAsUser: MINIO_UID, runAsGroup: MINIO_GID, fsGroup: MINIO_GID },
    },
    check,
  );
  check.that(
    props.monitoring?.exporterImage === undefined,
    'monitoring.exporterImage',
    'must not be set: MinIO serves its own metrics',
    props.monitoring?.exporterImage,
  );
  if (check.that(!!props.mcImage, 'mcImage', 'is required: images are a supply-chain decision', props.mcImage)) {
    check.pinnedImage(props.mcImage, 'mcImage');
  }
  const geometry = poolGeometry({ replicas: base.replicas, drivesPerPod: props.drivesPerPod, size: base.storageSize }, '', check);
  const parity = props.parity ?? defaultParity(geometry.setSize);
  const firstPool = checkedPool(geometry, 0, parity, '', check);
  const rootRemoteKey = props.rootRemoteKey ?? `minio/${base.namespace}/${base.name}`;
  const tls = resolveTls(check, props.tls);
  check.throwIfAny();
  return {
    ...base,
    nodePool: props.nodePool,
    secretStore: props.secretStore,
    mcImage: props.mcImage,
    parity,
    firstPool,
    tls,
    rootRemoteKey,
    metricsTokenRemoteKey: props.metricsTokenRemoteKey ?? `${rootRemoteKey}-metrics`,
    clusterDomain: props.clusterDomain ?? DEFAULT_CLUSTER_DOMAIN,
    setupResources: props.setupResources ?? Resources.NANO,
  };
}

/** Checks a pool given to `addPool` (fields `pools[<index>].*`) against the deployment's parity. */
export function resolvePool(scope: Construct, pool: MinioPoolProps, index: number, parity: number, first: ResolvedPool): ResolvedPool {
  const check = new PropChecks(scope);
  const field = `pools[${index}].`;
  // The drive size defaults to the first pool's (the construct's storage.size).
  const geometry = poolGeometry({ ...pool, size: pool.size ?? Size.gibibytes(first.sizeGi) }, field, check);
  check.that(
    first.replicas > 1 && geometry.replicas > 1,
    `${field}replicas`,
    'must be at least 2 in every pool of an expanded deployment: a one-pod pool uses the local form /data{0...M-1}, which MinIO cannot combine with other pools',
    geometry.replicas,
  );
  const resolved = checkedPool(geometry, index, parity, field, check);
  check.throwIfAny();
  return resolved;
}

interface PoolGeometry {
  readonly replicas: number;
  readonly drivesPerPod: number;
  readonly sizeGi: number;
  readonly setSize: number;
}

/** Pods, drives and size of a pool, and the erasure set size MinIO picks for it. */
function poolGeometry(pool: MinioPoolProps, field: string, check: PropChecks): PoolGeometry {
  const replicas = pool.replicas;
  const drivesPerPod = pool.drivesPerPod ?? 1;
  const counts =
    check.integer(replicas, `${field}replicas`, 1, MAX_PODS) && check.integer(drivesPerPod, `${field}drivesPerPod`, 1, MAX_DRIVES_PER_POD);
  const sizeGi = gibOf(pool.size ?? Size.gibibytes(DEFAULT_DRIVE_GI));
  check.that(sizeGi >= 1, `${field}size`, 'must be a quantity of at least 1Gi', pool.size);
  if (!counts) {
    return { replicas, drivesPerPod, sizeGi, setSize: 0 };
  }
  const drives = replicas * drivesPerPod;
  const what = `replicas x drivesPerPod (${replicas} x ${drivesPerPod} = ${drives} drives)`;
  if (
    !check.that(drives >= MIN_DRIVES, `${field}drivesPerPod`, `${what}: must give at least ${MIN_DRIVES} drives for erasure coding`, drivesPerPod)
  ) {
    return { replicas, drivesPerPod, sizeGi, setSize: 0 };
  }
  const setSize = erasureSetSize(replicas, drivesPerPod) ?? 0;
  check.that(
    setSize >= MIN_USABLE_SET,
    `${field}drivesPerPod`,
    setSize === 0
      ? `${what}: MinIO finds no erasure set size of 2-16 drives that divides the drives and is symmetric with the ${replicas} pods`
      : `${what}: MinIO would cut erasure sets of ${setSize} drives; use a layout with sets of at least ${MIN_USABLE_SET}`,
    drivesPerPod,
  );
  return { replicas, drivesPerPod, sizeGi, setSize: setSize >= MIN_USABLE_SET ? setSize : 0 };
}

/** The parity against the pool's sets, and the pods the pool can lose while it keeps write quorum. */
function checkedPool(g: PoolGeometry, index: number, parity: number, field: string, check: PropChecks): ResolvedPool {
  const empty = {
    index,
    replicas: g.replicas,
    drivesPerPod: g.drivesPerPod,
    sizeGi: g.sizeGi,
    setSize: g.setSize,
    writeQuorum: 0,
    maxUnavailable: 0,
  };
  if (g.setSize === 0) {
    return empty;
  }
  const parityOk = check.that(
    Number.isInteger(parity) && parity >= 1 && parity <= g.setSize / 2,
    'parity',
    `must be an integer from 1 to ${Math.floor(g.setSize / 2)}: half the erasure set of ${g.setSize} drives${field ? ` of ${field.slice(0, -1)}` : ''} (MinIO validateParity)`,
    parity,
  );
  if (!parityOk) {
    return empty;
  }
  const quorum = writeQuorum(g.setSize, parity);
  const maxUnavailable = podsDownKeepingWriteQuorum(g.replicas, g.setSize, parity);
  check.that(
    g.replicas === 1 || maxUnavailable >= 1,
    `${field}replicas`,
    `${g.replicas} pods x ${g.drivesPerPod} drives (sets of ${g.setSize}, parity ${parity}, write quorum ${quorum}): one pod down leaves a set without write quorum; use more pods, fewer drives per pod, or 1 pod for development`,
    g.replicas,
  );
  return { ...empty, writeQuorum: quorum, maxUnavailable };
}

function gibOf(size: Size | string): number {
  if (typeof size === 'string') {
    const bytes = parseQuantity(size);
    return Number.isFinite(bytes) ? Math.floor(bytes / 1024 ** 3) : 0;
  }
  return size.toGibibytes({ rounding: SizeRoundingBehavior.FLOOR });
}
