import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';
import { dashboards } from '../../charts/monitoring';
import { alertmanagerConfig } from '../../charts/monitoring/alertmanager';
import { loadEnvironments } from '../../environments/load';
import { tempDir } from '../helpers/temp';

/**
 * The Alertmanager configuration through the real `amtool` (Debian `prometheus-alertmanager`):
 * `check-config` parses and validates it, `config routes test` says which receiver a label set
 * reaches. The dashboards' PromQL through the real `promtool`: each panel query becomes a
 * recording rule and `promtool check rules` parses it.
 */

const tmp = tempDir('monitoring-');
afterAll(() => tmp.cleanup());
const envs = loadEnvironments(['dev', 'staging', 'prod', 'dr']);
const prod = envs.find((e) => e.name === 'prod')!;
const dev = envs.find((e) => e.name === 'dev')!;

function tool(cmd: string, ...args: string[]): { status: number | null; out: string; stdout: string } {
  const r = spawnSync(cmd, args, { cwd: tmp.dir, encoding: 'utf8' });
  return { status: r.status, out: `${r.stdout}${r.stderr}`, stdout: r.stdout };
}

function write(name: string, value: unknown): string {
  fs.writeFileSync(path.join(tmp.dir, name), YAML.stringify(value));
  return name;
}

test.each(envs.map((e) => e.name))('%s: amtool check-config accepts the Alertmanager configuration', (name) => {
  const file = write(`alertmanager-${name}.yaml`, alertmanagerConfig(envs.find((e) => e.name === name)!));
  const r = tool('amtool', 'check-config', file);
  expect(r.out).toMatch(/SUCCESS/);
  expect(r.status).toBe(0);
});

test('amtool check-config fails on a route to a receiver that does not exist (the check can fail)', () => {
  const config = alertmanagerConfig(prod);
  const file = write('broken.yaml', { ...config, route: { ...config.route, receiver: 'nobody' } });
  expect(tool('amtool', 'check-config', file).status).not.toBe(0);
});

test.each([
  ['prod', 'alertname=PostgresNoLeader namespace=db-postgres severity=critical', 'data-pagerduty'],
  ['prod', 'alertname=PostgresReplicationLagHigh namespace=db-postgres severity=warning', 'data-slack'],
  ['prod', 'alertname=AgentQueueNotDraining namespace=app-agents severity=critical', 'apps-pagerduty'],
  ['prod', 'alertname=ApiAvailabilityErrorBudgetBurnFast team=apps slo=api-availability severity=critical', 'apps-pagerduty'],
  // The team label wins over the namespace: a certificate of app-core is the platform team's.
  ['prod', 'alertname=CertificateExpiringSoon team=platform namespace=app-core severity=warning', 'platform-slack'],
  ['prod', 'alertname=KubeNodeNotReady namespace=somewhere-else severity=critical', 'platform-slack'],
  ['prod', 'alertname=Watchdog severity=none', 'null'],
  ['dev', 'alertname=PostgresNoLeader namespace=db-postgres severity=critical', 'data-slack'],
])('%s: amtool config routes test %s -> %s', (env, labels, receiver) => {
  const file = write(`routes-${env}.yaml`, alertmanagerConfig(env === 'prod' ? prod : dev));
  const r = tool('amtool', 'config', 'routes', 'test', `--config.file=${file}`, ...labels.split(' '));
  // stdout is the receiver; stderr warns that --config.file overrides --alertmanager.url.
  expect(r.stdout.trim()).toBe(receiver);
  expect(r.status).toBe(0);
});

test('every dashboard panel query parses with promtool (one recording rule per query)', () => {
  const all = Object.entries(dashboards()).flatMap(([name, d]) =>
    d.panels.flatMap((p) => p.queries.map((q) => ({ name, title: p.title, expr: q.expr }))),
  );
  expect(all.length).toBeGreaterThanOrEqual(40);
  const rules = all.map((q, i) => ({ record: `dashboard:query:${i}`, expr: q.expr, labels: { dashboard: q.name } }));
  const file = write('dashboards.yaml', { groups: [{ name: 'dashboards', rules }] });
  const r = tool('promtool', 'check', 'rules', file);
  expect(r.out).toContain(`SUCCESS: ${all.length} rules found`);
  expect(r.status).toBe(0);
  // The same check fails on a query that does not parse.
  const bad = write('dashboards-bad.yaml', { groups: [{ name: 'd', rules: [{ record: 'x:y', expr: 'sum by (pod (up)' }] }] });
  expect(tool('promtool', 'check', 'rules', bad).status).not.toBe(0);
});
