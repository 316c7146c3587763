import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { ROOT } from '../helpers/bundle';
import { expectSameTree, readTree, tempDir } from '../helpers/temp';

const CDK8S = path.join(ROOT, 'node_modules', '.bin', 'cdk8s');
const env = { ...process.env, CDK8S_CHECK_UPGRADE: 'false' };

describe('cdk8s CLI', () => {
  test('`cdk8s import` regenerates imports/ from the local CRD files in cdk8s.yaml, byte for byte, offline', () => {
    const t = tempDir('imports-');
    try {
      execFileSync(CDK8S, ['import', '--no-save', '-o', t.dir], { cwd: ROOT, env, stdio: 'pipe' });
      expectSameTree(readTree(t.dir), readTree(path.join(ROOT, 'imports')));
    } finally {
      t.cleanup();
    }
  });

  test('`cdk8s synth` runs the same synth and writes the same dist/ (in a copy of the repository)', () => {
    const t = tempDir('cdk8s-synth-');
    try {
      for (const entry of fs.readdirSync(ROOT)) {
        if (['node_modules', '.git', 'build', 'dist', '.tools', 'lib'].includes(entry)) continue;
        fs.cpSync(path.join(ROOT, entry), path.join(t.dir, entry), { recursive: true });
      }
      fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(t.dir, 'node_modules'));
      execFileSync(CDK8S, ['synth'], { cwd: t.dir, env, stdio: 'pipe' });
      expectSameTree(readTree(path.join(t.dir, 'dist')), readTree(path.join(ROOT, 'dist')));
      // The CLI sees the validated manifests in its own output folder too.
      expect(fs.existsSync(path.join(t.dir, 'build', 'cdk8s.out', 'prod', 'db-postgres', 'db-postgres.k8s.yaml'))).toBe(true);
    } finally {
      t.cleanup();
    }
  });
});
