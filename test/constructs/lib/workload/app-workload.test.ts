/* eslint-disable @typescript-eslint/no-explicit-any */
import { Chart, Testing } from 'cdk8s';
import { PlatformNamespace } from '../../../../constructs/platform-namespace';
import { AppWorkload, AppWorkloadProps, CanaryStep, DeliveryStrategy, WorkloadExtensions } from '../../../../constructs/lib/workload';
import { PG_TLS_ENDPOINT } from '../../../helpers/endpoints';
import { errorOf } from '../../../helpers/errors';
import { gateErrors } from '../../../helpers/gate';

const NS = 'app-core';
const BASE: AppWorkloadProps = {
  namespace: NS,
  image: 'registry.example.com/receivables/auth-service:1.4.2',
  secretStore: { name: 'platform-secrets' },
  monitoring: { scrapers: [{ peerNamespace: 'monitoring', peerSelector: {} }] },
};
const EXT: WorkloadExtensions = { component: 'api' };
const PROM = 'http://prometheus-operated.monitoring.svc:9090';
const PG = PG_TLS_ENDPOINT;

function synth(props: Partial<AppWorkloadProps> = {}, ext: WorkloadExtensions = EXT, withNamespaces = false): { objects: any[]; w: AppWorkload } {
  const chart = new Chart(Testing.app(), 'test', { disableResourceNameHashes: true });
  if (withNamespaces) {
    for (const ns of [NS, 'monitoring']) {
      new PlatformNamespace(chart, `Ns-${ns}`, { name: ns });
    }
  }
  const w = new AppWorkload(chart, 'Auth', { ...BASE, ...props }, ext);
  return { objects: Testing.synth(chart), w };
}
const find = (objects: any[], kind: string, name: string): any => objects.find((o) => o.kind === kind && o.metadata.name === name);
const kinds = (objects: any[]): string[] => [...new Set(objects.map((o) => o.kind))].sort();

const CANARY = DeliveryStrategy.canary({
  steps: [CanaryStep.setWeight(20), CanaryStep.pause(300), CanaryStep.setWeight(50), CanaryStep.pause(), CanaryStep.setWeight(100)],
  analysis: { prometheusAddress: PROM },
});

describe('AppWorkload', () => {
  test('a hardened Deployment with Service, ServiceAccount, PDB, spread and ServiceMonitor by default', () => {
    const { objects, w } = synth();
    expect(kinds(objects)).toEqual(['Deployment', 'NetworkPolicy', 'PodDisruptionBudget', 'Service', 'ServiceAccount', 'ServiceMonitor']);
    const d = find(objects, 'Deployment', 'auth');
    const pod = d.spec.template.spec;
    const c = pod.containers[0];
    expect(d.spec.replicas).toBe(2);
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(find(objects, 'ServiceAccount', 'auth').automountServiceAccountToken).toBe(false);
    expect(c.securityContext.readOnlyRootFilesystem).toBe(true);
    expect(c.volumeMounts).toEqual([{ name: 'tmp', mountPath: '/tmp' }]);
    expect(c.ports).toEqual([{ name: 'http', containerPort: 8080, protocol: 'TCP' }]);
    expect(c.livenessProbe.httpGet.path).toBe('/livez');
    expect(c.readinessProbe.httpGet.path).toBe('/readyz');
    expect(pod.affinity.podAntiAffinity).toBeDefined();
    expect(find(objects, 'PodDisruptionBudget', 'auth').spec.selector.matchLabels).toEqual(w.selector);
    expect(w.scaleTarget).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'auth' });
    expect(w.host).toBe('auth.app-core.svc');
    expect(find(objects, 'NetworkPolicy', 'auth-metrics-from-monitoring').spec.ingress[0].ports[0].port).toBe(8080);
  });

  test('an HPA with the bounds on the Deployment, which then has no replicas field', () => {
    const { objects } = synth({ replicas: 3, autoscaling: { maxReplicas: 10, cpuTargetPercent: 60 } });
    const hpa = find(objects, 'HorizontalPodAutoscaler', 'auth');
    expect(hpa.spec.minReplicas).toBe(3);
    expect(hpa.spec.maxReplicas).toBe(10);
    expect(hpa.spec.metrics[0].resource.target.averageUtilization).toBe(60);
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'auth' });
    expect(find(objects, 'Deployment', 'auth').spec.replicas).toBeUndefined();
  });

  test('at 0 replicas (DR at rest): replicas 0, no HPA, no PDB, and the gate passes', () => {
    const { objects } = synth({ replicas: 0, autoscaling: { minReplicas: 2, maxReplicas: 10 } }, EXT, true);
    expect(find(objects, 'Deployment', 'auth').spec.replicas).toBe(0);
    expect(kinds(objects)).not.toContain('HorizontalPodAutoscaler');
    expect(kinds(objects)).not.toContain('PodDisruptionBudget');
    expect(gateErrors(objects)).toEqual([]);
  });

  test('secret env comes from one ExternalSecret <name>-env', () => {
    const { objects } = synth({ env: { LOG_LEVEL: 'info' }, secretEnv: { JWT_SIGNING_KEY: { remoteKey: 'prod/app-core/auth', property: 'jwt-key' } } });
    const es = find(objects, 'ExternalSecret', 'auth-env');
    expect(es.spec.data).toEqual([{ secretKey: 'JWT_SIGNING_KEY', remoteRef: { key: 'prod/app-core/auth', property: 'jwt-key' } }]);
    const env = find(objects, 'Deployment', 'auth').spec.template.spec.containers[0].env;
    expect(env).toEqual([
      { name: 'LOG_LEVEL', value: 'info' },
      { name: 'JWT_SIGNING_KEY', valueFrom: { secretKeyRef: { name: 'auth-env', key: 'JWT_SIGNING_KEY' } } },
    ]);
  });

  test('connectsTo sets the env vars, reads the password and the CA through an ExternalSecret, and writes the egress', () => {
    const chart = new Chart(Testing.app(), 'test', { disableResourceNameHashes: true });
    const w = new AppWorkload(chart, 'Auth', BASE, EXT);
    w.connectsTo(PG);
    const objects = Testing.synth(chart);
    const c = find(objects, 'Deployment', 'auth').spec.template.spec.containers[0];
    const env = Object.fromEntries(c.env.map((e: any) => [e.name, e.value ?? e.valueFrom.secretKeyRef]));
    expect(env).toEqual({
      POSTGRES_HOST: 'postgres.db-postgres.svc',
      POSTGRES_PORT: '5432',
      POSTGRES_USER: 'auth',
      POSTGRES_PASSWORD: { name: 'auth-postgres', key: 'password' },
      POSTGRES_DB: 'auth',
      POSTGRES_SSLMODE: 'verify-full',
      POSTGRES_CA_FILE: '/etc/tls/postgres/ca.crt',
    });
    expect(c.volumeMounts).toContainEqual({ name: 'postgres-ca', mountPath: '/etc/tls/postgres', readOnly: true });
    expect(find(objects, 'ExternalSecret', 'auth-postgres').spec.data.map((d: any) => d.secretKey)).toEqual(['password', 'ca.crt']);
    const egress = find(objects, 'NetworkPolicy', 'auth-to-postgres');
    expect(egress.spec.podSelector.matchLabels).toEqual(w.selector);
    expect(egress.spec.egress[0].to[0].podSelector.matchLabels).toEqual({ 'app.kubernetes.io/name': 'pgbouncer' });
    expect(egress.spec.egress[0].ports).toEqual([{ protocol: 'TCP', port: 5432 }]);
  });

  test('connectsTo labels the pods as clients of the kind, which the server admits; the selector stays as it was', () => {
    const chart = new Chart(Testing.app(), 'test', { disableResourceNameHashes: true });
    const w = new AppWorkload(chart, 'Auth', BASE, EXT);
    const before = find(Testing.synth(chart), 'Deployment', 'auth');
    expect(Object.keys(before.spec.template.metadata.labels).filter((k) => k.startsWith('client.'))).toEqual([]);
    w.connectsTo(PG);
    const d = find(Testing.synth(chart), 'Deployment', 'auth');
    expect(d.spec.template.metadata.labels['client.receivables.io/postgres']).toBe('true');
    expect(d.spec.selector.matchLabels).toEqual(w.selector);
    expect(d.spec.selector.matchLabels).not.toHaveProperty(['client.receivables.io/postgres']);
  });

  test('connectsTo after construction reaches a Rollout too: env vars and the CA mount in its template', () => {
    const chart = new Chart(Testing.app(), 'test', { disableResourceNameHashes: true });
    const w = new AppWorkload(chart, 'Auth', { ...BASE, strategy: CANARY }, EXT);
    w.connectsTo(PG);
    const c = find(Testing.synth(chart), 'Rollout', 'auth').spec.template.spec.containers[0];
    expect(c.env.map((e: any) => e.name)).toContain('POSTGRES_HOST');
    expect(c.volumeMounts).toContainEqual({ name: 'postgres-ca', mountPath: '/etc/tls/postgres', readOnly: true });
  });

  test('connectsTo with a container (an init container): its env and the CA mount go there, not to the main container', () => {
    const chart = new Chart(Testing.app(), 'test', { disableResourceNameHashes: true });
    const init = { name: 'fetch', image: 'busybox:1.36', env: [], volumeMounts: [] };
    const w = new AppWorkload(chart, 'Auth', BASE, { ...EXT, initContainers: [init] });
    w.connectsTo(PG, { container: init });
    const pod = find(Testing.synth(chart), 'Deployment', 'auth').spec.template.spec;
    expect(pod.initContainers[0].env.map((e: any) => e.name)).toEqual([
      'POSTGRES_HOST',
      'POSTGRES_PORT',
      'POSTGRES_USER',
      'POSTGRES_PASSWORD',
      'POSTGRES_DB',
      'POSTGRES_SSLMODE',
      'POSTGRES_CA_FILE',
    ]);
    expect(pod.initContainers[0].volumeMounts).toEqual([{ name: 'postgres-ca', mountPath: '/etc/tls/postgres', readOnly: true }]);
    expect(pod.containers[0].env).toEqual([]);
    expect(pod.containers[0].volumeMounts.map((m: any) => m.name)).toEqual(['tmp']);
    expect(pod.volumes.map((v: any) => v.name)).toContain('postgres-ca');
  });

  test('canary: a Rollout with the full template, the steps, and background analysis on error rate and p99', () => {
    const { objects, w } = synth({ strategy: CANARY, autoscaling: { maxReplicas: 6 } });
    const r = find(objects, 'Rollout', 'auth');
    expect(r.spec.template.spec.containers[0].name).toBe('app');
    expect(r.spec.strategy.canary.steps).toEqual([{ setWeight: 20 }, { pause: { duration: '300s' } }, { setWeight: 50 }, { pause: {} }, { setWeight: 100 }]);
    expect(r.spec.strategy.canary.analysis.templates).toEqual([{ templateName: 'auth-analysis' }]);
    const at = find(objects, 'AnalysisTemplate', 'auth-analysis');
    expect(at.spec.metrics.map((m: any) => m.name)).toEqual(['error-rate', 'p99-latency']);
    expect(at.spec.metrics[0].provider.prometheus.query).toContain('status_code=~"5.."');
    expect(at.spec.metrics[1].provider.prometheus.query).toMatch(/^histogram_quantile\(0\.99/);
    expect(at.spec.metrics[1].successCondition).toContain('<= 0.5');
    expect(find(objects, 'HorizontalPodAutoscaler', 'auth').spec.scaleTargetRef).toEqual({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: 'auth' });
    expect(find(objects, 'ServiceMonitor', 'auth').spec.podTargetLabels).toEqual(['rollouts-pod-template-hash']);
    expect(kinds(objects)).not.toContain('Deployment');
    expect(w.scaleTarget.kind).toBe('Rollout');
  });

  test('blueGreen: active and preview Services, auto-promotion off by default', () => {
    const { objects } = synth({ strategy: DeliveryStrategy.blueGreen() });
    const bg = find(objects, 'Rollout', 'auth').spec.strategy.blueGreen;
    expect(bg).toEqual({ activeService: 'auth', previewService: 'auth-preview', autoPromotionEnabled: false, scaleDownDelaySeconds: 30 });
    expect(find(objects, 'Service', 'auth-preview')).toBeDefined();
  });

  test.each<[string, Partial<AppWorkloadProps>]>([
    ['rolling', {}],
    ['canary with HPA', { strategy: CANARY, autoscaling: { maxReplicas: 6 } }],
    ['blue-green', { strategy: DeliveryStrategy.blueGreen({ analysis: { prometheusAddress: PROM } }) }],
    ['one replica, startup probe', { replicas: 1, probes: { startupPath: '/startupz', startupSeconds: 120 } }],
  ])('passes the gate: %s', (_name, props) => {
    expect(gateErrors(synth(props, EXT, true).objects)).toEqual([]);
  });

  test('fails when props are bad, naming every field', () => {
    const err = errorOf(() =>
      synth({
        image: 'registry.example.com/auth:latest',
        port: 80,
        autoscaling: { minReplicas: 5, maxReplicas: 3 },
        strategy: DeliveryStrategy.canary({ steps: [CanaryStep.setWeight(50), CanaryStep.setWeight(30)] }),
        probes: { livenessPath: '/health/db' },
        env: { DB_PASSWORD: 'hunter2' },
      }),
    );
    expect(err.problems.map((p) => p.field)).toEqual([
      'image',
      'port',
      'env.DB_PASSWORD',
      'strategy.steps',
      'strategy.steps',
      'autoscaling.maxReplicas',
      'probes.livenessPath',
    ]);
    expect(err.message).toContain('test/Auth: autoscaling.maxReplicas: must be at least autoscaling.minReplicas (5) (got 3)');
    expect(err.message).toContain('strategy.steps: must reach 100%: the last setWeight must be 100 (full promotion) (got [50,30])');
    expect(err.message).not.toContain('hunter2');
  });
});

describe('AppWorkload extensions', () => {
  const GPU: WorkloadExtensions = {
    component: 'model-server',
    extraLimits: { 'nvidia.com/gpu': 1 },
    tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }],
    rollingUpdate: { maxSurge: 0, maxUnavailable: 1 },
    terminationGracePeriodSeconds: 120,
    preStop: { exec: { command: ['sleep', '10'] } },
    externalScaler: { minReplicas: 0, maxReplicas: 4 },
    writablePaths: [{ name: 'model-cache', mountPath: '/models', sizeLimit: '20Gi' }],
  };

  test('GPU limits, tolerations, maxSurge 0, a drain hook, and an external scaler that owns the replicas', () => {
    const { objects, w } = synth({ replicas: 1 }, GPU);
    const d = find(objects, 'Deployment', 'auth');
    const pod = d.spec.template.spec;
    expect(d.spec.replicas).toBeUndefined();
    expect(d.spec.strategy.rollingUpdate).toEqual({ maxSurge: 0, maxUnavailable: 1 });
    expect(pod.containers[0].resources.limits['nvidia.com/gpu']).toBe(1);
    expect(pod.tolerations).toEqual(GPU.tolerations);
    expect(pod.terminationGracePeriodSeconds).toBe(120);
    expect(pod.containers[0].lifecycle.preStop.exec.command).toEqual(['sleep', '10']);
    expect(pod.volumes.map((v: any) => v.name)).toEqual(['tmp', 'model-cache']);
    expect(kinds(objects)).not.toContain('HorizontalPodAutoscaler');
    expect(find(objects, 'PodDisruptionBudget', 'auth')).toBeDefined();
    expect(w.labels['app.kubernetes.io/component']).toBe('model-server');
  });

  test('gpus: nvidia.com/gpu in limits and the same count in requests (Resources.withGpus)', () => {
    const r = find(synth({ replicas: 1 }, { component: 'model-server', gpus: 2 }).objects, 'Deployment', 'auth').spec.template.spec.containers[0].resources;
    expect(r.limits).toEqual({ cpu: '1', memory: '1Gi', 'nvidia.com/gpu': 2 });
    expect(r.requests).toEqual({ cpu: '250m', memory: '512Mi', 'nvidia.com/gpu': 2 });
  });

  test('fails when autoscaling is set on an externally scaled workload, with the construct own checks', () => {
    const err = errorOf(() =>
      synth({ autoscaling: { maxReplicas: 3 } }, { ...GPU, validate: (check) => check.that(false, 'gpus', 'must be at least 1', 0) }),
    );
    expect(err.problems.map((p) => `${p.field}: ${p.rule}`)).toEqual([
      'autoscaling: cannot be set: the replicas of this workload are owned by its own scaler',
      'gpus: must be at least 1',
    ]);
  });
});
