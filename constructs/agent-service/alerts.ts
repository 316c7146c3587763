import { Construct } from 'constructs';
import { depthPerReplica, ResolvedQueueScaling } from '../lib/keda';
import { AlertGroup, prometheusRule } from '../lib/prometheus-rule';

/**
 * The queue alerts of one queue-scaled agent, from the KEDA operator's metrics
 * (https://keda.sh/docs/2.16/operate/prometheus/): `keda_scaler_metrics_value` is the queue depth
 * the scaler reads (Kafka consumer lag or Redis list length), the same number for both kinds of
 * queue. Neither KEDA nor the exporters give the age of the oldest task, so "age" is a backlog
 * that has not shrunk in 30 minutes. Assumes the KEDA ServiceMonitor keeps the series' own
 * `namespace` label (`honorLabels`), as the kube-state-metrics alerts do.
 */
export function agentQueueAlerts(namespace: string, scaledObject: string, scaling: ResolvedQueueScaling): AlertGroup {
  const sel = `namespace="${namespace}", scaledObject="${scaledObject}"`;
  const depth = `keda_scaler_metrics_value{${sel}}`;
  // At maxReplicas each pod has its threshold's share; more than that is work the agent cannot absorb.
  const capacity = depthPerReplica(scaling.trigger) * scaling.maxReplicas;
  return {
    name: `${scaledObject}.queue`,
    rules: [
      {
        alert: 'AgentQueueBacklogHigh',
        expr: `max by (namespace, scaledObject) (${depth}) > ${capacity}`,
        for: '15m',
        severity: 'warning',
        summary: `The task queue of ${namespace}/${scaledObject} is deeper than its agents can absorb`,
        description: `Queue depth {{ $value }} exceeds ${capacity} (${scaling.maxReplicas} replicas at most, ${depthPerReplica(scaling.trigger)} tasks each) for 15 minutes.`,
      },
      {
        alert: 'AgentQueueNotDraining',
        // Backlog 30 minutes ago too (a fresh series, after a restart or a new agent, is not 30 minutes old), never empty since, not shrunk.
        expr: [
          `max by (namespace, scaledObject) (${depth} offset 30m) > 0`,
          `min_over_time(max by (namespace, scaledObject) (${depth})[30m:1m]) > 0`,
          `max by (namespace, scaledObject) (delta(${depth}[30m])) >= 0`,
        ].join(' and '),
        for: '5m',
        severity: 'critical',
        summary: `The task queue of ${namespace}/${scaledObject} has not shrunk in 30 minutes`,
        description:
          'Tasks have waited at least 30 minutes: the backlog never reached zero and did not go down. The agents are stuck, down or at zero.',
      },
      {
        alert: 'AgentQueueScalerErrors',
        expr: `increase(keda_scaler_errors{${sel}}[10m]) > 0`,
        for: '10m',
        severity: 'warning',
        summary: `KEDA cannot read the task queue of ${namespace}/${scaledObject}`,
        description: 'The scaler keeps failing: the agent does not scale with its queue (login, address or network policy to the queue).',
      },
    ],
  };
}

export interface AgentQueueRulesProps {
  readonly name: string;
  readonly namespace: string;
  readonly labels: Record<string, string>;
  readonly scaling: ResolvedQueueScaling;
}

/** The PrometheusRule `<name>-queue-alerts` of a queue-scaled agent. */
export function agentQueueRules(scope: Construct, props: AgentQueueRulesProps): void {
  prometheusRule(scope, 'QueueAlerts', {
    name: `${props.name}-queue-alerts`,
    namespace: props.namespace,
    labels: props.labels,
    groups: [agentQueueAlerts(props.namespace, props.name, props.scaling)],
  });
}
