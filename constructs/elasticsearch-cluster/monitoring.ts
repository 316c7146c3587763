import { k8s } from 'cdk8s-plus-28';
import { networkPeerOf } from '../lib/connections';
import { allowIngressPolicy } from '../lib/network';
import { containerSecurityContext } from '../lib/pod-defaults';
import { httpGetProbe, tcpSocketProbe } from '../lib/probes';
import { dataServiceRules } from '../lib/prometheus-rule';
import { metricsMonitor } from '../lib/service-monitor';
import { elasticsearchAlerts } from './alerts';
import { headlessService, tcpServicePort } from '../lib/services';
import { CREDENTIAL_KEYS, EsContext } from './context';
import { EXPORTER_PORT, HTTP_PORT } from './props';
import { MONITORING_USER } from './rest';

/**
 * prometheus-community elasticsearch_exporter next to each node, reading that node's stats over
 * loopback as the built-in `remote_monitoring_user` (password set by the setup Job). Loopback
 * TLS skips hostname verification: the certificate names the Services, not localhost, and the
 * traffic never leaves the pod.
 */
export function exporterContainer(ctx: EsContext): k8s.Container {
  const tls = ctx.props.tls.enabled;
  return {
    name: 'metrics',
    image: ctx.props.exporterImage,
    args: [
      `--es.uri=${tls ? 'https' : 'http'}://localhost:${HTTP_PORT}`,
      ...(tls ? ['--es.ssl-skip-verify'] : []),
      `--web.listen-address=:${EXPORTER_PORT}`,
    ],
    env: [{ name: 'ES_USERNAME', value: MONITORING_USER }, ctx.secretEnv('ES_PASSWORD', ctx.names.credentials, CREDENTIAL_KEYS.monitoring)],
    ports: [{ name: 'metrics', containerPort: EXPORTER_PORT, protocol: 'TCP' }],
    resources: ctx.props.exporterResources.toKube(),
    securityContext: containerSecurityContext(),
    livenessProbe: tcpSocketProbe('metrics', { initialDelaySeconds: 10, periodSeconds: 20 }),
    readinessProbe: httpGetProbe('/healthz', 'metrics', { periodSeconds: 10 }),
  };
}

/** A headless Service over every node's exporter, its ServiceMonitor, and the scrapers' policy. */
export function addMonitoring(ctx: EsContext): void {
  const { scrapers } = ctx.props;
  headlessService(ctx.scope, 'MetricsService', {
    metadata: ctx.meta(`${ctx.name}-metrics`, 'metrics'),
    selector: ctx.allNodes,
    ports: [tcpServicePort('metrics', EXPORTER_PORT, 'metrics')],
  });
  metricsMonitor(ctx.scope, 'Monitor', {
    name: ctx.name,
    namespace: ctx.namespace,
    labels: ctx.labelsFor('search'),
    serviceSelector: ctx.monitorSelector(),
    portName: 'metrics',
  });
  dataServiceRules(ctx.scope, {
    name: ctx.name,
    namespace: ctx.namespace,
    labels: ctx.labelsFor('search'),
    service: elasticsearchAlerts(ctx.namespace, ctx.name),
    backups: false,
  });
  if (scrapers.length > 0) {
    allowIngressPolicy(ctx.scope, 'MetricsIngress', {
      name: `${ctx.name}-metrics`,
      namespace: ctx.namespace,
      labels: ctx.labelsFor('search'),
      podSelector: { ...ctx.allNodes },
      from: scrapers.map(networkPeerOf),
      ports: [EXPORTER_PORT],
    });
  }
}
