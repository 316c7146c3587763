import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';
import { ENVIRONMENT_BASES, loadEnvironments } from '../../../environments/load';
import { EnvironmentConfig } from '../../../environments/types';
import { KubeObject } from '../../../gate/manifest';
import { InputError } from '../../../core/problem';
import { toolPath } from '../../../core/tools';
import { buildGitOps } from '../../../synth/gitops';
import { previewProjectName } from '../../../synth/gitops/argocd';
import { synthesize } from '../../../synth/pipeline';
import { tempDir } from '../../helpers/temp';
import { expandApplicationSet, listDirs, projectAllows } from './appset-sim';

/* eslint-disable @typescript-eslint/no-explicit-any */

const PRS = [
  { number: '12', branch: 'feature/a', branch_slug: 'feature-a', head_sha: 'a'.repeat(40), head_short_sha: 'aaaaaaa' },
  { number: '13', branch: 'feature/b', branch_slug: 'feature-b', head_sha: 'b'.repeat(40), head_short_sha: 'bbbbbbb' },
];

let root: string;
let cleanup: () => void;
let dev: EnvironmentConfig;

function withPreviews(config: EnvironmentConfig): EnvironmentConfig {
  return { ...config, gitops: { ...config.gitops, sync: { ...config.gitops.sync, pullRequestPreviews: true } } };
}

function previewObjects(): KubeObject[] {
  const build = buildGitOps([{ config: withPreviews(dev), folders: new Map() }]);
  expect(build.problems).toEqual([]);
  return build.outputs[0].dirs.get('gitops/argocd/dev')!.get('previews.yaml')!;
}

/** What Argo CD's kustomize step does with the Application's `source.kustomize`, run by kubectl. */
function renderLikeArgo(app: KubeObject, repo: string, work: string): KubeObject[] {
  const source = (app.spec as any).source;
  const dir = path.join(work, app.metadata.name!);
  fs.cpSync(path.join(repo, source.path), path.join(dir, 'base'), { recursive: true });
  const overlay = {
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    resources: ['base'],
    namespace: source.kustomize.namespace,
    patches: source.kustomize.patches,
  };
  fs.writeFileSync(path.join(dir, 'kustomization.yaml'), YAML.stringify(overlay));
  const out = execFileSync(toolPath('kubectl'), ['kustomize', dir], { encoding: 'utf8' });
  return YAML.parseAllDocuments(out)
    .map((d) => d.toJS() as KubeObject)
    .filter(Boolean);
}

beforeAll(() => {
  ({ dir: root, cleanup } = tempDir('gitops-previews-'));
  [dev] = loadEnvironments(['dev']);
  const result = synthesize({ envs: ['dev'], outdir: path.join(root, 'dist'), configs: [dev] });
  expect(result.problems.filter((p) => p.severity === 'error')).toEqual([]);
});
afterAll(() => cleanup());

test('previews are off by default: no previews file', () => {
  expect(dev.gitops.sync.pullRequestPreviews).toBe(false);
  const build = buildGitOps([{ config: dev, folders: new Map() }]);
  expect([...build.outputs[0].dirs.get('gitops/argocd/dev')!.keys()]).not.toContain('previews.yaml');
});

test('switched on: one Application per open pull request and component, from the PR head commit', () => {
  const objects = previewObjects();
  const appset = objects.find((o) => o.kind === 'ApplicationSet')!;
  const project = objects.find((o) => o.kind === 'AppProject')!;
  expect(project.metadata.name).toBe(previewProjectName('dev'));
  const generator = (appset.spec as any).generators[0].matrix.generators[0].pullRequest;
  expect(generator.gitlab).toMatchObject({ project: dev.gitops.pullRequests!.repository, pullRequestState: 'opened', labels: ['preview'] });
  const apps = expandApplicationSet(appset, listDirs(root), PRS);
  const components = listDirs(path.join(root, 'dist', 'dev')).filter((d) => !d.includes('/') && d !== 'tenants' && d !== 'addons' && d !== 'cluster' && d !== 'security');
  expect(apps).toHaveLength(PRS.length * components.length);
  for (const app of apps) {
    const spec = app.spec as any;
    const pr = PRS.find((p) => app.metadata.name!.startsWith(`dev-pr-${p.number}-`))!;
    expect(spec.source.targetRevision).toBe(pr.head_sha);
    expect(spec.destination.namespace).toBe(`pr-${pr.number}-${path.basename(spec.source.path)}`);
    expect(spec.source.kustomize.namespace).toBe(spec.destination.namespace);
    expect(projectAllows(project, spec.destination.server, spec.destination.namespace)).toBe(true);
    expect(projectAllows(project, spec.destination.server, path.basename(spec.source.path))).toBe(false);
    expect(spec.syncPolicy.syncOptions).toContain('FailOnSharedResource=true');
  }
  // A closed pull request takes its preview with it.
  expect((appset.spec as any).syncPolicy.preserveResourcesOnDeletion).toBe(false);
  expect(apps[0].metadata.finalizers).toEqual(['resources-finalizer.argocd.argoproj.io']);
});

test('two previews never share a namespace, and none lands in a dev namespace (kubectl kustomize)', () => {
  const appset = previewObjects().find((o) => o.kind === 'ApplicationSet')!;
  const apps = expandApplicationSet(appset, listDirs(root), PRS);
  const { dir: work, cleanup: done } = tempDir('gitops-preview-render-');
  try {
    const namespacesOf = new Map<string, Set<string>>();
    const devNamespaces = new Set(listDirs(path.join(root, 'dist', 'dev')).filter((d) => !d.includes('/')));
    for (const app of apps) {
      const pr = app.metadata.name!.split('-')[2];
      const set = namespacesOf.get(pr) ?? new Set<string>();
      for (const o of renderLikeArgo(app, root, work)) {
        const ns = o.kind === 'Namespace' ? o.metadata.name! : o.metadata.namespace;
        expect(ns).toBeDefined();
        expect(ns!.startsWith(`pr-${pr}-`)).toBe(true);
        expect(devNamespaces.has(ns!)).toBe(false);
        if (o.kind === 'Namespace') {
          expect(o.metadata.labels!['kubernetes.io/metadata.name']).toBe(o.metadata.name);
        }
        set.add(ns!);
      }
      namespacesOf.set(pr, set);
    }
    const [a, b] = [...namespacesOf.values()];
    expect(a.size).toBeGreaterThan(0);
    expect([...a].filter((ns) => b.has(ns))).toEqual([]);
  } finally {
    done();
  }
});

describe('fails when', () => {
  test('previews are switched on without gitops.pullRequests', () => {
    const { dir, cleanup: done } = tempDir('gitops-preview-config-');
    try {
      const pins = fs.readFileSync(path.join(__dirname, '../../../environments/dev.yaml'), 'utf8');
      fs.writeFileSync(path.join(dir, 'dev.yaml'), `${pins}gitops:\n  sync:\n    pullRequestPreviews: true\n`);
      const { pullRequests: _omitted, ...gitops } = ENVIRONMENT_BASES.dev.gitops;
      const bases = { dev: { ...ENVIRONMENT_BASES.dev, gitops } };
      let problems: string[] = [];
      try {
        loadEnvironments(['dev'], { dir, bases });
      } catch (e) {
        problems = (e as InputError).problems.map((p) => `${p.path}:${p.rule}`);
      }
      expect(problems).toEqual(['gitops.pullRequests:config.previews-need-scm']);
      // With the SCM named, the same switch loads.
      expect(() => loadEnvironments(['dev'], { dir })).not.toThrow();
    } finally {
      done();
    }
  });
});
