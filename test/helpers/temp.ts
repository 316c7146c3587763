import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** A fresh temp folder, removed by the returned cleanup. */
export function tempDir(prefix = 'receivables-'): { dir: string; cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/**
 * An output folder for a synth (`<temp>/dist`, created): a synth locks and stages in the outdir's
 * parent, so each test needs a parent of its own. With a bare temp dir as outdir, the parent is
 * the system temp dir, shared with every other synth on the machine (a concurrent test run
 * elsewhere then holds the lock: `synth.locked`).
 */
export function tempOutdir(prefix = 'receivables-'): { dir: string; cleanup: () => void } {
  const parent = tempDir(prefix);
  const dir = path.join(parent.dir, 'dist');
  fs.mkdirSync(dir);
  return { dir, cleanup: parent.cleanup };
}

/** Every file below `dir` with its bytes, keyed by relative path: a snapshot of a tree. */
export function readTree(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) {
        walk(p);
      } else {
        out.set(path.relative(dir, p), fs.readFileSync(p));
      }
    }
  };
  if (fs.existsSync(dir)) {
    walk(dir);
  }
  return out;
}

export function expectSameTree(a: Map<string, Buffer>, b: Map<string, Buffer>): void {
  expect([...a.keys()].sort()).toEqual([...b.keys()].sort());
  for (const [k, v] of a) {
    if (!v.equals(b.get(k)!)) {
      throw new Error(`file ${k} differs`);
    }
  }
}
