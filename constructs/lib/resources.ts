import { k8s } from 'cdk8s-plus-28';

// Declared before the class: its static presets are built (and checked) at load time.
const QUANTITY = /^([0-9]+(\.[0-9]+)?)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/;
const FACTORS: Record<string, number> = {
  '': 1,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 1024,
  Mi: 1024 ** 2,
  Gi: 1024 ** 3,
  Ti: 1024 ** 4,
  Pi: 1024 ** 5,
  Ei: 1024 ** 6,
};

/** Names of the `Resources` presets, smallest first (`Resources.PRESETS[name]`). */
export const RESOURCE_PRESETS = ['nano', 'micro', 'small', 'medium', 'large', 'xlarge'] as const;
export type ResourcePresetName = (typeof RESOURCE_PRESETS)[number];

/** The extended resource the NVIDIA device plugin advertises. */
export const GPU_RESOURCE = 'nvidia.com/gpu';

/**
 * Container resources as a typed value: cpu and memory requests, a memory limit, and a CPU limit
 * for burst. Every container gets both requests and a memory limit; the policy gate checks it.
 *
 * The CPU limit is set (kube-score and Polaris flag its absence) but generous, a multiple of the
 * request, so that latency-sensitive services are not throttled at their normal load.
 */
export class Resources {
  /** 50m / 64Mi, limit 256m / 128Mi: sidecars, exporters, one-shot jobs. */
  public static readonly NANO = Resources.of('50m', '64Mi', '250m', '128Mi');
  /** 100m / 128Mi, limit 500m / 256Mi. */
  public static readonly MICRO = Resources.of('100m', '128Mi', '500m', '256Mi');
  /** 250m / 512Mi, limit 1 / 1Gi: a small service. */
  public static readonly SMALL = Resources.of('250m', '512Mi', '1', '1Gi');
  /** 500m / 1Gi, limit 2 / 2Gi. */
  public static readonly MEDIUM = Resources.of('500m', '1Gi', '2', '2Gi');
  /** 1 / 4Gi, limit 4 / 4Gi: a database instance. */
  public static readonly LARGE = Resources.of('1', '4Gi', '4', '4Gi');
  /** 2 / 8Gi, limit 8 / 8Gi. */
  public static readonly XLARGE = Resources.of('2', '8Gi', '8', '8Gi');

  /** Presets by name, for typed environment config. */
  public static readonly PRESETS: Readonly<Record<ResourcePresetName, Resources>> = {
    nano: Resources.NANO,
    micro: Resources.MICRO,
    small: Resources.SMALL,
    medium: Resources.MEDIUM,
    large: Resources.LARGE,
    xlarge: Resources.XLARGE,
  };

  /** Explicit values. The memory limit defaults to the memory request (no overcommit). */
  public static of(cpuRequest: string, memoryRequest: string, cpuLimit?: string, memoryLimit?: string): Resources {
    return new Resources(cpuRequest, memoryRequest, cpuLimit, memoryLimit ?? memoryRequest);
  }

  private constructor(
    public readonly cpuRequest: string,
    public readonly memoryRequest: string,
    public readonly cpuLimit: string | undefined,
    public readonly memoryLimit: string,
  ) {
    for (const q of [cpuRequest, memoryRequest, memoryLimit, ...(cpuLimit ? [cpuLimit] : [])]) {
      if (!QUANTITY.test(q)) {
        throw new Error(`resources: "${q}" is not a Kubernetes quantity (e.g. 250m, 1, 512Mi, 2Gi)`);
      }
    }
    if (parseQuantity(memoryLimit) < parseQuantity(memoryRequest)) {
      throw new Error(`resources: memory limit ${memoryLimit} is below the request ${memoryRequest}`);
    }
  }

  /** Memory limit in bytes, for settings derived from it (shared_buffers, maxmemory). */
  public get memoryLimitBytes(): number {
    return parseQuantity(this.memoryLimit);
  }

  /** Memory request in bytes. */
  public get memoryRequestBytes(): number {
    return parseQuantity(this.memoryRequest);
  }

  /**
   * With whole GPUs, for AI workloads (`nvidia.com/gpu`): in the limits, and the same count in the
   * requests, which Kubernetes requires to equal the limit for an extended resource
   * (https://kubernetes.io/docs/tasks/manage-gpus/scheduling-gpus/).
   */
  public withGpus(count: number): k8s.ResourceRequirements {
    const base = this.toKube();
    const gpus = { [GPU_RESOURCE]: k8s.Quantity.fromNumber(count) };
    return { requests: { ...base.requests, ...gpus }, limits: { ...base.limits, ...gpus } };
  }

  public toKube(): k8s.ResourceRequirements {
    return {
      requests: {
        cpu: k8s.Quantity.fromString(this.cpuRequest),
        memory: k8s.Quantity.fromString(this.memoryRequest),
      },
      limits: {
        ...(this.cpuLimit ? { cpu: k8s.Quantity.fromString(this.cpuLimit) } : {}),
        memory: k8s.Quantity.fromString(this.memoryLimit),
      },
    };
  }
}

/** Parses a Kubernetes quantity ("512Mi", "250m", "2") to a number of base units. NaN if invalid. */
export function parseQuantity(q: string | number): number {
  if (typeof q === 'number') {
    return q;
  }
  const m = QUANTITY.exec(q);
  if (!m) {
    return NaN;
  }
  return parseFloat(m[1]) * FACTORS[m[3] ?? ''];
}
