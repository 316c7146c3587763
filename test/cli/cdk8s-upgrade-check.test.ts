import * as fs from 'fs';
import * as path from 'path';
import { projectRoot } from '../../core/paths';

// Issue 12, item 5: the cdk8s CLI checks npm for an upgrade on every run and, offline, prints a
// 404 stack trace. Every way the project runs the CLI turns the check off.
const ROOT = projectRoot();

describe('the cdk8s CLI runs without its upgrade check', () => {
  const scripts: Record<string, string> = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).scripts;
  const runsCli = Object.entries(scripts).filter(([, cmd]) => /(^|[\s;&|])cdk8s(\s|$)/.test(cmd));

  test('there is an npm script for the CLI, and `import` uses it too', () => {
    expect(runsCli.map(([name]) => name).sort()).toEqual(['cdk8s', 'import']);
  });

  test.each(runsCli)('npm run %s sets CDK8S_CHECK_UPGRADE=false', (_name, cmd) => {
    expect(cmd).toMatch(/^CDK8S_CHECK_UPGRADE=false cdk8s(\s|$)/);
  });

  test('no shell script or workflow runs a bare `npx cdk8s`', () => {
    const files = ['scripts/ci.sh', 'test/integration/run.sh', '.github/workflows/manifests.yml'].filter((f) => fs.existsSync(path.join(ROOT, f)));
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) {
      expect(fs.readFileSync(path.join(ROOT, f), 'utf8')).not.toMatch(/npx cdk8s(?!-)/);
    }
  });
});
