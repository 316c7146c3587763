import { formatProblem, Problem } from './problem';

/** Prints every command-line problem, then the usage text. */
export function printInputProblems(
  command: string,
  problems: readonly Problem[],
  usageText: string,
  printErr: (text: string) => void,
  what = 'nothing was written',
): void {
  printErr(`${command}: ${problems.length} problem(s) with the command line; ${what}:`);
  problems.forEach((p) => printErr(`  ${formatProblem(p)}`));
  printErr(`\n${usageText}`);
}

/**
 * Runs a CLI's `main` on the process arguments and sets the exit code; an unexpected error is
 * reported with its stack and exits with `internalErrorCode`.
 */
export function runMain(command: string, main: (argv: readonly string[]) => number, internalErrorCode: number): void {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (e) {
    console.error(`${command}: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    process.exitCode = internalErrorCode;
  }
}
