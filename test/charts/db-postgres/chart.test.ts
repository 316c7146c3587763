/* eslint-disable @typescript-eslint/no-explicit-any */
import * as fs from 'fs';
import { App, Testing } from 'cdk8s';
import * as YAML from 'yaml';
import { DbPostgresChart } from '../../../charts/db-postgres';
import { CLIENT_NAMESPACES } from '../../../charts/shared';
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
    for (const ns of CLIENT_NAMESPACES.postgres) {
      const allow = find(objects, 'NetworkPolicy', `postgres-from-${ns}`);
      expect(allow.spec.ingress[0].from).toEqual([
        {
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ns } },
          podSelector: { matchLabels: { 'client.receivables.io/postgres': 'true' } },
        },
      ]);
    }
    expect(all(objects, 'NetworkPolicy').filter((o: any) => /^postgres-from-app-/.test(o.metadata.name))).toHaveLength(
      CLIENT_NAMESPACES.postgres.length,
    );
  });

  test('dr at rest is a standby of prod archive; after failover it is promoted and archives under dr/', () => {
    const rest = objectsOf(configs.dr);
    const standby = patroniOf(rest, 'postgres-patroni').bootstrap.dcs.standby_cluster;
    expect(standby.restore_command).toMatch(/s3:\/\/postgres-backups\/prod\/postgres/);
    // Streams from prod's replication endpoint; the archive is prod's MinIO, not DR's own, read-only.
    expect([standby.host, standby.port]).toEqual([configs.dr.dr!.postgres.primaryHost, 5432]);
    expect(standby.restore_command).toContain(`AWS_ENDPOINT=${configs.dr.dr!.postgres.archiveEndpoint} `);
    expect(standby.restore_command).not.toContain('minio.storage-minio.svc');
    expect(find(rest, 'ExternalSecret', 'postgres-standby-archive-s3').spec.data[0].remoteRef.key).toBe('prod/db-postgres/backup-s3-readonly');
    expect(find(rest, 'Job', 'postgres-promote')).toBeUndefined();
    const failedOver = objectsOf({ ...configs.dr, dr: { ...configs.dr.dr!, failover: true } });
    expect(patroniOf(failedOver, 'postgres-patroni').bootstrap.dcs.standby_cluster).toBeUndefined();
    expect(find(failedOver, 'Job', 'postgres-promote')).toBeDefined();
    const env = find(failedOver, 'StatefulSet').spec.template.spec.containers[0].env;
    expect(env.find((e: any) => e.name === 'WALG_S3_PREFIX').value).toBe('s3://postgres-backups/dr/postgres');
  });

  /** Each role secret's keys -> the store entry they read (remote key and property). */
  const roleSecretRefs = (objects: any[]): Record<string, string[]> =>
    Object.fromEntries(
      ['postgres-credentials', 'postgres-app', 'postgres-pooler-auth'].map((name) => [
        name,
        find(objects, 'ExternalSecret', name).spec.data.map((d: any) => `${d.secretKey} <- ${d.remoteRef.key}#${d.remoteRef.property}`),
      ]),
    );

  // A standby cluster replicates prod's pg_authid: its members, pooler and Jobs must log in with
  // prod's passwords, at rest and after failover (the promoted cluster still has prod's roles).
  test('dr reads prod role secrets (remote keys), at rest and after failover; backup-s3 stays its own', () => {
    const prod = roleSecretRefs(objectsOf(configs.prod));
    expect(prod['postgres-credentials']).toContain('superuser-password <- prod/db-postgres/credentials#superuser-password');
    expect(roleSecretRefs(objectsOf(configs.dr))).toEqual(prod);
    expect(roleSecretRefs(objectsOf({ ...configs.dr, dr: { ...configs.dr.dr!, failover: true } }))).toEqual(prod);
    const drBackup = find(objectsOf(configs.dr), 'ExternalSecret', 'postgres-backup-s3');
    expect(drBackup.spec.data[0].remoteRef.key).toBe('dr/db-postgres/backup-s3');
  });

  test('the committed dist/dr authenticates with the same store entries as dist/prod', () => {
    const committed = (env: string): any[] =>
      YAML.parseAllDocuments(fs.readFileSync(`dist/${env}/db-postgres/db-postgres.k8s.yaml`, 'utf8')).map((d) => d.toJSON());
    expect(roleSecretRefs(committed('dr'))).toEqual(roleSecretRefs(committed('prod')));
    // What the DR members authenticate with: Patroni's passwords come from that Secret.
    const env = find(committed('dr'), 'StatefulSet').spec.template.spec.containers[0].env;
    expect(env.find((e: any) => e.name === 'PATRONI_SUPERUSER_PASSWORD').valueFrom.secretKeyRef.name).toBe('postgres-credentials');
  });
});
