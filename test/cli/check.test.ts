import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { toolPath } from '../../core/tools';
import { bundle, ROOT, run } from '../helpers/bundle';
import { tempDir } from '../helpers/temp';

describe('npm run check', () => {
  const check = bundle('check');
  let foreign: { dir: string; cleanup: () => void };

  beforeAll(() => {
    // Real third-party-style manifests, rendered by the real helm binary from a chart in test/fixtures.
    foreign = tempDir('foreign-');
    const rendered = execFileSync(
      toolPath('helm'),
      ['template', 'demo', path.join(ROOT, 'test/fixtures/charts/node-agent'), '--namespace', 'monitoring'],
      {
        encoding: 'utf8',
      },
    );
    fs.mkdirSync(path.join(foreign.dir, 'nested', 'deeper'), { recursive: true });
    fs.writeFileSync(path.join(foreign.dir, 'nested', 'deeper', 'rendered.yaml'), rendered);
  });
  afterAll(() => foreign.cleanup());

  test('reports PSS, resource, probe, PDB, network, secret, image and reference findings on foreign YAML', () => {
    const r = run(check, [foreign.dir]);
    expect(r.status).toBe(1);
    const file = path.join(foreign.dir, 'nested', 'deeper', 'rendered.yaml');
    const lines = r.stdout.split('\n');
    const has = (object: string, p: string, rule: string): void => {
      expect(lines.some((l) => l.startsWith(`${file}: ${object}: ${p}: ${rule}: `))).toBe(true);
    };
    has('DaemonSet/monitoring/demo-agent', 'spec.template.spec.containers[0].securityContext.privileged', 'pss.privileged');
    has('DaemonSet/monitoring/demo-agent', 'spec.template.spec.volumes[0].hostPath', 'pss.host-path');
    has('DaemonSet/monitoring/demo-agent', 'spec.template.spec.hostNetwork', 'pss.host-namespaces');
    has('DaemonSet/monitoring/demo-agent', 'spec.template.spec.containers[0].ports[0].hostPort', 'pss.host-ports');
    has('DaemonSet/monitoring/demo-agent', 'spec.template.spec.containers[0].image', 'img.tag');
    has('Deployment/monitoring/demo-api', 'spec.template.spec.containers[0].resources.limits.memory', 'res.memory-limit');
    has('Deployment/monitoring/demo-api', 'spec.template.spec.containers[0].readinessProbe', 'health.readiness-probe');
    has('Deployment/monitoring/demo-api', 'spec.replicas', 'avail.pdb-missing');
    has('Deployment/monitoring/demo-api', 'spec.template.spec', 'net.pod-isolation');
    has('Secret/monitoring/demo-api', 'stringData', 'sec.secret-in-git');
    has('Deployment/monitoring/demo-api', 'spec.template.spec.containers[0].env[0].value', 'sec.env-literal-secret');
    has('Service/monitoring/demo-api', 'spec.selector', 'ref.service-selector');
    has('Deployment/monitoring/demo-api', 'spec.template.spec.volumes[0].configMap.name', 'ref.configmap-missing');
    expect(r.stdout).toMatch(/\d+ error\(s\), 0 warning\(s\) by rule:\n\s+\d+\s+hyg\.labels/);
  });

  test('--json gives the same findings for machines', () => {
    const r = run(check, ['--json', foreign.dir]);
    expect(r.status).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out.ok).toBe(false);
    expect(out.problems).toContainEqual(
      expect.objectContaining({ object: 'DaemonSet/monitoring/demo-agent', rule: 'pss.privileged', severity: 'error' }),
    );
  });

  test('rejects an unknown field with file, kind/name and JSON path', () => {
    const t = tempDir('bad-');
    try {
      fs.writeFileSync(
        path.join(t.dir, 'd.yaml'),
        'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\nspec:\n  selector: {matchLabels: {a: b}}\n  template:\n    metadata: {labels: {a: b}}\n    spec:\n      containers: [{name: web, image: "nginx:1.27", imagePullPolicyy: Always}]\n',
      );
      const r = run(check, ['--schema-only', t.dir]);
      expect(r.status).toBe(1);
      expect(r.stdout).toContain(
        `${path.join(t.dir, 'd.yaml')}: Deployment/shop/web: spec.template.spec.containers[0].imagePullPolicyy: schema.additional-properties: unknown field "imagePullPolicyy"`,
      );
    } finally {
      t.cleanup();
    }
  });

  test('reports YAML syntax errors and missing paths instead of crashing', () => {
    const t = tempDir('bad-');
    try {
      fs.writeFileSync(path.join(t.dir, 'broken.yaml'), 'kind: ConfigMap\n  bad: [\n');
      const r = run(check, [t.dir, path.join(t.dir, 'nope')]);
      expect(r.status).toBe(1);
      expect(r.stdout).toContain('yaml.syntax');
      expect(r.stdout).toContain('input.not-found');
      expect(r.stderr).toBe('');
    } finally {
      t.cleanup();
    }
  });

  test('fails on bad flags with every problem and the usage', () => {
    const r = run(check, ['--strict', '--json=yes']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--strict: flag.unknown');
    expect(r.stderr).toContain('--json: flag.boolean');
    expect(r.stderr).toContain('flag.missing-argument');
    expect(r.stderr).toContain('usage: npm run check --');
  });

  test('the committed dist/ passes with zero errors, and every exemption has a reason', () => {
    const r = run(check, ['--json', path.join(ROOT, 'dist')]);
    const out = JSON.parse(r.stdout);
    expect(out.problems.filter((p: { severity: string }) => p.severity === 'error')).toEqual([]);
    expect(r.status).toBe(0);
    for (const e of out.exemptions) {
      expect(e.reason.trim().length).toBeGreaterThan(10);
    }
  });
});

describe('npm run check over gitops/', () => {
  test('checks each Argo CD and Flux environment folder as its own set, with zero errors', () => {
    const r = run(bundle('check'), ['--json', path.join(ROOT, 'gitops')]);
    const out = JSON.parse(r.stdout);
    expect(out.problems).toEqual([]);
    expect(r.status).toBe(0);
  });
});
