import { managedSecret } from '../lib/external-secret';
import { dataServiceRules } from '../lib/prometheus-rule';
import { metricsMonitor } from '../lib/service-monitor';
import { minioAlerts } from './alerts';
import { headlessService, tcpServicePort } from '../lib/services';
import { METRICS_TOKEN_KEY, MinioContext } from './context';
import { addScrapePolicy } from './network';
import { API_PORT } from './props';

/**
 * Metrics v3 (`/minio/metrics/v3`, MinIO >= RELEASE.2024-03-15): every server serves them on the
 * API port, behind the JWT `mc admin prometheus generate` prints (kept in the store, read by an
 * ExternalSecret). A headless Service over every server, the ServiceMonitor, and the scrapers' policy.
 */
export const METRICS_PATH = '/minio/metrics/v3';

export function addMonitoring(ctx: MinioContext): void {
  managedSecret(ctx.scope, 'MetricsToken', {
    name: ctx.names.metricsToken,
    namespace: ctx.namespace,
    labels: ctx.labelsFor('metrics'),
    store: ctx.props.secretStore,
    keys: [{ secretKey: METRICS_TOKEN_KEY, remoteKey: ctx.props.metricsTokenRemoteKey, property: METRICS_TOKEN_KEY }],
  });
  headlessService(ctx.scope, 'MetricsService', {
    metadata: ctx.meta(ctx.names.metrics, 'metrics'),
    selector: ctx.servers,
    ports: [tcpServicePort('metrics', API_PORT, 'api')],
  });
  metricsMonitor(ctx.scope, 'Monitor', {
    name: ctx.name,
    namespace: ctx.namespace,
    labels: ctx.labelsFor('metrics'),
    serviceSelector: ctx.monitorSelector(),
    portName: 'metrics',
    path: METRICS_PATH,
    bearerToken: { secretName: ctx.names.metricsToken, key: METRICS_TOKEN_KEY },
    ...(ctx.props.tls.enabled
      ? { tls: { caSecret: `${ctx.name}-tls`, caKey: 'ca.crt', serverName: `${ctx.names.metrics}.${ctx.namespace}.svc` } }
      : {}),
  });
  dataServiceRules(ctx.scope, {
    name: ctx.name,
    namespace: ctx.namespace,
    labels: ctx.labelsFor('metrics'),
    service: minioAlerts(ctx.namespace, ctx.name),
    backups: false,
  });
  addScrapePolicy(ctx);
}
