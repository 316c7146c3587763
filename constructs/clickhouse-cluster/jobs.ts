import { k8s } from 'cdk8s-plus-28';
import { contentHash } from '../lib/content-hash';
import { containerSecurityContext, TMP, writableMounts, writableVolumes } from '../lib/pod-defaults';
import { Resources } from '../lib/resources';
import { ChContext, CREDENTIAL_KEYS, USERS } from './context';
import { quoteIdentifier, quoteString } from './ddl';
import { NATIVE_PORT } from './props';

/** Writes the admin login into the client's config file under /tmp (never on the command line). */
const CLIENT_LOGIN = `umask 077
printf '<config><user>%s</user><password>%s</password></config>\\n' "$CLICKHOUSE_USER" "$CLICKHOUSE_PASSWORD" > /tmp/client.xml
`;

/**
 * Runs the statements in order, waiting for the servers first. Every statement is `IF NOT EXISTS`,
 * so a re-run (a retried Job, a new replica) changes nothing. The password is read from the
 * environment into the client's own config file under /tmp, not passed on the command line.
 */
export const SCHEMA_SCRIPT = `#!/bin/sh
set -eu
${CLIENT_LOGIN}client() { clickhouse-client --config-file=/tmp/client.xml --host "$CLICKHOUSE_HOST" --port "$CLICKHOUSE_PORT" "$@"; }
until client --query 'SELECT 1' >/dev/null 2>&1; do echo 'waiting for clickhouse'; sleep 5; done
client --multiquery < "$1"
echo 'schema applied'
`;

/** Pod spec of a Job that runs one script of `files` with the admin login. */
function jobPod(ctx: ChContext, component: 'schema' | 'backup', configMap: string, args: string[]): k8s.PodSpec {
  return {
    restartPolicy: 'OnFailure',
    automountServiceAccountToken: false,
    enableServiceLinks: false,
    securityContext: ctx.podSecurity(),
    containers: [
      {
        name: component,
        image: ctx.props.image,
        command: ['sh', '/files/run.sh', ...args],
        env: [
          { name: 'CLICKHOUSE_HOST', value: ctx.host },
          { name: 'CLICKHOUSE_PORT', value: String(NATIVE_PORT) },
          { name: 'CLICKHOUSE_USER', value: USERS.admin },
          ctx.secretEnv('CLICKHOUSE_PASSWORD', ctx.names.credentials, CREDENTIAL_KEYS.admin),
        ],
        resources: Resources.MICRO.toKube(),
        securityContext: containerSecurityContext(),
        volumeMounts: [{ name: 'files', mountPath: '/files', readOnly: true }, ...writableMounts([TMP])],
      },
    ],
    volumes: [{ name: 'files', configMap: { name: configMap, defaultMode: 0o444 } }, ...writableVolumes([TMP])],
  };
}

/** The schema ConfigMap and Job; the Job's name carries a hash of the statements, so a change runs as a new Job. */
export function addSchemaJob(ctx: ChContext, statements: readonly string[]): k8s.KubeJob {
  const sql = `${statements.map((s) => `${s};`).join('\n\n')}\n`;
  new k8s.KubeConfigMap(ctx.scope, 'SchemaFiles', {
    metadata: ctx.meta(ctx.names.schema, 'schema'),
    data: { 'run.sh': SCHEMA_SCRIPT, 'schema.sql': sql },
  });
  return new k8s.KubeJob(ctx.scope, 'SchemaJob', {
    metadata: ctx.meta(`${ctx.names.schema}-${contentHash(sql)}`, 'schema'),
    spec: {
      // The cluster may still be forming on first sync: retry for a while, then fail visibly.
      backoffLimit: 10,
      activeDeadlineSeconds: 3600,
      template: { metadata: { labels: ctx.labelsFor('schema') }, spec: jobPod(ctx, 'schema', ctx.names.schema, ['/files/schema.sql']) },
    },
  });
}

/** The BACKUP statement: every shard of the database, to a new folder `<basePath>/<stamp>/` per run. */
export function backupStatement(ctx: ChContext, stamp: string): string {
  const b = ctx.props.backup!;
  const url = `${b.endpoint}/${b.bucket}/${b.basePath}/${stamp}/`;
  return `BACKUP DATABASE ${quoteIdentifier(ctx.props.database)} ON CLUSTER ${quoteIdentifier(ctx.props.clusterName)} TO S3(${quoteString(url)})`;
}

/** The script of the backup CronJob: the statement with the run's UTC time stamp. */
function backupScript(ctx: ChContext): string {
  const stmt = backupStatement(ctx, '$STAMP').replace(/`/g, '\\`');
  return `#!/bin/sh
set -eu
${CLIENT_LOGIN}STAMP=$(date -u +%Y%m%dT%H%M%SZ)
clickhouse-client --config-file=/tmp/client.xml --host "$CLICKHOUSE_HOST" --port "$CLICKHOUSE_PORT" --query "${stmt}"
echo "backup $STAMP written"
`;
}

/** The daily backup: a CronJob that asks the cluster to write `BACKUP ... TO S3` (the servers write, the Job only asks). */
export function addBackupCronJob(ctx: ChContext): k8s.KubeCronJob {
  const b = ctx.props.backup!;
  new k8s.KubeConfigMap(ctx.scope, 'BackupFiles', { metadata: ctx.meta(ctx.names.backup, 'backup'), data: { 'run.sh': backupScript(ctx) } });
  return new k8s.KubeCronJob(ctx.scope, 'Backup', {
    metadata: {
      ...ctx.meta(ctx.names.backup, 'backup'),
      annotations: { [`${ctx.props.labelDomain}/retention-days`]: String(b.retentionDays) },
    },
    spec: {
      schedule: b.schedule,
      concurrencyPolicy: 'Forbid',
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 3,
      jobTemplate: {
        spec: {
          backoffLimit: 2,
          activeDeadlineSeconds: 6 * 3600,
          template: { metadata: { labels: ctx.labelsFor('backup') }, spec: jobPod(ctx, 'backup', ctx.names.backup, []) },
        },
      },
    },
  });
}
