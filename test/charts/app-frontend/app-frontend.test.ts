/* eslint-disable @typescript-eslint/no-explicit-any */
import { App, Testing } from 'cdk8s';
import { AppFrontendChart } from '../../../charts/app-frontend';
import { CertManagerChart } from '../../../charts/cert-manager';
import { renderNginxConf, resolveNginxSite } from '../../../constructs/static-site';
import { loadEnvironments } from '../../../environments/load';
import { EnvironmentConfig } from '../../../environments/types';

const ENVS = ['dev', 'staging', 'prod', 'dr'] as const;

describe('app-frontend chart', () => {
  const configs: Record<string, EnvironmentConfig> = Object.fromEntries(loadEnvironments([...ENVS]).map((c) => [c.name, c]));
  const drFailedOver: EnvironmentConfig = { ...configs.dr, dr: { ...configs.dr.dr!, failover: true } };
  const objectsOf = (config: EnvironmentConfig): any[] => Testing.synth(new AppFrontendChart(new App(), config));
  const named = (objects: any[], kind: string, name: string): any => objects.find((o) => o.kind === kind && o.metadata.name === name);
  const ofKind = (objects: any[], kind: string): any[] => objects.filter((o) => o.kind === kind);
  const synthed = Object.fromEntries(ENVS.map((e) => [e, objectsOf(configs[e])]));

  test.each(ENVS)('%s: the frontend StaticSite in app-frontend with the pinned image and nginx.conf in its ConfigMap', (env) => {
    const d = named(synthed[env], 'Deployment', 'frontend');
    expect(d.metadata.namespace).toBe('app-frontend');
    expect(d.spec.template.spec.containers[0].image).toBe('harbor.receivables.example.com/platform/receivables/frontend:1.5.0');
    const conf = named(synthed[env], 'ConfigMap', 'frontend-nginx').data['nginx.conf'];
    expect(conf).toContain('try_files $uri $uri/ /index.html;');
    expect(conf).not.toBe(renderNginxConf(resolveNginxSite())); // the CSP names the API and Keycloak
  });

  test('the CSP lets the browser call the API host and Keycloak, and nothing else new', () => {
    const conf = named(synthed.prod, 'ConfigMap', 'frontend-nginx').data['nginx.conf'];
    expect(conf).toContain("connect-src 'self' https://api.receivables.example.com https://auth.receivables.example.com;");
    expect(conf).toContain("frame-ancestors 'none'");
  });

  test('scale: dev 1, staging 2 (HPA 2-6), prod 3 (HPA 3-9), DR 0 with no HPA or PDB until failover', () => {
    const replicas = (objects: any[]): number | undefined => named(objects, 'Deployment', 'frontend').spec.replicas;
    expect(replicas(synthed.dev)).toBe(1);
    expect(ofKind(synthed.dev, 'HorizontalPodAutoscaler')).toEqual([]);
    const hpa = (env: string): number[] => ofKind(synthed[env], 'HorizontalPodAutoscaler').map((h) => [h.spec.minReplicas, h.spec.maxReplicas])[0];
    expect([hpa('staging'), hpa('prod')]).toEqual([
      [2, 6],
      [3, 9],
    ]);
    expect(replicas(synthed.dr)).toBe(0);
    expect([ofKind(synthed.dr, 'HorizontalPodAutoscaler'), ofKind(synthed.dr, 'PodDisruptionBudget')]).toEqual([[], []]);
    expect(ofKind(objectsOf(drFailedOver), 'PodDisruptionBudget')).toHaveLength(1);
  });

  test.each(ENVS)('%s: the Ingress routes the frontend host to the Service port, TLS from the environment issuer', (env) => {
    const c = configs[env];
    const ing = named(synthed[env], 'Ingress', 'frontend');
    expect(ing.spec.rules).toEqual([
      {
        host: c.edge.frontendHost,
        http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'frontend', port: { number: 8080 } } } }] },
      },
    ]);
    expect(named(synthed[env], 'Service', 'frontend').spec.ports.map((p: any) => p.port)).toEqual([8080]);
    const cert = named(synthed[env], 'Certificate', 'frontend-tls');
    expect(cert.spec.issuerRef.name).toBe(c.edge.issuer.name);
    const issuers = Testing.synth(new CertManagerChart(new App(), c)).filter((o) => o.kind === 'ClusterIssuer');
    expect(issuers.map((i) => i.metadata.name)).toEqual([c.edge.issuer.name]);
  });

  test('the WAF follows edge.waf: on in prod, off in dev', () => {
    const modsec = (env: string): string | undefined =>
      named(synthed[env], 'Ingress', 'frontend').metadata.annotations['nginx.ingress.kubernetes.io/enable-modsecurity'];
    expect([modsec('prod'), modsec('staging'), modsec('dev')]).toEqual(['true', 'true', undefined]);
  });

  test('the ingress namespace may reach the site port, and the ACME solver pods', () => {
    const allow = named(synthed.prod, 'NetworkPolicy', 'frontend-from-ingress').spec;
    expect(allow.podSelector.matchLabels).toEqual({ 'app.kubernetes.io/name': 'frontend', 'app.kubernetes.io/instance': 'frontend' });
    expect(allow.ingress).toEqual([
      {
        from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress' } }, podSelector: { matchLabels: {} } }],
        ports: [{ port: 8080, protocol: 'TCP' }],
      },
    ]);
    expect(named(synthed.prod, 'NetworkPolicy', 'allow-acme-solver-from-ingress')).toBeDefined();
  });
});
