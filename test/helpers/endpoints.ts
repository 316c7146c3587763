import { ClientEndpoint } from '../../constructs/lib/workload/endpoint';

/** A PostgreSQL endpoint with every part `connectsTo` handles: user, password, settings, TLS CA. */
export const PG_TLS_ENDPOINT: ClientEndpoint = {
  kind: 'postgres',
  host: 'postgres.db-postgres.svc',
  port: 5432,
  username: 'auth',
  password: { remoteKey: 'prod/db-postgres/auth', property: 'password' },
  settings: { DB: 'auth', SSLMODE: 'verify-full' },
  tls: { ca: { remoteKey: 'prod/db-postgres/ca', property: 'ca.crt' } },
  peer: { peerNamespace: 'db-postgres', peerSelector: { 'app.kubernetes.io/name': 'pgbouncer' }, ports: [5432] },
};
