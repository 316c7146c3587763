import { ApiObject } from 'cdk8s';
import { ConcurrencyPolicy, k8s, RestartPolicy } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { imageVersion, standardLabels } from '../lib/labels';
import { INetworkPeer } from '../lib/network';
import { TMP, writableMounts, writableVolumes } from '../lib/pod-defaults';
import { prometheusRule } from '../lib/prometheus-rule';
import { PropChecks } from '../lib/prop-errors';
import { Resources } from '../lib/resources';
import { appWorkloadSelector } from '../lib/workload/app-workload';
import { ConnectablePod, connectEndpoint, plainEnvVars, secretEnvVars } from '../lib/workload/connect';
import { ClientEndpoint, ConnectOptions } from '../lib/workload/endpoint';
import { hardenedContainer, hardenedPodSpec } from '../lib/workload/pod';
import { APP_UID, AppWorkloadProps } from '../lib/workload/props';
import { checkEnv, resolveIdentity, resolvePodScope } from '../lib/workload/resolve';
import { scheduledTaskAlerts } from './alerts';
import { checkCronSchedule, isTimeZone } from './cron';

/** `app.kubernetes.io/component` of a ScheduledTask. */
export const SCHEDULED_TASK_COMPONENT = 'batch';
/** The time zone of a schedule unless `timeZone` says otherwise: never the controller's local time. */
export const DEFAULT_TIME_ZONE = 'Etc/UTC';
/** Longest run of one Job unless `activeDeadlineSeconds` says otherwise. */
export const DEFAULT_ACTIVE_DEADLINE_SECONDS = 3600;
/** The CronJob controller looks for due runs every 10 seconds; a shorter starting deadline may skip every run. */
const MIN_STARTING_DEADLINE_SECONDS = 10;
const WEEK_SECONDS = 7 * 24 * 3600;

/** The restart policies a Job's pod may have (`Always` is for long-running pods only). */
export type TaskRestartPolicy = RestartPolicy.NEVER | RestartPolicy.ON_FAILURE;

/**
 * Props of a ScheduledTask. The pod props are the application workloads' own (`AppWorkloadProps`),
 * so a task reads like a service: the same image pin, resources, node pool, env and secret env.
 */
export interface ScheduledTaskProps extends Pick<
  AppWorkloadProps,
  | 'namespace'
  | 'name'
  | 'image'
  | 'resources'
  | 'nodePool'
  | 'podSecurity'
  | 'partOf'
  | 'labelDomain'
  | 'secretStore'
  | 'env'
  | 'secretEnv'
  | 'command'
  | 'args'
> {
  /** When to run: five cron fields (minute hour day-of-month month day-of-week), read in `timeZone`. No default. */
  readonly schedule: string;
  /** IANA time zone of the schedule (the CronJob `timeZone` field, stable since Kubernetes 1.27). @default DEFAULT_TIME_ZONE ('Etc/UTC') */
  readonly timeZone?: string;
  /** What happens when a run is due while the last one still runs. @default ConcurrencyPolicy.FORBID (skip the new run) */
  readonly concurrencyPolicy?: ConcurrencyPolicy;
  /** Finished Jobs kept for inspection. @default 3 */
  readonly successfulJobsHistoryLimit?: number;
  /** Failed Jobs kept for inspection (Kubernetes keeps 1). @default 3 */
  readonly failedJobsHistoryLimit?: number;
  /** Seconds one run may take, retries included, before its pods are stopped and the Job fails. @default DEFAULT_ACTIVE_DEADLINE_SECONDS (3600) */
  readonly activeDeadlineSeconds?: number;
  /** Retries of a failed pod before the Job fails (Kubernetes retries 6 times). @default 2 */
  readonly backoffLimit?: number;
  /**
   * Seconds after its due time a missed run may still start (controller down, Forbid). Also bounds
   * the controller's count of missed runs, which stops a CronJob for good above 100. @default 300
   */
  readonly startingDeadlineSeconds?: number;
  /** Create no new Jobs (a DR environment at rest); running Jobs finish. @default false */
  readonly suspend?: boolean;
  /** Delete a finished Job (and its pods, and their logs) this many seconds after it ends. @default - none: the history limits prune */
  readonly ttlSecondsAfterFinished?: number;
  /** Restart policy of the pod: `Never` keeps each failed pod (and its logs) and retries in a new one. @default RestartPolicy.NEVER */
  readonly restartPolicy?: TaskRestartPolicy;
  /** Emit the PrometheusRule `<name>-alerts` (`ScheduledTaskFailed`, from kube-state-metrics). @default true */
  readonly alerts?: boolean;
}

/** The CronJob's own settings with their defaults applied. */
interface ResolvedSchedule {
  readonly timeZone: string;
  readonly concurrencyPolicy: ConcurrencyPolicy;
  readonly successfulJobsHistoryLimit: number;
  readonly failedJobsHistoryLimit: number;
  readonly activeDeadlineSeconds: number;
  readonly backoffLimit: number;
  readonly startingDeadlineSeconds: number;
  readonly suspend: boolean;
  readonly restartPolicy: TaskRestartPolicy;
}

/**
 * A batch job on a schedule: a CronJob whose pod is hardened like every application pod (PSS
 * restricted, read-only root with `/tmp`, its own ServiceAccount without a token, requests and a
 * memory limit), with bounded runs (deadline, backoff, history) and `connectsTo` for the data
 * services it works on. It serves nothing: no Service, no probes (the gate asks probes of
 * long-running containers only), no ingress allows; its namespace's default-deny and DNS allow
 * plus one egress policy per `connectsTo` are its whole network. A failed run raises
 * `ScheduledTaskFailed` (PrometheusRule `<name>-alerts`). See docs/constructs/scheduled-task.md.
 */
export class ScheduledTask extends Construct implements INetworkPeer {
  public readonly name: string;
  public readonly namespace: string;
  /** Labels that select exactly this task's pods. */
  public readonly selector: Readonly<Record<string, string>>;
  /** Labels of every object. */
  public readonly labels: Readonly<Record<string, string>>;
  /** The pods run as this ServiceAccount (no token mounted). */
  public readonly serviceAccountName: string;
  public readonly schedule: string;
  public readonly timeZone: string;
  /** True when the CronJob creates no Jobs (`suspend`). */
  public readonly suspended: boolean;
  /** The CronJob object. */
  public readonly cronJob: ApiObject;
  private readonly pod: ConnectablePod;

  constructor(scope: Construct, id: string, props: ScheduledTaskProps) {
    super(scope, id);
    const check = new PropChecks(this);
    const { namespace, name, image } = resolveIdentity(this, id, props, check);
    checkEnv(props, check);
    const { podSecurity, labelDomain, partOf } = resolvePodScope(props, APP_UID, check);
    const s = resolveSchedule(props, check);
    check.throwIfAny();
    this.name = name;
    this.namespace = namespace;
    this.schedule = props.schedule.trim().split(/\s+/).join(' ');
    this.timeZone = s.timeZone;
    this.suspended = s.suspend;
    this.selector = appWorkloadSelector(name);
    this.labels = standardLabels({ name, instance: name, component: SCHEDULED_TASK_COMPONENT, partOf, labelDomain, version: imageVersion(image) });
    this.serviceAccountName = name;
    new k8s.KubeServiceAccount(this, 'ServiceAccount', { metadata: this.meta(name), automountServiceAccountToken: false });
    const owner = { name, namespace, labels: this.labels, secretStore: props.secretStore };
    const env = [...plainEnvVars(props.env), ...secretEnvVars(this, owner, props.secretEnv)];
    const volumes = writableVolumes([TMP]);
    const mounts = writableMounts([TMP]);
    const container = hardenedContainer({
      image,
      resources: (props.resources ?? Resources.SMALL).toKube(),
      env,
      volumeMounts: mounts,
      command: props.command,
      args: props.args,
    });
    // The pod template's labels; connectsTo adds client labels to them.
    const podLabels: Record<string, string> = { ...this.labels };
    const podSpec: k8s.PodSpec = {
      ...hardenedPodSpec({ serviceAccountName: this.serviceAccountName, podSecurity, nodePool: props.nodePool }),
      restartPolicy: s.restartPolicy,
      // A batch pod talks to what it connects to by name; Service env vars would only leak the namespace's layout.
      enableServiceLinks: false,
      containers: [container],
      volumes,
    };
    this.cronJob = new k8s.KubeCronJob(this, 'CronJob', {
      metadata: this.meta(name),
      spec: this.cronJobSpec(s, { metadata: { labels: podLabels }, spec: podSpec }, props.ttlSecondsAfterFinished),
    });
    this.pod = { ...owner, selector: this.selector, podLabels, env, volumes, mounts, prefixes: new Set<string>(), egressNames: new Set<string>() };
    if (props.alerts ?? true) {
      prometheusRule(this, 'Alerts', {
        name: `${name}-alerts`,
        namespace,
        labels: { ...this.labels },
        groups: [scheduledTaskAlerts(namespace, name)],
      });
    }
  }

  public get peerNamespace(): string {
    return this.namespace;
  }

  public get peerSelector(): Readonly<Record<string, string>> {
    return this.selector;
  }

  /**
   * Connects to a data service, as `AppWorkload.connectsTo` does (the same code): env vars, an
   * ExternalSecret `<name>-<prefix>` for the password (and CA), and the egress NetworkPolicy
   * `<name>-to-<prefix>`. The server's chart admits these pods.
   */
  public connectsTo(endpoint: ClientEndpoint, options: ConnectOptions = {}): void {
    connectEndpoint(this, this.pod, endpoint, options);
  }

  private cronJobSpec(s: ResolvedSchedule, template: k8s.PodTemplateSpec, ttl: number | undefined): k8s.CronJobSpec {
    return {
      schedule: this.schedule,
      timeZone: s.timeZone,
      concurrencyPolicy: s.concurrencyPolicy,
      startingDeadlineSeconds: s.startingDeadlineSeconds,
      successfulJobsHistoryLimit: s.successfulJobsHistoryLimit,
      failedJobsHistoryLimit: s.failedJobsHistoryLimit,
      suspend: s.suspend,
      jobTemplate: {
        metadata: { labels: { ...this.labels } },
        spec: {
          activeDeadlineSeconds: s.activeDeadlineSeconds,
          backoffLimit: s.backoffLimit,
          ...(ttl !== undefined ? { ttlSecondsAfterFinished: ttl } : {}),
          template,
        },
      },
    };
  }

  private meta(name: string): k8s.ObjectMeta {
    return { name, namespace: this.namespace, labels: { ...this.labels } };
  }
}

/** The CronJob settings with defaults, every problem recorded on `check`. */
function resolveSchedule(props: ScheduledTaskProps, check: PropChecks): ResolvedSchedule {
  checkCronSchedule(props.schedule, 'schedule', check);
  const timeZone = props.timeZone ?? DEFAULT_TIME_ZONE;
  check.that(isTimeZone(timeZone), 'timeZone', 'must be an IANA time zone such as Etc/UTC or Europe/Berlin', timeZone);
  const concurrencyPolicy = props.concurrencyPolicy ?? ConcurrencyPolicy.FORBID;
  check.that(
    Object.values(ConcurrencyPolicy).includes(concurrencyPolicy),
    'concurrencyPolicy',
    'must be Allow, Forbid or Replace',
    concurrencyPolicy,
  );
  const restartPolicy = props.restartPolicy ?? RestartPolicy.NEVER;
  check.that(
    restartPolicy === RestartPolicy.NEVER || restartPolicy === RestartPolicy.ON_FAILURE,
    'restartPolicy',
    'must be Never or OnFailure: a Job pod runs to completion',
    restartPolicy,
  );
  const r: ResolvedSchedule = {
    timeZone,
    concurrencyPolicy,
    restartPolicy,
    successfulJobsHistoryLimit: props.successfulJobsHistoryLimit ?? 3,
    failedJobsHistoryLimit: props.failedJobsHistoryLimit ?? 3,
    activeDeadlineSeconds: props.activeDeadlineSeconds ?? DEFAULT_ACTIVE_DEADLINE_SECONDS,
    backoffLimit: props.backoffLimit ?? 2,
    startingDeadlineSeconds: props.startingDeadlineSeconds ?? 300,
    suspend: props.suspend ?? false,
  };
  check.integer(r.successfulJobsHistoryLimit, 'successfulJobsHistoryLimit', 0, 100);
  check.integer(r.failedJobsHistoryLimit, 'failedJobsHistoryLimit', 0, 100);
  check.integer(r.activeDeadlineSeconds, 'activeDeadlineSeconds', 1, WEEK_SECONDS);
  check.integer(r.backoffLimit, 'backoffLimit', 0, 20);
  check.integer(r.startingDeadlineSeconds, 'startingDeadlineSeconds', MIN_STARTING_DEADLINE_SECONDS, WEEK_SECONDS);
  check.integer(props.ttlSecondsAfterFinished, 'ttlSecondsAfterFinished', 0, WEEK_SECONDS);
  check.that(typeof r.suspend === 'boolean', 'suspend', 'must be true or false', r.suspend);
  return r;
}
