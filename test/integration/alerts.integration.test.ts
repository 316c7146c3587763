/* eslint-disable @typescript-eslint/no-explicit-any */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';
import { ROOT } from '../helpers/bundle';
import { tempDir } from '../helpers/temp';

/**
 * Every PrometheusRule of the committed dist/ through the real `promtool` (Debian's `prometheus`
 * package): `promtool check rules` parses each rule's PromQL and templates, and
 * `promtool test rules` evaluates the key alerts of prod against synthetic series (the rule
 * files are the synthesized specs, not copies).
 */

const DIST = path.join(ROOT, 'dist');
const tmp = tempDir('alerts-');
afterAll(() => tmp.cleanup());

function yamlFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? yamlFiles(p) : e.name.endsWith('.yaml') ? [p] : [];
  });
}

/** One rule file per PrometheusRule in dist/<env>: `<env>-<namespace>-<name>.yaml` holding its spec. */
function writeRuleFiles(): Map<string, string> {
  const files = new Map<string, string>();
  for (const env of fs.readdirSync(DIST).filter((e) => fs.statSync(path.join(DIST, e)).isDirectory())) {
    for (const file of yamlFiles(path.join(DIST, env))) {
      for (const doc of YAML.parseAllDocuments(fs.readFileSync(file, 'utf8'))) {
        const o = doc.toJS();
        if (o?.kind === 'PrometheusRule') {
          const name = `${env}-${o.metadata.namespace}-${o.metadata.name}.yaml`;
          fs.writeFileSync(path.join(tmp.dir, name), YAML.stringify(o.spec));
          files.set(name, path.join(tmp.dir, name));
        }
      }
    }
  }
  return files;
}

function promtool(...args: string[]): { status: number | null; out: string } {
  const r = spawnSync('promtool', args, { cwd: tmp.dir, encoding: 'utf8' });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

const ruleFiles = writeRuleFiles();

/** The spec annotations of one alert, for the static expectations. */
function annotationsOf(file: string, alert: string): Record<string, string> {
  const spec = YAML.parse(fs.readFileSync(ruleFiles.get(file)!, 'utf8'));
  return spec.groups.flatMap((g: any) => g.rules).find((r: any) => r.alert === alert).annotations;
}

test('every PrometheusRule of every environment passes promtool check rules', () => {
  // Six data services with monitoring in each of the four environments.
  expect(ruleFiles.size).toBeGreaterThanOrEqual(24);
  const r = promtool('check', 'rules', ...ruleFiles.keys());
  expect(r.out).not.toMatch(/FAILED/);
  expect(r.status).toBe(0);
  expect(r.out.match(/SUCCESS: \d+ rules found/g)).toHaveLength(ruleFiles.size);
});

test('promtool check rules fails on a broken expression (the check can fail)', () => {
  fs.writeFileSync(path.join(tmp.dir, 'broken.yaml'), YAML.stringify({ groups: [{ name: 'g', rules: [{ alert: 'A', expr: 'sum(up' }] }] }));
  expect(promtool('check', 'rules', 'broken.yaml').status).not.toBe(0);
});

test('promtool test rules: Redis no master, Postgres no leader, PVC almost full fire on synthetic series, and only then', () => {
  const redis = 'prod-db-redis-redis-alerts.yaml';
  const pg = 'prod-db-postgres-postgres-alerts.yaml';
  const series = (s: string, values: string): any => ({ series: s, values });
  const tests = {
    rule_files: [redis, pg],
    evaluation_interval: '1m',
    tests: [
      {
        interval: '1m',
        input_series: [
          // Every answering Redis pod is a replica; a master in another namespace does not count.
          series('redis_instance_info{namespace="db-redis",pod="redis-0",role="slave"}', '1x10'),
          series('redis_instance_info{namespace="db-redis",pod="redis-1",role="slave"}', '1x10'),
          series('redis_instance_info{namespace="db-other",pod="redis-2",role="master"}', '1x10'),
          // Both Postgres members are in recovery.
          series('pg_replication_is_replica{namespace="db-postgres",pod="postgres-0"}', '1x10'),
          series('pg_replication_is_replica{namespace="db-postgres",pod="postgres-1"}', '1x10'),
          // 5 of 100 bytes left on a data volume for 10+ minutes.
          series('kubelet_volume_stats_available_bytes{namespace="db-postgres",persistentvolumeclaim="data-postgres-0"}', '5x20'),
          series('kubelet_volume_stats_capacity_bytes{namespace="db-postgres",persistentvolumeclaim="data-postgres-0"}', '100x20'),
        ],
        alert_rule_test: [
          {
            eval_time: '5m',
            alertname: 'RedisNoMaster',
            exp_alerts: [{ exp_labels: { severity: 'critical' }, exp_annotations: annotationsOf(redis, 'RedisNoMaster') }],
          },
          {
            eval_time: '5m',
            alertname: 'PostgresNoLeader',
            exp_alerts: [{ exp_labels: { severity: 'critical' }, exp_annotations: annotationsOf(pg, 'PostgresNoLeader') }],
          },
          // for: 10m: not yet at 5m, firing at 15m.
          { eval_time: '5m', alertname: 'PersistentVolumeAlmostFull', exp_alerts: [] },
          {
            eval_time: '15m',
            alertname: 'PersistentVolumeAlmostFull',
            exp_alerts: [
              {
                exp_labels: { severity: 'warning', namespace: 'db-postgres', persistentvolumeclaim: 'data-postgres-0' },
                exp_annotations: {
                  ...annotationsOf(pg, 'PersistentVolumeAlmostFull'),
                  description: 'PVC data-postgres-0 has 5% of its capacity left.',
                },
              },
            ],
          },
        ],
      },
      {
        interval: '1m',
        input_series: [
          series('redis_instance_info{namespace="db-redis",pod="redis-0",role="master"}', '1x10'),
          series('redis_instance_info{namespace="db-redis",pod="redis-1",role="slave"}', '1x10'),
          series('pg_replication_is_replica{namespace="db-postgres",pod="postgres-0"}', '0x10'),
          series('pg_replication_is_replica{namespace="db-postgres",pod="postgres-1"}', '1x10'),
          series('kubelet_volume_stats_available_bytes{namespace="db-postgres",persistentvolumeclaim="data-postgres-0"}', '50x20'),
          series('kubelet_volume_stats_capacity_bytes{namespace="db-postgres",persistentvolumeclaim="data-postgres-0"}', '100x20'),
        ],
        alert_rule_test: [
          { eval_time: '5m', alertname: 'RedisNoMaster', exp_alerts: [] },
          { eval_time: '5m', alertname: 'PostgresNoLeader', exp_alerts: [] },
          { eval_time: '15m', alertname: 'PersistentVolumeAlmostFull', exp_alerts: [] },
        ],
      },
    ],
  };
  fs.writeFileSync(path.join(tmp.dir, 'tests.yaml'), YAML.stringify(tests));
  const r = promtool('test', 'rules', 'tests.yaml');
  expect(r.out).toMatch(/SUCCESS/);
  expect(r.status).toBe(0);
});

test('promtool test rules: a backup 26 hours old and a MinIO erasure set at its write quorum fire, and only then', () => {
  const pg = 'prod-db-postgres-postgres-alerts.yaml';
  const minio = 'prod-storage-minio-minio-alerts.yaml';
  const cronjob = 'kube_cronjob_status_last_successful_time{namespace="db-postgres",cronjob="postgres-base-backup"}';
  const set = (metric: string, value: number, setId: string): any => ({
    series: `minio_cluster_erasure_set_${metric}{namespace="storage-minio",pod="minio-0",pool_id="0",set_id="${setId}"}`,
    values: `${value}x20`,
  });
  const tests = {
    rule_files: [pg, minio],
    evaluation_interval: '1m',
    tests: [
      {
        interval: '1m',
        // The last success at t=0, never again; set 0 has 3 drives online for a write quorum of 3, set 1 has 4.
        input_series: [
          { series: cronjob, values: '0x1700' },
          set('online_drives_count', 3, '0'),
          set('write_quorum', 3, '0'),
          set('online_drives_count', 4, '1'),
          set('write_quorum', 3, '1'),
        ],
        alert_rule_test: [
          { eval_time: '20h', alertname: 'BackupNotRecent', exp_alerts: [] },
          {
            eval_time: '27h',
            alertname: 'BackupNotRecent',
            exp_alerts: [
              {
                exp_labels: { severity: 'critical', namespace: 'db-postgres', cronjob: 'postgres-base-backup' },
                exp_annotations: {
                  ...annotationsOf(pg, 'BackupNotRecent'),
                  description: 'CronJob postgres-base-backup last succeeded 1d 3h 0m 0s ago.',
                },
              },
            ],
          },
          {
            eval_time: '10m',
            alertname: 'MinioWriteQuorumAtRisk',
            exp_alerts: [
              {
                exp_labels: { severity: 'warning', namespace: 'storage-minio', pool_id: '0', set_id: '0' },
                exp_annotations: {
                  ...annotationsOf(minio, 'MinioWriteQuorumAtRisk'),
                  description: 'Pool 0 set 0: one more drive offline and writes fail.',
                },
              },
            ],
          },
        ],
      },
    ],
  };
  fs.writeFileSync(path.join(tmp.dir, 'tests-2.yaml'), YAML.stringify(tests));
  const r = promtool('test', 'rules', 'tests-2.yaml');
  expect(r.out).toMatch(/SUCCESS/);
  expect(r.status).toBe(0);
});

/** Writes `tests` as a promtool test file and runs it; the output on failure names the alert and the difference. */
function promtoolTest(file: string, tests: unknown): void {
  fs.writeFileSync(path.join(tmp.dir, file), YAML.stringify(tests));
  const r = promtool('test', 'rules', file);
  expect(r.out).toMatch(/SUCCESS/);
  expect(r.status).toBe(0);
}

test('promtool test rules: Sentinel quorum lost, certificate expiry and a stalled agent queue fire, and only then', () => {
  const redis = 'prod-db-redis-redis-alerts.yaml';
  const platform = 'prod-monitoring-platform-alerts.yaml';
  const queue = 'prod-app-agents-collections-agent-queue-alerts.yaml';
  const sentinels = 'kube_statefulset_status_replicas_ready{namespace="db-redis",statefulset="redis-sentinel"}';
  const cert = (name: string): string =>
    `certmanager_certificate_expiration_timestamp_seconds{namespace="app-core",name="${name}",issuer_name="letsencrypt-prod"}`;
  const depth = (agent: string): string =>
    `keda_scaler_metrics_value{namespace="app-agents",scaledObject="${agent}",scaler="kafka",metric="s0-kafka-agent-tasks"}`;
  const certLabels = { namespace: 'app-core', name: 'api-tls', issuer_name: 'letsencrypt-prod', team: 'platform' };
  promtoolTest('tests-3.yaml', {
    rule_files: [redis, platform, queue],
    evaluation_interval: '1m',
    tests: [
      {
        interval: '1m',
        input_series: [
          // One of three Sentinels ready: a failover needs two.
          { series: sentinels, values: '1x20' },
          // api-tls expires 5 days after t=0, web-tls in 60 days.
          { series: cert('api-tls'), values: `${5 * 86400}x120` },
          { series: cert('web-tls'), values: `${60 * 86400}x120` },
          // collections-agent: 40 tasks that never move; dispute-agent: a backlog that drains.
          { series: depth('collections-agent'), values: '40x60' },
          { series: depth('dispute-agent'), values: '100-2x50' },
        ],
        alert_rule_test: [
          { eval_time: '1m', alertname: 'RedisSentinelQuorumLost', exp_alerts: [] },
          {
            eval_time: '5m',
            alertname: 'RedisSentinelQuorumLost',
            exp_alerts: [
              {
                exp_labels: { severity: 'critical', namespace: 'db-redis', statefulset: 'redis-sentinel' },
                exp_annotations: {
                  ...annotationsOf(redis, 'RedisSentinelQuorumLost'),
                  description:
                    '1 of 3 Sentinels are ready; a failover needs 2 (quorum 2, majority of 3). The master still serves, but its loss would not be repaired.',
                },
              },
            ],
          },
          {
            eval_time: '15m',
            alertname: 'CertificateExpiryCritical',
            exp_alerts: [
              {
                exp_labels: { severity: 'critical', ...certLabels },
                exp_annotations: {
                  ...annotationsOf(platform, 'CertificateExpiryCritical'),
                  description: 'Certificate app-core/api-tls expires in 4d 23h 45m 0s: clients will refuse it.',
                },
              },
            ],
          },
          // for: 1h: not at 30m.
          { eval_time: '30m', alertname: 'CertificateExpiringSoon', exp_alerts: [] },
          { eval_time: '20m', alertname: 'AgentQueueNotDraining', exp_alerts: [] },
          {
            eval_time: '40m',
            alertname: 'AgentQueueNotDraining',
            exp_alerts: [
              {
                exp_labels: { severity: 'critical', namespace: 'app-agents', scaledObject: 'collections-agent' },
                exp_annotations: annotationsOf(queue, 'AgentQueueNotDraining'),
              },
            ],
          },
        ],
      },
      {
        interval: '1m',
        input_series: [
          { series: sentinels, values: '2x20' },
          { series: cert('api-tls'), values: `${30 * 86400}x120` },
        ],
        alert_rule_test: [
          { eval_time: '10m', alertname: 'RedisSentinelQuorumLost', exp_alerts: [] },
          { eval_time: '90m', alertname: 'CertificateExpiringSoon', exp_alerts: [] },
          { eval_time: '90m', alertname: 'CertificateExpiryCritical', exp_alerts: [] },
        ],
      },
    ],
  });
});

test('promtool test rules: the API SLO fast burns page on 10% errors and on half the requests over 500 ms (Kong zero-pads le), not on 0.05%', () => {
  const platform = 'prod-monitoring-platform-alerts.yaml';
  const kong = 'service="app-core.invoice-processing.8080",route="app-core.invoice-processing.00",workspace="default"';
  const requests = (code: string, values: string): any => ({ series: `kong_http_requests_total{${kong},code="${code}",source="service"}`, values });
  const latency = (le: string, values: string): any => ({ series: `kong_request_latency_ms_bucket{${kong},le="${le}"}`, values });
  const fired = (alert: string, slo: string, description: string): any => ({
    exp_labels: { severity: 'critical', team: 'apps', slo },
    exp_annotations: { ...annotationsOf(platform, alert), description },
  });
  promtoolTest('tests-4.yaml', {
    rule_files: [platform],
    evaluation_interval: '1m',
    tests: [
      {
        interval: '1m',
        input_series: [
          // 9 good and 1 bad request a minute: 10% errors, 100 times the 0.1% budget.
          requests('200', '0+9x120'),
          requests('500', '0+1x120'),
          // 10 requests a minute, 5 of them within 500 ms.
          latency('00500.0', '0+5x120'),
          latency('05000.0', '0+10x120'),
          latency('+Inf', '0+10x120'),
          { series: `kong_request_latency_ms_count{${kong}}`, values: '0+10x120' },
        ],
        alert_rule_test: [
          {
            eval_time: '30m',
            alertname: 'ApiAvailabilityErrorBudgetBurnFast',
            exp_alerts: [
              fired(
                'ApiAvailabilityErrorBudgetBurnFast',
                'api-availability',
                'API 5xx responses are 10% of all; the budget is 0.1% and burns at 14.4x over 1h and 5m, or 6x over 6h and 30m.',
              ),
            ],
          },
          {
            eval_time: '30m',
            alertname: 'ApiLatencyErrorBudgetBurnFast',
            exp_alerts: [
              fired(
                'ApiLatencyErrorBudgetBurnFast',
                'api-latency',
                'API requests slower than 500 ms are 50% of all; the budget is 1% and burns at 14.4x over 1h and 5m, or 6x over 6h and 30m.',
              ),
            ],
          },
        ],
      },
      {
        interval: '1m',
        input_series: [
          // 1 error in 2000 requests: half the budget.
          requests('200', '0+1999x120'),
          requests('500', '0+1x120'),
          latency('00500.0', '0+10x120'),
          latency('+Inf', '0+10x120'),
          { series: `kong_request_latency_ms_count{${kong}}`, values: '0+10x120' },
        ],
        alert_rule_test: [
          { eval_time: '30m', alertname: 'ApiAvailabilityErrorBudgetBurnFast', exp_alerts: [] },
          { eval_time: '90m', alertname: 'ApiAvailabilityErrorBudgetBurnSlow', exp_alerts: [] },
          { eval_time: '30m', alertname: 'ApiLatencyErrorBudgetBurnFast', exp_alerts: [] },
        ],
      },
    ],
  });
});
