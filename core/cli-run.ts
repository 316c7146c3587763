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

/** Exit code of every CLI when the file system failed it (disk full, no permission, a file in the way). */
export const IO_ERROR_EXIT = 4;

/** What a person does about each file-system error code. */
const IO_ADVICE: Readonly<Record<string, string>> = {
  ENOSPC: 'no space left on that file system: free space (df -h) and run again',
  EDQUOT: 'the disk quota is used up: free space and run again',
  EACCES: 'the user running this may not write there: fix the owner or the permissions (ls -ld) and run again',
  EPERM: 'the operation is not permitted there: fix the owner or the permissions (ls -ld) and run again',
  EROFS: 'the file system is read-only: write somewhere writable (--outdir) or remount it',
  ENOTDIR: 'a file is where a folder must be: move the file away and run again',
  EISDIR: 'a folder is where a file must be: move the folder away and run again',
  EEXIST: 'something is in the way at that path: move it away and run again',
  EMFILE: 'too many open files: raise the limit (ulimit -n) and run again',
  ENFILE: 'too many open files on the system: close some, or raise the limit, and run again',
  EIO: 'the device reported a read or write failure: check the disk',
};

/** A failure of the file system (not of our code): its code, path and advice, or undefined. */
export function ioFailure(e: unknown): { code: string; path?: string; message: string; advice: string } | undefined {
  const err = e as NodeJS.ErrnoException | undefined;
  const code = err && typeof err === 'object' ? err.code : undefined;
  if (!code || !(code in IO_ADVICE)) {
    return undefined;
  }
  return { code, path: err!.path ?? (err as { dest?: string }).dest, message: err!.message, advice: IO_ADVICE[code] };
}

/** The report of an I/O failure: what failed, where, and what to do. */
export function formatIoFailure(command: string, io: NonNullable<ReturnType<typeof ioFailure>>, unchanged?: string): string {
  return [
    `${command}: I/O error ${io.code} at ${io.path ?? '(no path given)'}: ${io.message}`,
    `  what to do: ${io.advice}`,
    ...(unchanged ? [`  ${unchanged}`] : []),
  ].join('\n');
}

/**
 * Runs a CLI's `main` on the process arguments and sets the exit code. A file-system failure is
 * reported with its path and advice and exits IO_ERROR_EXIT; any other unexpected error is
 * reported with its stack and exits with `internalErrorCode`.
 */
export function runMain(command: string, main: (argv: readonly string[]) => number, internalErrorCode: number): void {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (e) {
    const io = ioFailure(e);
    if (io) {
      console.error(formatIoFailure(command, io));
      process.exitCode = IO_ERROR_EXIT;
      return;
    }
    console.error(`${command}: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    process.exitCode = internalErrorCode;
  }
}
