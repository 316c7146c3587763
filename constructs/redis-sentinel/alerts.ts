import { AlertGroup, AlertSpec, exporterDown, scoped } from '../lib/prometheus-rule';

/** The Sentinel side of the alerts: the Sentinel StatefulSet and how many Sentinels must agree. */
export interface SentinelQuorum {
  readonly statefulSet: string;
  readonly sentinels: number;
  readonly quorum: number;
}

/**
 * redis_exporter's alerts (no master, replicas disconnected, Redis down) and the Sentinel quorum
 * from kube-state-metrics (the Sentinels are not scraped; see docs/runbooks/alerts.md).
 */
export function redisAlerts(namespace: string, name: string, replicas: number, sentinel: SentinelQuorum): AlertGroup {
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
      sentinelQuorumLost(namespace, sentinel),
      exporterDown(namespace, name, 'Redis'),
    ],
  };
}

/**
 * Fewer ready Sentinels than a failover needs: `quorum` must agree the master is down and a
 * majority of all Sentinels must authorize the failover (https://redis.io/docs/latest/operate/oss_and_stack/management/sentinel/#configuring-sentinel).
 * A Sentinel is ready when it knows a master (its readiness probe), so the count is from
 * kube-state-metrics.
 */
function sentinelQuorumLost(namespace: string, s: SentinelQuorum): AlertSpec {
  const needed = Math.max(s.quorum, Math.floor(s.sentinels / 2) + 1);
  return {
    alert: 'RedisSentinelQuorumLost',
    expr: `kube_statefulset_status_replicas_ready{namespace="${namespace}", statefulset="${s.statefulSet}"} < ${needed}`,
    for: '2m',
    severity: 'critical',
    summary: `${namespace}/${s.statefulSet} has too few ready Sentinels to fail over`,
    description: `{{ $value }} of ${s.sentinels} Sentinels are ready; a failover needs ${needed} (quorum ${s.quorum}, majority of ${s.sentinels}). The master still serves, but its loss would not be repaired.`,
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
