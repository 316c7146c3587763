/* eslint-disable @typescript-eslint/no-explicit-any */
import { AccessLevel, ruleGrants } from '../../../constructs/team-rbac/access-level';
import { DIST_ENVS, loadDistEnv } from '../../helpers/policy';

/** Kinds of our namespaces the read-only levels must not read, with the reason. */
const NOT_READABLE: Record<string, string> = {
  Secret: 'Secrets are never readable below ADMIN: a read-only role would leak every credential',
};

/** The resource name of a kind (lower-case plural, as RBAC rules name it). */
function resourceOf(kind: string): string {
  const k = kind.toLowerCase();
  return k.endsWith('y') ? `${k.slice(0, -1)}ies` : k.endsWith('s') ? `${k}es` : `${k}s`;
}

const groupOf = (apiVersion: string): string => (apiVersion.includes('/') ? apiVersion.split('/')[0] : '');

const canRead = (level: AccessLevel, group: string, resource: string): boolean =>
  ['get', 'list', 'watch'].every((verb) => level.rules.some((r) => ruleGrants(r, group, resource, verb)));

describe('security: secret rotation and what the read-only levels can see', () => {
  test.each(DIST_ENVS)('%s: every ExternalSecret refreshes at least daily (rotation reaches the pods without an edit)', (env) => {
    const secrets = loadDistEnv(env).filter((o) => o.kind === 'ExternalSecret');
    expect(secrets.length).toBeGreaterThan(20);
    const hours = (d: string): number => {
      const m = /^(\d+)(s|m|h)$/.exec(d ?? '');
      return m ? Number(m[1]) / ({ s: 3600, m: 60, h: 1 } as Record<string, number>)[m[2]] : NaN;
    };
    const bad = secrets.filter((s: any) => !(hours(s.spec.refreshInterval) > 0 && hours(s.spec.refreshInterval) <= 24));
    expect(bad.map((s: any) => `${s.metadata.namespace}/${s.metadata.name}: ${s.spec.refreshInterval}`)).toEqual([]);
  });

  // An auditor who cannot list a kind we deploy misses part of the estate; a new CRD group we
  // start emitting fails here until the AUDIT level (constructs/team-rbac/access-level.ts) has it.
  test.each(DIST_ENVS)('%s: AUDIT reads every namespaced kind we emit except Secrets; VIEW reads the workloads', (env) => {
    const objects = loadDistEnv(env).filter((o) => o.metadata?.namespace && !(o.kind in NOT_READABLE));
    const kinds = [...new Set(objects.map((o) => `${groupOf(o.apiVersion)}|${o.kind}`))].sort();
    expect(kinds.length).toBeGreaterThan(15);
    const missing = kinds.filter((k) => {
      const [group, kind] = k.split('|');
      return !canRead(AccessLevel.AUDIT, group, resourceOf(kind));
    });
    expect(missing).toEqual([]);
    for (const [group, kind] of [
      ['', 'Pod'],
      ['apps', 'Deployment'],
      ['apps', 'StatefulSet'],
      ['batch', 'CronJob'],
      ['', 'ConfigMap'],
    ]) {
      expect(canRead(AccessLevel.VIEW, group, resourceOf(kind))).toBe(true);
    }
    for (const level of [AccessLevel.VIEW, AccessLevel.EDIT, AccessLevel.AUDIT]) {
      expect(canRead(level, '', 'secrets')).toBe(false);
    }
  });
});
