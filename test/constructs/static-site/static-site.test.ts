/* eslint-disable @typescript-eslint/no-explicit-any */
import { Chart, Testing } from 'cdk8s';
import { PlatformNamespace } from '../../../constructs/platform-namespace';
import { DeliveryStrategy } from '../../../constructs/lib/workload';
import { renderNginxConf, resolveNginxSite, StaticSite, StaticSiteProps } from '../../../constructs/static-site';
import { runGate } from '../../../gate/gate';
import { SchemaRegistry } from '../../../gate/schema';
import { errorOf } from '../../helpers/errors';

const NS = 'app-frontend';
const BASE: StaticSiteProps = { namespace: NS, image: 'registry.example.com/receivables/frontend:1.5.0', secretStore: { name: 'platform-secrets' } };

function synth(props: Partial<StaticSiteProps> = {}, withNamespace = false): { objects: any[]; site: StaticSite } {
  const chart = new Chart(Testing.app(), 'test', { disableResourceNameHashes: true });
  if (withNamespace) {
    new PlatformNamespace(chart, 'Ns', { name: NS });
  }
  const site = new StaticSite(chart, 'Frontend', { ...BASE, ...props });
  return { objects: Testing.synth(chart), site };
}
const find = (objects: any[], kind: string, name: string): any => objects.find((o) => o.kind === kind && o.metadata.name === name);
const podOf = (objects: any[]): any => objects.find((o) => o.kind === 'Deployment' || o.kind === 'Rollout').spec.template;

describe('StaticSite', () => {
  const { objects, site } = synth();
  const template = podOf(objects);
  const pod = template.spec;
  const c = pod.containers[0];

  test('the ConfigMap holds exactly renderNginxConf of the resolved site', () => {
    const cm = find(objects, 'ConfigMap', 'frontend-nginx');
    expect(cm.metadata.namespace).toBe(NS);
    expect(cm.data['nginx.conf']).toBe(renderNginxConf(resolveNginxSite()));
    expect(site.nginxConf).toBe(cm.data['nginx.conf']);
  });

  test('nginx.conf is mounted read-only over /etc/nginx/nginx.conf from that ConfigMap', () => {
    expect(c.volumeMounts).toContainEqual({ name: 'nginx-conf', mountPath: '/etc/nginx/nginx.conf', subPath: 'nginx.conf', readOnly: true });
    expect(pod.volumes).toContainEqual({
      name: 'nginx-conf',
      configMap: { name: 'frontend-nginx', items: [{ key: 'nginx.conf', path: 'nginx.conf' }] },
    });
    expect(c.volumeMounts).toContainEqual({ name: 'tmp', mountPath: '/tmp' });
  });

  test('port 8080, uid/gid 101, read-only root, no privilege', () => {
    expect(c.ports).toEqual([{ name: 'http', containerPort: 8080, protocol: 'TCP' }]);
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 101, runAsGroup: 101, fsGroup: 101 });
    expect(c.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    expect(find(objects, 'Service', 'frontend').spec.ports).toEqual([{ name: 'http', port: 8080, targetPort: 'http', protocol: 'TCP' }]);
    expect(template.metadata.labels['app.kubernetes.io/component']).toBe('web');
  });

  test('liveness and readiness ask /healthz on the http port', () => {
    expect(c.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(c.readinessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(c.startupProbe).toBeUndefined();
  });

  test('two pods by default: PDB and spread over nodes from the base; no ServiceMonitor (NGINX has no /metrics)', () => {
    expect(find(objects, 'PodDisruptionBudget', 'frontend')).toBeDefined();
    expect(pod.affinity?.podAntiAffinity ?? pod.topologySpreadConstraints).toBeDefined();
    expect(objects.filter((o) => o.kind === 'ServiceMonitor')).toEqual([]);
  });

  test('the pod template carries the config hash, which changes with the config and only then', () => {
    const hash = template.metadata.annotations['checksum/config'];
    expect(hash).toMatch(/^[0-9a-f]{16}$/);
    expect(podOf(synth().objects).metadata.annotations['checksum/config']).toBe(hash);
    const changed = podOf(synth({ site: { contentSecurityPolicy: { 'connect-src': ["'self'", 'https://api.example.com'] } } }).objects);
    expect(changed.metadata.annotations['checksum/config']).not.toBe(hash);
  });

  test('a tmpDir other than /tmp gets its own emptyDir', () => {
    const p = podOf(synth({ site: { tmpDir: '/var/cache/nginx' } }).objects).spec;
    expect(p.containers[0].volumeMounts).toContainEqual({ name: 'nginx-tmp', mountPath: '/var/cache/nginx' });
  });

  test('the strategy prop makes a Rollout; 0 replicas (DR at rest) has no PDB', () => {
    const bg = synth({ strategy: DeliveryStrategy.blueGreen({ autoPromotionEnabled: false }) }).objects;
    expect(find(bg, 'Rollout', 'frontend').spec.strategy.blueGreen.activeService).toBe('frontend');
    const dr = synth({ replicas: 0 }).objects;
    expect(objects.find((o) => o.kind === 'Deployment').spec.replicas).toBe(2);
    expect(dr.find((o) => o.kind === 'Deployment').spec.replicas).toBe(0);
    expect(dr.filter((o) => o.kind === 'PodDisruptionBudget')).toEqual([]);
  });

  test('passes the gate with its namespace', () => {
    const errors = runGate(
      synth({}, true).objects.map((obj) => ({ file: 'test.yaml', obj })),
      { registry: SchemaRegistry.default() },
    )
      .problems.filter((p) => p.severity === 'error')
      .map((p) => `${p.object} ${p.path}: ${p.rule}: ${p.message}`);
    expect(errors).toEqual([]);
  });

  test('fails when site and base props are bad, all problems at once', () => {
    const err = errorOf(() =>
      synth({ image: 'receivables/frontend', site: { port: 80, contentSecurityPolicy: { 'frame-ancestors': [] }, assetsPath: 'assets' } }),
    );
    expect(err.problems.map((p) => p.field)).toEqual(['image', 'port', 'site.port', 'site.contentSecurityPolicy.frame-ancestors', 'site.assetsPath']);
    expect(err.message).toContain('test/Frontend: site.port: must be an integer from 1024 to 65535 (got 80)');
  });
});
