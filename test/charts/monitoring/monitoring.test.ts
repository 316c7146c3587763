/* eslint-disable @typescript-eslint/no-explicit-any */
import { App, Testing } from 'cdk8s';
import { PLATFORM_NAMESPACES } from '../../../charts';
import { dashboards, MonitoringChart } from '../../../charts/monitoring';
import { OTEL_COLLECTOR, TRACED_NAMESPACES } from '../../../charts/monitoring/collector';
import { CONFIGMAP_MAX_BYTES, DASHBOARD_SCHEMA_VERSION } from '../../../constructs/lib/grafana-dashboard';
import { loadEnvironments } from '../../../environments/load';
import { loadDistEnv } from '../../helpers/policy';

describe('monitoring chart', () => {
  const [dev, prod] = loadEnvironments(['dev', 'prod']);
  const prodObjects = Testing.synth(new MonitoringChart(new App(), prod));

  test('platform-alerts: certificate expiry and the two API SLOs, each SLO with its seven window records before its alerts', () => {
    const rule = prodObjects.find((o) => o.kind === 'PrometheusRule');
    expect(rule.metadata).toMatchObject({ name: 'platform-alerts', namespace: 'monitoring' });
    const groups = Object.fromEntries(rule.spec.groups.map((g: any) => [g.name, g.rules]));
    expect(Object.keys(groups)).toEqual(['platform.certificates', 'slo.api-availability', 'slo.api-latency']);
    expect(groups['platform.certificates'].map((r: any) => r.alert)).toEqual([
      'CertificateExpiringSoon',
      'CertificateExpiryCritical',
      'CertificateNotReady',
    ]);
    const slo = groups['slo.api-availability'];
    expect(slo.filter((r: any) => r.record).map((r: any) => r.record)).toEqual(
      ['5m', '1h', '30m', '6h', '2h', '1d', '3d'].map((w) => `slo:sli_error:ratio_rate${w}`),
    );
    expect(slo.slice(0, 7).every((r: any) => r.record && r.labels.slo === 'api-availability')).toBe(true);
    const fast = slo.find((r: any) => r.alert === 'ApiAvailabilityErrorBudgetBurnFast');
    // 14.4x and 6x of a 0.1% budget, both windows of each pair.
    expect(fast.expr).toBe(
      '(slo:sli_error:ratio_rate1h{slo="api-availability"} > 0.0144 and slo:sli_error:ratio_rate5m{slo="api-availability"} > 0.0144) or ' +
        '(slo:sli_error:ratio_rate6h{slo="api-availability"} > 0.006 and slo:sli_error:ratio_rate30m{slo="api-availability"} > 0.006)',
    );
    expect(fast.labels).toEqual({ team: 'apps', slo: 'api-availability', severity: 'critical' });
    const latency = groups['slo.api-latency'].find((r: any) => r.record === 'slo:sli_error:ratio_rate5m');
    expect(latency.expr).toContain('kong_request_latency_ms_bucket{service=~"app-core[.].*", le=~"0*500|0*500[.]0*"}[5m]');
  });

  test('one dashboard ConfigMap per data service and an overview, labelled for the Grafana sidecar, valid JSON under 1 MiB', () => {
    const maps = prodObjects.filter((o) => o.kind === 'ConfigMap');
    expect(maps.map((m) => m.metadata.name).sort()).toEqual(
      ['clickhouse', 'elasticsearch', 'kafka', 'minio', 'platform-overview', 'postgres', 'redis'].map((n) => `dashboard-${n}`),
    );
    const uids = new Set<string>();
    for (const m of maps) {
      expect(m.metadata.namespace).toBe('monitoring');
      expect(m.metadata.labels.grafana_dashboard).toBe('1');
      const [key, json] = Object.entries(m.data as Record<string, string>)[0];
      expect(key).toBe(`${m.metadata.name}.json`);
      expect(Buffer.byteLength(json)).toBeLessThan(CONFIGMAP_MAX_BYTES);
      const d = JSON.parse(json);
      expect(d.schemaVersion).toBe(DASHBOARD_SCHEMA_VERSION);
      uids.add(d.uid);
      expect(d.panels.length).toBeGreaterThanOrEqual(4);
      for (const p of d.panels) {
        expect(p.gridPos.x + p.gridPos.w).toBeLessThanOrEqual(24);
        expect(p.targets.length).toBeGreaterThan(0);
        for (const t of p.targets) {
          expect(t.expr).toMatch(/\S/);
          // Plain PromQL: no Grafana variable promtool could not parse.
          expect(t.expr).not.toContain('$');
        }
      }
    }
    expect(uids.size).toBe(maps.length);
  });

  test('each data-service dashboard queries only its own namespace', () => {
    const expected: Record<string, string> = {
      'dashboard-postgres': 'db-postgres',
      'dashboard-redis': 'db-redis',
      'dashboard-clickhouse': 'db-clickhouse',
      'dashboard-kafka': 'app-integration',
      'dashboard-minio': 'storage-minio',
      'dashboard-elasticsearch': 'db-elasticsearch',
    };
    for (const [name, ns] of Object.entries(expected)) {
      const exprs = dashboards()[name].panels.flatMap((p) => p.queries.map((q) => q.expr));
      for (const e of exprs) {
        expect(e.match(/namespace="[^"]*"/g)).toEqual(expect.arrayContaining([`namespace="${ns}"`]));
        expect(e.match(/namespace="[^"]*"/g)!.every((m) => m === `namespace="${ns}"`)).toBe(true);
      }
    }
  });

  test('the receivers Secret is an ExternalSecret: PagerDuty and Slack keys in prod, Slack only in dev', () => {
    const keysOf = (objects: any[]): string[] => {
      const es = objects.find((o) => o.kind === 'ExternalSecret');
      expect(es.metadata.name).toBe('alertmanager-receivers');
      return es.spec.data.map((d: any) => `${d.secretKey}<-${d.remoteRef.key}#${d.remoteRef.property}`);
    };
    expect(keysOf(prodObjects)).toEqual(
      ['pagerduty-apps', 'slack-apps', 'pagerduty-data', 'slack-data', 'pagerduty-platform', 'slack-platform'].map(
        (k) => `${k}<-prod/monitoring/alertmanager#${k}`,
      ),
    );
    expect(keysOf(Testing.synth(new MonitoringChart(new App(), dev)))).toEqual(
      ['slack-apps', 'slack-data', 'slack-platform'].map((k) => `${k}<-dev/monitoring/alertmanager#${k}`),
    );
    expect(prodObjects.some((o) => o.kind === 'Secret')).toBe(false);
  });
});

describe('tracing (dist/prod)', () => {
  const objects: any[] = loadDistEnv('prod');
  const podSpecs = objects.flatMap((o: any) => {
    const spec = o.spec?.template?.spec;
    return spec ? [{ o, containers: spec.containers as any[] }] : [];
  });
  const traced = podSpecs.filter(({ containers }) =>
    containers.some((c) => (c.env ?? []).some((e: any) => e.name === 'OTEL_EXPORTER_OTLP_ENDPOINT')),
  );

  test('every CoreService and AgentService of app-core, app-agents and app-integration sends traces to the collector', () => {
    const names = traced.map(({ o }) => `${o.metadata.namespace}/${o.metadata.name}`).sort();
    expect(names).toEqual(
      expect.arrayContaining([
        'app-core/invoice-processing',
        'app-agents/orchestrator',
        'app-agents/collections-agent',
        'app-integration/integration-hub',
      ]),
    );
    expect(new Set(traced.map(({ o }) => o.metadata.namespace))).toEqual(new Set(TRACED_NAMESPACES));
    const invoice = traced.find(({ o }) => o.metadata.name === 'invoice-processing')!;
    const env = Object.fromEntries(invoice.containers[0].env.filter((e: any) => e.name.startsWith('OTEL_')).map((e: any) => [e.name, e.value]));
    expect(env).toMatchObject({
      OTEL_SERVICE_NAME: 'invoice-processing',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel-collector.monitoring.svc:4317',
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '0.1',
    });
    expect(env.OTEL_RESOURCE_ATTRIBUTES).toMatch(/^deployment\.environment=prod,k8s\.namespace\.name=app-core,service\.version=\S+$/);
  });

  test('each traced workload has an egress to the collector pods on 4317, and monitoring admits its namespace there', () => {
    const policies = objects.filter((o: any) => o.kind === 'NetworkPolicy');
    const ingress = policies.find((p: any) => p.metadata.namespace === 'monitoring' && p.metadata.name === 'otel-collector-from-apps');
    expect(ingress.spec.podSelector.matchLabels).toEqual(OTEL_COLLECTOR.peerSelector);
    const admitted = ingress.spec.ingress[0].from.map((f: any) => f.namespaceSelector.matchLabels['kubernetes.io/metadata.name']);
    expect(ingress.spec.ingress[0].ports).toEqual([{ protocol: 'TCP', port: 4317 }]);
    for (const { o } of traced) {
      const egress = policies.find(
        (p: any) => p.metadata.namespace === o.metadata.namespace && p.metadata.name === `${o.metadata.name}-to-otel-collector`,
      );
      expect(egress.spec.egress[0].to[0]).toEqual({
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } },
        podSelector: { matchLabels: OTEL_COLLECTOR.peerSelector },
      });
      expect(egress.spec.egress[0].ports).toEqual([{ protocol: 'TCP', port: 4317 }]);
      expect(admitted).toContain(o.metadata.namespace);
    }
  });

  test('the frontend (nginx) and the data services carry no tracing env', () => {
    const namespaces = new Set(traced.map(({ o }) => o.metadata.namespace));
    for (const ns of PLATFORM_NAMESPACES.filter((n) => !(TRACED_NAMESPACES as readonly string[]).includes(n))) {
      expect(namespaces.has(ns)).toBe(false);
    }
  });
});
