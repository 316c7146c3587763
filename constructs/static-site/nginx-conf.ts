import { PropChecks } from '../lib/prop-errors';

/** The port the unprivileged NGINX image listens on (nginxinc/nginx-unprivileged: 8080, not 80). */
export const NGINX_PORT = 8080;
/** UID and GID of `nginx` in nginxinc/nginx-unprivileged. */
export const NGINX_UID = 101;
export const NGINX_GID = 101;
/** The path the probes ask; answered by NGINX itself, never by a file of the build. */
export const HEALTH_PATH = '/healthz';
/** Where the image keeps the build (the official images' document root). */
export const DEFAULT_DOCUMENT_ROOT = '/usr/share/nginx/html';
/** The only writable path of the pod (an emptyDir): the pid file and every temp path live below it. */
export const DEFAULT_TMP_DIR = '/tmp';
/** Where nginx.conf is mounted; the images' default `-c`. */
export const NGINX_CONF_PATH = '/etc/nginx/nginx.conf';
/** One year: the longest max-age RFC 9111 asks caches to honour in practice, and what `immutable` is used with. */
export const ONE_YEAR_SECONDS = 31536000;

/** Referrer-Policy values (W3C Referrer Policy §3). */
export type ReferrerPolicy =
  | 'no-referrer'
  | 'no-referrer-when-downgrade'
  | 'origin'
  | 'origin-when-cross-origin'
  | 'same-origin'
  | 'strict-origin'
  | 'strict-origin-when-cross-origin';
const REFERRER_POLICIES: readonly string[] = [
  'no-referrer',
  'no-referrer-when-downgrade',
  'origin',
  'origin-when-cross-origin',
  'same-origin',
  'strict-origin',
  'strict-origin-when-cross-origin',
];

/**
 * A strict CSP for a single-page app built by Vite or CRA: everything from the site's own origin,
 * no plugins, no framing (`frame-ancestors` is the modern X-Frame-Options). Props replace single
 * directives (an API origin in `connect-src`, for example) and keep the others.
 */
export const DEFAULT_CSP: Readonly<Record<string, readonly string[]>> = {
  'default-src': ["'self'"],
  'script-src': ["'self'"],
  'style-src': ["'self'"],
  'img-src': ["'self'", 'data:'],
  'font-src': ["'self'"],
  'connect-src': ["'self'"],
  'object-src': ["'none'"],
  'base-uri': ["'self'"],
  'form-action': ["'self'"],
  'frame-ancestors': ["'none'"],
};

/** HTTP Strict Transport Security (RFC 6797). */
export interface HstsProps {
  /** `max-age` in seconds; 0 sends no header. @default ONE_YEAR_SECONDS */
  readonly maxAgeSeconds?: number;
  /** @default true */
  readonly includeSubDomains?: boolean;
  /** Ask for the browsers' preload list (needs a max-age of a year and includeSubDomains). @default false */
  readonly preload?: boolean;
}

/** The served site: how the generated nginx.conf behaves. Every field is optional. */
export interface NginxSiteProps {
  /** Port NGINX listens on; at least 1024, the image runs as a non-root user. @default NGINX_PORT */
  readonly port?: number;
  /**
   * IPv4 address to bind. Only tests need it (a loopback address); in a pod NGINX binds every address.
   * @default - every address
   */
  readonly listenAddress?: string;
  /** Document root: where the image has the build. @default DEFAULT_DOCUMENT_ROOT */
  readonly documentRoot?: string;
  /** The writable directory (an emptyDir in the pod) for the pid file and the temp paths. @default DEFAULT_TMP_DIR */
  readonly tmpDir?: string;
  /**
   * Content-Security-Policy directives; each given directive replaces the default's, the others stay.
   * `frame-ancestors` must remain. @default DEFAULT_CSP
   */
  readonly contentSecurityPolicy?: Readonly<Record<string, readonly string[]>>;
  /** @default - max-age one year, includeSubDomains, no preload */
  readonly hsts?: HstsProps;
  /** @default 'strict-origin-when-cross-origin' */
  readonly referrerPolicy?: ReferrerPolicy;
  /**
   * URL prefix of the build tool's output folder (Vite: `/assets/`, CRA: `/static/`). A missing file
   * there is a 404, never index.html: a stale chunk must fail loudly, not parse HTML as JavaScript.
   * @default '/assets/'
   */
  readonly assetsPath?: string;
  /**
   * Regex (PCRE) on the file name of a content-hashed asset below `assetsPath`: those are cached for
   * `assetMaxAgeSeconds` with `immutable`; other files there are revalidated. The default matches
   * Vite's `name-[hash].ext` and CRA's `name.[hash].ext` (8 or more hash characters).
   * @default '[.-][A-Za-z0-9_-]{8,}\\.[A-Za-z0-9]+$'
   */
  readonly hashedAssetPattern?: string;
  /** `max-age` of hashed assets, 1 s to one year. @default ONE_YEAR_SECONDS */
  readonly assetMaxAgeSeconds?: number;
  /** Responses smaller than this are not gzipped (the header costs more than it saves). @default 256 */
  readonly gzipMinLength?: number;
}

/** NginxSiteProps with every default applied. */
export interface ResolvedNginxSite {
  readonly port: number;
  readonly listenAddress?: string;
  readonly documentRoot: string;
  readonly tmpDir: string;
  readonly contentSecurityPolicy: Readonly<Record<string, readonly string[]>>;
  readonly hsts: Required<HstsProps>;
  readonly referrerPolicy: string;
  readonly assetsPath: string;
  readonly hashedAssetPattern: string;
  readonly assetMaxAgeSeconds: number;
  readonly gzipMinLength: number;
}

export const DEFAULT_HASHED_ASSET_PATTERN = '[.-][A-Za-z0-9_-]{8,}\\.[A-Za-z0-9]+$';

/** Applies the defaults. */
export function resolveNginxSite(props: NginxSiteProps = {}): ResolvedNginxSite {
  return {
    port: props.port ?? NGINX_PORT,
    listenAddress: props.listenAddress,
    documentRoot: props.documentRoot ?? DEFAULT_DOCUMENT_ROOT,
    tmpDir: props.tmpDir ?? DEFAULT_TMP_DIR,
    contentSecurityPolicy: { ...DEFAULT_CSP, ...(props.contentSecurityPolicy ?? {}) },
    hsts: {
      maxAgeSeconds: props.hsts?.maxAgeSeconds ?? ONE_YEAR_SECONDS,
      includeSubDomains: props.hsts?.includeSubDomains ?? true,
      preload: props.hsts?.preload ?? false,
    },
    referrerPolicy: props.referrerPolicy ?? 'strict-origin-when-cross-origin',
    assetsPath: props.assetsPath ?? '/assets/',
    hashedAssetPattern: props.hashedAssetPattern ?? DEFAULT_HASHED_ASSET_PATTERN,
    assetMaxAgeSeconds: props.assetMaxAgeSeconds ?? ONE_YEAR_SECONDS,
    gzipMinLength: props.gzipMinLength ?? 256,
  };
}

const ABSOLUTE_PATH = /^\/[A-Za-z0-9._/-]*$/;
const URL_FOLDER = /^\/([A-Za-z0-9._-]+\/)+$/;
const IPV4 = /^((25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(25[0-5]|2[0-4]\d|1?\d?\d)$/;
const CSP_DIRECTIVE = /^[a-z][a-z-]*$/;
/** A CSP source expression as nginx.conf can carry it: no blanks, `;` or `,` (CSP syntax), `"`, `\` or `$` (nginx quoting and variables). */
const CSP_SOURCE = /^[^\s;,"\\$]+$/;

/** Records every problem with the site props on `check`, fields prefixed with `prefix`. */
export function checkNginxSite(site: ResolvedNginxSite, check: PropChecks, prefix = ''): void {
  const f = (name: string): string => `${prefix}${name}`;
  check.integer(site.port, f('port'), 1024, 65535);
  if (site.listenAddress !== undefined) {
    check.that(IPV4.test(site.listenAddress), f('listenAddress'), 'must be an IPv4 address', site.listenAddress);
  }
  check.that(
    ABSOLUTE_PATH.test(site.documentRoot),
    f('documentRoot'),
    'must be an absolute path of letters, digits, ".", "_", "-"',
    site.documentRoot,
  );
  check.that(ABSOLUTE_PATH.test(site.tmpDir), f('tmpDir'), 'must be an absolute path of letters, digits, ".", "_", "-"', site.tmpDir);
  checkCsp(site.contentSecurityPolicy, check, f('contentSecurityPolicy'));
  const h = site.hsts;
  check.integer(h.maxAgeSeconds, f('hsts.maxAgeSeconds'), 0, 2 * ONE_YEAR_SECONDS);
  check.that(
    !h.preload || (h.includeSubDomains && h.maxAgeSeconds >= ONE_YEAR_SECONDS),
    f('hsts.preload'),
    'needs includeSubDomains and a maxAgeSeconds of at least one year (hstspreload.org)',
    h,
  );
  check.that(
    REFERRER_POLICIES.includes(site.referrerPolicy),
    f('referrerPolicy'),
    `must be one of ${REFERRER_POLICIES.join(', ')}`,
    site.referrerPolicy,
  );
  check.that(URL_FOLDER.test(site.assetsPath), f('assetsPath'), 'must be a URL folder such as /assets/ (starts and ends with "/")', site.assetsPath);
  check.that(
    isRegex(site.hashedAssetPattern),
    f('hashedAssetPattern'),
    'must be a regular expression without quotes or blanks',
    site.hashedAssetPattern,
  );
  check.integer(site.assetMaxAgeSeconds, f('assetMaxAgeSeconds'), 1, ONE_YEAR_SECONDS);
  check.integer(site.gzipMinLength, f('gzipMinLength'), 0, 1048576);
}

function checkCsp(csp: Readonly<Record<string, readonly string[]>>, check: PropChecks, field: string): void {
  check.that(csp['frame-ancestors'] !== undefined, `${field}.frame-ancestors`, 'must be set: it is what keeps the site out of frames', undefined);
  for (const [name, sources] of Object.entries(csp)) {
    check.that(CSP_DIRECTIVE.test(name), `${field}`, 'directive names are lower-case letters and "-"', name);
    check.that(
      Array.isArray(sources) && sources.length > 0 && sources.every((s) => CSP_SOURCE.test(s)),
      `${field}.${name}`,
      'must be a non-empty list of source expressions without blanks, ";", ",", quotes, "\\" or "$"',
      sources,
    );
  }
}

function isRegex(pattern: string): boolean {
  if (typeof pattern !== 'string' || pattern.length === 0 || /["\s]/.test(pattern)) {
    return false;
  }
  try {
    new RegExp(pattern);
    return true;
  } catch {
    return false;
  }
}

/** The header lines every response carries, each with `always` so that 404s and redirects carry them too. */
export function securityHeaders(site: ResolvedNginxSite): Record<string, string> {
  const csp = Object.entries(site.contentSecurityPolicy)
    .map(([name, sources]) => `${name} ${sources.join(' ')}`)
    .join('; ');
  const headers: Record<string, string> = { 'Content-Security-Policy': csp };
  const h = site.hsts;
  if (h.maxAgeSeconds > 0) {
    headers['Strict-Transport-Security'] = [`max-age=${h.maxAgeSeconds}`, h.includeSubDomains ? 'includeSubDomains' : '', h.preload ? 'preload' : '']
      .filter(Boolean)
      .join('; ');
  }
  headers['X-Content-Type-Options'] = 'nosniff';
  headers['Referrer-Policy'] = site.referrerPolicy;
  // For browsers without CSP level 2; only where frame-ancestors has an X-Frame-Options equivalent.
  const fa = site.contentSecurityPolicy['frame-ancestors']?.join(' ');
  if (fa === "'none'") headers['X-Frame-Options'] = 'DENY';
  else if (fa === "'self'") headers['X-Frame-Options'] = 'SAMEORIGIN';
  return headers;
}

/** `Cache-Control` of content-hashed assets: a new build has new names, so the old ones never change. */
export function immutableCacheControl(site: ResolvedNginxSite): string {
  return `public, max-age=${site.assetMaxAgeSeconds}, immutable`;
}

/** `Cache-Control` of everything else: index.html and unhashed files are revalidated on every use (ETag). */
export const REVALIDATE_CACHE_CONTROL = 'no-cache';

const GZIP_TYPES = [
  'text/css',
  'text/plain',
  'text/javascript',
  'application/javascript',
  'application/json',
  'application/manifest+json',
  'application/xml',
  'image/svg+xml',
  'font/ttf',
  'font/otf',
];

/**
 * nginx.conf for a single-page app. add_header is inherited by a location only when the location
 * sets none itself (ngx_http_headers_module), so every location that sets Cache-Control repeats the
 * security headers; `always` adds them to error responses (404) too.
 */
export function renderNginxConf(site: ResolvedNginxSite): string {
  const t = site.tmpDir.replace(/\/$/, '');
  const listen = site.listenAddress ? `${site.listenAddress}:${site.port}` : `${site.port}`;
  const sec = Object.entries(securityHeaders(site)).map(([k, v]) => `add_header ${k} "${v}" always;`);
  const withCache = (cc: string): string[] => [...sec, `add_header Cache-Control "${cc}" always;`];
  const block = (head: string, body: string[], indent: string): string[] => [
    `${indent}${head} {`,
    ...body.map((l) => `${indent}  ${l}`),
    `${indent}}`,
  ];
  const server = [
    `listen ${listen};`,
    'server_name _;',
    `root ${site.documentRoot};`,
    'index index.html;',
    // Behind the ingress: a redirect (/dir -> /dir/) keeps the client's scheme and host, not :8080.
    'absolute_redirect off;',
    ...sec,
    ...block(`location = ${HEALTH_PATH}`, ['access_log off;', 'default_type text/plain;', 'return 200 "ok\\n";'], ''),
    ...block(
      `location ^~ ${site.assetsPath}`,
      [
        'try_files $uri =404;',
        ...withCache(REVALIDATE_CACHE_CONTROL),
        ...block(`location ~ "${site.hashedAssetPattern}"`, ['try_files $uri =404;', ...withCache(immutableCacheControl(site))], ''),
      ],
      '',
    ),
    ...block('location = /index.html', withCache(REVALIDATE_CACHE_CONTROL), ''),
    ...block('location /', ['try_files $uri $uri/ /index.html;', ...withCache(REVALIDATE_CACHE_CONTROL)], ''),
  ];
  const http = [
    'include /etc/nginx/mime.types;',
    'default_type application/octet-stream;',
    `log_format main escape=json '{"time":"$time_iso8601","remote_addr":"$remote_addr","forwarded_for":"$http_x_forwarded_for","request":"$request","status":$status,"bytes":$body_bytes_sent,"referer":"$http_referer","user_agent":"$http_user_agent","request_time":$request_time}';`,
    'access_log /dev/stdout main;',
    'server_tokens off;',
    'sendfile on;',
    'tcp_nopush on;',
    'keepalive_timeout 65;',
    ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((k) => `${k}_temp_path ${t}/${k.replace('_body', '')}_temp;`),
    'gzip on;',
    'gzip_vary on;',
    'gzip_proxied any;',
    'gzip_comp_level 5;',
    `gzip_min_length ${site.gzipMinLength};`,
    `gzip_types ${GZIP_TYPES.join(' ')};`,
    ...block('server', server, ''),
  ];
  const lines = [
    '# Generated by StaticSite (constructs/static-site/nginx-conf.ts); edit the props, not this file.',
    'worker_processes auto;',
    `pid ${t}/nginx.pid;`,
    'error_log stderr warn;',
    ...block('events', ['worker_connections 1024;'], ''),
    ...block('http', http, ''),
  ];
  return indentNested(lines).join('\n') + '\n';
}

/** Indents each line by its brace depth, so that nested blocks read as nginx's own examples do. */
function indentNested(lines: string[]): string[] {
  let depth = 0;
  return lines.map((raw) => {
    const line = raw.trim();
    if (line.startsWith('}')) depth--;
    const out = `${'  '.repeat(Math.max(depth, 0))}${line}`;
    if (line.endsWith('{')) depth++;
    return out;
  });
}
