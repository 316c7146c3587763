import { Size } from 'cdk8s';
import { Resources } from '../../../constructs/lib/resources';
import { StandbySource } from '../../../constructs/postgres-ha';
import { errorOf } from '../../helpers/errors';
import { all, BACKUP, expectProblem, find, MONITORING_PEER, selectedBy, synth } from './support';

describe('PostgresHA props', () => {
  test('partOf and labelDomain set by a consumer appear on the objects; policy exemptions stay on the platform domain', () => {
    const { objects } = synth({ partOf: 'billing-suite', labelDomain: 'example.com' });
    expect(objects.length).toBeGreaterThan(10);
    for (const obj of objects) {
      const partOf = obj.metadata.labels['app.kubernetes.io/part-of'];
      expect({ object: `${obj.kind}/${obj.metadata.name}`, partOf }).toEqual({ object: `${obj.kind}/${obj.metadata.name}`, partOf: 'billing-suite' });
    }
    expect(find(objects, 'StatefulSet').spec.template.metadata.labels['app.kubernetes.io/part-of']).toBe('billing-suite');
    for (const name of ['pg-members', 'pg-pooler']) {
      expect(find(objects, 'Service', name).metadata.labels).toMatchObject({ 'postgres.example.com/metrics': 'true' });
    }
    expect(selectedBy(objects, find(objects, 'ServiceMonitor', 'pg'))).toEqual(['pg-members']);
    const template = find(objects, 'Deployment', 'pg-pooler').spec.template.metadata;
    expect(Object.keys(template.annotations)).toEqual(['postgres.example.com/config-hash']);
    const text = JSON.stringify(objects);
    expect(text).not.toContain('postgres.receivables.io');
    expect(find(objects, 'Service', 'pg-replica').metadata.annotations['policy.receivables.io/exempt']).toMatch(/^ref\.service-selector: /);
  });

  test('podSecurity set by a consumer applies to the members, the admin Jobs and the backup CronJobs', () => {
    const { objects } = synth({ podSecurity: { runAsUser: 2000, runAsGroup: 3000 }, backup: BACKUP });
    const contexts = [
      find(objects, 'StatefulSet').spec.template.spec.securityContext,
      ...all(objects, 'Job').map((j) => j.spec.template.spec.securityContext),
      ...all(objects, 'CronJob').map((c) => c.spec.jobTemplate.spec.template.spec.securityContext),
    ];
    expect(contexts).toHaveLength(4);
    for (const c of contexts) {
      expect(c).toMatchObject({ runAsUser: 2000, runAsGroup: 3000, fsGroup: 3000 });
    }
  });

  describe('fails when', () => {
    test('fails when 1 replica without allowSingleInstance', () => {
      expectProblem({ replicas: 1 }, 'replicas', /allowSingleInstance: true \(development only\)/, '1');
    });

    test('fails when a single PgBouncer fronts the cluster without allowSingleInstance', () => {
      expectProblem({ pooler: { replicas: 1 } }, 'pooler.replicas', /single point of failure/, '1');
      expect(() => synth({ replicas: 1, allowSingleInstance: true, pooler: { replicas: 1 } })).not.toThrow();
    });

    test('fails when synchronous mode with 2 replicas', () => {
      expectProblem({ replicas: 2, synchronousMode: true }, 'synchronousMode', /needs at least 3 replicas/, 'true');
    });

    test('fails when the image is not pinned', () => {
      expectProblem({ image: 'ghcr.io/zalando/spilo-17:latest' }, 'image', /pinned/, '"ghcr.io/zalando/spilo-17:latest"');
      expectProblem({ monitoring: { exporterImage: 'postgres-exporter' } }, 'monitoring.exporterImage', /pinned/, '"postgres-exporter"');
      expectProblem({ pooler: { image: 'pgbouncer' } }, 'pooler.image', /pinned/, '"pgbouncer"');
      expectProblem({ pooler: { exporterImage: 'pgbouncer-exporter:latest' } }, 'pooler.exporterImage', /pinned/, '"pgbouncer-exporter:latest"');
    });

    test('fails when a parameter name is invalid, managed by Patroni, typed, or has a bad value', () => {
      const e = errorOf(() =>
        synth({ parameters: { 'Bad-Name': 1, listen_addresses: '*', max_connections: 500, checkpoint_timeout: 'soon', log_statement: 'x\ny' } }),
      );
      const byField = Object.fromEntries(e.problems.map((p) => [p.field, p.rule]));
      expect(byField['parameters.Bad-Name']).toMatch(/not a PostgreSQL parameter name/);
      expect(byField['parameters.listen_addresses']).toMatch(/managed by Patroni/);
      expect(byField['parameters.max_connections']).toMatch(/set maxConnections instead/);
      expect(byField['parameters.checkpoint_timeout']).toMatch(/a duration/);
      expect(byField['parameters.log_statement']).toMatch(/single line/);
      expect(e.message).toContain('test/Postgres: parameters.checkpoint_timeout: must be a duration such as 15min (got "soon")');
    });

    test('fails when memory settings are malformed or too large for the limit', () => {
      expectProblem({ workMem: '4 megabytes' }, 'workMem', /memory size with a unit/, '"4 megabytes"');
      expectProblem({ resources: Resources.MEDIUM, sharedBuffers: '2GB' }, 'sharedBuffers', /at most half the memory limit \(2Gi\)/, '"2GB"');
    });

    test('fails when pool sizes are out of range or do not fit max_connections', () => {
      expectProblem({ pooler: { replicas: 3, maxDbConnections: 40 } }, 'pooler.maxDbConnections', /must fit in maxConnections \(100\)/, '40');
      expectProblem({ pooler: { defaultPoolSize: 0 } }, 'pooler.defaultPoolSize', /integer from 1/, '0');
      expectProblem(
        { pooler: { maxDbConnections: 10, defaultPoolSize: 20 } },
        'pooler.defaultPoolSize',
        /must not exceed pooler.maxDbConnections \(10\)/,
        '20',
      );
      expectProblem({ pooler: { maxClientConnections: -5 } }, 'pooler.maxClientConnections', /integer from 1/, '-5');
    });

    test('fails when restoreFrom has no backup store', () => {
      expectProblem({ restoreFrom: { sourceCluster: 'old' } }, 'restoreFrom', /needs backup/, '{"sourceCluster":"old"}');
    });

    test("fails when the standby archive is this cluster's own store or credentials, or malformed", () => {
      const archive = { endpoint: 'https://minio.prod.example.com', bucket: 'postgres-backups', cluster: 'pg', credentialsRemoteKey: 'prod/ro' };
      expectProblem(
        { backup: BACKUP, standbyOf: StandbySource.archive({ ...archive, endpoint: `${BACKUP.endpoint}/` }) },
        'standbyOf.archive.endpoint',
        /must be the primary's object storage, not this cluster's own backup\.endpoint/,
        `"${BACKUP.endpoint}/"`,
      );
      expectProblem(
        {
          backup: BACKUP,
          standbyOf: StandbySource.primary('pg.prod', 5432, { archive: { ...archive, credentialsRemoteKey: BACKUP.credentialsRemoteKey } }),
        },
        'standbyOf.archive.credentialsRemoteKey',
        /read-only credentials of the primary's store, not backup\.credentialsRemoteKey/,
        `"${BACKUP.credentialsRemoteKey}"`,
      );
      expectProblem(
        { standbyOf: StandbySource.archive({ ...archive, endpoint: 'minio:9000' }) },
        'standbyOf.archive.endpoint',
        /http\(s\) URL/,
        '"minio:9000"',
      );
      expectProblem(
        { standbyOf: StandbySource.archive({ ...archive, bucket: 'Bad_Bucket' }) },
        'standbyOf.archive.bucket',
        /S3 bucket name/,
        '"Bad_Bucket"',
      );
    });

    test('fails when backup settings are malformed', () => {
      expectProblem({ backup: { ...BACKUP, baseBackupSchedule: 'daily' } }, 'backup.baseBackupSchedule', /5-field cron/, '"daily"');
      expectProblem({ backup: { ...BACKUP, bucket: 'Bad_Bucket' } }, 'backup.bucket', /S3 bucket name/, '"Bad_Bucket"');
    });

    test('fails when a tenant id could break out of an identifier, and reports all problems at once', () => {
      const { pg } = synth();
      for (const bad of ["acme'; DROP SCHEMA public; --", 'two words', 'Acme', 'public']) {
        expect(() => pg.addTenantSchema(bad)).toThrow(/test\/Postgres: addTenantSchema\.tenantId: /);
      }
      const e = errorOf(() => synth({ replicas: 2, synchronousMode: true, image: 'x', maxConnections: 5 }));
      expect(e.problems.map((p) => p.field)).toEqual(expect.arrayContaining(['synchronousMode', 'image', 'maxConnections']));
    });

    test('fails when labelDomain is not a DNS subdomain', () => {
      expectProblem({ labelDomain: 'Example_Com' }, 'labelDomain', /must be a DNS subdomain/, '"Example_Com"');
      expectProblem({ labelDomain: 'localhost' }, 'labelDomain', /must be a DNS subdomain/, '"localhost"');
    });

    test('fails when monitoring.scrapers are given while monitoring.enabled is false', () => {
      expectProblem({ monitoring: { enabled: false, scrapers: [MONITORING_PEER] } }, 'monitoring.scrapers', /needs monitoring.enabled/, '1');
    });

    test('fails when name, replicas, storage.size or partOf break the contract', () => {
      expectProblem({ name: 'a'.repeat(41) }, 'name', /at most 40 characters/, `"${'a'.repeat(41)}"`);
      expectProblem({ name: 'Main_DB' }, 'name', /must be a DNS label/, '"Main_DB"');
      expectProblem({ replicas: 10 }, 'replicas', /integer from 1 to 9/, '10');
      expectProblem({ storage: { size: Size.mebibytes(512) } }, 'storage.size', /at least 1Gi/, '"512Mi"');
      expectProblem({ partOf: 'not a label' }, 'partOf', /label value/, '"not a label"');
    });
  });
});
