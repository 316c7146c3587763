import { KubeObject } from '../../gate/manifest';
import { runGate } from '../../gate/gate';
import { SchemaRegistry } from '../../gate/schema';

/** The gate's errors over synthesized objects, one line each: `Kind/ns/name path: rule: message`. */
export function gateErrors(objects: readonly KubeObject[]): string[] {
  return runGate(
    objects.map((obj) => ({ file: 'test.yaml', obj })),
    { registry: SchemaRegistry.default() },
  )
    .problems.filter((p) => p.severity === 'error')
    .map((p) => `${p.object} ${p.path}: ${p.rule}: ${p.message}`);
}
