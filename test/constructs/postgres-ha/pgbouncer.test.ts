import { find, synth } from './support';

describe('PostgresHA pooler (PgBouncer)', () => {
  const { objects } = synth();

  test('PgBouncer: 2 replicas in transaction mode behind a PDB, pointed at the leader Service', () => {
    const dep = find(objects, 'Deployment', 'pg-pooler');
    expect(dep.spec.replicas).toBe(2);
    const ini = find(objects, 'ConfigMap', 'pg-pooler').data['pgbouncer.ini'];
    expect(ini).toMatch(/^pool_mode = transaction$/m);
    expect(ini).toMatch(/^\* = host=pg\.db-postgres\.svc port=5432$/m);
    expect(ini).toMatch(/^max_db_connections = 40$/m);
    expect(ini).toMatch(/^max_prepared_statements = 200$/m);
    expect(find(objects, 'PodDisruptionBudget', 'pg-pooler').spec.maxUnavailable).toBe(1);
    expect(dep.spec.template.spec.affinity.podAntiAffinity).toBeDefined();
    expect(find(objects, 'Service', 'pg-pooler').spec.selector).toEqual(dep.spec.selector.matchLabels);
    const es = find(objects, 'ExternalSecret', 'pg-pooler-auth');
    expect(es.spec.target.template.data['userlist.txt']).toBe('"pgbouncer_auth" "{{ .password }}"\n');
  });
});
