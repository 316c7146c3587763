import * as fs from 'fs';
import * as path from 'path';
import Ajv, { ValidateFunction } from 'ajv';
import Ajv2020 from 'ajv/dist/2020';
import * as YAML from 'yaml';
import { projectRoot } from '../../core/paths';
import { HelmValues } from './addon';

/**
 * The pinned charts' own `values.schema.json`, with the chart's default `values.yaml` next to it
 * (`schemas/helm-values/<chart>-<version>.values.{schema.json,yaml}`, sources in its SOURCES.md).
 * Helm validates the *merged* values (chart defaults, then ours) against the schema on every
 * install; we do the same before synth, so a wrong key or type fails here and not in the cluster.
 */
export const HELM_VALUES_DIR = path.join('schemas', 'helm-values');

export interface ValuesProblem {
  /** JSON path of the value, e.g. `crds.enabled`. */
  readonly path: string;
  readonly message: string;
}

const compiled = new Map<string, ValidateFunction | null>();

function schemaFile(chart: string, version: string): string {
  return path.join(projectRoot(), HELM_VALUES_DIR, `${chart}-${version}.values.schema.json`);
}

/** Whether we hold the chart's schema at that version. */
export function hasValuesSchema(chart: string, version: string): boolean {
  return fs.existsSync(schemaFile(chart, version));
}

function validatorFor(chart: string, version: string): ValidateFunction | null {
  const key = `${chart}@${version}`;
  if (!compiled.has(key)) {
    const file = schemaFile(chart, version);
    if (!fs.existsSync(file)) {
      compiled.set(key, null);
    } else {
      const schema = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
      const draft = String(schema.$schema ?? '');
      // Helm ignores `$schema` for the dialect it checks; ajv needs the right class for 2020-12.
      delete schema.$schema;
      const ajv = draft.includes('2020-12') ? new Ajv2020({ allErrors: true, strict: false }) : new Ajv({ allErrors: true, strict: false });
      compiled.set(key, ajv.compile(schema));
    }
  }
  return compiled.get(key)!;
}

/** The chart's default values at that version, or `{}` where we do not hold them. */
export function chartDefaults(chart: string, version: string): HelmValues {
  const file = path.join(projectRoot(), HELM_VALUES_DIR, `${chart}-${version}.values.yaml`);
  return fs.existsSync(file) ? ((YAML.parse(fs.readFileSync(file, 'utf8')) as HelmValues | null) ?? {}) : {};
}

/** Helm's coalescing: maps merge key by key, anything else (lists too) is replaced; `null` deletes. */
export function coalesce(defaults: HelmValues, values: HelmValues): HelmValues {
  const out: Record<string, unknown> = { ...defaults };
  for (const [k, v] of Object.entries(values)) {
    const d = out[k];
    if (v === null) {
      delete out[k];
    } else if (isMap(v) && isMap(d)) {
      out[k] = coalesce(d, v);
    } else {
      out[k] = v;
    }
  }
  return out;
}

function isMap(v: unknown): v is HelmValues {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Problems of `values` against the chart's schema at `version` (after merging the defaults), with
 * the JSON path of each; `undefined` when we hold no schema for that chart and version.
 */
export function checkValues(chart: string, version: string, values: HelmValues): ValuesProblem[] | undefined {
  const validate = validatorFor(chart, version);
  if (!validate) {
    return undefined;
  }
  if (validate(coalesce(chartDefaults(chart, version), values))) {
    return [];
  }
  return (validate.errors ?? []).map((e) => {
    const at = e.instancePath.replace(/^\//, '').replace(/\//g, '.');
    const extra = e.keyword === 'additionalProperties' ? ` "${(e.params as { additionalProperty: string }).additionalProperty}"` : '';
    return { path: at || '(root)', message: `${e.message ?? e.keyword}${extra}` };
  });
}
