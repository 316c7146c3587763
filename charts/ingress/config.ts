/**
 * A public host name in lower case, at least two labels.
 * @pattern ^([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\.)+[a-z]([-a-z0-9]{0,61}[a-z0-9])?$
 */
export type PublicHostName = string;

/** The ACME ClusterIssuer that signs every public certificate of the environment (HTTP-01). */
export interface AcmeIssuerConfig {
  /**
   * Name of the ClusterIssuer (chart `cert-manager`), which every Certificate names.
   * @pattern ^[a-z0-9]([-a-z0-9]*[a-z0-9])?$
   */
  readonly name: string;
  /**
   * ACME directory URL, e.g. Let's Encrypt's `https://acme-v02.api.letsencrypt.org/directory`
   * (or its staging directory, whose certificates browsers do not trust).
   * @pattern ^https://[^\s]+$
   */
  readonly server: string;
  /**
   * Contact of the ACME account (expiry warnings).
   * @pattern ^[^@\s]+@[^@\s]+\.[a-z]{2,}$
   */
  readonly email: string;
}

/** Kong's rate limit for every API route. */
export interface EdgeRateLimitConfig {
  /**
   * Requests per minute per client address, per Kong pod (docs/edge.md).
   * @asType integer
   * @minimum 1
   * @maximum 1000000
   */
  readonly requestsPerMinute: number;
}

/**
 * The `edge` block of an environment: its public hosts, the certificate issuer, the WAF and the
 * API gateway's limits. Read by the `ingress`, `cert-manager`, `app-frontend` and `app-core`
 * charts. The JSON schema is generated from this type (`npm run schema`). See docs/edge.md.
 */
export interface EdgeConfig {
  /** Public host of the React frontend (ingress-nginx). */
  readonly frontendHost: PublicHostName;
  /** Public host of the APIs (Kong). */
  readonly apiHost: PublicHostName;
  readonly issuer: AcmeIssuerConfig;
  /** ModSecurity with the OWASP Core Rule Set, blocking, on the frontend's Ingress. */
  readonly waf: boolean;
  /**
   * Browser origins allowed to call the APIs (Kong's CORS plugin), e.g. `https://app.example.com`.
   * @minItems 1
   */
  readonly corsOrigins: readonly string[];
  readonly rateLimit: EdgeRateLimitConfig;
  /**
   * Largest request body Kong accepts, in megabytes.
   * @asType integer
   * @minimum 1
   * @maximum 1024
   */
  readonly maxRequestBodyMegabytes: number;
  /**
   * The Keycloak realm whose tokens Kong accepts (the `iss` claim): `https://<keycloak>/realms/<realm>`.
   * Its RS256 public key is read from the store key `<env>/edge/keycloak-realm`.
   * @pattern ^https://[^\s]+/realms/[^\s/]+$
   */
  readonly jwtIssuer: string;
}

/** The origin (`https://host`) of a public host. */
export function httpsOrigin(host: string): string {
  return `https://${host}`;
}
