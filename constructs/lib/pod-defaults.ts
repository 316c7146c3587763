import { k8s } from 'cdk8s-plus-28';

/**
 * Hardened pod and container defaults: Pod Security Standards "restricted", plus the
 * read-only root filesystem that kube-score, Polaris, kube-linter and the NSA guide ask for.
 * Every workload in this library builds its pods from these; none writes them again.
 */

/** A non-root UID/GID above 10000, as kube-score's `container-security-context-user-group-id` asks. */
export const DEFAULT_RUN_AS_USER = 10001;
export const DEFAULT_RUN_AS_GROUP = 10001;

export interface PodSecurityOptions {
  /** UID the containers run as. @default DEFAULT_RUN_AS_USER */
  readonly runAsUser?: number;
  /** GID the containers run as. @default DEFAULT_RUN_AS_GROUP */
  readonly runAsGroup?: number;
  /** Group that owns mounted volumes. @default - the runAsGroup */
  readonly fsGroup?: number;
}

/** Pod-level security context: non-root, seccomp RuntimeDefault, volumes owned by the run group. */
export function podSecurityContext(options: PodSecurityOptions = {}): k8s.PodSecurityContext {
  const runAsGroup = options.runAsGroup ?? DEFAULT_RUN_AS_GROUP;
  return {
    runAsNonRoot: true,
    runAsUser: options.runAsUser ?? DEFAULT_RUN_AS_USER,
    runAsGroup,
    fsGroup: options.fsGroup ?? runAsGroup,
    // Only chown a volume when its root does not already match: big data volumes start fast.
    fsGroupChangePolicy: 'OnRootMismatch',
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

export interface ContainerSecurityOptions {
  /** Keep the root filesystem read-only; mount emptyDirs for writable paths. @default true */
  readonly readOnlyRootFilesystem?: boolean;
}

/** Container-level security context: no privilege, no escalation, every capability dropped. */
export function containerSecurityContext(options: ContainerSecurityOptions = {}): k8s.SecurityContext {
  return {
    allowPrivilegeEscalation: false,
    privileged: false,
    readOnlyRootFilesystem: options.readOnlyRootFilesystem ?? true,
    runAsNonRoot: true,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/** A writable scratch path on a read-only root filesystem. */
export interface WritablePath {
  /** Volume name, a DNS label unique in the pod. */
  readonly name: string;
  /** Where it is mounted. */
  readonly mountPath: string;
  /** Size cap of the emptyDir. @default '256Mi' */
  readonly sizeLimit?: string;
  /** Back it with memory (tmpfs), as `/dev/shm` needs. @default false */
  readonly memory?: boolean;
}

/** The `/tmp` every container gets, since the root filesystem is read-only. */
export const TMP: WritablePath = { name: 'tmp', mountPath: '/tmp', sizeLimit: '256Mi' };

/** emptyDir volumes for writable paths. */
export function writableVolumes(paths: readonly WritablePath[]): k8s.Volume[] {
  return paths.map((p) => ({
    name: p.name,
    emptyDir: {
      ...(p.memory ? { medium: 'Memory' } : {}),
      sizeLimit: k8s.Quantity.fromString(p.sizeLimit ?? '256Mi'),
    },
  }));
}

/** The matching volume mounts. */
export function writableMounts(paths: readonly WritablePath[]): k8s.VolumeMount[] {
  return paths.map((p) => ({ name: p.name, mountPath: p.mountPath }));
}
