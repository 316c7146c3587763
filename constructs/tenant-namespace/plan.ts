/**
 * What a tenant's namespace may hold, as whole numbers in their base unit: CPU in millicores,
 * memory and storage in mebibytes. One shape for the plan's defaults, its bounds and a tenant's
 * overrides, so the three compare field by field.
 */
export interface TenantQuota {
  /** Sum of CPU requests, millicores. */
  readonly cpuMillis: number;
  /** Sum of memory requests and of memory limits, MiB. */
  readonly memoryMi: number;
  readonly pods: number;
  readonly persistentVolumeClaims: number;
  /** Sum of PVC storage requests, MiB. */
  readonly storageMi: number;
  readonly services: number;
  readonly configMaps: number;
  readonly secrets: number;
}

/** The fields a tenant file may override (the object counts are the plan's alone). */
export const OVERRIDABLE_QUOTA_FIELDS = ['cpuMillis', 'memoryMi', 'pods', 'persistentVolumeClaims', 'storageMi'] as const;
export type OverridableQuotaField = (typeof OVERRIDABLE_QUOTA_FIELDS)[number];

/** The LimitRange of a plan: what a container gets when it asks for nothing, and the most one may ask. */
export interface TenantContainerLimits {
  readonly defaultRequestCpuMillis: number;
  readonly defaultRequestMemoryMi: number;
  readonly defaultLimitMemoryMi: number;
  readonly maxMemoryMi: number;
  readonly maxCpuMillis: number;
}

interface PlanProps {
  readonly quota: TenantQuota;
  readonly maxQuota: Pick<TenantQuota, OverridableQuotaField>;
  readonly container: TenantContainerLimits;
  readonly apiRequestsPerMinute: number;
  readonly bucketQuotaGi: number;
  readonly agentConcurrency: number;
}

/**
 * A subscription plan: the one table of what each tier gets (README "Tenants" prints it).
 * `quota` is what a tenant on the plan gets; `maxQuota` bounds a tenant file's overrides (a
 * bigger tenant is a plan upgrade, not an override).
 */
export class Plan {
  public static readonly STARTER = new Plan('starter', {
    quota: { cpuMillis: 2000, memoryMi: 4096, pods: 20, persistentVolumeClaims: 4, storageMi: 20480, services: 10, configMaps: 20, secrets: 20 },
    maxQuota: { cpuMillis: 4000, memoryMi: 8192, pods: 40, persistentVolumeClaims: 8, storageMi: 51200 },
    container: { defaultRequestCpuMillis: 50, defaultRequestMemoryMi: 64, defaultLimitMemoryMi: 256, maxCpuMillis: 1000, maxMemoryMi: 2048 },
    apiRequestsPerMinute: 600,
    bucketQuotaGi: 50,
    agentConcurrency: 2,
  });

  public static readonly PRO = new Plan('pro', {
    quota: { cpuMillis: 8000, memoryMi: 16384, pods: 60, persistentVolumeClaims: 10, storageMi: 102400, services: 20, configMaps: 50, secrets: 50 },
    maxQuota: { cpuMillis: 16000, memoryMi: 32768, pods: 120, persistentVolumeClaims: 20, storageMi: 204800 },
    container: { defaultRequestCpuMillis: 100, defaultRequestMemoryMi: 128, defaultLimitMemoryMi: 512, maxCpuMillis: 4000, maxMemoryMi: 8192 },
    apiRequestsPerMinute: 3000,
    bucketQuotaGi: 500,
    agentConcurrency: 8,
  });

  public static readonly ENTERPRISE = new Plan('enterprise', {
    quota: {
      cpuMillis: 32000,
      memoryMi: 65536,
      pods: 200,
      persistentVolumeClaims: 40,
      storageMi: 1048576,
      services: 50,
      configMaps: 200,
      secrets: 200,
    },
    maxQuota: { cpuMillis: 128000, memoryMi: 262144, pods: 800, persistentVolumeClaims: 160, storageMi: 4194304 },
    container: { defaultRequestCpuMillis: 100, defaultRequestMemoryMi: 256, defaultLimitMemoryMi: 1024, maxCpuMillis: 16000, maxMemoryMi: 65536 },
    apiRequestsPerMinute: 20000,
    bucketQuotaGi: 5120,
    agentConcurrency: 32,
  });

  /** Every plan, cheapest first. */
  public static readonly ALL: readonly Plan[] = [Plan.STARTER, Plan.PRO, Plan.ENTERPRISE];

  /** The plan named `name`; throws with the known names. */
  public static fromName(name: string): Plan {
    const plan = Plan.ALL.find((p) => p.name === name);
    if (!plan) {
      throw new Error(`unknown plan "${name}": known plans are ${Plan.ALL.map((p) => p.name).join(', ')}`);
    }
    return plan;
  }

  /** What a tenant on the plan gets in its namespace (ResourceQuota). */
  public readonly quota: TenantQuota;
  /** The most a tenant file may override each field to. */
  public readonly maxQuota: Pick<TenantQuota, OverridableQuotaField>;
  /** The namespace's LimitRange. */
  public readonly container: TenantContainerLimits;
  /** Kong rate limit of the tenant's API consumer. */
  public readonly apiRequestsPerMinute: number;
  /** Hard quota of the tenant's MinIO bucket, GiB. */
  public readonly bucketQuotaGi: number;
  /** Agent tasks the tenant may have running at once (`AGENT_CONCURRENCY` in the tenant's ConfigMap). */
  public readonly agentConcurrency: number;

  private constructor(
    public readonly name: string,
    props: PlanProps,
  ) {
    this.quota = props.quota;
    this.maxQuota = props.maxQuota;
    this.container = props.container;
    this.apiRequestsPerMinute = props.apiRequestsPerMinute;
    this.bucketQuotaGi = props.bucketQuotaGi;
    this.agentConcurrency = props.agentConcurrency;
  }

  /**
   * The plan's quota with `overrides` applied, or the problems: each override must be a whole
   * number between 1 and the plan's bound.
   */
  public resolveQuota(overrides: Partial<Pick<TenantQuota, OverridableQuotaField>>): {
    quota: TenantQuota;
    problems: { field: string; message: string }[];
  } {
    const problems: { field: string; message: string }[] = [];
    const quota: Record<string, number> = { ...this.quota };
    for (const [field, value] of Object.entries(overrides)) {
      const max = (this.maxQuota as Record<string, number>)[field];
      if (max === undefined) {
        problems.push({ field, message: `cannot be overridden: overridable are ${OVERRIDABLE_QUOTA_FIELDS.join(', ')}` });
      } else if (!Number.isInteger(value) || value < 1 || value > max) {
        problems.push({ field, message: `must be a whole number from 1 to ${max}, the "${this.name}" plan's bound (got ${JSON.stringify(value)})` });
      } else {
        quota[field] = value;
      }
    }
    return { quota: quota as unknown as TenantQuota, problems };
  }
}
