import { k8s } from 'cdk8s-plus-28';

/**
 * A node pool a workload runs on: the node selector and tolerations of a workload class
 * (`general`, `data`, `compute`, `gpu`). Environments map classes to pools; constructs take one.
 */
export interface NodePool {
  /** Labels a node must carry. @default - any node */
  readonly nodeSelector?: Readonly<Record<string, string>>;
  /** Taints the pods tolerate. @default - none */
  readonly tolerations?: readonly k8s.Toleration[];
}

export const HOSTNAME_TOPOLOGY_KEY = 'kubernetes.io/hostname';
export const ZONE_TOPOLOGY_KEY = 'topology.kubernetes.io/zone';

/** Pod spec fields for a node pool. */
export function nodePoolSpec(pool: NodePool | undefined): Pick<k8s.PodSpec, 'nodeSelector' | 'tolerations'> {
  const out: { nodeSelector?: Record<string, string>; tolerations?: k8s.Toleration[] } = {};
  if (pool?.nodeSelector && Object.keys(pool.nodeSelector).length > 0) {
    out.nodeSelector = { ...pool.nodeSelector };
  }
  if (pool?.tolerations && pool.tolerations.length > 0) {
    out.tolerations = [...pool.tolerations];
  }
  return out;
}

export interface SpreadOptions {
  /** Refuse to co-locate two replicas on one node (required anti-affinity). @default false: preferred */
  readonly requireDistinctNodes?: boolean;
  /** Also spread across zones, where the cluster has them. @default false */
  readonly acrossZones?: boolean;
}

/**
 * Anti-affinity that keeps replicas of one workload on different nodes, and optionally a
 * topology spread across zones. Databases require distinct nodes: two replicas on one node
 * are one failure away from losing quorum.
 */
export function spreadReplicas(
  selector: Record<string, string>,
  options: SpreadOptions = {},
): Pick<k8s.PodSpec, 'affinity' | 'topologySpreadConstraints'> {
  const term: k8s.PodAffinityTerm = {
    labelSelector: { matchLabels: { ...selector } },
    topologyKey: HOSTNAME_TOPOLOGY_KEY,
  };
  const affinity: k8s.Affinity = {
    podAntiAffinity: options.requireDistinctNodes
      ? { requiredDuringSchedulingIgnoredDuringExecution: [term] }
      : { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: term }] },
  };
  if (!options.acrossZones) {
    return { affinity };
  }
  return {
    affinity,
    topologySpreadConstraints: [
      {
        maxSkew: 1,
        topologyKey: ZONE_TOPOLOGY_KEY,
        whenUnsatisfiable: 'ScheduleAnyway',
        labelSelector: { matchLabels: { ...selector } },
      },
    ],
  };
}

/** Tolerates the taint GPU nodes carry (GKE adds it itself; we taint the other platforms' GPU pools the same way). */
export const GPU_TOLERATION: k8s.Toleration = { key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' };

/**
 * Pod spec fields that put a pod on a GPU node: the pool's selector and tolerations, the GPU
 * taint's toleration (once), and a required node affinity on the platform's GPU label, so that a
 * pool without GPUs (a shared dev pool) never runs it. `affinity` carries only `nodeAffinity`:
 * merge pod anti-affinity in yourself.
 */
export function gpuPlacement(
  pool: NodePool | undefined,
  gpuNode: k8s.NodeSelectorRequirement,
): Pick<k8s.PodSpec, 'nodeSelector' | 'tolerations' | 'affinity'> {
  const placed = nodePoolSpec(pool);
  const tolerations = [...(placed.tolerations ?? [])];
  if (!tolerations.some((t) => t.key === GPU_TOLERATION.key && t.effect === GPU_TOLERATION.effect)) {
    tolerations.push(GPU_TOLERATION);
  }
  return {
    ...(placed.nodeSelector ? { nodeSelector: placed.nodeSelector } : {}),
    tolerations,
    affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [gpuNode] }] } } },
  };
}
