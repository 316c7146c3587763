import { k8s } from 'cdk8s-plus-28';
import { containerSecurityContext, TMP, WritablePath, writableMounts, writableVolumes } from '../lib/pod-defaults';
import { execProbe } from '../lib/probes';
import { Resources } from '../lib/resources';
import { nodePoolSpec, spreadReplicas } from '../lib/scheduling';
import { RedisUser } from './config';
import { passwordKey, PATHS, RedisContext } from './context';

/** Resources of the init containers, which only write a config file. */
const INIT_RESOURCES = Resources.NANO;

/** Runs one of the ConfigMap's scripts. */
export function script(file: string): string[] {
  return ['sh', `${PATHS.config}/${file}`];
}

export const CONFIG_MOUNT: k8s.VolumeMount = { name: 'config', mountPath: PATHS.config, readOnly: true };
const SECRET_MOUNT: k8s.VolumeMount = { name: 'password', mountPath: PATHS.secret, readOnly: true };
const TLS_VOLUME = 'tls';

/** The certificate secret's mount, for every container that serves or speaks TLS; none without TLS. */
export function tlsMounts(ctx: RedisContext): k8s.VolumeMount[] {
  return ctx.tls ? [{ name: TLS_VOLUME, mountPath: PATHS.tls, readOnly: true }] : [];
}

/**
 * Exec probes that run the ConfigMap's scripts. Liveness tolerates a minute of silence before a
 * restart (a replica loading its dataset answers LOADING); readiness flips within 15 seconds.
 */
export function scriptProbes(liveness: string, readiness: string): Pick<k8s.Container, 'livenessProbe' | 'readinessProbe'> {
  return {
    livenessProbe: execProbe(script(liveness), { initialDelaySeconds: 10, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 6 }),
    readinessProbe: execProbe(script(readiness), { initialDelaySeconds: 5, periodSeconds: 5, timeoutSeconds: 5, failureThreshold: 3 }),
  };
}

/**
 * The pod spec both StatefulSets share: the image's user, no API token, no service links, the
 * node pool, one pod per node (and zone spread when asked), and an init container that writes
 * the pod's own config from `startScript` into `workDir`. The Secret volume, with the passwords
 * of `users` only, is mounted only into that init container; the other containers read the
 * passwords they need from secretKeyRefs. The certificate secret (TLS) is group-readable: the
 * server reads its key as the image's group, through fsGroup.
 */
export function podSpec(
  ctx: RedisContext,
  selector: Record<string, string>,
  start: { readonly script: string; readonly users: readonly RedisUser[] },
  workDir: WritablePath,
  rest: Pick<k8s.PodSpec, 'containers'> & Partial<k8s.PodSpec>,
): k8s.PodSpec {
  const { image, nodePool, zoneSpread } = ctx.props;
  return {
    securityContext: ctx.podSecurity(),
    automountServiceAccountToken: false,
    enableServiceLinks: false,
    ...nodePoolSpec(nodePool),
    ...spreadReplicas(selector, { requireDistinctNodes: true, acrossZones: zoneSpread }),
    initContainers: [
      {
        name: 'config',
        image,
        command: script(start.script),
        env: [{ name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
        resources: INIT_RESOURCES.toKube(),
        securityContext: containerSecurityContext(),
        volumeMounts: [CONFIG_MOUNT, SECRET_MOUNT, ...tlsMounts(ctx), ...writableMounts([workDir, TMP])],
      },
    ],
    volumes: [
      { name: 'config', configMap: { name: ctx.names.config, defaultMode: 0o444 } },
      // Group-readable: the pods run with the image's group, which owns the files via fsGroup.
      {
        name: 'password',
        secret: { secretName: ctx.names.auth, defaultMode: 0o440, items: start.users.map((u) => ({ key: passwordKey(u), path: passwordKey(u) })) },
      },
      ...(ctx.tls ? [{ name: TLS_VOLUME, secret: { secretName: ctx.tls.secretName, defaultMode: 0o440 } }] : []),
      ...writableVolumes([workDir, TMP]),
    ],
    ...rest,
  };
}

/** The pod template's metadata: the component's labels and the config checksum that rolls the pods. */
export function templateMeta(ctx: RedisContext, component: 'data' | 'sentinel', configChecksum: string): k8s.ObjectMeta {
  return { labels: ctx.labelsFor(component), annotations: { [`checksum/config`]: configChecksum } };
}
