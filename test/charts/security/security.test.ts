/* eslint-disable @typescript-eslint/no-explicit-any */
import * as fs from 'fs';
import * as path from 'path';
import { App, Testing } from 'cdk8s';
import * as YAML from 'yaml';
import { PLATFORM_NAMESPACES } from '../../../charts';
import { auditPolicyFile, SecurityChart } from '../../../charts/security';
import { validateAuditPolicy } from '../../../constructs/lib/audit-policy';
import { ruleGrants } from '../../../constructs/team-rbac';
import { loadEnvironments } from '../../../environments/load';
import { ENVIRONMENT_NAMES } from '../../../environments/types';
import { categoryOf } from '../../../synth/gitops/model';

const configs = loadEnvironments([...ENVIRONMENT_NAMES]);
const synth = (env: string): any[] =>
  Testing.synth(
    new SecurityChart(
      new App(),
      configs.find((c) => c.name === env)!,
      PLATFORM_NAMESPACES,
    ),
  );

/** The rules a group gets, by namespace ('*' for cluster-wide), from the chart's bindings. */
function rulesOf(objects: any[], group: string): { ns: string; rules: any[] }[] {
  const roles = new Map(objects.filter((o) => o.kind === 'ClusterRole').map((o) => [o.metadata.name, o.rules]));
  return objects
    .filter(
      (o) =>
        (o.kind === 'RoleBinding' || o.kind === 'ClusterRoleBinding') &&
        o.subjects.some((s: any) => s.kind === 'Group' && s.name === `oidc:${group}`),
    )
    .map((b) => ({ ns: b.metadata.namespace ?? '*', rules: roles.get(b.roleRef.name) ?? [] }));
}

describe('security chart', () => {
  test.each([...ENVIRONMENT_NAMES])('%s: the realm JSON parses, has the groups and clients, and no secret value', (env) => {
    const cm = synth(env).find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'keycloak-realm');
    expect(cm.metadata.namespace).toBe('security');
    const realm = JSON.parse(cm.data['receivables-realm.json']);
    expect(realm.realm).toBe('receivables');
    expect(realm.groups.map((g: any) => g.name)).toEqual(['platform-admin', 'developer', 'auditor']);
    expect(realm.clients.map((c: any) => c.clientId).sort()).toEqual(['frontend', 'grafana', 'kong']);
    for (const c of realm.clients) {
      expect(c.secret === undefined || /^\$\{KC_CLIENT_SECRET_[A-Z_]+\}$/.test(c.secret)).toBe(true);
      for (const u of c.redirectUris) {
        expect(u).toMatch(/^https:\/\/[a-z.]+receivables\.example\.com\//);
      }
    }
    const grafana = realm.clients.find((c: any) => c.clientId === 'grafana');
    expect(grafana.redirectUris[0]).toMatch(/^https:\/\/grafana\..*\/login\/generic_oauth$/);
    const es = synth(env).find((o) => o.kind === 'ExternalSecret');
    expect(es.spec.data.map((d: any) => d.secretKey).sort()).toEqual(['KC_CLIENT_SECRET_GRAFANA', 'KC_CLIENT_SECRET_KONG']);
  });

  test.each([...ENVIRONMENT_NAMES])('%s: no role lets developer or auditor read Secrets; prod/dr developer has no write verb', (env) => {
    const objects = synth(env);
    for (const group of ['developer', 'auditor']) {
      const grants = rulesOf(objects, group);
      expect(grants.length).toBeGreaterThan(0);
      for (const { rules } of grants) {
        for (const verb of ['get', 'list', 'watch']) {
          expect(rules.some((r: any) => ruleGrants(r, '', 'secrets', verb))).toBe(false);
        }
        expect(rules.some((r: any) => ruleGrants(r, '', 'pods/exec', 'create'))).toBe(false);
      }
    }
    const devWrites = rulesOf(objects, 'developer').some(({ rules }) =>
      rules.some((r: any) => r.verbs.some((v: string) => !['get', 'list', 'watch'].includes(v))),
    );
    expect(devWrites).toBe(env === 'dev' || env === 'staging');
    expect(rulesOf(objects, 'developer').every((g) => g.ns.startsWith('app-'))).toBe(true);
    expect(
      rulesOf(objects, 'platform-admin')
        .map((g) => g.ns)
        .sort(),
    ).toEqual(['*', ...PLATFORM_NAMESPACES].sort());
  });

  test('the audit policy loads (API server validation rules) and orders secrets before the body-logging rules', () => {
    const policy = YAML.parse(auditPolicyFile().content);
    expect(validateAuditPolicy(policy)).toEqual([]);
    expect(policy.omitStages).toEqual(['RequestReceived']);
    const secretsRule = policy.rules.findIndex((r: any) => r.resources?.some((g: any) => g.group === '' && g.resources?.includes('secrets')));
    expect(policy.rules[secretsRule].level).toBe('Metadata');
    const bodies = policy.rules.findIndex((r: any) => r.level === 'RequestResponse');
    expect(secretsRule).toBeLessThan(bodies);
    expect(validateAuditPolicy({ ...policy, rules: [{ level: 'Everything', nonResourceURLs: ['healthz'], resources: [{ group: '' }] }] })).toEqual([
      'rules[0].level: must be one of None, Metadata, Request, RequestResponse (got "Everything")',
      'rules[0].nonResourceURLs[0]: non-resource URL rules must begin with a \'/\' character (got "healthz")',
      'rules[0].nonResourceURLs: rules cannot apply to both regular resources and non-resource URLs',
    ]);
  });

  test.each([...ENVIRONMENT_NAMES])('%s: dist has cluster/audit-policy.yaml, and no GitOps category takes cluster/', (env) => {
    expect(fs.existsSync(path.join('dist', env, 'cluster', 'audit-policy.yaml'))).toBe(true);
    expect(categoryOf('cluster')).toBeUndefined();
    expect(fs.readFileSync(path.join('dist', env, 'kustomization.yaml'), 'utf8')).not.toMatch(/cluster/);
  });

  test.each([...ENVIRONMENT_NAMES])('%s: every Namespace in dist carries Pod Security admission labels', (env) => {
    const dist = path.join('dist', env);
    const files = fs
      .readdirSync(dist, { recursive: true })
      .map(String)
      .filter((f) => f.endsWith('.k8s.yaml'));
    const namespaces = files
      .flatMap((f) => YAML.parseAllDocuments(fs.readFileSync(path.join(dist, f), 'utf8')).map((d) => d.toJS()))
      .filter((o) => o?.kind === 'Namespace');
    expect(namespaces.length).toBeGreaterThanOrEqual(14);
    for (const ns of namespaces) {
      expect(ns.metadata.labels['pod-security.kubernetes.io/enforce']).toMatch(/^(restricted|baseline|privileged)$/);
      expect(ns.metadata.labels['pod-security.kubernetes.io/audit']).toBe('restricted');
    }
  });
});
