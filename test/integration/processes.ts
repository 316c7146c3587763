import { ChildProcess } from 'child_process';

/**
 * Stops a process the tests started: sends `signal`, and SIGKILL if it is still there after
 * `graceMs` (Redis refuses SIGTERM when its final save fails; nothing may hang the suite).
 * Resolves once it exited or was killed; at once when it is not running.
 */
export function stopProcess(proc: ChildProcess | undefined, signal: NodeJS.Signals = 'SIGTERM', graceMs = 5000): Promise<void> {
  if (!proc || proc.exitCode !== null || proc.signalCode !== null) {
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      resolve();
    }, graceMs);
    proc.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    proc.kill(signal);
  });
}
