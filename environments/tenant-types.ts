/**
 * The shape of a tenant file, `environments/tenants/<id>.yaml`: the one place a tenant's fields
 * are declared. `npm run schema` generates `environments/schema/tenant.schema.json` from it, and
 * the loader (environments/tenants.ts) validates every file with ajv against that schema, then
 * checks what a schema cannot say (the id matches the file name, overrides within the plan).
 */

/** @minLength 1 */
export type TenantText = string;

/** The environments a tenant can be deployed to; DR mirrors prod's tenants and is never named. */
export type TenantEnvironment = 'dev' | 'staging' | 'prod';

export type TenantPlanName = 'starter' | 'pro' | 'enterprise';

export interface TenantContact {
  readonly name: TenantText;
  /** @pattern ^[^@\s]+@[^@\s]+\.[a-z]{2,}$ */
  readonly email: string;
  readonly role: 'owner' | 'billing' | 'technical' | 'security';
}

/** Quota fields above or below the plan's, each within the plan's bounds (README "Tenants"). */
export interface TenantQuotaOverrides {
  /** Why this tenant differs from its plan: kept on the ResourceQuota for the reviewer. */
  readonly reason: TenantText;
  /** @minimum 1 @asType integer */
  readonly cpuMillis?: number;
  /** @minimum 1 @asType integer */
  readonly memoryMi?: number;
  /** @minimum 1 @asType integer */
  readonly pods?: number;
  /** @minimum 1 @asType integer */
  readonly persistentVolumeClaims?: number;
  /** @minimum 1 @asType integer */
  readonly storageMi?: number;
}

/** How the tenant's screens look: written to its ConfigMap. */
export interface TenantBranding {
  /** @pattern ^#[0-9a-fA-F]{6}$ */
  readonly primaryColor?: string;
  /** @pattern ^https://[^\s]+$ */
  readonly logoUrl?: string;
}

export interface TenantFile {
  /**
   * DNS-safe and unique; equals the file name without `.yaml`. 3 to 18 characters: it names the
   * namespace `tenant-<id>`, the bucket, the MinIO user `t-<id>` and the Postgres schema.
   * @pattern ^[a-z][a-z0-9-]{1,16}[a-z0-9]$
   */
  readonly id: string;
  readonly displayName: TenantText;
  readonly plan: TenantPlanName;
  /**
   * Where the tenant runs. A tenant in prod also runs in dr (the standby mirrors prod).
   * @minItems 1
   * @uniqueItems true
   */
  readonly environments: readonly TenantEnvironment[];
  /**
   * Where the tenant's data must stay (data residency), e.g. `eu-central`.
   * @pattern ^[a-z]{2,}(-[a-z0-9]+)*$
   */
  readonly region: string;
  /** @minItems 1 */
  readonly contacts: readonly TenantContact[];
  /**
   * Feature flags, written to the tenant's ConfigMap as `FEATURE_<NAME>=true|false`.
   * Keys: lower-case words joined by `-` or `_`.
   */
  readonly features?: Readonly<Record<string, boolean>>;
  readonly branding?: TenantBranding;
  readonly quotaOverrides?: TenantQuotaOverrides;
  /** What the tenant's operators may do in its namespace. @default 'read-only' */
  readonly operatorAccess?: 'read-only' | 'edit';
}
