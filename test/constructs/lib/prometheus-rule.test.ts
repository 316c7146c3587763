import * as fs from 'fs';
import * as path from 'path';
import { Chart, Testing } from 'cdk8s';
import { platformAlerts, prometheusRule } from '../../../constructs/lib/prometheus-rule';
import { ROOT } from '../../helpers/bundle';

describe('prometheusRule', () => {
  const rule = { alert: 'SomethingBroke', expr: 'up == 0', for: '5m', severity: 'critical' as const, summary: 's', description: 'd' };

  test('severity becomes a label, summary/description/runbook_url annotations, the runbook anchor the lower-case alert name', () => {
    const chart = new Chart(Testing.app(), 'c');
    prometheusRule(chart, 'R', { name: 'x-alerts', namespace: 'ns', labels: { a: 'b' }, groups: [{ name: 'g', rules: [rule] }], runbookBaseUrl: 'https://r/alerts.md' });
    const [obj] = Testing.synth(chart);
    expect(obj).toMatchObject({ apiVersion: 'monitoring.coreos.com/v1', kind: 'PrometheusRule', metadata: { name: 'x-alerts', namespace: 'ns', labels: { a: 'b' } } });
    expect(obj.spec.groups[0].rules[0]).toEqual({
      alert: 'SomethingBroke',
      expr: 'up == 0',
      for: '5m',
      labels: { severity: 'critical' },
      annotations: { summary: 's', description: 'd', runbook_url: 'https://r/alerts.md#somethingbroke' },
    });
  });

  test('an empty expr or for is refused, naming the path and every offending alert', () => {
    const chart = new Chart(Testing.app(), 'c');
    const bad = [
      { ...rule, alert: 'A', expr: ' ' },
      { ...rule, alert: 'B', for: '' },
    ];
    expect(() => prometheusRule(chart, 'R', { name: 'x', namespace: 'ns', labels: {}, groups: [{ name: 'g', rules: bad }] })).toThrow(
      'c/R: groups: every alert needs a non-empty expr and for (got g/A, g/B)',
    );
  });

  test('platform alerts: backup alerts only when the service has backups, every selector scoped to the namespace and name', () => {
    const without = platformAlerts('ns', 'pg', { backups: false }).rules.map((r) => r.alert);
    expect(without).toEqual(['PodCrashLooping', 'PersistentVolumeAlmostFull']);
    const withBackups = platformAlerts('ns', 'pg', { backups: true }).rules;
    expect(withBackups.map((r) => r.alert)).toEqual(['PodCrashLooping', 'PersistentVolumeAlmostFull', 'BackupJobFailed', 'BackupNotRecent']);
    for (const r of withBackups) {
      expect(r.expr).toContain('namespace="ns"');
      expect(r.expr).toMatch(/pg-\.\*"/);
    }
    expect(withBackups[3].expr).toBe('time() - kube_cronjob_status_last_successful_time{namespace="ns", cronjob=~"pg-.*"} > 26 * 3600');
  });
});

test('every alert in dist/ has its runbook section in docs/runbooks/alerts.md', () => {
  const runbooks = fs.readFileSync(path.join(ROOT, 'docs', 'runbooks', 'alerts.md'), 'utf8');
  const names = new Set<string>();
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.yaml')) for (const m of fs.readFileSync(p, 'utf8').matchAll(/^\s+- alert: (\w+)$/gm)) names.add(m[1]);
    }
  };
  walk(path.join(ROOT, 'dist'));
  expect(names.size).toBeGreaterThanOrEqual(20);
  expect([...names].filter((n) => !runbooks.includes(`\n### ${n.toLowerCase()}\n`))).toEqual([]);
});
