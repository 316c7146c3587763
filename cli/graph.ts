import * as fs from 'fs';
import * as path from 'path';
import { selectEnvironments } from '../environments/load';
import { ENVIRONMENT_NAMES } from '../environments/types';
import { projectRoot } from '../core/paths';
import { InputError } from '../core/problem';
import { ArgsSpec, flagProblem, parseArgs, usage } from '../core/cli-args';
import { printInputProblems, runMain } from '../core/cli-run';
import { environmentReadme } from '../synth/graph';
import { readTree } from '../synth/objects';

const SPEC: ArgsSpec = {
  command: 'npm run graph --',
  flags: {
    env: {
      type: 'string',
      multiple: true,
      allowed: ENVIRONMENT_NAMES,
      help: `environment(s) to draw: ${ENVIRONMENT_NAMES.join(', ')} (default: all)`,
    },
    dist: { type: 'string', help: 'folder holding the <env>/ trees (default: dist)' },
    stdout: { type: 'boolean', help: 'print the README instead of writing <dist>/<env>/README.md' },
  },
};

type Print = (text: string) => void;

/**
 * `npm run graph`: writes `<dist>/<env>/README.md` from the manifests already in `<dist>/<env>`
 * (the same text `npm run synth` writes). Returns the exit code: 0 written, 2 bad input.
 */
export function main(argv: readonly string[], print: Print = console.log, printErr: Print = console.error): number {
  const args = parseArgs(argv, SPEC);
  if (args.help) {
    print(usage(SPEC));
    return 0;
  }
  const { names, problems } = selectEnvironments(args.flags.env as string[] | undefined, args.problems);
  const dist = path.resolve(args.value('dist') ?? path.join(projectRoot(), 'dist'));
  for (const env of problems.length === 0 ? names : []) {
    if (!fs.existsSync(path.join(dist, env))) {
      problems.push(flagProblem('--env', 'not-found', `no folder ${path.join(dist, env)}: run npm run synth first`));
    }
  }
  if (problems.length > 0) {
    printInputProblems('graph', problems, usage(SPEC), printErr);
    return 2;
  }
  try {
    for (const env of names) {
      const objects = [...readTree(path.join(dist, env)).values()].map((t) => t.obj);
      const text = environmentReadme(env, objects);
      if (args.flags.stdout) {
        print(text.trimEnd());
      } else {
        const file = path.join(dist, env, 'README.md');
        fs.writeFileSync(file, text);
        print(`wrote ${path.relative(process.cwd(), file)}`);
      }
    }
  } catch (e) {
    if (e instanceof InputError) {
      printErr(`graph: ${e.message}`);
      return 2;
    }
    throw e;
  }
  return 0;
}

if (require.main === module) {
  runMain('graph', main, 2);
}
