import { Testing } from 'cdk8s';
import { RedisSentinel } from '../../../constructs/redis-sentinel';
import { constructSnapshot } from '../../helpers/snapshot';

// A reviewed picture of one representative cache: 3 data pods, 3 Sentinels, monitoring on, one
// client namespace: the list of every object, and in full the data StatefulSet, the Sentinel
// StatefulSet and the client policy. It follows the assertions of
// redis-sentinel.test.ts and never replaces them; CI runs jest with --ci, so an unreviewed change
// fails (after reviewing the diff, update it with
// `npx jest -u test/constructs/redis-sentinel/snapshot.test.ts`).
test('snapshot: 3 data pods, 3 Sentinels, monitoring, one client namespace', () => {
  const chart = Testing.chart();
  const redis = new RedisSentinel(chart, 'Redis', {
    name: 'cache',
    namespace: 'db-redis',
    image: 'redis:7.2.5-alpine',
    monitoring: { exporterImage: 'oliver006/redis_exporter:v1.62.0' },
    secretStore: { name: 'platform-secrets' },
  });
  redis.allowFrom({ peerNamespace: 'app-core', peerSelector: {} });
  const selected = ['StatefulSet/cache', 'StatefulSet/cache-sentinel', 'NetworkPolicy/cache-clients'];
  expect(constructSnapshot(Testing.synth(chart), selected)).toMatchSnapshot();
});
