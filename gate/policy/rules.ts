/** Every policy rule of the gate: a stable id, a severity, and what it asks for. */
export interface RuleInfo {
  readonly id: string;
  readonly severity: 'error' | 'warning';
  readonly summary: string;
}

const error = (id: string, summary: string): RuleInfo => ({ id, severity: 'error', summary });
const warning = (id: string, summary: string): RuleInfo => ({ id, severity: 'warning', summary });

export const RULES: readonly RuleInfo[] = [
  // Pod Security Standards, restricted (Pod Security admission check ids in brackets).
  error('pss.privileged', 'no privileged containers [privileged]'),
  error('pss.host-namespaces', 'no hostNetwork, hostPID, hostIPC [hostNamespaces]'),
  error('pss.host-path', 'no hostPath volumes [hostPathVolumes]'),
  error('pss.host-ports', 'no hostPort [hostPorts]'),
  error('pss.capabilities-add', 'add no capability but NET_BIND_SERVICE [capabilities_baseline, capabilities_restricted]'),
  error('pss.capabilities-drop', 'drop ALL capabilities [capabilities_restricted]'),
  error('pss.privilege-escalation', 'allowPrivilegeEscalation: false [allowPrivilegeEscalation]'),
  error('pss.run-as-non-root', 'runAsNonRoot: true on the pod or every container, never false [runAsNonRoot]'),
  error('pss.run-as-user-root', 'runAsUser is never 0 [runAsUser]'),
  error('pss.seccomp', 'seccompProfile RuntimeDefault or Localhost [seccompProfile_baseline, seccompProfile_restricted]'),
  error(
    'pss.volume-types',
    'only configMap, csi, downwardAPI, emptyDir, ephemeral, persistentVolumeClaim, projected, secret volumes [restrictedVolumes]',
  ),
  error('pss.sysctls', 'only safe sysctls [sysctls]'),
  error('pss.proc-mount', 'procMount Default [procMount]'),
  error('pss.apparmor', 'AppArmor runtime/default or localhost/* [appArmorProfile]'),
  error('pss.selinux', 'SELinux type limited to container types, no user/role [seLinuxOptions]'),
  error('pss.windows-host-process', 'no Windows HostProcess [windowsHostProcess]'),
  error('sec.read-only-root-fs', 'readOnlyRootFilesystem: true (kube-score, Polaris, kube-linter, NSA 1.1)'),
  // Resources and health.
  error('res.cpu-request', 'every container requests cpu'),
  error('res.memory-request', 'every container requests memory'),
  error('res.memory-limit', 'every container has a memory limit'),
  error('res.gpu-limit', 'GPU containers set nvidia.com/gpu in limits'),
  error('health.readiness-probe', 'long-running containers have a readinessProbe'),
  error('health.liveness-probe', 'long-running containers have a livenessProbe'),
  error('health.identical-probes', 'liveness and readiness probes differ'),
  // Availability.
  error('avail.pdb-missing', 'more than one replica: a PodDisruptionBudget selects the pods'),
  error('avail.pdb-blocks-eviction', 'a PodDisruptionBudget allows at least one eviction'),
  error('avail.pdb-policy', 'a PodDisruptionBudget sets maxUnavailable or minAvailable'),
  error('avail.anti-affinity', 'more than one replica: pod anti-affinity or topology spread over their own pods'),
  // Images.
  error('img.tag', 'images are pinned by a tag other than latest, or by digest'),
  // Network.
  error('net.default-deny', 'every namespace we create has a default-deny ingress and egress NetworkPolicy'),
  error('net.dns-egress', 'every namespace we create allows DNS egress explicitly'),
  error('net.pod-isolation', 'pods in namespaces we do not create are isolated by a NetworkPolicy'),
  error('net.egress-unanswered', 'an egress allow to pods of the set is answered by an ingress allow there (the same pods, the same port)'),
  error('net.in-cluster-url', 'a pod configured with an in-cluster URL (a backup target) has egress to it and an ingress allow there'),
  // Secrets.
  error('sec.secret-in-git', 'no Secret with data in git: use ExternalSecret'),
  error('sec.env-literal-secret', 'env vars that look like passwords or tokens use secretKeyRef'),
  // Hygiene.
  error('hyg.namespace', 'namespaced objects set metadata.namespace, never default or kube-system'),
  error('hyg.labels', 'recommended app.kubernetes.io labels are present'),
  error('hyg.duplicate', 'no duplicate kind/namespace/name'),
  // References.
  error('ref.service-selector', 'a Service selects existing pods'),
  error('ref.service-port', 'a Service targetPort is a port of its pods'),
  error('ref.pdb-selector', 'a PodDisruptionBudget selects existing pods'),
  error('ref.netpol-selector', 'a NetworkPolicy podSelector selects existing pods'),
  error('ref.netpol-namespace', 'a NetworkPolicy allows only namespaces that exist'),
  error('ref.netpol-peer', 'a NetworkPolicy peer podSelector selects existing pods'),
  error('ref.netpol-port', 'a NetworkPolicy port is served by the pods it concerns'),
  error(
    'ref.scale-target',
    'an HPA or KEDA ScaledObject scales an existing workload (a ScaledObject: a Deployment or Rollout, and its TriggerAuthentication exists)',
  ),
  error('ref.servicemonitor-selector', 'a ServiceMonitor selects existing Services'),
  error('ref.servicemonitor-port', 'a ServiceMonitor endpoint port is a named port of those Services'),
  error('ref.podmonitor-selector', 'a PodMonitor selects existing pods'),
  error('ref.ingress-backend', 'an Ingress routes to an existing Service and port'),
  error('ref.kong-plugin', 'Kong plugins named on a route exist'),
  error('ref.ingress-tls', 'the TLS Secret of an Ingress exists in its namespace (Secret, ExternalSecret target, Certificate)'),
  error('ref.kong-credential', 'the credential Secrets of a KongConsumer exist in its namespace'),
  error('ref.statefulset-service', 'a StatefulSet serviceName names an existing Service'),
  error('ref.rollout', 'an Argo Rollout references existing workloads, Services and AnalysisTemplates'),
  error('ref.rolebinding', 'a RoleBinding binds an existing Role and ServiceAccounts'),
  error('ref.configmap-missing', 'ConfigMaps a pod uses exist in its namespace'),
  error('ref.certificate-issuer', 'a cert-manager Certificate names an Issuer in its namespace, or a ClusterIssuer, that exists'),
  error('ref.secret-missing', 'Secrets a pod uses exist in its namespace (Secret, ExternalSecret target, Certificate)'),
  error('ref.serviceaccount-missing', 'the ServiceAccount a pod runs as exists'),
  error('ref.pvc-missing', 'PersistentVolumeClaims a pod mounts exist'),
  error('ref.priorityclass-missing', 'the PriorityClass a pod uses exists'),
  error('ref.volume-missing', 'every volumeMount names a volume of the pod'),
  // Exemptions themselves.
  error('policy.exemption-reason', 'every exemption states a reason'),
  error('policy.exemption-unknown-rule', 'an exemption names an existing rule'),
  warning('policy.exemption-unused', 'an exemption is for a rule the object actually breaks'),
];

export const RULE_IDS: ReadonlySet<string> = new Set(RULES.map((r) => r.id));

export function ruleInfo(id: string): RuleInfo | undefined {
  return RULES.find((r) => r.id === id);
}
