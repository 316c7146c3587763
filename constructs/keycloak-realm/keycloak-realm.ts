import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { DEFAULT_PART_OF, LABEL_COMPONENT, LABEL_MANAGED_BY, LABEL_NAME, LABEL_PART_OF, MANAGED_BY } from '../lib/labels';
import { PropChecks } from '../lib/prop-errors';
import { ClientRepresentation, ProtocolMapperRepresentation, RealmRepresentation } from './representation';

/** Whether a client keeps a secret (a server) or cannot (a browser app, which uses PKCE instead). */
export class ClientKind {
  /** A server-side client with a client secret (Grafana, a service calling with client credentials). */
  public static readonly CONFIDENTIAL = new ClientKind('confidential');
  /** A browser or mobile app: no secret, authorization code with PKCE (S256) only. */
  public static readonly PUBLIC = new ClientKind('public');
  private constructor(public readonly value: string) {}
}

export interface OidcClientProps {
  /** The client id, also the `aud` value other clients' tokens can carry for it. */
  readonly clientId: string;
  /** @default - the client id */
  readonly name?: string;
  readonly kind: ClientKind;
  /** The app's URL; relative redirect URIs resolve against it. @default - none */
  readonly rootUrl?: string;
  /** Where Keycloak may send the browser back after login: https URLs, a trailing `*` allowed. @default - none (no browser login) */
  readonly redirectUris?: readonly string[];
  /** Origins allowed to call the token endpoint from a browser (CORS). @default - none */
  readonly webOrigins?: readonly string[];
  /** Where Keycloak may send the browser after logout. @default - none */
  readonly postLogoutRedirectUris?: readonly string[];
  /** Client credentials grant (machine callers); confidential clients only. @default false */
  readonly serviceAccounts?: boolean;
  /** Other clients of the realm added to this client's tokens' `aud` (the API gateway that checks them). @default - none */
  readonly audiences?: readonly string[];
}

export interface KeycloakRealmProps {
  /** The realm name: the last path segment of its issuer, `https://<host>/realms/<realm>`. */
  readonly realm: string;
  /** @default - the realm name */
  readonly displayName?: string;
  /** Namespace of the ConfigMap: Keycloak's. */
  readonly namespace: string;
  /** @default 'keycloak-realm' */
  readonly configMapName?: string;
  /** Group names; a `groups` claim (names, not paths) carries a user's groups in every token. */
  readonly groups: readonly string[];
  readonly clients: readonly OidcClientProps[];
  /** Access token lifetime in seconds. @default 300 */
  readonly accessTokenLifespanSeconds?: number;
  /** @default DEFAULT_PART_OF */
  readonly partOf?: string;
}

/** Key of the realm file in the ConfigMap: Keycloak's `--import-realm` reads every `*.json` of its import folder. */
export function realmFileName(realm: string): string {
  return `${realm}-realm.json`;
}

/** The import folder of the Keycloak container (`kc.sh start --import-realm`), where the ConfigMap is mounted. */
export const KEYCLOAK_IMPORT_DIR = '/opt/keycloak/data/import';

/** The claim that carries group names, for Kubernetes (`--oidc-groups-claim`) and Grafana (`groups_attribute_path`). */
export const GROUPS_CLAIM = 'groups';

const CLIENT_ID = /^[a-z][a-z0-9-]{0,62}$/;
const GROUP_NAME = /^[a-z][a-z0-9-]{0,62}$/;
const HTTPS_URI = /^https:\/\/[a-z0-9.-]+(:[0-9]+)?(\/[^\s*]*)?\*?$/;
const HTTPS_ORIGIN = /^https:\/\/[a-z0-9.-]+(:[0-9]+)?$/;

/**
 * The environment variable Keycloak reads a confidential client's secret from at import: the
 * realm file holds only `${KC_CLIENT_SECRET_<ID>}`, which Keycloak's `--import-realm` resolves
 * from its own environment (Keycloak server guide, "Using environment variables within the realm
 * configuration files"). The values come from an ExternalSecret, never from git.
 */
export function clientSecretVariable(clientId: string): string {
  return `KC_CLIENT_SECRET_${clientId.toUpperCase().replace(/-/g, '_')}`;
}

/**
 * A Keycloak realm as data: groups, OIDC clients with a `groups` claim, and hardened realm
 * settings (brute-force protection, no self-registration, TLS outside private networks, admin
 * events on). Written as the realm file of a ConfigMap that the Keycloak chart mounts into its
 * import folder; it holds no secret (client secrets are `${VAR}` placeholders, see
 * `clientSecretVariable`). Keycloak imports a realm only when it does not exist yet: later changes
 * are applied by deleting the realm or with the admin API (docs/security.md).
 */
export class KeycloakRealm extends Construct {
  public readonly representation: RealmRepresentation;
  public readonly configMapName: string;
  /** The ConfigMap key holding the realm file. */
  public readonly fileName: string;
  /** Client id -> the environment variable its secret is read from, for every confidential client. */
  public readonly secretVariables: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: KeycloakRealmProps) {
    super(scope, id);
    validate(this, props);
    this.configMapName = props.configMapName ?? 'keycloak-realm';
    this.fileName = realmFileName(props.realm);
    this.secretVariables = Object.fromEntries(
      props.clients.filter((c) => c.kind === ClientKind.CONFIDENTIAL).map((c) => [c.clientId, clientSecretVariable(c.clientId)]),
    );
    this.representation = {
      realm: props.realm,
      displayName: props.displayName ?? props.realm,
      enabled: true,
      sslRequired: 'external',
      registrationAllowed: false,
      resetPasswordAllowed: true,
      loginWithEmailAllowed: true,
      duplicateEmailsAllowed: false,
      bruteForceProtected: true,
      permanentLockout: false,
      failureFactor: 5,
      passwordPolicy: 'length(12) and notUsername and notEmail and passwordHistory(5)',
      accessTokenLifespan: props.accessTokenLifespanSeconds ?? 300,
      ssoSessionIdleTimeout: 1800,
      ssoSessionMaxLifespan: 36000,
      eventsEnabled: true,
      adminEventsEnabled: true,
      adminEventsDetailsEnabled: true,
      groups: props.groups.map((name) => ({ name, path: `/${name}` })),
      clients: props.clients.map(clientRepresentation),
    };
    new k8s.KubeConfigMap(this, 'Resource', {
      metadata: {
        name: this.configMapName,
        namespace: props.namespace,
        labels: {
          [LABEL_NAME]: 'keycloak',
          [LABEL_COMPONENT]: 'realm',
          [LABEL_PART_OF]: props.partOf ?? DEFAULT_PART_OF,
          [LABEL_MANAGED_BY]: MANAGED_BY,
        },
      },
      data: { [this.fileName]: `${JSON.stringify(this.representation, undefined, 2)}\n` },
    });
  }
}

function clientRepresentation(c: OidcClientProps): ClientRepresentation {
  const confidential = c.kind === ClientKind.CONFIDENTIAL;
  const redirectUris = [...(c.redirectUris ?? [])];
  const attributes: Record<string, string> = {};
  if (!confidential) {
    attributes['pkce.code.challenge.method'] = 'S256';
  }
  if (c.postLogoutRedirectUris?.length) {
    attributes['post.logout.redirect.uris'] = c.postLogoutRedirectUris.join('##');
  }
  const mappers: ProtocolMapperRepresentation[] = [
    {
      name: GROUPS_CLAIM,
      protocol: 'openid-connect',
      protocolMapper: 'oidc-group-membership-mapper',
      config: {
        'claim.name': GROUPS_CLAIM,
        'full.path': 'false',
        'id.token.claim': 'true',
        'access.token.claim': 'true',
        'userinfo.token.claim': 'true',
      },
    },
    ...(c.audiences ?? []).map((aud) => ({
      name: `audience-${aud}`,
      protocol: 'openid-connect' as const,
      protocolMapper: 'oidc-audience-mapper',
      config: { 'included.client.audience': aud, 'id.token.claim': 'false', 'access.token.claim': 'true' },
    })),
  ];
  return {
    clientId: c.clientId,
    name: c.name ?? c.clientId,
    enabled: true,
    protocol: 'openid-connect',
    publicClient: !confidential,
    ...(confidential ? { clientAuthenticatorType: 'client-secret' as const, secret: `\${${clientSecretVariable(c.clientId)}}` } : {}),
    ...(c.rootUrl ? { rootUrl: c.rootUrl, baseUrl: '/' } : {}),
    redirectUris,
    webOrigins: [...(c.webOrigins ?? [])],
    standardFlowEnabled: redirectUris.length > 0,
    implicitFlowEnabled: false,
    directAccessGrantsEnabled: false,
    serviceAccountsEnabled: c.serviceAccounts ?? false,
    frontchannelLogout: true,
    ...(Object.keys(attributes).length > 0 ? { attributes } : {}),
    protocolMappers: mappers,
  };
}

function validate(scope: Construct, props: KeycloakRealmProps): void {
  const check = new PropChecks(scope);
  check.that(GROUP_NAME.test(props.realm), 'realm', 'must be lower-case letters, digits and -', props.realm);
  check.that(props.realm !== 'master', 'realm', 'must not be "master" (Keycloak refuses to import it)', props.realm);
  check.dnsLabel(props.namespace, 'namespace');
  check.integer(props.accessTokenLifespanSeconds, 'accessTokenLifespanSeconds', 60, 3600);
  const duplicates = (xs: readonly string[]): string[] => [...new Set(xs.filter((x, i) => xs.indexOf(x) !== i))];
  check.that(duplicates(props.groups).length === 0, 'groups', 'must be unique', duplicates(props.groups));
  props.groups.forEach((g, i) => check.that(GROUP_NAME.test(g), `groups[${i}]`, 'must be lower-case letters, digits and -', g));
  const ids = props.clients.map((c) => c.clientId);
  check.that(duplicates(ids).length === 0, 'clients', 'client ids must be unique', duplicates(ids));
  props.clients.forEach((c, i) => {
    const at = `clients[${i}]`;
    check.that(CLIENT_ID.test(c.clientId), `${at}.clientId`, 'must be lower-case letters, digits and -', c.clientId);
    (c.redirectUris ?? []).forEach((u, j) =>
      check.that(HTTPS_URI.test(u), `${at}.redirectUris[${j}]`, 'must be an https URL (a trailing * allowed, no bare wildcard)', u),
    );
    (c.postLogoutRedirectUris ?? []).forEach((u, j) =>
      check.that(HTTPS_URI.test(u), `${at}.postLogoutRedirectUris[${j}]`, 'must be an https URL', u),
    );
    (c.webOrigins ?? []).forEach((o, j) => check.that(HTTPS_ORIGIN.test(o), `${at}.webOrigins[${j}]`, 'must be an https origin (no path, no *)', o));
    check.that(
      !(c.kind === ClientKind.PUBLIC && c.serviceAccounts),
      `${at}.serviceAccounts`,
      'a public client cannot use the client credentials grant (it has no secret)',
      c.serviceAccounts,
    );
    (c.audiences ?? []).forEach((a, j) =>
      check.that(ids.includes(a) && a !== c.clientId, `${at}.audiences[${j}]`, 'must name another client of the realm', a),
    );
  });
  check.throwIfAny();
}
