import { Lazy } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { selectorLabels } from '../lib/labels';
import { filesHash, setupJob } from '../lib/setup-job';
import { managedSecret } from '../lib/external-secret';
import { containerSecurityContext, TMP, writableMounts, writableVolumes } from '../lib/pod-defaults';
import { MinioContext, ROOT_KEYS, USER_KEYS } from './context';
import { addSetupPolicies } from './network';
import { UserProps } from './props';
import { SetupPlan, setupFiles } from './setup-script';

const SETUP_DIR = '/setup';
const CA_DIR = '/mnt/ca';

/** Secret of a user's keys: the same store entry its client reads. */
export function userSecretName(ctx: MinioContext, user: UserProps): string {
  return `${ctx.name}-user-${user.name}`;
}

/** The ExternalSecret of a user added with `addUser`. */
export function addUserSecret(ctx: MinioContext, user: UserProps): void {
  managedSecret(ctx.scope, `User-${user.name}`, {
    name: userSecretName(ctx, user),
    namespace: ctx.namespace,
    labels: ctx.labelsFor('setup'),
    store: ctx.props.secretStore,
    keys: Object.values(USER_KEYS).map((key) => ({ secretKey: key, remoteKey: user.credentialsRemoteKey, property: key })),
  });
}

/**
 * The setup Job and its ConfigMap. Buckets, policies and users are added after the constructor,
 * so both are rendered lazily at synth from `plan()`. The Job's name carries a hash of its files:
 * a change runs as a new Job instead of failing on the immutable Job spec; a re-run changes nothing.
 */
export function addSetupJob(ctx: MinioContext, plan: () => SetupPlan, users: () => readonly UserProps[]): void {
  const files = (): Record<string, string> => setupFiles(plan());
  new k8s.KubeConfigMap(ctx.scope, 'SetupFiles', {
    metadata: ctx.meta(ctx.names.setupFiles, 'setup'),
    data: Lazy.any({ produce: files }) as unknown as Record<string, string>,
  });
  addSetupPolicies(ctx, selectorLabels(ctx.identity('setup')));
  const tls = ctx.props.tls.enabled;
  setupJob(ctx.scope, 'SetupJob', {
    metadata: { ...ctx.meta('', 'setup'), name: Lazy.any({ produce: () => `${ctx.names.setupFiles}-${filesHash(files())}` }) as unknown as string },
    podLabels: ctx.labelsFor('setup'),
    securityContext: ctx.podSecurity(),
    container: {
      name: 'setup',
      image: ctx.props.mcImage,
      command: ['sh', `${SETUP_DIR}/setup.sh`],
      env: Lazy.any({ produce: () => setupEnv(ctx, users()) }) as unknown as k8s.EnvVar[],
      resources: ctx.props.setupResources.toKube(),
      securityContext: containerSecurityContext(),
      volumeMounts: [
        { name: 'setup', mountPath: SETUP_DIR, readOnly: true },
        ...(tls ? [{ name: 'ca', mountPath: CA_DIR, readOnly: true }] : []),
        ...writableMounts([TMP]),
      ],
    },
    volumes: [
      { name: 'setup', configMap: { name: ctx.names.setupFiles, defaultMode: 0o444 } },
      ...(tls ? [{ name: 'ca', secret: { secretName: `${ctx.name}-tls`, defaultMode: 0o440, items: [{ key: 'ca.crt', path: 'ca.crt' }] } }] : []),
      ...writableVolumes([TMP]),
    ],
  });
}

function setupEnv(ctx: MinioContext, users: readonly UserProps[]): k8s.EnvVar[] {
  return [
    { name: 'MINIO_URL', value: ctx.url },
    { name: 'FILES', value: SETUP_DIR },
    // ~/.mc (alias, trusted CA) on the writable /tmp.
    { name: 'HOME', value: TMP.mountPath },
    ...(ctx.props.tls.enabled ? [{ name: 'CA_FILE', value: `${CA_DIR}/ca.crt` }] : []),
    ctx.secretEnv('MINIO_ROOT_USER', ctx.names.root, ROOT_KEYS.user),
    ctx.secretEnv('MINIO_ROOT_PASSWORD', ctx.names.root, ROOT_KEYS.password),
    ...users.flatMap((u, i) => [
      ctx.secretEnv(`USER_${i}_ACCESS_KEY`, userSecretName(ctx, u), USER_KEYS.accessKey),
      ctx.secretEnv(`USER_${i}_SECRET_KEY`, userSecretName(ctx, u), USER_KEYS.secretKey),
    ]),
  ];
}
