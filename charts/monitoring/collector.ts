import { Construct } from 'constructs';
import { allowIngressPolicy } from '../../constructs/lib/network';
import { exemptFromPolicy } from '../../constructs/lib/policy-exemption';
import { OtlpCollector, TracingProps } from '../../constructs/lib/tracing';
import { EnvironmentConfig, EnvironmentName } from '../../environments/types';
import { MONITORING_NAMESPACE } from '../shared';

/**
 * The OpenTelemetry Collector every application service sends traces to. The collector itself
 * is an add-on (the opentelemetry-collector Helm chart, release `otel-collector` in `monitoring`,
 * exporting to Jaeger): its Service is `otel-collector` and its pods carry the chart's
 * `app.kubernetes.io/name: opentelemetry-collector`.
 */
export const OTEL_COLLECTOR: OtlpCollector = {
  host: `otel-collector.${MONITORING_NAMESPACE}.svc`,
  port: 4317,
  peerNamespace: MONITORING_NAMESPACE,
  peerSelector: { 'app.kubernetes.io/name': 'opentelemetry-collector' },
};

/** The namespaces whose services send traces (appServiceBase: app-core, app-agents, app-integration). */
export const TRACED_NAMESPACES = ['app-core', 'app-agents', 'app-integration'] as const;

/** Share of new traces kept: every trace where traffic is low, a tenth in prod (and DR, its copy). */
export const TRACE_SAMPLING: Readonly<Record<EnvironmentName, number>> = { dev: 1, staging: 1, prod: 0.1, dr: 0.1 };

/** The tracing props of the environment's application services. */
export function tracingFor(config: EnvironmentConfig): TracingProps {
  return { collector: OTEL_COLLECTOR, environment: config.name, samplingRatio: TRACE_SAMPLING[config.name] };
}

/** The collector's side of the traced services' egress: their namespaces in, on the OTLP/gRPC port. */
export function collectorIngress(scope: Construct, labels: Record<string, string>): void {
  const policy = allowIngressPolicy(scope, 'CollectorIngress', {
    name: 'otel-collector-from-apps',
    namespace: OTEL_COLLECTOR.peerNamespace,
    labels,
    podSelector: { ...OTEL_COLLECTOR.peerSelector },
    from: TRACED_NAMESPACES.map((ns) => ({ peerNamespace: ns, peerSelector: {} })),
    ports: [OTEL_COLLECTOR.port],
  });
  exemptFromPolicy(policy, 'ref.netpol-selector', 'selects the OpenTelemetry Collector pods of the add-on chart, which are not in the manifests');
}
