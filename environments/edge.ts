import { EdgeConfig } from './types';

/** Let's Encrypt's ACME directories: `staging` issues untrusted certificates without the production rate limits. */
export const LETS_ENCRYPT = {
  production: { name: 'letsencrypt-prod', server: 'https://acme-v02.api.letsencrypt.org/directory' },
  staging: { name: 'letsencrypt-staging', server: 'https://acme-staging-v02.api.letsencrypt.org/directory' },
} as const;

/** What differs between the environments' edges. */
export interface EdgeChoices {
  /** DNS zone of the public hosts: `app.<domain>`, `api.<domain>`, `auth.<domain>` (Keycloak). */
  readonly domain: string;
  readonly letsEncrypt: keyof typeof LETS_ENCRYPT;
  readonly waf: boolean;
  readonly requestsPerMinute: number;
}

/**
 * The `edge` block of an environment on the platform's naming: the frontend on `app.`, the APIs on
 * `api.` (CORS for the frontend's origin only), the Keycloak realm `receivables` on `auth.`.
 */
export function edgeOf(c: EdgeChoices): EdgeConfig {
  const frontendHost = `app.${c.domain}`;
  return {
    frontendHost,
    apiHost: `api.${c.domain}`,
    issuer: { ...LETS_ENCRYPT[c.letsEncrypt], email: 'platform-team@receivables.example.com' },
    waf: c.waf,
    corsOrigins: [`https://${frontendHost}`],
    rateLimit: { requestsPerMinute: c.requestsPerMinute },
    maxRequestBodyMegabytes: 8,
    jwtIssuer: `https://auth.${c.domain}/realms/receivables`,
  };
}
