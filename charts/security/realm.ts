import { ClientKind, KeycloakRealmProps, OidcClientProps } from '../../constructs/keycloak-realm';
import { EnvironmentConfig } from '../../environments/types';

/** The teams of the platform: Keycloak groups, and the Kubernetes groups they become (`oidc:<group>`). */
export const TEAM_GROUPS = ['platform-admin', 'developer', 'auditor'] as const;
export type TeamGroup = (typeof TEAM_GROUPS)[number];

/** The realm's OIDC clients. */
export const CLIENTS = {
  /** The browser app (app-frontend): public, PKCE; its tokens carry `aud: kong`. */
  frontend: 'frontend',
  /** The API gateway: the audience of the tokens it checks (Kong OSS `jwt` plugin, charts/app-core). */
  kong: 'kong',
  /** Grafana's generic OAuth login (kube-prometheus-stack's Grafana). */
  grafana: 'grafana',
} as const;

/** Path of Grafana's OAuth callback (`[auth.generic_oauth]`). */
export const GRAFANA_CALLBACK = '/login/generic_oauth';

/** The realm and the public DNS zone, from the issuer Kong checks tokens against (`edge.jwtIssuer`), so the two never disagree. */
export function realmOfIssuer(issuer: string): { realm: string; authHost: string; domain: string } {
  const url = new URL(issuer);
  const m = /^\/realms\/([^/]+)\/?$/.exec(url.pathname);
  if (!m) {
    throw new Error(`edge.jwtIssuer: must be https://<host>/realms/<realm> (got ${JSON.stringify(issuer)})`);
  }
  const host = url.hostname;
  return { realm: m[1], authHost: host, domain: host.slice(host.indexOf('.') + 1) };
}

/** Grafana's public host: `grafana.<domain>` (the monitoring add-on's Ingress uses the same). */
export function grafanaHost(config: EnvironmentConfig): string {
  return `grafana.${realmOfIssuer(config.edge.jwtIssuer).domain}`;
}

/**
 * The `receivables` realm of an environment: the three team groups, and the clients with their
 * redirect URIs on the environment's hosts (`app.`, `grafana.` of its domain). Kong OSS has no
 * openid-connect plugin, so Kong takes part in no browser login: it checks the frontend's tokens
 * with the `jwt` plugin (the realm's RS256 public key; charts/app-core), and its client exists so
 * that tokens name it in `aud`.
 */
export function realmProps(config: EnvironmentConfig, namespace: string): KeycloakRealmProps {
  const { realm } = realmOfIssuer(config.edge.jwtIssuer);
  const app = `https://${config.edge.frontendHost}`;
  const grafana = `https://${grafanaHost(config)}`;
  const clients: OidcClientProps[] = [
    {
      clientId: CLIENTS.frontend,
      name: 'Receivables web app',
      kind: ClientKind.PUBLIC,
      rootUrl: app,
      redirectUris: [`${app}/*`],
      webOrigins: [app],
      postLogoutRedirectUris: [`${app}/*`],
      audiences: [CLIENTS.kong],
    },
    { clientId: CLIENTS.kong, name: 'API gateway (token audience)', kind: ClientKind.CONFIDENTIAL },
    {
      clientId: CLIENTS.grafana,
      name: 'Grafana',
      kind: ClientKind.CONFIDENTIAL,
      rootUrl: grafana,
      redirectUris: [`${grafana}${GRAFANA_CALLBACK}`],
      webOrigins: [grafana],
      postLogoutRedirectUris: [`${grafana}/login`],
    },
  ];
  return { realm, displayName: `Receivables (${config.name})`, namespace, groups: [...TEAM_GROUPS], clients };
}
