import * as fs from 'fs';
import * as path from 'path';
import Ajv, { ValidateFunction } from 'ajv';
import * as YAML from 'yaml';
import { describeAjvErrors } from '../core/ajv-errors';
import { projectRoot } from '../core/paths';
import { flagProblem, InputError, Problem } from '../core/problem';
import { EnvironmentBase } from './base';
import { dev } from './dev';
import { dr } from './dr';
import { prod } from './prod';
import { staging } from './staging';
import { ENVIRONMENT_NAMES, EnvironmentConfig, EnvironmentName } from './types';
import schemaJson from './schema/environment.schema.json';

/** The structural half of each environment, by name. */
export const ENVIRONMENT_BASES: Readonly<Record<EnvironmentName, EnvironmentBase>> = { dev, staging, prod, dr };

/** Folder of the `<env>.yaml` data files. */
export function defaultEnvironmentsDir(): string {
  return path.join(projectRoot(), 'environments');
}

let validators: { full: ValidateFunction; partial: ValidateFunction } | undefined;

function compileValidators(): { full: ValidateFunction; partial: ValidateFunction } {
  if (!validators) {
    const ajv = new Ajv({ allErrors: true, strict: true, verbose: true });
    const full = ajv.compile(schemaJson);
    const partialSchema = withoutRequired({ ...structuredClone(schemaJson), $id: `${schemaJson.$id}#partial` });
    const partial = ajv.compile(partialSchema as object);
    validators = { full, partial };
  }
  return validators;
}

/** The override schema: the full schema with every `required` removed (any subset may be given). */
function withoutRequired(node: unknown): unknown {
  if (Array.isArray(node)) {
    return node.map(withoutRequired);
  }
  if (node && typeof node === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) {
      if (k !== 'required') {
        out[k] = withoutRequired(v);
      }
    }
    return out;
  }
  return node;
}

/** Objects merge key by key; arrays and scalars replace. */
export function deepMerge<T>(base: T, override: unknown): T {
  if (override === undefined) {
    return base;
  }
  if (isPlainObject(base) && isPlainObject(override)) {
    const out: Record<string, unknown> = { ...base };
    for (const [k, v] of Object.entries(override)) {
      out[k] = deepMerge((base as Record<string, unknown>)[k], v);
    }
    return out as T;
  }
  return override as T;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A file's path as problems show it: relative to the working directory when below it. */
export function displayPath(file: string): string {
  const r = path.relative(process.cwd(), file);
  return r.startsWith('..') ? file : r;
}

/**
 * Parses a data file strictly (duplicate keys are errors). Syntax errors become problems of rule
 * `rule` at `line L:C`, and undefined is returned.
 */
export function parseDataDocument(text: string, file: string, rule: string, problems: Problem[]): YAML.Document | undefined {
  const doc = YAML.parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length === 0) {
    return doc;
  }
  for (const e of doc.errors) {
    const line = e.linePos?.[0];
    problems.push({ file, path: line ? `line ${line.line}:${line.col}` : '', rule, message: e.message.split('\n')[0], severity: 'error' });
  }
  return undefined;
}

/** Reads and checks `<dir>/<env>.yaml`. Missing file = no data (caught later by `required`). */
function readData(file: string, problems: Problem[]): Record<string, unknown> | undefined {
  if (!fs.existsSync(file)) {
    return undefined;
  }
  const doc = parseDataDocument(fs.readFileSync(file, 'utf8'), displayPath(file), 'config.yaml-syntax', problems);
  if (!doc) {
    return undefined;
  }
  const data: unknown = doc.toJS() ?? {};
  const { partial } = compileValidators();
  if (!partial(data)) {
    for (const f of describeAjvErrors(partial.errors, 'config')) {
      problems.push({ file: displayPath(file), path: f.path, rule: f.rule, message: f.message, severity: 'error' });
    }
    return undefined;
  }
  return data as Record<string, unknown>;
}

/** Rules the JSON Schema cannot say: relations between fields. */
function semanticChecks(config: EnvironmentConfig, file: string, problems: Problem[]): void {
  const add = (p: string, rule: string, message: string): void => {
    problems.push({ file, path: p, rule: `config.${rule}`, message, severity: 'error' });
  };
  // A single member has no failover: PostgresHA accepts it only when the chart says so (dev).
  if (config.name !== 'dev') {
    for (const field of ['replicas', 'poolerReplicas'] as const) {
      if (config.postgres[field] === 1) {
        add(`postgres.${field}`, 'single-instance-dev-only', `1 is for dev only: it has no failover (environment: "${config.name}")`);
      }
    }
  }
  if (config.redis.replicas === 2) {
    add('redis.replicas', 'redis-replicas', 'must be 1 (dev) or at least 3: with 2, Sentinel cannot fail over safely (value: 2)');
  }
  if (config.dr) {
    if (config.dr.standbyOf === config.name) {
      add('dr.standbyOf', 'standby-of-self', `an environment cannot stand by for itself (value: "${config.dr.standbyOf}")`);
    }
    if (config.gitops.sync.mode === 'automated') {
      add('gitops.sync.mode', 'dr-never-automated', 'a DR environment is never synced automatically (value: "automated")');
    }
  }
  if (config.gitops.sync.pullRequestPreviews && config.name !== 'dev') {
    add('gitops.sync.pullRequestPreviews', 'previews-dev-only', `previews are for dev only (environment: "${config.name}")`);
  }
  // Outside dev the flag itself is the mistake (above); in dev it needs the SCM to poll.
  if (config.gitops.sync.pullRequestPreviews && config.name === 'dev' && !config.gitops.pullRequests) {
    add(
      'gitops.pullRequests',
      'previews-need-scm',
      'sync.pullRequestPreviews needs gitops.pullRequests (provider, api, repository, tokenSecret, labels)',
    );
  }
  if (config.gitops.sync.mode !== 'automated' && config.gitops.sync.selfHeal) {
    add('gitops.sync.selfHeal', 'self-heal-needs-automated', `selfHeal needs sync.mode "automated" (mode: "${config.gitops.sync.mode}")`);
  }
}

export interface LoadOptions {
  /** Folder holding `<env>.yaml`. @default defaultEnvironmentsDir() */
  readonly dir?: string;
  /** Structural configs to use instead of the built-in ones (tests). */
  readonly bases?: Partial<Record<EnvironmentName, EnvironmentBase>>;
}

/**
 * Loads and validates environments. Every problem of every requested environment is collected,
 * then thrown together as one InputError; nothing is built from a config that failed.
 */
export function loadEnvironments(names: readonly EnvironmentName[], options: LoadOptions = {}): EnvironmentConfig[] {
  const dir = options.dir ?? defaultEnvironmentsDir();
  const problems: Problem[] = [];
  const configs: EnvironmentConfig[] = [];
  for (const name of names) {
    const base = options.bases?.[name] ?? ENVIRONMENT_BASES[name];
    const dataFile = path.join(dir, `${name}.yaml`);
    const before = problems.length;
    const data = readData(dataFile, problems);
    if (problems.length > before) {
      continue;
    }
    const merged = deepMerge(base as unknown as EnvironmentConfig, data);
    const mergedFile = `environments/${name}.ts + ${displayPath(dataFile)}`;
    const { full } = compileValidators();
    if (!full(merged)) {
      for (const f of describeAjvErrors(full.errors, 'config')) {
        problems.push({ file: mergedFile, path: f.path, rule: f.rule, message: f.message, severity: 'error' });
      }
      continue;
    }
    if (merged.name !== name) {
      problems.push({
        file: mergedFile,
        path: 'name',
        rule: 'config.name-mismatch',
        message: `must equal the environment id "${name}" (value: "${merged.name}")`,
        severity: 'error',
      });
    }
    semanticChecks(merged, mergedFile, problems);
    configs.push(merged);
  }
  if (problems.length > 0) {
    throw new InputError(problems, `${problems.length} problem(s) in the environment configuration`);
  }
  return configs;
}

/**
 * The environments an `--env` flag selects (every one when it is absent), after the command line's
 * other problems; an `--env` value the parser already rejected is not reported twice.
 */
export function selectEnvironments(
  envFlag: readonly string[] | undefined,
  flagProblems: readonly Problem[],
): { names: EnvironmentName[]; problems: Problem[] } {
  const { names, problems } = parseEnvironmentNames(envFlag ?? ENVIRONMENT_NAMES);
  return { names, problems: [...flagProblems, ...(flagProblems.some((p) => p.path === '--env') ? [] : problems)] };
}

/** Parses an `--env` value list. Unknown names are problems, listed with the allowed ones. */
export function parseEnvironmentNames(values: readonly string[]): { names: EnvironmentName[]; problems: Problem[] } {
  const names: EnvironmentName[] = [];
  const problems: Problem[] = [];
  for (const v of values.flatMap((x) => x.split(',')).map((x) => x.trim())) {
    if ((ENVIRONMENT_NAMES as readonly string[]).includes(v)) {
      if (!names.includes(v as EnvironmentName)) {
        names.push(v as EnvironmentName);
      }
    } else {
      problems.push(flagProblem('--env', 'enum', `unknown environment "${v}": allowed are ${ENVIRONMENT_NAMES.join(', ')}`));
    }
  }
  return { names, problems };
}
