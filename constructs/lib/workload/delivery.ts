import { ApiObject, Lazy } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import {
  AnalysisTemplate,
  AnalysisTemplateSpecMetrics,
  AnalysisTemplateSpecMetricsFailureLimit,
} from '../../../imports/argo-rollouts-analysistemplate-argoproj.io';
import {
  Rollout,
  RolloutSpecStrategy,
  RolloutSpecStrategyCanaryMaxSurge,
  RolloutSpecStrategyCanaryMaxUnavailable,
  RolloutSpecStrategyCanarySteps,
  RolloutSpecStrategyCanaryStepsPauseDuration,
  toJson_RolloutSpec,
} from '../../../imports/argo-rollouts-rollout-argoproj.io';
import { AnalysisOptions, DeliveryStrategy, RollingOptions, RolloutBudget } from './strategy';

/** What a scaler (HPA, KEDA ScaledObject) names as its `scaleTargetRef`. */
export interface ScaleTarget {
  readonly apiVersion: string;
  readonly kind: 'Deployment' | 'Rollout';
  readonly name: string;
}

/** The pod label Argo Rollouts puts on each version's pods; the ServiceMonitor copies it into the series. */
export const ROLLOUT_HASH_LABEL = 'rollouts-pod-template-hash';
/** The AnalysisTemplate argument holding the new version's pod template hash. */
const HASH_ARG = 'canary-hash';

export interface WorkloadObjectProps {
  readonly name: string;
  readonly metadata: k8s.ObjectMeta;
  readonly selector: Record<string, string>;
  readonly template: k8s.PodTemplateSpec;
  /** Left out when an HPA or an external scaler owns the replicas. */
  readonly replicas?: number;
  readonly strategy: DeliveryStrategy;
  /** Overrides the strategy's surge/unavailability (ModelServer: `maxSurge: 0`). */
  readonly rollingUpdate?: RollingOptions;
  /** The active Service (the workload's own); blue-green also gets `previewService`. */
  readonly activeService: string;
  readonly previewService: string;
  /** Namespace, Service and series selector of the analysis queries. */
  readonly analysisScope: { readonly namespace: string; readonly service: string };
}

function budget(value: RolloutBudget): k8s.IntOrString {
  return typeof value === 'number' ? k8s.IntOrString.fromNumber(value) : k8s.IntOrString.fromString(value);
}

/** The Deployment (rolling) or the Rollout (canary, blue-green, with the full pod template), and its scale target. */
export function workloadObject(scope: Construct, props: WorkloadObjectProps): { obj: ApiObject; target: ScaleTarget } {
  const s = props.strategy;
  const rolling = { ...s.rollingOptions, ...(props.rollingUpdate ?? {}) };
  const replicas = props.replicas !== undefined ? { replicas: props.replicas } : {};
  if (!s.isRollout) {
    const obj = new k8s.KubeDeployment(scope, 'Deployment', {
      metadata: props.metadata,
      spec: {
        ...replicas,
        revisionHistoryLimit: 5,
        selector: { matchLabels: { ...props.selector } },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: budget(rolling.maxSurge ?? '25%'), maxUnavailable: budget(rolling.maxUnavailable ?? 0) } },
        template: props.template,
      },
    });
    return { obj, target: { apiVersion: 'apps/v1', kind: 'Deployment', name: props.name } };
  }
  const analysisName = s.analysis ? analysisTemplate(scope, props, s.analysis).name : undefined;
  // The Rollout's generated types re-declare the whole pod spec (and its toJson would drop the
  // k8s IntOrString ports): the strategy is typed through them, the template is written once as
  // the same k8s.PodTemplateSpec a Deployment gets. Lazily: `connectsTo` adds env vars, volumes
  // and mounts to the template after the Rollout exists.
  const spec = toJson_RolloutSpec({
    ...replicas,
    revisionHistoryLimit: 5,
    selector: { matchLabels: { ...props.selector } },
    strategy: rolloutStrategy(props, rolling, analysisName),
  });
  const obj = new ApiObject(scope, 'Rollout', {
    ...Rollout.GVK,
    metadata: props.metadata,
    spec: { ...spec, template: Lazy.any({ produce: () => k8s.toJson_PodTemplateSpec(props.template) }) },
  });
  return { obj, target: { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: props.name } };
}

function rolloutStrategy(props: WorkloadObjectProps, rolling: RollingOptions, analysisName: string | undefined): RolloutSpecStrategy {
  const s = props.strategy;
  const analysis = analysisName ? { templates: [{ templateName: analysisName }], args: [{ name: HASH_ARG, valueFrom: { podTemplateHashValue: 'Latest' } }] } : undefined;
  if (s.canaryOptions) {
    const steps: RolloutSpecStrategyCanarySteps[] = s.canaryOptions.steps.map((step) =>
      step.weight !== undefined
        ? { setWeight: step.weight }
        : { pause: step.pause === 'indefinite' ? {} : { duration: RolloutSpecStrategyCanaryStepsPauseDuration.fromString(`${step.pause}s`) } },
    );
    const surge = rolling.maxSurge ?? '25%';
    const unavailable = rolling.maxUnavailable ?? 0;
    return {
      canary: {
        steps,
        maxSurge: typeof surge === 'number' ? RolloutSpecStrategyCanaryMaxSurge.fromNumber(surge) : RolloutSpecStrategyCanaryMaxSurge.fromString(surge),
        maxUnavailable:
          typeof unavailable === 'number' ? RolloutSpecStrategyCanaryMaxUnavailable.fromNumber(unavailable) : RolloutSpecStrategyCanaryMaxUnavailable.fromString(unavailable),
        ...(analysis ? { analysis } : {}),
      },
    };
  }
  const bg = s.blueGreenOptions ?? {};
  return {
    blueGreen: {
      activeService: props.activeService,
      previewService: props.previewService,
      autoPromotionEnabled: bg.autoPromotionEnabled ?? false,
      scaleDownDelaySeconds: bg.scaleDownDelaySeconds ?? 30,
      ...(bg.previewReplicas !== undefined ? { previewReplicaCount: bg.previewReplicas } : {}),
      ...(analysis ? { prePromotionAnalysis: analysis } : {}),
    },
  };
}

/** The Prometheus queries of the analysis, over the new version's pods only (by pod template hash). */
export function analysisQueries(a: AnalysisOptions, scope: { namespace: string; service: string }): { errorRate: string; p99Seconds: string } {
  const metric = a.requestMetric ?? 'http_request_duration_seconds';
  const status = a.statusLabel ?? 'status_code';
  const sel = `namespace="${scope.namespace}",service="${scope.service}",${ROLLOUT_HASH_LABEL.replace(/-/g, '_')}="{{args.${HASH_ARG}}}"`;
  return {
    errorRate: `sum(rate(${metric}_count{${sel},${status}=~"5.."}[2m])) / sum(rate(${metric}_count{${sel}}[2m]))`,
    p99Seconds: `histogram_quantile(0.99, sum by (le) (rate(${metric}_bucket{${sel}}[2m])))`,
  };
}

function analysisTemplate(scope: Construct, props: WorkloadObjectProps, a: AnalysisOptions): AnalysisTemplate {
  const q = analysisQueries(a, props.analysisScope);
  const common = {
    interval: `${a.intervalSeconds ?? 60}s`,
    failureLimit: AnalysisTemplateSpecMetricsFailureLimit.fromNumber(a.failureLimit ?? 2),
  };
  // No traffic yet gives no series or NaN: that is not a failure of the new version.
  const ok = (limit: number): string => `len(result) == 0 || isNaN(result[0]) || result[0] <= ${limit}`;
  const metrics: AnalysisTemplateSpecMetrics[] = [
    { name: 'error-rate', ...common, successCondition: ok(a.maxErrorRate ?? 0.01), provider: { prometheus: { address: a.prometheusAddress, query: q.errorRate } } },
    {
      name: 'p99-latency',
      ...common,
      successCondition: ok((a.maxP99LatencyMs ?? 500) / 1000),
      provider: { prometheus: { address: a.prometheusAddress, query: q.p99Seconds } },
    },
  ];
  return new AnalysisTemplate(scope, 'Analysis', {
    metadata: { ...props.metadata, name: `${props.name}-analysis` },
    spec: { args: [{ name: HASH_ARG }], metrics },
  });
}
