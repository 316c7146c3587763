/* eslint-disable @typescript-eslint/no-explicit-any */
import { DIST_ENVS, loadDistEnv } from '../../helpers/policy';

/**
 * Workloads we run that no ServiceMonitor or PodMonitor scrapes, each with the reason. Anything
 * else that runs must be scraped: a new component without metrics fails this test.
 */
const NOT_SCRAPED: Record<string, string> = {
  'app-frontend/frontend':
    'StaticSite: nginx-unprivileged serves static files and exposes no Prometheus metrics; its traffic is measured at the ingress controller',
  'app-integration/kafka-combined':
    'KafkaCluster: the brokers are measured by the scraped kafka-exporter Deployment (topics, partitions, consumer groups over the Kafka protocol); they run no JMX exporter',
  'db-redis/redis-sentinel':
    'RedisSentinel: the Sentinel quorum alert reads the Sentinel pods from kube-state-metrics; the Sentinels themselves are not scraped',
};

const WORKLOADS = new Set(['Deployment', 'StatefulSet', 'DaemonSet']);

function matches(selector: { matchLabels?: Record<string, string> } | undefined, labels: Record<string, string> | undefined): boolean {
  const want = selector?.matchLabels ?? {};
  return Object.keys(want).length > 0 && Object.entries(want).every(([k, v]) => labels?.[k] === v);
}

/** Namespaces a monitor looks in: its own unless namespaceSelector names others. */
function monitorNamespaces(m: any): string[] {
  return m.spec.namespaceSelector?.matchNames ?? [m.metadata.namespace];
}

/** `namespace/name` of every workload whose pods some ServiceMonitor (through a Service) or PodMonitor selects. */
function scraped(objects: any[]): Set<string> {
  const workloads = objects.filter((o) => WORKLOADS.has(o.kind));
  const services = objects.filter((o) => o.kind === 'Service');
  const out = new Set<string>();
  for (const m of objects.filter((o) => o.kind === 'ServiceMonitor' || o.kind === 'PodMonitor')) {
    const namespaces = monitorNamespaces(m);
    const podSelectors =
      m.kind === 'PodMonitor'
        ? [{ ns: namespaces, selector: m.spec.selector }]
        : services
            .filter((s) => namespaces.includes(s.metadata.namespace) && matches(m.spec.selector, s.metadata.labels))
            .map((s) => ({ ns: [s.metadata.namespace], selector: { matchLabels: s.spec.selector } }));
    for (const { ns, selector } of podSelectors) {
      for (const w of workloads) {
        if (ns.includes(w.metadata.namespace) && matches(selector, w.spec.template.metadata?.labels)) {
          out.add(`${w.metadata.namespace}/${w.metadata.name}`);
        }
      }
    }
  }
  return out;
}

describe('every component we run is scraped', () => {
  test.each(DIST_ENVS)('%s: each Deployment, StatefulSet and DaemonSet has a ServiceMonitor or PodMonitor over its pods', (env) => {
    const objects = loadDistEnv(env);
    const covered = scraped(objects);
    const running = objects.filter((o) => WORKLOADS.has(o.kind)).map((w) => `${w.metadata.namespace}/${w.metadata.name}`);
    expect(running.length).toBeGreaterThan(10);
    expect(running.filter((w) => !covered.has(w) && !(w in NOT_SCRAPED)).sort()).toEqual([]);
  });

  test('each listed exception is still a workload somewhere, so the list cannot rot', () => {
    const all = new Set(
      DIST_ENVS.flatMap((env) =>
        loadDistEnv(env)
          .filter((o) => WORKLOADS.has(o.kind))
          .map((w) => `${w.metadata.namespace}/${w.metadata.name}`),
      ),
    );
    expect(Object.keys(NOT_SCRAPED).filter((w) => !all.has(w))).toEqual([]);
  });
});
