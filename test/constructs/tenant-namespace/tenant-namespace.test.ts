import { Chart, Testing } from 'cdk8s';
import { Plan, TenantNamespace, TenantNamespaceProps } from '../../../constructs/tenant-namespace';

/* eslint-disable @typescript-eslint/no-explicit-any */

const base = (overrides: Partial<TenantNamespaceProps> = {}): TenantNamespaceProps => ({
  tenantId: 'acme',
  displayName: 'Acme',
  plan: Plan.PRO,
  ingressFrom: [{ peerNamespace: 'ingress', peerSelector: {} }],
  dataServices: [{ name: 'postgres', peer: { peerNamespace: 'db-postgres', peerSelector: { app: 'pooler' } }, ports: [5432] }],
  secretStore: { name: 'platform-secrets' },
  api: { apiKeyRemoteKey: 'prod/tenants/acme/api-key' },
  ...overrides,
});

function synth(props: TenantNamespaceProps): any[] {
  const chart = new Chart(Testing.app(), 'test');
  new TenantNamespace(chart, 'Tenant', props);
  return Testing.synth(chart);
}
const find = (objs: any[], kind: string, name?: string): any => objs.find((o) => o.kind === kind && (name === undefined || o.metadata.name === name));

describe('TenantNamespace', () => {
  test.each(Plan.ALL.map((p) => [p.name, p] as const))('%s: the ResourceQuota is the plan table', (_n, plan) => {
    const hard = find(synth(base({ plan })), 'ResourceQuota').spec.hard;
    expect(hard['requests.cpu']).toBe(`${plan.quota.cpuMillis}m`);
    expect(hard['limits.memory']).toBe(`${plan.quota.memoryMi}Mi`);
    expect(hard.pods).toBe(plan.quota.pods);
    expect(hard['services.loadbalancers']).toBe(0);
  });

  test('an override within the bound is applied and its reason kept; outside it the construct path, field, rule and value are named', () => {
    const quota = find(synth(base({ quotaOverrides: { pods: 100 }, quotaOverrideReason: 'peak' })), 'ResourceQuota');
    expect(quota.spec.hard.pods).toBe(100);
    expect(quota.metadata.annotations['receivables.io/quota-override-reason']).toBe('peak');
    expect(() => synth(base({ quotaOverrides: { pods: Plan.PRO.maxQuota.pods + 1 }, quotaOverrideReason: 'x' }))).toThrow(
      /test\/Tenant.*quotaOverrides\.pods.*"pro" plan's bound/s,
    );
    expect(() => synth(base({ quotaOverrides: { pods: 10 } }))).toThrow(/quotaOverrideReason/);
  });

  test('namespace labels, read-only operators without Secrets, plan rate limit on the Kong consumer', () => {
    const objs = synth(base());
    const ns = find(objs, 'Namespace');
    expect(ns.metadata.labels).toMatchObject({
      'receivables.io/tenant': 'acme',
      'receivables.io/plan': 'pro',
      'pod-security.kubernetes.io/enforce': 'restricted',
    });
    const rules = find(objs, 'Role').rules;
    expect(rules.flatMap((r: any) => r.verbs)).not.toEqual(expect.arrayContaining(['create']));
    expect(rules.flatMap((r: any) => r.resources)).not.toContain('secrets');
    const edit = find(synth(base({ operatorAccess: 'edit' })), 'Role').rules;
    expect(edit.flatMap((r: any) => r.verbs)).toContain('create');
    expect(edit.flatMap((r: any) => r.resources)).not.toContain('secrets');
    expect(find(objs, 'RoleBinding').subjects[0]).toMatchObject({ kind: 'Group', name: 'tenant-acme-operators' });
    expect(find(objs, 'KongPlugin').config.minute).toBe(Plan.PRO.apiRequestsPerMinute);
    expect(find(objs, 'KongConsumer').metadata.annotations['konghq.com/plugins']).toBe('tenant-rate-limit');
    expect(find(objs, 'ExternalSecret', 'tenant-encryption-key').spec.data[0].remoteRef.key).toBe('tenants/acme/encryption-key');
    expect(find(objs, 'PrometheusRule').spec.groups[0].rules.every((r: any) => r.labels.tenant === 'acme')).toBe(true);
  });
});
