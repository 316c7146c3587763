// The app's entry point: `npm run synth` bundles this file and runs it. The synth CLI itself
// (flags, report, exit codes) is `cli/synth.ts`; every CLI lives in `cli/`.
import { main, wantsJson } from './cli/synth';
import { formatIoFailure, IO_ERROR_EXIT, ioFailure } from './core/cli-run';

const UNCHANGED = 'dist/ and gitops/ were left as they were; the next synth also repairs an interrupted write';

/** Reports an error that escaped `main` and returns the exit code: 4 for the file system, 3 for anything else. */
function reportEscaped(e: unknown, argv: readonly string[]): number {
  const io = ioFailure(e);
  if (wantsJson(argv)) {
    // With --json, stdout is one JSON document even now.
    const error = io ? { class: 'io', ...io, unchanged: UNCHANGED } : { class: 'internal', message: e instanceof Error ? e.message : String(e) };
    console.log(JSON.stringify({ ok: false, error }, null, 2));
    return io ? IO_ERROR_EXIT : 3;
  }
  if (io) {
    // The write is one transaction (synth/transaction.ts): a failure rolls back what was swapped.
    console.error(formatIoFailure('synth', io, UNCHANGED));
    return IO_ERROR_EXIT;
  }
  console.error(`synth: internal error: ${e instanceof Error ? e.message : String(e)}`);
  if (argv.includes('--debug') && e instanceof Error) {
    console.error(e.stack);
  } else {
    console.error('(run with --debug for the stack trace)');
  }
  return 3;
}

if (require.main === module) {
  const argv = process.argv.slice(2);
  try {
    process.exitCode = main(argv);
  } catch (e) {
    process.exitCode = reportEscaped(e, argv);
  }
}
