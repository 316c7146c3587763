import { EnvironmentConfig, EnvironmentName } from '../../environments/types';
import { APPS_TEAM, PLATFORM_TEAM } from './rules';

/**
 * The Alertmanager configuration of an environment, as a plain object: kube-prometheus-stack's
 * `alertmanager.config` value (https://prometheus.io/docs/alerting/0.25/configuration/). Routing
 * is by team (the alert's `team` label, else its namespace) and severity (`critical` pages,
 * `warning` is a Slack message), with inhibitions and grouping against alert storms. No secret is
 * in it: the PagerDuty routing keys and Slack webhook URLs are files of the Secret
 * RECEIVER_SECRET (an ExternalSecret of the monitoring chart), which the Alertmanager pods mount
 * at RECEIVER_SECRET_DIR (`alertmanager.alertmanagerSpec.secrets`).
 */

/** The Secret holding the receivers' credentials, one key per file (`pagerduty-<team>`, `slack-<team>`). */
export const RECEIVER_SECRET = 'alertmanager-receivers';
/** Where prometheus-operator mounts a Secret listed in `alertmanagerSpec.secrets`. */
export const RECEIVER_SECRET_DIR = `/etc/alertmanager/secrets/${RECEIVER_SECRET}`;

/** A team receives the alerts of its namespaces and those labelled `team: <name>`. */
export interface Team {
  readonly name: string;
  readonly namespaces: readonly string[];
  /** Slack channel of its warnings. */
  readonly channel: string;
}

/** The teams, one per layer of the architecture. Every platform namespace belongs to exactly one (tested). */
export const TEAMS: readonly Team[] = [
  { name: APPS_TEAM, namespaces: ['app-core', 'app-agents', 'app-frontend', 'app-integration', 'app-batch'], channel: '#receivables-apps-alerts' },
  {
    name: 'data',
    namespaces: ['db-postgres', 'db-clickhouse', 'db-redis', 'db-elasticsearch', 'storage-minio'],
    channel: '#receivables-data-alerts',
  },
  {
    name: PLATFORM_TEAM,
    namespaces: ['monitoring', 'ingress', 'cert-manager', 'security', 'keda', 'istio-system', 'kube-system'],
    channel: '#receivables-platform-alerts',
  },
];

/** Environments whose critical alerts page (PagerDuty); elsewhere they go to Slack like warnings. */
export const PAGING_ENVIRONMENTS: readonly EnvironmentName[] = ['prod', 'dr'];

/**
 * Alerts that mean a whole service is down: while one fires, the warnings of its namespace are
 * symptoms of it (replica lag, disconnected replicas, full queues) and are held back.
 */
export const OUTAGE_ALERTS: readonly string[] = [
  'PostgresNoLeader',
  'PostgresDown',
  'RedisNoMaster',
  'ElasticsearchClusterRed',
  'KafkaBrokersMissing',
  'MinioWriteQuorumLost',
];

/** The receiver that drops: kube-prometheus-stack's `Watchdog` (always firing, a dead man's switch for an external check) and `InfoInhibitor`. */
export const NULL_RECEIVER = 'null';

export interface AlertmanagerRoute {
  readonly receiver?: string;
  readonly matchers?: readonly string[];
  readonly group_by?: readonly string[];
  readonly group_wait?: string;
  readonly group_interval?: string;
  readonly repeat_interval?: string;
  readonly continue?: boolean;
  readonly routes?: readonly AlertmanagerRoute[];
}

export interface InhibitRule {
  readonly source_matchers: readonly string[];
  readonly target_matchers: readonly string[];
  readonly equal: readonly string[];
}

export interface Receiver {
  readonly name: string;
  readonly pagerduty_configs?: readonly { readonly routing_key_file: string; readonly send_resolved: boolean; readonly severity?: string }[];
  readonly slack_configs?: readonly {
    readonly api_url_file: string;
    readonly channel: string;
    readonly send_resolved: boolean;
    readonly title: string;
    readonly text: string;
  }[];
}

export interface AlertmanagerConfig {
  readonly global: { readonly resolve_timeout: string };
  readonly route: AlertmanagerRoute;
  readonly inhibit_rules: readonly InhibitRule[];
  readonly receivers: readonly Receiver[];
}

/** The keys of RECEIVER_SECRET an environment needs, each read from `<env>/monitoring/alertmanager` (property = key). */
export function receiverSecretKeys(config: EnvironmentConfig): string[] {
  return TEAMS.flatMap((t) => [...(pages(config) ? [pagerDutyKey(t)] : []), slackKey(t)]);
}

export function alertmanagerConfig(config: EnvironmentConfig): AlertmanagerConfig {
  return {
    global: { resolve_timeout: '5m' },
    route: {
      receiver: ticketReceiver(TEAMS.find((t) => t.name === PLATFORM_TEAM)!),
      // One notification per alert and namespace: a failing node raises many alerts of one name, not one message each.
      group_by: ['alertname', 'namespace'],
      group_wait: '30s',
      group_interval: '5m',
      repeat_interval: '4h',
      routes: [{ receiver: NULL_RECEIVER, matchers: ['alertname=~"Watchdog|InfoInhibitor"'] }, ...TEAMS.flatMap((t) => teamRoutes(config, t))],
    },
    inhibit_rules: [
      // A critical alert says all its warning twin says.
      { source_matchers: ['severity="critical"'], target_matchers: ['severity="warning"'], equal: ['alertname', 'namespace'] },
      // kube-prometheus-stack's: info alerts only matter next to a real one.
      { source_matchers: ['alertname="InfoInhibitor"'], target_matchers: ['severity="info"'], equal: ['namespace'] },
      // A service down: its namespace's warnings are its symptoms.
      { source_matchers: [`alertname=~"${OUTAGE_ALERTS.join('|')}"`], target_matchers: ['severity="warning"'], equal: ['namespace'] },
      // The fast burn of an SLO covers its slow burn; a certificate about to expire covers its early warning.
      { source_matchers: ['alertname=~".+ErrorBudgetBurnFast"'], target_matchers: ['alertname=~".+ErrorBudgetBurnSlow"'], equal: ['slo'] },
      {
        source_matchers: ['alertname="CertificateExpiryCritical"'],
        target_matchers: ['alertname="CertificateExpiringSoon"'],
        equal: ['namespace', 'name'],
      },
    ],
    receivers: [{ name: NULL_RECEIVER }, ...TEAMS.flatMap((t) => teamReceivers(config, t))],
  };
}

function pages(config: EnvironmentConfig): boolean {
  return PAGING_ENVIRONMENTS.includes(config.name);
}

function pagerDutyKey(t: Team): string {
  return `pagerduty-${t.name}`;
}

function slackKey(t: Team): string {
  return `slack-${t.name}`;
}

function ticketReceiver(t: Team): string {
  return `${t.name}-slack`;
}

function pageReceiver(t: Team): string {
  return `${t.name}-pagerduty`;
}

/**
 * Two routes per team, one on its `team` label and one on its namespaces (Alertmanager matchers
 * are ANDed; the label wins, being first). Each sends critical alerts to the pager.
 */
function teamRoutes(config: EnvironmentConfig, t: Team): AlertmanagerRoute[] {
  const severity: AlertmanagerRoute[] = pages(config)
    ? [{ receiver: pageReceiver(t), matchers: ['severity="critical"'], repeat_interval: '1h' }]
    : [];
  const route = (matchers: string[]): AlertmanagerRoute => ({
    receiver: ticketReceiver(t),
    matchers,
    ...(severity.length ? { routes: severity } : {}),
  });
  return [route([`team="${t.name}"`]), route(['team=""', `namespace=~"${t.namespaces.join('|')}"`])];
}

function teamReceivers(config: EnvironmentConfig, t: Team): Receiver[] {
  const slack: Receiver = {
    name: ticketReceiver(t),
    slack_configs: [
      {
        api_url_file: `${RECEIVER_SECRET_DIR}/${slackKey(t)}`,
        channel: t.channel,
        send_resolved: true,
        title: `[${config.name}] {{ .Status | toUpper }} {{ .CommonLabels.alertname }} ({{ .CommonLabels.severity }})`,
        text: '{{ range .Alerts }}{{ .Annotations.summary }}\n{{ .Annotations.description }}\nRunbook: {{ .Annotations.runbook_url }}\n{{ end }}',
      },
    ],
  };
  if (!pages(config)) {
    return [slack];
  }
  return [
    slack,
    { name: pageReceiver(t), pagerduty_configs: [{ routing_key_file: `${RECEIVER_SECRET_DIR}/${pagerDutyKey(t)}`, send_resolved: true }] },
  ];
}
