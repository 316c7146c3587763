import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { FolderWrite, OutputLockedError, replaceFolders, stepsFor, withOutputLock } from '../../synth/transaction';
import { expectSameTree, readTree, tempDir } from '../helpers/temp';

/** A target folder holding one file `f` with `text`. */
const folder = (root: string, target: string, text: string): FolderWrite => ({
  target: path.join(root, target),
  write: (dir) => {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'f'), text);
  },
});
const TARGETS = ['dist/dev', 'gitops/argocd/dev', 'gitops/flux/clusters/dev'];
const write = (root: string, text: string, onStep?: (s: string) => void): void =>
  withOutputLock(root, () =>
    replaceFolders(
      root,
      TARGETS.map((t) => folder(root, t, text)),
      onStep,
    ),
  );
/** What is left of the machinery: lock and staging folders. */
const debris = (root: string): string[] => fs.readdirSync(root).filter((n) => n.startsWith('.'));
/** The pid of a process that has exited. */
const deadPid = (): number => Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);

describe('synth/transaction: dist/ and gitops/ folders replaced together', () => {
  let t: { dir: string; cleanup: () => void };
  let old: Map<string, Buffer>;
  beforeEach(() => {
    t = tempDir('transaction-');
    write(t.dir, 'old');
    old = readTree(t.dir);
  });
  afterEach(() => t.cleanup());

  test('every target gets its new content, and no lock or staging folder is left', () => {
    write(t.dir, 'new');
    expect(TARGETS.map((x) => fs.readFileSync(path.join(t.dir, x, 'f'), 'utf8'))).toEqual(['new', 'new', 'new']);
    expect(debris(t.dir)).toEqual([]);
  });

  test('a write that fails while staging changes nothing', () => {
    const writes = [folder(t.dir, 'dist/dev', 'new'), { target: path.join(t.dir, 'gitops/argocd/dev'), write: () => fs.mkdirSync('/proc/no/such') }];
    expect(() => withOutputLock(t.dir, () => replaceFolders(t.dir, writes))).toThrow();
    expectSameTree(readTree(t.dir), old);
    expect(debris(t.dir)).toEqual([]);
  });

  test.each(stepsFor(4).filter((s) => s.startsWith('swap-')))('a failure at %s puts every folder back and removes a new one', (step) => {
    // The first target did not exist before: rolling back removes it again.
    const writes = ['gitops/extra/dev', ...TARGETS].map((x) => folder(t.dir, x, 'new'));
    const failAt = (s: string): void => {
      if (s === step) {
        throw new Error(`fault at ${s}`);
      }
    };
    expect(() => withOutputLock(t.dir, () => replaceFolders(t.dir, writes, failAt))).toThrow(`fault at ${step}`);
    expectSameTree(readTree(t.dir), old);
    expect(debris(t.dir)).toEqual([]);
  });

  test('a lock held by a live process stops a second synth before it touches anything', () => {
    const lock = path.join(t.dir, '.synth.lock');
    fs.writeFileSync(lock, JSON.stringify({ pid: process.pid, host: os.hostname(), started: 'now' }));
    fs.mkdirSync(path.join(t.dir, '.synth-staging-other'));
    expect(() => write(t.dir, 'new')).toThrow(OutputLockedError);
    expect(() => write(t.dir, 'new')).toThrow(`pid ${process.pid}`);
    expect(fs.existsSync(path.join(t.dir, '.synth-staging-other'))).toBe(true); // not ours to clean while it runs
    expect(fs.readFileSync(path.join(t.dir, 'dist/dev/f'), 'utf8')).toBe('old');
    expect(fs.existsSync(lock)).toBe(true);
  });

  test('a stale lock (its process is gone) is taken over, and the debris of our kind is removed', () => {
    fs.writeFileSync(path.join(t.dir, '.synth.lock'), JSON.stringify({ pid: deadPid(), host: os.hostname(), started: 'then' }));
    fs.mkdirSync(path.join(t.dir, '.synth-staging-abc/0'), { recursive: true });
    fs.mkdirSync(path.join(t.dir, '.dist.new-xyz/dev'), { recursive: true });
    fs.mkdirSync(path.join(t.dir, 'gitops/.new-xyz'), { recursive: true });
    fs.mkdirSync(path.join(t.dir, '.git'));
    const recovery = withOutputLock(t.dir, (r) => r);
    expect(recovery).toEqual({ rolledBack: 0, rolledForward: 0, removed: 3 });
    expect(debris(t.dir)).toEqual(['.git']); // only our own kind of folder goes
    expect(fs.readdirSync(path.join(t.dir, 'gitops')).sort()).toEqual(['argocd', 'flux']);
  });

  test('an unreadable lock is held while fresh and stale after 10 s', () => {
    const lock = path.join(t.dir, '.synth.lock');
    fs.writeFileSync(lock, '');
    expect(() => write(t.dir, 'new')).toThrow('unreadable lock file');
    fs.utimesSync(lock, new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
    write(t.dir, 'new');
    expect(fs.readFileSync(path.join(t.dir, 'dist/dev/f'), 'utf8')).toBe('new');
  });
});
