import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { uniquePolicyName } from '../connections';
import { managedSecret, SecretKeyMapping, SecretStoreRef } from '../external-secret';
import { allowEgressPolicy } from '../network';
import { PropChecks } from '../prop-errors';
import { ClientEndpoint, clientLabel, ConnectedContainer, ConnectOptions, envPrefix } from './endpoint';
import { SecretEnvVar } from './props';

/** Where `connectsTo` mounts the CA of a TLS endpoint: `<dir>/<prefix, lower-case>/ca.crt`. */
export const CA_MOUNT_DIR = '/etc/tls';

/**
 * The pod a `connectsTo` call wires, whatever owns it (an `AppWorkload`, a `ScheduledTask`): its
 * identity, and the lists of its pod template that the call adds to (env, volumes, mounts).
 */
export interface ConnectablePod {
  /** Base name: the ExternalSecret is `<name>-<prefix>`, the egress policy `<name>-to-<prefix>`. */
  readonly name: string;
  readonly namespace: string;
  /** Labels of the emitted objects. */
  readonly labels: Readonly<Record<string, string>>;
  /** Labels that select exactly these pods (the egress policy's podSelector). */
  readonly selector: Readonly<Record<string, string>>;
  /** The pod template's labels: `connectsTo` adds the endpoint's client label (`clientLabel()`) here. */
  readonly podLabels: Record<string, string>;
  readonly secretStore: SecretStoreRef;
  /** Env of the main container. */
  readonly env: k8s.EnvVar[];
  /** Volumes of the pod. */
  readonly volumes: k8s.Volume[];
  /** Volume mounts of the main container. */
  readonly mounts: k8s.VolumeMount[];
  /** Env prefixes already connected (one endpoint per prefix). */
  readonly prefixes: Set<string>;
  /** NetworkPolicy names already taken by this pod's egress policies. */
  readonly egressNames: Set<string>;
}

/**
 * Connects `pod` to a data service: its host, port, user and settings as env vars, its password
 * (and any secret setting, and the CA of a TLS server) through an ExternalSecret `<name>-<prefix>`,
 * and the egress NetworkPolicy `<name>-to-<prefix>` to the server's pods. Objects are created
 * below `scope`. The pods get the client label of the endpoint's kind (`clientLabel()`), which is
 * what the server's chart admits (`clientPeer()`): only pods that connect get in.
 */
export function connectEndpoint(scope: Construct, pod: ConnectablePod, endpoint: ClientEndpoint, options: ConnectOptions = {}): void {
  const p = envPrefix(endpoint, options);
  const check = new PropChecks(scope);
  check.that(/^[A-Z][A-Z0-9_]{0,19}$/.test(p), 'connectsTo.prefix', 'must be upper-case letters, digits and _, at most 20 characters', p);
  check.that(!pod.prefixes.has(p), 'connectsTo', `already connects to ${p}: give the second endpoint its own prefix`, endpoint.host);
  check.that(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(endpoint.host), 'connectsTo.host', 'must be a DNS name', endpoint.host);
  check.integer(endpoint.port, 'connectsTo.port', 1, 65535);
  check.that(endpoint.peer.ports.includes(endpoint.port), 'connectsTo.peer.ports', `must include the endpoint port ${endpoint.port}`, endpoint.peer.ports);
  check.throwIfAny();
  pod.prefixes.add(p);
  pod.podLabels[clientLabel(endpoint.kind)] = 'true';
  const lower = p.toLowerCase().replace(/_/g, '-');
  const secretName = `${pod.name}-${lower}`;
  const keys: SecretKeyMapping[] = [];
  // The env vars (and the CA mount) go to the main container, or to options.container (an init container).
  const target: ConnectedContainer = options.container ?? { env: pod.env, volumeMounts: pod.mounts };
  const fromSecret = (env: string, key: string, ref: { remoteKey: string; property?: string }): void => {
    keys.push({ secretKey: key, remoteKey: ref.remoteKey, property: ref.property });
    target.env.push({ name: env, valueFrom: { secretKeyRef: { name: secretName, key } } });
  };
  target.env.push({ name: `${p}_HOST`, value: endpoint.host }, { name: `${p}_PORT`, value: String(endpoint.port) });
  if (endpoint.username !== undefined) {
    target.env.push({ name: `${p}_USER`, value: endpoint.username });
  }
  if (endpoint.password) {
    fromSecret(`${p}_PASSWORD`, 'password', endpoint.password);
  }
  for (const [k, v] of Object.entries(endpoint.settings ?? {})) {
    target.env.push({ name: `${p}_${k}`, value: v });
  }
  for (const [k, ref] of Object.entries(endpoint.secretSettings ?? {})) {
    fromSecret(`${p}_${k}`, k.toLowerCase().replace(/_/g, '-'), ref);
  }
  if (endpoint.tls) {
    mountCa(pod, target, { p, lower, secretName, ca: endpoint.tls.ca, keys });
  }
  if (keys.length > 0) {
    managedSecret(scope, `Connection-${p}`, { name: secretName, namespace: pod.namespace, labels: { ...pod.labels }, store: pod.secretStore, keys });
  }
  allowEgressPolicy(scope, `Egress-${p}`, {
    name: uniquePolicyName(pod.egressNames, `${pod.name}-to-${lower}`),
    namespace: pod.namespace,
    labels: { ...pod.labels },
    podSelector: { ...pod.selector },
    to: [endpoint.peer],
    ports: endpoint.peer.ports,
  });
}

function mountCa(
  pod: ConnectablePod,
  target: ConnectedContainer,
  c: { p: string; lower: string; secretName: string; ca: { remoteKey: string; property?: string }; keys: SecretKeyMapping[] },
): void {
  c.keys.push({ secretKey: 'ca.crt', remoteKey: c.ca.remoteKey, property: c.ca.property });
  const volume = `${c.lower}-ca`;
  pod.volumes.push({ name: volume, secret: { secretName: c.secretName, items: [{ key: 'ca.crt', path: 'ca.crt' }] } });
  target.volumeMounts.push({ name: volume, mountPath: `${CA_MOUNT_DIR}/${c.lower}`, readOnly: true });
  target.env.push({ name: `${c.p}_CA_FILE`, value: `${CA_MOUNT_DIR}/${c.lower}/ca.crt` });
}

/** The pod's identity as `secretEnvVars` needs it. */
export interface SecretEnvOwner {
  readonly name: string;
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly secretStore: SecretStoreRef;
}

/**
 * Env vars read from the secret store: one ExternalSecret `<name>-env` (created below `scope` as
 * `Env`) holding every key, and a `secretKeyRef` per var. None (and no ExternalSecret) without vars.
 */
export function secretEnvVars(scope: Construct, owner: SecretEnvOwner, secretEnv: Readonly<Record<string, SecretEnvVar>> | undefined): k8s.EnvVar[] {
  const entries = Object.entries(secretEnv ?? {});
  if (entries.length === 0) {
    return [];
  }
  const secretName = `${owner.name}-env`;
  managedSecret(scope, 'Env', {
    name: secretName,
    namespace: owner.namespace,
    labels: { ...owner.labels },
    store: owner.secretStore,
    keys: entries.map(([key, ref]) => ({ secretKey: key, remoteKey: ref.remoteKey, property: ref.property })),
  });
  return entries.map(([key]) => ({ name: key, valueFrom: { secretKeyRef: { name: secretName, key } } }));
}

/** Plain env vars, in the order given. */
export function plainEnvVars(env: Readonly<Record<string, string>> | undefined): k8s.EnvVar[] {
  return Object.entries(env ?? {}).map(([name, value]) => ({ name, value }));
}
