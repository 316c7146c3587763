import { ArgsSpec, parseArgs, usage } from '../core/cli-args';
import { printInputProblems } from '../core/cli-run';
import { formatExemptions, formatReport } from '../gate/report';
import { checkPaths } from '../gate/check';

const SPEC: ArgsSpec = {
  command: 'npm run check --',
  flags: {
    json: { type: 'boolean', help: 'print problems and exemptions as JSON' },
    'schema-only': { type: 'boolean', help: 'validate schemas only, skip the policy rules and reference checks' },
  },
  positionals: { name: '<file-or-folder>', min: 1, max: 1000 },
};

/** `npm run check -- <dir>`: the gate over any folder of Kubernetes YAML. Returns the exit code. */
export function main(argv: readonly string[]): number {
  const args = parseArgs(argv, SPEC);
  if (args.help) {
    console.log(usage(SPEC));
    return 0;
  }
  if (args.problems.length > 0) {
    printInputProblems('check', args.problems, usage(SPEC), console.error, 'nothing was checked');
    return 2;
  }
  const result = checkPaths(args.positionals, { policy: !args.flags['schema-only'] });
  const errors = result.problems.filter((p) => p.severity === 'error');
  if (args.flags.json) {
    console.log(
      JSON.stringify(
        { ok: errors.length === 0, files: result.files, objects: result.objects, problems: result.problems, exemptions: result.exemptions },
        null,
        2,
      ),
    );
  } else {
    if (result.problems.length > 0) {
      console.log(formatReport(result.problems));
    }
    if (result.exemptions.length > 0) {
      console.log(`\n${result.exemptions.length} exemption(s):\n${formatExemptions(result.exemptions)}`);
    }
    console.log(
      `\ncheck: ${result.files} file(s), ${result.objects} object(s), ${errors.length} error(s), ${result.problems.length - errors.length} warning(s)`,
    );
  }
  return errors.length > 0 ? 1 : 0;
}

if (require.main === module) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (e) {
    console.error(`check: internal error: ${e instanceof Error ? e.message : String(e)}`);
    process.exitCode = 3;
  }
}
