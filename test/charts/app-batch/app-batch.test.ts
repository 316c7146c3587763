/* eslint-disable @typescript-eslint/no-explicit-any */
import { App, Testing } from 'cdk8s';
import { AppBatchChart, BATCH_JOBS } from '../../../charts/app-batch';
import { AppIntegrationChart } from '../../../charts/app-integration';
import { DbPostgresChart } from '../../../charts/db-postgres';
import { DbRedisChart } from '../../../charts/db-redis';
import { platformCharts } from '../../../charts';
import { loadEnvironments } from '../../../environments/load';
import { EnvironmentConfig } from '../../../environments/types';

const ENVS = ['dev', 'staging', 'prod', 'dr'] as const;
const NAMES = ['payment-reminders', 'bank-reconciliation', 'report-generation'];

describe('app-batch chart', () => {
  const configs: Record<string, EnvironmentConfig> = Object.fromEntries(loadEnvironments([...ENVS]).map((c) => [c.name, c]));
  const drFailedOver: EnvironmentConfig = { ...configs.dr, dr: { ...configs.dr.dr!, failover: true } };
  const cache = new Map<EnvironmentConfig, any[]>();
  const objectsOf = (config: EnvironmentConfig): any[] => {
    if (!cache.has(config)) {
      cache.set(config, Testing.synth(new AppBatchChart(new App(), config)));
    }
    return cache.get(config)!;
  };
  const cronJobs = (objects: any[]): any[] => objects.filter((o) => o.kind === 'CronJob');
  const named = (objects: any[], kind: string, name: string): any => objects.find((o) => o.kind === kind && o.metadata.name === name);
  const containerOf = (cj: any): any => cj.spec.jobTemplate.spec.template.spec.containers[0];
  const prefixesOf = (cj: any): string[] =>
    ['POSTGRES', 'REDIS', 'KAFKA'].filter((p) => containerOf(cj).env.some((e: any) => e.name === `${p}_HOST`));

  test('the chart factory builds app-batch from this chart', () => {
    const factory = platformCharts().find((f) => f.folder === 'app-batch')!;
    expect(factory.create(new App(), configs.dev)).toBeInstanceOf(AppBatchChart);
  });

  test.each(ENVS)('%s: the three CronJobs in app-batch, from the pinned batch image, one command each', (env) => {
    const jobs = cronJobs(objectsOf(configs[env]));
    expect(jobs.map((j) => j.metadata.name)).toEqual(NAMES);
    expect(jobs.every((j) => j.metadata.namespace === 'app-batch')).toBe(true);
    expect(new Set(jobs.map((j) => containerOf(j).image))).toEqual(new Set([`${configs[env].imageRegistry}/receivables/batch-jobs:1.0.0`]));
    expect(jobs.map((j) => containerOf(j).command)).toEqual(NAMES.map((n) => ['node', `dist/jobs/${n}.js`]));
  });

  test('schedules: reminders hourly in office hours on weekdays, reconciliation nightly, reports daily; Berlin time, Forbid', () => {
    const jobs = Object.fromEntries(cronJobs(objectsOf(configs.prod)).map((j) => [j.metadata.name, j.spec]));
    expect(Object.fromEntries(NAMES.map((n) => [n, jobs[n].schedule]))).toEqual({
      'payment-reminders': '0 8-18 * * 1-5',
      'bank-reconciliation': '30 1 * * *',
      'report-generation': '0 5 * * *',
    });
    expect(Object.values(jobs).map((s: any) => [s.timeZone, s.concurrencyPolicy])).toEqual(Array(3).fill(['Europe/Berlin', 'Forbid']));
  });

  test('deadlines: a reminder run ends well before the next hour, reconciliation may take two hours', () => {
    const deadline = (n: string): number => named(objectsOf(configs.prod), 'CronJob', n).spec.jobTemplate.spec.activeDeadlineSeconds;
    expect(NAMES.map(deadline)).toEqual([900, 7200, 3600]);
    expect(BATCH_JOBS.every((j) => j.activeDeadlineSeconds > 0)).toBe(true);
  });

  test('dr at rest: every CronJob suspended; after failover, and in every other environment, none', () => {
    expect(cronJobs(objectsOf(configs.dr)).map((j) => j.spec.suspend)).toEqual([true, true, true]);
    for (const config of [drFailedOver, configs.dev, configs.staging, configs.prod]) {
      expect(cronJobs(objectsOf(config)).map((j) => j.spec.suspend)).toEqual([false, false, false]);
    }
  });

  test('connections: reminders use PostgreSQL, Redis and Kafka; reconciliation PostgreSQL and Kafka; reports PostgreSQL', () => {
    const jobs = cronJobs(objectsOf(configs.prod));
    expect(Object.fromEntries(jobs.map((j) => [j.metadata.name, prefixesOf(j)]))).toEqual({
      'payment-reminders': ['POSTGRES', 'REDIS', 'KAFKA'],
      'bank-reconciliation': ['POSTGRES', 'KAFKA'],
      'report-generation': ['POSTGRES'],
    });
  });

  test('the network: no ingress allow at all, and one egress policy per connection', () => {
    const policies = objectsOf(configs.prod).filter((o) => o.kind === 'NetworkPolicy');
    expect(policies.filter((p) => p.spec.policyTypes.includes('Ingress')).map((p) => p.metadata.name)).toEqual(['default-deny']);
    expect(policies.map((p) => p.metadata.name).filter((n) => n.includes('-to-'))).toEqual([
      'payment-reminders-to-postgres',
      'payment-reminders-to-redis',
      'payment-reminders-to-kafka',
      'bank-reconciliation-to-postgres',
      'bank-reconciliation-to-kafka',
      'report-generation-to-postgres',
      'report-generation-to-clickhouse',
    ]);
  });

  const containerPod = (cronJob: any): any => cronJob.spec.jobTemplate.spec.template;
  const admitsBatch = (policy: any): boolean =>
    policy.kind === 'NetworkPolicy' &&
    (policy.spec.ingress ?? []).some((rule: any) =>
      rule.from.some((f: any) => f.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'] === 'app-batch'),
    );

  test.each([
    ['postgres', () => new DbPostgresChart(new App(), configs.prod)],
    ['redis', () => new DbRedisChart(new App(), configs.prod)],
    ['kafka', () => new AppIntegrationChart(new App(), configs.prod)],
  ])('the egress to %s meets an ingress its chart opens for app-batch, on the same pods and ports', (prefix, server) => {
    const egress = named(objectsOf(configs.prod), 'NetworkPolicy', `payment-reminders-to-${prefix}`).spec.egress[0];
    const ingress = Testing.synth(server()).filter(admitsBatch);
    expect(ingress.length).toBeGreaterThan(0);
    const meets = ingress.filter(
      (p) =>
        Object.entries(p.spec.podSelector.matchLabels ?? {}).every(([k, v]) => egress.to[0].podSelector.matchLabels[k] === v) &&
        egress.ports.every((port: any) => p.spec.ingress.some((r: any) => (r.ports ?? []).some((q: any) => q.port === port.port))),
    );
    expect(meets.map((p) => p.metadata.name)).not.toEqual([]);
    // The server admits the pods that carry its client label, and payment-reminders carries it.
    const labels = containerPod(named(objectsOf(configs.prod), 'CronJob', 'payment-reminders')).metadata.labels;
    expect(labels[`client.receivables.io/${prefix}`]).toBe('true');
  });

  test('passwords come from the store by ExternalSecrets, none in the manifests', () => {
    const objects = objectsOf(configs.prod);
    expect(objects.filter((o) => o.kind === 'Secret')).toEqual([]);
    const env = Object.fromEntries(containerOf(named(objects, 'CronJob', 'payment-reminders')).env.map((e: any) => [e.name, e]));
    expect(env.POSTGRES_PASSWORD.valueFrom).toEqual({ secretKeyRef: { name: 'payment-reminders-postgres', key: 'password' } });
    expect(named(objects, 'ExternalSecret', 'payment-reminders-postgres').spec.data).toContainEqual({
      secretKey: 'password',
      remoteRef: { key: 'prod/db-postgres/credentials', property: 'app-password' },
    });
  });

  test('resources follow apps.size; the pods run on the general pool', () => {
    const prod = cronJobs(objectsOf(configs.prod));
    const dev = cronJobs(objectsOf(configs.dev));
    expect(containerOf(prod[0]).resources.limits.memory).not.toEqual(containerOf(dev[0]).resources.limits.memory);
    expect(prod[0].spec.jobTemplate.spec.template.spec.nodeSelector).toEqual(configs.prod.nodePools.general.nodeSelector);
  });
});
