import { ChildProcess, execFileSync, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';
import { NGINX_GID, NGINX_UID, renderNginxConf, resolveNginxSite } from '../../constructs/static-site/nginx-conf';
import { stopProcess } from './support';

/**
 * StaticSite's nginx.conf against the real Debian nginx 1.22: `nginx -t`, then NGINX serving a
 * sample React build on loopback as the image's user (uid 101 when the test runs as root), with
 * the stdout access log redirected to a file. What the test changes, only through props: the
 * listen address (127.0.0.1:18090), the document root and the writable directory (a temp dir
 * instead of /usr/share/nginx/html and the /tmp emptyDir).
 */

const PORT = 18090;
const NGINX = '/usr/sbin/nginx';
const INDEX =
  '<!doctype html><html><head><script type="module" src="/assets/index-BjK3x9_a.js"></script></head><body><div id="root"></div></body></html>\n';
const HASHED = '/assets/index-BjK3x9_a.js';
const ASSET = `export const app = ${JSON.stringify('x'.repeat(4000))};\n`;
const UNHASHED = '/assets/logo.svg';

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

function get(urlPath: string, headers: http.OutgoingHttpHeaders = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port: PORT, path: urlPath, headers, timeout: 5000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
  });
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'static-site-'));
const site = resolveNginxSite({ listenAddress: '127.0.0.1', port: PORT, documentRoot: path.join(dir, 'html'), tmpDir: path.join(dir, 'tmp') });
const confPath = path.join(dir, 'nginx.conf');
const logPath = path.join(dir, 'tmp', 'stdout.log');
const asRoot = process.getuid?.() === 0;
let nginx: ChildProcess | undefined;

/** Runs `args` as the image's user when we are root (setpriv), else as ourselves. */
function asNginxUser(args: string[]): [string, string[]] {
  return asRoot ? ['setpriv', [`--reuid=${NGINX_UID}`, `--regid=${NGINX_GID}`, '--clear-groups', ...args]] : [args[0], args.slice(1)];
}

beforeAll(async () => {
  fs.mkdirSync(path.join(dir, 'html', 'assets'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'tmp'));
  fs.writeFileSync(path.join(dir, 'html', 'index.html'), INDEX);
  fs.writeFileSync(path.join(dir, 'html', HASHED), ASSET);
  fs.writeFileSync(path.join(dir, 'html', UNHASHED), '<svg xmlns="http://www.w3.org/2000/svg"/>\n');
  fs.writeFileSync(confPath, renderNginxConf(site));
  if (asRoot) {
    execFileSync('chown', ['-R', `${NGINX_UID}:${NGINX_GID}`, dir]);
  }
  // The image's user reads the build and writes only below tmpDir, as with a read-only root fs.
  const [cmd, args] = asNginxUser(['sh', '-c', `exec ${NGINX} -e stderr -c ${confPath} -g 'daemon off;' >>${logPath} 2>&1`]);
  nginx = spawn(cmd, args, { stdio: 'ignore' });
  for (let i = 0; i < 50; i++) {
    const up = await get('/healthz').then(
      (a) => a.status === 200,
      () => false,
    );
    if (up) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`nginx did not answer on ${PORT}: ${fs.existsSync(logPath) ? fs.readFileSync(logPath, 'utf8') : 'no log'}`);
});

afterAll(async () => {
  await stopProcess(nginx, 'SIGQUIT');
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('StaticSite nginx.conf on nginx 1.22 (Debian)', () => {
  it('passes nginx -t as the image user', () => {
    // stdout is a file, as in a pod (a FIFO there): nginx opens /dev/stdout for the access log.
    const [cmd, args] = asNginxUser(['sh', '-c', `exec ${NGINX} -t -e stderr -c ${confPath} >>${logPath}`]);
    const r = spawnSync(cmd, args, { encoding: 'utf8' });
    expect(r.stderr).toContain('test is successful');
    expect(r.status).toBe(0);
  });

  it('answers a deep SPA route with index.html and every security header', async () => {
    const a = await get('/invoices/42/edit');
    expect(a.status).toBe(200);
    expect(a.body.toString()).toBe(INDEX);
    expect(a.headers['content-type']).toMatch(/^text\/html/);
    expect(a.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(a.headers['content-security-policy']).toContain("default-src 'self'");
    expect(a.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
    expect(a.headers['x-content-type-options']).toBe('nosniff');
    expect(a.headers['referrer-policy']).toBe('strict-origin-when-cross-origin');
    expect(a.headers['x-frame-options']).toBe('DENY');
    expect(a.headers['cache-control']).toBe('no-cache');
    expect(a.headers.server).toBe('nginx');
  });

  it('serves / and /index.html as no-cache with the security headers', async () => {
    for (const p of ['/', '/index.html']) {
      const a = await get(p);
      expect([p, a.status, a.headers['cache-control'], a.headers['x-content-type-options']]).toEqual([p, 200, 'no-cache', 'nosniff']);
    }
  });

  it('caches a hashed asset for a year as immutable, with the security headers', async () => {
    const a = await get(HASHED);
    expect(a.status).toBe(200);
    expect(a.body.toString()).toBe(ASSET);
    expect(a.headers['content-type']).toMatch(/javascript/);
    expect(a.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(a.headers['content-security-policy']).toContain("frame-ancestors 'none'");
  });

  it('revalidates an unhashed file below /assets/', async () => {
    const a = await get(UNHASHED);
    expect([a.status, a.headers['cache-control']]).toEqual([200, 'no-cache']);
  });

  it('answers a missing asset below /assets/ with 404, not index.html, still with the headers', async () => {
    const a = await get('/assets/index-00000000.js');
    expect(a.status).toBe(404);
    expect(a.body.toString()).not.toContain('<div id="root">');
    expect(a.headers['x-content-type-options']).toBe('nosniff');
    expect(a.headers['content-security-policy']).toContain("frame-ancestors 'none'");
  });

  it('answers /healthz with 200 from NGINX itself', async () => {
    const a = await get('/healthz');
    expect([a.status, a.body.toString(), a.headers['content-type']]).toEqual([200, 'ok\n', 'text/plain']);
  });

  it('gzips when the client asks, and says Vary: Accept-Encoding', async () => {
    const a = await get(HASHED, { 'Accept-Encoding': 'gzip' });
    expect(a.headers['content-encoding']).toBe('gzip');
    expect(a.headers.vary).toBe('Accept-Encoding');
    expect(zlib.gunzipSync(a.body).toString()).toBe(ASSET);
    const plain = await get(HASHED);
    expect(plain.headers['content-encoding']).toBeUndefined();
  });

  it('writes a JSON access log line per request to stdout, none for /healthz', async () => {
    await get('/invoices/7');
    // nginx writes the line after the response; give it a moment.
    await new Promise((r) => setTimeout(r, 200));
    const lines = fs
      .readFileSync(logPath, 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { request: string; status: number });
    expect(lines).toContainEqual(expect.objectContaining({ request: 'GET /invoices/7 HTTP/1.1', status: 200 }));
    expect(lines.some((l) => l.request.includes('/healthz'))).toBe(false);
  });

  it('runs as the image user and writes only below tmpDir', () => {
    const pid = fs.readFileSync(path.join(dir, 'tmp', 'nginx.pid'), 'utf8').trim();
    const uid = fs
      .readFileSync(`/proc/${pid}/status`, 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Uid:'));
    expect(uid?.split(/\s+/)[1]).toBe(String(asRoot ? NGINX_UID : process.getuid?.()));
    expect(fs.readdirSync(path.join(dir, 'tmp')).sort()).toEqual(
      ['client_temp', 'fastcgi_temp', 'nginx.pid', 'proxy_temp', 'scgi_temp', 'stdout.log', 'uwsgi_temp'].sort(),
    );
  });
});
