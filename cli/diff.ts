import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { selectEnvironments } from '../environments/load';
import { ENVIRONMENT_NAMES } from '../environments/types';
import { projectRoot } from '../core/paths';
import { InputError } from '../core/problem';
import { ArgsSpec, flagProblem, parseArgs, usage } from '../core/cli-args';
import { printInputProblems, runMain } from '../core/cli-run';
import {
  DIFF_EXIT,
  diffEnvironment,
  EnvironmentDiff,
  exitCode,
  formatSummary,
  formatText,
  gitopsFolders,
  toJsonReport,
  TreeRoots,
} from '../synth/diff';
import { checkoutFolders } from '../synth/objects';
import { synthesize } from '../synth/pipeline';
import { formatReport } from '../gate/report';

const SPEC: ArgsSpec = {
  command: 'npm run diff --',
  flags: {
    env: {
      type: 'string',
      multiple: true,
      allowed: ENVIRONMENT_NAMES,
      help: `environment(s) to diff: ${ENVIRONMENT_NAMES.join(', ')} (default: all)`,
    },
    base: { type: 'string', help: 'folder of the committed <env>/ trees; gitops/ is read next to it (default: dist)' },
    'base-ref': { type: 'string', help: 'compare against dist/ and gitops/ at this git revision instead (e.g. origin/main in CI)' },
    'head-dir': { type: 'string', help: 'compare this folder of <env>/ trees (and gitops/ next to it) instead of a fresh synth' },
    'config-dir': { type: 'string', help: 'folder of the <env>.yaml data files for the fresh synth (default: environments)' },
    json: { type: 'boolean', help: 'print the diff as JSON' },
    summary: { type: 'boolean', help: 'print a markdown summary for a pull-request comment' },
  },
};

/** Human help: the flags and what the exit codes mean. */
export const DIFF_HELP = `${usage(SPEC)}

exit codes:
  ${DIFF_EXIT.NO_CHANGES}  no changes
  ${DIFF_EXIT.CHANGES}  objects added, removed or changed, nothing risky
  ${DIFF_EXIT.RISKY}  at least one risky change (listed first)
  ${DIFF_EXIT.BAD_INPUT}  could not diff: bad flags, invalid config, synth failed the gate, unreadable files`;

type Print = (text: string) => void;

/** `npm run diff`: a fresh synth (never written to dist/) against the committed trees. Returns the exit code. */
export function main(argv: readonly string[], print: Print = console.log, printErr: Print = console.error): number {
  const args = parseArgs(argv, SPEC);
  if (args.help) {
    print(DIFF_HELP);
    return 0;
  }
  const flag = args.value;
  const { names, problems } = selectEnvironments(args.flags.env as string[] | undefined, args.problems);
  const bad = (p: string, rule: string, message: string): void => {
    problems.push(flagProblem(p, rule, message));
  };
  if (flag('base') && flag('base-ref')) {
    bad('--base-ref', 'conflict', 'give --base or --base-ref, not both');
  }
  if (args.flags.json && args.flags.summary) {
    bad('--summary', 'conflict', 'give --json or --summary, not both');
  }
  if (flag('head-dir') && flag('config-dir')) {
    bad('--config-dir', 'conflict', '--config-dir configures the fresh synth, which --head-dir replaces');
  }
  for (const name of ['base', 'head-dir', 'config-dir']) {
    const v = flag(name);
    if (v && !fs.existsSync(v)) {
      bad(`--${name}`, 'not-found', `no such folder "${v}"`);
    }
  }
  if (problems.length > 0) {
    printInputProblems('diff', problems, DIFF_HELP, printErr, 'nothing was compared');
    return DIFF_EXIT.BAD_INPUT;
  }

  const root = projectRoot();
  const temps: string[] = [];
  try {
    const baseRef = flag('base-ref');
    const baseDir = path.resolve(flag('base') ?? path.join(root, 'dist'));
    const relBase = path.relative(process.cwd(), baseDir);
    const against = baseRef ? `${baseRef}:dist` : relBase.startsWith('..') ? baseDir : relBase || '.';
    let base: TreeRoots;
    if (baseRef) {
      const folders = names.flatMap((env) => [`dist/${env}`, ...gitopsFolders(env)]);
      const tmp = checkoutFolders(baseRef, folders, root);
      temps.push(tmp);
      base = { dist: path.join(tmp, 'dist'), root: tmp };
    } else {
      base = { dist: baseDir, root: path.dirname(baseDir) };
    }
    let head: TreeRoots;
    if (flag('head-dir')) {
      const headDir = path.resolve(flag('head-dir')!);
      head = { dist: headDir, root: path.dirname(headDir) };
    } else {
      const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'diff-head-'));
      temps.push(tmp);
      const configDir = flag('config-dir');
      const result = synthesize({
        envs: names,
        outdir: path.join(tmp, 'dist'),
        configDir: configDir ? path.resolve(configDir) : undefined,
        gitopsRoot: tmp,
      });
      if (!result.ok) {
        printErr(formatReport(result.problems));
        printErr('\ndiff: the fresh synth failed, so there is nothing to compare');
        return DIFF_EXIT.BAD_INPUT;
      }
      head = { dist: path.join(tmp, 'dist'), root: tmp };
    }
    const diffs: EnvironmentDiff[] = names.flatMap((env) => diffEnvironment(env, base, head));
    if (args.flags.json) {
      print(JSON.stringify(toJsonReport(diffs, against), null, 2));
    } else if (args.flags.summary) {
      print(formatSummary(diffs, against));
    } else {
      print(formatText(diffs, against));
    }
    return exitCode(diffs);
  } catch (e) {
    if (e instanceof InputError) {
      printErr(`diff: ${e.message}`);
      return DIFF_EXIT.BAD_INPUT;
    }
    throw e;
  } finally {
    temps.forEach((t) => fs.rmSync(t, { recursive: true, force: true }));
  }
}

if (require.main === module) {
  runMain('diff', main, DIFF_EXIT.BAD_INPUT);
}
