import * as fs from 'fs';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { App } from 'cdk8s';
import { Construct } from 'constructs';
import { ChartFactory, environmentCharts, platformClusterFiles } from '../charts';
import { ClusterFile } from '../charts/security';
import { PropValidationError } from '../constructs/lib/prop-errors';
import { loadEnvironments } from '../environments/load';
import { loadTenants, Tenant } from '../environments/tenants';
import { EnvironmentConfig, EnvironmentName } from '../environments/types';
import { runGate } from '../gate/gate';
import { KubeObject, Manifest } from '../gate/manifest';
import { Exemption } from '../gate/policy';
import { InputError, Problem } from '../core/problem';
import { environmentReadme } from './graph';
import { applyWaves, buildGitOps, gitopsFolders, writeTenantsIndex } from './gitops';
import { kustomization, toYaml } from './serialize';
import { FolderWrite, OutputLockedError, Recovery, replaceFolders, StepHook, withOutputLock } from './transaction';

export interface SynthOptions {
  readonly envs: readonly EnvironmentName[];
  /** Where `<env>/` folders go. */
  readonly outdir: string;
  /** Folder of the `<env>.yaml` data files. @default environments/ */
  readonly configDir?: string;
  /** The charts of an environment. @default environmentCharts(config, tenants) */
  readonly charts?: (config: EnvironmentConfig) => ChartFactory[];
  /** Tenants to use instead of reading `<configDir>/tenants/` (benchmarks, tests). */
  readonly tenants?: readonly Tenant[];
  /** Files of an environment that are not objects (the audit policy), below `dist/<env>/`. @default platformClusterFiles() */
  readonly clusterFiles?: (config: EnvironmentConfig) => ClusterFile[];
  /** Environments to use instead of loading them (benchmarks, tests). */
  readonly configs?: readonly EnvironmentConfig[];
  /** Folder that receives `gitops/argocd/<env>` and `gitops/flux/clusters/<env>`. @default - built and checked, not written */
  readonly gitopsRoot?: string;
  /** Called at each step of the locked write (fault injection in tests). @default - nothing */
  readonly onWriteStep?: StepHook;
}

export interface EnvironmentOutput {
  readonly env: EnvironmentName;
  /** Folder (relative to `dist/<env>`) -> objects. */
  readonly folders: Map<string, KubeObject[]>;
  /** Files that are not objects, by path below `dist/<env>` (never synced: see CATEGORIES). */
  readonly files: readonly ClusterFile[];
  readonly objects: number;
  readonly exemptions: Exemption[];
  /** Images pinned by digest (best) and by tag (acceptable). */
  readonly imagePins: { digest: number; tag: number };
}

export interface SynthTimings {
  configMs: number;
  constructMs: number;
  schemaMs: number;
  policyMs: number;
  writeMs: number;
}

export interface SynthResult {
  readonly ok: boolean;
  readonly problems: Problem[];
  readonly outputs: EnvironmentOutput[];
  readonly timings: SynthTimings;
  /** What this run found of an earlier, interrupted synth and repaired. */
  readonly recovery?: Recovery;
}

/**
 * The whole synth: load and check config, build every chart (one cdk8s App per chart), run the
 * gate on every environment, and only when all of it is clean, write and swap `dist/<env>`
 * folders into place, together with the gitops/ folders (synth/transaction.ts). On any problem
 * nothing under `outdir` is touched, except that the debris of an earlier synth that was killed
 * is repaired first (its swap rolled back, or finished if it had committed), under the lock.
 */
export function synthesize(options: SynthOptions): SynthResult {
  const root = path.dirname(path.resolve(options.outdir));
  try {
    return withOutputLock(root, (recovery) => ({ ...build(options, root), recovery }), options.onWriteStep);
  } catch (e) {
    if (e instanceof OutputLockedError) {
      const file = path.relative(process.cwd(), e.lockFile) || e.lockFile;
      const problem: Problem = { file, path: '', rule: 'synth.locked', message: e.message, severity: 'error' };
      return { ok: false, problems: [problem], outputs: [], timings: { configMs: 0, constructMs: 0, schemaMs: 0, policyMs: 0, writeMs: 0 } };
    }
    throw e;
  }
}

/** Everything of `synthesize` but the lock: build, check and (when clean) write. */
function build(options: SynthOptions, root: string): SynthResult {
  const timings: SynthTimings = { configMs: 0, constructMs: 0, schemaMs: 0, policyMs: 0, writeMs: 0 };
  const problems: Problem[] = [];
  let t = performance.now();
  let configs: readonly EnvironmentConfig[] = [];
  const loaded = options.tenants ? { tenants: [...options.tenants], problems: [] } : loadTenants(options.configDir);
  try {
    configs = options.configs ?? loadEnvironments(options.envs, { dir: options.configDir });
  } catch (e) {
    if (!(e instanceof InputError)) {
      throw e;
    }
    problems.push(...e.problems);
  }
  // Environment and tenant problems are reported together; nothing is built from either.
  problems.push(...loaded.problems);
  if (problems.length > 0) {
    return { ok: false, problems, outputs: [], timings };
  }
  const tenants = loaded.tenants;
  timings.configMs = performance.now() - t;

  const outputs: EnvironmentOutput[] = [];
  for (const config of configs) {
    t = performance.now();
    const folders = new Map<string, KubeObject[]>();
    const manifests: Manifest[] = [];
    for (const factory of (options.charts ?? ((c) => environmentCharts(c, tenants)))(config)) {
      const file = manifestFile(config.name, factory.folder);
      try {
        const app = new App({ outdir: path.join(options.outdir, '.unused') });
        const chart = factory.create(app, config);
        const objects = applyWaves(chart.toJson() as KubeObject[], factory.folder);
        folders.set(factory.folder, objects);
        problems.push(...constructWarnings(chart, file));
        for (const obj of objects) {
          manifests.push({ file, obj });
        }
      } catch (e) {
        problems.push(...constructProblems(e, `charts for dist/${config.name}/${factory.folder}`));
      }
    }
    let files: ClusterFile[] = [];
    try {
      files = (options.clusterFiles ?? platformClusterFiles)(config);
    } catch (e) {
      problems.push(...constructProblems(e, `cluster files for dist/${config.name}`));
    }
    timings.constructMs += performance.now() - t;
    const gate = runGate(manifests);
    timings.schemaMs += gate.schemaMs;
    timings.policyMs += gate.policyMs;
    problems.push(...gate.problems);
    outputs.push({ env: config.name, folders, files, objects: manifests.length, exemptions: gate.exemptions, imagePins: gate.imagePins });
  }
  const gitops = buildGitOps(outputs.map((o) => ({ config: configs.find((c) => c.name === o.env)!, folders: o.folders })));
  timings.schemaMs += gitops.gateMs;
  problems.push(...gitops.problems);

  if (problems.some((p) => p.severity === 'error')) {
    return { ok: false, problems, outputs, timings };
  }
  t = performance.now();
  // dist/ and gitops/ change together: one staging folder, one journal, one swap.
  const writes = [...distFolders(options.outdir, outputs), ...(options.gitopsRoot ? gitopsFolders(options.gitopsRoot, gitops.outputs) : [])];
  replaceFolders(root, writes, options.onWriteStep);
  timings.writeMs = performance.now() - t;
  return { ok: true, problems, outputs, timings };
}

/** `dist/<env>/<folder>/<basename>.k8s.yaml`: the one manifest file of a chart. */
export function manifestFile(env: string, folder: string): string {
  return `dist/${env}/${folder}/${path.posix.basename(folder)}.k8s.yaml`;
}

/**
 * Warnings constructs record with `node.addMetadata('warning', ...)` (a single database instance
 * without failover, for example): printed in the synth report, never failing it.
 */
function constructWarnings(chart: Construct, file: string): Problem[] {
  return chart.node
    .findAll()
    .flatMap((c) => c.node.metadata.filter((m) => m.type === 'warning').map((m) => ({ path: c.node.path, message: String(m.data) })))
    .map((w) => ({ file, object: w.path, path: '', rule: 'construct.warning', message: w.message, severity: 'warning' as const }));
}

/** A construct that throws becomes problems: one per invalid prop, or its message. */
function constructProblems(e: unknown, where: string): Problem[] {
  if (e instanceof PropValidationError) {
    return e.problems.map((p) => ({
      file: where,
      object: e.constructPath,
      path: p.field,
      rule: 'construct.invalid-prop',
      message: `${p.rule} (got ${JSON.stringify(p.value)})`,
      severity: 'error' as const,
    }));
  }
  const message = e instanceof Error ? e.message : String(e);
  return [{ file: where, path: '', rule: 'construct.error', message, severity: 'error' }];
}

/** The `dist/<env>` folders to replace. */
function distFolders(outdir: string, outputs: readonly EnvironmentOutput[]): FolderWrite[] {
  return outputs.map((out) => ({ target: path.join(outdir, out.env), write: (dir: string) => writeEnvironment(dir, out) }));
}

function writeEnvironment(dir: string, out: EnvironmentOutput): void {
  const folders = [...out.folders.keys()].sort();
  for (const folder of folders) {
    const objects = out.folders.get(folder)!;
    const fdir = path.join(dir, folder);
    fs.mkdirSync(fdir, { recursive: true });
    const file = `${path.posix.basename(folder)}.k8s.yaml`;
    fs.writeFileSync(path.join(fdir, file), toYaml(objects));
    fs.writeFileSync(path.join(fdir, 'kustomization.yaml'), kustomization([file]));
  }
  for (const file of out.files) {
    fs.mkdirSync(path.dirname(path.join(dir, file.path)), { recursive: true });
    fs.writeFileSync(path.join(dir, file.path), file.content);
  }
  writeTenantsIndex(dir, folders);
  fs.writeFileSync(path.join(dir, 'kustomization.yaml'), kustomization(folders));
  // The picture of the environment (Mermaid), written with the manifests so it is never stale.
  fs.writeFileSync(path.join(dir, 'README.md'), environmentReadme(out.env, [...out.folders.values()].flat()));
}
