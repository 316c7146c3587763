import { performance } from 'perf_hooks';
import { Manifest, objectId } from './manifest';
import { Exemption, runPolicies } from './policy';
import { Problem } from '../core/problem';
import { SchemaRegistry } from './schema';

export interface GateOptions {
  /** Run the policy rules and reference checks, not only the schemas. @default true */
  readonly policy?: boolean;
  /** @default SchemaRegistry.default() */
  readonly registry?: SchemaRegistry;
}

export interface GateResult {
  readonly problems: Problem[];
  readonly exemptions: Exemption[];
  /** Images pinned by digest (best) and by tag (acceptable). */
  readonly imagePins: { digest: number; tag: number };
  readonly objects: number;
  readonly schemaMs: number;
  readonly policyMs: number;
}

/**
 * The gate over one environment (or one folder): strict schema validation of every object,
 * then the policy rules and the reference checks over the set as a whole.
 */
export function runGate(manifests: readonly Manifest[], options: GateOptions = {}): GateResult {
  const registry = options.registry ?? SchemaRegistry.default();
  const problems: Problem[] = [];
  const t0 = performance.now();
  for (const m of manifests) {
    for (const f of registry.validate(m.obj)) {
      problems.push({ file: m.file, object: objectId(m.obj), path: f.path, rule: f.rule, message: f.message, severity: 'error' });
    }
  }
  const t1 = performance.now();
  let exemptions: Exemption[] = [];
  let imagePins = { digest: 0, tag: 0 };
  if (options.policy ?? true) {
    const result = runPolicies(manifests, registry);
    problems.push(...result.problems);
    exemptions = result.exemptions;
    imagePins = result.imagePins;
  }
  const t2 = performance.now();
  return { problems, exemptions, imagePins, objects: manifests.length, schemaMs: t1 - t0, policyMs: t2 - t1 };
}
