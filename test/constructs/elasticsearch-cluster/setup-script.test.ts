/* eslint-disable @typescript-eslint/no-explicit-any */
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import { AddressInfo } from 'net';
import * as os from 'os';
import * as path from 'path';
import { promisify } from 'util';
import { EXIT_GAVE_UP, EXIT_REFUSED, requestList, SETUP_SCRIPT } from '../../../constructs/elasticsearch-cluster/setup-script';
import { ilmRequest, indexTemplateRequest, RestRequest } from '../../../constructs/elasticsearch-cluster/rest';

const run = promisify(execFile);

interface Recorded {
  method: string;
  url: string;
  auth?: string;
  body: string;
}

/** A fake Elasticsearch that records every request and answers from `reply` (default 200). */
async function fakeServer(
  reply: (r: Recorded, n: number) => number = () => 200,
): Promise<{ url: string; calls: Recorded[]; close: () => Promise<void> }> {
  const calls: Recorded[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      const r = { method: req.method ?? '', url: req.url ?? '', auth: req.headers.authorization, body };
      calls.push(r);
      res.writeHead(reply(r, calls.length), { 'Content-Type': 'application/json' });
      res.end('{"acknowledged":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, calls, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

const POLICY = {
  name: 'logs',
  indexPatterns: ['logs-*'],
  rolloverMaxAgeDays: 1,
  rolloverMaxPrimaryShardSizeGb: 50,
  warmAfterDays: 7,
  deleteAfterDays: 30,
  templatePriority: 200,
};
const REQUESTS: RestRequest[] = [ilmRequest(POLICY), indexTemplateRequest(POLICY)];

/** Writes the ConfigMap's files to a folder, as the Job mounts them. */
function filesDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'es-setup-'));
  fs.writeFileSync(path.join(dir, 'setup.sh'), SETUP_SCRIPT);
  fs.writeFileSync(path.join(dir, 'requests.txt'), requestList(REQUESTS));
  for (const r of REQUESTS) {
    fs.writeFileSync(path.join(dir, r.file), JSON.stringify(r.body));
  }
  return dir;
}

async function setup(url: string, dir: string, env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const out = await run('sh', [path.join(dir, 'setup.sh')], {
      env: {
        PATH: process.env.PATH,
        ES_URL: url,
        FILES: dir,
        WORK: dir,
        ELASTIC_PASSWORD: 'el"as\\tic',
        MONITORING_PASSWORD: 'mo"n\\itor',
        ATTEMPTS: '3',
        DELAY: '0',
        ...env,
      },
    });
    return { code: 0, ...out };
  } catch (e: any) {
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('setup Job script', () => {
  test('sends health, monitoring password, then every request with its body; twice gives the same calls', async () => {
    const es = await fakeServer();
    const dir = filesDir();
    const first = await setup(es.url, dir);
    const second = await setup(es.url, dir);
    await es.close();
    expect([first.code, second.code]).toEqual([0, 0]);
    const once = es.calls.slice(0, es.calls.length / 2);
    expect(es.calls.slice(once.length)).toEqual(once);
    expect(once.map((c) => `${c.method} ${c.url}`)).toEqual([
      'GET /_cluster/health?wait_for_status=yellow&timeout=30s',
      'POST /_security/user/remote_monitoring_user/_password',
      'PUT /_ilm/policy/logs',
      'PUT /_index_template/logs',
    ]);
    // The password with a quote and a backslash arrives as valid JSON; basic auth as elastic.
    expect(JSON.parse(once[1].body)).toEqual({ password: 'mo"n\\itor' });
    expect(Buffer.from(once[0].auth!.replace('Basic ', ''), 'base64').toString()).toBe('elastic:el"as\\tic');
    expect(JSON.parse(once[2].body)).toEqual(REQUESTS[0].body);
    expect(JSON.parse(once[3].body)).toEqual(REQUESTS[1].body);
    // No secret left behind in the work folder besides the curl config.
    expect(fs.existsSync(path.join(dir, 'monitoring-password.json'))).toBe(false);
  });

  test('retries 503 and 429 and succeeds', async () => {
    const es = await fakeServer((r, n) => (n === 1 ? 503 : r.url.startsWith('/_ilm') && n === 4 ? 429 : 200));
    const out = await setup(es.url, filesDir());
    await es.close();
    expect(out.code).toBe(0);
    expect(es.calls.map((c) => c.url).filter((u) => u.startsWith('/_ilm'))).toHaveLength(2);
    expect(es.calls.filter((c) => c.url.startsWith('/_cluster/health'))).toHaveLength(2);
  });

  test('fails at once on a 400: a bad body stays bad', async () => {
    const es = await fakeServer((r) => (r.url.startsWith('/_index_template') ? 400 : 200));
    const out = await setup(es.url, filesDir());
    await es.close();
    expect(out.code).toBe(EXIT_REFUSED);
    expect(out.stderr).toContain('PUT /_index_template/logs: refused with 400');
    expect(es.calls.filter((c) => c.url.startsWith('/_index_template'))).toHaveLength(1);
  });

  test('gives up after ATTEMPTS when nothing answers', async () => {
    const es = await fakeServer();
    await es.close();
    const out = await setup(es.url, filesDir());
    expect(out.code).toBe(EXIT_GAVE_UP);
    expect(out.stderr).toMatch(/GET \/_cluster\/health.*no success after 3 attempts \(last: 000/);
  });
});
