import { ChildProcess, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as YAML from 'yaml';
import { httpGet, stopProcess } from './support';

/**
 * The WAF of the public Ingresses against the real ModSecurity: Debian's nginx 1.22 with
 * libnginx-mod-http-modsecurity (ModSecurity-nginx 1.0.3, libmodsecurity 3.0.9) and the OWASP CRS
 * 3.3.4 (modsecurity-crs). ingress-nginx turns the annotations into exactly these location
 * directives (buildModSecurityForLocation in its template.go, with ModSecurity and the CRS off
 * globally and on per Ingress): `modsecurity on`, the snippet as `modsecurity_rules`, the
 * transaction id, then the CRS file. The snippet is read from the committed prod frontend Ingress.
 * Not proven: the controller's own image (its CRS is v4), which cannot run here.
 */

const NGINX = '/usr/sbin/nginx';
const MODULE = '/usr/lib/nginx/modules/ngx_http_modsecurity_module.so';
const PORT_ON = 18092;
const PORT_DETECT = 18093;
const ROOT = path.join(__dirname, '..', '..');
const ANN = 'nginx.ingress.kubernetes.io';

function frontendAnnotations(): Record<string, string> {
  const docs = YAML.parseAllDocuments(fs.readFileSync(path.join(ROOT, 'dist', 'prod', 'app-frontend', 'app-frontend.k8s.yaml'), 'utf8'));
  const ingress = docs.map((d) => d.toJS()).find((o) => o?.kind === 'Ingress' && o.metadata.annotations?.[`${ANN}/enable-modsecurity`] === 'true');
  if (!ingress) throw new Error('no Ingress with ModSecurity in dist/prod/app-frontend');
  return ingress.metadata.annotations;
}

/** The location block ingress-nginx writes for these annotations. */
function location(annotations: Record<string, string>, crsFile: string): string {
  const lines = ['modsecurity on;'];
  if (annotations[`${ANN}/modsecurity-snippet`]) lines.push(`modsecurity_rules '\n${annotations[`${ANN}/modsecurity-snippet`]}\n';`);
  if (annotations[`${ANN}/modsecurity-transaction-id`])
    lines.push(`modsecurity_transaction_id "${annotations[`${ANN}/modsecurity-transaction-id`]}";`);
  if (annotations[`${ANN}/enable-owasp-core-rules`] === 'true') lines.push(`modsecurity_rules_file ${crsFile};`);
  return lines.join('\n');
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'waf-'));
const crsFile = path.join(dir, 'nginx-modsecurity.conf');
const confPath = path.join(dir, 'nginx.conf');
const logPath = path.join(dir, 'stdout.log');
let nginx: ChildProcess | undefined;

function nginxConf(on: Record<string, string>, detect: Record<string, string>): string {
  const server = (port: number, ann: Record<string, string>): string =>
    `server {\n listen 127.0.0.1:${port};\n root ${dir}/html;\n location / {\n${location(ann, crsFile)}\n }\n}`;
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `${t}_temp_path ${dir}/${t};`).join('\n');
  return [
    `load_module ${MODULE};`,
    `pid ${dir}/nginx.pid;`,
    'error_log stderr notice;',
    'worker_processes 1;',
    'events {}',
    `http {\naccess_log off;\n${temp}\n${server(PORT_ON, on)}\n${server(PORT_DETECT, detect)}\n}`,
    '',
  ].join('\n');
}

function nginxTest(conf: string): { status: number | null; output: string } {
  fs.writeFileSync(confPath, conf);
  const r = spawnSync(NGINX, ['-t', '-c', confPath], { encoding: 'utf8' });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

const on = frontendAnnotations();
const detect = { ...on, [`${ANN}/modsecurity-snippet`]: on[`${ANN}/modsecurity-snippet`].replace('SecRuleEngine On', 'SecRuleEngine DetectionOnly') };

beforeAll(async () => {
  fs.mkdirSync(path.join(dir, 'html'));
  fs.writeFileSync(path.join(dir, 'html', 'index.html'), 'ok\n');
  // ingress-nginx's nginx-modsecurity.conf: the CRS setup, then every rule file.
  fs.writeFileSync(crsFile, 'Include /etc/modsecurity/crs/crs-setup.conf\nInclude /usr/share/modsecurity-crs/rules/*.conf\n');
  fs.chmodSync(dir, 0o755);
  fs.writeFileSync(confPath, nginxConf(on, detect));
  nginx = spawn('sh', ['-c', `exec ${NGINX} -c ${confPath} -g 'daemon off;' >>${logPath} 2>&1`], { stdio: 'ignore' });
  for (let i = 0; i < 50; i++) {
    if ((await httpGet(PORT_ON, '/', 1000)).status === 200) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`nginx did not answer: ${fs.existsSync(logPath) ? fs.readFileSync(logPath, 'utf8') : 'no log'}`);
});

afterAll(async () => {
  await stopProcess(nginx, 'SIGQUIT');
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('ModSecurity snippet of the public Ingresses on nginx 1.22 + ModSecurity 3.0.9 + OWASP CRS 3.3.4 (Debian)', () => {
  test('the committed snippet turns the engine on and sends JSON audit logs to stdout', () => {
    expect(on[`${ANN}/modsecurity-snippet`]).toMatch(/^SecRuleEngine On\n/);
    expect(on[`${ANN}/modsecurity-snippet`]).toContain('SecAuditLogFormat JSON');
  });

  test('passes nginx -t in both modes; a broken directive in the snippet fails it (the snippet is really parsed)', () => {
    const good = nginxTest(nginxConf(on, detect));
    expect(good.output).toContain('test is successful');
    expect(good.status).toBe(0);
    const broken = { ...on, [`${ANN}/modsecurity-snippet`]: on[`${ANN}/modsecurity-snippet`].replace('SecRuleEngine On', 'SecRuleEngine Maybe') };
    const bad = nginxTest(nginxConf(broken, detect));
    expect(bad.status).not.toBe(0);
    expect(bad.output).toMatch(/Rules error/);
    fs.writeFileSync(confPath, nginxConf(on, detect));
  });

  test('On blocks an XSS and an SQL injection with 403 and passes a plain request; DetectionOnly only logs', async () => {
    const xss = '/?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E';
    const sqli = '/?id=1%27%20OR%20%271%27%3D%271';
    expect((await httpGet(PORT_ON, '/')).status).toBe(200);
    expect((await httpGet(PORT_ON, xss)).status).toBe(403);
    expect((await httpGet(PORT_ON, sqli)).status).toBe(403);
    expect((await httpGet(PORT_DETECT, xss)).status).toBe(200);
    expect((await httpGet(PORT_DETECT, sqli)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 300));
    const log = fs.readFileSync(logPath, 'utf8');
    // CRS rule ids: 941100 XSS (libinjection), 942100 SQLi (libinjection), 949110 inbound anomaly score.
    for (const id of ['941100', '942100', '949110']) expect(log).toContain(`"ruleId":"${id}"`);
  });
});
