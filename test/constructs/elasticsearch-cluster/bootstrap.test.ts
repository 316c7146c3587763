import { execFileSync } from 'child_process';
import { Testing } from 'cdk8s';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ElasticsearchCluster } from '../../../constructs/elasticsearch-cluster';
import { STATE_DIR } from '../../../constructs/elasticsearch-cluster/config';

const ENTRYPOINT = '/usr/local/bin/docker-entrypoint.sh';

/**
 * Runs a node set's start script with the image's entrypoint replaced by one that prints its
 * arguments, and the data path moved into a temporary folder: what Elasticsearch would be started with.
 */
function startArgs(file: string, stateFiles: string[]): string {
  const es = new ElasticsearchCluster(Testing.chart(), 'Es', {
    name: 'es',
    namespace: 'db-elasticsearch',
    image: 'elasticsearch:8.15.3',
    monitoring: { enabled: false },
    secretStore: { name: 'platform-secrets' },
  });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'es-start-'));
  const fake = path.join(dir, 'entrypoint.sh');
  fs.writeFileSync(fake, 'echo "$@"\n');
  const state = path.join(dir, '_state');
  fs.mkdirSync(state);
  stateFiles.forEach((f) => fs.writeFileSync(path.join(state, f), ''));
  const script = es.files[file].split(ENTRYPOINT).join(`sh ${fake}`).split(STATE_DIR).join(state);
  expect(script).not.toContain('/usr/share/elasticsearch');
  return execFileSync('sh', ['-c', script]).toString().trim();
}

describe('bootstrap: cluster.initial_master_nodes only on a master that never joined a cluster', () => {
  test('a master with an empty data path bootstraps with the three masters', () => {
    expect(startArgs('start-master.sh', [])).toBe('eswrapper -Ecluster.initial_master_nodes=es-master-0,es-master-1,es-master-2');
  });

  test('a master restarting with cluster state starts without it', () => {
    expect(startArgs('start-master.sh', ['_0.cfs', 'node-0.st'])).toBe('eswrapper');
  });

  test('data nodes never get it', () => {
    expect(startArgs('start-data.sh', [])).toBe('eswrapper');
  });
});
