import { spawnSync, SpawnSyncReturns } from 'child_process';
import * as path from 'path';
import { buildSync } from 'esbuild';

export const ROOT = path.resolve(__dirname, '..', '..');

const ENTRIES = { synth: 'main.ts', check: 'cli/check.ts' } as const;

/**
 * Bundles a CLI the way `npm run synth` does, into a file of this test process alone (parallel
 * jest workers never read a half-written bundle). Returns its path.
 */
export function bundle(name: keyof typeof ENTRIES): string {
  const outfile = path.join(ROOT, 'build', 'test', `${name}-${process.pid}.js`);
  buildSync({ entryPoints: [path.join(ROOT, ENTRIES[name])], bundle: true, platform: 'node', target: 'node20', outfile, logLevel: 'error' });
  return outfile;
}

/** Runs a bundled CLI, never throwing: the test asserts on status and output. */
export function run(script: string, args: readonly string[], cwd = ROOT): SpawnSyncReturns<string> {
  const env = { ...process.env };
  delete env.CDK8S_OUTDIR;
  return spawnSync('node', [script, ...args], { cwd, encoding: 'utf8', env });
}
