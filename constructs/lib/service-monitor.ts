import { Construct } from 'constructs';
import { ServiceMonitor } from '../../imports/prometheus-monitoring.coreos.com';

export interface MetricsMonitorProps {
  readonly name: string;
  readonly namespace: string;
  readonly labels: Record<string, string>;
  /** Labels of the Service(s) exposing the metrics port. */
  readonly serviceSelector: Record<string, string>;
  /** Name of the Service port that serves metrics. */
  readonly portName: string;
  /** @default '/metrics' */
  readonly path?: string;
  /** @default '30s' */
  readonly interval?: string;
}

/** A Prometheus Operator ServiceMonitor that scrapes one named port of the selected Services. */
export function metricsMonitor(scope: Construct, id: string, props: MetricsMonitorProps): ServiceMonitor {
  return new ServiceMonitor(scope, id, {
    metadata: { name: props.name, namespace: props.namespace, labels: props.labels },
    spec: {
      selector: { matchLabels: { ...props.serviceSelector } },
      namespaceSelector: { matchNames: [props.namespace] },
      endpoints: [{ port: props.portName, path: props.path ?? '/metrics', interval: props.interval ?? '30s' }],
    },
  });
}
