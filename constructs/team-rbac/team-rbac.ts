import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { DEFAULT_PART_OF, LABEL_COMPONENT, LABEL_MANAGED_BY, LABEL_NAME, LABEL_PART_OF, MANAGED_BY } from '../lib/labels';
import { isDnsLabel, PropChecks } from '../lib/prop-errors';
import { AccessLevel } from './access-level';

/** One team (an identity-provider group) and what it may do where. */
export interface TeamGrant {
  /** The group name in the identity provider (Keycloak), without the API server's prefix. */
  readonly group: string;
  /** Namespace -> access level, each a RoleBinding to the level's ClusterRole. @default - none */
  readonly namespaces?: Readonly<Record<string, AccessLevel>>;
  /** A read-only level granted in every namespace and on cluster-scoped objects (a ClusterRoleBinding). @default - none */
  readonly clusterWide?: AccessLevel;
}

export interface TeamRbacProps {
  /**
   * The prefix the API server puts before every group of an OIDC token (`--oidc-groups-prefix`),
   * e.g. `oidc:`; it keeps IdP groups apart from `system:` groups.
   */
  readonly groupPrefix: string;
  readonly teams: readonly TeamGrant[];
  /** Prefix of the ClusterRole names (`<prefix>view`, ...). @default 'receivables-' */
  readonly rolePrefix?: string;
  /** @default DEFAULT_PART_OF */
  readonly partOf?: string;
}

const RBAC_GROUP = 'rbac.authorization.k8s.io';

/**
 * Team access bound to identity-provider groups: one ClusterRole per access level in use, a
 * RoleBinding per team and namespace (a RoleBinding to a ClusterRole grants it in that namespace
 * only), and a ClusterRoleBinding for a team's cluster-wide read-only level. Subjects are
 * `Group`s named `<groupPrefix><group>`, what the API server makes of an OIDC token's groups claim.
 */
export class TeamRbac extends Construct {
  /** Access level -> the ClusterRole that carries it. */
  public readonly roles = new Map<AccessLevel, string>();

  constructor(scope: Construct, id: string, props: TeamRbacProps) {
    super(scope, id);
    validate(this, props);
    const prefix = props.rolePrefix ?? 'receivables-';
    const labels = (component: string): Record<string, string> => ({
      [LABEL_NAME]: 'team-rbac',
      [LABEL_COMPONENT]: component,
      [LABEL_PART_OF]: props.partOf ?? DEFAULT_PART_OF,
      [LABEL_MANAGED_BY]: MANAGED_BY,
    });
    const roleOf = (level: AccessLevel): string => {
      const existing = this.roles.get(level);
      if (existing) {
        return existing;
      }
      const name = `${prefix}${level.value}`;
      new k8s.KubeClusterRole(this, `Role-${level.value}`, {
        metadata: { name, labels: labels('role') },
        rules: level.rules.map((r) => ({ apiGroups: [...r.apiGroups], resources: [...r.resources], verbs: [...r.verbs] })),
      });
      this.roles.set(level, name);
      return name;
    };
    for (const team of props.teams) {
      const subjects = [{ kind: 'Group', apiGroup: RBAC_GROUP, name: `${props.groupPrefix}${team.group}` }];
      for (const [namespace, level] of Object.entries(team.namespaces ?? {}).sort(([a], [b]) => (a < b ? -1 : 1))) {
        new k8s.KubeRoleBinding(this, `${team.group}-${namespace}`, {
          // Named after the namespace too: unique in any one namespace (a preview moves them all into one).
          metadata: { name: `team-${team.group}-${namespace}`, namespace, labels: labels('binding') },
          roleRef: { apiGroup: RBAC_GROUP, kind: 'ClusterRole', name: roleOf(level) },
          subjects,
        });
      }
      if (team.clusterWide) {
        new k8s.KubeClusterRoleBinding(this, `${team.group}-cluster`, {
          metadata: { name: `${prefix}team-${team.group}`, labels: labels('binding') },
          roleRef: { apiGroup: RBAC_GROUP, kind: 'ClusterRole', name: roleOf(team.clusterWide) },
          subjects,
        });
      }
    }
  }

  /** The RBAC objects, for checks over them. */
  public get objects(): ApiObject[] {
    return this.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject);
  }
}

function validate(scope: Construct, props: TeamRbacProps): void {
  const check = new PropChecks(scope);
  check.that(
    /^[a-z0-9-]+:$/.test(props.groupPrefix),
    'groupPrefix',
    'must be lower-case letters, digits or - ending in ":" (e.g. "oidc:")',
    props.groupPrefix,
  );
  const groups = props.teams.map((t) => t.group);
  check.that(new Set(groups).size === groups.length, 'teams', 'each group at most once', groups);
  props.teams.forEach((t, i) => {
    check.dnsLabel(t.group, `teams[${i}].group`);
    for (const ns of Object.keys(t.namespaces ?? {})) {
      check.that(isDnsLabel(ns), `teams[${i}].namespaces.${ns}`, 'must be a namespace name', ns);
    }
    check.that(
      !t.clusterWide || t.clusterWide.readOnly,
      `teams[${i}].clusterWide`,
      'must be a read-only level (VIEW or AUDIT): write access is granted per namespace',
      t.clusterWide?.value,
    );
  });
  check.throwIfAny();
}
