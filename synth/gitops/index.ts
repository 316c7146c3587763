import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdk8s';
import { EnvironmentConfig, EnvironmentName } from '../../environments/types';
import { runGate } from '../../gate/gate';
import { KubeObject, Manifest } from '../../gate/manifest';
import { Problem } from '../../core/problem';
import { SchemaRegistry } from '../../gate/schema';
import { kustomization, toYaml } from '../serialize';
import { FolderWrite, replaceFolders, withOutputLock } from '../transaction';
import { ARGOCD_CM_PATCH_FILE, ARGOCD_INSTALL_DIR, argoCharts, argocdConfigPatch, argocdInstallComponent } from './argocd';
import { collectFacts, EnvironmentFacts, isTenantFolder } from './facts';
import { fluxCharts } from './flux';
import { argoDir, fluxDir, TENANTS_FOLDER } from './model';

export { applyWaves } from '../waves';

/** The GitOps output of one environment: folder (relative to the repository root) -> file -> objects. */
export interface GitOpsOutput {
  readonly env: EnvironmentName;
  readonly dirs: Map<string, Map<string, KubeObject[]>>;
  readonly facts: EnvironmentFacts;
}

export interface GitOpsBuild {
  readonly outputs: GitOpsOutput[];
  readonly problems: Problem[];
  readonly gateMs: number;
}

/**
 * Builds `gitops/argocd/<env>` and `gitops/flux/clusters/<env>` from the environment's config and
 * its synthesized folders, and runs the gate over them (CRD schemas, labels, namespaces).
 */
export function buildGitOps(
  envs: readonly { config: EnvironmentConfig; folders: ReadonlyMap<string, readonly KubeObject[]> }[],
  registry: SchemaRegistry = SchemaRegistry.default(),
): GitOpsBuild {
  const outputs: GitOpsOutput[] = [];
  const problems: Problem[] = [];
  let gateMs = 0;
  for (const { config, folders } of envs) {
    const facts = collectFacts(folders, registry);
    for (const p of facts.problems) {
      problems.push({
        file: `dist/${config.name}/${p.folder}`,
        object: p.object || undefined,
        path: '',
        rule: 'gitops.folder',
        message: p.message,
        severity: 'error',
      });
    }
    const app = new App({ outdir: path.join(os.tmpdir(), '.unused-gitops') });
    const dirs = new Map<string, Map<string, KubeObject[]>>();
    for (const [dir, charts] of [
      [argoDir(config.name), argoCharts(app, config, facts)],
      [fluxDir(config.name), fluxCharts(app, config, facts)],
    ] as const) {
      const files = new Map<string, KubeObject[]>();
      for (const [file, chart] of charts) {
        files.set(file, chart.toJson() as KubeObject[]);
      }
      dirs.set(dir, files);
    }
    const manifests: Manifest[] = [];
    for (const [dir, files] of dirs) {
      for (const [file, objects] of files) {
        objects.forEach((obj) => manifests.push({ file: `${dir}/${file}`, obj }));
      }
    }
    const gate = runGate(manifests, { registry });
    gateMs += gate.schemaMs + gate.policyMs;
    problems.push(...gate.problems);
    outputs.push({ env: config.name, dirs, facts });
  }
  const patch = runGate([{ file: `${ARGOCD_INSTALL_DIR}/${ARGOCD_CM_PATCH_FILE}`, obj: argocdConfigPatch() }], { registry });
  gateMs += patch.schemaMs + patch.policyMs;
  problems.push(...patch.problems);
  return { outputs, problems, gateMs };
}

/** The folders of `gitops/` to replace: `argocd/install`, then one per `argocd/<env>` and `flux/clusters/<env>`. */
export function gitopsFolders(root: string, outputs: readonly GitOpsOutput[]): FolderWrite[] {
  const install: FolderWrite = {
    target: path.join(root, ARGOCD_INSTALL_DIR),
    write: (fresh: string): void => {
      fs.mkdirSync(fresh, { recursive: true });
      fs.writeFileSync(path.join(fresh, ARGOCD_CM_PATCH_FILE), toYaml([argocdConfigPatch()]));
      fs.writeFileSync(path.join(fresh, 'kustomization.yaml'), toYaml([argocdInstallComponent()]));
    },
  };
  return [...(outputs.length > 0 ? [install] : []), ...envFolders(root, outputs)];
}

function envFolders(root: string, outputs: readonly GitOpsOutput[]): FolderWrite[] {
  return outputs.flatMap((out) =>
    [...out.dirs.entries()]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([dir, files]) => ({
        target: path.join(root, dir),
        write: (fresh: string): void => {
          fs.mkdirSync(fresh, { recursive: true });
          const names = [...files.keys()].sort();
          for (const name of names) {
            fs.writeFileSync(path.join(fresh, name), toYaml(files.get(name)!));
          }
          fs.writeFileSync(path.join(fresh, 'kustomization.yaml'), kustomization(names));
        },
      })),
  );
}

/**
 * Writes `gitops/` alone, all folders or none, under the output lock (`synthesize` writes it
 * together with `dist/`).
 */
export function writeGitOps(root: string, outputs: readonly GitOpsOutput[]): void {
  withOutputLock(root, () => replaceFolders(root, gitopsFolders(root, outputs)));
}

/**
 * `dist/<env>/tenants/kustomization.yaml`, listing the tenant folders. It exists even before the
 * first tenant, so the Flux `tenants` Kustomization always has a path to read.
 */
export function writeTenantsIndex(envDir: string, folders: Iterable<string>): void {
  const tenants = [...folders].filter(isTenantFolder).map((f) => f.slice(TENANTS_FOLDER.length + 1));
  fs.mkdirSync(path.join(envDir, TENANTS_FOLDER), { recursive: true });
  fs.writeFileSync(path.join(envDir, TENANTS_FOLDER, 'kustomization.yaml'), kustomization(tenants));
}
