import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Plan } from '../../constructs/tenant-namespace';
import { loadTenants, parseTenant, tenantsOf } from '../../environments/tenants';
import { Problem } from '../../core/problem';

const GOOD = `id: acme
displayName: Acme
plan: pro
environments: [prod]
region: eu-central
contacts:
  - { name: Ann, email: ann@acme.example, role: owner }
`;

function problemsOf(text: string, file = 'environments/tenants/acme.yaml'): Problem[] {
  const problems: Problem[] = [];
  parseTenant(text, file, problems);
  return problems;
}

const replace = (from: string, to: string): string => GOOD.replace(from, to);

describe('tenant files', () => {
  test('a good file parses', () => {
    const problems: Problem[] = [];
    expect(parseTenant(GOOD, 'environments/tenants/acme.yaml', problems)).toMatchObject({ id: 'acme', plan: 'pro' });
    expect(problems).toEqual([]);
  });

  test.each([
    ['YAML syntax', 'id: [acme\n', 'line 2:1', 'tenant.yaml-syntax'],
    ['unknown field', `${GOOD}colour: red\n`, 'colour', 'additional-properties'],
    ['missing field', replace('region: eu-central\n', ''), 'region', 'required'],
    ['upper-case id', replace('id: acme', 'id: Acme'), 'id', 'pattern'],
    ['id longer than 18', replace('id: acme', 'id: a-very-long-tenant-id'), 'id', 'pattern'],
    ['id ending in -', replace('id: acme', 'id: acme-'), 'id', 'pattern'],
    ['unknown plan', replace('plan: pro', 'plan: gold'), 'plan', 'enum'],
    ['dr named', replace('environments: [prod]', 'environments: [prod, dr]'), 'environments[1]', 'enum'],
    ['no environment', replace('environments: [prod]', 'environments: []'), 'environments', 'minItems'],
    ['bad email', replace('ann@acme.example', 'ann-at-acme'), 'contacts[0].email', 'pattern'],
  ])('%s: reported at its path', (_name, text, at, rule) => {
    const problems = problemsOf(text);
    expect(problems.map((p) => [p.file, p.path, p.rule])).toContainEqual(['environments/tenants/acme.yaml', at, expect.stringContaining(rule)]);
  });

  test('the id must be the file name', () => {
    expect(problemsOf(GOOD, 'environments/tenants/other.yaml').map((p) => [p.path, p.rule])).toEqual([['id', 'tenant.id-file-name']]);
  });

  test('overrides stay within the plan bound; each override outside is named', () => {
    const max = Plan.PRO.maxQuota.pods;
    const text = `${GOOD}quotaOverrides:\n  reason: peak\n  pods: ${max + 1}\n  cpuMillis: ${Plan.PRO.maxQuota.cpuMillis + 1}\n`;
    const problems = problemsOf(text);
    expect(problems.map((p) => [p.path, p.rule])).toEqual([
      ['quotaOverrides.pods', 'tenant.override-bounds'],
      ['quotaOverrides.cpuMillis', 'tenant.override-bounds'],
    ]);
    expect(problems[0].message).toContain(`1 to ${max}`);
    expect(problemsOf(`${GOOD}quotaOverrides:\n  reason: peak\n  pods: ${max}\n`)).toEqual([]);
    expect(problemsOf(`${GOOD}quotaOverrides:\n  pods: 10\n`).map((p) => p.path)).toEqual(['quotaOverrides.reason']);
    expect(problemsOf(`${GOOD}quotaOverrides:\n  reason: nothing\n`).map((p) => p.rule)).toEqual(['tenant.override-empty']);
  });
});

describe('loadTenants', () => {
  test('every problem of every file at once, other files refused, tenants sorted by id', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tenants-'));
    try {
      const t = path.join(dir, 'tenants');
      fs.mkdirSync(path.join(t, 'nested'), { recursive: true });
      fs.writeFileSync(path.join(t, 'zeta.yaml'), GOOD.replace('id: acme', 'id: zeta'));
      fs.writeFileSync(path.join(t, 'acme.yaml'), GOOD);
      fs.writeFileSync(path.join(t, 'bad.yaml'), GOOD.replace('id: acme', 'id: bad').replace('plan: pro', 'plan: gold'));
      fs.writeFileSync(path.join(t, 'notes.txt'), 'x');
      const { tenants, problems } = loadTenants(dir);
      expect(tenants.map((x) => x.id)).toEqual(['acme', 'zeta']);
      expect(problems.map((p) => [path.basename(p.file), p.rule])).toEqual([
        ['bad.yaml', 'tenant.enum'],
        ['nested', 'tenant.file-name'],
        ['notes.txt', 'tenant.file-name'],
      ]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test("the shipped tenants load, on three plans; dr runs prod's", () => {
    const { tenants, problems } = loadTenants();
    expect(problems).toEqual([]);
    expect(new Set(tenants.map((t) => t.plan))).toEqual(new Set(['starter', 'pro', 'enterprise']));
    expect(tenantsOf('dr', tenants).map((t) => t.id)).toEqual(tenantsOf('prod', tenants).map((t) => t.id));
  });
});
