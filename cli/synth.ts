import * as fs from 'fs';
import * as path from 'path';
import { selectEnvironments } from '../environments/load';
import { ENVIRONMENT_NAMES } from '../environments/types';
import { projectRoot } from '../core/paths';
import { ArgsSpec, flagProblem, parseArgs, usage } from '../core/cli-args';
import { printInputProblems } from '../core/cli-run';
import { synthesize } from '../synth/pipeline';
import { formatExemptions, formatReport } from '../gate/report';

const SPEC: ArgsSpec = {
  command: 'npm run synth --',
  flags: {
    env: {
      type: 'string',
      multiple: true,
      allowed: ENVIRONMENT_NAMES,
      help: `environment(s) to synthesize: ${ENVIRONMENT_NAMES.join(', ')} (default: all)`,
    },
    outdir: { type: 'string', help: 'output folder (default: dist)' },
    'config-dir': { type: 'string', help: 'folder of the <env>.yaml data files (default: environments)' },
    json: { type: 'boolean', help: 'print the result as JSON' },
    quiet: { type: 'boolean', help: 'print only problems' },
    debug: { type: 'boolean', help: 'print stack traces of internal errors' },
  },
};

/** `npm run synth`: every environment to `dist/<env>/`, validated, atomically. Returns the exit code. */
export function main(argv: readonly string[]): number {
  const args = parseArgs(argv, SPEC);
  if (args.help) {
    console.log(usage(SPEC));
    return 0;
  }
  const { names, problems: inputProblems } = selectEnvironments(args.flags.env as string[] | undefined, args.problems);
  const configDir = args.value('config-dir');
  if (configDir && !fs.existsSync(configDir)) {
    inputProblems.push(flagProblem('--config-dir', 'not-found', `no such folder "${configDir}"`));
  }
  if (inputProblems.length > 0) {
    if (wantsJson(argv)) {
      console.log(JSON.stringify({ ok: false, error: 'bad-input', problems: inputProblems }, null, 2));
    } else {
      printInputProblems('synth', inputProblems, usage(SPEC), console.error);
    }
    return 2;
  }
  const outdir = path.resolve(args.value('outdir') ?? path.join(projectRoot(), 'dist'));
  const started = Date.now();
  const result = synthesize({
    envs: names,
    outdir,
    configDir: configDir ? path.resolve(configDir) : undefined,
    gitopsRoot: path.dirname(outdir),
    onWriteStep: faultInjection(process.env[FAULT_ENV], process.env[IO_FAULT_ENV], outdir),
  });
  const repaired = result.recovery && result.recovery.rolledBack + result.recovery.rolledForward + result.recovery.removed > 0;
  if (repaired && !args.flags.json) {
    const r = result.recovery!;
    console.error(
      `synth: repaired an earlier synth that was cut off: ${r.rolledBack} swap(s) rolled back, ${r.rolledForward} finished, ${r.removed} staging folder(s) removed`,
    );
  }
  const errors = result.problems.filter((p) => p.severity === 'error');
  if (args.flags.json) {
    console.log(
      JSON.stringify(
        {
          ok: result.ok,
          problems: result.problems,
          environments: result.outputs.map((o) => ({
            env: o.env,
            folders: o.folders.size,
            objects: o.objects,
            exemptions: o.exemptions,
            imagePins: o.imagePins,
          })),
          timings: result.timings,
        },
        null,
        2,
      ),
    );
  } else if (!result.ok) {
    console.error(formatReport(result.problems));
    console.error(`\nsynth failed with ${errors.length} error(s); ${path.relative(process.cwd(), outdir) || outdir}/ was left unchanged.`);
  } else {
    if (result.problems.length > 0) {
      console.log(formatReport(result.problems));
    }
    if (!args.flags.quiet) {
      for (const o of result.outputs) {
        console.log(
          `dist/${o.env}: ${o.folders.size} folders, ${o.objects} objects, images pinned by digest ${o.imagePins.digest} (best) / by tag ${o.imagePins.tag} (acceptable), ${o.exemptions.length} policy exemption(s)`,
        );
        if (o.exemptions.length > 0) {
          console.log(formatExemptions(o.exemptions));
        }
      }
      const t = result.timings;
      console.log(
        `synth ok in ${Date.now() - started} ms (config ${t.configMs.toFixed(0)}, constructs ${t.constructMs.toFixed(0)}, schema ${t.schemaMs.toFixed(0)}, policy ${t.policyMs.toFixed(0)}, write ${t.writeMs.toFixed(0)} ms)`,
      );
    }
  }
  if (result.ok) {
    mirrorForCdk8sCli(outdir, names);
  }
  if (!result.ok) {
    return result.problems.some((p) => p.file.startsWith('environments/') || p.rule.startsWith('config.')) ? 2 : 1;
  }
  return 0;
}

/**
 * `--json` was asked for, even on a command line that does not parse: then stdout is one JSON
 * document whatever happens (bad flags, gate errors, I/O and internal errors included).
 */
export function wantsJson(argv: readonly string[]): boolean {
  return argv.includes('--json');
}

/**
 * Fault injection for the crash tests (test/synth/transaction-crash.test.ts): with
 * `RECEIVABLES_SYNTH_KILL_AT=<step>` (a step of synth/transaction.ts `stepsFor`), synth kills
 * itself with SIGKILL at that step, as a power cut or `kill -9` would.
 */
export const FAULT_ENV = 'RECEIVABLES_SYNTH_KILL_AT';

/**
 * `RECEIVABLES_SYNTH_IO_ERROR_AT=<step>:<code>` (e.g. `swap-0:ENOSPC`) makes that step fail as the
 * file system would, with that code and the output folder as its path (test/cli/synth-io-error.test.ts).
 */
export const IO_FAULT_ENV = 'RECEIVABLES_SYNTH_IO_ERROR_AT';

function faultInjection(step: string | undefined, ioFault: string | undefined, outdir: string): ((at: string) => void) | undefined {
  const [ioStep, code] = (ioFault ?? '').split(':');
  if (!step && !ioStep) {
    return undefined;
  }
  return (at) => {
    if (at === step) {
      process.kill(process.pid, 'SIGKILL');
    }
    if (at === ioStep) {
      throw Object.assign(new Error(`${code}: injected failure at step ${at}`), { code, path: outdir });
    }
  };
}

/**
 * Under `cdk8s synth`, the CLI passes its own (already wiped) output folder: give it a copy of
 * what we just wrote, so its manifest discovery and validation plugins see the same files.
 */
function mirrorForCdk8sCli(outdir: string, envs: readonly string[]): void {
  const cliOut = process.env.CDK8S_OUTDIR;
  if (!cliOut || path.resolve(cliOut) === outdir) {
    return;
  }
  for (const env of envs) {
    fs.cpSync(path.join(outdir, env), path.join(cliOut, env), { recursive: true });
  }
}
