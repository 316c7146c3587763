import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { ScaleTarget } from './delivery';

export interface CpuAutoscalerProps {
  readonly metadata: k8s.ObjectMeta;
  /** The Deployment or Rollout to scale. */
  readonly target: ScaleTarget;
  readonly minReplicas: number;
  readonly maxReplicas: number;
  /** Average CPU utilization in percent of the request. */
  readonly cpuTargetPercent: number;
}

/**
 * An autoscaling/v2 HorizontalPodAutoscaler on CPU. It scales a Rollout as well as a Deployment
 * (Rollouts serve the scale subresource). Scale-down waits 5 minutes, so a short lull never
 * drops pods that the next burst needs.
 */
export function cpuAutoscaler(scope: Construct, id: string, props: CpuAutoscalerProps): k8s.KubeHorizontalPodAutoscalerV2 {
  return new k8s.KubeHorizontalPodAutoscalerV2(scope, id, {
    metadata: props.metadata,
    spec: {
      scaleTargetRef: { apiVersion: props.target.apiVersion, kind: props.target.kind, name: props.target.name },
      minReplicas: props.minReplicas,
      maxReplicas: props.maxReplicas,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: props.cpuTargetPercent } } }],
      behavior: { scaleDown: { stabilizationWindowSeconds: 300 } },
    },
  });
}
