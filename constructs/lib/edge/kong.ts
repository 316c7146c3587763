import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { KongConsumer } from '../../../imports/kong-consumer-configuration.konghq.com';
import { KongPlugin } from '../../../imports/kong-plugin-configuration.konghq.com';
import { managedSecret, SecretStoreRef } from '../external-secret';
import { standardLabels } from '../labels';
import { isDnsLabel, PropChecks } from '../prop-errors';
import { checkHosts, publicCertificate, PublicIssuer } from './certificate';
import { checkBackend, IngressBackend, ingressPath } from './public-ingress';

/** The IngressClass of the Kong Ingress Controller (its Helm chart's default). */
export const KONG_INGRESS_CLASS = 'kong';
/** The annotation that attaches KongPlugins to a route, in order of name (Kong orders them by plugin priority). */
export const KONG_PLUGINS_ANNOTATION = 'konghq.com/plugins';
/** The label KIC 3.x reads a consumer credential Secret's type from. */
export const KONG_CREDENTIAL_LABEL = 'konghq.com/credential';

/** How rate-limited clients are told apart (`limit_by` of Kong's rate-limiting plugin). */
export type RateLimitBy = 'ip' | 'consumer' | 'credential';

export interface KongRateLimitProps {
  /** Requests per minute per client. */
  readonly requestsPerMinute: number;
  /**
   * Behind the `jwt` plugin every token of a realm is one consumer, so `consumer` would be one
   * bucket for all users: per client address is the default. @default 'ip'
   */
  readonly limitBy?: RateLimitBy;
}

export interface KongCorsProps {
  /** Origins allowed to call the API from a browser (`https://app.example.com`); no wildcard, credentials are allowed. */
  readonly origins: readonly string[];
  /** @default ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] */
  readonly methods?: readonly string[];
  /** Preflight cache in the browser. @default 3600 */
  readonly maxAgeSeconds?: number;
}

/**
 * Token validation against a Keycloak realm with Kong OSS's `jwt` plugin: one KongConsumer per
 * realm whose JWT credential's key is the realm's issuer URL (matched against the token's `iss`)
 * and whose RS256 public key is the realm's. The key is public, but Kong reads credentials from
 * Secrets only, so it comes from the secret store through an ExternalSecret (docs/edge.md).
 */
export interface KongJwtProps {
  /** The realm's issuer, `https://<keycloak>/realms/<realm>`: the `iss` claim of its tokens. */
  readonly issuer: string;
  /** The store the public key is read from. */
  readonly secretStore: SecretStoreRef;
  /** Key in the store holding the realm's RS256 public key (PEM). */
  readonly publicKeyRemoteKey: string;
  /** Property of that key's JSON value. @default 'public-key' */
  readonly publicKeyProperty?: string;
}

/** One API route: requests for `host` + `path` go to `backend`. */
export interface KongRouteProps {
  /** A DNS label; the Ingress is `<api name>-<name>`. */
  readonly name: string;
  /** Path prefix, such as `/invoices`. */
  readonly path: string;
  readonly backend: IngressBackend;
  /** Remove `path` before proxying (`konghq.com/strip-path`). @default true */
  readonly stripPath?: boolean;
  /** Serve without a token (login, public health). @default false */
  readonly anonymous?: boolean;
  /** More KongPlugins in the namespace for this route, such as a per-plan rate limit. @default - none */
  readonly plugins?: readonly string[];
}

export interface KongApiProps {
  /** Base name of every object: `<name>-rate-limit`, `<name>-<route>`, `<name>-tls`. */
  readonly name: string;
  readonly namespace: string;
  /** Public host names of the API. */
  readonly hosts: readonly string[];
  /** The ClusterIssuer that signs the API's certificate. */
  readonly issuer: PublicIssuer;
  readonly rateLimit: KongRateLimitProps;
  /** Largest request body in megabytes (`request-size-limiting`). @default 8 */
  readonly maxRequestBodyMegabytes?: number;
  /** @default - no CORS headers: browsers may not call the API from another origin */
  readonly cors?: KongCorsProps;
  /** @default - no token check on any route (a warning-free choice for internal APIs only) */
  readonly jwt?: KongJwtProps;
  /** @default - none; add them with addRoute */
  readonly routes?: readonly KongRouteProps[];
  /** Labels of every object. @default - the recommended labels with name and instance `name`, component `api-gateway` */
  readonly labels?: Record<string, string>;
}

const DEFAULT_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
const HTTP_METHODS = new Set([...DEFAULT_METHODS, 'CONNECT', 'TRACE']);
const ORIGIN = /^https?:\/\/[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]{1,5})?$/;
const HTTPS_URL = /^https:\/\/[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]{1,5})?(\/[A-Za-z0-9._~%-]+)*$/;
const PATH = /^\/([A-Za-z0-9._~-]+(\/[A-Za-z0-9._~-]+)*)?$/;

/**
 * API routes through the Kong Ingress Controller: one `Ingress` (class `kong`) per route with its
 * plugins named in `konghq.com/plugins`, the `KongPlugin`s (rate limiting, request-size limiting,
 * CORS, JWT), the Keycloak consumer, and the API's certificate.
 */
export class KongApi extends Construct {
  /** The KongPlugins every route carries, in the order they are named on it. */
  public readonly commonPlugins: readonly string[];
  public readonly tlsSecretName: string;
  public readonly hosts: readonly string[];
  private readonly props: KongApiProps;
  private readonly labels: Record<string, string>;
  private readonly routeNames = new Set<string>();

  constructor(scope: Construct, id: string, props: KongApiProps) {
    super(scope, id);
    checkApiProps(this, props);
    this.props = props;
    this.hosts = [...props.hosts];
    this.labels = props.labels ?? standardLabels({ name: props.name, instance: props.name, component: 'api-gateway' });
    this.commonPlugins = this.addCommonPlugins();
    if (props.jwt) {
      this.addKeycloakConsumer(props.jwt);
    }
    this.tlsSecretName = publicCertificate(this, 'Certificate', {
      name: `${props.name}-tls`,
      namespace: props.namespace,
      labels: this.labels,
      hosts: props.hosts,
      issuer: props.issuer,
    });
    for (const r of props.routes ?? []) {
      this.addRoute(r);
    }
  }

  /** The name of this API's JWT plugin, when it checks tokens. */
  public get jwtPlugin(): string | undefined {
    return this.props.jwt ? `${this.props.name}-jwt` : undefined;
  }

  /** Routes `path` on every host of the API to `backend`, behind the common plugins (and JWT unless anonymous). */
  public addRoute(route: KongRouteProps): void {
    const check = new PropChecks(this);
    const f = `routes[${route.name}]`;
    check.dnsLabel(route.name, `${f}.name`, 63 - this.props.name.length - 1);
    check.that(!this.routeNames.has(route.name), `${f}.name`, 'must be unique in the API', route.name);
    check.that(PATH.test(route.path), `${f}.path`, 'must be an absolute URL path such as /invoices (no trailing "/")', route.path);
    checkBackend(route.backend, check, `${f}.backend`);
    for (const p of route.plugins ?? []) {
      check.that(isDnsLabel(p, 253), `${f}.plugins`, 'must be KongPlugin names', p);
    }
    check.throwIfAny();
    this.routeNames.add(route.name);
    const plugins = [...this.commonPlugins, ...(route.anonymous || !this.jwtPlugin ? [] : [this.jwtPlugin]), ...(route.plugins ?? [])];
    new k8s.KubeIngress(this, `Route-${route.name}`, {
      metadata: {
        name: `${this.props.name}-${route.name}`,
        namespace: this.props.namespace,
        labels: this.labels,
        annotations: {
          [KONG_PLUGINS_ANNOTATION]: plugins.join(','),
          'konghq.com/strip-path': String(route.stripPath ?? true),
          'konghq.com/protocols': 'https',
          'konghq.com/https-redirect-status-code': '308',
        },
      },
      spec: {
        ingressClassName: KONG_INGRESS_CLASS,
        tls: [{ hosts: [...this.hosts], secretName: this.tlsSecretName }],
        rules: this.hosts.map((host) => ({ host, http: { paths: [ingressPath(route.path, route.backend)] } })),
      },
    });
  }

  private addCommonPlugins(): string[] {
    const p = this.props;
    const plugin = (suffix: string, name: string, config: Record<string, unknown>): string => {
      const pluginName = `${p.name}-${suffix}`;
      new KongPlugin(this, suffix, { metadata: { name: pluginName, namespace: p.namespace, labels: this.labels }, plugin: name, config });
      return pluginName;
    };
    const names: string[] = [];
    if (p.cors) {
      // First on the route, so that a preflight is answered before any check (the plugin's priority does the same).
      names.push(plugin('cors', 'cors', corsConfig(p.cors)));
    }
    names.push(
      plugin('rate-limit', 'rate-limiting', {
        minute: p.rateLimit.requestsPerMinute,
        limit_by: p.rateLimit.limitBy ?? 'ip',
        // Counters per Kong pod: no extra datastore; with n pods a client may get up to n times the limit.
        policy: 'local',
        fault_tolerant: true,
      }),
      plugin('request-size', 'request-size-limiting', {
        allowed_payload_size: p.maxRequestBodyMegabytes ?? 8,
        size_unit: 'megabytes',
        require_content_length: false,
      }),
    );
    if (p.jwt) {
      plugin('jwt', 'jwt', {
        key_claim_name: 'iss',
        claims_to_verify: ['exp'],
        header_names: ['authorization'],
        uri_param_names: [],
        cookie_names: [],
        secret_is_base64: false,
        run_on_preflight: false,
      });
    }
    return names;
  }

  private addKeycloakConsumer(jwt: KongJwtProps): void {
    const p = this.props;
    const credential = `${p.name}-keycloak-jwt`;
    managedSecret(this, 'KeycloakKey', {
      name: credential,
      namespace: p.namespace,
      labels: this.labels,
      store: jwt.secretStore,
      keys: [{ secretKey: 'rsa_public_key', remoteKey: jwt.publicKeyRemoteKey, property: jwt.publicKeyProperty ?? 'public-key' }],
      template: {
        labels: { [KONG_CREDENTIAL_LABEL]: 'jwt' },
        data: { key: jwt.issuer, algorithm: 'RS256', rsa_public_key: '{{ .rsa_public_key }}' },
      },
    });
    new KongConsumer(this, 'KeycloakConsumer', {
      metadata: {
        name: `${p.name}-keycloak`,
        namespace: p.namespace,
        labels: this.labels,
        annotations: { 'kubernetes.io/ingress.class': KONG_INGRESS_CLASS },
      },
      username: `${p.name}-keycloak`,
      credentials: [credential],
    });
  }
}

function corsConfig(cors: KongCorsProps): Record<string, unknown> {
  return {
    origins: [...cors.origins],
    methods: [...(cors.methods ?? DEFAULT_METHODS)],
    headers: ['Accept', 'Authorization', 'Content-Type', 'X-Request-Id'],
    exposed_headers: ['X-Request-Id', 'RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset'],
    credentials: true,
    max_age: cors.maxAgeSeconds ?? 3600,
    preflight_continue: false,
  };
}

function checkApiProps(scope: Construct, props: KongApiProps): void {
  const check = new PropChecks(scope);
  check.dnsLabel(props.name, 'name', 40);
  check.dnsLabel(props.namespace, 'namespace');
  checkHosts(props.hosts, check, 'hosts');
  check.that(isDnsLabel(props.issuer?.name ?? '', 253), 'issuer.name', 'must name a ClusterIssuer', props.issuer?.name);
  check.integer(props.rateLimit?.requestsPerMinute ?? 0, 'rateLimit.requestsPerMinute', 1, 1_000_000);
  const by = props.rateLimit?.limitBy ?? 'ip';
  check.that(['ip', 'consumer', 'credential'].includes(by), 'rateLimit.limitBy', 'must be ip, consumer or credential', by);
  check.integer(props.maxRequestBodyMegabytes, 'maxRequestBodyMegabytes', 1, 1024);
  if (props.cors) {
    const origins = props.cors.origins ?? [];
    check.that(origins.length > 0, 'cors.origins', 'must name at least one origin', origins);
    for (const o of origins) {
      check.that(ORIGIN.test(o), 'cors.origins', 'must be origins such as https://app.example.com (scheme and host, no path, no wildcard)', o);
    }
    for (const m of props.cors.methods ?? []) {
      check.that(HTTP_METHODS.has(m), 'cors.methods', 'must be HTTP methods in upper case', m);
    }
    check.integer(props.cors.maxAgeSeconds, 'cors.maxAgeSeconds', 0, 86400);
  }
  if (props.jwt) {
    check.that(HTTPS_URL.test(props.jwt.issuer ?? ''), 'jwt.issuer', 'must be an https URL such as https://auth.example.com/realms/receivables', props.jwt.issuer);
    check.that(!!props.jwt.publicKeyRemoteKey, 'jwt.publicKeyRemoteKey', 'must name a key in the secret store', props.jwt.publicKeyRemoteKey);
  }
  check.throwIfAny();
}
