import { ChildProcess } from 'child_process';
import * as http from 'http';

/** Helpers the integration suites share. */

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

/** GET http://127.0.0.1:`port``urlPath`; status 0 when nothing answers within `timeoutMs`. */
export function httpGet(port: number, urlPath: string, timeoutMs = 5000): Promise<{ status: number; body: string }> {
  return httpRequest(port, 'GET', urlPath, { timeoutMs });
}

/**
 * An HTTP request to http://127.0.0.1:`port``urlPath` with an optional JSON body and Basic auth
 * (`user:password`); status 0 when nothing answers within `timeoutMs`.
 */
export function httpRequest(
  port: number,
  method: string,
  urlPath: string,
  opts: { body?: unknown; basicAuth?: string; timeoutMs?: number } = {},
): Promise<{ status: number; body: string }> {
  const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
  const headers: http.OutgoingHttpHeaders =
    payload === undefined ? {} : { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) };
  return new Promise((resolve) => {
    const req = http.request(
      { host: '127.0.0.1', port, method, path: urlPath, headers, auth: opts.basicAuth, timeout: opts.timeoutMs ?? 10000 },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        res.on('error', () => resolve({ status: 0, body }));
      },
    );
    req.on('error', () => resolve({ status: 0, body: '' }));
    req.on('timeout', () => {
      req.destroy();
      resolve({ status: 0, body: '' });
    });
    req.end(payload);
  });
}
