import * as fs from 'fs';
import * as path from 'path';
import { appReplicas, isStandby } from '../../environments/derive';
import { loadEnvironments } from '../../environments/load';
import { ENVIRONMENT_NAMES } from '../../environments/types';
import { main, runbook } from '../../cli/failover';
import { synthesize } from '../../synth/pipeline';
import { ROOT } from '../helpers/bundle';
import { tempDir } from '../helpers/temp';
import { capture } from '../helpers/objects';

/** A copy of environments/*.yaml (with a comment in dr.yaml) and a synthesized dr. */
function workspace(t: { dir: string }): { config: string; dist: string } {
  const config = path.join(t.dir, 'environments');
  fs.mkdirSync(config);
  for (const env of ENVIRONMENT_NAMES) {
    fs.copyFileSync(path.join(ROOT, 'environments', `${env}.yaml`), path.join(config, `${env}.yaml`));
  }
  const dr = fs.readFileSync(path.join(config, 'dr.yaml'), 'utf8').replace(/^dr:$/m, '# Flipped only by npm run failover.\ndr:');
  fs.writeFileSync(path.join(config, 'dr.yaml'), dr);
  const dist = path.join(t.dir, 'dist');
  expect(synthesize({ envs: ['dr'], outdir: dist, configDir: config, gitopsRoot: t.dir }).ok).toBe(true);
  return { config, dist };
}

function run(args: string[]): { code: number; text: string } {
  const out = capture();
  const code = main(args, out.print, out.print);
  return { code, text: out.text() };
}

describe('npm run failover', () => {
  let t: ReturnType<typeof tempDir>;
  beforeEach(() => {
    t = tempDir('review-failover-');
  });
  afterEach(() => t.cleanup());

  test('sets dr.failover, keeps comments, re-synthesizes, prints the diff and the runbook', () => {
    const { config, dist } = workspace(t);
    const before = fs.readFileSync(path.join(config, 'dr.yaml'), 'utf8');
    const r = run(['--env', 'dr', '--config-dir', config, '--outdir', dist]);
    expect(r.code).toBe(0);
    expect(fs.readFileSync(path.join(config, 'dr.yaml'), 'utf8')).toBe(before.replace('  failover: false', '  failover: true'));
    expect(r.text).toContain('failover: dr: dr.failover: false -> true');
    expect(r.text).toContain(`re-synthesized ${dist}/dr`);
    // gitops/ is regenerated next to dist/, and its diff shows DR's GitOps objects switched on.
    expect(r.text).toContain('== dr gitops:');
    expect(r.text).toContain('spec.suspend: true -> false');
    expect(r.text).toContain('Failover runbook for dr (standby of prod):');
    expect(r.text).toContain('[ ] prod is fenced');
    // The synth now sees a DR environment that is no longer standing by: apps get prod's numbers.
    const [dr, prod] = loadEnvironments(['dr', 'prod'], { dir: config });
    expect(isStandby(dr)).toBe(false);
    expect(appReplicas(dr)).toBe(prod.apps.replicas);
  });

  test('--failback sets the flag back and prints the failback procedure', () => {
    const { config, dist } = workspace(t);
    const before = fs.readFileSync(path.join(config, 'dr.yaml'), 'utf8');
    expect(run(['--env', 'dr', '--config-dir', config, '--outdir', dist]).code).toBe(0);
    const r = run(['--env', 'dr', '--failback', '--config-dir', config, '--outdir', dist]);
    expect(r.code).toBe(0);
    expect(fs.readFileSync(path.join(config, 'dr.yaml'), 'utf8')).toBe(before);
    expect(r.text).toContain('failback: dr: dr.failover: true -> false');
    expect(r.text).toContain('Failback runbook for dr');
    const [dr] = loadEnvironments(['dr'], { dir: config });
    expect(appReplicas(dr)).toBe(0);
  });

  test('failing over twice changes nothing the second time', () => {
    const { config, dist } = workspace(t);
    run(['--env', 'dr', '--config-dir', config, '--outdir', dist]);
    const after = fs.readFileSync(path.join(config, 'dr.yaml'), 'utf8');
    const r = run(['--env', 'dr', '--config-dir', config, '--outdir', dist]);
    expect(r.code).toBe(0);
    expect(r.text).toContain('dr is already failed over (dr.failover: true): nothing to change');
    expect(fs.readFileSync(path.join(config, 'dr.yaml'), 'utf8')).toBe(after);
  });

  test('fails for a non-DR environment with a clear error, writing nothing', () => {
    const { config, dist } = workspace(t);
    const before = fs.readFileSync(path.join(config, 'prod.yaml'), 'utf8');
    const r = run(['--env', 'prod', '--config-dir', config, '--outdir', dist]);
    expect(r.code).toBe(2);
    expect(r.text).toContain('prod is not a disaster-recovery environment (it has no dr: section): failover applies to dr');
    expect(r.text).toContain('nothing was written');
    expect(fs.readFileSync(path.join(config, 'prod.yaml'), 'utf8')).toBe(before);
  });

  test('fails when flags are missing or unknown, listing every problem', () => {
    const r = run(['--failback', '--colour', 'x']);
    expect(r.code).toBe(2);
    expect(r.text).toContain('--env is required');
    expect(r.text).toContain('unknown flag');
    const r2 = run(['--env', 'qa']);
    expect(r2.code).toBe(2);
    expect(r2.text).toContain('unknown environment "qa": allowed are dr');
  });

  test('the runbook is a checklist', () => {
    expect(
      runbook('dr', 'prod', false)
        .split('\n')
        .slice(1)
        .every((l) => l.startsWith('  [ ] ')),
    ).toBe(true);
    expect(runbook('dr', 'prod', true)).toContain('patronictl reinit');
  });
});
