import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';
import { isNotApiObject, KubeObject, Manifest } from '../../gate/manifest';
import { ManifestIndex } from '../../gate/policy/model';
import { listYaml, SchemaRegistry } from '../../gate/schema';

/** The environments whose dist/ is committed. */
export const DIST_ENVS = ['dev', 'staging', 'prod', 'dr'];
const ROOT = path.join(__dirname, '..', '..');

/** The gate's index over hand-written objects, as if they were one file. */
export function policyIndex(objects: KubeObject[]): ManifestIndex {
  return new ManifestIndex(
    objects.map((obj): Manifest => ({ file: 'test.yaml', obj })),
    SchemaRegistry.default(),
  );
}

/** Every object of the committed `dist/<env>/` (kustomizations left out). */
export function loadDistEnv(env: string): KubeObject[] {
  return listYaml(path.join(ROOT, 'dist', env)).flatMap((file) =>
    YAML.parseAllDocuments(fs.readFileSync(file, 'utf8'))
      .map((d) => d.toJS() as KubeObject)
      .filter((o) => o && !isNotApiObject(o)),
  );
}
