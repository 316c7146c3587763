import { Testing } from 'cdk8s';
import { PlatformNamespace, PodSecurityLevel } from '../../constructs/platform-namespace';
import { CloudProfile } from '../../constructs/lib/cloud-profile';
import { imageVersion, standardLabels } from '../../constructs/lib/labels';
import { isPinnedImage } from '../../constructs/lib/prop-errors';
import { parseQuantity, Resources } from '../../constructs/lib/resources';

describe('PlatformNamespace', () => {
  test('enforces restricted Pod Security and starts closed: default deny plus DNS egress', () => {
    const chart = Testing.chart();
    new PlatformNamespace(chart, 'Ns', { name: 'app-core' });
    const [ns, deny, dns] = Testing.synth(chart);
    expect(ns.kind).toBe('Namespace');
    expect(ns.metadata.labels).toMatchObject({
      'pod-security.kubernetes.io/enforce': 'restricted',
      'pod-security.kubernetes.io/audit': 'restricted',
      'pod-security.kubernetes.io/warn': 'restricted',
      'kubernetes.io/metadata.name': 'app-core',
    });
    expect(deny).toMatchObject({
      kind: 'NetworkPolicy',
      metadata: { name: 'default-deny', namespace: 'app-core' },
      spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
    });
    expect(deny.spec.ingress).toBeUndefined();
    expect(deny.spec.egress).toBeUndefined();
    expect(dns.spec.egress[0].to[0]).toEqual({
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
      podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
    });
  });

  test('a relaxed level carries its reason', () => {
    const chart = Testing.chart();
    new PlatformNamespace(chart, 'Ns', {
      name: 'monitoring',
      podSecurity: PodSecurityLevel.PRIVILEGED,
      podSecurityReason: 'node-exporter reads host /proc',
    });
    const [ns] = Testing.synth(chart);
    expect(ns.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('privileged');
    expect(ns.metadata.labels['pod-security.kubernetes.io/warn']).toBe('restricted');
    expect(ns.metadata.annotations['pod-security.receivables.io/reason']).toBe('node-exporter reads host /proc');
  });

  test('fails when the name is not a DNS label and a relaxed level has no reason, listing both', () => {
    const chart = Testing.chart();
    expect(() => new PlatformNamespace(chart, 'Ns', { name: 'App_Core', podSecurity: PodSecurityLevel.BASELINE })).toThrow(
      /test\/Ns: name: must be a DNS label.*\(got "App_Core"\)\ntest\/Ns: podSecurityReason: is required when podSecurity is "baseline".*\(got undefined\)/s,
    );
  });
});

/** k8s.Quantity and IntOrString serialize as `{ value }` until cdk8s resolves them. */
const plain = (x: unknown): unknown =>
  JSON.parse(JSON.stringify(x, (_k, v) => (v && typeof v === 'object' && 'value' in v && Object.keys(v).length === 1 ? v.value : v)));

describe('shared blocks', () => {
  test('Resources presets carry requests and a memory limit, and parse quantities', () => {
    const r = Resources.SMALL.toKube();
    expect(r.requests).toBeDefined();
    expect(plain(r)).toEqual({ requests: { cpu: '250m', memory: '512Mi' }, limits: { cpu: '1', memory: '1Gi' } });
    expect(Resources.SMALL.memoryLimitBytes).toBe(1024 ** 3);
    expect(parseQuantity('250m')).toBeCloseTo(0.25);
    expect(parseQuantity('1.5Gi')).toBe(1.5 * 1024 ** 3);
    expect(() => Resources.of('1', '2Gi', undefined, '1Gi')).toThrow('memory limit 1Gi is below the request 2Gi');
    expect(() => Resources.of('lots', '1Gi')).toThrow('"lots" is not a Kubernetes quantity');
    expect((plain(Resources.MICRO.withGpus(1)) as { limits: Record<string, unknown> }).limits['nvidia.com/gpu']).toBe(1);
  });

  test('image pins: tags other than latest and digests', () => {
    expect(isPinnedImage('registry:5000/team/app:1.2.3')).toBe(true);
    expect(isPinnedImage(`app@sha256:${'a'.repeat(64)}`)).toBe(true);
    expect(isPinnedImage('registry:5000/team/app')).toBe(false);
    expect(isPinnedImage('app:latest')).toBe(false);
    expect(imageVersion('registry:5000/team/app:1.2.3')).toBe('1.2.3');
  });

  test('standard labels: selector labels never include the version', () => {
    expect(standardLabels({ name: 'postgresql', instance: 'main', component: 'database', version: '17' })).toEqual({
      'app.kubernetes.io/name': 'postgresql',
      'app.kubernetes.io/instance': 'main',
      'app.kubernetes.io/component': 'database',
      'app.kubernetes.io/part-of': 'receivables-platform',
      'app.kubernetes.io/managed-by': 'cdk8s',
      'app.kubernetes.io/version': '17',
    });
  });

  test('cloud profiles select the storage class and whether zones exist', () => {
    expect(CloudProfile.fromName('aws').storageClass).toBe('gp3');
    expect(CloudProfile.fromName('onprem-k3s')).toMatchObject({ storageClass: 'local-path', supportsZones: false });
    expect(CloudProfile.ALL.filter((p) => p.supportsZones).map((p) => p.name)).toEqual(['aws', 'azure', 'gcp']);
    expect(() => CloudProfile.fromName('openstack')).toThrow(
      'unknown cloud profile "openstack": allowed are onprem-k3s, onprem-kubeadm, aws, azure, gcp',
    );
  });
});
