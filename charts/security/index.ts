import { App } from 'cdk8s';
import { KeycloakRealm } from '../../constructs/keycloak-realm';
import { managedSecret } from '../../constructs/lib/external-secret';
import { TeamRbac } from '../../constructs/team-rbac';
import { EnvironmentConfig } from '../../environments/types';
import { PlatformChart } from '../platform-chart';
import { SECRET_STORE } from '../shared';
import { realmProps } from './realm';
import { teamGrants } from './rbac';

export * from './audit';
export * from './realm';
export * from './rbac';

/** The namespace of the chart (Keycloak's, installed by the add-ons). */
export const SECURITY_NAMESPACE = 'security';
/** The Secret the Keycloak pod reads its client secrets from (`extraEnvFrom`), for the realm import's placeholders. */
export const KEYCLOAK_CLIENT_SECRETS = 'keycloak-client-secrets';

/** Where the confidential clients' secrets are in the store: one entry, a property per client id. */
export function keycloakClientsRemoteKey(config: EnvironmentConfig): string {
  return `${config.name}/security/keycloak-clients`;
}

/**
 * `security`: the Keycloak realm as data (ConfigMap `keycloak-realm`, which the Keycloak chart
 * mounts into its import folder), the client secrets it refers to (ExternalSecret, never in git),
 * and the teams' RBAC over the platform namespaces, bound to the realm's groups. Keycloak itself
 * is an add-on; the audit policy file of the environment is `auditPolicyFile()` (dist/<env>/cluster/).
 */
export class SecurityChart extends PlatformChart {
  public readonly realm: KeycloakRealm;
  public readonly rbac: TeamRbac;

  constructor(scope: App, config: EnvironmentConfig, platformNamespaces: readonly string[]) {
    super(scope, SECURITY_NAMESPACE, { config, namespace: SECURITY_NAMESPACE });
    this.realm = new KeycloakRealm(this, 'Realm', realmProps(config, this.ns.name));
    const remoteKey = keycloakClientsRemoteKey(config);
    managedSecret(this, 'ClientSecrets', {
      name: KEYCLOAK_CLIENT_SECRETS,
      namespace: this.ns.name,
      labels: { ...this.ns.commonLabels },
      store: SECRET_STORE,
      keys: Object.entries(this.realm.secretVariables).map(([clientId, variable]) => ({ secretKey: variable, remoteKey, property: clientId })),
      // Rotation: a new value reaches the Secret within the hour; Keycloak reads it at the next import (docs/security.md).
      refreshInterval: '1h',
    });
    this.rbac = new TeamRbac(this, 'Teams', teamGrants(config, platformNamespaces));
  }
}
