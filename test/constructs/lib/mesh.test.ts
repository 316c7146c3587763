/* eslint-disable @typescript-eslint/no-explicit-any */
import * as fs from 'fs';
import * as path from 'path';
import { Chart, Testing } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import * as YAML from 'yaml';
import { NamespaceMesh, SIDECAR_INJECT_LABEL } from '../../../constructs/lib/mesh';
import { allowIngressPolicy } from '../../../constructs/lib/network';
import { errorOf } from '../../helpers/errors';
import { ROOT } from '../../helpers/bundle';

const LABELS = { 'app.kubernetes.io/name': 'shop' };

function shopChart(): Chart {
  const chart = new Chart(Testing.app(), 'shop', { disableResourceNameHashes: true });
  const pod = (name: string): any => ({
    metadata: { labels: { app: name } },
    spec: { serviceAccountName: name, containers: [{ name, image: 'x:1', ports: [{ name: 'http', containerPort: 8080 }] }] },
  });
  new k8s.KubeDeployment(chart, 'Api', { metadata: { name: 'api', namespace: 'shop' }, spec: { selector: { matchLabels: { app: 'api' } }, template: pod('api') } });
  new k8s.KubeDeployment(chart, 'Web', { metadata: { name: 'web', namespace: 'shop' }, spec: { selector: { matchLabels: { app: 'web' } }, template: pod('web') } });
  new k8s.KubeJob(chart, 'Job', { metadata: { name: 'report', namespace: 'shop' }, spec: { template: { ...pod('report'), spec: { ...pod('report').spec, restartPolicy: 'Never' } } } });
  new k8s.KubeService(chart, 'Svc', {
    metadata: { name: 'api', namespace: 'shop' },
    spec: { selector: { app: 'api' }, ports: [{ name: 'http', port: 80, targetPort: k8s.IntOrString.fromNumber(8080) }] },
  });
  const base = { namespace: 'shop', labels: LABELS, podSelector: { app: 'api' }, ports: [8080] };
  allowIngressPolicy(chart, 'FromFront', { ...base, name: 'api-from-front', from: [{ peerNamespace: 'front', peerSelector: {} }] });
  allowIngressPolicy(chart, 'FromWeb', { ...base, name: 'api-from-web', from: [{ peerNamespace: 'shop', peerSelector: { app: 'web' } }] });
  allowIngressPolicy(chart, 'FromMonitoring', { ...base, name: 'api-from-monitoring', ports: [9090], from: [{ peerNamespace: 'monitoring', peerSelector: {} }] });
  return chart;
}

describe('NamespaceMesh', () => {
  const chart = shopChart();
  new NamespaceMesh(chart, 'Mesh', { namespace: 'shop', meshNamespaces: ['shop', 'front'], labels: LABELS });
  const objects: any[] = Testing.synth(chart);
  const of = (kind: string, name: string): any => objects.find((o) => o.kind === kind && o.metadata.name === name);

  test('STRICT mTLS for the namespace', () => {
    expect(of('PeerAuthentication', 'default').spec).toEqual({ mtls: { mode: 'STRICT' } });
  });

  test('each NetworkPolicy has an AuthorizationPolicy with the same sources and ports', () => {
    expect(of('AuthorizationPolicy', 'api-from-front').spec).toEqual({
      selector: { matchLabels: { app: 'api' } },
      rules: [{ from: [{ source: { namespaces: ['front'] } }], to: [{ operation: { ports: ['8080'] } }] }],
    });
    // A peer of the same namespace is named by its ServiceAccount.
    expect(of('AuthorizationPolicy', 'api-from-web').spec.rules[0].from).toEqual([{ source: { serviceAccounts: ['shop/web'] } }]);
  });

  test('a peer outside the mesh (Prometheus) gets its port PERMISSIVE and a rule without sources on that port only', () => {
    expect(of('AuthorizationPolicy', 'api-from-monitoring').spec.rules).toEqual([{ to: [{ operation: { ports: ['9090'] } }] }]);
    expect(of('PeerAuthentication', 'api-plaintext').spec).toEqual({
      selector: { matchLabels: { app: 'api' } },
      mtls: { mode: 'STRICT' },
      portLevelMtls: { '9090': { mode: 'PERMISSIVE' } },
    });
  });

  test('a DestinationRule with ISTIO_MUTUAL and outlier detection for the HTTP Service', () => {
    expect(of('DestinationRule', 'api').spec).toEqual({
      host: 'api.shop.svc.cluster.local',
      trafficPolicy: {
        tls: { mode: 'ISTIO_MUTUAL' },
        outlierDetection: { consecutive5xxErrors: 5, interval: '10s', baseEjectionTime: '30s', maxEjectionPercent: 50 },
      },
    });
  });

  test('Jobs run without a sidecar; the others reach istiod', () => {
    expect(of('Job', 'report').spec.template.metadata.labels[SIDECAR_INJECT_LABEL]).toBe('false');
    expect(of('Deployment', 'api').spec.template.metadata.labels[SIDECAR_INJECT_LABEL]).toBeUndefined();
    expect(of('NetworkPolicy', 'allow-istiod-egress').spec.egress[0].ports).toEqual([{ protocol: 'TCP', port: 15012 }]);
  });

  test('fails when the namespace is not in meshNamespaces or outlier detection is out of range', () => {
    const e = errorOf(
      () => new NamespaceMesh(shopChart(), 'Mesh', { namespace: 'shop', meshNamespaces: ['front'], labels: LABELS, outlierDetection: { maxEjectionPercent: 150 } }),
    );
    expect(e.problems.map((p) => p.field)).toEqual(['meshNamespaces', 'outlierDetection.maxEjectionPercent']);
  });
});

describe('mesh in the committed dist', () => {
  const objectsOf = (env: string): any[] =>
    fs
      .readdirSync(path.join(ROOT, 'dist', env), { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.k8s.yaml'))
      .flatMap((f) => YAML.parseAllDocuments(fs.readFileSync(path.join(ROOT, 'dist', env, f), 'utf8')).map((d) => d.toJS()));

  test.each(['staging', 'prod', 'dr'])('%s: STRICT PeerAuthentication in exactly the injected namespaces', (env) => {
    const objects = objectsOf(env);
    const injected = objects.filter((o) => o.kind === 'Namespace' && o.metadata.labels['istio-injection'] === 'enabled').map((o) => o.metadata.name);
    const strict = objects.filter((o) => o.kind === 'PeerAuthentication' && o.metadata.name === 'default' && o.spec.mtls.mode === 'STRICT');
    expect(strict.map((o) => o.metadata.namespace).sort()).toEqual(injected.sort());
    expect(injected.sort()).toEqual(['app-agents', 'app-core', 'app-frontend', 'app-integration', 'ingress']);
  });

  test('dev: no mesh objects and no injection label', () => {
    const objects = objectsOf('dev');
    expect(objects.filter((o) => ['PeerAuthentication', 'AuthorizationPolicy', 'DestinationRule'].includes(o.kind))).toEqual([]);
    expect(objects.filter((o) => o.kind === 'Namespace' && o.metadata.labels['istio-injection'])).toEqual([]);
  });

  test.each(['staging', 'prod'])('%s: every AuthorizationPolicy mirrors a NetworkPolicy of its name, with its ports', (env) => {
    const objects = objectsOf(env);
    for (const ap of objects.filter((o) => o.kind === 'AuthorizationPolicy')) {
      const np = objects.find((o) => o.kind === 'NetworkPolicy' && o.metadata.namespace === ap.metadata.namespace && o.metadata.name === ap.metadata.name);
      expect(np).toBeDefined();
      const npPorts = (np.spec.ingress ?? []).map((r: any) => (r.ports ?? []).filter((p: any) => (p.protocol ?? 'TCP') === 'TCP').map((p: any) => String(p.port)));
      expect((ap.spec.rules ?? []).map((r: any) => r.to?.[0].operation.ports ?? [])).toEqual(npPorts.filter((p: string[]) => p.length > 0));
    }
  });
});
