import { ChildProcess, execFileSync } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as path from 'path';

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

/** The files of a certificate secret: `ca.crt`, `tls.crt`, `tls.key`. */
export interface TestCertificates {
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
}

/**
 * A CA and a server certificate made with openssl, standing in for cert-manager's secret
 * (`ca.crt`, `tls.crt`, `tls.key`) for `names` (DNS names and IPv4 addresses). The files have
 * mode 0640 and, given a `group`, are root-owned with that group, as a secret volume mounts them
 * (defaultMode 0640, fsGroup).
 */
export function makeCertificates(dir: string, group: string | undefined, names: string[]): TestCertificates {
  fs.mkdirSync(dir, { recursive: true });
  const f = (n: string): string => path.join(dir, n);
  const ssl = (args: string[]): void => {
    execFileSync('openssl', args, { stdio: 'pipe' });
  };
  ssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', f('ca.key')]);
  ssl(['req', '-x509', '-new', '-key', f('ca.key'), '-days', '2', '-subj', '/CN=test-ca', '-out', f('ca.crt')]);
  ssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', f('tls.key')]);
  ssl(['req', '-new', '-key', f('tls.key'), '-subj', `/CN=${names[0]}`, '-out', f('tls.csr')]);
  const san = names.map((n) => (/^[0-9.]+$/.test(n) ? `IP:${n}` : `DNS:${n}`)).join(',');
  fs.writeFileSync(f('ext.cnf'), `subjectAltName=${san}\nextendedKeyUsage=serverAuth,clientAuth\n`);
  ssl([
    'x509',
    '-req',
    '-in',
    f('tls.csr'),
    '-CA',
    f('ca.crt'),
    '-CAkey',
    f('ca.key'),
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    f('ext.cnf'),
    '-out',
    f('tls.crt'),
  ]);
  for (const n of ['ca.crt', 'tls.crt', 'tls.key']) {
    fs.chmodSync(f(n), 0o640);
    if (group) {
      execFileSync('chown', [`root:${group}`, f(n)]);
    }
  }
  return { ca: f('ca.crt'), cert: f('tls.crt'), key: f('tls.key') };
}
