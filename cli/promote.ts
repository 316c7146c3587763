import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';
import { defaultEnvironmentsDir } from '../environments/load';
import { ENVIRONMENT_NAMES, EnvironmentName } from '../environments/types';
import { projectRoot } from '../core/paths';
import { Problem } from '../core/problem';
import { ArgsSpec, flagProblem, parseArgs, usage } from '../core/cli-args';
import { printInputProblems, runMain } from '../core/cli-run';
import { applyConfigChange, CHANGE_EXIT, dataFile, documentText, readDocument, setScalar, ValueChange } from '../synth/config-change';

/** The promotion chain. DR is not promoted to: it follows prod (see PIN_FOLLOWERS). */
export const PROMOTION_ORDER: readonly EnvironmentName[] = ['dev', 'staging', 'prod'];

/** Environments whose pins are rewritten together with another's: dr runs what prod runs. */
export const PIN_FOLLOWERS: Readonly<Partial<Record<EnvironmentName, EnvironmentName[]>>> = { prod: ['dr'] };

/** The sections of a data file that promotion copies. */
export const PIN_SECTIONS = ['images', 'chartVersions'] as const;

const SPEC: ArgsSpec = {
  command: 'npm run promote --',
  flags: {
    from: { type: 'string', help: `environment whose pins are promoted: ${PROMOTION_ORDER.join(', ')}` },
    to: { type: 'string', help: `environment that receives them: ${PROMOTION_ORDER.join(', ')} (prod also updates dr)` },
    'config-dir': { type: 'string', help: 'folder of the <env>.yaml data files (default: environments)' },
    outdir: { type: 'string', help: 'output folder to re-synthesize (default: dist)' },
    'no-synth': { type: 'boolean', help: 'only rewrite the pins; do not re-synthesize or diff' },
  },
};

type Print = (text: string) => void;
type Pins = Record<(typeof PIN_SECTIONS)[number], Record<string, unknown>>;

/** Every problem of the command line, all at once. */
function checkFlags(from: string | undefined, to: string | undefined, problems: Problem[]): void {
  const bad = (p: string, rule: string, message: string): void => {
    problems.push(flagProblem(p, rule, message));
  };
  const check = (flag: string, v: string | undefined): void => {
    if (v === undefined) {
      // `--from` without a value is already a problem of its own.
      if (!problems.some((p) => p.path === `--${flag}`)) {
        bad(`--${flag}`, 'missing', `--${flag} <env> is required (one of ${PROMOTION_ORDER.join(', ')})`);
      }
    } else if (!(ENVIRONMENT_NAMES as readonly string[]).includes(v)) {
      bad(`--${flag}`, 'enum', `unknown environment "${v}": allowed are ${PROMOTION_ORDER.join(', ')}`);
    } else if (v === 'dr') {
      bad(`--${flag}`, 'dr-follows-prod', 'dr is not promoted on its own: it follows prod (--to prod rewrites dr.yaml too)');
    }
  };
  check('from', from);
  check('to', to);
  if (from !== undefined && from === to) {
    bad('--to', 'same-env', `--from and --to are both "${from}": nothing to promote`);
  }
}

/** `images:` and `chartVersions:` of a data file. */
function pinsOf(doc: YAML.Document): Pins {
  const data = (doc.toJS() ?? {}) as Record<string, unknown>;
  return {
    images: { ...((data.images as Record<string, unknown>) ?? {}) },
    chartVersions: { ...((data.chartVersions as Record<string, unknown>) ?? {}) },
  };
}

/**
 * Rewrites the pin sections of `target` to equal `pins`: changed values in place (comments stay),
 * new keys appended, keys the source no longer has removed. Returns the changes.
 */
export function rewritePins(target: YAML.Document, pins: Pins, env: EnvironmentName): ValueChange[] {
  const changes: ValueChange[] = [];
  const current = pinsOf(target);
  for (const section of PIN_SECTIONS) {
    const want = pins[section];
    const have = current[section];
    for (const [key, value] of Object.entries(want)) {
      if (have[key] !== value) {
        changes.push({ env, path: `${section}.${key}`, before: have[key], after: value });
        setScalar(target, [section, key], value);
      }
    }
    for (const key of Object.keys(have).filter((k) => !(k in want))) {
      changes.push({ env, path: `${section}.${key}`, before: have[key], after: undefined });
      target.deleteIn([section, key]);
    }
  }
  return changes;
}

/** `npm run promote -- --from staging --to prod`. Returns the exit code: 0 done, 1 synth failed (files put back), 2 bad input. */
export function main(argv: readonly string[], print: Print = console.log, printErr: Print = console.error): number {
  const args = parseArgs(argv, SPEC);
  if (args.help) {
    print(usage(SPEC));
    return 0;
  }
  const flag = args.value;
  const from = flag('from');
  const to = flag('to');
  const problems: Problem[] = [...args.problems];
  checkFlags(from, to, problems);
  const configDir = path.resolve(flag('config-dir') ?? defaultEnvironmentsDir());
  if (!fs.existsSync(configDir)) {
    problems.push(flagProblem('--config-dir', 'not-found', `no such folder "${configDir}"`));
  }
  const fail = (): number => {
    printInputProblems('promote', problems, usage(SPEC), printErr);
    return CHANGE_EXIT.BAD_INPUT;
  };
  if (problems.length > 0) {
    return fail();
  }
  const source = from as EnvironmentName;
  const targets = [to as EnvironmentName, ...(PIN_FOLLOWERS[to as EnvironmentName] ?? [])];
  const sourceDoc = readDocument(dataFile(configDir, source), problems);
  const targetDocs = targets.map((env) => readDocument(dataFile(configDir, env), problems));
  if (problems.length > 0) {
    return fail();
  }
  if (PROMOTION_ORDER.indexOf(source) > PROMOTION_ORDER.indexOf(targets[0])) {
    print(`note: ${source} -> ${targets[0]} goes against ${PROMOTION_ORDER.join(' -> ')} (a rollback of ${targets[0]})`);
  }
  const pins = pinsOf(sourceDoc!);
  const files = new Map<EnvironmentName, string>();
  const changes: ValueChange[] = [];
  targets.forEach((env, i) => {
    const doc = targetDocs[i]!;
    const c = rewritePins(doc, pins, env);
    if (c.length > 0) {
      changes.push(...c);
      files.set(env, documentText(doc));
    }
  });
  if (changes.length === 0) {
    print(`${targets.join(' and ')} already pin what ${source} pins: nothing to promote`);
    return CHANGE_EXIT.OK;
  }
  print(`promote ${source} -> ${targets.join(' + ')}: ${changes.length} pin(s)`);
  for (const c of changes) {
    print(
      `  ${c.env}: ${c.path}: ${c.before === undefined ? '(new)' : String(c.before)} -> ${c.after === undefined ? '(removed)' : String(c.after)}`,
    );
  }
  const outdir = path.resolve(flag('outdir') ?? path.join(projectRoot(), 'dist'));
  const code = applyConfigChange({ configDir, outdir, files, synth: !args.flags['no-synth'], print, printErr });
  if (code === CHANGE_EXIT.OK) {
    print(
      `\nnext: open one pull request with ${[...files.keys()].map((e) => `environments/${e}.yaml`).join(', ')} and ${targets.map((e) => `dist/${e}/`).join(', ')}; CI posts this diff on it`,
    );
  }
  return code;
}

if (require.main === module) {
  runMain('promote', main, CHANGE_EXIT.BAD_INPUT);
}
