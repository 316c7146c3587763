// The app's entry point: `npm run synth` bundles this file and runs it. The synth CLI itself
// (flags, report, exit codes) is `cli/synth.ts`; every CLI lives in `cli/`.
import { main } from './cli/synth';
import { formatIoFailure, IO_ERROR_EXIT, ioFailure } from './core/cli-run';

if (require.main === module) {
  const debug = process.argv.includes('--debug');
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (e) {
    const io = ioFailure(e);
    if (io) {
      // The write is one transaction (synth/transaction.ts): a failure rolls back what was swapped.
      console.error(formatIoFailure('synth', io, 'dist/ and gitops/ were left as they were; the next synth also repairs an interrupted write'));
      process.exit(IO_ERROR_EXIT);
    }
    console.error(`synth: internal error: ${e instanceof Error ? e.message : String(e)}`);
    if (debug && e instanceof Error) {
      console.error(e.stack);
    } else {
      console.error('(run with --debug for the stack trace)');
    }
    process.exitCode = 3;
  }
}
