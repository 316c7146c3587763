import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';
import { runGate } from './gate';
import { isNotApiObject, KubeObject, Manifest } from './manifest';
import { Exemption } from './policy';
import { Problem } from '../core/problem';
import { listYaml } from './schema';

export interface CheckResult {
  readonly problems: Problem[];
  readonly exemptions: Exemption[];
  readonly files: number;
  readonly objects: number;
  /** The groups checked together (one environment each), with their object counts. */
  readonly groups: { name: string; objects: number }[];
}

/**
 * Reads every YAML file under the given paths (multi-document, any nesting), and runs the gate.
 * Files are grouped by environment (see groupOf), because references resolve only inside one
 * environment.
 */
export function checkPaths(inputs: readonly string[], options: { policy?: boolean } = {}): CheckResult {
  const problems: Problem[] = [];
  const groups = new Map<string, Manifest[]>();
  let files = 0;
  for (const input of inputs) {
    if (!fs.existsSync(input)) {
      problems.push({ file: input, path: '', rule: 'input.not-found', message: 'no such file or folder', severity: 'error' });
      continue;
    }
    const list = fs.statSync(input).isDirectory() ? listYaml(input) : [input];
    if (list.length === 0) {
      problems.push({ file: input, path: '', rule: 'input.empty', message: 'no .yaml or .yml file here', severity: 'error' });
    }
    for (const file of list) {
      files++;
      const shown = displayPath(file);
      for (const obj of readObjects(file, shown, problems)) {
        const group = groupOf(path.resolve(file));
        const g = groups.get(group) ?? [];
        g.push({ file: shown, obj });
        groups.set(group, g);
      }
    }
  }
  const exemptions: Exemption[] = [];
  let objects = 0;
  const summary: { name: string; objects: number }[] = [];
  for (const [name, manifests] of [...groups.entries()].sort((a, b) => a[0].localeCompare(b[0]))) {
    const r = runGate(manifests, { policy: options.policy ?? true });
    problems.push(...r.problems);
    exemptions.push(...r.exemptions);
    objects += manifests.length;
    summary.push({ name, objects: manifests.length });
  }
  return { problems, exemptions, files, objects, groups: summary };
}

function displayPath(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel.startsWith('..') ? file : rel;
}

/**
 * One environment per group: `dist/<env>`, `gitops/argocd/<env>` and `gitops/flux/clusters/<env>`
 * each hold a complete set (Flux folders reuse the same names per cluster); anything else is one group.
 */
function groupOf(file: string): string {
  const m = /(?:^|\/)(dist\/[^/]+|gitops\/argocd\/[^/]+|gitops\/flux\/clusters\/[^/]+)\//.exec(file);
  return m ? m[1] : '(all)';
}

function readObjects(file: string, shown: string, problems: Problem[]): KubeObject[] {
  const out: KubeObject[] = [];
  let docs: YAML.Document.Parsed[];
  try {
    docs = YAML.parseAllDocuments(fs.readFileSync(file, 'utf8'), { uniqueKeys: true, merge: true }) as YAML.Document.Parsed[];
  } catch (e) {
    problems.push({ file: shown, path: '', rule: 'yaml.syntax', message: (e as Error).message, severity: 'error' });
    return out;
  }
  docs.forEach((doc, i) => {
    if (doc.errors.length > 0) {
      for (const e of doc.errors) {
        const line = e.linePos?.[0];
        problems.push({
          file: shown,
          path: line ? `line ${line.line}` : `document ${i + 1}`,
          rule: 'yaml.syntax',
          message: e.message.split('\n')[0],
          severity: 'error',
        });
      }
      return;
    }
    const obj = doc.toJS();
    if (obj === null || obj === undefined || isNotApiObject(obj)) {
      return;
    }
    if (obj.kind === 'List' && Array.isArray(obj.items)) {
      out.push(...obj.items);
      return;
    }
    out.push(obj);
  });
  return out;
}
