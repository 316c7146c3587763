/* eslint-disable @typescript-eslint/no-explicit-any */
import { App, Testing } from 'cdk8s';
import { DbPostgresChart } from '../../../charts/db-postgres';
import { loadEnvironments } from '../../../environments/load';
import { EnvironmentConfig } from '../../../environments/types';
import { all, find, patroniOf } from '../../constructs/postgres-ha/support';

describe('db-postgres chart', () => {
  const configs = Object.fromEntries(loadEnvironments(['dev', 'staging', 'prod', 'dr']).map((c) => [c.name, c])) as Record<string, EnvironmentConfig>;
  const objectsOf = (config: EnvironmentConfig): any[] => Testing.synth(new DbPostgresChart(new App(), config));

  test.each([
    ['dev', 1, 1, false],
    ['staging', 3, 2, false],
    ['prod', 3, 3, true],
  ])('%s: %d replicas, %d poolers, backups %s', (env, replicas, poolers, backups) => {
    const objects = objectsOf(configs[env]);
    expect(find(objects, 'StatefulSet').spec.replicas).toBe(replicas);
    expect(find(objects, 'Deployment').spec.replicas).toBe(configs[env].postgres.poolerReplicas);
    expect(poolers).toBe(configs[env].postgres.poolerReplicas);
    expect(all(objects, 'CronJob').length > 0).toBe(backups === true || configs[env].features.backups);
    expect(find(objects, 'StatefulSet').spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe(`${configs[env].postgres.storageGi}Gi`);
    for (const ns of ['app-core', 'app-agents', 'app-integration', 'app-batch']) {
      expect(find(objects, 'NetworkPolicy', `postgres-from-${ns}`)).toBeDefined();
    }
  });

  test('dr at rest is a standby of prod archive; after failover it is promoted and archives under dr/', () => {
    const rest = objectsOf(configs.dr);
    const standby = patroniOf(rest, 'postgres-patroni').bootstrap.dcs.standby_cluster;
    expect(standby.restore_command).toMatch(/s3:\/\/postgres-backups\/prod\/postgres/);
    expect(find(rest, 'Job', 'postgres-promote')).toBeUndefined();
    const failedOver = objectsOf({ ...configs.dr, dr: { ...configs.dr.dr!, failover: true } });
    expect(patroniOf(failedOver, 'postgres-patroni').bootstrap.dcs.standby_cluster).toBeUndefined();
    expect(find(failedOver, 'Job', 'postgres-promote')).toBeDefined();
    const env = find(failedOver, 'StatefulSet').spec.template.spec.containers[0].env;
    expect(env.find((e: any) => e.name === 'WALG_S3_PREFIX').value).toBe('s3://postgres-backups/dr/postgres');
  });
});
