import { Chart, Testing } from 'cdk8s';
import { runGate } from '../../../../gate/gate';
import { KubeObject } from '../../../../gate/manifest';
import { SchemaRegistry } from '../../../../gate/schema';
import { KongApi, KongApiProps, PublicIngress, PublicIngressProps, wafAnnotations } from '../../../../constructs/lib/edge';
import { deployment, namespace, service } from '../../../helpers/objects';

/* eslint-disable @typescript-eslint/no-explicit-any */

const NS = 'web';
const ISSUER = { name: 'letsencrypt-prod', http01: true };
const INGRESS: PublicIngressProps = {
  name: 'web',
  namespace: NS,
  hosts: ['app.example.com'],
  backend: { serviceName: 'web', port: 80 },
  issuer: ISSUER,
};
const API: KongApiProps = {
  name: 'api',
  namespace: NS,
  hosts: ['api.example.com'],
  issuer: ISSUER,
  rateLimit: { requestsPerMinute: 600 },
  cors: { origins: ['https://app.example.com'] },
  jwt: { issuer: 'https://auth.example.com/realms/receivables', secretStore: { name: 'vault' }, publicKeyRemoteKey: 'prod/edge/keycloak' },
  routes: [
    { name: 'invoices', path: '/invoices', backend: { serviceName: 'web', port: 80 } },
    { name: 'auth', path: '/auth', backend: { serviceName: 'web', port: 80 }, anonymous: true },
  ],
};

function synth(build: (chart: Chart) => void): any[] {
  const chart = Testing.chart();
  build(chart);
  return Testing.synth(chart);
}
const find = (objs: any[], kind: string, name: string): any => objs.find((o) => o.kind === kind && o.metadata.name === name);

describe('PublicIngress', () => {
  const objs = synth((c) => new PublicIngress(c, 'Web', { ...INGRESS, waf: true }));
  const ing = find(objs, 'Ingress', 'web');

  it('routes every host to the Service through ingress-nginx, TLS from its Certificate', () => {
    expect(ing.spec.ingressClassName).toBe('nginx');
    expect(ing.spec.rules).toEqual([
      { host: 'app.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }] } },
    ]);
    expect(ing.spec.tls).toEqual([{ hosts: ['app.example.com'], secretName: 'web-tls' }]);
    const cert = find(objs, 'Certificate', 'web-tls');
    expect(cert.spec.secretName).toBe('web-tls');
    expect(cert.spec.dnsNames).toEqual(['app.example.com']);
    expect(cert.spec.issuerRef).toEqual({ name: 'letsencrypt-prod', kind: 'ClusterIssuer', group: 'cert-manager.io' });
    expect(ing.metadata.annotations['nginx.ingress.kubernetes.io/force-ssl-redirect']).toBe('true');
  });

  it('turns on ModSecurity with the OWASP CRS and SecRuleEngine On with waf', () => {
    const a = ing.metadata.annotations;
    expect(a['nginx.ingress.kubernetes.io/enable-modsecurity']).toBe('true');
    expect(a['nginx.ingress.kubernetes.io/enable-owasp-core-rules']).toBe('true');
    expect(a['nginx.ingress.kubernetes.io/modsecurity-snippet'].split('\n')[0]).toBe('SecRuleEngine On');
    expect(wafAnnotations('DetectionOnly')['nginx.ingress.kubernetes.io/modsecurity-snippet']).toMatch(/^SecRuleEngine DetectionOnly\n/);
  });

  it('has no ModSecurity annotation without waf', () => {
    const plain = find(
      synth((c) => new PublicIngress(c, 'Web', INGRESS)),
      'Ingress',
      'web',
    );
    expect(Object.keys(plain.metadata.annotations).filter((k) => k.includes('modsecurity'))).toEqual([]);
  });

  it('admits the ingress namespace to the HTTP-01 solver pods, exempt from the selector check, and not for a self-signed issuer', () => {
    const np = find(objs, 'NetworkPolicy', 'allow-acme-solver-from-ingress');
    expect(np.spec.podSelector).toEqual({ matchLabels: { 'acme.cert-manager.io/http01-solver': 'true' } });
    expect(np.spec.ingress[0].from).toEqual([{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress' } } }]);
    expect(np.spec.ingress[0].ports).toEqual([{ protocol: 'TCP', port: 8089 }]);
    expect(np.metadata.annotations['policy.receivables.io/exempt']).toMatch(/^ref\.netpol-selector: cert-manager starts/);
    const selfSigned = synth((c) => new PublicIngress(c, 'Web', { ...INGRESS, issuer: { name: 'selfsigned' } }));
    expect(selfSigned.filter((o) => o.kind === 'NetworkPolicy')).toEqual([]);
  });

  it('fails when props are bad, listing every problem', () => {
    const chart = Testing.chart();
    expect(
      () =>
        new PublicIngress(chart, 'Web', {
          ...INGRESS,
          hosts: ['App.example.com', 'localhost'],
          backend: { serviceName: 'Web', port: 0 },
          wafMode: 'DetectionOnly',
          maxBodySize: '1 MB',
        }),
    ).toThrow(
      [
        'test/Web: hosts: must be fully qualified DNS names in lower case, such as app.example.com (got "App.example.com")',
        'test/Web: hosts: must be fully qualified DNS names in lower case, such as app.example.com (got "localhost")',
        'test/Web: backend.serviceName: must be a DNS label',
      ].join('\n'),
    );
    expect(() => new PublicIngress(Testing.chart(), 'W', { ...INGRESS, hosts: [] })).toThrow('hosts: must name at least one host');
    expect(() => new PublicIngress(Testing.chart(), 'W', { ...INGRESS, wafMode: 'DetectionOnly' })).toThrow('wafMode: needs waf: true');
  });
});

describe('KongApi', () => {
  const objs = synth((c) => new KongApi(c, 'Api', API));
  const route = (name: string): any => find(objs, 'Ingress', `api-${name}`);

  it('writes one kong Ingress per route, to the Service and port, with TLS from the API certificate', () => {
    const r = route('invoices');
    expect(r.spec.ingressClassName).toBe('kong');
    expect(r.spec.rules[0]).toEqual({
      host: 'api.example.com',
      http: { paths: [{ path: '/invoices', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }] },
    });
    expect(r.spec.tls).toEqual([{ hosts: ['api.example.com'], secretName: 'api-tls' }]);
    expect(r.metadata.annotations['konghq.com/strip-path']).toBe('true');
    expect(r.metadata.annotations['konghq.com/protocols']).toBe('https');
  });

  it('names CORS, rate limit, request size and JWT on a route, and no JWT on an anonymous one', () => {
    expect(route('invoices').metadata.annotations['konghq.com/plugins']).toBe('api-cors,api-rate-limit,api-request-size,api-jwt');
    expect(route('auth').metadata.annotations['konghq.com/plugins']).toBe('api-cors,api-rate-limit,api-request-size');
  });

  it('configures the KongPlugins', () => {
    expect(find(objs, 'KongPlugin', 'api-rate-limit')).toMatchObject({
      plugin: 'rate-limiting',
      config: { minute: 600, limit_by: 'ip', policy: 'local' },
    });
    expect(find(objs, 'KongPlugin', 'api-request-size')).toMatchObject({
      plugin: 'request-size-limiting',
      config: { allowed_payload_size: 8, size_unit: 'megabytes' },
    });
    const cors = find(objs, 'KongPlugin', 'api-cors');
    expect(cors.plugin).toBe('cors');
    expect(cors.config.origins).toEqual(['https://app.example.com']);
    expect(cors.config.credentials).toBe(true);
    expect(cors.config.headers).toContain('Authorization');
    expect(find(objs, 'KongPlugin', 'api-jwt')).toMatchObject({
      plugin: 'jwt',
      config: { key_claim_name: 'iss', claims_to_verify: ['exp'], run_on_preflight: false },
    });
  });

  it('holds the Keycloak realm as a KongConsumer whose JWT credential comes from the store', () => {
    const consumer = find(objs, 'KongConsumer', 'api-keycloak');
    expect(consumer.credentials).toEqual(['api-keycloak-jwt']);
    expect(consumer.metadata.annotations['kubernetes.io/ingress.class']).toBe('kong');
    const es = find(objs, 'ExternalSecret', 'api-keycloak-jwt');
    expect(es.spec.target.template.metadata.labels).toEqual({ 'konghq.com/credential': 'jwt' });
    expect(es.spec.target.template.data).toEqual({
      key: 'https://auth.example.com/realms/receivables',
      algorithm: 'RS256',
      rsa_public_key: '{{ .rsa_public_key }}',
    });
    expect(es.spec.data).toEqual([{ secretKey: 'rsa_public_key', remoteRef: { key: 'prod/edge/keycloak', property: 'public-key' } }]);
  });

  it('passes the schemas and the reference checks with a real Service behind it', () => {
    const manifests = [
      ...objs,
      ...synth((c) => new PublicIngress(c, 'Web', { ...INGRESS, waf: true })),
      namespace(NS),
      namespace('ingress'),
      deployment(NS, 'web', { ports: [{ name: 'http', containerPort: 8080 }] }),
      { ...service(NS, 'web', { app: 'web' }, 80), spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] } },
      { apiVersion: 'cert-manager.io/v1', kind: 'ClusterIssuer', metadata: { name: 'letsencrypt-prod' }, spec: { selfSigned: {} } },
    ] as KubeObject[];
    const result = runGate(
      manifests.map((obj) => ({ file: 'test.yaml', obj })),
      { registry: SchemaRegistry.default() },
    );
    const relevant = result.problems.filter((p) => p.rule.startsWith('ref.') || p.rule.startsWith('schema')).map((p) => `${p.object} ${p.path}: ${p.rule}`);
    expect(relevant).toEqual([]);
    // And it would see a route to a port the Service does not have.
    const broken = manifests.map((o: any) =>
      o.kind === 'Ingress' && o.metadata.name === 'api-invoices'
        ? { ...o, spec: { ...o.spec, rules: [{ ...o.spec.rules[0], http: { paths: [{ ...o.spec.rules[0].http.paths[0], backend: { service: { name: 'web', port: { number: 81 } } } }] } }] } }
        : o,
    );
    const r2 = runGate(
      broken.map((obj) => ({ file: 'test.yaml', obj })),
      { registry: SchemaRegistry.default() },
    );
    expect(r2.problems.filter((p) => p.rule === 'ref.ingress-backend').map((p) => p.object)).toEqual(['Ingress/web/api-invoices']);
  });

  it('fails when props are bad, listing every problem', () => {
    expect(
      () =>
        new KongApi(Testing.chart(), 'Api', {
          ...API,
          hosts: ['api'],
          rateLimit: { requestsPerMinute: 0 },
          maxRequestBodyMegabytes: 0,
          cors: { origins: ['*', 'https://app.example.com/'] },
          jwt: { ...API.jwt!, issuer: 'http://auth.example.com' },
          routes: [],
        }),
    ).toThrow(
      [
        'test/Api: hosts: must be fully qualified DNS names in lower case, such as app.example.com (got "api")',
        'test/Api: rateLimit.requestsPerMinute: must be an integer from 1 to 1000000 (got 0)',
        'test/Api: maxRequestBodyMegabytes: must be an integer from 1 to 1024 (got 0)',
        'test/Api: cors.origins: must be origins such as https://app.example.com (scheme and host, no path, no wildcard) (got "*")',
        'test/Api: cors.origins: must be origins such as https://app.example.com (scheme and host, no path, no wildcard) (got "https://app.example.com/")',
        'test/Api: jwt.issuer: must be an https URL such as https://auth.example.com/realms/receivables (got "http://auth.example.com")',
      ].join('\n'),
    );
  });

  it('fails when a rate limit is negative', () => {
    expect(() => new KongApi(Testing.chart(), 'Api', { ...API, rateLimit: { requestsPerMinute: -5 } })).toThrow(
      'rateLimit.requestsPerMinute: must be an integer from 1 to 1000000 (got -5)',
    );
  });

  it('fails when a route is added twice or points at a bad path', () => {
    const chart = Testing.chart();
    const api = new KongApi(chart, 'Api', API);
    expect(() => api.addRoute({ name: 'invoices', path: '/invoices', backend: { serviceName: 'web', port: 80 } })).toThrow(
      'test/Api: routes[invoices].name: must be unique in the API (got "invoices")',
    );
    expect(() => api.addRoute({ name: 'users', path: 'users/', backend: { serviceName: 'web', port: 80 } })).toThrow('routes[users].path: must be an absolute URL path');
  });
});
