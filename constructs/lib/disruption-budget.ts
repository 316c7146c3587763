import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';

export interface DisruptionBudgetProps {
  readonly name: string;
  readonly namespace: string;
  readonly labels: Record<string, string>;
  /** Pods the budget covers: the workload's selector labels. */
  readonly selector: Record<string, string>;
  /** Pods that may be down at once during a voluntary disruption. @default 1 */
  readonly maxUnavailable?: number;
}

/**
 * A PodDisruptionBudget that lets node drains proceed one pod at a time. `maxUnavailable` (never
 * `minAvailable: 100%`) keeps drains possible, and `unhealthyPodEvictionPolicy: AlwaysAllow`
 * lets a drain evict a pod that is already broken instead of blocking on it.
 */
export function disruptionBudget(scope: Construct, id: string, props: DisruptionBudgetProps): k8s.KubePodDisruptionBudget {
  return new k8s.KubePodDisruptionBudget(scope, id, {
    metadata: { name: props.name, namespace: props.namespace, labels: props.labels },
    spec: {
      maxUnavailable: k8s.IntOrString.fromNumber(props.maxUnavailable ?? 1),
      selector: { matchLabels: { ...props.selector } },
      unhealthyPodEvictionPolicy: 'AlwaysAllow',
    },
  });
}
