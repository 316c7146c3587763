import { PublicHostName } from '../ingress/config';

/**
 * Settings of the cloud secret managers a `ClusterSecretStore` reads from. Only the one the
 * environment's cloud profile selects is read, and that one is required (docs/addons.md).
 */
export interface SecretManagerConfig {
  /**
   * AWS region of Secrets Manager (profile `aws`).
   * @pattern ^[a-z]{2}(-gov)?-[a-z]+-[0-9]$
   */
  readonly awsRegion?: string;
  /**
   * Azure Key Vault URL (profile `azure`).
   * @pattern ^https://[a-z0-9-]+\.vault\.azure\.net/?$
   */
  readonly azureVaultUrl?: string;
  /**
   * GCP project of Secret Manager (profile `gcp`).
   * @pattern ^[a-z][a-z0-9-]{4,28}[a-z0-9]$
   */
  readonly gcpProjectId?: string;
}

/**
 * The `addons` block of an environment: what the add-ons' Helm values need beyond the cloud
 * profile and the other blocks. Read by `charts/addons/`. See docs/addons.md.
 */
export interface AddonsConfig {
  /**
   * Addresses MetalLB hands out to `LoadBalancer` Services, on profiles with MetalLB: CIDRs
   * (`192.0.2.0/28`) or ranges (`192.0.2.10-192.0.2.20`). Required there.
   */
  readonly metallbAddresses?: readonly string[];
  readonly secretManager?: SecretManagerConfig;
  /**
   * Days Prometheus keeps samples.
   * @asType integer
   * @minimum 1
   * @maximum 365
   */
  readonly prometheusRetentionDays: number;
  /**
   * Size of each Prometheus volume in GiB.
   * @asType integer
   * @minimum 1
   * @maximum 4096
   */
  readonly prometheusStorageGi: number;
  /** Public host of Grafana (its OIDC redirect URL: `https://<host>/login/generic_oauth`). */
  readonly grafanaHost: PublicHostName;
}
