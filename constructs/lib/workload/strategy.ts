import { PropChecks } from '../prop-errors';

/** A surge or unavailability budget: a pod count or a percentage such as `'25%'`. */
export type RolloutBudget = number | string;

/** Options of a plain rolling update (a Deployment). */
export interface RollingOptions {
  /** Extra pods during an update. 0 for pods that hold a scarce resource (a GPU). @default '25%' */
  readonly maxSurge?: RolloutBudget;
  /** Pods that may be unavailable during an update. @default 0 (never below the desired count) */
  readonly maxUnavailable?: RolloutBudget;
}

/** One step of a canary: shift a share of the pods, or wait. */
export class CanaryStep {
  /** Run `percent` (0 to 100) of the pods on the new version. */
  public static setWeight(percent: number): CanaryStep {
    return new CanaryStep(percent, undefined);
  }

  /** Wait `seconds`, or until a person promotes (`kubectl argo rollouts promote`) when omitted. */
  public static pause(seconds?: number): CanaryStep {
    return new CanaryStep(undefined, seconds ?? 'indefinite');
  }

  private constructor(
    /** The weight of a setWeight step. */
    public readonly weight: number | undefined,
    /** The pause of a pause step: seconds, or 'indefinite' (a manual promotion). */
    public readonly pause: number | 'indefinite' | undefined,
  ) {}
}

/**
 * The background analysis of a canary (or the pre-promotion analysis of a blue-green): an Argo
 * Rollouts `AnalysisTemplate` that asks Prometheus for the new pods' error rate and p99 latency.
 * The queries read a prom-client style histogram (`<metric>_count`, `<metric>_bucket`) with a
 * status code label; the ServiceMonitor copies the `rollouts-pod-template-hash` pod label into
 * the series so the queries see only the new version's pods.
 */
export interface AnalysisOptions {
  /** Prometheus the Argo Rollouts controller queries, e.g. `http://prometheus-operated.monitoring.svc:9090`. */
  readonly prometheusAddress: string;
  /** Highest share of 5xx answers, 0 to 1. @default 0.01 */
  readonly maxErrorRate?: number;
  /** Highest p99 latency in milliseconds. @default 500 */
  readonly maxP99LatencyMs?: number;
  /** Histogram of request durations in seconds. @default 'http_request_duration_seconds' */
  readonly requestMetric?: string;
  /** Label holding the HTTP status code. @default 'status_code' */
  readonly statusLabel?: string;
  /** Seconds between measurements. @default 60 */
  readonly intervalSeconds?: number;
  /** Failed measurements before the rollout aborts. @default 2 */
  readonly failureLimit?: number;
}

/** Options of an Argo Rollouts canary. */
export interface CanaryOptions {
  /** The steps; the last setWeight must be 100 and the weights must rise. */
  readonly steps: readonly CanaryStep[];
  /** Background analysis during the steps. @default - no analysis */
  readonly analysis?: AnalysisOptions;
  /** Extra pods while shifting. @default '25%' */
  readonly maxSurge?: RolloutBudget;
  /** Pods that may be unavailable while shifting. @default 0 */
  readonly maxUnavailable?: RolloutBudget;
}

/** Options of an Argo Rollouts blue-green. */
export interface BlueGreenOptions {
  /** Switch the active Service to the new version without a person. Off in prod. @default false */
  readonly autoPromotionEnabled?: boolean;
  /** Pods of the preview version before promotion. @default - the full replica count */
  readonly previewReplicas?: number;
  /** Keep the old version this long after the switch, for a quick abort. @default 30 */
  readonly scaleDownDelaySeconds?: number;
  /** Analysis of the preview before promotion. @default - none */
  readonly analysis?: AnalysisOptions;
}

export type DeliveryStrategyKind = 'rolling' | 'canary' | 'blueGreen';

/**
 * How a new version of a workload rolls out. The same workload props produce a Deployment
 * (`rolling`) or an Argo Rollouts `Rollout` with the full pod template (`canary`, `blueGreen`);
 * the HPA, PDB and ServiceMonitor follow whichever it is. See docs/delivery.md.
 */
export class DeliveryStrategy {
  /** A Deployment with a rolling update: the default. */
  public static rolling(options: RollingOptions = {}): DeliveryStrategy {
    return new DeliveryStrategy('rolling', options, undefined, undefined);
  }

  /** An Argo Rollouts canary: weighted steps, optionally with Prometheus analysis. */
  public static canary(options: CanaryOptions): DeliveryStrategy {
    return new DeliveryStrategy('canary', { maxSurge: options.maxSurge, maxUnavailable: options.maxUnavailable }, options, undefined);
  }

  /** An Argo Rollouts blue-green: an active and a preview Service. */
  public static blueGreen(options: BlueGreenOptions = {}): DeliveryStrategy {
    return new DeliveryStrategy('blueGreen', {}, undefined, options);
  }

  private constructor(
    public readonly kind: DeliveryStrategyKind,
    public readonly rollingOptions: RollingOptions,
    public readonly canaryOptions: CanaryOptions | undefined,
    public readonly blueGreenOptions: BlueGreenOptions | undefined,
  ) {}

  /** A Rollout (canary, blue-green) rather than a Deployment. */
  public get isRollout(): boolean {
    return this.kind !== 'rolling';
  }

  /** The analysis of this strategy, if any. */
  public get analysis(): AnalysisOptions | undefined {
    return this.canaryOptions?.analysis ?? this.blueGreenOptions?.analysis;
  }

  /** Records every problem of the options on `check`, fields under `field` (e.g. `strategy`). */
  public validate(check: PropChecks, field: string): void {
    checkBudget(check, `${field}.maxSurge`, this.rollingOptions.maxSurge);
    checkBudget(check, `${field}.maxUnavailable`, this.rollingOptions.maxUnavailable);
    if (this.canaryOptions) {
      validateSteps(check, `${field}.steps`, this.canaryOptions.steps);
    }
    if (this.blueGreenOptions) {
      check.integer(this.blueGreenOptions.previewReplicas, `${field}.previewReplicas`, 1);
      check.integer(this.blueGreenOptions.scaleDownDelaySeconds, `${field}.scaleDownDelaySeconds`, 0, 3600);
    }
    const a = this.analysis;
    if (a) {
      check.that(/^https?:\/\/[^\s/]+(:[0-9]+)?(\/\S*)?$/.test(a.prometheusAddress), `${field}.analysis.prometheusAddress`, 'must be an http(s) URL', a.prometheusAddress);
      check.that(a.maxErrorRate === undefined || (a.maxErrorRate > 0 && a.maxErrorRate < 1), `${field}.analysis.maxErrorRate`, 'must be between 0 and 1', a.maxErrorRate);
      check.integer(a.maxP99LatencyMs, `${field}.analysis.maxP99LatencyMs`, 1);
      check.integer(a.intervalSeconds, `${field}.analysis.intervalSeconds`, 10, 3600);
      check.integer(a.failureLimit, `${field}.analysis.failureLimit`, 0, 100);
    }
  }
}

function checkBudget(check: PropChecks, field: string, value: RolloutBudget | undefined): void {
  if (value === undefined) {
    return;
  }
  const ok = typeof value === 'number' ? Number.isInteger(value) && value >= 0 : /^(100|[1-9]?[0-9])%$/.test(value);
  check.that(ok, field, 'must be a pod count >= 0 or a percentage from 0% to 100%', value);
}

/** Weights 0..100, rising, the last one 100; pauses of a whole number of seconds. */
function validateSteps(check: PropChecks, field: string, steps: readonly CanaryStep[]): void {
  const weights = steps.filter((s) => s.weight !== undefined).map((s) => s.weight as number);
  steps.forEach((s, i) => {
    if (s.weight !== undefined) {
      check.that(Number.isInteger(s.weight) && s.weight >= 0 && s.weight <= 100, `${field}[${i}].setWeight`, 'must be an integer from 0 to 100', s.weight);
    }
    if (typeof s.pause === 'number') {
      check.integer(s.pause, `${field}[${i}].pause`, 1, 86400);
    }
  });
  check.that(weights.every((w, i) => i === 0 || w > weights[i - 1]), field, 'setWeight steps must rise (each above the one before)', weights);
  check.that(weights.length > 0 && weights[weights.length - 1] === 100, field, 'must reach 100%: the last setWeight must be 100 (full promotion)', weights);
}
