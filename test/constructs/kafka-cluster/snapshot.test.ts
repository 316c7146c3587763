import { Testing } from 'cdk8s';
import { KafkaCluster } from '../../../constructs/kafka-cluster';
import { constructSnapshot } from '../../helpers/snapshot';

// A reviewed picture of one representative cluster: the list of every object, and in full the
// StatefulSet and the ConfigMap of the node files. It follows the assertions of
// kafka-cluster.test.ts and never replaces them (update with
// `npx jest -u test/constructs/kafka-cluster/snapshot.test.ts` after reviewing the diff).
test('snapshot: 3 combined nodes, one topic', () => {
  const chart = Testing.chart();
  const kafka = new KafkaCluster(chart, 'Kafka', {
    name: 'kafka',
    namespace: 'app-integration',
    clusterId: 'MkU3OEVBNTcwNTJENDM2Qg',
    image: 'apache/kafka:3.8.1',
    monitoring: { exporterImage: 'danielqsj/kafka-exporter:v1.8.0' },
    secretStore: { name: 'platform-secrets' },
  });
  kafka.addTopic({ name: 'invoice-events', partitions: 6 });
  expect(constructSnapshot(Testing.synth(chart), ['StatefulSet/kafka-combined', 'ConfigMap/kafka-files'])).toMatchSnapshot();
});
