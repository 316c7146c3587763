import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';
import { KubeObject } from '../../../gate/manifest';
import { matchesGlob } from '../../../synth/gitops/model';

/* eslint-disable @typescript-eslint/no-explicit-any */

/**
 * A small simulation of the Argo CD ApplicationSet controller for the generators we emit: git
 * directories (Go `path.Match`, exclusions win, dot-folders skipped), list, pull request (params
 * given by the test) and matrix; templates rendered with `{{.a.b}}` lookups and missingkey=error.
 * https://argo-cd.readthedocs.io/en/stable/operator-manual/applicationset/Generators-Git/
 */

export type Params = Record<string, unknown>;

/** Every folder below `root`, as posix paths relative to it (what the repo server lists). */
export function listDirs(root: string): string[] {
  const out: string[] = [];
  const walk = (rel: string): void => {
    for (const e of fs.readdirSync(path.join(root, rel), { withFileTypes: true })) {
      if (e.isDirectory() && !e.name.startsWith('.')) {
        const p = rel ? `${rel}/${e.name}` : e.name;
        out.push(p);
        walk(p);
      }
    }
  };
  walk('');
  return out.sort();
}

/** Reads every object of a YAML file. */
export function readObjects(file: string): KubeObject[] {
  return YAML.parseAllDocuments(fs.readFileSync(file, 'utf8'))
    .map((d) => d.toJS() as KubeObject)
    .filter(Boolean);
}

function gitParams(dir: string): Params {
  const segments = dir.split('/');
  const basename = segments[segments.length - 1];
  return { path: { path: dir, basename, basenameNormalized: basename.toLowerCase().replace(/[^a-z0-9-]/g, '-'), segments } };
}

function generate(gen: any, dirs: readonly string[], pullRequests: readonly Params[]): Params[] {
  if (gen.git) {
    const include = gen.git.directories.filter((d: any) => !d.exclude).map((d: any) => d.path as string);
    const exclude = gen.git.directories.filter((d: any) => d.exclude).map((d: any) => d.path as string);
    return dirs
      .filter((d) => include.some((g: string) => matchesGlob(g, d)) && !exclude.some((g: string) => matchesGlob(g, d)))
      .map(gitParams);
  }
  if (gen.list) {
    return gen.list.elements.map((e: Params) => ({ ...e }));
  }
  if (gen.pullRequest) {
    return pullRequests.map((p) => ({ ...p }));
  }
  if (gen.matrix) {
    const [a, b] = gen.matrix.generators;
    if (gen.matrix.generators.length !== 2) {
      throw new Error('a matrix generator has exactly two children');
    }
    const out: Params[] = [];
    for (const pa of generate(a, dirs, pullRequests)) {
      // The second child may use the first one's params (e.g. the PR's head_sha as git revision).
      for (const pb of generate(render(b, pa), dirs, pullRequests)) {
        out.push({ ...pa, ...pb });
      }
    }
    return out;
  }
  throw new Error(`generator not simulated: ${Object.keys(gen).join(', ')}`);
}

function lookup(params: Params, expr: string): string {
  let v: unknown = params;
  for (const key of expr.split('.').filter(Boolean)) {
    if (v === null || typeof v !== 'object' || !(key in (v as Params))) {
      throw new Error(`missingkey=error: {{.${expr.replace(/^\./, '')}}} has no value`);
    }
    v = (v as Params)[key];
  }
  return String(v);
}

/** Renders `{{.a.b}}` in every string of `node` (the only template syntax we generate). */
export function render<T>(node: T, params: Params): T {
  if (typeof node === 'string') {
    return node.replace(/\{\{\s*([^}]*?)\s*\}\}/g, (_, expr: string) => {
      if (!/^\.[\w.]+$/.test(expr)) {
        throw new Error(`template expression not simulated: ${expr}`);
      }
      return lookup(params, expr);
    }) as T;
  }
  if (Array.isArray(node)) {
    return node.map((n) => render(n, params)) as T;
  }
  if (node && typeof node === 'object') {
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [render(k, params), render(v, params)])) as T;
  }
  return node;
}

/** The Applications an ApplicationSet would create over a repository with these folders. */
export function expandApplicationSet(appset: KubeObject, dirs: readonly string[], pullRequests: readonly Params[] = []): KubeObject[] {
  const spec = appset.spec as any;
  if (spec.goTemplate !== true || !spec.goTemplateOptions?.includes('missingkey=error')) {
    throw new Error(`${appset.metadata.name}: expected goTemplate with missingkey=error`);
  }
  const params = (spec.generators as any[]).flatMap((g) => generate(g, dirs, pullRequests));
  return params.map((p) => {
    const t = render(spec.template, p);
    return {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: { ...t.metadata, namespace: appset.metadata.namespace },
      spec: t.spec,
    };
  });
}

/** Whether an AppProject lets an Application deploy to its destination (server and namespace globs). */
export function projectAllows(project: KubeObject, server: string, namespace: string): boolean {
  const destinations = ((project.spec as any).destinations ?? []) as { server?: string; namespace?: string }[];
  return destinations.some((d) => matchesGlob(d.server ?? '*', server) && matchesGlob(d.namespace ?? '*', namespace));
}
