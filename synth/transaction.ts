import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/**
 * Replacing output folders (`dist/<env>`, `gitops/argocd/<env>`, ...) all together or not at all,
 * across failures and crashes.
 *
 * 1. A lock file (`<root>/.synth.lock`, with the holder's pid) keeps two synths from interleaving.
 * 2. Under the lock, debris of earlier synths is dealt with first: a staging folder with a journal
 *    is a swap that was cut off, rolled back (or, once it had committed, finished); any other
 *    staging folder of ours (`.synth-staging-*`, and the older `.dist.new-*` and `gitops/.new-*`)
 *    is deleted.
 * 3. Every new folder is written into one staging folder next to the targets (same filesystem,
 *    so renames are atomic).
 * 4. The journal is written (atomically: write, then rename), then each target is renamed to
 *    `<n>.old` in the staging folder and its replacement renamed in. A failure rolls back at once;
 *    a crash leaves the journal for the next run to roll back.
 * 5. The journal is renamed to `committed.json`: from here the new tree stands, and recovery only
 *    deletes the old folders. Then the staging folder goes, and the lock.
 *
 * Each step calls `onStep` (fault injection in tests: kill the process there).
 */

/** One folder to replace: `write` fills `dir`, which then becomes `target`. */
export interface FolderWrite {
  readonly target: string;
  write(dir: string): void;
}

export type StepHook = (step: string) => void;

const LOCK_FILE = '.synth.lock';
const STAGING_PREFIX = '.synth-staging-';
const JOURNAL = 'journal.json';
/**
 * A lock file without a readable holder is a synth between creating and writing it, or one killed
 * right there: taken as held for this long after its last change, then as stale.
 */
const UNREADABLE_LOCK_GRACE_MS = 10_000;
const COMMITTED = 'committed.json';
/** Staging folders of the synths before this one, which nothing cleaned up. */
const LEGACY_DEBRIS = [
  { dir: '.', prefix: '.dist.new-' },
  { dir: 'gitops', prefix: '.new-' },
];

interface JournalEntry {
  /** Target, relative to the root. */
  readonly target: string;
  /** Its replacement, in the staging folder. */
  readonly fresh: string;
  /** Where the old target goes, in the staging folder; unset when there was no old target. */
  readonly old?: string;
}

interface LockHolder {
  readonly pid: number;
  readonly host: string;
  readonly started: string;
}

/** Another synth holds the lock: nothing was touched. */
export class OutputLockedError extends Error {
  constructor(
    public readonly lockFile: string,
    public readonly holder: LockHolder | undefined,
  ) {
    const who = holder ? `pid ${holder.pid} on ${holder.host}, since ${holder.started}` : 'unreadable lock file';
    super(`another synth is writing this output (${who}); wait for it to finish, or, if no synth runs, delete ${lockFile} and run again`);
    this.name = 'OutputLockedError';
  }
}

/** What recovery found and did, for the report. */
export interface Recovery {
  readonly rolledBack: number;
  readonly rolledForward: number;
  readonly removed: number;
}

/** Holds `<root>/.synth.lock` while `fn` runs; recovers earlier debris first. */
export function withOutputLock<T>(root: string, fn: (recovery: Recovery) => T, onStep: StepHook = () => undefined): T {
  fs.mkdirSync(root, { recursive: true });
  const lock = path.join(root, LOCK_FILE);
  acquire(lock);
  try {
    onStep('locked');
    const recovery = recover(root);
    onStep('recovered');
    return fn(recovery);
  } finally {
    fs.rmSync(lock, { force: true });
  }
}

/** Replaces every target by its new content, all or none (call it under `withOutputLock`). */
export function replaceFolders(root: string, writes: readonly FolderWrite[], onStep: StepHook = () => undefined): void {
  const staging = fs.mkdtempSync(path.join(root, STAGING_PREFIX));
  const entries: JournalEntry[] = writes.map((w, i) => ({
    target: path.relative(root, w.target),
    fresh: String(i),
    old: fs.existsSync(w.target) ? `${i}.old` : undefined,
  }));
  try {
    writes.forEach((w, i) => w.write(path.join(staging, entries[i].fresh)));
    onStep('staged');
    writeJson(path.join(staging, JOURNAL), entries);
    onStep('journal');
    try {
      entries.forEach((e, i) => swap(root, staging, e, i, onStep));
    } catch (err) {
      rollBack(root, staging, entries);
      throw err;
    }
    fs.renameSync(path.join(staging, JOURNAL), path.join(staging, COMMITTED));
    onStep('committed');
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
  onStep('cleaned');
}

/** The steps `replaceFolders` reports for `n` folders, in order (for fault-injection tests). */
export function stepsFor(n: number): string[] {
  const swaps = Array.from({ length: n }, (_, i) => [`swap-${i}-old`, `swap-${i}-new`]).flat();
  return ['locked', 'recovered', 'staged', 'journal', ...swaps, 'committed', 'cleaned'];
}

function swap(root: string, staging: string, e: JournalEntry, i: number, onStep: StepHook): void {
  const target = path.join(root, e.target);
  if (e.old) {
    fs.renameSync(target, path.join(staging, e.old));
  }
  onStep(`swap-${i}-old`);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.renameSync(path.join(staging, e.fresh), target);
  onStep(`swap-${i}-new`);
}

/** Puts every old target back, newest swap first; works on a swap cut off at any point. */
function rollBack(root: string, staging: string, entries: readonly JournalEntry[]): void {
  for (const e of [...entries].reverse()) {
    const target = path.join(root, e.target);
    const freshGone = !fs.existsSync(path.join(staging, e.fresh));
    if (e.old && fs.existsSync(path.join(staging, e.old))) {
      fs.rmSync(target, { recursive: true, force: true });
      fs.renameSync(path.join(staging, e.old), target);
    } else if (!e.old && freshGone) {
      // There was no old target and the new one is in place: remove it.
      fs.rmSync(target, { recursive: true, force: true });
    }
  }
}

function recover(root: string): Recovery {
  let rolledBack = 0;
  let rolledForward = 0;
  let removed = 0;
  for (const name of fs.readdirSync(root).filter((n) => n.startsWith(STAGING_PREFIX))) {
    const staging = path.join(root, name);
    const journal = path.join(staging, JOURNAL);
    if (fs.existsSync(journal)) {
      rollBack(root, staging, JSON.parse(fs.readFileSync(journal, 'utf8')) as JournalEntry[]);
      rolledBack++;
    } else if (fs.existsSync(path.join(staging, COMMITTED))) {
      rolledForward++;
    } else {
      removed++;
    }
    fs.rmSync(staging, { recursive: true, force: true });
  }
  for (const { dir, prefix } of LEGACY_DEBRIS) {
    const parent = path.join(root, dir);
    const names = fs.existsSync(parent) ? fs.readdirSync(parent).filter((n) => n.startsWith(prefix)) : [];
    names.forEach((n) => fs.rmSync(path.join(parent, n), { recursive: true, force: true }));
    removed += names.length;
  }
  return { rolledBack, rolledForward, removed };
}

function acquire(lock: string): void {
  const me: LockHolder = { pid: process.pid, host: os.hostname(), started: new Date().toISOString() };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(lock, `${JSON.stringify(me)}\n`, { flag: 'wx' });
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw e;
      }
    }
    const holder = readHolder(lock);
    if (holder === undefined ? ageMs(lock) < UNREADABLE_LOCK_GRACE_MS : isAlive(holder)) {
      throw new OutputLockedError(lock, holder);
    }
    // The holder died (kill -9, power loss): take the lock over. The rename lets only one of
    // several waiting synths win; a loser that moved a live lock puts it back.
    const stale = `${lock}.stale-${process.pid}`;
    fs.renameSync(lock, stale);
    const moved = readHolder(stale);
    if (moved ? isAlive(moved) : ageMs(stale) < UNREADABLE_LOCK_GRACE_MS) {
      fs.renameSync(stale, lock);
      throw new OutputLockedError(lock, moved);
    }
    fs.rmSync(stale, { force: true });
  }
  throw new OutputLockedError(lock, readHolder(lock));
}

function readHolder(lock: string): LockHolder | undefined {
  try {
    const h = JSON.parse(fs.readFileSync(lock, 'utf8')) as LockHolder;
    return typeof h.pid === 'number' && typeof h.host === 'string' ? h : undefined;
  } catch {
    return undefined;
  }
}

/** A holder on another host is taken as alive: we cannot see its processes. */
function isAlive(holder: LockHolder): boolean {
  if (holder.host !== os.hostname()) {
    return true;
  }
  try {
    process.kill(holder.pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function ageMs(file: string): number {
  try {
    return Date.now() - fs.statSync(file).mtimeMs;
  } catch {
    return Infinity;
  }
}

function writeJson(file: string, value: unknown): void {
  fs.writeFileSync(`${file}.tmp`, JSON.stringify(value, null, 2));
  fs.renameSync(`${file}.tmp`, file);
}
