import { App, Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { ChartFactory } from '../charts';
import { disruptionBudget } from '../constructs/lib/disruption-budget';
import { selectorLabels, standardLabels } from '../constructs/lib/labels';
import { allowIngressPolicy } from '../constructs/lib/network';
import { containerSecurityContext, podSecurityContext, TMP, writableMounts, writableVolumes } from '../constructs/lib/pod-defaults';
import { Resources } from '../constructs/lib/resources';
import { spreadReplicas } from '../constructs/lib/scheduling';
import { PlatformNamespace } from '../constructs/platform-namespace';

/**
 * Synthetic tenant-like charts for `npm run bench`: 15 objects each, all of them passing the gate,
 * shaped like the research workload (namespace, quota, limits, policies, RBAC, config, a
 * hardened Deployment with Service, HPA and PDB, and a Job).
 */
export function syntheticTenantCharts(count: number): ChartFactory[] {
  return Array.from({ length: count }, (_, i) => {
    const name = `bench-${String(i).padStart(4, '0')}`;
    return { folder: `tenants/${name}`, create: (app: App) => tenantChart(app, name) };
  });
}

function tenantChart(app: App, ns: string): Chart {
  const chart = new Chart(app, ns, { disableResourceNameHashes: true });
  new PlatformNamespace(chart, 'Namespace', { name: ns }); // Namespace, default deny, DNS egress: 3
  const id = { name: 'tenant-api', instance: ns, component: 'api', version: '1.0.0' };
  const labels = standardLabels(id);
  const selector = selectorLabels(id);
  const meta = (name: string): { name: string; namespace: string; labels: Record<string, string> } => ({ name, namespace: ns, labels });
  new k8s.KubeResourceQuota(chart, 'Quota', { metadata: meta('quota'), spec: { hard: { 'requests.cpu': k8s.Quantity.fromString('4') } } });
  new k8s.KubeLimitRange(chart, 'Limits', {
    metadata: meta('limits'),
    spec: { limits: [{ type: 'Container', default: { memory: k8s.Quantity.fromString('256Mi') } }] },
  });
  allowIngressPolicy(chart, 'AllowApi', {
    name: 'allow-api',
    namespace: ns,
    labels,
    podSelector: selector,
    from: [{ peerNamespace: ns, peerSelector: {} }],
    ports: [8080],
  });
  new k8s.KubeServiceAccount(chart, 'Sa', { metadata: meta('tenant-api'), automountServiceAccountToken: false });
  new k8s.KubeRole(chart, 'Role', { metadata: meta('tenant-api'), rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get'] }] });
  new k8s.KubeRoleBinding(chart, 'Binding', {
    metadata: meta('tenant-api'),
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'tenant-api' },
    subjects: [{ kind: 'ServiceAccount', name: 'tenant-api', namespace: ns }],
  });
  new k8s.KubeConfigMap(chart, 'Config', { metadata: meta('tenant-api'), data: { TENANT: ns } });
  const container = (name: string): k8s.Container => ({
    name,
    image: 'registry.example.com/receivables/tenant-api:1.0.0',
    envFrom: [{ configMapRef: { name: 'tenant-api' } }],
    resources: Resources.MICRO.toKube(),
    securityContext: containerSecurityContext(),
    volumeMounts: writableMounts([TMP]),
  });
  new k8s.KubeDeployment(chart, 'Api', {
    metadata: meta('tenant-api'),
    spec: {
      selector: { matchLabels: selector },
      template: {
        metadata: { labels },
        spec: {
          serviceAccountName: 'tenant-api',
          securityContext: podSecurityContext(),
          volumes: writableVolumes([TMP]),
          ...spreadReplicas(selector),
          containers: [
            {
              ...container('api'),
              ports: [{ name: 'http', containerPort: 8080 }],
              readinessProbe: { httpGet: { path: '/ready', port: k8s.IntOrString.fromString('http') } },
              livenessProbe: { httpGet: { path: '/live', port: k8s.IntOrString.fromString('http') } },
            },
          ],
        },
      },
    },
  });
  new k8s.KubeService(chart, 'Svc', {
    metadata: meta('tenant-api'),
    spec: { selector, ports: [{ name: 'http', port: 80, targetPort: k8s.IntOrString.fromString('http') }] },
  });
  new k8s.KubeHorizontalPodAutoscalerV2(chart, 'Hpa', {
    metadata: meta('tenant-api'),
    spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'tenant-api' }, minReplicas: 2, maxReplicas: 4 },
  });
  disruptionBudget(chart, 'Pdb', { name: 'tenant-api', namespace: ns, labels, selector });
  const jobId = { ...id, name: 'tenant-migrate', component: 'migration' };
  new k8s.KubeJob(chart, 'Migrate', {
    metadata: { name: 'tenant-migrate', namespace: ns, labels: standardLabels(jobId) },
    spec: {
      ttlSecondsAfterFinished: 3600,
      template: {
        metadata: { labels: standardLabels(jobId) },
        spec: {
          restartPolicy: 'Never',
          securityContext: podSecurityContext(),
          volumes: writableVolumes([TMP]),
          containers: [container('migrate')],
        },
      },
    },
  });
  return chart;
}
