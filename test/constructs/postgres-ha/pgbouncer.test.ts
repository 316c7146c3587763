import { expectProblem, find, synth } from './support';

describe('PostgresHA pooler (PgBouncer)', () => {
  const { objects } = synth();

  test('PgBouncer: 2 replicas in transaction mode behind a PDB, pointed at the leader Service', () => {
    const dep = find(objects, 'Deployment', 'pg-pooler');
    expect(dep.spec.replicas).toBe(2);
    const ini = find(objects, 'ConfigMap', 'pg-pooler').data['pgbouncer.ini'];
    expect(ini).toMatch(/^pool_mode = transaction$/m);
    expect(ini).toMatch(/^\* = host=pg\.db-postgres\.svc port=5432$/m);
    expect(ini).toMatch(/^max_db_connections = 40$/m);
    // The default image is PgBouncer 1.18, which refuses to start on max_prepared_statements (1.21+).
    expect(ini).not.toMatch(/max_prepared_statements/);
    expect(dep.spec.template.spec.containers[0].image).toBe('ghcr.io/cloudnative-pg/pgbouncer:1.18.0');
    expect(find(objects, 'PodDisruptionBudget', 'pg-pooler').spec.maxUnavailable).toBe(1);
    expect(dep.spec.template.spec.affinity.podAntiAffinity).toBeDefined();
    expect(find(objects, 'Service', 'pg-pooler').spec.selector).toEqual(dep.spec.selector.matchLabels);
    const es = find(objects, 'ExternalSecret', 'pg-pooler-auth');
    expect(es.spec.target.template.data['userlist.txt']).toBe('"pgbouncer_auth" "{{ .password }}"\n');
  });

  test('maxPreparedStatements needs a PgBouncer >= 1.21 image: with one it is rendered, with the default 1.18 it is a problem', () => {
    const newer = synth({ pooler: { image: 'ghcr.io/cloudnative-pg/pgbouncer:1.23.0', maxPreparedStatements: 200 } }).objects;
    expect(find(newer, 'ConfigMap', 'pg-pooler').data['pgbouncer.ini']).toMatch(/^max_prepared_statements = 200$/m);
    expectProblem({ pooler: { maxPreparedStatements: 200 } }, 'pooler.maxPreparedStatements', /needs PgBouncer >= 1\.21/, '200');
  });
});
