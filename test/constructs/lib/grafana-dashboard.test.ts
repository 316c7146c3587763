/* eslint-disable @typescript-eslint/no-explicit-any */
import { Chart, Testing } from 'cdk8s';
import { dashboardConfigMap, dashboardModel } from '../../../constructs/lib/grafana-dashboard';

describe('grafana dashboards', () => {
  const panel = { title: 'p', queries: [{ expr: 'up', legend: '{{pod}}' }] };

  test('panels flow two per row; refIds A, B; the datasource variable on every panel and target', () => {
    const d: any = dashboardModel({ uid: 'u', title: 't', tags: [], panels: [panel, panel, { ...panel, width: 24, queries: [{ expr: 'a' }, { expr: 'b' }] }] });
    expect(d.panels.map((p: any) => p.gridPos)).toEqual([
      { h: 8, w: 12, x: 0, y: 0 },
      { h: 8, w: 12, x: 12, y: 0 },
      { h: 8, w: 24, x: 0, y: 8 },
    ]);
    expect(d.panels[2].targets.map((t: any) => t.refId)).toEqual(['A', 'B']);
    expect(d.panels[0].datasource).toEqual({ type: 'prometheus', uid: '${datasource}' });
    expect(d.templating.list[0]).toMatchObject({ name: 'datasource', type: 'datasource', query: 'prometheus' });
  });

  test('fails when the uid is not a Grafana uid', () => {
    expect(() => dashboardModel({ uid: 'has spaces', title: 't', tags: [], panels: [] })).toThrow('dashboard t: uid must be at most 40 letters, digits, - or _ (got "has spaces")');
  });

  test('fails when the dashboard would not fit in a ConfigMap', () => {
    const chart = new Chart(Testing.app(), 'c');
    const huge = { title: 'p', queries: [{ expr: 'x'.repeat(1024 * 1024) }] };
    expect(() => dashboardConfigMap(chart, 'D', { name: 'd', namespace: 'm', labels: {}, dashboard: { uid: 'u', title: 't', tags: [], panels: [huge] } })).toThrow(
      /c\/D: dashboard u is \d+ bytes, over the ConfigMap limit of 1048576/,
    );
  });
});
