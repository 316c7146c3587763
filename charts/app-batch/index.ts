import { App } from 'cdk8s';
import { Resources } from '../../constructs/lib/resources';
import { ScheduledTask } from '../../constructs/scheduled-task';
import { imageRef, isStandby } from '../../environments/derive';
import { EnvironmentConfig } from '../../environments/types';
import { kafkaEndpoint } from '../app-integration';
import { clickhouseEndpoint } from '../db-clickhouse';
import { postgresEndpoint } from '../db-postgres';
import { redisEndpoint } from '../db-redis';
import { PlatformChart } from '../platform-chart';
import { EndpointOf, SECRET_STORE } from '../shared';

/** The namespace of the chart. */
export const BATCH_NAMESPACE = 'app-batch';
/** One image holds every batch job (`images.batchJobs`); the command picks the job. */
export const BATCH_IMAGE_KEY = 'batchJobs';
/** The business's time zone: reminders go out in its office hours, the nightly runs after its midnight. */
export const BUSINESS_TIME_ZONE = 'Europe/Berlin';

/** One batch job: its name, schedule, longest run and the data services it works on. */
export interface BatchJobSpec {
  readonly name: string;
  /** Five cron fields in BUSINESS_TIME_ZONE. */
  readonly schedule: string;
  readonly activeDeadlineSeconds: number;
  readonly uses: readonly EndpointOf[];
}

/** The jobs, in the order of the manifests. */
export const BATCH_JOBS: readonly BatchJobSpec[] = [
  // Hourly on the hour, 08:00-18:00 Monday to Friday: due and overdue invoices from PostgreSQL,
  // one reminder event each on Kafka, Redis keys so a reminder is never sent twice in a day.
  { name: 'payment-reminders', schedule: '0 8-18 * * 1-5', activeDeadlineSeconds: 900, uses: [postgresEndpoint, redisEndpoint, kafkaEndpoint] },
  // Nightly at 01:30, after the banks' end-of-day statements: matches payments to invoices in
  // PostgreSQL and publishes the matches as invoice events.
  { name: 'bank-reconciliation', schedule: '30 1 * * *', activeDeadlineSeconds: 7200, uses: [postgresEndpoint, kafkaEndpoint] },
  // Daily at 05:00 (weekly and monthly reports on their days), ready before the office opens:
  // aggregates from ClickHouse's invoice events, tenants and recipients from PostgreSQL.
  { name: 'report-generation', schedule: '0 5 * * *', activeDeadlineSeconds: 3600, uses: [postgresEndpoint, clickhouseEndpoint] },
];

/** The command of a job in the batch image. */
export function batchCommand(job: string): string[] {
  return ['node', `dist/jobs/${job}.js`];
}

/**
 * `app-batch`: the scheduled jobs, one `ScheduledTask` (CronJob) each, from the one pinned batch
 * image, at `apps.size`, on the general pool, each connected to the data services it needs
 * through the server charts' endpoint functions. On a DR environment at rest every CronJob is
 * suspended (`isStandby`): the standby's databases are read-only replicas and prod runs the jobs;
 * `npm run failover` sets `dr.failover` and the jobs resume. See docs/charts/app-batch.md.
 */
export class AppBatchChart extends PlatformChart {
  /** The jobs by name. */
  public readonly tasks: Readonly<Record<string, ScheduledTask>>;

  constructor(scope: App, config: EnvironmentConfig) {
    super(scope, BATCH_NAMESPACE, { config, namespace: BATCH_NAMESPACE });
    const tasks: Record<string, ScheduledTask> = {};
    for (const job of BATCH_JOBS) {
      const task = new ScheduledTask(this, job.name, {
        name: job.name,
        namespace: this.ns.name,
        image: imageRef(config, BATCH_IMAGE_KEY),
        command: batchCommand(job.name),
        schedule: job.schedule,
        timeZone: BUSINESS_TIME_ZONE,
        activeDeadlineSeconds: job.activeDeadlineSeconds,
        suspend: isStandby(config),
        resources: Resources.PRESETS[config.apps.size],
        nodePool: this.nodePool('general'),
        secretStore: SECRET_STORE,
      });
      for (const endpointOf of job.uses) {
        task.connectsTo(endpointOf(config));
      }
      tasks[job.name] = task;
    }
    this.tasks = tasks;
  }
}
