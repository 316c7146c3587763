import { Testing } from 'cdk8s';
import { CloudProfile } from '../../../constructs/lib/cloud-profile';
import { ModelServer } from '../../../constructs/model-server';
import { MODEL_SERVER_PROPS } from '../../helpers/model-server';
import { constructSnapshot } from '../../helpers/snapshot';

// A reviewed picture of one representative model server: the list of every object, and in full
// the Deployment. It follows the assertions of model-server.test.ts and never replaces them
// (update with `npx jest -u test/constructs/model-server/snapshot.test.ts` after reviewing the diff).
test('snapshot: one GPU, downloaded from MinIO into an emptyDir cache', () => {
  const chart = Testing.chart();
  new ModelServer(chart, 'Deepseek', { ...MODEL_SERVER_PROPS, name: 'deepseek-r1', cloudProfile: CloudProfile.ONPREM_K3S });
  expect(constructSnapshot(Testing.synth(chart), ['Deployment/deepseek-r1'])).toMatchSnapshot();
});
