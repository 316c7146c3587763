import { createHash } from 'crypto';
import * as fs from 'fs';
import { createRequire } from 'module';
import * as path from 'path';
import Ajv, { ValidateFunction } from 'ajv';
import standaloneCode from 'ajv/dist/standalone';
import * as YAML from 'yaml';
import { describeAjvErrors, AjvFinding } from '../core/ajv-errors';
import { projectRoot } from '../core/paths';
import { dedupeSchema } from './schema-dedupe';

/**
 * Strict schema validation of Kubernetes objects, like `kubeconform -strict`: the Kubernetes 1.28
 * definitions and the CRDs' `openAPIV3Schema`, with unknown fields rejected everywhere a schema
 * lists its properties. Every schema is compiled once per process, on first use of its kind.
 */

const K8S_DEFINITIONS = path.join('k8s-1.28', '_definitions.json');
const CRDS_DIR = 'crds';
const K8S_ID = 'k8s';
const OBJECT_META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';

type JsonSchema = Record<string, unknown>;

/** A pattern the CRD author wrote for Go's regexp that JavaScript cannot compile, and what we did. */
export interface RelaxedPattern {
  readonly crd: string;
  readonly path: string;
  readonly pattern: string;
  readonly action: string;
}

export class SchemaRegistry {
  private static defaultInstance: SchemaRegistry | undefined;

  /** The registry over the project's `schemas/` folder, shared by the whole process. */
  public static default(): SchemaRegistry {
    SchemaRegistry.defaultInstance ??= new SchemaRegistry(path.join(projectRoot(), 'schemas'), path.join(projectRoot(), 'build', 'schema-cache'));
    return SchemaRegistry.defaultInstance;
  }

  /** CRD patterns relaxed because JavaScript cannot compile them. */
  public readonly relaxedPatterns: RelaxedPattern[] = [];
  private readonly ajv: Ajv;
  /** `group/version/kind` -> definition name in the Kubernetes definitions. */
  private readonly builtin = new Map<string, string>();
  /** `group/version/kind` -> prepared CRD schema. */
  private readonly crds = new Map<string, { schema: JsonSchema; source: string; scope: string }>();
  private readonly compiled = new Map<string, ValidateFunction>();

  /** Hash of everything a compiled validator depends on besides its own schema. */
  private readonly cacheSalt: string;

  /**
   * @param dir the `schemas/` folder
   * @param cacheDir where compiled validators are kept between runs (ajv standalone code); compiling
   *   the big schemas (PodSpec, Argo CD Application) costs seconds, loading them milliseconds.
   *   `undefined` disables the cache.
   */
  constructor(
    dir: string,
    private readonly cacheDir?: string,
  ) {
    this.ajv = new Ajv({ ...AJV_OPTIONS, code: { source: cacheDir !== undefined } });
    const defsText = fs.readFileSync(path.join(dir, K8S_DEFINITIONS), 'utf8');
    this.cacheSalt = createHash('sha256')
      .update(JSON.stringify(AJV_OPTIONS))
      .update(AJV_VERSION)
      .update(STRICTIFY_VERSION)
      .update(defsText)
      .digest('hex');
    const defs = JSON.parse(defsText).definitions as Record<string, JsonSchema>;
    for (const [name, def] of Object.entries(defs)) {
      strictify(def);
      const gvks = def['x-kubernetes-group-version-kind'] as { group: string; version: string; kind: string }[] | undefined;
      const props = def.properties as JsonSchema | undefined;
      if (gvks && props && 'kind' in props && 'metadata' in props) {
        for (const g of gvks) {
          this.builtin.set(gvkKey(g.group ? `${g.group}/${g.version}` : g.version, g.kind), name);
        }
      }
    }
    this.ajv.addSchema({ $id: K8S_ID, definitions: defs });
    for (const file of listYaml(path.join(dir, CRDS_DIR))) {
      this.indexCrdFile(file, path.relative(dir, file));
    }
  }

  /** `group kind` -> CRD documents not parsed yet. Parsing all CRDs up front costs ~1 s. */
  private readonly pendingCrds = new Map<string, { text: string; source: string }[]>();
  /** `group kind` -> the CRD's text and scope, kept to key the validator cache without parsing. */
  private readonly crdTexts = new Map<string, { text: string; scope: string | undefined }>();

  /** Finds group and kind of each CRD document with a cheap scan; parses it on first use. */
  private indexCrdFile(file: string, source: string): void {
    const text = fs.readFileSync(file, 'utf8');
    for (const docText of text.split(/^---\s*$/m)) {
      if (!/^kind:\s*CustomResourceDefinition\s*$/m.test(docText)) {
        continue;
      }
      const group = /^ {2}group:\s*(\S+)\s*$/m.exec(docText)?.[1];
      const kind = /^ {4}kind:\s*(\S+)\s*$/m.exec(docText)?.[1];
      if (!group || !kind) {
        // Unusual layout: parse it now rather than miss it.
        this.addCrdText(docText, source);
        continue;
      }
      const key = `${group} ${kind}`;
      const known = this.crdTexts.get(key);
      this.crdTexts.set(key, { text: (known?.text ?? '') + docText, scope: /^ {2}scope:\s*(\S+)\s*$/m.exec(docText)?.[1] ?? known?.scope });
      const list = this.pendingCrds.get(key) ?? [];
      list.push({ text: docText, source });
      this.pendingCrds.set(key, list);
    }
  }

  private loadPendingCrd(apiVersion: string, kind: string): void {
    const key = groupKind(apiVersion, kind);
    const pending = this.pendingCrds.get(key);
    if (pending) {
      this.pendingCrds.delete(key);
      for (const p of pending) {
        this.addCrdText(p.text, p.source);
      }
    }
  }

  /** Kinds known to this registry, as `apiVersion kind`. */
  public knownKinds(): string[] {
    for (const pending of [...this.pendingCrds.values()]) {
      pending.forEach((p) => this.addCrdText(p.text, p.source));
    }
    this.pendingCrds.clear();
    return [...this.builtin.keys(), ...this.crds.keys()].sort();
  }

  /** Whether objects of this kind live in a namespace (undefined when unknown). */
  public isNamespaced(apiVersion: string, kind: string): boolean | undefined {
    const key = gvkKey(apiVersion, kind);
    if (this.builtin.has(key)) {
      return !CLUSTER_SCOPED_BUILTIN.has(kind);
    }
    const scope = this.crdTexts.get(groupKind(apiVersion, kind))?.scope ?? this.crds.get(key)?.scope;
    return scope === undefined ? undefined : scope === 'Namespaced';
  }

  /** Validates one object. Returns findings; an unknown kind is a finding, never a silent pass. */
  public validate(obj: unknown): AjvFinding[] {
    if (!obj || typeof obj !== 'object' || Array.isArray(obj)) {
      return [{ path: '', rule: 'schema.not-an-object', message: 'a manifest document must be a mapping' }];
    }
    const o = obj as { apiVersion?: unknown; kind?: unknown; metadata?: { name?: unknown; generateName?: unknown } };
    const head: AjvFinding[] = [];
    if (typeof o.apiVersion !== 'string' || !o.apiVersion) {
      head.push({ path: 'apiVersion', rule: 'schema.required', message: 'required field is missing' });
    }
    if (typeof o.kind !== 'string' || !o.kind) {
      head.push({ path: 'kind', rule: 'schema.required', message: 'required field is missing' });
    }
    if (head.length > 0) {
      return head;
    }
    if (!o.metadata?.name && !o.metadata?.generateName) {
      head.push({ path: 'metadata.name', rule: 'schema.required', message: 'required field is missing' });
    }
    const validator = this.validatorFor(o.apiVersion as string, o.kind as string);
    if (!validator) {
      return [
        ...head,
        {
          path: 'apiVersion',
          rule: 'schema.unknown-kind',
          message: `no schema for ${o.apiVersion} ${o.kind}: add its CRD under schemas/crds/ (Kubernetes 1.28 and the CRDs we ship are known)`,
        },
      ];
    }
    if (validator(obj)) {
      return head;
    }
    return [...head, ...describeAjvErrors(validator.errors, 'schema')];
  }

  private validatorFor(apiVersion: string, kind: string): ValidateFunction | undefined {
    const key = gvkKey(apiVersion, kind);
    let fn = this.compiled.get(key);
    if (fn) {
      return fn;
    }
    const builtin = this.builtin.get(key);
    if (builtin) {
      const schema = { $ref: `${K8S_ID}#/definitions/${builtin}` };
      fn = this.compileCached(JSON.stringify(schema), () => schema);
    } else {
      // A CRD's cache entry is keyed by its text, so a warm cache never parses the (large) YAML.
      const text = this.crdTexts.get(groupKind(apiVersion, kind))?.text;
      const schemaOf = (): JsonSchema | undefined => {
        this.loadPendingCrd(apiVersion, kind);
        return this.crds.get(key)?.schema;
      };
      if (text === undefined && !this.crds.has(key)) {
        return undefined;
      }
      fn = this.compileCached(`crd ${key} ${text ?? JSON.stringify(schemaOf())}`, schemaOf);
    }
    if (fn) {
      this.compiled.set(key, fn);
    }
    return fn;
  }

  /**
   * Loads the code ajv generated on an earlier run for `cacheKey`, or compiles the schema (and
   * stores the generated code). Undefined when the schema does not exist (a CRD version not served).
   */
  private compileCached(cacheKey: string, schemaOf: () => JsonSchema | undefined): ValidateFunction | undefined {
    if (this.cacheDir === undefined) {
      const schema = schemaOf();
      return schema && this.ajv.compile(schema);
    }
    const hash = createHash('sha256').update(this.cacheSalt).update(cacheKey).digest('hex').slice(0, 32);
    const file = path.join(this.cacheDir, `${hash}.js`);
    if (fs.existsSync(file)) {
      try {
        return loadStandalone(fs.readFileSync(file, 'utf8'));
      } catch {
        // A damaged cache entry: compile again below and overwrite it.
      }
    }
    const schema = schemaOf();
    if (!schema) {
      return undefined;
    }
    const fn = this.ajv.compile(schema);
    try {
      fs.mkdirSync(this.cacheDir, { recursive: true });
      // Write then rename: parallel processes never read half a file.
      const tmp = `${file}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, standaloneCode(this.ajv, fn));
      fs.renameSync(tmp, file);
    } catch {
      // The cache is an optimization only; a read-only checkout still validates.
    }
    return fn;
  }

  private addCrdText(text: string, source: string): void {
    for (const doc of YAML.parseAllDocuments(text)) {
      const crd = doc.toJS() as CrdDoc | null;
      if (!crd || crd.kind !== 'CustomResourceDefinition') {
        continue;
      }
      const group = crd.spec.group;
      const kind = crd.spec.names.kind;
      for (const v of crd.spec.versions ?? []) {
        const raw = v.schema?.openAPIV3Schema;
        if (!raw || v.served === false) {
          continue;
        }
        const schema = this.prepareCrdSchema(structuredClone(raw), `${source} ${kind} ${v.name}`);
        this.crds.set(gvkKey(`${group}/${v.name}`, kind), { schema, source, scope: crd.spec.scope });
      }
    }
  }

  private prepareCrdSchema(schema: JsonSchema, crd: string): JsonSchema {
    convertOpenApiV3(schema, crd, '', this.relaxedPatterns);
    const props = (schema.properties ??= {}) as JsonSchema;
    props.apiVersion = { type: 'string' };
    props.kind = { type: 'string' };
    props.metadata = { $ref: `${K8S_ID}#/definitions/${OBJECT_META}` };
    strictify(schema);
    // CRDs repeat large subschemas (ApplicationSet embeds the Application spec per generator):
    // sharing them keeps ajv's compile time in the tens of milliseconds.
    return dedupeSchema(schema).schema;
  }
}

const AJV_OPTIONS = {
  allErrors: true,
  strict: false,
  validateFormats: false,
  unicodeRegExp: false,
  inlineRefs: false,
  verbose: true,
} as const;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const AJV_VERSION: string = require('ajv/package.json').version;
/** Bump when strictify, convertOpenApiV3 or dedupeSchema change what they produce (cache key). */
const STRICTIFY_VERSION = '1';
const runtimeRequire = createRequire(__filename);

/** Evaluates ajv standalone code (a CommonJS module) into its validate function. */
function loadStandalone(code: string): ValidateFunction {
  const mod: { exports: { default?: ValidateFunction } & ValidateFunction } = { exports: {} as never };
  new Function('require', 'module', 'exports', code)(runtimeRequire, mod, mod.exports);
  const fn = mod.exports.default ?? mod.exports;
  if (typeof fn !== 'function') {
    throw new Error('not a validator');
  }
  return fn;
}

interface CrdDoc {
  kind: string;
  spec: {
    group: string;
    scope: string;
    names: { kind: string };
    versions?: { name: string; served?: boolean; schema?: { openAPIV3Schema?: JsonSchema } }[];
  };
}

const CLUSTER_SCOPED_BUILTIN = new Set([
  'Namespace',
  'Node',
  'PersistentVolume',
  'ClusterRole',
  'ClusterRoleBinding',
  'StorageClass',
  'PriorityClass',
  'CustomResourceDefinition',
  'ValidatingWebhookConfiguration',
  'MutatingWebhookConfiguration',
  'ValidatingAdmissionPolicy',
  'ValidatingAdmissionPolicyBinding',
  'APIService',
  'IngressClass',
  'RuntimeClass',
  'CSIDriver',
  'CSINode',
  'VolumeAttachment',
  'CertificateSigningRequest',
  'FlowSchema',
  'PriorityLevelConfiguration',
  'ComponentStatus',
  'ClusterCIDR',
  'IPAddress',
]);

function gvkKey(apiVersion: string, kind: string): string {
  return `${apiVersion} ${kind}`;
}

function groupKind(apiVersion: string, kind: string): string {
  return `${apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.lastIndexOf('/')) : ''} ${kind}`;
}

/**
 * Strictness: an object schema that lists `properties` and says nothing about other keys gets
 * `additionalProperties: false`. Maps (`additionalProperties` set), preserve-unknown-fields
 * objects and schemas without `properties` (free-form) are left alone.
 */
function strictify(node: unknown): void {
  if (Array.isArray(node)) {
    node.forEach(strictify);
    return;
  }
  if (!node || typeof node !== 'object') {
    return;
  }
  const s = node as JsonSchema;
  if (
    s.properties &&
    typeof s.properties === 'object' &&
    s.additionalProperties === undefined &&
    s['x-kubernetes-preserve-unknown-fields'] !== true
  ) {
    s.additionalProperties = false;
  }
  for (const [k, v] of Object.entries(s)) {
    if (k === 'properties' || k === 'definitions' || k === 'patternProperties') {
      for (const child of Object.values(v as JsonSchema)) {
        strictify(child);
      }
    } else if (typeof v === 'object' && k !== 'enum' && k !== 'default' && k !== 'example' && k !== 'x-kubernetes-validations') {
      strictify(v);
    }
  }
}

/**
 * OpenAPI v3 (structural CRD schema) to JSON Schema: `nullable` becomes a null type,
 * `x-kubernetes-int-or-string` becomes integer-or-string, and Go regexes JavaScript cannot
 * compile are relaxed (dropped) and recorded, so the list is visible and tested.
 */
function convertOpenApiV3(node: JsonSchema, crd: string, at: string, relaxed: RelaxedPattern[]): void {
  if (node['x-kubernetes-int-or-string'] === true) {
    delete node.type;
    node.anyOf = [{ type: 'integer' }, { type: 'string' }];
    delete node.pattern;
  }
  if (node.nullable === true) {
    if (typeof node.type === 'string') {
      node.type = [node.type, 'null'];
    }
    if (Array.isArray(node.enum) && !node.enum.includes(null)) {
      node.enum = [...node.enum, null];
    }
  }
  delete node.nullable;
  if (typeof node.pattern === 'string') {
    const translated = translateGoRegex(node.pattern);
    if (translated === undefined) {
      relaxed.push({ crd, path: at, pattern: node.pattern, action: 'dropped: not expressible in JavaScript' });
      delete node.pattern;
    } else if (translated !== node.pattern) {
      relaxed.push({ crd, path: at, pattern: node.pattern, action: `translated to ${translated}` });
      node.pattern = translated;
    }
  }
  for (const [k, v] of Object.entries(node)) {
    if (k === 'properties' || k === 'patternProperties') {
      for (const [pk, pv] of Object.entries(v as Record<string, JsonSchema>)) {
        convertOpenApiV3(pv, crd, `${at}.${pk}`, relaxed);
      }
    } else if ((k === 'items' || k === 'additionalProperties' || k === 'not') && v && typeof v === 'object') {
      convertOpenApiV3(v as JsonSchema, crd, k === 'items' ? `${at}[]` : `${at}.*`, relaxed);
    } else if ((k === 'allOf' || k === 'anyOf' || k === 'oneOf') && Array.isArray(v)) {
      v.forEach((child: JsonSchema) => convertOpenApiV3(child, crd, at, relaxed));
    }
  }
}

/**
 * Go RE2 syntax JavaScript lacks: the `(?i)` flag (we make the letters case-insensitive by
 * character classes) and escapes such as `\-` outside classes, which JavaScript without the `u`
 * flag accepts anyway. Returns undefined when the pattern still does not compile.
 */
export function translateGoRegex(pattern: string): string | undefined {
  let p = pattern;
  // Go's `(?i)` turns on case-insensitivity from where it stands to the end of the pattern.
  const flag = p.indexOf('(?i)');
  if (flag >= 0) {
    p = p.slice(0, flag) + caseInsensitive(p.slice(flag + 4));
  }
  try {
    new RegExp(p);
    return p;
  } catch {
    return undefined;
  }
}

function caseInsensitive(p: string): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < p.length; i++) {
    const c = p[i];
    if (c === '\\') {
      out += c + (p[i + 1] ?? '');
      i++;
      continue;
    }
    if (c === '[') {
      inClass = true;
    } else if (c === ']') {
      inClass = false;
    }
    if (/[a-zA-Z]/.test(c)) {
      out += inClass ? c.toLowerCase() + c.toUpperCase() : `[${c.toLowerCase()}${c.toUpperCase()}]`;
    } else {
      out += c;
    }
  }
  return out;
}

/** Every `.yaml`/`.yml` file below `dir`, sorted, following no symlinks out. */
export function listYaml(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) {
        walk(p);
      } else if (e.isFile() && /\.ya?ml$/.test(e.name)) {
        out.push(p);
      }
    }
  };
  walk(dir);
  return out;
}
