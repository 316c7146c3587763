import { AlertGroup, AlertSpec, exporterDown, scoped } from '../lib/prometheus-rule';

/** redis_exporter's alerts: no master, replicas disconnected, Redis down. */
export function redisAlerts(namespace: string, name: string, replicas: number): AlertGroup {
  const sel = scoped(namespace, name);
  return {
    name: `${name}.redis`,
    rules: [
      {
        alert: 'RedisNoMaster',
        // Masters count 1, the others 0, so the sum is the number of masters among the answering pods.
        expr: `sum(max by (pod) (redis_instance_info{${sel}, role="master"}) or max by (pod) (redis_instance_info{${sel}} * 0)) < 1`,
        for: '1m',
        severity: 'critical',
        summary: `${namespace}/${name} has no Redis master`,
        description: 'No answering Redis pod is a master: Sentinel failed to promote a replica (quorum lost?) and writes fail.',
      },
      ...(replicas > 1 ? [replicasDisconnected(sel, namespace, name, replicas - 1)] : []),
      {
        alert: 'RedisDown',
        expr: `redis_up{${sel}} == 0`,
        for: '2m',
        severity: 'critical',
        summary: `Redis of ${namespace}/${name} does not answer its exporter`,
        description: 'redis_exporter in {{ $labels.pod }} cannot reach Redis.',
      },
      exporterDown(namespace, name, 'Redis'),
    ],
  };
}

/** Fewer replicas connected to the master than the cluster has (only with more than one member). */
function replicasDisconnected(sel: string, namespace: string, name: string, expected: number): AlertSpec {
  return {
    alert: 'RedisReplicasDisconnected',
    expr: `max(redis_connected_slaves{${sel}}) < ${expected}`,
    for: '5m',
    severity: 'warning',
    summary: `Not every replica of ${namespace}/${name} is connected to the master`,
    description: `The master has {{ $value }} connected replicas, ${expected} expected.`,
  };
}
