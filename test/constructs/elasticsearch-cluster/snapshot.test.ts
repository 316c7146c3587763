import { Testing } from 'cdk8s';
import { ElasticsearchCluster } from '../../../constructs/elasticsearch-cluster';
import { constructSnapshot } from '../../helpers/snapshot';

// A reviewed picture of one representative cluster: the list of every object, and in full the
// master StatefulSet and the setup ConfigMap. It follows the assertions of
// elasticsearch-cluster.test.ts and never replaces them (update with
// `npx jest -u test/constructs/elasticsearch-cluster/snapshot.test.ts` after reviewing the diff).
test('snapshot: 3 masters, 2 data, 2 coordinating, snapshots and one ILM policy', () => {
  const chart = Testing.chart();
  new ElasticsearchCluster(chart, 'Es', {
    name: 'search',
    namespace: 'db-elasticsearch',
    image: 'elasticsearch:8.15.3',
    monitoring: { exporterImage: 'prometheuscommunity/elasticsearch-exporter:v1.7.0' },
    secretStore: { name: 'platform-secrets' },
    snapshot: { endpoint: 'http://minio.storage-minio.svc:9000', bucket: 'backups', credentialsRemoteKey: 'es/s3' },
    ilmPolicies: [{ name: 'logs', indexPatterns: ['logs-*'], deleteAfterDays: 30 }],
  });
  expect(constructSnapshot(Testing.synth(chart), ['StatefulSet/search-master', 'ConfigMap/search-setup'])).toMatchSnapshot();
});
