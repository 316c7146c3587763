import { Testing } from 'cdk8s';
import { AgentService } from '../../../constructs/agent-service';
import { QueueTrigger } from '../../../constructs/lib/keda';
import { constructSnapshot } from '../../helpers/snapshot';

// A reviewed picture of one Kafka-scaled agent: the list of every object, and in full the
// Deployment and the ScaledObject. It follows the assertions of agent-service.test.ts and never
// replaces them (update with `npx jest -u test/constructs/agent-service/snapshot.test.ts` after
// reviewing the diff).
test('snapshot: a Kafka-lag agent with a SCRAM login', () => {
  const chart = Testing.chart();
  new AgentService(chart, 'collections-agent', {
    namespace: 'app-agents',
    image: 'receivables/collections-agent:1.0.0',
    secretStore: { name: 'platform-secrets' },
    drainSeconds: 300,
    queueScaling: {
      trigger: QueueTrigger.kafkaLag({
        bootstrapServers: ['kafka-bootstrap.app-integration.svc:9092'],
        consumerGroup: 'collections-agent',
        topic: 'agent-tasks-collections',
        scramSha512: { username: 'monitor', passwordRemoteKey: 'prod/app-integration/kafka', passwordProperty: 'monitor-password' },
      }),
      minReplicas: 3,
      maxReplicas: 12,
    },
  });
  expect(constructSnapshot(Testing.synth(chart), ['Deployment/collections-agent', 'ScaledObject/collections-agent'])).toMatchSnapshot();
});
