import { k8s } from 'cdk8s-plus-28';
import { INetworkPeer } from './network';
import { PropChecks } from './prop-errors';

/**
 * Tracing through an OpenTelemetry Collector: the standard SDK env vars
 * (https://opentelemetry.io/docs/specs/otel/configuration/sdk-environment-variables/), which every
 * OpenTelemetry SDK and auto-instrumentation reads, so the image needs no config of its own.
 */

/** The collector's OTLP receiver: its Service and, as a NetworkPolicy peer, its pods. */
export interface OtlpCollector extends INetworkPeer {
  /** In-cluster host of the collector Service, e.g. `otel-collector.monitoring.svc`. */
  readonly host: string;
  /** OTLP/gRPC port of the Service and the pods (the collector's default is 4317). */
  readonly port: number;
}

export interface TracingProps {
  readonly collector: OtlpCollector;
  /** `deployment.environment` of every span (e.g. `prod`). */
  readonly environment: string;
  /** Share of new traces sampled, 0 to 1; a sampled parent is always followed. @default 1 */
  readonly samplingRatio?: number;
}

/** The resource attributes and sampler every traced workload gets. */
export function otelEnv(props: TracingProps, service: { readonly name: string; readonly namespace: string; readonly version?: string }): k8s.EnvVar[] {
  const ratio = props.samplingRatio ?? 1;
  const attributes = [
    `deployment.environment=${props.environment}`,
    `k8s.namespace.name=${service.namespace}`,
    ...(service.version ? [`service.version=${service.version}`] : []),
  ];
  return [
    { name: 'OTEL_SERVICE_NAME', value: service.name },
    { name: 'OTEL_EXPORTER_OTLP_ENDPOINT', value: `http://${props.collector.host}:${props.collector.port}` },
    { name: 'OTEL_EXPORTER_OTLP_PROTOCOL', value: 'grpc' },
    { name: 'OTEL_RESOURCE_ATTRIBUTES', value: attributes.join(',') },
    { name: 'OTEL_TRACES_SAMPLER', value: 'parentbased_traceidratio' },
    { name: 'OTEL_TRACES_SAMPLER_ARG', value: String(ratio) },
  ];
}

/** Checks tracing props into `check` (fields `tracing.*`). */
export function checkTracing(check: PropChecks, props: TracingProps): void {
  const ratio = props.samplingRatio ?? 1;
  check.that(ratio >= 0 && ratio <= 1, 'tracing.samplingRatio', 'must be between 0 and 1', ratio);
  check.integer(props.collector.port, 'tracing.collector.port', 1, 65535);
  check.that(DNS_NAME.test(props.collector.host), 'tracing.collector.host', 'must be a DNS name such as otel-collector.monitoring.svc', props.collector.host);
}

const DNS_NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
