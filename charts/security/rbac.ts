import { AccessLevel, TeamGrant, TeamRbacProps } from '../../constructs/team-rbac';
import { EnvironmentConfig } from '../../environments/types';

/**
 * The prefix the API server adds to the groups of an OIDC token (`--oidc-groups-prefix=oidc:`):
 * Keycloak's `developer` is Kubernetes' `oidc:developer` (docs/security.md: the API server flags).
 */
export const OIDC_GROUP_PREFIX = 'oidc:';

/** Environments where developers change workloads themselves; everywhere else they read. */
export const DEVELOPER_WRITE_ENVIRONMENTS: readonly string[] = ['dev', 'staging'];

/**
 * Team access in an environment: platform-admin administers every platform namespace and reads the
 * cluster; developers edit the app-* namespaces in dev and staging and only read them in prod and
 * dr; auditors read everything but Secrets, cluster-wide.
 */
export function teamGrants(config: EnvironmentConfig, namespaces: readonly string[]): TeamRbacProps {
  const developer = DEVELOPER_WRITE_ENVIRONMENTS.includes(config.name) ? AccessLevel.EDIT : AccessLevel.VIEW;
  const teams: TeamGrant[] = [
    { group: 'platform-admin', namespaces: Object.fromEntries(namespaces.map((ns) => [ns, AccessLevel.ADMIN])), clusterWide: AccessLevel.AUDIT },
    { group: 'developer', namespaces: Object.fromEntries(namespaces.filter((ns) => ns.startsWith('app-')).map((ns) => [ns, developer])) },
    { group: 'auditor', clusterWide: AccessLevel.AUDIT },
  ];
  return { groupPrefix: OIDC_GROUP_PREFIX, teams };
}
