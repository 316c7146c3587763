import { k8s } from 'cdk8s-plus-28';
import { networkPeerOf } from '../lib/connections';
import { allowIngressPolicy } from '../lib/network';
import { containerSecurityContext } from '../lib/pod-defaults';
import { httpGetProbe, tcpSocketProbe } from '../lib/probes';
import { nodePoolSpec } from '../lib/scheduling';
import { metricsMonitor } from '../lib/service-monitor';
import { clusterIpService, tcpServicePort } from '../lib/services';
import { KafkaContext } from './context';
import { addInternalClientPolicies } from './network';
import { EXPORTER_PORT } from './props';
import { dataServiceRules } from '../lib/prometheus-rule';
import { kafkaAlerts } from './alerts';

/**
 * danielqsj/kafka-exporter as one Deployment (not a sidecar: it reads cluster-wide topic, offset
 * and consumer-group metrics, which a sidecar per broker would report three times), logged in as
 * `monitor` with SCRAM-SHA-512. Kubernetes expands `$(MONITOR_PASSWORD)` from the Secret into the
 * argument (the exporter has no password file flag); it is visible in the pod only, never in git.
 */
export function addMonitoring(ctx: KafkaContext): void {
  const selector = ctx.selector('metrics');
  new k8s.KubeDeployment(ctx.scope, 'Exporter', {
    metadata: ctx.meta(`${ctx.name}-exporter`, 'metrics'),
    spec: {
      replicas: 1,
      selector: { matchLabels: { ...selector } },
      template: {
        metadata: { labels: ctx.labelsFor('metrics') },
        spec: {
          securityContext: ctx.podSecurity(),
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          ...nodePoolSpec(ctx.props.nodePool),
          containers: [exporterContainer(ctx)],
        },
      },
    },
  });
  clusterIpService(ctx.scope, 'MetricsService', {
    metadata: ctx.meta(`${ctx.name}-metrics`, 'metrics'),
    selector,
    ports: [tcpServicePort('metrics', EXPORTER_PORT, 'metrics')],
  });
  metricsMonitor(ctx.scope, 'Monitor', {
    name: ctx.name,
    namespace: ctx.namespace,
    labels: ctx.labelsFor('metrics'),
    serviceSelector: ctx.monitorSelector(),
    portName: 'metrics',
  });
  dataServiceRules(ctx.scope, {
    name: ctx.name,
    namespace: ctx.namespace,
    labels: ctx.labelsFor('metrics'),
    service: kafkaAlerts(ctx.namespace, ctx.name, ctx.props.replicas),
    backups: false,
  });
  addInternalClientPolicies(ctx, 'metrics', selector);
  if (ctx.props.scrapers.length > 0) {
    allowIngressPolicy(ctx.scope, 'MetricsIngress', {
      name: `${ctx.name}-metrics`,
      namespace: ctx.namespace,
      labels: ctx.labelsFor('metrics'),
      podSelector: selector,
      from: ctx.props.scrapers.map(networkPeerOf),
      ports: [EXPORTER_PORT],
    });
  }
}

function exporterContainer(ctx: KafkaContext): k8s.Container {
  return {
    name: 'exporter',
    image: ctx.props.exporterImage,
    args: [
      `--kafka.server=${ctx.bootstrapServers}`,
      '--sasl.enabled',
      '--sasl.mechanism=scram-sha512',
      '--sasl.username=monitor',
      '--sasl.password=$(MONITOR_PASSWORD)',
      `--web.listen-address=:${EXPORTER_PORT}`,
    ],
    env: [ctx.passwordEnv('MONITOR_PASSWORD', 'monitor')],
    ports: [{ name: 'metrics', containerPort: EXPORTER_PORT, protocol: 'TCP' }],
    resources: ctx.props.exporterResources.toKube(),
    securityContext: containerSecurityContext(),
    livenessProbe: tcpSocketProbe('metrics', { initialDelaySeconds: 10, periodSeconds: 20 }),
    readinessProbe: httpGetProbe('/', 'metrics', { periodSeconds: 10 }),
  };
}
