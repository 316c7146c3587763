import * as path from 'path';
import { loadEnvironments } from '../../environments/load';
import { ENVIRONMENT_NAMES } from '../../environments/types';
import { KubeObject } from '../../gate/manifest';
import { SchemaRegistry } from '../../gate/schema';
import { dedupeSchema } from '../../gate/schema-dedupe';
import { buildGitOps } from '../../synth/gitops';

/* eslint-disable @typescript-eslint/no-explicit-any */

const SCHEMAS = path.join(__dirname, '..', '..', 'schemas');

/** A registry whose CRD schemas are deduplicated before ajv compiles them. */
function dedupedRegistry(): SchemaRegistry {
  const registry = new SchemaRegistry(SCHEMAS) as any;
  const compile = registry.ajv.compile.bind(registry.ajv);
  registry.ajv.compile = (schema: any) => compile(typeof schema.$ref === 'string' ? schema : dedupeSchema(schema).schema);
  return registry as SchemaRegistry;
}

/** Deterministic mutants: an unknown key in every n-th mapping, a wrong type for every n-th leaf. */
function mutants(obj: KubeObject): KubeObject[] {
  const out: KubeObject[] = [];
  const paths: { path: (string | number)[]; leaf: boolean }[] = [];
  const walk = (n: any, p: (string | number)[]): void => {
    if (n && typeof n === 'object') {
      if (!Array.isArray(n)) {
        paths.push({ path: p, leaf: false });
      }
      for (const [k, v] of Object.entries(n)) {
        walk(v, [...p, Array.isArray(n) ? Number(k) : k]);
      }
    } else {
      paths.push({ path: p, leaf: true });
    }
  };
  walk(obj, []);
  for (const { path: p, leaf } of paths) {
    const copy = structuredClone(obj) as any;
    let parent = copy;
    for (const k of p.slice(0, -1)) {
      parent = parent[k];
    }
    if (leaf) {
      const last = p[p.length - 1];
      parent[last] = typeof parent[last] === 'string' ? 42 : 'not-a-number';
    } else {
      (p.length === 0 ? copy : parent[p[p.length - 1]]).zzUnknownField = true;
    }
    out.push(copy);
  }
  return out;
}

test('deduplicated CRD schemas accept and reject exactly what the originals do', () => {
  const configs = loadEnvironments([...ENVIRONMENT_NAMES]);
  const objects = buildGitOps(configs.map((config) => ({ config, folders: new Map() }))).outputs.flatMap((o) =>
    [...o.dirs.values()].flatMap((files) => [...files.values()].flat()),
  );
  const kinds = new Set(objects.map((o) => o.kind));
  expect([...kinds].sort()).toEqual(['AppProject', 'Application', 'ApplicationSet', 'GitRepository', 'Kustomization']);
  const original = new SchemaRegistry(SCHEMAS);
  const deduped = dedupedRegistry();
  let rejected = 0;
  let checked = 0;
  for (const obj of objects.filter((o, i) => objects.findIndex((x) => x.kind === o.kind) === i)) {
    for (const candidate of [obj, ...mutants(obj)]) {
      const a = original.validate(candidate);
      const b = deduped.validate(candidate);
      expect(b).toEqual(a);
      rejected += a.length > 0 ? 1 : 0;
      checked++;
    }
  }
  expect(checked).toBeGreaterThan(200);
  expect(rejected).toBeGreaterThan(checked / 2);
});

test('a schema without repeats comes back equal', () => {
  const schema = { type: 'object', properties: { a: { type: 'string' } } };
  expect(dedupeSchema(schema)).toEqual({ schema, shared: 0 });
});
