import * as fs from 'fs';
import * as path from 'path';
import Ajv, { ValidateFunction } from 'ajv';
import { Plan } from '../constructs/tenant-namespace/plan';
import { describeAjvErrors } from '../core/ajv-errors';
import { Problem } from '../core/problem';
import { defaultEnvironmentsDir, displayPath, parseDataDocument } from './load';
import { TenantFile } from './tenant-types';
import { EnvironmentName } from './types';
import schemaJson from './schema/tenant.schema.json';

/** Folder of the tenant files, below `environments/`. */
export const TENANTS_DIR = 'tenants';

/** A validated tenant file. */
export interface Tenant extends TenantFile {
  /** The file it was read from, relative to the working directory. */
  readonly file: string;
}

let validator: ValidateFunction | undefined;

function validate(): ValidateFunction {
  validator ??= new Ajv({ allErrors: true, strict: true, verbose: true }).compile(schemaJson);
  return validator;
}

/** The folder of the tenant files of an environments folder. */
export function tenantsDir(configDir = defaultEnvironmentsDir()): string {
  return path.join(configDir, TENANTS_DIR);
}

/**
 * Reads every `<id>.yaml` of `environments/tenants/`, validates each against the tenant schema and
 * the rules a schema cannot say (the id is the file name, overrides within the plan's bounds), and
 * returns the tenants sorted by id, so output order never depends on the file system. Every
 * problem of every file is returned, by file and path; a tenant with a problem is not returned.
 */
export function loadTenants(configDir = defaultEnvironmentsDir()): { tenants: Tenant[]; problems: Problem[] } {
  const dir = tenantsDir(configDir);
  const problems: Problem[] = [];
  const tenants: Tenant[] = [];
  if (!fs.existsSync(dir)) {
    return { tenants, problems };
  }
  const entries = fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const file = displayPath(path.join(dir, e.name));
    if (!e.isFile() || !e.name.endsWith('.yaml')) {
      problems.push({
        file,
        path: '',
        rule: 'tenant.file-name',
        message: 'only <id>.yaml files belong in environments/tenants/ (folders and other files are refused, not ignored)',
        severity: 'error',
      });
      continue;
    }
    const tenant = parseTenant(fs.readFileSync(path.join(dir, e.name), 'utf8'), file, problems);
    if (tenant) {
      tenants.push(tenant);
    }
  }
  tenants.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { tenants, problems };
}

/** Parses and checks one tenant file's text; problems are pushed, and undefined returned, when it is not valid. */
export function parseTenant(text: string, file: string, problems: Problem[]): Tenant | undefined {
  const add = (p: string, rule: string, message: string): void => {
    problems.push({ file, path: p, rule, message, severity: 'error' });
  };
  const doc = parseDataDocument(text, file, 'tenant.yaml-syntax', problems);
  if (!doc) {
    return undefined;
  }
  const data: unknown = doc.toJS() ?? {};
  const check = validate();
  if (!check(data)) {
    for (const f of describeAjvErrors(check.errors, 'tenant')) {
      add(f.path, f.rule, f.message);
    }
    return undefined;
  }
  const t = data as TenantFile;
  const before = problems.length;
  const expected = path.basename(file, '.yaml');
  if (t.id !== expected) {
    add('id', 'tenant.id-file-name', `must equal the file name "${expected}" (value: "${t.id}")`);
  }
  const { reason: _reason, ...overrides } = t.quotaOverrides ?? { reason: '' };
  for (const p of Plan.fromName(t.plan).resolveQuota(overrides).problems) {
    add(`quotaOverrides.${p.field}`, 'tenant.override-bounds', p.message);
  }
  if (t.quotaOverrides && Object.keys(overrides).length === 0) {
    add('quotaOverrides', 'tenant.override-empty', 'gives a reason but overrides no field: remove it');
  }
  return problems.length > before ? undefined : { ...t, file };
}

/** The tenants that run in `env`: those that name it; DR runs prod's. */
export function tenantsOf(env: EnvironmentName, tenants: readonly Tenant[]): Tenant[] {
  const wanted: string = env === 'dr' ? 'prod' : env;
  return tenants.filter((t) => (t.environments as readonly string[]).includes(wanted));
}
