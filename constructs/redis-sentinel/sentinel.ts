import { k8s } from 'cdk8s-plus-28';
import { containerSecurityContext, TMP, writableMounts } from '../lib/pod-defaults';
import { SENTINEL_PORT } from './config';
import { FILES, PATHS, RedisContext, SENTINEL_DIR } from './context';
import { SENTINEL_USERS } from './files';
import { CONFIG_MOUNT, podSpec, scriptProbes, templateMeta, tlsMounts } from './pods';

/**
 * The Sentinels: a StatefulSet apart from the data pods, so each has its own readiness and
 * restarts. Their state is on a memory emptyDir (Sentinel rewrites its config file) and is
 * rebuilt from the other Sentinels at start; they start in parallel.
 */
export function addSentinelStatefulSet(ctx: RedisContext, configChecksum: string): k8s.KubeStatefulSet {
  const selector = ctx.selectorFor('sentinel');
  return new k8s.KubeStatefulSet(ctx.scope, 'Sentinel', {
    metadata: ctx.meta(ctx.names.sentinel, 'sentinel'),
    spec: {
      replicas: ctx.props.sentinelReplicas,
      serviceName: ctx.names.sentinelHeadless,
      podManagementPolicy: 'Parallel',
      updateStrategy: { type: 'RollingUpdate' },
      selector: { matchLabels: { ...selector } },
      template: {
        metadata: templateMeta(ctx, 'sentinel', configChecksum),
        spec: podSpec(ctx, selector, { script: FILES.startSentinel, users: SENTINEL_USERS }, SENTINEL_DIR, { containers: [sentinelContainer(ctx)] }),
      },
    },
  });
}

function sentinelContainer(ctx: RedisContext): k8s.Container {
  return {
    name: 'sentinel',
    image: ctx.props.image,
    command: ['redis-sentinel', `${PATHS.sentinel}/sentinel.conf`],
    ports: [{ name: 'sentinel', containerPort: SENTINEL_PORT, protocol: 'TCP' }],
    // The probes' redis-cli reads Sentinel's password (the app user's) from REDISCLI_AUTH.
    env: [ctx.passwordEnv('REDISCLI_AUTH', 'app')],
    resources: ctx.props.sentinelResources.toKube(),
    securityContext: containerSecurityContext(),
    volumeMounts: [CONFIG_MOUNT, ...tlsMounts(ctx), ...writableMounts([SENTINEL_DIR, TMP])],
    ...scriptProbes(FILES.sentinelLiveness, FILES.sentinelReadiness),
  };
}
