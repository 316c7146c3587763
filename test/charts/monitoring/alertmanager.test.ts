/* eslint-disable @typescript-eslint/no-explicit-any */
import { PLATFORM_NAMESPACES } from '../../../charts';
import { alertmanagerConfig, AlertmanagerRoute, OUTAGE_ALERTS, RECEIVER_SECRET_DIR, TEAMS } from '../../../charts/monitoring/alertmanager';
import { loadEnvironments } from '../../../environments/load';
import { loadDistEnv } from '../../helpers/policy';

describe('alertmanagerConfig', () => {
  const [dev, prod] = loadEnvironments(['dev', 'prod']);

  test('every platform namespace belongs to exactly one team', () => {
    for (const ns of PLATFORM_NAMESPACES) {
      expect([ns, TEAMS.filter((t) => t.namespaces.includes(ns)).length]).toEqual([ns, 1]);
    }
  });

  test('no credential is inline: every receiver reads its key or URL from a file of the mounted Secret', () => {
    const text = JSON.stringify(alertmanagerConfig(prod));
    expect(text).not.toMatch(/"(routing_key|service_key|api_url|url)"/);
    const files = alertmanagerConfig(prod).receivers.flatMap((r) => [
      ...(r.pagerduty_configs ?? []).map((c) => c.routing_key_file),
      ...(r.slack_configs ?? []).map((c) => c.api_url_file),
    ]);
    expect(files).toHaveLength(6);
    for (const f of files) expect(f.startsWith(`${RECEIVER_SECRET_DIR}/`)).toBe(true);
  });

  test('every route names a receiver that exists, and every receiver is used', () => {
    const config = alertmanagerConfig(prod);
    const used = new Set<string>();
    const walk = (r: AlertmanagerRoute): void => {
      if (r.receiver) used.add(r.receiver);
      (r.routes ?? []).forEach(walk);
    };
    walk(config.route);
    expect([...used].sort()).toEqual(config.receivers.map((r) => r.name).sort());
  });

  test('prod pages critical alerts per team; dev sends them to the team channel (no PagerDuty)', () => {
    const teamRoute = (env: any, team: string): AlertmanagerRoute =>
      alertmanagerConfig(env).route.routes!.find((r) => r.matchers?.[0] === `team="${team}"`)!;
    expect(teamRoute(prod, 'data')).toEqual({
      receiver: 'data-slack',
      matchers: ['team="data"'],
      routes: [{ receiver: 'data-pagerduty', matchers: ['severity="critical"'], repeat_interval: '1h' }],
    });
    expect(teamRoute(dev, 'data')).toEqual({ receiver: 'data-slack', matchers: ['team="data"'] });
    expect(alertmanagerConfig(dev).receivers.some((r) => r.pagerduty_configs)).toBe(false);
  });

  test('every outage alert that inhibits a namespace exists in dist as a critical alert', () => {
    const alerts = loadDistEnv('prod')
      .filter((o: any) => o.kind === 'PrometheusRule')
      .flatMap((o: any) => o.spec.groups.flatMap((g: any) => g.rules))
      .filter((r: any) => r.alert);
    for (const name of OUTAGE_ALERTS) {
      expect([name, alerts.some((r: any) => r.alert === name && r.labels.severity === 'critical')]).toEqual([name, true]);
    }
  });
});
