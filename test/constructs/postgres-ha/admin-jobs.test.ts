import { all, find, synth } from './support';

describe('PostgresHA admin Jobs', () => {
  test('the bootstrap Job runs idempotent SQL from a ConfigMap as the superuser, with a content-hashed name', () => {
    const { objects } = synth();
    const jobs = all(objects, 'Job');
    expect(jobs).toHaveLength(1);
    expect(jobs[0].metadata.name).toMatch(/^pg-bootstrap-[0-9a-f]{8}$/);
    const sql = find(objects, 'ConfigMap', 'pg-sql').data['bootstrap.sql'];
    expect(sql).toMatch(/\\gexec/);
    expect(sql).toMatch(/PASSWORD :'app_password'/);
    // postgres_exporter connects to the postgres database: pg_stat_statements must exist there too.
    const [inPostgresDb, inAppDb] = sql.split('\\connect "app"');
    expect(inPostgresDb).toMatch(/^CREATE EXTENSION IF NOT EXISTS pg_stat_statements;$/m);
    expect(inAppDb).toMatch(/^CREATE EXTENSION IF NOT EXISTS pg_stat_statements;$/m);
    expect(all(objects, 'CronJob')).toHaveLength(0);
  });

  test('addTenantSchema emits an idempotent Job with quoted identifiers', () => {
    const { objects } = synth({}, (pg) => pg.addTenantSchema('acme_gmbh'));
    const job = all(objects, 'Job').find((j) => j.metadata.name.startsWith('pg-tenant-acme-gmbh-'));
    expect(job).toBeDefined();
    const sql = find(objects, 'ConfigMap', 'pg-sql').data['tenant-acme-gmbh.sql'];
    expect(sql).toContain('CREATE SCHEMA IF NOT EXISTS "acme_gmbh" AUTHORIZATION "acme_gmbh_owner";');
    expect(sql).toContain(`WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'acme_gmbh_owner')\\gexec`);
  });

  test('promote: a Job removes standby_cluster from the dynamic configuration', () => {
    const { objects } = synth({ promote: true });
    const job = find(objects, 'Job', 'pg-promote');
    expect(job.spec.template.spec.containers[0].command).toEqual([
      'patronictl',
      '-c',
      '/etc/patroni/patroni.yml',
      'edit-config',
      '--force',
      '--set',
      'standby_cluster=null',
    ]);
    expect(job.spec.template.spec.serviceAccountName).toBe('pg-patroni');
  });
});
