/* eslint-disable @typescript-eslint/no-explicit-any */
import { App, Testing } from 'cdk8s';
import { DbElasticsearchChart } from '../../../charts/db-elasticsearch';
import { StorageMinioChart } from '../../../charts/storage-minio';
import { loadEnvironments } from '../../../environments/load';

describe('db-elasticsearch chart', () => {
  const configs = Object.fromEntries(loadEnvironments(['dev', 'staging', 'prod', 'dr']).map((c) => [c.name, c]));
  const chartOf = (env: string): DbElasticsearchChart => new DbElasticsearchChart(new App(), configs[env]);
  const sets = (env: string): [string, number][] => chartOf(env).elasticsearch.nodeSets.map((s) => [s.set, s.replicas]);

  test('dev runs one all-roles node', () => {
    expect(sets('dev')).toEqual([['node', 1]]);
  });

  test.each(['staging', 'prod', 'dr'])('%s runs 3 dedicated masters, data and 2 coordinating nodes', (env) => {
    const c = configs[env].elasticsearch;
    expect(sets(env)).toEqual([
      ['master', 3],
      ['data', c.dataNodes],
      ['coordinating', 2],
    ]);
  });

  test('snapshots go to the MinIO backups bucket under <env>/elasticsearch when the environment backs up', () => {
    const repo = (env: string): any => chartOf(env).elasticsearch.setupRequests.find((r) => r.path.startsWith('/_snapshot/'))?.body;
    expect(repo('dev')).toBeUndefined();
    expect(repo('prod')).toEqual({
      type: 's3',
      settings: { bucket: 'elasticsearch-snapshots', base_path: 'prod/elasticsearch', client: 'snapshots' },
    });
  });

  test('storage-minio admits db-elasticsearch exactly when it snapshots', () => {
    const policy = (env: string): any =>
      Testing.synth(new StorageMinioChart(new App(), configs[env])).find(
        (o: any) => o.kind === 'NetworkPolicy' && o.metadata.name === 'minio-from-db-elasticsearch',
      );
    expect(policy('dev')).toBeUndefined();
    expect(policy('prod').spec.ingress[0].ports).toEqual([{ protocol: 'TCP', port: 9000 }]);
  });

  test('logs retention comes from the environment', () => {
    const del = (env: string): any => chartOf(env).elasticsearch.setupRequests.find((r) => r.path === '/_ilm/policy/logs')!.body;
    expect(del('prod').policy.phases.delete.min_age).toBe(`${configs.prod.elasticsearch.logRetentionDays}d`);
  });
});
