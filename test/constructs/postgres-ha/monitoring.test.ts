/* eslint-disable @typescript-eslint/no-explicit-any */
import { all, container, find, MONITORING_PEER, selectedBy, synth } from './support';

describe('PostgresHA monitoring', () => {
  const { objects } = synth();

  test('an exporter sidecar on 9187 and a ServiceMonitor that selects only the members Service', () => {
    expect(container(objects, 'exporter').ports).toEqual([{ name: 'metrics', containerPort: 9187, protocol: 'TCP' }]);
    const sm = find(objects, 'ServiceMonitor', 'pg');
    expect(selectedBy(objects, sm)).toEqual(['pg-members']);
    expect(sm.spec.endpoints[0].port).toBe('metrics');
  });

  test('PgBouncer has a pgbouncer_exporter sidecar on 9127 that logs in to the admin console as the stats user', () => {
    const dep = find(objects, 'Deployment', 'pg-pooler');
    const exporter = dep.spec.template.spec.containers.find((c: any) => c.name === 'exporter');
    expect(exporter.image).toBe('quay.io/prometheuscommunity/pgbouncer-exporter:v0.11.0');
    expect(exporter.ports).toEqual([{ name: 'metrics', containerPort: 9127, protocol: 'TCP' }]);
    // The role in the connection string is the one pgbouncer.ini lists in stats_users (SHOW only).
    const ini = find(objects, 'ConfigMap', 'pg-pooler').data['pgbouncer.ini'];
    const statsUser = /^stats_users = (\S+)$/m.exec(ini)![1];
    expect(exporter.args).toContain(`--pgBouncer.connectionString=postgres://${statsUser}@127.0.0.1:5432/pgbouncer?sslmode=require`);
    expect(ini).not.toMatch(/^admin_users/m);
    // No password in the manifest: lib/pq reads PGPASSWORD, from the credentials Secret.
    expect(exporter.env).toEqual([{ name: 'PGPASSWORD', valueFrom: { secretKeyRef: { name: 'pg-credentials', key: 'pooler-password' } } }]);
    expect(exporter.readinessProbe.httpGet.port).toBe(9127);
    expect(exporter.livenessProbe).not.toEqual(exporter.readinessProbe);
    // Its own ServiceMonitor selects only the pooler Service, whose metrics port reaches the sidecar.
    const sm = find(objects, 'ServiceMonitor', 'pg-pooler');
    expect(selectedBy(objects, sm)).toEqual(['pg-pooler']);
    const service = find(objects, 'Service', 'pg-pooler');
    expect(service.spec.ports.find((p: any) => p.name === sm.spec.endpoints[0].port).targetPort).toBe(9127);
    // Without monitoring.scrapers nobody may scrape it.
    expect(find(objects, 'NetworkPolicy', 'pg-pooler-metrics')).toBeUndefined();
  });

  test('monitoring.scrapers may scrape the pooler exporter on 9127 only; monitoring.enabled: false drops both exporters and monitors', () => {
    const scraped = synth({ monitoring: { scrapers: [MONITORING_PEER] } }).objects;
    const np = find(scraped, 'NetworkPolicy', 'pg-pooler-metrics');
    expect(np.spec.podSelector).toEqual(find(scraped, 'Deployment', 'pg-pooler').spec.selector);
    expect(np.spec.ingress).toEqual([
      {
        from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } }, podSelector: { matchLabels: {} } }],
        ports: [{ protocol: 'TCP', port: 9127 }],
      },
    ]);
    expect(find(scraped, 'NetworkPolicy', 'pg-ingress').spec.ingress[2].ports.map((p: any) => p.port)).toEqual([8008, 9187]);
    const off = synth({ monitoring: { enabled: false } }).objects;
    expect(all(off, 'ServiceMonitor')).toEqual([]);
    expect(find(off, 'Deployment', 'pg-pooler').spec.template.spec.containers.map((c: any) => c.name)).toEqual(['pgbouncer']);
    expect(find(off, 'StatefulSet').spec.template.spec.containers.map((c: any) => c.name)).toEqual(['postgres']);
    expect(find(off, 'Service', 'pg-pooler').spec.ports.map((p: any) => p.name)).toEqual(['postgresql']);
    expect(find(off, 'Service', 'pg-members').metadata.labels['postgres.receivables.io/metrics']).toBeUndefined();
    expect(find(off, 'NetworkPolicy', 'pg-pooler-metrics')).toBeUndefined();
  });
});
