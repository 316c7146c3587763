import { NodePoolConfig, WorkloadClass } from './types';

/** Label our node pools carry; each workload class selects its pool by it. */
export const POOL_LABEL = 'node.receivables.io/pool';

/**
 * Dedicated pools: `data` (memory-optimized database nodes), `compute` and `gpu` (AI) are tainted
 * so only their workloads land there; `general` takes everything else.
 */
export function dedicatedNodePools(): Record<WorkloadClass, NodePoolConfig> {
  const tainted = (pool: WorkloadClass): NodePoolConfig => ({
    nodeSelector: { [POOL_LABEL]: pool },
    tolerations: [{ key: 'dedicated', operator: 'Equal', value: pool, effect: 'NoSchedule' }],
  });
  return {
    general: { nodeSelector: { [POOL_LABEL]: 'general' }, tolerations: [] },
    data: tainted('data'),
    compute: tainted('compute'),
    gpu: {
      nodeSelector: { [POOL_LABEL]: 'gpu' },
      tolerations: [
        { key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' },
        { key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' },
      ],
    },
  };
}

/** One shared pool: a single-node k3s dev cluster has no dedicated nodes. */
export function sharedNodePools(): Record<WorkloadClass, NodePoolConfig> {
  const any: NodePoolConfig = { nodeSelector: {}, tolerations: [] };
  return { general: any, data: any, compute: any, gpu: any };
}
