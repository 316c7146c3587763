import { JsonPatch } from 'cdk8s';
import { managedSecret, SecretKeyMapping } from '../lib/external-secret';
import { pgbouncerUserlistLine, ROLES } from './config';
import { BACKUP_SECRET_KEYS } from './backup';
import { ClusterContext } from './context';

/** Keys of the credentials Secret, each `<role>-password`, read from the same-named property of the store. */
const CREDENTIAL_ROLES = ['superuser', 'replication', 'rewind', 'monitor', 'pooler', 'app', 'backup', 'restapi'];
/** Key of the application password in the app Secret (ServiceConnection.secret.keys.password). */
export const APP_PASSWORD_KEY = 'password';
/** Property of the store's value that holds the application password. */
export const APP_PASSWORD_PROPERTY = 'app-password';

/**
 * The cluster's Secrets, as ExternalSecrets only (nothing secret is in git): every password for
 * the members and Jobs, the application password alone for clients, the pooler's auth file, and
 * the S3 credentials when there are backups.
 */
export function addSecrets(ctx: ClusterContext): void {
  const { props, names, namespace } = ctx;
  const remote = (secretKey: string, property: string): SecretKeyMapping => ({ secretKey, remoteKey: props.secretRemoteKey, property });
  const common = { namespace, store: props.secretStore };
  managedSecret(ctx.scope, 'Credentials', {
    ...common,
    name: names.credentials,
    labels: ctx.labelsFor('database'),
    keys: CREDENTIAL_ROLES.map((role) => remote(`${role}-password`, `${role}-password`)),
  });
  managedSecret(ctx.scope, 'AppCredentials', {
    ...common,
    name: names.appCredentials,
    labels: ctx.labelsFor('database'),
    keys: [remote(APP_PASSWORD_KEY, APP_PASSWORD_PROPERTY)],
  });
  const poolerAuth = managedSecret(ctx.scope, 'PoolerAuth', {
    ...common,
    name: names.poolerAuth,
    labels: ctx.labelsFor('pooler'),
    keys: [remote('password', 'pooler-password')],
  });
  // PgBouncer's auth_file holds only the auth_query user; every other user is looked up in PostgreSQL.
  poolerAuth.addJsonPatch(
    JsonPatch.add('/spec/target/template', {
      engineVersion: 'v2',
      data: { 'userlist.txt': `${pgbouncerUserlistLine(ROLES.pooler, '{{ .password }}')}\n` },
    }),
  );
  // S3 credentials and the encryption key, each key from the same-named property of the entry.
  const s3Secret = (id: string, name: string, remoteKey: string, component: 'database' | 'backup'): void => {
    const keys = BACKUP_SECRET_KEYS.map((key) => ({ secretKey: key, remoteKey, property: key }));
    managedSecret(ctx.scope, id, { ...common, name, labels: ctx.labelsFor(component), keys });
  };
  const archive = props.standbyOf?.archive;
  if (archive) {
    // Read-only credentials for the primary's bucket and the primary's encryption key.
    s3Secret('StandbyArchiveCredentials', names.standbyArchiveCredentials, archive.credentialsRemoteKey, 'database');
  }
  if (props.backup) {
    s3Secret('BackupCredentials', names.backupCredentials, props.backup.credentialsRemoteKey, 'backup');
  }
}
