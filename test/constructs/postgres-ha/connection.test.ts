/* eslint-disable @typescript-eslint/no-explicit-any */
import { all, container, find, synth } from './support';

describe('PostgresHA secrets and connection', () => {
  const { objects, pg } = synth();

  test('secrets come only from ExternalSecrets, passwords only through secretKeyRef', () => {
    expect(all(objects, 'Secret')).toHaveLength(0);
    expect(all(objects, 'ExternalSecret').map((e) => e.metadata.name)).toEqual(['pg-credentials', 'pg-app', 'pg-pooler-auth']);
    const env = container(objects, 'postgres').env;
    for (const e of env.filter((x: any) => /PASSWORD/.test(x.name))) {
      expect(e.valueFrom.secretKeyRef.name).toBe('pg-credentials');
    }
  });

  test('connection has the documented shape: the pooler, the app role, and the app Secret with its store key', () => {
    expect(pg.connection).toEqual({
      host: 'pg-pooler.db-postgres.svc',
      port: 5432,
      ports: { postgresql: 5432 },
      username: 'app',
      uri: 'postgresql://app@pg-pooler.db-postgres.svc:5432/app',
      secret: { name: 'pg-app', keys: { password: 'password' }, remoteKey: 'postgres/pg', remoteProperty: 'app-password' },
      tls: { caSecret: 'pg-tls', caKey: 'ca.crt' },
    });
    // The CA secret it names is the one the cluster's Certificate writes.
    expect(find(objects, 'Certificate', 'pg-tls').spec.secretName).toBe(pg.connection.tls!.caSecret);
    expect(synth({ tls: { enabled: false } }).pg.connection.tls).toBeUndefined();
    // The Secret and key it names exist, and read the property it names.
    const appSecret = find(objects, 'ExternalSecret', pg.connection.secret.name);
    expect(appSecret.spec.data).toEqual([{ secretKey: 'password', remoteRef: { key: 'postgres/pg', property: 'app-password' } }]);
    // The host is the pooler Service, on the port it exposes.
    const pooler = find(objects, 'Service', 'pg-pooler');
    expect(`${pooler.metadata.name}.${pooler.metadata.namespace}.svc`).toBe(pg.connection.host);
    expect(pooler.spec.ports.map((p: any) => p.port)).toContain(pg.connection.port);
    // Another owner, database and store key travel into every field.
    const other = synth({ databaseOwner: 'billing', database: 'ledger', secretRemoteKey: 'prod/db' }).pg.connection;
    expect(other).toMatchObject({
      username: 'billing',
      uri: 'postgresql://billing@pg-pooler.db-postgres.svc:5432/ledger',
      secret: { remoteKey: 'prod/db' },
    });
  });
});
