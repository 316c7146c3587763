import { Construct } from 'constructs';
import { ServiceMonitor, ServiceMonitorSpecEndpointsScheme } from '../../imports/prometheus-monitoring.coreos.com';
import { LABEL_INSTANCE } from './labels';

export interface MetricsMonitorProps {
  readonly name: string;
  readonly namespace: string;
  readonly labels: Record<string, string>;
  /**
   * Labels of the Service(s) exposing the metrics port (`monitorSelectorLabels`). Never
   * `app.kubernetes.io/instance`: Argo CD's label tracking rewrites it on the Services.
   */
  readonly serviceSelector: Record<string, string>;
  /** Name of the Service port that serves metrics. */
  readonly portName: string;
  /** @default '/metrics' */
  readonly path?: string;
  /** @default '30s' */
  readonly interval?: string;
  /** Send `Authorization: Bearer <token>`, the token read from this Secret of the namespace. @default - no authorization */
  readonly bearerToken?: { readonly secretName: string; readonly key: string };
  /** Scrape over HTTPS, verifying the server with this CA and name. @default - plain HTTP */
  readonly tls?: { readonly caSecret: string; readonly caKey: string; readonly serverName: string };
  /** Pod labels copied into every series (e.g. Argo Rollouts' `rollouts-pod-template-hash`). @default - none */
  readonly podTargetLabels?: readonly string[];
}

/** A Prometheus Operator ServiceMonitor that scrapes one named port of the selected Services. */
export function metricsMonitor(scope: Construct, id: string, props: MetricsMonitorProps): ServiceMonitor {
  if (LABEL_INSTANCE in props.serviceSelector) {
    throw new Error(`${scope.node.path}/${id}: serviceSelector: must not use ${LABEL_INSTANCE}, which Argo CD rewrites on the Services (use monitorSelectorLabels)`);
  }
  return new ServiceMonitor(scope, id, {
    metadata: { name: props.name, namespace: props.namespace, labels: props.labels },
    spec: {
      selector: { matchLabels: { ...props.serviceSelector } },
      namespaceSelector: { matchNames: [props.namespace] },
      ...(props.podTargetLabels?.length ? { podTargetLabels: [...props.podTargetLabels] } : {}),
      endpoints: [
        {
          port: props.portName,
          path: props.path ?? '/metrics',
          interval: props.interval ?? '30s',
          ...(props.bearerToken ? { authorization: { type: 'Bearer', credentials: { name: props.bearerToken.secretName, key: props.bearerToken.key } } } : {}),
          ...(props.tls
            ? {
                scheme: ServiceMonitorSpecEndpointsScheme.HTTPS,
                tlsConfig: { ca: { secret: { name: props.tls.caSecret, key: props.tls.caKey } }, serverName: props.tls.serverName },
              }
            : {}),
        },
      ],
    },
  });
}
