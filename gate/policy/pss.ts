import { ContainerRef, Finding, ManifestIndex, PodTemplate } from './model';

/* eslint-disable @typescript-eslint/no-explicit-any */

/**
 * Pod Security Standards, "restricted", field by field as the Pod Security admission code checks
 * them (kubernetes/pod-security-admission `policy/check_*.go`), for every pod template of every
 * workload kind, init and ephemeral containers included.
 */

const BASELINE_CAPS = new Set([
  'AUDIT_WRITE',
  'CHOWN',
  'DAC_OVERRIDE',
  'FOWNER',
  'FSETID',
  'KILL',
  'MKNOD',
  'NET_BIND_SERVICE',
  'SETFCAP',
  'SETGID',
  'SETPCAP',
  'SETUID',
  'SYS_CHROOT',
]);
const SAFE_SYSCTLS = new Set([
  'kernel.shm_rmid_forced',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.ip_unprivileged_port_start',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range',
  'net.ipv4.ip_local_reserved_ports',
]);
const RESTRICTED_VOLUME_TYPES = new Set(['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret']);
const SELINUX_TYPES = new Set(['', 'container_t', 'container_init_t', 'container_kvm_t', 'container_engine_t']);
const APPARMOR_PREFIX = 'container.apparmor.security.beta.kubernetes.io/';

export function checkPodSecurity(index: ManifestIndex, report: (f: Finding) => void): void {
  for (const pod of index.pods) {
    checkPod(pod, report);
  }
}

function checkPod(pod: PodTemplate, report: (f: Finding) => void): void {
  const { spec, specPath, manifest } = pod;
  const f = (path: string, rule: string, message: string): void => report({ manifest, path, rule, message });
  const psc = spec.securityContext ?? {};
  const pscPath = `${specPath}.securityContext`;
  const isWindows = spec.os?.name === 'windows';

  for (const field of ['hostNetwork', 'hostPID', 'hostIPC'] as const) {
    if (spec[field] === true) {
      f(`${specPath}.${field}`, 'pss.host-namespaces', `${field} shares the node's namespace: remove it (PSS baseline)`);
    }
  }
  if (psc.windowsOptions?.hostProcess === true) {
    f(`${pscPath}.windowsOptions.hostProcess`, 'pss.windows-host-process', 'Windows HostProcess pods have node access: remove it');
  }
  (spec.volumes ?? []).forEach((v: any, i: number) => {
    const vp = `${specPath}.volumes[${i}]`;
    if (v?.hostPath) {
      f(`${vp}.hostPath`, 'pss.host-path', `volume "${v.name}" mounts a host path: use a PVC, emptyDir or configMap`);
    }
    const type = Object.keys(v ?? {}).find((k) => k !== 'name');
    // hostPath has its own (baseline) rule; reporting it twice would only add noise.
    if (type && type !== 'hostPath' && !RESTRICTED_VOLUME_TYPES.has(type)) {
      f(vp, 'pss.volume-types', `volume "${v.name}" is of type ${type}: restricted allows only ${[...RESTRICTED_VOLUME_TYPES].join(', ')}`);
    }
  });
  (psc.sysctls ?? []).forEach((s: any, i: number) => {
    if (!SAFE_SYSCTLS.has(s?.name)) {
      f(`${pscPath}.sysctls[${i}].name`, 'pss.sysctls', `sysctl "${s?.name}" is not in the safe set (${[...SAFE_SYSCTLS].join(', ')})`);
    }
  });
  checkSeLinux(psc.seLinuxOptions, pscPath, f);
  if (psc.runAsUser === 0) {
    f(`${pscPath}.runAsUser`, 'pss.run-as-user-root', 'runAsUser 0 runs as root: use a non-zero UID');
  }
  if (psc.runAsNonRoot === false) {
    f(`${pscPath}.runAsNonRoot`, 'pss.run-as-non-root', 'runAsNonRoot must not be false');
  }
  const podSeccomp = psc.seccompProfile?.type;
  if (podSeccomp === 'Unconfined') {
    f(`${pscPath}.seccompProfile.type`, 'pss.seccomp', 'seccomp Unconfined: use RuntimeDefault or Localhost');
  }
  for (const [key, value] of Object.entries(pod.annotations)) {
    if (key.startsWith(APPARMOR_PREFIX) && value !== 'runtime/default' && !String(value).startsWith('localhost/')) {
      f(`${pod.annotationsPath}["${key}"]`, 'pss.apparmor', `AppArmor profile "${value}": use runtime/default or localhost/<profile>`);
    }
  }

  for (const ref of pod.containers) {
    checkContainer(ref, psc, isWindows, f);
  }
}

function checkSeLinux(opts: any, at: string, f: (path: string, rule: string, message: string) => void): void {
  if (!opts) {
    return;
  }
  if (opts.type !== undefined && !SELINUX_TYPES.has(opts.type)) {
    f(`${at}.seLinuxOptions.type`, 'pss.selinux', `SELinux type "${opts.type}": allowed are container_t, container_init_t, container_kvm_t or unset`);
  }
  for (const field of ['user', 'role']) {
    if (opts[field]) {
      f(`${at}.seLinuxOptions.${field}`, 'pss.selinux', `SELinux ${field} must not be set`);
    }
  }
}

function checkContainer(ref: ContainerRef, psc: any, isWindows: boolean, f: (path: string, rule: string, message: string) => void): void {
  const sc = ref.c.securityContext ?? {};
  const at = `${ref.path}.securityContext`;
  const name = ref.c.name ?? '?';
  if (sc.privileged === true) {
    f(`${at}.privileged`, 'pss.privileged', `container "${name}" is privileged: remove privileged: true`);
  }
  if (sc.windowsOptions?.hostProcess === true) {
    f(`${at}.windowsOptions.hostProcess`, 'pss.windows-host-process', `container "${name}" is a Windows HostProcess container`);
  }
  (ref.c.ports ?? []).forEach((p: any, i: number) => {
    if (p?.hostPort) {
      f(`${ref.path}.ports[${i}].hostPort`, 'pss.host-ports', `container "${name}" binds host port ${p.hostPort}: use a Service`);
    }
  });
  const add: string[] = sc.capabilities?.add ?? [];
  add.forEach((cap, i) => {
    if (cap !== 'NET_BIND_SERVICE') {
      const level = BASELINE_CAPS.has(cap) ? 'restricted' : 'baseline and restricted';
      f(
        `${at}.capabilities.add[${i}]`,
        'pss.capabilities-add',
        `container "${name}" adds ${cap} (forbidden by ${level}): only NET_BIND_SERVICE may be added`,
      );
    }
  });
  if (!(sc.capabilities?.drop ?? []).includes('ALL')) {
    f(`${at}.capabilities.drop`, 'pss.capabilities-drop', `container "${name}" must drop ALL capabilities (capabilities.drop: [ALL])`);
  }
  if (sc.procMount !== undefined && sc.procMount !== 'Default') {
    f(`${at}.procMount`, 'pss.proc-mount', `container "${name}" uses procMount ${sc.procMount}: use Default`);
  }
  checkSeLinux(sc.seLinuxOptions, at, f);
  if (!isWindows && sc.allowPrivilegeEscalation !== false) {
    f(`${at}.allowPrivilegeEscalation`, 'pss.privilege-escalation', `container "${name}" must set allowPrivilegeEscalation: false`);
  }
  if (sc.runAsNonRoot === false || (sc.runAsNonRoot !== true && psc.runAsNonRoot !== true)) {
    f(`${at}.runAsNonRoot`, 'pss.run-as-non-root', `container "${name}" must run as non-root: set runAsNonRoot: true on the pod or container`);
  }
  if (sc.runAsUser === 0) {
    f(`${at}.runAsUser`, 'pss.run-as-user-root', `container "${name}" sets runAsUser 0: use a non-zero UID`);
  }
  const seccomp = sc.seccompProfile?.type ?? psc.seccompProfile?.type;
  // An Unconfined pod-level profile is reported once, at the pod, unless the container overrides it.
  const reportedAtPod = !sc.seccompProfile && psc.seccompProfile?.type === 'Unconfined';
  if (!isWindows && !reportedAtPod && seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost') {
    f(
      sc.seccompProfile ? `${at}.seccompProfile.type` : at,
      'pss.seccomp',
      `container "${name}" needs seccompProfile RuntimeDefault or Localhost (pod or container level)${seccomp ? `, not ${seccomp}` : ''}`,
    );
  }
  if (ref.type !== 'ephemeral' && sc.readOnlyRootFilesystem !== true) {
    f(
      `${at}.readOnlyRootFilesystem`,
      'sec.read-only-root-fs',
      `container "${name}" should set readOnlyRootFilesystem: true (emptyDir for writable paths)`,
    );
  }
}
