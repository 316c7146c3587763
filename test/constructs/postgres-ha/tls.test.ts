/* eslint-disable @typescript-eslint/no-explicit-any */
import { StandbySource } from '../../../constructs/postgres-ha';
import { all, container, expectProblem, find, patroniOf, synth } from './support';

describe('PostgresHA TLS (default on)', () => {
  const { objects } = synth({ backup: undefined });

  test('a Certificate per cluster, from its own CA, naming every Service clients and members use', () => {
    const cert = find(objects, 'Certificate', 'pg-tls');
    expect(cert.spec.secretName).toBe('pg-tls');
    expect(cert.spec.issuerRef).toEqual({ name: 'pg-ca', kind: 'Issuer', group: 'cert-manager.io' });
    for (const name of ['pg.db-postgres.svc', 'pg-replica.db-postgres.svc', 'pg-pooler.db-postgres.svc', '*.pg-members.db-postgres.svc']) {
      expect(cert.spec.dnsNames).toContain(name);
    }
    expect(
      all(objects, 'Issuer')
        .map((i: any) => i.metadata.name)
        .sort(),
    ).toEqual(['pg-ca', 'pg-selfsigned']);
  });

  test('PostgreSQL: ssl on with the mounted files, TLS 1.2+, hostssl for every remote line, plaintext rejected', () => {
    const patroni = patroniOf(objects);
    expect(patroni.postgresql.parameters).toMatchObject({
      ssl: 'on',
      ssl_cert_file: '/tls/tls.crt',
      ssl_key_file: '/tls/tls.key',
      ssl_ca_file: '/tls/ca.crt',
      ssl_min_protocol_version: 'TLSv1.2',
    });
    const hba: string[] = patroni.postgresql.pg_hba;
    const remote = hba.filter((l) => !/^local |127\.0\.0\.1\/32|::1\/128/.test(l));
    expect(remote.slice(0, -2).every((l) => l.startsWith('hostssl '))).toBe(true);
    expect(remote.slice(-2)).toEqual(['hostnossl replication all all reject', 'hostnossl all all all reject']);
    expect(patroni.bootstrap.pg_hba).toEqual(hba);
    // Members replicate and rewind over TLS, verifying the CA (they connect to pod IPs: no host name to verify).
    expect(patroni.postgresql.authentication.replication).toMatchObject({ sslmode: 'verify-ca', sslrootcert: '/tls/ca.crt' });
    expect(patroni.postgresql.authentication.rewind).toMatchObject({ sslmode: 'verify-ca', sslrootcert: '/tls/ca.crt' });
  });

  test('the key is mounted read-only with mode 0640, group-readable through the pod fsGroup (PostgreSQL accepts root:0640)', () => {
    const sts = find(objects, 'StatefulSet');
    const vol = sts.spec.template.spec.volumes.find((v: any) => v.name === 'tls');
    expect(vol.secret).toEqual({ secretName: 'pg-tls', defaultMode: 0o640 });
    expect(sts.spec.template.spec.securityContext.fsGroup).toBe(103);
    expect(container(objects, 'postgres').volumeMounts).toContainEqual({ name: 'tls', mountPath: '/tls', readOnly: true });
  });

  test('PgBouncer requires TLS from clients and verifies the server (verify-full against the leader Service name)', () => {
    const ini: string = find(objects, 'ConfigMap', 'pg-pooler').data['pgbouncer.ini'];
    expect(ini).toMatch(/^client_tls_sslmode = require$/m);
    expect(ini).toMatch(/^client_tls_cert_file = \/tls\/tls\.crt$/m);
    expect(ini).toMatch(/^client_tls_key_file = \/tls\/tls\.key$/m);
    expect(ini).toMatch(/^client_tls_ca_file = \/tls\/ca\.crt$/m);
    expect(ini).toMatch(/^server_tls_sslmode = verify-full$/m);
    expect(ini).toMatch(/^server_tls_ca_file = \/tls\/ca\.crt$/m);
    const dep = find(objects, 'Deployment', 'pg-pooler');
    expect(dep.spec.template.spec.containers[0].volumeMounts).toContainEqual({ name: 'tls', mountPath: '/tls', readOnly: true });
  });

  test("the pooler exporter logs in to PgBouncer's admin console with TLS (PgBouncer refuses plaintext even on loopback)", () => {
    const exporter = find(objects, 'Deployment', 'pg-pooler').spec.template.spec.containers.find((c: any) => c.name === 'exporter');
    expect(exporter.args).toContainEqual(expect.stringMatching(/@127\.0\.0\.1:5432\/pgbouncer\?sslmode=require$/));
  });

  test('Jobs connect with sslmode=require', () => {
    const job = find(objects, 'Job');
    expect(job.spec.template.spec.containers[0].env).toContainEqual({ name: 'PGSSLMODE', value: 'require' });
  });

  test('a DR standby replicates with sslmode=require (it has not the primary cluster CA)', () => {
    const standby = synth({ standbyOf: StandbySource.primary('prod-pg.example.com', 5432) }).objects;
    expect(patroniOf(standby).postgresql.authentication.replication.sslmode).toBe('require');
  });

  test('tls.enabled false: no Certificate, plain host rules, no TLS lines in pgbouncer.ini', () => {
    const plain = synth({ tls: { enabled: false } }).objects;
    expect(all(plain, 'Certificate')).toEqual([]);
    const patroni = patroniOf(plain);
    expect(patroni.postgresql.parameters.ssl).toBeUndefined();
    expect(patroni.postgresql.pg_hba.some((l: string) => l.startsWith('hostssl') || l.startsWith('hostnossl'))).toBe(false);
    expect(find(plain, 'ConfigMap', 'pg-pooler').data['pgbouncer.ini']).not.toMatch(/client_tls/);
    const exporter = find(plain, 'Deployment', 'pg-pooler').spec.template.spec.containers.find((c: any) => c.name === 'exporter');
    expect(exporter.args).toContainEqual(expect.stringMatching(/pgbouncer\?sslmode=disable$/));
  });

  test('a bad tls.duration is a prop problem', () => {
    expectProblem({ tls: { duration: '90d' } }, 'tls.duration', /Go duration/, '"90d"');
  });
});
