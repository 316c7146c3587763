import * as fs from 'fs';
import * as path from 'path';
import { projectRoot } from '../../core/paths';
import { SchemaRegistry, translateGoRegex } from '../../gate/schema';
import { tempDir } from '../helpers/temp';

const registry = SchemaRegistry.default();

function deployment(container: Record<string, unknown>): Record<string, unknown> {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'shop' },
    spec: {
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.27', ...container }] } },
    },
  };
}

describe('schema gate', () => {
  test('a well-formed Deployment passes', () => {
    expect(registry.validate(deployment({ imagePullPolicy: 'IfNotPresent', ports: [{ containerPort: 8080 }] }))).toEqual([]);
  });

  test('an unknown field is rejected with its JSON path', () => {
    const findings = registry.validate(deployment({ imagePullPolicyy: 'Always' }));
    expect(findings).toEqual([
      expect.objectContaining({
        path: 'spec.template.spec.containers[0].imagePullPolicyy',
        rule: 'schema.additional-properties',
        message: expect.stringContaining('unknown field "imagePullPolicyy"'),
      }),
    ]);
  });

  test('a wrong type is rejected with its path and value', () => {
    const findings = registry.validate(deployment({ ports: [{ containerPort: '8080' }] }));
    expect(findings).toEqual([
      { path: 'spec.template.spec.containers[0].ports[0].containerPort', rule: 'schema.type', message: 'must be integer (value: "8080")' },
    ]);
  });

  test('a missing required field is rejected with its path', () => {
    const obj = deployment({});
    delete (obj.spec as Record<string, unknown>).selector;
    expect(registry.validate(obj)).toEqual([{ path: 'spec.selector', rule: 'schema.required', message: 'required field is missing' }]);
  });

  test('int-or-string fields accept both and reject other types with one message', () => {
    const svc = (targetPort: unknown): unknown => ({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 's', namespace: 'n' },
      spec: { ports: [{ port: 80, targetPort }] },
    });
    expect(registry.validate(svc(8080))).toEqual([]);
    expect(registry.validate(svc('http'))).toEqual([]);
    expect(registry.validate(svc(true))).toEqual([
      { path: 'spec.ports[0].targetPort', rule: 'schema.type', message: 'must be string or integer (value: true)' },
    ]);
  });

  test('custom resources are validated strictly against their CRD, metadata included', () => {
    const findings = registry.validate({
      apiVersion: 'external-secrets.io/v1',
      kind: 'ExternalSecret',
      metadata: { name: 'db', namespace: 'n', labelz: {} },
      spec: { secretStoreRef: { name: 'vault', kind: 'ClusterSecretStore' }, target: { name: 'db' }, refreshIntervall: '1h' },
    });
    expect(findings.map((f) => f.path).sort()).toEqual(['metadata.labelz', 'spec.refreshIntervall']);
    expect(findings.every((f) => f.rule === 'schema.additional-properties')).toBe(true);
  });

  test('CRD enums are enforced', () => {
    const findings = registry.validate({
      apiVersion: 'external-secrets.io/v1',
      kind: 'ExternalSecret',
      metadata: { name: 'db', namespace: 'n' },
      spec: { secretStoreRef: { name: 'vault', kind: 'Vault' } },
    });
    expect(findings).toEqual([expect.objectContaining({ path: 'spec.secretStoreRef.kind', rule: 'schema.enum' })]);
  });

  test('a kind without a schema is an error, not a silent pass', () => {
    expect(registry.validate({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } })).toEqual([
      expect.objectContaining({ rule: 'schema.unknown-kind', message: expect.stringContaining('no schema for example.com/v1 Widget') }),
    ]);
  });

  test('objects without apiVersion, kind or name are rejected', () => {
    expect(registry.validate({ metadata: {} }).map((f) => f.path)).toEqual(['apiVersion', 'kind']);
    expect(registry.validate({ apiVersion: 'v1', kind: 'ConfigMap', metadata: {} })).toEqual([
      { path: 'metadata.name', rule: 'schema.required', message: 'required field is missing' },
    ]);
  });

  test('Go regexes are translated or relaxed in one place, and the list is known', () => {
    expect(translateGoRegex('(?i)^(abort|warn)?$')).toBe('^([aA][bB][oO][rR][tT]|[wW][aA][rR][nN])?$');
    expect(translateGoRegex('^(?i)(abort|warn)?$')).toBe('^([aA][bB][oO][rR][tT]|[wW][aA][rR][nN])?$');
    expect(new RegExp(translateGoRegex('^(?i)(abort|warn)?$')!).test('WARN')).toBe(true);
    expect(translateGoRegex('^[a-z]\\-x$')).toBe('^[a-z]\\-x$');
    // Validating a PrometheusRule compiles its CRD; the one Go-only pattern there is translated.
    // (An uncached registry: with a warm cache the CRD is never parsed, so nothing is recorded.)
    const uncached = new SchemaRegistry(path.join(projectRoot(), 'schemas'));
    uncached.validate({
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PrometheusRule',
      metadata: { name: 'r', namespace: 'n' },
      spec: { groups: [] },
    });
    expect(uncached.relaxedPatterns.filter((p) => p.crd.includes('PrometheusRule'))).toEqual([
      expect.objectContaining({ path: '.spec.groups[].partial_response_strategy', action: expect.stringContaining('translated') }),
    ]);
  });

  test('knows every kind of Kubernetes 1.28 and every shipped CRD', () => {
    const kinds = registry.knownKinds();
    for (const k of [
      'apps/v1 Deployment',
      'v1 Namespace',
      'policy/v1 PodDisruptionBudget',
      'argoproj.io/v1alpha1 Application',
      'kustomize.toolkit.fluxcd.io/v1 Kustomization',
      'monitoring.coreos.com/v1 ServiceMonitor',
      'keda.sh/v1alpha1 ScaledObject',
    ]) {
      expect(kinds).toContain(k);
    }
  });
});

describe('compiled-validator cache', () => {
  test('cached validators (ajv standalone code) give the same findings as freshly compiled ones', () => {
    const t = tempDir('schema-cache-');
    try {
      const schemas = path.join(projectRoot(), 'schemas');
      const objects: unknown[] = [
        deployment({ imagePullPolicyy: 'Always', ports: [{ containerPort: 'x' }] }),
        {
          apiVersion: 'external-secrets.io/v1',
          kind: 'ExternalSecret',
          metadata: { name: 'a', namespace: 'b', x: 1 },
          spec: { secretStoreRef: { kind: 'Vault' } },
        },
        {
          apiVersion: 'argoproj.io/v1alpha1',
          kind: 'Application',
          metadata: { name: 'a', namespace: 'argocd' },
          spec: { project: 'p', destination: {}, sourc: {} },
        },
      ];
      const fresh = new SchemaRegistry(schemas);
      const cold = new SchemaRegistry(schemas, t.dir);
      const warm = new SchemaRegistry(schemas, t.dir);
      const expected = objects.map((o) => fresh.validate(o));
      expect(expected.every((f) => f.length > 0)).toBe(true);
      expect(objects.map((o) => cold.validate(o))).toEqual(expected);
      expect(objects.map((o) => warm.validate(o))).toEqual(expected);
      expect(fs.readdirSync(t.dir).length).toBe(3);
    } finally {
      t.cleanup();
    }
  });
});
