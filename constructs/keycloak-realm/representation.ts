/**
 * The part of Keycloak's `RealmRepresentation` we write, typed (field names as in Keycloak's
 * admin REST API, `org.keycloak.representations.idm`; proven shape: Keycloak 24's realm export).
 * https://www.keycloak.org/docs-api/24.0.0/rest-api/index.html#RealmRepresentation
 */

export interface ProtocolMapperRepresentation {
  readonly name: string;
  readonly protocol: 'openid-connect';
  /** Mapper provider id, e.g. `oidc-group-membership-mapper`, `oidc-audience-mapper`. */
  readonly protocolMapper: string;
  readonly config: Readonly<Record<string, string>>;
}

export interface ClientRepresentation {
  readonly clientId: string;
  readonly name?: string;
  readonly enabled: boolean;
  readonly protocol: 'openid-connect';
  readonly publicClient: boolean;
  readonly clientAuthenticatorType?: 'client-secret';
  /** Only ever a `${VAR}` placeholder that Keycloak's import resolves from its environment. */
  readonly secret?: string;
  readonly rootUrl?: string;
  readonly baseUrl?: string;
  readonly redirectUris: readonly string[];
  readonly webOrigins: readonly string[];
  readonly standardFlowEnabled: boolean;
  readonly implicitFlowEnabled: boolean;
  readonly directAccessGrantsEnabled: boolean;
  readonly serviceAccountsEnabled: boolean;
  readonly frontchannelLogout?: boolean;
  readonly attributes?: Readonly<Record<string, string>>;
  readonly protocolMappers?: readonly ProtocolMapperRepresentation[];
}

export interface GroupRepresentation {
  readonly name: string;
  readonly path: string;
  readonly attributes?: Readonly<Record<string, readonly string[]>>;
}

export interface RealmRepresentation {
  readonly realm: string;
  readonly displayName?: string;
  readonly enabled: boolean;
  /** `external`: TLS for every request not from a private address. */
  readonly sslRequired: 'all' | 'external' | 'none';
  readonly registrationAllowed: boolean;
  readonly resetPasswordAllowed: boolean;
  readonly loginWithEmailAllowed: boolean;
  readonly duplicateEmailsAllowed: boolean;
  readonly bruteForceProtected: boolean;
  readonly permanentLockout: boolean;
  readonly failureFactor: number;
  readonly passwordPolicy: string;
  readonly accessTokenLifespan: number;
  readonly ssoSessionIdleTimeout: number;
  readonly ssoSessionMaxLifespan: number;
  readonly eventsEnabled: boolean;
  readonly adminEventsEnabled: boolean;
  readonly adminEventsDetailsEnabled: boolean;
  readonly groups: readonly GroupRepresentation[];
  readonly clients: readonly ClientRepresentation[];
}
