import type { ErrorObject } from 'ajv';
import { formatValue } from './format';
import { joinPath, pointerToPath } from './problem';

export interface AjvFinding {
  readonly path: string;
  readonly rule: string;
  readonly message: string;
}

/**
 * Turns ajv errors into findings that name the path, the rule and the offending value, and drops
 * the noise of composite keywords (oneOf/anyOf branches) when a more precise error exists.
 */
export function describeAjvErrors(errors: readonly ErrorObject[] | null | undefined, rulePrefix: string): AjvFinding[] {
  if (!errors) {
    return [];
  }
  const out: AjvFinding[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    let path = pointerToPath(e.instancePath);
    let message: string;
    let rule = e.keyword;
    const description = (e.parentSchema as { description?: string } | undefined)?.description;
    switch (e.keyword) {
      case 'additionalProperties': {
        const extra = (e.params as { additionalProperty: string }).additionalProperty;
        path = joinPath(path, extra);
        const allowed = Object.keys((e.parentSchema as { properties?: object })?.properties ?? {});
        message = `unknown field "${extra}"${allowed.length ? ` (allowed: ${allowed.join(', ')})` : ''}`;
        rule = 'additional-properties';
        break;
      }
      case 'required': {
        const missing = (e.params as { missingProperty: string }).missingProperty;
        path = joinPath(path, missing);
        message = 'required field is missing';
        break;
      }
      case 'enum': {
        const allowed = (e.params as { allowedValues: unknown[] }).allowedValues;
        message = `must be one of ${allowed.map((v) => JSON.stringify(v)).join(', ')} (value: ${formatValue(e.data)})`;
        break;
      }
      case 'type':
        message = `must be ${(e.params as { type: string }).type} (value: ${formatValue(e.data)})`;
        break;
      case 'pattern':
        message = `${description ? `must be ${description}` : `must match ${(e.params as { pattern: string }).pattern}`} (value: ${formatValue(e.data)})`;
        break;
      case 'propertyNames':
        // The nested 'pattern' error on the key says it better.
        continue;
      case 'oneOf':
      case 'anyOf':
        // Report a union failure only when no branch error points deeper at the same place.
        if (errors.some((o) => o !== e && o.instancePath.startsWith(e.instancePath) && o.keyword !== e.keyword)) {
          continue;
        }
        message = `${e.message ?? 'does not match any allowed shape'} (value: ${formatValue(e.data)})`;
        break;
      default:
        message = `${e.message ?? e.keyword}${e.data !== undefined && typeof e.data !== 'object' ? ` (value: ${formatValue(e.data)})` : ''}`;
    }
    if (e.propertyName !== undefined) {
      message = `key ${JSON.stringify(e.propertyName)}: ${message}`;
    }
    const key = `${path}|${rule}|${message}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.push({ path, rule: `${rulePrefix}.${rule}`, message });
    }
  }
  return mergeUnionTypeErrors(out);
}

/** `must be string` and `must be number` at one path (IntOrString, Quantity) read as one error. */
function mergeUnionTypeErrors(findings: AjvFinding[]): AjvFinding[] {
  const out: AjvFinding[] = [];
  for (const f of findings) {
    const prev = out[out.length - 1];
    const m = /^must be (\S+) \(value: (.*)\)$/.exec(f.message);
    if (prev && m && prev.path === f.path && prev.rule === f.rule && f.rule.endsWith('.type')) {
      const pm = /^must be (.+) \(value: (.*)\)$/.exec(prev.message);
      if (pm && pm[2] === m[2]) {
        out[out.length - 1] = { ...prev, message: `must be ${pm[1]} or ${m[1]} (value: ${m[2]})` };
        continue;
      }
    }
    out.push(f);
  }
  return out;
}
