import { Testing } from 'cdk8s';
import { PostgresHA } from '../../../constructs/postgres-ha';
import { constructSnapshot } from '../../helpers/snapshot';
import { STORE } from './support';

// A reviewed picture of one representative cluster: 2 replicas, the default pooler, monitoring on,
// no backups: the list of every object, and in full the Patroni config, the StatefulSet, the
// pooler config and the ingress policy. It follows the assertions of the other files and never
// replaces them; CI runs jest with --ci, so an unreviewed change fails (after reviewing the diff,
// update it with `npx jest -u test/constructs/postgres-ha/snapshot.test.ts`).
test('snapshot: 2 replicas, default pooler, monitoring, no backups', () => {
  const chart = Testing.chart();
  const pg = new PostgresHA(chart, 'Postgres', { name: 'pg', namespace: 'db', replicas: 2, secretStore: STORE });
  pg.allowFrom({ peerNamespace: 'app-core', peerSelector: {} });
  const selected = ['ConfigMap/pg-patroni', 'StatefulSet/pg', 'ConfigMap/pg-pooler', 'NetworkPolicy/pg-ingress'];
  expect(constructSnapshot(Testing.synth(chart), selected)).toMatchSnapshot();
});
