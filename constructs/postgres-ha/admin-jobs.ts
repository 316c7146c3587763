import { k8s } from 'cdk8s-plus-28';
import { contentHash } from '../lib/content-hash';
import { managedSecret } from '../lib/external-secret';
import { containerSecurityContext, TMP, writableMounts, writableVolumes } from '../lib/pod-defaults';
import { bootstrapSql, PATRONI_CONFIG_PATH, ROLES, tenantSchemaSql } from './config';
import { PropChecks } from '../lib/prop-errors';
import { Resources } from '../lib/resources';
import { ClusterContext } from './context';
import { downwardEnv, PATRONI_CONFIG_MOUNT, patroniEnv } from './patroni';
import { TenantSchemaOptions } from './props';
import { isSqlName } from './resolve';

/** Names a tenant schema may not take: PostgreSQL's own schemas and the pooler's. */
const RESERVED_SCHEMAS = ['public', 'pg_catalog', 'information_schema', 'pgbouncer'];
const SQL_MOUNT: k8s.VolumeMount = { name: 'sql', mountPath: '/sql', readOnly: true };

/**
 * The admin Jobs of a cluster: idempotent SQL (roles, the database, tenant schemas) run as the
 * superuser from one ConfigMap, and the promote Job. A standby runs none of the SQL: it is
 * read-only, its roles and schemas arrive by replication from the primary.
 */
export class AdminJobs {
  /** The ConfigMap's data: each Job adds its file, also after the ConfigMap is created. */
  private readonly sqlFiles: Record<string, string> = {};
  private readonly tenants = new Set<string>();
  private readonly sqlConfigMap: string;

  constructor(private readonly ctx: ClusterContext) {
    this.sqlConfigMap = `${ctx.name}-sql`;
  }

  /** The SQL ConfigMap and the Job that creates the roles, the database and its extensions. */
  public addBootstrap(): void {
    const { database, owner } = this.ctx.props;
    new k8s.KubeConfigMap(this.ctx.scope, 'Sql', { metadata: this.ctx.meta(this.sqlConfigMap, 'admin'), data: this.sqlFiles });
    this.addSqlJob('bootstrap', bootstrapSql({ database, owner }));
  }

  /** See PostgresHA.addTenantSchema. */
  public addTenantSchema(tenantId: string, options: TenantSchemaOptions): k8s.KubeJob | undefined {
    const check = new PropChecks(this.ctx.scope);
    const field = 'addTenantSchema.tenantId';
    check.that(
      /^[a-z][a-z0-9_]{0,39}$/.test(tenantId),
      field,
      'must start with a letter and use only lower-case letters, digits and _ (at most 40): it names a schema, a role and a Job',
      tenantId,
    );
    check.that(!this.tenants.has(tenantId), field, 'is already added', tenantId);
    check.that(!RESERVED_SCHEMAS.includes(tenantId), field, 'is reserved', tenantId);
    const database = options.database ?? this.ctx.props.database;
    check.that(isSqlName(database), 'addTenantSchema.database', 'must be a lower-case SQL name', database);
    check.throwIfAny();
    this.tenants.add(tenantId);
    if (this.ctx.props.standby) {
      return undefined; // Replicated from the primary cluster.
    }
    const name = `tenant-${tenantId.replace(/_/g, '-')}`;
    const sql = tenantSchemaSql({ database, schema: tenantId, appRole: this.ctx.props.owner, login: options.login !== undefined });
    if (!options.login) {
      return this.addSqlJob(name, sql);
    }
    // The tenant's password, from its own store entry, reaches only this Job.
    const secretName = `${this.ctx.name}-${name}`.slice(0, 63).replace(/-+$/, '');
    managedSecret(this.ctx.scope, `TenantLogin-${tenantId}`, {
      name: secretName,
      namespace: this.ctx.namespace,
      labels: this.ctx.labelsFor('admin'),
      store: this.ctx.props.secretStore,
      keys: [{ secretKey: 'password', remoteKey: options.login.remoteKey, property: options.login.property ?? 'password' }],
    });
    return this.addSqlJob(name, sql, {
      variable: 'tenant_password',
      env: { name: 'TENANT_PASSWORD', valueFrom: { secretKeyRef: { name: secretName, key: 'password' } } },
    });
  }

  /**
   * A Job whose name carries a hash of its SQL, so a changed script runs as a new Job instead of
   * failing on the immutable Job spec.
   */
  private addSqlJob(name: string, sql: string, extra?: { variable: string; env: k8s.EnvVar }): k8s.KubeJob {
    const ctx = this.ctx;
    const file = `${name}.sql`;
    this.sqlFiles[file] = sql;
    const jobName = `${ctx.name}-${name}-${contentHash(sql)}`.slice(0, 63).replace(/-+$/, '');
    const passwords = ['monitor', 'pooler', 'app', 'backup'];
    return adminJob(ctx, `SqlJob-${name}`, jobName, {
      automountServiceAccountToken: false,
      container: {
        name: 'psql',
        command: [
          'psql',
          '--no-psqlrc',
          ...passwords.flatMap((role) => ['-v', `${role}_password=$(${role.toUpperCase()}_PASSWORD)`]),
          ...(extra ? ['-v', `${extra.variable}=$(${extra.env.name})`] : []),
          '-f',
          `/sql/${file}`,
        ],
        env: [
          ...ctx.libpqEnv(ctx.hosts.primary, ROLES.superuser, 'superuser-password'),
          { name: 'PGDATABASE', value: 'postgres' },
          { name: 'PGAPPNAME', value: jobName },
          ...passwords.map((role) => ctx.credentialEnv(`${role.toUpperCase()}_PASSWORD`, `${role}-password`)),
          ...(extra ? [extra.env] : []),
        ],
      },
      volume: { mount: SQL_MOUNT, source: { name: SQL_MOUNT.name, configMap: { name: this.sqlConfigMap } } },
    });
  }
}

/** The Job that promotes a former standby (DR failover). */
export function addPromoteJob(ctx: ClusterContext): void {
  adminJob(ctx, 'PromoteJob', `${ctx.name}-promote`, {
    serviceAccountName: ctx.names.serviceAccount,
    automountServiceAccountToken: true,
    container: {
      name: 'patronictl',
      // Removing standby_cluster from the dynamic configuration makes the standby leader a
      // primary; with no standby_cluster it changes nothing, so re-running is safe.
      command: ['patronictl', '-c', PATRONI_CONFIG_PATH, 'edit-config', '--force', '--set', 'standby_cluster=null'],
      env: [...downwardEnv(), ...patroniEnv()],
    },
    volume: { mount: PATRONI_CONFIG_MOUNT, source: { name: PATRONI_CONFIG_MOUNT.name, configMap: { name: ctx.names.patroniConfig } } },
  });
}

interface AdminPod {
  readonly serviceAccountName?: string;
  readonly automountServiceAccountToken: boolean;
  readonly container: Pick<k8s.Container, 'name' | 'command' | 'env'>;
  readonly volume: { readonly mount: k8s.VolumeMount; readonly source: k8s.Volume };
}

/**
 * A one-shot admin Job running the database image: retried while the leader may not exist yet
 * (first sync), then failing visibly; hardened like every pod, with /tmp and one extra volume.
 */
function adminJob(ctx: ClusterContext, id: string, name: string, pod: AdminPod): k8s.KubeJob {
  return new k8s.KubeJob(ctx.scope, id, {
    metadata: { name, namespace: ctx.namespace, labels: ctx.labelsFor('admin') },
    spec: {
      // The leader may not exist yet on first sync: retry for a while, then give up visibly.
      backoffLimit: 20,
      activeDeadlineSeconds: 3600,
      template: {
        metadata: { labels: ctx.labelsFor('admin') },
        spec: {
          restartPolicy: 'OnFailure',
          ...(pod.serviceAccountName ? { serviceAccountName: pod.serviceAccountName } : {}),
          automountServiceAccountToken: pod.automountServiceAccountToken,
          enableServiceLinks: false,
          securityContext: ctx.spiloPodSecurity(),
          containers: [
            {
              ...pod.container,
              image: ctx.props.image,
              resources: Resources.NANO.toKube(),
              securityContext: containerSecurityContext(),
              volumeMounts: [...writableMounts([TMP]), pod.volume.mount],
            },
          ],
          volumes: [...writableVolumes([TMP]), pod.volume.source],
        },
      },
    },
  });
}
