import { Testing } from 'cdk8s';
import { PostgresHA } from '../../../constructs/postgres-ha';
import { STORE } from './support';

// A reviewed picture of one representative cluster: 2 replicas, the default pooler, monitoring on,
// no backups. It follows the assertions of the other files and never replaces them; run with --ci
// so that an unreviewed change fails (update it with `npx jest -u` after reviewing the diff).
test('snapshot: 2 replicas, default pooler, monitoring, no backups', () => {
  const chart = Testing.chart();
  const pg = new PostgresHA(chart, 'Postgres', { name: 'pg', namespace: 'db', replicas: 2, secretStore: STORE });
  pg.allowFrom({ peerNamespace: 'app-core', peerSelector: {} });
  expect(Testing.synth(chart)).toMatchSnapshot();
});
