import { CloudProfile } from '../../../constructs/lib/cloud-profile';
import { Resources } from '../../../constructs/lib/resources';
import { GPU_TOLERATION, gpuPlacement } from '../../../constructs/lib/scheduling';

const GPU_POOL = {
  nodeSelector: { 'node.receivables.io/pool': 'gpu' },
  tolerations: [
    { key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' },
    { key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' },
  ],
};

describe('GPU scheduling', () => {
  test('each cloud profile names the label of its GPU nodes', () => {
    expect(Object.fromEntries(CloudProfile.ALL.map((p) => [p.name, p.gpuNodeRequirement()]))).toEqual({
      'onprem-k3s': { key: 'nvidia.com/gpu.present', operator: 'In', values: ['true'] },
      'onprem-kubeadm': { key: 'nvidia.com/gpu.present', operator: 'In', values: ['true'] },
      aws: { key: 'karpenter.k8s.aws/instance-gpu-manufacturer', operator: 'In', values: ['nvidia'] },
      azure: { key: 'kubernetes.azure.com/accelerator', operator: 'In', values: ['nvidia'] },
      // GKE's value is the GPU model (nvidia-l4, nvidia-tesla-t4): any value will do.
      gcp: { key: 'cloud.google.com/gke-accelerator', operator: 'Exists' },
    });
  });

  test('a GPU pod: the pool selector and tolerations, the GPU toleration once, a required affinity on the GPU label', () => {
    const placed = gpuPlacement(GPU_POOL, CloudProfile.AWS.gpuNodeRequirement());
    expect(placed.nodeSelector).toEqual({ 'node.receivables.io/pool': 'gpu' });
    expect(placed.tolerations).toEqual(GPU_POOL.tolerations);
    expect(placed.affinity).toEqual({
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [{ matchExpressions: [{ key: 'karpenter.k8s.aws/instance-gpu-manufacturer', operator: 'In', values: ['nvidia'] }] }],
        },
      },
    });
  });

  test('a shared pool without taints still gets the GPU toleration and the GPU label affinity', () => {
    const placed = gpuPlacement({ nodeSelector: {}, tolerations: [] }, CloudProfile.ONPREM_K3S.gpuNodeRequirement());
    expect(placed.nodeSelector).toBeUndefined();
    expect(placed.tolerations).toEqual([GPU_TOLERATION]);
    expect(placed.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms[0].matchExpressions).toEqual([
      { key: 'nvidia.com/gpu.present', operator: 'In', values: ['true'] },
    ]);
  });

  test('GPUs in the limits and the same count in the requests', () => {
    // Quantities serialize as { value }: flatten them as the synthesized YAML does.
    const r = JSON.parse(JSON.stringify(Resources.LARGE.withGpus(2), (_k, v) => (v && typeof v === 'object' && 'value' in v ? v.value : v)));
    expect(r.limits).toEqual({ cpu: '4', memory: '4Gi', 'nvidia.com/gpu': 2 });
    expect(r.requests).toEqual({ cpu: '1', memory: '4Gi', 'nvidia.com/gpu': 2 });
  });
});
