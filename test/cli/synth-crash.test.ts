import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { createHash } from 'crypto';
import { spawnSync } from 'child_process';
import { FAULT_ENV, IO_FAULT_ENV } from '../../cli/synth';
import { stepsFor } from '../../synth/transaction';
import { bundle, ROOT, run } from '../helpers/bundle';
import { readTree, tempDir } from '../helpers/temp';

/**
 * Fault injection with the real synth: kill it (SIGKILL) at every step of the locked write, then
 * show that the next synth repairs the tree (rolls the cut-off swap back, or finishes it once it
 * had committed) and that a good synth afterwards gives exactly the tree of a clean synth.
 * `--env dev` writes three folders (dist/dev, gitops/argocd/dev, gitops/flux/clusters/dev).
 */
const STEPS = stepsFor(3);
const checksum = (root: string): string => {
  const hash = createHash('sha256');
  for (const [file, bytes] of [...readTree(root)].sort(([a], [b]) => (a < b ? -1 : 1))) {
    hash.update(`${file}\0`).update(bytes);
  }
  return hash.digest('hex');
};
/** Every file of dist/ and gitops/, and any lock or staging folder left at the root. */
const state = (root: string): { sum: string; debris: string[] } => ({
  sum: checksum(path.join(root, 'dist')) + checksum(path.join(root, 'gitops')),
  debris: fs.readdirSync(root).filter((n) => n.startsWith('.')),
});

describe('synth killed at each step of the write', () => {
  let t: { dir: string; cleanup: () => void };
  let synth: string;
  let older: string;
  let broken: string;
  let before: { sum: string; debris: string[] };
  let clean: { sum: string; debris: string[] };
  const synthInto = (root: string, extra: string[] = [], env: NodeJS.ProcessEnv = {}) => {
    Object.assign(process.env, env);
    try {
      return run(synth, ['--env', 'dev', '--quiet', '--outdir', path.join(root, 'dist'), ...extra]);
    } finally {
      Object.keys(env).forEach((k) => delete process.env[k]);
    }
  };

  beforeAll(() => {
    t = tempDir('synth-crash-');
    synth = bundle('synth');
    // An older output to roll back to: the same platform with a different Redis tag.
    older = path.join(t.dir, 'older');
    broken = path.join(t.dir, 'broken');
    for (const [dir, edit] of [
      [older, (s: string) => s.replace('redis:7.0.15-alpine', 'redis:7.0.14-alpine')],
      [broken, (s: string) => `${s}\nnoSuchField: 1\n`],
    ] as const) {
      fs.cpSync(path.join(ROOT, 'environments'), dir, { recursive: true, filter: (f) => !f.includes('schema') });
      const dev = path.join(dir, 'dev.yaml');
      fs.writeFileSync(dev, edit(fs.readFileSync(dev, 'utf8')));
    }
    const cleanRoot = path.join(t.dir, 'clean');
    expect(synthInto(cleanRoot).status).toBe(0);
    clean = state(cleanRoot);
    const olderRoot = path.join(t.dir, 'older-out');
    expect(synthInto(olderRoot, ['--config-dir', older]).status).toBe(0);
    before = state(olderRoot);
    expect(before.sum).not.toBe(clean.sum);
  }, 120000);
  afterAll(() => t.cleanup());

  test('the steps cover the lock, the staging, the journal, each rename and the commit', () => {
    expect(STEPS).toEqual([
      'locked',
      'recovered',
      'staged',
      'journal',
      'swap-0-old',
      'swap-0-new',
      'swap-1-old',
      'swap-1-new',
      'swap-2-old',
      'swap-2-new',
      'committed',
      'cleaned',
    ]);
  });

  test('while another synth holds the lock, synth exits 1 naming the holder and touches nothing', () => {
    const root = path.join(t.dir, 'locked');
    fs.cpSync(path.join(t.dir, 'older-out'), root, { recursive: true });
    const holder = { pid: process.pid, host: os.hostname(), started: new Date().toISOString() };
    fs.writeFileSync(path.join(root, '.synth.lock'), JSON.stringify(holder));
    const r = synthInto(root);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`synth.locked: another synth is writing this output (pid ${process.pid}`);
    fs.rmSync(path.join(root, '.synth.lock'));
    expect(state(root)).toEqual(before);
  });

  test.each(STEPS)('killed at %s: the next synth repairs the tree, and a good one equals a clean synth', (step) => {
    const root = path.join(t.dir, `at-${step}`);
    fs.cpSync(path.join(t.dir, 'older-out'), root, { recursive: true });
    const killed = synthInto(root, [], { [FAULT_ENV]: step });
    expect(killed.signal).toBe('SIGKILL');
    expect(state(root).debris).toContain('.synth.lock');

    // A synth that fails on bad config still repairs first: the old tree, or the new one once committed.
    const failed = synthInto(root, ['--config-dir', broken]);
    expect(failed.status).toBe(2);
    const committed = step === 'committed' || step === 'cleaned';
    expect(state(root)).toEqual(committed ? clean : before);

    expect(synthInto(root).status).toBe(0);
    expect(state(root)).toEqual(clean);
  });

  // Issue 12, item 7: a file-system failure is its own class (exit 4), with the path and what to do.
  test('a disk-full failure in the middle of the swap exits 4 with the path and advice, and rolls back', () => {
    const root = path.join(t.dir, 'enospc');
    fs.cpSync(path.join(t.dir, 'older-out'), root, { recursive: true });
    const r = synthInto(root, [], { [IO_FAULT_ENV]: 'swap-1-new:ENOSPC' });
    expect(r.status).toBe(4);
    expect(r.stderr).toContain(`synth: I/O error ENOSPC at ${path.join(root, 'dist')}`);
    expect(r.stderr).toContain('what to do: no space left on that file system: free space (df -h) and run again');
    expect(r.stderr).not.toContain('internal error');
    expect(state(root)).toEqual(before);
  });

  test('a file where the output folder must be exits 4 naming that path, not as an internal error', () => {
    const blocker = path.join(t.dir, 'a-file');
    fs.writeFileSync(blocker, 'not a folder\n');
    const r = run(synth, ['--env', 'dev', '--quiet', '--outdir', path.join(blocker, 'dist')]);
    expect(r.status).toBe(4);
    expect(r.stderr).toMatch(/synth: I\/O error (ENOTDIR|EEXIST) at .*a-file/);
    expect(r.stderr).toMatch(/what to do: (a file is where a folder must be|something is in the way)/);
    expect(fs.readFileSync(blocker, 'utf8')).toBe('not a folder\n');
  });
});

// Issue 12, item 6: with --json, stdout is one JSON document whatever happens.
describe('synth --json: stdout is one JSON document, errors included', () => {
  let t: { dir: string; cleanup: () => void };
  let synth: string;
  beforeAll(() => {
    t = tempDir('synth-json-');
    synth = bundle('synth');
  }, 120000);
  afterAll(() => t.cleanup());

  test('a bad flag answers in JSON on stdout, exit 2, naming the flag', () => {
    const r = run(synth, ['--json', '--no-such-flag', '--env', 'nowhere']);
    expect(r.status).toBe(2);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ ok: false, error: 'bad-input' });
    const text = JSON.stringify(doc.problems);
    expect(text).toContain('--no-such-flag');
    expect(text).toContain('nowhere');
  });

  test('an I/O failure answers in JSON on stdout, exit 4, with code, path and advice', () => {
    const blocker = path.join(t.dir, 'a-file');
    fs.writeFileSync(blocker, 'x');
    const r = run(synth, ['--json', '--env', 'dev', '--outdir', path.join(blocker, 'dist')]);
    expect(r.status).toBe(4);
    const doc = JSON.parse(r.stdout);
    expect(doc.ok).toBe(false);
    expect(doc.error).toMatchObject({ class: 'io', path: expect.stringContaining('a-file'), advice: expect.any(String) });
  });

  test('`npm run -s synth -- --json` prints only the JSON document (the README command)', () => {
    const r = spawnSync('npm', ['run', '-s', 'synth', '--', '--json', '--env', 'dev', '--outdir', path.join(t.dir, 'out', 'dist')], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(r.status).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.ok).toBe(true);
    expect(doc.environments.map((e: { env: string }) => e.env)).toEqual(['dev']);
  }, 120000);
});
