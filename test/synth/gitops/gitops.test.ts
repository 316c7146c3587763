import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';
import { loadEnvironments } from '../../../environments/load';
import { loadTenants, tenantsOf } from '../../../environments/tenants';
import { ENVIRONMENT_NAMES, EnvironmentConfig } from '../../../environments/types';
import { runGate } from '../../../gate/gate';
import { KubeObject } from '../../../gate/manifest';
import { SchemaRegistry } from '../../../gate/schema';
import { toolPath } from '../../../core/tools';
import { buildGitOps, GitOpsOutput, writeGitOps } from '../../../synth/gitops';
import { ARGOCD_NAMESPACE, projectName, SYNC_OPTIONS } from '../../../synth/gitops/argocd';
import { FLUX_NAMESPACE, SELF_NAME, TENANTS_KUSTOMIZATION } from '../../../synth/gitops/flux';
import { CATEGORIES, categoryOf, WAVE_LABEL } from '../../../synth/gitops/model';
import { synthesize } from '../../../synth/pipeline';
import { SYNC_WAVE_ANNOTATION } from '../../../synth/waves';
import { readTree, expectSameTree, tempDir } from '../../helpers/temp';
import { expandApplicationSet, listDirs, projectAllows, readObjects } from './appset-sim';

/* eslint-disable @typescript-eslint/no-explicit-any */

const ENVS = [...ENVIRONMENT_NAMES];
let root: string;
let cleanup: () => void;
let configs: EnvironmentConfig[];

function argo(env: string, file: string, base = root): KubeObject[] {
  return readObjects(path.join(base, 'gitops', 'argocd', env, file));
}
function flux(env: string, file: string, base = root): KubeObject[] {
  return readObjects(path.join(base, 'gitops', 'flux', 'clusters', env, file));
}
function kustomize(dir: string): KubeObject[] {
  const out = execFileSync(toolPath('kubectl'), ['kustomize', dir], { encoding: 'utf8' });
  return YAML.parseAllDocuments(out)
    .map((d) => d.toJS() as KubeObject)
    .filter(Boolean);
}
/** Folders of `dist/<env>` that hold manifests (the units an Application or a Kustomization deploys). */
function manifestFolders(distEnv: string): string[] {
  return listDirs(distEnv).filter((d) => fs.readdirSync(path.join(distEnv, d)).some((f) => f.endsWith('.k8s.yaml')));
}
function applications(env: string, base = root): KubeObject[] {
  const dirs = listDirs(base);
  return argo(env, 'applicationsets.yaml', base).flatMap((s) => expandApplicationSet(s, dirs));
}
function withOverrides(config: EnvironmentConfig, patch: (c: any) => void): EnvironmentConfig {
  const copy = structuredClone(config) as any;
  patch(copy);
  return copy as EnvironmentConfig;
}
function gitopsOf(config: EnvironmentConfig): GitOpsOutput {
  const build = buildGitOps([{ config, folders: new Map() }]);
  expect(build.problems).toEqual([]);
  return build.outputs[0];
}
function objectsIn(out: GitOpsOutput, dir: 'argocd' | 'flux', file: string): KubeObject[] {
  const key = [...out.dirs.keys()].find((k) => k.startsWith(`gitops/${dir}/`))!;
  return out.dirs.get(key)!.get(file) ?? [];
}

beforeAll(() => {
  ({ dir: root, cleanup } = tempDir('gitops-'));
  const result = synthesize({ envs: ENVS, outdir: path.join(root, 'dist'), gitopsRoot: root });
  expect(result.problems.filter((p) => p.severity === 'error')).toEqual([]);
  configs = loadEnvironments(ENVS);
});
afterAll(() => cleanup());

describe('gitops/ layout', () => {
  test.each(ENVS)('%s: kubectl kustomize renders gitops/argocd/<env> and gitops/flux/clusters/<env>', (env) => {
    for (const dir of [path.join(root, 'gitops', 'argocd', env), path.join(root, 'gitops', 'flux', 'clusters', env)]) {
      const files = fs.readdirSync(dir).filter((f) => f !== 'kustomization.yaml');
      const written = files.flatMap((f) => readObjects(path.join(dir, f)));
      const rendered = kustomize(dir);
      expect(rendered.length).toBe(written.length);
      expect(rendered.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual(written.map((o) => `${o.kind}/${o.metadata.name}`).sort());
    }
  });

  test.each(ENVS)('%s: every generated object passes the gate against its CRD schema', (env) => {
    const manifests = [path.join('argocd', env), path.join('flux', 'clusters', env)].flatMap((d) => {
      const dir = path.join(root, 'gitops', d);
      return fs
        .readdirSync(dir)
        .filter((f) => f !== 'kustomization.yaml')
        .flatMap((f) => readObjects(path.join(dir, f)).map((obj) => ({ file: `gitops/${d}/${f}`, obj })));
    });
    expect(manifests.map((m) => m.obj.kind).sort()).toEqual(expect.arrayContaining(['AppProject', 'ApplicationSet', 'GitRepository', 'Kustomization']));
    const gate = runGate(manifests);
    expect(gate.problems).toEqual([]);
    for (const m of manifests) {
      expect(m.obj.metadata.namespace).toBe(m.obj.apiVersion.startsWith('argoproj.io') ? ARGOCD_NAMESPACE : FLUX_NAMESPACE);
    }
  });

  test('synth is deterministic: a second synth writes the same gitops/ bytes', () => {
    const { dir, cleanup: done } = tempDir('gitops-again-');
    try {
      const result = synthesize({ envs: ENVS, outdir: path.join(dir, 'dist'), gitopsRoot: dir });
      expect(result.ok).toBe(true);
      expectSameTree(readTree(path.join(dir, 'gitops')), readTree(path.join(root, 'gitops')));
    } finally {
      done();
    }
  });
});

describe('Argo CD ApplicationSets (simulated git directory generator)', () => {
  test.each(ENVS)('%s: the Applications are exactly the component and tenant folders, each once', (env) => {
    const apps = applications(env);
    const paths = apps.map((a) => (a.spec as any).source.path as string);
    expect(new Set(paths).size).toBe(paths.length);
    const expected = manifestFolders(path.join(root, 'dist', env)).map((f) => `dist/${env}/${f}`);
    expect(paths.sort()).toEqual(expected.sort());
    expect(expected.length).toBeGreaterThanOrEqual(14);
  });

  test.each(ENVS)("%s: every Application's destination is allowed by its AppProject and is a valid Application", (env) => {
    const [project] = argo(env, 'project.yaml');
    const registry = SchemaRegistry.default();
    for (const app of applications(env)) {
      const spec = app.spec as any;
      expect(spec.project).toBe(project.metadata.name);
      expect(spec.source.repoURL).toBe(configs.find((c) => c.name === env)!.gitops.repoUrl);
      expect((project.spec as any).sourceRepos).toContain(spec.source.repoURL);
      expect(projectAllows(project, spec.destination.server, spec.destination.namespace)).toBe(true);
      expect(registry.validate(app)).toEqual([]);
    }
  });

  test.each(ENVS)('%s: the cluster-resource allow-list is the cluster-scoped kinds dist/ emits', (env) => {
    const registry = SchemaRegistry.default();
    const emitted = new Set<string>();
    for (const folder of manifestFolders(path.join(root, 'dist', env))) {
      for (const f of fs.readdirSync(path.join(root, 'dist', env, folder)).filter((x) => x.endsWith('.k8s.yaml'))) {
        for (const o of readObjects(path.join(root, 'dist', env, folder, f))) {
          if (registry.isNamespaced(o.apiVersion, o.kind) === false) {
            emitted.add(`${o.apiVersion.includes('/') ? o.apiVersion.split('/')[0] : ''}/${o.kind}`);
          }
        }
      }
    }
    const [project] = argo(env, 'project.yaml');
    const allowed = ((project.spec as any).clusterResourceWhitelist as { group: string; kind: string }[]).map((g) => `${g.group}/${g.kind}`);
    expect(allowed.sort()).toEqual([...emitted].sort());
    expect((project.spec as any).orphanedResources).toEqual({ warn: true });
  });

  test('generators pick up fixture tenant and add-on folders, never the tenants/ or addons/ folder itself', () => {
    const { dir, cleanup: done } = tempDir('gitops-fixture-');
    try {
      fs.cpSync(path.join(root, 'dist'), path.join(dir, 'dist'), { recursive: true });
      for (const env of ENVS) {
        for (const sub of ['tenants/acme', 'tenants/globex', 'addons/keda']) {
          fs.mkdirSync(path.join(dir, 'dist', env, sub), { recursive: true });
          fs.writeFileSync(path.join(dir, 'dist', env, sub, `${path.basename(sub)}.k8s.yaml`), '');
        }
        fs.mkdirSync(path.join(dir, 'dist', env, '.hidden'));
        const apps = argo(env, 'applicationsets.yaml').flatMap((s) => expandApplicationSet(s, listDirs(dir)));
        const byName = new Map(apps.map((a) => [a.metadata.name, a.spec as any]));
        expect(byName.get(`${env}-tenant-acme`)).toMatchObject({ source: { path: `dist/${env}/tenants/acme` }, destination: { namespace: 'tenant-acme' } });
        expect(byName.get(`${env}-tenant-globex`)).toMatchObject({ destination: { namespace: 'tenant-globex' } });
        expect(byName.get(`${env}-addon-keda`)).toMatchObject({ source: { path: `dist/${env}/addons/keda` }, destination: { namespace: 'keda' } });
        expect([...byName.keys()].filter((n) => /-(tenants|addons|\.hidden)$/.test(n ?? ""))).toEqual([]);
        const paths = apps.map((a) => (a.spec as any).source.path);
        expect(paths.sort()).toEqual(manifestFolders(path.join(dir, 'dist', env)).map((f) => `dist/${env}/${f}`).sort());
        const [project] = argo(env, 'project.yaml');
        expect(projectAllows(project, configs.find((c) => c.name === env)!.gitops.clusterServer, 'tenant-acme')).toBe(true);
        // No sync-wave annotation on generated Applications: no parent Application syncs them and
        // progressive sync is off, so nothing would read it (docs/gitops.md). The wave stays a label,
        // for a person syncing wave by wave: tenants 4, add-ons 0.
        expect(apps.filter((a) => a.metadata.annotations?.[SYNC_WAVE_ANNOTATION] !== undefined).map((a) => a.metadata.name)).toEqual([]);
        expect(apps.find((a) => a.metadata.name === `${env}-tenant-acme`)!.metadata.labels![WAVE_LABEL]).toBe('4');
        expect(apps.find((a) => a.metadata.name === `${env}-addon-keda`)!.metadata.labels![WAVE_LABEL]).toBe('0');
      }
    } finally {
      done();
    }
  });

  test('every dist folder name falls into exactly one category', () => {
    for (const folder of [...manifestFolders(path.join(root, 'dist', 'prod')), 'addons/keda', 'tenants/acme', 'db-new', 'app-new', 'other']) {
      const matching = CATEGORIES.filter((c) => c === categoryOf(folder));
      expect(matching).toHaveLength(1);
    }
    expect(categoryOf('tenants')).toBeUndefined();
    expect(categoryOf('addons')).toBeUndefined();
  });
});

describe('adding a tenant', () => {
  test('changes nothing under gitops/, and the Flux tenants path renders it', () => {
    const { dir, cleanup: done } = tempDir('gitops-tenant-');
    try {
      const shipped = loadTenants().tenants;
      const acme = { ...shipped[0], id: 'acme', file: 'environments/tenants/acme.yaml', environments: ['dev', 'staging', 'prod'] as const };
      const result = synthesize({ envs: ENVS, outdir: path.join(dir, 'dist'), gitopsRoot: dir, tenants: [...shipped, acme] });
      expect(result.problems.filter((p) => p.severity === 'error')).toEqual([]);
      expectSameTree(readTree(path.join(dir, 'gitops')), readTree(path.join(root, 'gitops')));
      for (const env of ENVS) {
        const rendered = kustomize(path.join(dir, 'dist', env, 'tenants'));
        expect(rendered.filter((o) => o.kind === 'Namespace').map((o) => o.metadata.name)).toContain('tenant-acme');
        expect(applications(env, dir).map((a) => a.metadata.name)).toContain(`${env}-tenant-acme`);
      }
    } finally {
      done();
    }
  });

  test('dist/<env>/tenants renders the namespaces of exactly the tenants of the environment (dr: prod\'s)', () => {
    const { tenants } = loadTenants();
    for (const env of ENVS) {
      const namespaces = kustomize(path.join(root, 'dist', env, 'tenants'))
        .filter((o) => o.kind === 'Namespace')
        .map((o) => o.metadata.name);
      expect(namespaces.sort()).toEqual(tenantsOf(env, tenants).map((t) => `tenant-${t.id}`));
      const [kustomization] = flux(env, 'tenants.yaml');
      expect((kustomization.spec as any).path).toBe(`./dist/${env}/tenants`);
    }
  });
});

describe('sync policies per environment', () => {
  const templates = (env: string): any[] => argo(env, 'applicationsets.yaml').map((s) => (s.spec as any).template.spec.syncPolicy);

  test.each(['dev', 'staging'])('%s: automated with prune and selfHeal', (env) => {
    for (const p of templates(env)) {
      expect(p.automated).toEqual({ prune: true, selfHeal: true });
      expect(p.syncOptions).toEqual(expect.arrayContaining([...SYNC_OPTIONS]));
    }
    const [project] = argo(env, 'project.yaml');
    expect((project.spec as any).syncWindows).toBeUndefined();
  });

  test('prod: manual only, sync windows from config, an approver role', () => {
    for (const p of templates('prod')) {
      expect(p.automated).toBeUndefined();
    }
    const [project] = argo('prod', 'project.yaml');
    const prod = configs.find((c) => c.name === 'prod')!;
    expect((project.spec as any).syncWindows).toEqual(
      prod.gitops.sync.syncWindows.map((w) => ({ kind: w.kind, schedule: w.schedule, duration: w.duration, timeZone: w.timeZone, applications: ['*'] })),
    );
    expect((project.spec as any).roles[0].policies).toContain(`p, proj:${projectName('prod')}:release-approver, applications, sync, ${projectName('prod')}/*, allow`);
    expect((project.spec as any).roles[0].groups).toEqual(prod.gitops.sync.approverGroups);
    expect(prod.gitops.sync.approverGroups?.length).toBeGreaterThan(0);
    const bootstrap = argo('prod', 'bootstrap.yaml').find((o) => o.kind === 'Application')!;
    expect((bootstrap.spec as any).syncPolicy.automated).toBeUndefined();
  });

  test('dr at rest: never automated, every sync refused, Flux suspended (except the self-managing Kustomization)', () => {
    for (const p of templates('dr')) {
      expect(p.automated).toBeUndefined();
    }
    const [project] = argo('dr', 'project.yaml');
    expect((project.spec as any).syncWindows).toEqual([{ kind: 'deny', schedule: '* * * * *', duration: '24h', applications: ['*'], manualSync: false }]);
    for (const k of [...flux('dr', 'components.yaml'), ...flux('dr', 'tenants.yaml')]) {
      expect((k.spec as any).suspend).toBe(true);
    }
    expect((flux('dr', 'source.yaml').find((o) => o.metadata.name === SELF_NAME)!.spec as any).suspend).toBeUndefined();
  });

  test('dr after failover: enabled (deny window gone, Flux resumed), still never automated', () => {
    const dr = configs.find((c) => c.name === 'dr')!;
    const failedOver = gitopsOf(withOverrides(dr, (c) => (c.dr.failover = true)));
    const [project] = objectsIn(failedOver, 'argocd', 'project.yaml');
    expect((project.spec as any).syncWindows).toBeUndefined();
    for (const s of objectsIn(failedOver, 'argocd', 'applicationsets.yaml')) {
      expect((s.spec as any).template.spec.syncPolicy.automated).toBeUndefined();
    }
    const ks = [...objectsIn(failedOver, 'flux', 'components.yaml'), ...objectsIn(failedOver, 'flux', 'tenants.yaml')];
    expect(ks.length).toBeGreaterThan(0);
    for (const k of ks) {
      expect((k.spec as any).suspend).toBe(false);
    }
  });

  test('ignoreDifferences lists exactly the replicas an autoscaler owns', () => {
    const prod = configs.find((c) => c.name === 'prod')!;
    const hpa = {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'api', namespace: 'app-core', labels: {} },
      spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'api' }, maxReplicas: 5 },
    };
    const build = buildGitOps([{ config: prod, folders: new Map([['app-core', [hpa]]]) }]);
    const sets = objectsIn(build.outputs[0], 'argocd', 'applicationsets.yaml');
    const apps = sets.find((s) => s.metadata.name === `${projectName('prod')}-apps`)!;
    expect((apps.spec as any).template.spec.ignoreDifferences).toEqual([
      { group: 'apps', kind: 'Deployment', name: 'api', namespace: 'app-core', jsonPointers: ['/spec/replicas'] },
    ]);
    expect((apps.spec as any).template.spec.syncPolicy.syncOptions).toContain('RespectIgnoreDifferences=true');
    const tenants = sets.find((s) => s.metadata.name === `${projectName('prod')}-tenants`)!;
    expect((tenants.spec as any).template.spec.ignoreDifferences).toBeUndefined();
    // Without autoscalers (dev) nothing is ignored; prod's app-core Rollouts, the orchestrator and
    // integration-hub and the frontend are HPA-scaled, the other app-agents Deployments KEDA-scaled.
    expect((argo('dev', 'applicationsets.yaml')[0].spec as any).template.spec.ignoreDifferences).toBeUndefined();
    const prodIgnored = (argo('prod', 'applicationsets.yaml')[0].spec as any).template.spec.ignoreDifferences;
    expect(prodIgnored.map((d: any) => `${d.kind}/${d.namespace}/${d.name}`)).toEqual([
      'Deployment/app-agents/collections-agent',
      'Deployment/app-agents/dispute-agent',
      'Deployment/app-agents/orchestrator',
      'Deployment/app-agents/reporting-agent',
      'Deployment/app-frontend/frontend',
      'Deployment/app-integration/integration-hub',
      'Rollout/app-core/auth',
      'Rollout/app-core/invoice-processing',
      'Rollout/app-core/mobile-backend',
      'Rollout/app-core/user-management',
    ]);
  });
});

describe('Flux', () => {
  test.each(ENVS)('%s: one Kustomization per component folder, dependsOn mirrors the Argo waves', (env) => {
    const ks = flux(env, 'components.yaml');
    const folders = manifestFolders(path.join(root, 'dist', env)).filter((f) => !f.startsWith('tenants/'));
    expect(ks.map((k) => (k.spec as any).path).sort()).toEqual(folders.map((f) => `./dist/${env}/${f}`).sort());
    const order = (k: KubeObject): number => categoryOf((k.spec as any).path.replace(`./dist/${env}/`, ''))!.order;
    const byName = new Map(ks.map((k) => [k.metadata.name!, k]));
    for (const k of ks) {
      const spec = k.spec as any;
      expect(spec).toMatchObject({ prune: true, sourceRef: { kind: 'GitRepository', name: 'receivables' } });
      expect(spec.timeout).toBeDefined();
      for (const dep of spec.dependsOn ?? []) {
        expect(order(byName.get(dep.name)!)).toBeLessThan(order(k));
      }
      if (order(k) > 1) {
        expect(spec.dependsOn?.length).toBeGreaterThan(0);
      }
      // wait, or named health checks for data services (Flux ignores healthChecks under wait).
      expect(spec.wait === true || spec.healthChecks?.length > 0).toBe(true);
    }
    const [tenants] = flux(env, 'tenants.yaml');
    expect(tenants.metadata.name).toBe(TENANTS_KUSTOMIZATION);
    expect((tenants.spec as any).dependsOn.map((d: any) => d.name).sort()).toEqual(ks.filter((k) => order(k) === 3).map((k) => k.metadata.name).sort());
    const [source] = flux(env, 'source.yaml');
    expect(source.kind).toBe('GitRepository');
    expect((source.spec as any).ignore.split('\n')).toEqual(['/*', '!/dist/', '!/gitops/']);
    expect((source.spec as any).secretRef).toEqual({ name: configs.find((c) => c.name === env)!.gitops.credentialsSecret });
  });

  test('data services get health checks on their workloads', () => {
    const prod = configs.find((c) => c.name === 'prod')!;
    const sts = { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'postgres', namespace: 'db-postgres' }, spec: {} };
    const build = buildGitOps([{ config: prod, folders: new Map([['db-postgres', [sts]]]) }]);
    const [k] = objectsIn(build.outputs[0], 'flux', 'components.yaml');
    expect(k.spec).toMatchObject({
      wait: false,
      timeout: '15m',
      healthChecks: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'postgres', namespace: 'db-postgres' }],
    });
  });
});

describe('sync waves on dist objects', () => {
  test.each(ENVS)('%s: every object carries a wave; namespaces come first', (env) => {
    for (const folder of manifestFolders(path.join(root, 'dist', env))) {
      for (const o of readObjects(path.join(root, 'dist', env, folder, `${path.basename(folder)}.k8s.yaml`))) {
        const wave = o.metadata.annotations?.[SYNC_WAVE_ANNOTATION];
        expect(wave).toMatch(/^-?\d+$/);
        if (o.kind === 'Namespace') {
          expect(wave).toBe('0');
        }
      }
    }
  });
});

describe('add-ons', () => {
  test("an add-on's namespace and cluster-scoped kinds join the AppProject; Flux applies it first", () => {
    const prod = configs.find((c) => c.name === 'prod')!;
    const labels = { 'app.kubernetes.io/name': 'keda', 'app.kubernetes.io/part-of': 'receivables-platform', 'app.kubernetes.io/managed-by': 'cdk8s' };
    const crd = { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'scaledobjects.keda.sh', labels } };
    const ns = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'keda', labels } };
    const build = buildGitOps([{ config: prod, folders: new Map([['addons/keda', [ns, crd]], ['app-core', []]]) }]);
    const [project] = objectsIn(build.outputs[0], 'argocd', 'project.yaml');
    expect(projectAllows(project, prod.gitops.clusterServer, 'keda')).toBe(true);
    expect((project.spec as any).clusterResourceWhitelist).toEqual([
      { group: '', kind: 'Namespace' },
      { group: 'apiextensions.k8s.io', kind: 'CustomResourceDefinition' },
    ]);
    const ks = objectsIn(build.outputs[0], 'flux', 'components.yaml');
    expect(ks.map((k) => [k.metadata.name, (k.spec as any).dependsOn])).toEqual([
      ['addons-keda', undefined],
      ['app-core', [{ name: 'addons-keda' }]],
    ]);
  });
});

describe('fails when', () => {
  test('a tenant emits a cluster-scoped kind the AppProject does not allow', () => {
    const dev = configs.find((c) => c.name === 'dev')!;
    const role = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'acme-admin' } };
    const build = buildGitOps([{ config: dev, folders: new Map([['tenants/acme', [role]]]) }]);
    expect(build.problems).toEqual([
      expect.objectContaining({ file: 'dist/dev/tenants/acme', rule: 'gitops.folder', object: 'ClusterRole/acme-admin', message: expect.stringMatching(/tenants may only emit/) }),
    ]);
  });
});

describe('writing gitops/', () => {
  test('all folders change or none: a failed swap puts the earlier ones back', () => {
    const { dir, cleanup: done } = tempDir('gitops-write-');
    try {
      const out = gitopsOf(configs.find((c) => c.name === 'dev')!);
      fs.mkdirSync(path.join(dir, 'gitops', 'argocd', 'dev'), { recursive: true });
      fs.writeFileSync(path.join(dir, 'gitops', 'argocd', 'dev', 'marker'), 'old');
      // A file where the Flux folder's parent must be: its swap fails after Argo's was done.
      fs.mkdirSync(path.join(dir, 'gitops', 'flux'), { recursive: true });
      fs.writeFileSync(path.join(dir, 'gitops', 'flux', 'clusters'), 'in the way');
      expect(() => writeGitOps(dir, [out])).toThrow();
      expect(fs.readdirSync(path.join(dir, 'gitops', 'argocd', 'dev'))).toEqual(['marker']);
      expect(fs.readdirSync(path.join(dir, 'gitops')).filter((f) => f.startsWith('.'))).toEqual([]);
    } finally {
      done();
    }
  });
});
