/**
 * Typed Helm values: the keys we set of the charts that ship no `values.schema.json` (the others
 * are checked against their own schema, see values-schema.ts). Each interface names only what we
 * set; the chart's defaults do the rest. Keys and defaults were read from each chart's
 * `values.yaml` at the pinned version (docs/addons.md lists them).
 */

/** Requests and a memory limit, as every chart spells them. */
export interface HelmResources {
  readonly requests: { readonly cpu: string; readonly memory: string };
  readonly limits: { readonly memory: string };
}

export function helmResources(cpu: string, memory: string, memoryLimit: string = memory): HelmResources {
  return { requests: { cpu, memory }, limits: { memory: memoryLimit } };
}

/** ingress-nginx 4.15.x (`kubernetes/ingress-nginx` charts/ingress-nginx/values.yaml). */
export interface IngressNginxValues {
  readonly controller: {
    readonly replicaCount: number;
    readonly minAvailable: number;
    readonly ingressClass: string;
    readonly ingressClassResource: { readonly name: string; readonly enabled: boolean; readonly default: boolean; readonly controllerValue: string };
    readonly watchIngressWithoutClass: boolean;
    readonly allowSnippetAnnotations: boolean;
    /** The controller ConfigMap (string values only). */
    readonly config: Readonly<Record<string, string>>;
    readonly service: {
      readonly type: 'LoadBalancer';
      readonly externalTrafficPolicy: 'Local' | 'Cluster';
      readonly annotations: Readonly<Record<string, string>>;
    };
    readonly metrics: { readonly enabled: boolean; readonly serviceMonitor: { readonly enabled: boolean } };
    readonly resources: HelmResources;
    readonly admissionWebhooks: { readonly enabled: boolean };
  };
}

/** kube-prometheus-stack 88.x (`prometheus-community/helm-charts`). */
export interface KubePrometheusStackValues {
  readonly crds: { readonly enabled: boolean };
  readonly prometheusOperator: { readonly resources: HelmResources };
  readonly prometheus: {
    readonly prometheusSpec: {
      readonly replicas: number;
      readonly retention: string;
      readonly serviceMonitorSelectorNilUsesHelmValues: boolean;
      readonly podMonitorSelectorNilUsesHelmValues: boolean;
      readonly ruleSelectorNilUsesHelmValues: boolean;
      readonly probeSelectorNilUsesHelmValues: boolean;
      readonly resources: HelmResources;
      readonly storageSpec: {
        readonly volumeClaimTemplate: {
          readonly spec: {
            readonly storageClassName: string;
            readonly accessModes: readonly string[];
            readonly resources: { readonly requests: { readonly storage: string } };
          };
        };
      };
    };
  };
  readonly alertmanager: { readonly alertmanagerSpec: { readonly replicas: number; readonly resources: HelmResources } };
  readonly grafana: GrafanaValues;
  readonly 'prometheus-node-exporter': { readonly namespaceOverride: string; readonly podLabels: Readonly<Record<string, string>> };
  readonly kubeEtcd: { readonly enabled: boolean };
  readonly kubeScheduler: { readonly enabled: boolean };
  readonly kubeControllerManager: { readonly enabled: boolean };
  readonly kubeProxy: { readonly enabled: boolean };
}

/** The grafana subchart (grafana-community/helm-charts 12.x) as kube-prometheus-stack passes it on. */
export interface GrafanaValues {
  readonly replicas: number;
  readonly resources: HelmResources;
  readonly admin: { readonly existingSecret: string; readonly userKey: string; readonly passwordKey: string };
  readonly sidecar: { readonly dashboards: { readonly enabled: boolean; readonly label: string; readonly searchNamespace: 'ALL' | string } };
  readonly envValueFrom: Readonly<Record<string, { readonly secretKeyRef: { readonly name: string; readonly key: string } }>>;
  readonly 'grafana.ini': Readonly<Record<string, Readonly<Record<string, string | boolean | number>>>>;
}

/** fluent-bit 0.58.x (`fluent/helm-charts` charts/fluent-bit). */
export interface FluentBitValues {
  readonly podLabels: Readonly<Record<string, string>>;
  readonly resources: HelmResources;
  readonly serviceMonitor: { readonly enabled: boolean };
  readonly env: readonly { readonly name: string; readonly valueFrom: { readonly secretKeyRef: { readonly name: string; readonly key: string } } }[];
  /** Fluent Bit's classic-mode config sections. */
  readonly config: { readonly outputs: string };
}

/** jaeger 4.x (`jaegertracing/helm-charts` charts/jaeger): Jaeger v2, one all-in-one deployment. */
export interface JaegerValues {
  readonly jaeger: { readonly replicas: number; readonly resources: HelmResources };
  readonly storage: { readonly type: 'memory' | 'elasticsearch' };
}

/** kong 3.x (`Kong/charts` charts/kong): Kong Gateway DB-less with the Kong Ingress Controller. */
export interface KongValues {
  readonly replicaCount: number;
  readonly env: { readonly database: 'off' };
  readonly ingressController: { readonly enabled: boolean; readonly ingressClass: string };
  readonly proxy: { readonly type: 'LoadBalancer'; readonly annotations: Readonly<Record<string, string>> };
  readonly serviceMonitor: { readonly enabled: boolean };
  readonly resources: HelmResources;
  readonly podDisruptionBudget: { readonly enabled: boolean; readonly minAvailable: number };
}

/** keda 2.20.x (`kedacore/charts` keda). */
export interface KedaValues {
  readonly operator: { readonly replicaCount: number };
  readonly podDisruptionBudget: { readonly operator: { readonly minAvailable: number } } | Record<string, never>;
  readonly resources: { readonly operator: HelmResources; readonly metricServer: HelmResources; readonly webhooks: HelmResources };
  readonly prometheus: {
    readonly operator: { readonly enabled: boolean; readonly serviceMonitor: { readonly enabled: boolean } };
    readonly metricServer: { readonly enabled: boolean; readonly serviceMonitor: { readonly enabled: boolean } };
  };
}

/** argo-rollouts 2.41.x (`argoproj/argo-helm` charts/argo-rollouts). */
export interface ArgoRolloutsValues {
  readonly controller: {
    readonly replicas: number;
    readonly resources: HelmResources;
    readonly metrics: { readonly enabled: boolean; readonly serviceMonitor: { readonly enabled: boolean } };
    readonly pdb: { readonly enabled: boolean; readonly minAvailable: number };
  };
  readonly dashboard: { readonly enabled: boolean };
}

/** Istio 1.30 charts `base`, `istiod` and `cni` (`istio/istio` manifests/charts). */
export interface IstioBaseValues {
  readonly defaultRevision: string;
}
export interface IstiodValues {
  readonly pilot: {
    readonly replicaCount: number;
    readonly autoscaleEnabled: boolean;
    readonly resources: HelmResources;
    readonly cni: { readonly enabled: boolean };
  };
  readonly meshConfig: { readonly enablePrometheusMerge: boolean; readonly accessLogFile: string };
}
export interface IstioCniValues {
  readonly resources: HelmResources;
}
