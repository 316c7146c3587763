/* eslint-disable @typescript-eslint/no-explicit-any */
import { Chart, Testing } from 'cdk8s';
import { ConcurrencyPolicy, RestartPolicy } from 'cdk8s-plus-28';
import { ClientEndpoint, Resources } from '../../../constructs';
import { PlatformNamespace } from '../../../constructs/platform-namespace';
import { ScheduledTask, ScheduledTaskProps } from '../../../constructs/scheduled-task';
import { PG_TLS_ENDPOINT } from '../../helpers/endpoints';
import { errorOf } from '../../helpers/errors';
import { gateErrors } from '../../helpers/gate';
import { constructSnapshot } from '../../helpers/snapshot';

const NS = 'app-batch';
const BASE: ScheduledTaskProps = {
  namespace: NS,
  image: 'registry.example.com/receivables/batch-jobs:1.0.0',
  secretStore: { name: 'platform-secrets' },
  schedule: '0 2 * * *',
};
const PG = PG_TLS_ENDPOINT;

function build(props: Partial<ScheduledTaskProps> = {}, connect: ClientEndpoint[] = []): { objects: any[]; task: ScheduledTask } {
  const chart = new Chart(Testing.app(), 'test', { disableResourceNameHashes: true });
  new PlatformNamespace(chart, 'Ns', { name: NS });
  new PlatformNamespace(chart, 'NsPg', { name: 'db-postgres' });
  const task = new ScheduledTask(chart, 'Reconcile', { ...BASE, ...props });
  connect.forEach((e) => task.connectsTo(e));
  return { objects: Testing.synth(chart), task };
}
const cronJobOf = (objects: any[]): any => objects.find((o) => o.kind === 'CronJob');
const podOf = (objects: any[]): any => cronJobOf(objects).spec.jobTemplate.spec.template.spec;

describe('ScheduledTask', () => {
  test('the defaults: UTC, Forbid, 3 + 3 history, one hour deadline, 2 retries, 300 s starting deadline, not suspended, Never', () => {
    const spec = cronJobOf(build().objects).spec;
    expect(spec).toMatchObject({
      schedule: '0 2 * * *',
      timeZone: 'Etc/UTC',
      concurrencyPolicy: 'Forbid',
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 3,
      startingDeadlineSeconds: 300,
      suspend: false,
    });
    expect(spec.jobTemplate.spec).toMatchObject({ activeDeadlineSeconds: 3600, backoffLimit: 2 });
    expect(spec.jobTemplate.spec.ttlSecondsAfterFinished).toBeUndefined();
    expect(spec.jobTemplate.spec.template.spec.restartPolicy).toBe('Never');
  });

  test('every setting is passed through', () => {
    const { objects, task } = build({
      schedule: '15  8-18 * * MON-FRI',
      timeZone: 'Europe/Berlin',
      concurrencyPolicy: ConcurrencyPolicy.REPLACE,
      successfulJobsHistoryLimit: 1,
      failedJobsHistoryLimit: 5,
      activeDeadlineSeconds: 900,
      backoffLimit: 0,
      startingDeadlineSeconds: 60,
      suspend: true,
      ttlSecondsAfterFinished: 86400,
      restartPolicy: RestartPolicy.ON_FAILURE,
    });
    const spec = cronJobOf(objects).spec;
    expect(spec).toMatchObject({
      schedule: '15 8-18 * * MON-FRI',
      timeZone: 'Europe/Berlin',
      concurrencyPolicy: 'Replace',
      successfulJobsHistoryLimit: 1,
    });
    expect(spec).toMatchObject({ failedJobsHistoryLimit: 5, startingDeadlineSeconds: 60, suspend: true });
    expect(spec.jobTemplate.spec).toMatchObject({ activeDeadlineSeconds: 900, backoffLimit: 0, ttlSecondsAfterFinished: 86400 });
    expect(spec.jobTemplate.spec.template.spec.restartPolicy).toBe('OnFailure');
    expect([task.suspended, task.schedule, task.timeZone]).toEqual([true, '15 8-18 * * MON-FRI', 'Europe/Berlin']);
  });

  test('the pod is hardened: own ServiceAccount without token, restricted contexts, read-only root with /tmp, resources, no probes', () => {
    const { objects } = build({ resources: Resources.MICRO, command: ['node', 'dist/reconcile.js'] });
    const pod = podOf(objects);
    expect(pod.serviceAccountName).toBe('reconcile');
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.enableServiceLinks).toBe(false);
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: 'RuntimeDefault' } });
    const c = pod.containers[0];
    expect(c.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    expect(c.volumeMounts).toEqual([{ name: 'tmp', mountPath: '/tmp' }]);
    expect(c.resources).toEqual({ requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } });
    expect(c.command).toEqual(['node', 'dist/reconcile.js']);
    expect([c.livenessProbe, c.readinessProbe, c.ports]).toEqual([undefined, undefined, undefined]);
    const sa = objects.find((o) => o.kind === 'ServiceAccount');
    expect([sa.metadata.name, sa.automountServiceAccountToken]).toEqual(['reconcile', false]);
  });

  test('labels: component batch, the version from the image tag, pod labels select the pods', () => {
    const { objects, task } = build();
    const cj = cronJobOf(objects);
    expect(cj.metadata.labels).toMatchObject({ 'app.kubernetes.io/component': 'batch', 'app.kubernetes.io/version': '1.0.0' });
    expect(cj.spec.jobTemplate.spec.template.metadata.labels).toMatchObject(task.selector);
    expect([task.peerNamespace, task.peerSelector]).toEqual([
      NS,
      { 'app.kubernetes.io/name': 'reconcile', 'app.kubernetes.io/instance': 'reconcile' },
    ]);
  });

  test('secretEnv comes from one ExternalSecret, plain env stays literal', () => {
    const { objects } = build({
      env: { REPORT_BUCKET: 'reports' },
      secretEnv: { SMTP_PASSWORD: { remoteKey: 'prod/app-batch/smtp', property: 'password' } },
    });
    expect(podOf(objects).containers[0].env).toEqual([
      { name: 'REPORT_BUCKET', value: 'reports' },
      { name: 'SMTP_PASSWORD', valueFrom: { secretKeyRef: { name: 'reconcile-env', key: 'SMTP_PASSWORD' } } },
    ]);
    const es = objects.find((o) => o.kind === 'ExternalSecret');
    expect([es.metadata.name, es.spec.data[0].remoteRef]).toEqual(['reconcile-env', { key: 'prod/app-batch/smtp', property: 'password' }]);
  });

  test('connectsTo: the same env, ExternalSecret, CA mount and egress policy as AppWorkload, and nothing else opens the pod', () => {
    const { objects } = build({}, [PG]);
    const env = Object.fromEntries(podOf(objects).containers[0].env.map((e: any) => [e.name, e.value ?? e.valueFrom.secretKeyRef.name]));
    expect(env).toEqual({
      POSTGRES_HOST: 'postgres.db-postgres.svc',
      POSTGRES_PORT: '5432',
      POSTGRES_USER: 'auth',
      POSTGRES_PASSWORD: 'reconcile-postgres',
      POSTGRES_DB: 'auth',
      POSTGRES_SSLMODE: 'verify-full',
      POSTGRES_CA_FILE: '/etc/tls/postgres/ca.crt',
    });
    expect(podOf(objects).volumes.map((v: any) => v.name)).toEqual(['tmp', 'postgres-ca']);
    const policies = objects.filter((o) => o.kind === 'NetworkPolicy' && o.metadata.name.startsWith('reconcile'));
    expect(policies.map((p) => [p.metadata.name, p.spec.policyTypes])).toEqual([['reconcile-to-postgres', ['Egress']]]);
    expect(policies[0].spec.podSelector.matchLabels).toEqual({ 'app.kubernetes.io/name': 'reconcile', 'app.kubernetes.io/instance': 'reconcile' });
    expect(policies[0].spec.egress[0].ports).toEqual([{ protocol: 'TCP', port: 5432 }]);
    expect(objects.filter((o) => o.kind === 'Service' || o.kind === 'PodDisruptionBudget')).toEqual([]);
  });

  // With a connection the gate also wants the server's pods (ref.netpol-peer): dist/ proves that (test/gate, app-batch).
  test('passes the gate (schema, policy, references) with the namespace it runs in', () => {
    expect(gateErrors(build({ secretEnv: { SMTP_PASSWORD: { remoteKey: 'prod/app-batch/smtp' } } }).objects)).toEqual([]);
  });

  test('fails when the schedule is not five valid cron fields, listing each bad field', () => {
    const err = errorOf(() => build({ schedule: '60 24 0 13 8' }));
    expect(err.problems.map((p) => p.rule)).toEqual([
      'minute "60": "60" must be 0-59',
      'hour "24": "24" must be 0-23',
      'day of month "0": "0" must be 1-31',
      'month "13": "13" must be 1-12 or a name such as JAN',
      'day of week "8": "8" must be 0-7 or a name such as SUN',
    ]);
    expect(err.message).toContain('test/Reconcile: schedule: minute "60": "60" must be 0-59 (got "60 24 0 13 8")');
  });

  test.each([
    ['0 2 * *', 'must have five fields'],
    ['@daily', 'must have five fields'],
    ['CRON_TZ=Europe/Berlin 0 2 * * *', 'set timeZone instead'],
    ['0 18-8 * * *', 'runs backwards'],
    ['*/0 * * * *', 'step "0" must be at least 1'],
    ['? * * * *', 'only allowed in the day-of-month and day-of-week fields'],
    ['0 2 * * MON-FRY', 'must be 0-7 or a name'],
  ])('fails when the schedule is %j', (schedule, rule) => {
    expect(errorOf(() => build({ schedule })).problems.map((p) => p.rule)).toEqual([expect.stringContaining(rule)]);
  });

  test.each(['*/15 * * * *', '0 8-18/2 * * 1-5', '30 6 1,15 * ?', '0 0 1 JAN,jul *', '0 3 * * 7'])('accepts the schedule %j', (schedule) => {
    expect(cronJobOf(build({ schedule }).objects).spec.schedule).toBe(schedule);
  });

  test('fails with every bad setting at once: field, rule and value', () => {
    const err = errorOf(() =>
      build({
        image: 'receivables/batch-jobs:latest',
        timeZone: 'Mars/Olympus',
        activeDeadlineSeconds: 0,
        backoffLimit: -1,
        startingDeadlineSeconds: 5,
        successfulJobsHistoryLimit: 101,
        failedJobsHistoryLimit: 1.5,
        ttlSecondsAfterFinished: -1,
        restartPolicy: 'Always' as RestartPolicy.NEVER,
        env: { DB_PASSWORD: 'x' },
      }),
    );
    expect(err.problems.map((p) => p.field)).toEqual([
      'image',
      'env.DB_PASSWORD',
      'timeZone',
      'restartPolicy',
      'successfulJobsHistoryLimit',
      'failedJobsHistoryLimit',
      'activeDeadlineSeconds',
      'backoffLimit',
      'startingDeadlineSeconds',
      'ttlSecondsAfterFinished',
    ]);
    expect(err.message).toContain('test/Reconcile: timeZone: must be an IANA time zone such as Etc/UTC or Europe/Berlin (got "Mars/Olympus")');
    expect(err.message).toContain('test/Reconcile: restartPolicy: must be Never or OnFailure: a Job pod runs to completion (got "Always")');
    expect(err.message).toContain('test/Reconcile: startingDeadlineSeconds: must be an integer from 10 to 604800 (got 5)');
  });

  test('alerts: ScheduledTaskFailed on a failed Job of this task only; none with alerts off', () => {
    const rule = build().objects.find((o) => o.kind === 'PrometheusRule');
    expect(rule.metadata.name).toBe('reconcile-alerts');
    expect(rule.spec.groups[0].rules.map((r: any) => [r.alert, r.expr, r.labels.severity])).toEqual([
      ['ScheduledTaskFailed', 'kube_job_status_failed{namespace="app-batch", job_name=~"reconcile-.*"} > 0', 'warning'],
    ]);
    expect(build({ alerts: false }).objects.filter((o) => o.kind === 'PrometheusRule')).toEqual([]);
  });

  test('fails when two connections share a prefix', () => {
    expect(errorOf(() => build({}, [PG, PG])).message).toContain('connectsTo: already connects to POSTGRES');
  });

  test('snapshot', () => {
    const { objects } = build({}, [PG]);
    expect(constructSnapshot(objects, ['CronJob/reconcile', 'NetworkPolicy/reconcile-to-postgres'])).toMatchSnapshot();
  });
});
