/* eslint-disable @typescript-eslint/no-explicit-any */
import { App, Testing } from 'cdk8s';
import { AppCoreChart, CORE_SERVICES } from '../../../charts/app-core';
import { AppIntegrationChart, kafkaEndpoint } from '../../../charts/app-integration';
import { DbPostgresChart, postgresEndpoint } from '../../../charts/db-postgres';
import { DbRedisChart, redisEndpoint } from '../../../charts/db-redis';
import { assertEndpointServed } from '../../../charts/shared';
import { loadEnvironments } from '../../../environments/load';
import { EnvironmentConfig } from '../../../environments/types';

const ENVS = ['dev', 'staging', 'prod', 'dr'] as const;
const NAMES = CORE_SERVICES.map((s) => s.name);

describe('app-core chart', () => {
  const configs: Record<string, EnvironmentConfig> = Object.fromEntries(loadEnvironments([...ENVS]).map((c) => [c.name, c]));
  const drFailedOver: EnvironmentConfig = { ...configs.dr, dr: { ...configs.dr.dr!, failover: true } };
  const cache = new Map<EnvironmentConfig, any[]>();
  const objectsOf = (config: EnvironmentConfig): any[] => {
    if (!cache.has(config)) {
      cache.set(config, Testing.synth(new AppCoreChart(new App(), config)));
    }
    return cache.get(config)!;
  };
  const ofKind = (objects: any[], kind: string): any[] => objects.filter((o) => o.kind === kind);
  const named = (objects: any[], kind: string, name: string): any => objects.find((o) => o.kind === kind && o.metadata.name === name);
  const workloads = (objects: any[]): any[] => objects.filter((o) => o.kind === 'Deployment' || o.kind === 'Rollout');
  const envOf = (objects: any[], name: string): Record<string, any> =>
    Object.fromEntries(
      workloads(objects)
        .find((w) => w.metadata.name === name)
        .spec.template.spec.containers[0].env.map((e: any) => [e.name, e.value ?? e.valueFrom]),
    );

  test.each(ENVS)('%s: the four services, each with a Service in app-core and its pinned image', (env) => {
    const objects = objectsOf(configs[env]);
    expect(
      workloads(objects)
        .map((w) => w.metadata.name)
        .sort(),
    ).toEqual([...NAMES].sort());
    for (const name of NAMES) {
      expect(named(objects, 'Service', name).metadata.namespace).toBe('app-core');
    }
    const images = workloads(objects).map((w) => w.spec.template.spec.containers[0].image);
    expect(images).toContain('harbor.receivables.example.com/platform/receivables/auth-service:1.4.2');
  });

  test('prod: auth, user-management and mobile-backend are canaries with analysis', () => {
    const objects = objectsOf(configs.prod);
    for (const name of ['auth', 'user-management', 'mobile-backend']) {
      const canary = named(objects, 'Rollout', name).spec.strategy.canary;
      expect(canary.steps).toEqual([
        { setWeight: 20 },
        { pause: { duration: '300s' } },
        { setWeight: 50 },
        { pause: { duration: '300s' } },
        { setWeight: 100 },
      ]);
      expect(canary.analysis.templates).toEqual([{ templateName: `${name}-analysis` }]);
      const template = named(objects, 'AnalysisTemplate', `${name}-analysis`);
      expect(template.spec.metrics.map((m: any) => m.provider.prometheus.address)).toEqual(
        Array(template.spec.metrics.length).fill('http://prometheus-operated.monitoring.svc:9090'),
      );
    }
  });

  test('prod: invoice-processing is blue-green with auto-promotion off and a preview Service', () => {
    const objects = objectsOf(configs.prod);
    const bg = named(objects, 'Rollout', 'invoice-processing').spec.strategy.blueGreen;
    expect(bg.autoPromotionEnabled).toBe(false);
    expect([bg.activeService, bg.previewService]).toEqual(['invoice-processing', 'invoice-processing-preview']);
    expect(named(objects, 'Service', 'invoice-processing-preview')).toBeDefined();
  });

  test.each(['dev', 'staging'])('%s: every service is a plain Deployment, no Rollout', (env) => {
    const objects = objectsOf(configs[env]);
    expect(
      ofKind(objects, 'Deployment')
        .map((d) => d.metadata.name)
        .sort(),
    ).toEqual([...NAMES].sort());
    expect(ofKind(objects, 'Rollout')).toEqual([]);
    expect(ofKind(objects, 'AnalysisTemplate')).toEqual([]);
  });

  test('dr at rest: prod strategies at 0 replicas, no HPA and no PDB; after failover prod scale with HPAs', () => {
    const atRest = objectsOf(configs.dr);
    expect(workloads(atRest).map((w) => [w.kind, w.spec.replicas])).toEqual(Array(4).fill(['Rollout', 0]));
    expect(ofKind(atRest, 'HorizontalPodAutoscaler')).toEqual([]);
    expect(ofKind(atRest, 'PodDisruptionBudget')).toEqual([]);
    const up = objectsOf(drFailedOver);
    expect(ofKind(up, 'HorizontalPodAutoscaler').map((h) => [h.spec.minReplicas, h.spec.maxReplicas])).toEqual(Array(4).fill([3, 9]));
    expect(ofKind(up, 'PodDisruptionBudget')).toHaveLength(4);
  });

  test('autoscaling only where the feature is on: min = replicas, max = 3x', () => {
    expect(ofKind(objectsOf(configs.dev), 'HorizontalPodAutoscaler')).toEqual([]);
    expect(named(objectsOf(configs.dev), 'Deployment', 'auth').spec.replicas).toBe(1);
    const staging = ofKind(objectsOf(configs.staging), 'HorizontalPodAutoscaler');
    expect(staging.map((h) => [h.spec.scaleTargetRef.name, h.spec.minReplicas, h.spec.maxReplicas]).sort()).toEqual(
      [...NAMES].sort().map((n) => [n, 2, 6]),
    );
    expect(ofKind(objectsOf(configs.prod), 'HorizontalPodAutoscaler').map((h) => h.spec.scaleTargetRef.kind)).toEqual(Array(4).fill('Rollout'));
  });

  test('connections: Postgres for all, Redis for auth and mobile-backend, Kafka for invoice-processing', () => {
    const objects = objectsOf(configs.prod);
    const prefixes = (name: string): string[] => ['POSTGRES', 'REDIS', 'KAFKA'].filter((p) => envOf(objects, name)[`${p}_HOST`] !== undefined);
    expect(Object.fromEntries(NAMES.map((n) => [n, prefixes(n)]))).toEqual({
      auth: ['POSTGRES', 'REDIS'],
      'user-management': ['POSTGRES'],
      'invoice-processing': ['POSTGRES', 'KAFKA'],
      'mobile-backend': ['POSTGRES', 'REDIS'],
    });
  });

  test('prod: the env of auth names the pooler, the app role, TLS with the mounted CA; dev has no TLS', () => {
    const env = envOf(objectsOf(configs.prod), 'auth');
    expect(env.POSTGRES_HOST).toBe('postgres-pooler.db-postgres.svc');
    expect([env.POSTGRES_PORT, env.POSTGRES_USER, env.POSTGRES_DB, env.POSTGRES_SSLMODE]).toEqual(['5432', 'app', 'app', 'verify-full']);
    expect(env.POSTGRES_PASSWORD).toEqual({ secretKeyRef: { name: 'auth-postgres', key: 'password' } });
    expect(env.POSTGRES_CA_FILE).toBe('/etc/tls/postgres/ca.crt');
    expect([env.REDIS_HOST, env.REDIS_PORT, env.REDIS_MASTER_SET]).toEqual(['redis-sentinel.db-redis.svc.cluster.local', '26379', 'redis']);
    const kafka = envOf(objectsOf(configs.prod), 'invoice-processing');
    expect([kafka.KAFKA_BROKERS, kafka.KAFKA_SASL_MECHANISM]).toEqual(['kafka-bootstrap.app-integration.svc:9092', 'SCRAM-SHA-512']);
    const dev = envOf(objectsOf(configs.dev), 'auth');
    expect([dev.POSTGRES_SSLMODE, dev.POSTGRES_CA_FILE, dev.REDIS_CA_FILE]).toEqual(['disable', undefined, undefined]);
  });

  test('the password comes from the store by an ExternalSecret; DR reads the roles of prod', () => {
    const secret = named(objectsOf(configs.dr), 'ExternalSecret', 'auth-postgres');
    expect(secret.spec.data).toContainEqual({ secretKey: 'password', remoteRef: { key: 'prod/db-postgres/credentials', property: 'app-password' } });
  });

  test('the egress to PostgreSQL meets the ingress db-postgres opens for app-core', () => {
    const egress = named(objectsOf(configs.prod), 'NetworkPolicy', 'auth-to-postgres').spec;
    expect(egress.policyTypes).toEqual(['Egress']);
    const to = egress.egress[0];
    expect(to.to[0].namespaceSelector.matchLabels).toEqual({ 'kubernetes.io/metadata.name': 'db-postgres' });
    expect(to.ports).toEqual([{ port: 5432, protocol: 'TCP' }]);
    const server = Testing.synth(new DbPostgresChart(new App(), configs.prod));
    const ingress = named(server, 'NetworkPolicy', 'postgres-from-app-core').spec;
    expect(ingress.podSelector.matchLabels).toEqual(to.to[0].podSelector.matchLabels);
    expect(ingress.ingress[0].ports).toEqual(to.ports);
  });

  test.each(ENVS)('%s: each endpoint function equals what its server construct serves', (env) => {
    const c = configs[env];
    const postgres = new DbPostgresChart(new App(), c).postgres;
    const redis = new DbRedisChart(new App(), c).redis;
    const kafka = new AppIntegrationChart(new App(), c).kafka;
    expect([postgresEndpoint(c).host, postgresEndpoint(c).port, postgresEndpoint(c).password?.remoteKey]).toEqual([
      postgres.connection.host,
      postgres.connection.port,
      postgres.connection.secret.remoteKey,
    ]);
    expect(postgresEndpoint(c).tls !== undefined).toBe(postgres.connection.tls !== undefined);
    expect([redisEndpoint(c).host, redisEndpoint(c).port, redisEndpoint(c).settings?.MASTER_SET]).toEqual([
      redis.connection.host,
      redis.connection.port,
      redis.masterSetName,
    ]);
    expect([kafkaEndpoint(c).host, kafkaEndpoint(c).port, kafkaEndpoint(c).peer.peerSelector]).toEqual([
      kafka.connection.host,
      kafka.connection.port,
      kafka.connections.peerSelector,
    ]);
  });

  test.each(ENVS)('%s: a Kong route per service on the API host, to its (active) Service and port', (env) => {
    const objects = objectsOf(configs[env]);
    const routes = ofKind(objects, 'Ingress').filter((i) => i.spec.ingressClassName === 'kong');
    const paths = Object.fromEntries(
      routes.map((r) => {
        const p = r.spec.rules[0].http.paths[0];
        expect(r.spec.rules.map((x: any) => x.host)).toEqual([configs[env].edge.apiHost]);
        const svc = named(objects, 'Service', p.backend.service.name);
        expect(svc.spec.ports.map((x: any) => x.port)).toContain(p.backend.service.port.number);
        return [r.metadata.name, `${p.path} -> ${p.backend.service.name}:${p.backend.service.port.number}`];
      }),
    );
    expect(paths).toEqual({
      'api-auth': '/api/auth -> auth:8080',
      'api-user-management': '/api/users -> user-management:8080',
      'api-invoice-processing': '/api/invoices -> invoice-processing:8080',
      'api-mobile-backend': '/api/mobile -> mobile-backend:8080',
    });
  });

  test('prod: the blue-green invoice-processing route goes to the active Service, never the preview', () => {
    const route = named(objectsOf(configs.prod), 'Ingress', 'api-invoice-processing');
    expect(route.spec.rules[0].http.paths[0].backend.service.name).toBe(
      named(objectsOf(configs.prod), 'Rollout', 'invoice-processing').spec.strategy.blueGreen.activeService,
    );
  });

  test('plugins: CORS from edge.corsOrigins, rate limit and body size from edge, JWT on every route but auth', () => {
    const objects = objectsOf(configs.prod);
    const plugin = (name: string): any => named(objects, 'KongPlugin', name);
    expect(plugin('api-cors').config.origins).toEqual(['https://app.receivables.example.com']);
    expect(plugin('api-rate-limit').config.minute).toBe(1200);
    expect(plugin('api-request-size').config.allowed_payload_size).toBe(8);
    expect(objectsOf(configs.dev).find((o) => o.metadata.name === 'api-rate-limit').config.minute).toBe(600);
    const plugins = (route: string): string => named(objects, 'Ingress', route).metadata.annotations['konghq.com/plugins'];
    expect(plugins('api-auth')).toBe('api-cors,api-rate-limit,api-request-size');
    for (const r of ['api-user-management', 'api-invoice-processing', 'api-mobile-backend']) {
      expect(plugins(r)).toBe('api-cors,api-rate-limit,api-request-size,api-jwt');
    }
  });

  test('JWT: the Keycloak realm of edge.jwtIssuer, its key from the store; the certificate from the environment issuer', () => {
    const objects = objectsOf(configs.staging);
    const secret = named(objects, 'ExternalSecret', 'api-keycloak-jwt');
    expect(secret.spec.target.template.data.key).toBe('https://auth.staging.receivables.example.com/realms/receivables');
    expect(secret.spec.data[0].remoteRef).toEqual({ key: 'staging/edge/keycloak-realm', property: 'public-key' });
    expect(named(objects, 'KongConsumer', 'api-keycloak').credentials).toEqual(['api-keycloak-jwt']);
    expect(named(objects, 'Certificate', 'api-tls').spec.issuerRef.name).toBe('letsencrypt-prod');
  });

  test('each service admits the ingress namespace (Kong) on its port', () => {
    const objects = objectsOf(configs.prod);
    for (const name of NAMES) {
      const allow = named(objects, 'NetworkPolicy', `${name}-from-ingress`).spec;
      expect(allow.ingress[0].from[0].namespaceSelector.matchLabels).toEqual({ 'kubernetes.io/metadata.name': 'ingress' });
      expect(allow.ingress[0].ports).toEqual([{ port: 8080, protocol: 'TCP' }]);
    }
  });

  test('the synth assertion fires on a mismatch and names every field that differs', () => {
    const chart = new DbPostgresChart(new App(), configs.prod);
    const good = postgresEndpoint(configs.prod);
    expect(() => assertEndpointServed(chart, 'postgresEndpoint', good, chart.postgres)).not.toThrow();
    const bad = { ...good, port: 6432, peer: { ...good.peer, peerSelector: { 'app.kubernetes.io/name': 'postgresql' } }, tls: undefined };
    expect(() => assertEndpointServed(chart, 'postgresEndpoint', good, chart.postgres, { DB: 'invoices' })).toThrow(
      'settings.DB: postgresEndpoint() says app, the server has invoices',
    );
    expect(() => assertEndpointServed(chart, 'postgresEndpoint', bad, chart.postgres)).toThrow(
      /db-postgres: internal: postgresEndpoint\(\) does not match the server:\n {2}port: postgresEndpoint\(\) says 6432, the server has 5432\n {2}tls: .*\n {2}peer\.peerSelector/,
    );
  });
});
