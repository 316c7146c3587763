import { Construct } from 'constructs';
import { PrometheusRule, PrometheusRuleSpecGroupsRulesExpr } from '../../imports/prometheus-rule-monitoring.coreos.com';

/**
 * Where the runbooks live: one section of docs/runbooks/alerts.md per alert, its anchor the
 * alert name in lower case. Overridable per rule set (`runbookBaseUrl`).
 */
export const DEFAULT_RUNBOOK_BASE_URL = 'https://git.receivables.example.com/platform/cdk8s-receivables-platform/-/blob/main/docs/runbooks/alerts.md';

export type AlertSeverity = 'critical' | 'warning';

/** A Prometheus metric name, as a recording rule's `record` must be. */
const RECORD_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

/** One alerting rule. Every alert has a `for:`, a severity, a summary, a description and a runbook. */
export interface AlertSpec {
  readonly alert: string;
  readonly expr: string;
  /** How long the condition must hold before the alert fires, e.g. `5m`. */
  readonly for: string;
  readonly severity: AlertSeverity;
  readonly summary: string;
  readonly description: string;
  /** More labels, for routing (e.g. `team`, `slo`). `severity` is set from `severity`. @default - none */
  readonly labels?: Readonly<Record<string, string>>;
}

/** One recording rule: `record` is the new series' name (`level:metric:operations`). */
export interface RecordingSpec {
  readonly record: string;
  readonly expr: string;
  /** @default - none */
  readonly labels?: Readonly<Record<string, string>>;
}

export interface AlertGroup {
  readonly name: string;
  readonly rules: readonly AlertSpec[];
  /** Recording rules, evaluated before the group's alerts. @default - none */
  readonly records?: readonly RecordingSpec[];
}

export interface PrometheusRuleProps {
  readonly name: string;
  readonly namespace: string;
  readonly labels: Record<string, string>;
  readonly groups: readonly AlertGroup[];
  /** @default DEFAULT_RUNBOOK_BASE_URL */
  readonly runbookBaseUrl?: string;
}

/** A Prometheus Operator PrometheusRule: the groups' alerts with severity labels and runbook annotations. */
export function prometheusRule(scope: Construct, id: string, props: PrometheusRuleProps): PrometheusRule {
  const base = props.runbookBaseUrl ?? DEFAULT_RUNBOOK_BASE_URL;
  const at = `${scope.node.path}/${id}: groups`;
  const offending = (rule: string, names: string[]): string[] => (names.length > 0 ? [`${at}: ${rule} (got ${names.join(', ')})`] : []);
  const alerts = props.groups.flatMap((g) => g.rules.map((r) => ({ g, r })));
  const records = props.groups.flatMap((g) => (g.records ?? []).map((r) => ({ g, r })));
  const problems = [
    ...offending('every alert needs a non-empty expr and for', alerts.filter(({ r }) => r.expr.trim() === '' || r.for === '').map(({ g, r }) => `${g.name}/${r.alert}`)),
    ...offending('labels must not set severity (use severity)', alerts.filter(({ r }) => 'severity' in (r.labels ?? {})).map(({ g, r }) => `${g.name}/${r.alert}`)),
    ...offending(
      'every record needs a metric name and a non-empty expr',
      records.filter(({ r }) => r.expr.trim() === '' || !RECORD_NAME.test(r.record)).map(({ g, r }) => `${g.name}/${r.record}`),
    ),
  ];
  if (problems.length > 0) {
    throw new Error(problems.join('\n'));
  }
  return new PrometheusRule(scope, id, {
    metadata: { name: props.name, namespace: props.namespace, labels: props.labels },
    spec: {
      groups: props.groups.map((g) => ({
        name: g.name,
        rules: [
          ...(g.records ?? []).map((r) => ({
            record: r.record,
            expr: PrometheusRuleSpecGroupsRulesExpr.fromString(r.expr),
            ...(r.labels ? { labels: { ...r.labels } } : {}),
          })),
          ...g.rules.map((r) => ({
          alert: r.alert,
          expr: PrometheusRuleSpecGroupsRulesExpr.fromString(r.expr),
          for: r.for,
          labels: { ...r.labels, severity: r.severity },
          annotations: { summary: r.summary, description: r.description, runbook_url: `${base}#${r.alert.toLowerCase()}` },
          })),
        ],
      })),
    },
  });
}

/** A PromQL label selector body scoping a metric to one construct's pods: `namespace="ns", <label>=~"name-.*"`. */
export function scoped(namespace: string, name: string, label = 'pod'): string {
  return `namespace="${namespace}", ${label}=~"${name}-.*"`;
}

/**
 * The alerts every stateful data service gets from kube-state-metrics and the kubelet: pods
 * crash-looping, PVCs almost full and, when it has backup CronJobs (named `<name>-...`), a
 * backup that failed or has not succeeded in 26 hours.
 */
export function platformAlerts(namespace: string, name: string, opts: { readonly backups: boolean }): AlertGroup {
  const pvc = `namespace="${namespace}", persistentvolumeclaim=~".*${name}-.*"`;
  const rules: AlertSpec[] = [
    {
      alert: 'PodCrashLooping',
      expr: `increase(kube_pod_container_status_restarts_total{${scoped(namespace, name)}}[15m]) > 3`,
      for: '5m',
      severity: 'warning',
      summary: `A container of ${namespace}/${name} keeps restarting`,
      description: 'Container {{ $labels.container }} of pod {{ $labels.pod }} restarted more than 3 times in 15 minutes.',
    },
    {
      alert: 'PersistentVolumeAlmostFull',
      expr: `kubelet_volume_stats_available_bytes{${pvc}} / kubelet_volume_stats_capacity_bytes{${pvc}} < 0.10`,
      for: '10m',
      severity: 'warning',
      summary: `A volume of ${namespace}/${name} is more than 90% full`,
      description: 'PVC {{ $labels.persistentvolumeclaim }} has {{ $value | humanizePercentage }} of its capacity left.',
    },
  ];
  if (opts.backups) rules.push(...backupAlerts(namespace, name));
  return { name: `${name}.platform`, rules };
}

/** `alert` (warning, 5m) when a Job named `<name>-...` in `namespace` has failed pods (kube-state-metrics). */
export function jobFailedAlert(namespace: string, name: string, alert: string, summary: string): AlertSpec {
  return {
    alert,
    expr: `kube_job_status_failed{${scoped(namespace, name, 'job_name')}} > 0`,
    for: '5m',
    severity: 'warning',
    summary,
    description: 'Job {{ $labels.job_name }} has failed pods.',
  };
}

function backupAlerts(namespace: string, name: string): AlertSpec[] {
  return [
    jobFailedAlert(namespace, name, 'BackupJobFailed', `A backup or maintenance job of ${namespace}/${name} failed`),
    {
      alert: 'BackupNotRecent',
      expr: `time() - kube_cronjob_status_last_successful_time{${scoped(namespace, name, 'cronjob')}} > 26 * 3600`,
      for: '15m',
      severity: 'critical',
      summary: `No successful backup of ${namespace}/${name} in 26 hours`,
      description: 'CronJob {{ $labels.cronjob }} last succeeded {{ $value | humanizeDuration }} ago.',
    },
  ];
}

export interface DataServiceRulesProps {
  readonly name: string;
  readonly namespace: string;
  readonly labels: Record<string, string>;
  /** The service's own alert group (from its exporter's metrics). */
  readonly service: AlertGroup;
  /** Whether the construct runs backup CronJobs named `<name>-...`. */
  readonly backups: boolean;
}

/** The PrometheusRule `<name>-alerts` of one data service: its own group plus the platform group. */
export function dataServiceRules(scope: Construct, props: DataServiceRulesProps): PrometheusRule {
  return prometheusRule(scope, 'Alerts', {
    name: `${props.name}-alerts`,
    namespace: props.namespace,
    labels: props.labels,
    groups: [props.service, platformAlerts(props.namespace, props.name, { backups: props.backups })],
  });
}

/** `up == 0` for the construct's scrape targets: the exporter (or the built-in endpoint) is not answering. */
export function exporterDown(namespace: string, name: string, what: string): AlertSpec {
  return {
    alert: 'MetricsTargetDown',
    expr: `up{${scoped(namespace, name)}} == 0`,
    for: '5m',
    severity: 'warning',
    summary: `The ${what} metrics of ${namespace}/${name} cannot be scraped`,
    description: 'Target {{ $labels.instance }} of pod {{ $labels.pod }} has been down for 5 minutes; the other alerts of this service are blind for it.',
  };
}
