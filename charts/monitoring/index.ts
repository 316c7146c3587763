import { App } from 'cdk8s';
import { managedSecret } from '../../constructs/lib/external-secret';
import { dashboardConfigMap, DashboardSpec } from '../../constructs/lib/grafana-dashboard';
import { prometheusRule } from '../../constructs/lib/prometheus-rule';
import { EnvironmentConfig } from '../../environments/types';
import { CORE_NAMESPACE } from '../app-core';
import { INTEGRATION_NAMESPACE } from '../app-integration';
import { CLICKHOUSE_NAMESPACE } from '../db-clickhouse';
import { ELASTICSEARCH_NAMESPACE } from '../db-elasticsearch';
import { POSTGRES_NAMESPACE } from '../db-postgres';
import { REDIS_NAMESPACE } from '../db-redis';
import { PlatformChart } from '../platform-chart';
import { MINIO_S3, MONITORING_NAMESPACE, SECRET_STORE } from '../shared';
import { RECEIVER_SECRET, receiverSecretKeys } from './alertmanager';
import { collectorIngress } from './collector';
import {
  clickhouseDashboard,
  DataNamespaces,
  elasticsearchDashboard,
  kafkaDashboard,
  minioDashboard,
  platformOverview,
  postgresDashboard,
  redisDashboard,
} from './dashboards';
import { apiSloGroups, certificateAlerts } from './rules';

export { alertmanagerConfig } from './alertmanager';

/** Where each data service runs, for its dashboard. Kafka lives in app-integration. */
export const DATA_NAMESPACES: DataNamespaces = {
  postgres: POSTGRES_NAMESPACE,
  redis: REDIS_NAMESPACE,
  clickhouse: CLICKHOUSE_NAMESPACE,
  kafka: INTEGRATION_NAMESPACE,
  minio: MINIO_S3.namespace,
  elasticsearch: ELASTICSEARCH_NAMESPACE,
};

/** The dashboards, by ConfigMap name. */
export function dashboards(): Record<string, DashboardSpec> {
  const ns = DATA_NAMESPACES;
  return {
    'dashboard-platform-overview': platformOverview(ns, CORE_NAMESPACE),
    'dashboard-postgres': postgresDashboard(ns.postgres),
    'dashboard-redis': redisDashboard(ns.redis),
    'dashboard-clickhouse': clickhouseDashboard(ns.clickhouse),
    'dashboard-kafka': kafkaDashboard(ns.kafka),
    'dashboard-minio': minioDashboard(ns.minio),
    'dashboard-elasticsearch': elasticsearchDashboard(ns.elasticsearch),
  };
}

/**
 * `monitoring`: our content for the monitoring add-ons (kube-prometheus-stack, the
 * OpenTelemetry Collector), which are installed from their Helm charts: the platform-wide
 * PrometheusRule `platform-alerts` (certificates, API SLOs), the Grafana dashboards, the Secret
 * of the Alertmanager receivers (an ExternalSecret from `<env>/monitoring/alertmanager`) and the
 * collector's ingress from the traced namespaces. The Alertmanager configuration itself is
 * `alertmanagerConfig(config)`, a value of the kube-prometheus-stack add-on. See docs/monitoring.md.
 */
export class MonitoringChart extends PlatformChart {
  constructor(scope: App, config: EnvironmentConfig) {
    super(scope, MONITORING_NAMESPACE, { config, namespace: MONITORING_NAMESPACE });
    const labels = { ...this.ns.commonLabels };
    prometheusRule(this, 'PlatformAlerts', {
      name: 'platform-alerts',
      namespace: MONITORING_NAMESPACE,
      labels,
      groups: [certificateAlerts(), ...apiSloGroups(CORE_NAMESPACE)],
    });
    for (const [name, dashboard] of Object.entries(dashboards())) {
      dashboardConfigMap(this, name, { name, namespace: MONITORING_NAMESPACE, labels, dashboard });
    }
    managedSecret(this, 'ReceiverSecret', {
      name: RECEIVER_SECRET,
      namespace: MONITORING_NAMESPACE,
      labels,
      store: SECRET_STORE,
      keys: receiverSecretKeys(config).map((key) => ({ secretKey: key, remoteKey: `${config.name}/monitoring/alertmanager`, property: key })),
    });
    collectorIngress(this, labels);
  }
}
