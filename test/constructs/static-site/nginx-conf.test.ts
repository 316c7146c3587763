import { Testing } from 'cdk8s';
import { PropChecks, PropValidationError } from '../../../constructs/lib/prop-errors';
import { checkNginxSite, NginxSiteProps, renderNginxConf, resolveNginxSite, securityHeaders } from '../../../constructs/static-site/nginx-conf';

function problems(props: NginxSiteProps): string {
  const check = new PropChecks(Testing.chart());
  checkNginxSite(resolveNginxSite(props), check, 'nginx.');
  try {
    check.throwIfAny();
  } catch (e) {
    expect(e).toBeInstanceOf(PropValidationError);
    return (e as Error).message;
  }
  return '';
}

/** The lines of one `location <head> { ... }` block, nested blocks included. */
function location(conf: string, head: string): string {
  const start = conf.indexOf(`location ${head} {`);
  expect(start).toBeGreaterThanOrEqual(0);
  let depth = 0;
  for (let i = start + `location ${head} `.length; i < conf.length; i++) {
    if (conf[i] === '{') depth++;
    if (conf[i] === '}' && --depth === 0) return conf.slice(start, i + 1);
  }
  throw new Error(`unterminated ${head}`);
}

describe('nginx.conf', () => {
  const conf = renderNginxConf(resolveNginxSite());

  it('listens on 8080 with the pid and every temp path under /tmp, the access log on stdout', () => {
    expect(conf).toMatch(/^\s*listen 8080;$/m);
    expect(conf).toMatch(/^pid \/tmp\/nginx\.pid;$/m);
    for (const k of ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) {
      expect(conf).toMatch(new RegExp(`^\\s*${k}_temp_path /tmp/\\w+;$`, 'm'));
    }
    expect(conf).toContain('access_log /dev/stdout main;');
    expect(conf).toContain('error_log stderr warn;');
    expect(conf).toContain('root /usr/share/nginx/html;');
  });

  it('falls back to index.html for client-side routes, but not below /assets/', () => {
    expect(location(conf, '/')).toContain('try_files $uri $uri/ /index.html;');
    expect(location(conf, '^~ /assets/')).toContain('try_files $uri =404;');
    expect(location(conf, '^~ /assets/')).not.toContain('/index.html');
  });

  it('repeats every security header with always in each location that sets its own Cache-Control', () => {
    const headers = Object.keys(securityHeaders(resolveNginxSite()));
    expect(headers).toEqual(['Content-Security-Policy', 'Strict-Transport-Security', 'X-Content-Type-Options', 'Referrer-Policy', 'X-Frame-Options']);
    const immutable = location(conf, '~ "[.-][A-Za-z0-9_-]{8,}\\.[A-Za-z0-9]+$"');
    for (const block of [location(conf, '/'), location(conf, '= /index.html'), immutable]) {
      for (const h of headers) {
        expect(block).toMatch(new RegExp(`add_header ${h} ".+" always;`));
      }
    }
    expect(immutable).toContain('add_header Cache-Control "public, max-age=31536000, immutable" always;');
    expect(location(conf, '= /index.html')).toContain('add_header Cache-Control "no-cache" always;');
  });

  it('answers /healthz itself, without logging it', () => {
    const h = location(conf, '= /healthz');
    expect(h).toContain('return 200');
    expect(h).toContain('access_log off;');
  });

  it('gzips text, scripts, styles and SVG', () => {
    expect(conf).toContain('gzip on;');
    expect(conf).toContain('gzip_vary on;');
    expect(conf).toMatch(/gzip_types .*application\/javascript.*text\/css|gzip_types .*text\/css.*application\/javascript/);
    expect(conf).toContain('image/svg+xml');
  });

  it('takes CSP directives from props over the defaults and keeps the others', () => {
    const site = resolveNginxSite({ contentSecurityPolicy: { 'connect-src': ["'self'", 'https://api.example.com'] } });
    const csp = securityHeaders(site)['Content-Security-Policy'];
    expect(csp).toContain("connect-src 'self' https://api.example.com");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("script-src 'self'");
  });

  it('derives X-Frame-Options from frame-ancestors, and omits it where it has no equivalent', () => {
    expect(securityHeaders(resolveNginxSite({ contentSecurityPolicy: { 'frame-ancestors': ["'self'"] } }))['X-Frame-Options']).toBe('SAMEORIGIN');
    expect(
      securityHeaders(resolveNginxSite({ contentSecurityPolicy: { 'frame-ancestors': ['https://portal.example.com'] } }))['X-Frame-Options'],
    ).toBeUndefined();
  });

  it('writes HSTS with preload when asked, and none with a max-age of 0', () => {
    expect(securityHeaders(resolveNginxSite({ hsts: { preload: true } }))['Strict-Transport-Security']).toBe(
      'max-age=31536000; includeSubDomains; preload',
    );
    expect(securityHeaders(resolveNginxSite({ hsts: { maxAgeSeconds: 0 } }))['Strict-Transport-Security']).toBeUndefined();
  });

  it('binds a given address and serves a given root (the integration test uses both)', () => {
    const c = renderNginxConf(resolveNginxSite({ listenAddress: '127.0.0.1', port: 18090, documentRoot: '/srv/www', tmpDir: '/run/x/' }));
    expect(c).toMatch(/^\s*listen 127\.0\.0\.1:18090;$/m);
    expect(c).toContain('root /srv/www;');
    expect(c).toContain('pid /run/x/nginx.pid;');
  });

  it('accepts the defaults', () => {
    expect(problems({})).toBe('');
  });

  it('fails when props are bad, listing every problem', () => {
    const msg = problems({
      port: 80,
      listenAddress: 'localhost',
      documentRoot: 'html',
      contentSecurityPolicy: { 'frame-ancestors': [], 'script-src': ["'self' 'unsafe-inline'"], Bad: ["'self'"] },
      hsts: { maxAgeSeconds: 600, preload: true },
      referrerPolicy: 'everything' as never,
      assetsPath: '/assets',
      hashedAssetPattern: '([',
      assetMaxAgeSeconds: 0,
    });
    expect(msg).toContain('nginx.port: must be an integer from 1024 to 65535 (got 80)');
    expect(msg).toContain('nginx.listenAddress: must be an IPv4 address (got "localhost")');
    expect(msg).toContain('nginx.documentRoot: must be an absolute path');
    expect(msg).toContain('nginx.contentSecurityPolicy.frame-ancestors: must be a non-empty list');
    expect(msg).toContain('nginx.contentSecurityPolicy.script-src: must be a non-empty list of source expressions without blanks');
    expect(msg).toContain('nginx.contentSecurityPolicy: directive names are lower-case letters and "-" (got "Bad")');
    expect(msg).toContain('nginx.hsts.preload: needs includeSubDomains and a maxAgeSeconds of at least one year');
    expect(msg).toContain('nginx.referrerPolicy: must be one of');
    expect(msg).toContain('nginx.assetsPath: must be a URL folder');
    expect(msg).toContain('nginx.hashedAssetPattern: must be a regular expression');
    expect(msg).toContain('nginx.assetMaxAgeSeconds: must be an integer from 1 to 31536000 (got 0)');
  });

  it('fails when frame-ancestors is removed from the policy', () => {
    const site = resolveNginxSite();
    const csp = { ...site.contentSecurityPolicy };
    delete (csp as Record<string, unknown>)['frame-ancestors'];
    const check = new PropChecks(Testing.chart());
    checkNginxSite({ ...site, contentSecurityPolicy: csp }, check);
    expect(() => check.throwIfAny()).toThrow('contentSecurityPolicy.frame-ancestors: must be set: it is what keeps the site out of frames');
  });

  it('fails when a CSP source would break out of the nginx string or read a variable', () => {
    for (const bad of ['"', '$host', 'a\\b']) {
      expect(problems({ contentSecurityPolicy: { 'img-src': [bad] } })).toContain('nginx.contentSecurityPolicy.img-src');
    }
  });
});
