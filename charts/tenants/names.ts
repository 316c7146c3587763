import { bucketReadWrite } from '../../constructs/minio-distributed';
import { Plan } from '../../constructs/tenant-namespace';
import { EnvironmentConfig } from '../../environments/types';
import { Tenant } from '../../environments/tenants';

/* How a tenant's objects are named, in every chart that holds some (tenants, db-postgres, storage-minio). */

/** Folder of a tenant below `dist/<env>/`. */
export function tenantFolder(tenant: Pick<Tenant, 'id'>): string {
  return `tenants/${tenant.id}`;
}

/** The tenant's namespace. The GitOps outputs name it the same way (`tenant-<folder>`, synth/gitops/argocd.ts). */
export function tenantNamespace(tenant: Pick<Tenant, 'id'>): string {
  return `tenant-${tenant.id}`;
}

/** The tenant's PostgreSQL schema (a SQL name: `-` becomes `_`). */
export function tenantSchema(tenant: Pick<Tenant, 'id'>): string {
  return tenant.id.replace(/-/g, '_');
}

/** The tenant's MinIO bucket. */
export function tenantBucket(tenant: Pick<Tenant, 'id'>): string {
  return `tenant-${tenant.id}`;
}

/** The tenant's MinIO user (at most 20 characters: ids have at most 18). */
export function tenantMinioUser(tenant: Pick<Tenant, 'id'>): string {
  return `t-${tenant.id}`;
}

/**
 * Where the tenant's secrets are in the store: `<env>/tenants/<id>/<name>`. DR reads prod's
 * entries: its data is prod's, replicated, so it must decrypt and log in with prod's keys.
 */
export function tenantRemoteKey(
  config: EnvironmentConfig,
  tenant: Pick<Tenant, 'id'>,
  name: 'encryption-key' | 'api-key' | 'postgres' | 's3',
): string {
  return `${config.dr?.standbyOf ?? config.name}/tenants/${tenant.id}/${name}`;
}

/** What storage-minio declares for a tenant: its bucket (versioned, plan quota), a read-write policy on it alone, its user. */
export function tenantBucketProps(t: Tenant): {
  bucket: string;
  quota: string;
  user: string;
  policy: string;
  statements: ReturnType<typeof bucketReadWrite>;
} {
  return {
    bucket: tenantBucket(t),
    quota: `${Plan.fromName(t.plan).bucketQuotaGi}Gi`,
    user: tenantMinioUser(t),
    policy: `${tenantMinioUser(t)}-rw`,
    statements: bucketReadWrite(tenantBucket(t)),
  };
}
