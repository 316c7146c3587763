import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as YAML from 'yaml';
import { loadEnvironments } from '../environments/load';
import { EnvironmentConfig, EnvironmentName } from '../environments/types';
import { formatProblem, InputError, Problem } from '../core/problem';
import { diffEnvironment, exitCode, formatText, gitopsFolders, TreeRoots } from './diff';
import { synthesize } from './pipeline';
import { formatReport } from '../gate/report';

/**
 * The common path of the tools that edit `environments/<env>.yaml` (`npm run promote`,
 * `npm run failover`): edit the YAML through the `yaml` Document API (comments and layout stay),
 * validate the result before anything is written, write, re-synthesize the touched environments
 * and print the object diff against what `dist/` held before.
 */

/** One changed value in a data file. */
export interface ValueChange {
  readonly env: EnvironmentName;
  /** Dotted path in the YAML, e.g. `images.postgres`. */
  readonly path: string;
  readonly before: unknown;
  readonly after: unknown;
}

export interface ConfigChangeOptions {
  /** Folder of the `<env>.yaml` files. */
  readonly configDir: string;
  /** Folder of the `<env>/` output trees (dist). */
  readonly outdir: string;
  /** New text of each data file to rewrite. */
  readonly files: ReadonlyMap<EnvironmentName, string>;
  /** Re-synthesize and diff after writing. */
  readonly synth: boolean;
  readonly print: (text: string) => void;
  readonly printErr: (text: string) => void;
}

/** Exit codes of promote and failover. */
export const CHANGE_EXIT = { OK: 0, SYNTH_FAILED: 1, BAD_INPUT: 2 } as const;

export function dataFile(configDir: string, env: EnvironmentName): string {
  return path.join(configDir, `${env}.yaml`);
}

/** Parses a data file as a Document; syntax errors become problems. */
export function readDocument(file: string, problems: Problem[]): YAML.Document | undefined {
  if (!fs.existsSync(file)) {
    problems.push({ file, path: '', rule: 'config.not-found', message: 'no such file', severity: 'error' });
    return undefined;
  }
  const doc = YAML.parseDocument(fs.readFileSync(file, 'utf8'));
  if (doc.errors.length > 0) {
    problems.push(
      ...doc.errors.map((e) => ({ file, path: '', rule: 'config.yaml-syntax', message: e.message.split('\n')[0], severity: 'error' as const })),
    );
    return undefined;
  }
  return doc;
}

/** Serializes without folding long lines, so untouched lines keep their layout. */
export function documentText(doc: YAML.Document): string {
  return doc.toString({ lineWidth: 0 });
}

/** Sets a scalar at a path, keeping the node (and its comment) when there is one. */
export function setScalar(doc: YAML.Document, keys: readonly string[], value: unknown): void {
  const node = doc.getIn(keys, true);
  if (YAML.isScalar(node)) {
    node.value = value;
    return;
  }
  // Grow missing parents as block maps (an empty `{}` parent becomes a block map too).
  for (let i = 1; i < keys.length; i++) {
    const parent = doc.getIn(keys.slice(0, i), true);
    if (YAML.isMap(parent) && parent.items.length === 0) {
      parent.flow = false;
    }
  }
  doc.setIn(keys, value);
}

/** Loads environments from a folder in which `files` replace their originals; problems are thrown as InputError. */
export function validateWith(configDir: string, files: ReadonlyMap<EnvironmentName, string>, envs: readonly EnvironmentName[]): EnvironmentConfig[] {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'config-check-'));
  try {
    for (const f of fs.readdirSync(configDir)) {
      if (f.endsWith('.yaml')) {
        fs.copyFileSync(path.join(configDir, f), path.join(tmp, f));
      }
    }
    for (const [env, text] of files) {
      fs.writeFileSync(dataFile(tmp, env), text);
    }
    try {
      return loadEnvironments(envs, { dir: tmp });
    } catch (e) {
      if (e instanceof InputError) {
        // Name the real file, not the temporary copy.
        throw new InputError(e.problems.map((p) => ({ ...p, file: p.file.split(tmp).join(configDir) })));
      }
      throw e;
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * Validates, writes the files, re-synthesizes the touched environments into `outdir` and prints
 * the diff. On a failed synth the data files are put back. Returns CHANGE_EXIT.
 */
export function applyConfigChange(options: ConfigChangeOptions): number {
  const envs = [...options.files.keys()];
  try {
    validateWith(options.configDir, options.files, envs);
  } catch (e) {
    if (e instanceof InputError) {
      options.printErr(`the change would make the configuration invalid; nothing was written:`);
      e.problems.forEach((p) => options.printErr(`  ${formatProblem(p)}`));
      return CHANGE_EXIT.BAD_INPUT;
    }
    throw e;
  }
  // What dist/ and gitops/ held before, to diff against after the synth.
  const root = path.dirname(options.outdir);
  const beforeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'config-change-'));
  for (const env of envs) {
    for (const [from, to] of [
      [path.join(options.outdir, env), path.join(beforeDir, 'dist', env)],
      ...gitopsFolders(env).map((f) => [path.join(root, f), path.join(beforeDir, f)]),
    ]) {
      if (fs.existsSync(from)) {
        fs.cpSync(from, to, { recursive: true });
      }
    }
  }
  try {
    return writeAndSynth(options, envs, { dist: path.join(beforeDir, 'dist'), root: beforeDir });
  } finally {
    fs.rmSync(beforeDir, { recursive: true, force: true });
  }
}

function writeAndSynth(options: ConfigChangeOptions, envs: EnvironmentName[], before: TreeRoots): number {
  const originals = new Map<EnvironmentName, string>(envs.map((env) => [env, fs.readFileSync(dataFile(options.configDir, env), 'utf8')]));
  for (const [env, text] of options.files) {
    fs.writeFileSync(dataFile(options.configDir, env), text);
    options.print(`wrote ${display(dataFile(options.configDir, env))}`);
  }
  if (!options.synth) {
    options.print('not re-synthesized (--no-synth): run npm run synth before committing');
    return CHANGE_EXIT.OK;
  }
  // gitops/ sits next to dist/, as with npm run synth: a failover changes sync policies there.
  const result = synthesize({ envs, outdir: options.outdir, configDir: options.configDir, gitopsRoot: path.dirname(options.outdir) });
  if (!result.ok) {
    for (const [env, text] of originals) {
      fs.writeFileSync(dataFile(options.configDir, env), text);
    }
    options.printErr(formatReport(result.problems));
    options.printErr(`\nsynth failed: ${envs.map((e) => `${e}.yaml`).join(', ')} put back, ${display(options.outdir)}/ unchanged`);
    return CHANGE_EXIT.SYNTH_FAILED;
  }
  const diffs = envs.flatMap((env) => diffEnvironment(env, before, { dist: options.outdir, root: path.dirname(options.outdir) }));
  options.print(`re-synthesized ${envs.map((e) => `${display(options.outdir)}/${e}`).join(', ')}; the diff against what they held before:\n`);
  options.print(formatText(diffs, display(options.outdir)));
  if (exitCode(diffs) === 3) {
    options.print('\nrisky changes above: read them before you open the pull request');
  }
  return CHANGE_EXIT.OK;
}

function display(p: string): string {
  const r = path.relative(process.cwd(), p);
  return r && !r.startsWith('..') ? r : p;
}
