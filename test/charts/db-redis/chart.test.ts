/* eslint-disable @typescript-eslint/no-explicit-any */
import { App, Testing } from 'cdk8s';
import { DbRedisChart } from '../../../charts/db-redis';
import { CLIENT_NAMESPACES } from '../../../charts/shared';
import { Resources } from '../../../constructs/lib/resources';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { defaultEnvironmentsDir, loadEnvironments } from '../../../environments/load';

const find = (objects: any[], kind: string, name?: string): any =>
  objects.find((o) => o.kind === kind && (name === undefined || o.metadata.name === name));

describe('db-redis chart', () => {
  const configs = Object.fromEntries(loadEnvironments(['dev', 'staging', 'prod', 'dr']).map((c) => [c.name, c]));
  const chartOf = (env: string): DbRedisChart => new DbRedisChart(new App(), configs[env]);

  test.each([
    ['dev', 1, 1],
    ['staging', 3, 3],
    ['prod', 3, 3],
    ['dr', 3, 3],
  ])('%s runs %i data pods and %i Sentinels', (env, dataPods, sentinels) => {
    const chart = chartOf(env);
    expect(chart.redis.replicas).toBe(dataPods);
    expect(chart.redis.sentinelReplicas).toBe(sentinels);
    expect(chart.redis.standalone).toBe(dataPods === 1);
  });

  test('sizes, storage class, images and zone spread come from the environment', () => {
    const prod = configs.prod;
    const objects = Testing.synth(chartOf('prod'));
    const data = find(objects, 'StatefulSet', 'redis');
    expect(data.spec.volumeClaimTemplates[0].spec.storageClassName).toBe('gp3');
    expect(data.spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe(`${prod.redis.storageGi}Gi`);
    expect(data.spec.template.spec.containers[0].image).toBe(`${prod.imageRegistry}/${prod.images.redis}`);
    expect(data.spec.template.spec.containers[1].image).toBe(`${prod.imageRegistry}/${prod.images.redisExporter}`);
    expect(data.spec.template.spec.topologySpreadConstraints).toHaveLength(1);
    expect(data.spec.template.spec.containers[0].resources.limits.memory).toBe(Resources.PRESETS[prod.redis.size].memoryLimit);
    // dev on k3s has no zones.
    expect(find(Testing.synth(chartOf('dev')), 'StatefulSet', 'redis').spec.template.spec.topologySpreadConstraints).toBeUndefined();
  });

  test('the cluster DNS domain comes from the environment (clusterDomain), cluster.local by default', () => {
    const objects = (config: typeof configs.prod): string => JSON.stringify(Testing.synth(new DbRedisChart(new App(), config)));
    expect(chartOf('prod').redis.connection.host).toBe('redis-sentinel.db-redis.svc.cluster.local');
    const custom = new DbRedisChart(new App(), { ...configs.prod, clusterDomain: 'corp.internal' });
    expect(custom.redis.connection.host).toBe('redis-sentinel.db-redis.svc.corp.internal');
    expect(custom.redis.dataHosts[0]).toBe('redis-0.redis-headless.db-redis.svc.corp.internal');
    const rendered = objects({ ...configs.prod, clusterDomain: 'corp.internal' });
    expect(rendered).toContain('svc.corp.internal');
    expect(rendered).not.toContain('cluster.local');
  });

  test('a bad clusterDomain in <env>.yaml is a config problem with its path', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cluster-domain-'));
    try {
      fs.cpSync(path.join(defaultEnvironmentsDir()), dir, { recursive: true, filter: (f) => !f.includes('schema') });
      fs.appendFileSync(path.join(dir, 'prod.yaml'), '\nclusterDomain: Not_A.Domain\n');
      expect(() => loadEnvironments(['prod'], { dir })).toThrow(/clusterDomain/);
      expect(loadEnvironments(['staging'], { dir })[0].clusterDomain).toBeUndefined();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test("the client-labelled pods of Redis' client namespaces, the KEDA operator (where KEDA runs) and Prometheus are the only clients", () => {
    const objects = Testing.synth(chartOf('staging'));
    const clients = find(objects, 'NetworkPolicy', 'redis-clients');
    expect(clients.spec.ingress[0].from.map((p: any) => p.namespaceSelector.matchLabels['kubernetes.io/metadata.name'])).toEqual([
      ...CLIENT_NAMESPACES.redis,
      'keda',
    ]);
    expect(clients.spec.ingress[0].from[CLIENT_NAMESPACES.redis.length].podSelector.matchLabels).toEqual({ app: 'keda-operator' });
    for (const peer of clients.spec.ingress[0].from.slice(0, CLIENT_NAMESPACES.redis.length)) {
      expect(peer.podSelector).toEqual({ matchLabels: { 'client.receivables.io/redis': 'true' } });
    }
    const dev = find(Testing.synth(chartOf('dev')), 'NetworkPolicy', 'redis-clients');
    expect(dev.spec.ingress[0].from.map((p: any) => p.namespaceSelector.matchLabels['kubernetes.io/metadata.name'])).toEqual([
      ...CLIENT_NAMESPACES.redis,
    ]);
    const metrics = find(objects, 'NetworkPolicy', 'redis-metrics');
    expect(metrics.spec.ingress[0].from[0].namespaceSelector.matchLabels['kubernetes.io/metadata.name']).toBe('monitoring');
  });

  test('each environment reads its own password', () => {
    for (const env of ['dev', 'prod', 'dr']) {
      const es = find(Testing.synth(chartOf(env)), 'ExternalSecret');
      expect(es.spec.data[0].remoteRef.key).toBe(`${env}/db-redis/credentials`);
    }
  });
});
