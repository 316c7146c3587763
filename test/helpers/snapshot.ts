import * as YAML from 'yaml';

/* eslint-disable @typescript-eslint/no-explicit-any */

/**
 * A small, readable snapshot of one construct: the inventory of every object it emits (so an
 * added or dropped object shows), then the YAML of the few objects a reviewer reads (`Kind/name`).
 * Snapshots add to the assertions of the other test files, never replace them.
 */
export function constructSnapshot(objects: readonly any[], selected: readonly string[]): string {
  const id = (o: any): string => `${o.kind}/${o.metadata.name}`;
  const missing = selected.filter((s) => !objects.some((o) => id(o) === s));
  if (missing.length > 0) {
    throw new Error(`snapshot: no such objects: ${missing.join(', ')}`);
  }
  const inventory = objects.map((o) => `# ${o.apiVersion} ${id(o)}`).join('\n');
  const shown = selected.map((s) =>
    YAML.stringify(
      objects.find((o) => id(o) === s),
      { lineWidth: 0 },
    ),
  );
  return [inventory, ...shown].join('\n---\n');
}
