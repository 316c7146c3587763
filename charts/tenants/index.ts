import { App, Chart } from 'cdk8s';
import { INGRESS_CONTROLLER_NAMESPACE } from '../../constructs/lib/edge/certificate';
import { managedSecret } from '../../constructs/lib/external-secret';
import { ISTIO_INJECTION_LABEL } from '../../constructs/lib/mesh';
import { Plan, TenantNamespace } from '../../constructs/tenant-namespace';
import { POSTGRES_PORT } from '../../constructs/postgres-ha/config';
import { EnvironmentConfig } from '../../environments/types';
import { Tenant, tenantsOf } from '../../environments/tenants';
import { MINIO_S3, namespacePeer, SECRET_STORE } from '../shared';
import { POSTGRES_APP_DATABASE, postgresEndpoint } from '../db-postgres';
import { tenantBucket, tenantFolder, tenantNamespace, tenantRemoteKey, tenantSchema } from './names';

export * from './names';

/**
 * The tenant's settings (ConfigMap `tenant-config`): where its data is, its region, branding and
 * feature flags (`FEATURE_<NAME>`), so the tenant file is the one place they are set.
 */
export function tenantSettings(config: EnvironmentConfig, tenant: Tenant): Record<string, string> {
  const endpoint = postgresEndpoint(config);
  const settings: Record<string, string> = {
    TENANT_REGION: tenant.region,
    POSTGRES_HOST: endpoint.host,
    POSTGRES_DB: POSTGRES_APP_DATABASE,
    POSTGRES_SCHEMA: tenantSchema(tenant),
    S3_ENDPOINT: `http://${MINIO_S3.service}.${MINIO_S3.namespace}.svc:9000`,
    S3_BUCKET: tenantBucket(tenant),
  };
  if (tenant.branding?.primaryColor) {
    settings.BRANDING_PRIMARY_COLOR = tenant.branding.primaryColor;
  }
  if (tenant.branding?.logoUrl) {
    settings.BRANDING_LOGO_URL = tenant.branding.logoUrl;
  }
  for (const [flag, on] of Object.entries(tenant.features ?? {}).sort(([a], [b]) => (a < b ? -1 : 1))) {
    settings[`FEATURE_${flag.toUpperCase().replace(/-/g, '_')}`] = String(on);
  }
  return settings;
}

/**
 * `dist/<env>/tenants/<id>/`: one tenant's namespace (TenantNamespace: quota and limits from its
 * plan, isolation, operators, encryption key, Kong consumer with the plan's rate limit, usage
 * rules), and the Secrets its workloads log in with: `tenant-postgres` (its own LOGIN role,
 * created by db-postgres) and `tenant-s3` (its MinIO user, created by storage-minio). Its data
 * lives in those charts, never here: deleting the folder deletes the namespace, not the data.
 */
export class TenantChart extends Chart {
  public readonly tenant: TenantNamespace;

  constructor(scope: App, config: EnvironmentConfig, t: Tenant) {
    super(scope, `tenant-${t.id}`, { disableResourceNameHashes: true });
    const postgres = postgresEndpoint(config);
    this.tenant = new TenantNamespace(this, 'Tenant', {
      tenantId: t.id,
      displayName: t.displayName,
      plan: Plan.fromName(t.plan),
      quotaOverrides: t.quotaOverrides ? withoutReason(t.quotaOverrides) : undefined,
      quotaOverrideReason: t.quotaOverrides?.reason,
      namespace: tenantNamespace(t),
      ingressFrom: [namespacePeer(INGRESS_CONTROLLER_NAMESPACE)],
      dataServices: [
        { name: 'postgres', peer: postgres.peer, ports: [POSTGRES_PORT] },
        { name: 'minio', peer: namespacePeer(MINIO_S3.namespace), ports: [9000] },
      ],
      secretStore: SECRET_STORE,
      encryptionKeyRemoteKey: tenantRemoteKey(config, t, 'encryption-key'),
      operatorAccess: t.operatorAccess,
      settings: tenantSettings(config, t),
      api: { apiKeyRemoteKey: tenantRemoteKey(config, t, 'api-key') },
      namespaceLabels: config.features.mesh ? { [ISTIO_INJECTION_LABEL]: 'disabled' } : undefined,
    });
    const ns = this.tenant.name;
    const labels = { ...this.tenant.labels };
    managedSecret(this, 'PostgresLogin', {
      name: 'tenant-postgres',
      namespace: ns,
      labels,
      store: SECRET_STORE,
      keys: [{ secretKey: 'PGPASSWORD', remoteKey: tenantRemoteKey(config, t, 'postgres'), property: 'password' }],
      literals: { PGUSER: `${tenantSchema(t)}_user` },
    });
    managedSecret(this, 'S3Keys', {
      name: 'tenant-s3',
      namespace: ns,
      labels,
      store: SECRET_STORE,
      keys: [
        { secretKey: 'AWS_ACCESS_KEY_ID', remoteKey: tenantRemoteKey(config, t, 's3'), property: 'access-key-id' },
        { secretKey: 'AWS_SECRET_ACCESS_KEY', remoteKey: tenantRemoteKey(config, t, 's3'), property: 'secret-access-key' },
      ],
    });
  }
}

function withoutReason<T extends { reason: string }>(o: T): Omit<T, 'reason'> {
  const { reason: _reason, ...rest } = o;
  return rest;
}

/** The chart factories of the tenants that run in `config`'s environment, in id order. */
export function tenantCharts(config: EnvironmentConfig, tenants: readonly Tenant[]): { folder: string; create: (app: App) => Chart }[] {
  return tenantsOf(config.name, tenants).map((t) => ({ folder: tenantFolder(t), create: (app: App) => new TenantChart(app, config, t) }));
}
