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
