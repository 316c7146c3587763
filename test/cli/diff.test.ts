import { execFileSync, spawnSync } from 'child_process';
import { buildSync } from 'esbuild';
import * as fs from 'fs';
import * as path from 'path';
import { KubeObject } from '../../gate/manifest';
import { main } from '../../cli/diff';
import { DIFF_EXIT, diffTrees, exitCode, formatSummary, formatText, SUMMARY_MARKER, unifiedDiff } from '../../synth/diff';
import { checkoutFolders, readTree, treeFromFolders } from '../../synth/objects';
import { synthesize } from '../../synth/pipeline';
import { ROOT } from '../helpers/bundle';
import { tempDir } from '../helpers/temp';
import { capture, deployment, namespace, pdb, pvc, service, statefulSet, writeTree } from '../helpers/objects';

/* eslint-disable @typescript-eslint/no-explicit-any */

function tree(objects: KubeObject[]): ReturnType<typeof treeFromFolders> {
  return treeFromFolders(new Map([['db', objects]]));
}

function baseObjects(): KubeObject[] {
  return [
    namespace('db'),
    statefulSet('db', 'postgres', { replicas: 3, storage: '10Gi' }),
    service('db', 'postgres', { app: 'postgres' }, 5432),
    pdb('db', 'postgres', { app: 'postgres' }, { maxUnavailable: 1 }),
    pvc('db', 'scratch', '5Gi'),
  ];
}

/** The base objects with `edit` applied to a deep copy of the one of `kind`. */
function edited(kind: string, edit: (o: any) => void): KubeObject[] {
  const objs = structuredClone(baseObjects());
  edit(objs.find((o) => o.kind === kind));
  return objs;
}

describe('diffTrees', () => {
  test('identical trees: exit 0 and "no changes"', () => {
    const d = diffTrees('prod', tree(baseObjects()), tree(baseObjects()));
    expect(d).toMatchObject({ added: [], removed: [], changed: [], risks: [] });
    expect(exitCode([d])).toBe(DIFF_EXIT.NO_CHANGES);
    expect(formatText([d], 'dist')).toMatch(/^no changes/);
    expect(formatSummary([d], 'dist')).toContain('no changes');
  });

  test('a change of replicas is a plain change', () => {
    const d = diffTrees(
      'prod',
      tree(baseObjects()),
      tree(
        edited('StatefulSet', (o) => {
          o.spec.replicas = 5;
        }),
      ),
    );
    expect(d.changed.map((c) => c.id)).toEqual(['StatefulSet/db/postgres']);
    expect(d.changed[0].fields).toEqual([{ path: 'spec.replicas', before: 3, after: 5 }]);
    expect(d.changed[0].yamlDiff).toContain('-  replicas: 3\n+  replicas: 5');
    expect(d.risks).toEqual([]);
    expect(exitCode([d])).toBe(DIFF_EXIT.CHANGES);
  });

  test('a new image in the pod template is a plain change, named by container', () => {
    const d = diffTrees(
      'prod',
      tree(baseObjects()),
      tree(
        edited('StatefulSet', (o) => {
          o.spec.template.spec.containers[0].image = 'registry.example.com/postgres:2.0.0';
        }),
      ),
    );
    expect(d.changed[0].fields.map((f) => f.path)).toEqual(['spec.template.spec.containers[name=postgres].image']);
    expect(exitCode([d])).toBe(DIFF_EXIT.CHANGES);
  });

  test('a changed volumeClaimTemplates is flagged risky', () => {
    const d = diffTrees(
      'prod',
      tree(baseObjects()),
      tree(
        edited('StatefulSet', (o) => {
          o.spec.volumeClaimTemplates[0].spec.resources.requests.storage = '20Gi';
        }),
      ),
    );
    expect(d.risks).toEqual([
      expect.objectContaining({ id: 'StatefulSet/db/postgres', path: 'spec.volumeClaimTemplates', rule: 'statefulset.immutable-field' }),
    ]);
    expect(exitCode([d])).toBe(DIFF_EXIT.RISKY);
  });

  test('a changed serviceName or selector of a StatefulSet is flagged risky, each once', () => {
    const d = diffTrees(
      'prod',
      tree(baseObjects()),
      tree(
        edited('StatefulSet', (o) => {
          o.spec.serviceName = 'pg';
          o.spec.selector.matchLabels = { app: 'pg' };
          o.spec.template.metadata.labels = { app: 'pg' };
        }),
      ),
    );
    expect(d.risks.map((r) => `${r.path} ${r.rule}`)).toEqual([
      'spec.selector statefulset.immutable-field',
      'spec.serviceName statefulset.immutable-field',
    ]);
  });

  test('a changed Service selector is flagged risky', () => {
    const d = diffTrees(
      'prod',
      tree(baseObjects()),
      tree(
        edited('Service', (o) => {
          o.spec.selector = { app: 'postgres', role: 'primary' };
        }),
      ),
    );
    expect(d.risks).toEqual([expect.objectContaining({ id: 'Service/db/postgres', path: 'spec.selector', rule: 'selector.changed' })]);
    expect(exitCode([d])).toBe(DIFF_EXIT.RISKY);
  });

  test('a changed Deployment selector is flagged risky', () => {
    const before = [deployment('db', 'api')];
    const after = structuredClone(before) as any[];
    after[0].spec.selector.matchLabels = { app: 'api2' };
    after[0].spec.template.metadata.labels = { app: 'api2' };
    expect(diffTrees('prod', tree(before), tree(after)).risks.map((r) => r.rule)).toEqual(['selector.changed']);
  });

  test('a changed Job template is risky unless Argo CD and Flux recreate the Job', () => {
    const job = (annotations: Record<string, string>, image: string): KubeObject => ({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'migrate', namespace: 'db', annotations },
      spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'm', image }] } } },
    });
    const hook = {
      'argocd.argoproj.io/hook': 'PostSync',
      'argocd.argoproj.io/hook-delete-policy': 'BeforeHookCreation',
      'kustomize.toolkit.fluxcd.io/force': 'enabled',
    };
    expect(diffTrees('prod', tree([job({}, 'm:1')]), tree([job({}, 'm:2')])).risks.map((r) => r.rule)).toEqual(['job.immutable-field']);
    expect(diffTrees('prod', tree([job(hook, 'm:1')]), tree([job(hook, 'm:2')])).risks).toEqual([]);
  });

  test('deleted PVC, Namespace and StatefulSet with volumeClaimTemplates are flagged risky', () => {
    const d = diffTrees('prod', tree(baseObjects()), tree([service('db', 'postgres', { app: 'postgres' }, 5432)]));
    expect(d.removed.map((r) => r.id).sort()).toEqual([
      'Namespace/db',
      'PersistentVolumeClaim/db/scratch',
      'PodDisruptionBudget/db/postgres',
      'StatefulSet/db/postgres',
    ]);
    expect(d.risks.map((r) => `${r.id} ${r.rule}`)).toEqual([
      'Namespace/db delete.namespace',
      'PersistentVolumeClaim/db/scratch delete.pvc',
      'StatefulSet/db/postgres delete.statefulset-volumes',
    ]);
  });

  test('a shrinking claim is risky, a growing one is not', () => {
    const grow = edited('PersistentVolumeClaim', (o) => {
      o.spec.resources.requests.storage = '10Gi';
    });
    const shrink = edited('PersistentVolumeClaim', (o) => {
      o.spec.resources.requests.storage = '1Gi';
    });
    expect(diffTrees('prod', tree(baseObjects()), tree(grow)).risks).toEqual([]);
    expect(diffTrees('prod', tree(baseObjects()), tree(shrink)).risks.map((r) => r.rule)).toEqual(['pvc.shrink']);
  });

  test('a PDB that blocks every eviction is flagged risky', () => {
    const zero = edited('PodDisruptionBudget', (o) => {
      o.spec = { selector: o.spec.selector, maxUnavailable: 0 };
    });
    const all = edited('PodDisruptionBudget', (o) => {
      o.spec = { selector: o.spec.selector, minAvailable: 3 };
    });
    const hundred = edited('PodDisruptionBudget', (o) => {
      o.spec = { selector: o.spec.selector, minAvailable: '100%' };
    });
    const fine = edited('PodDisruptionBudget', (o) => {
      o.spec = { selector: o.spec.selector, minAvailable: 2 };
    });
    for (const objs of [zero, all, hundred]) {
      expect(diffTrees('prod', tree(baseObjects()), tree(objs)).risks.map((r) => `${r.id} ${r.rule}`)).toEqual([
        'PodDisruptionBudget/db/postgres pdb.blocks-eviction',
      ]);
    }
    expect(diffTrees('prod', tree(baseObjects()), tree(fine)).risks).toEqual([]);
  });

  test('scaling a workload down to its PDB minAvailable is flagged on the PDB', () => {
    const before = [
      ...baseObjects().filter((o) => o.kind !== 'PodDisruptionBudget'),
      pdb('db', 'postgres', { app: 'postgres' }, { minAvailable: 2 }),
    ];
    const after = structuredClone(before) as any[];
    after.find((o) => o.kind === 'StatefulSet').spec.replicas = 2;
    expect(diffTrees('prod', tree(before), tree(after)).risks.map((r) => r.rule)).toEqual(['pdb.blocks-eviction']);
  });

  test('the text report lists risky changes first, then added, removed and changed objects', () => {
    const after = edited('Service', (o) => {
      o.spec.selector = { app: 'other' };
    }).filter((o) => o.kind !== 'PersistentVolumeClaim');
    after.push(deployment('db', 'api'));
    const d = diffTrees('prod', tree(baseObjects()), tree(after));
    const text = formatText([d], 'dist');
    const lines = text.split('\n');
    expect(lines[0]).toBe('diff against dist');
    expect(lines[2]).toBe('RISKY: 2 risky change(s):');
    expect(text.indexOf('selector.changed')).toBeLessThan(text.indexOf('+ Deployment/db/api'));
    expect(text).toContain('- PersistentVolumeClaim/db/scratch');
    expect(text).toContain('~ Service/db/postgres');
    expect(text).toContain('    spec.selector.app: "postgres" -> "other"');
    const summary = formatSummary([d], 'origin/main:dist');
    expect(summary.startsWith(SUMMARY_MARKER)).toBe(true);
    expect(summary).toContain('> [!WARNING]');
    expect(summary).toContain('| prod | 1 | 1 | 1 | 2 |');
    expect(summary).toContain('```diff');
  });
});

describe('formatSummary', () => {
  test('stays within a GitHub comment: object lists first, YAML diffs while they fit', () => {
    const many = (tag: string): KubeObject[] =>
      Array.from({ length: 60 }, (_, i) => ({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: `cm-${i}`, namespace: 'db' },
        data: { script: Array.from({ length: 40 }, (__, l) => `line ${l} ${tag}`).join('\n') },
      }));
    const d = diffTrees('prod', tree(many('old')), tree(many('new')));
    const summary = formatSummary([d], 'origin/main:dist');
    expect(summary.length).toBeLessThan(61_000);
    expect(summary).toContain('- changed `ConfigMap/db/cm-59`: data.script');
    expect(summary).toMatch(/_\d+ more YAML diff\(s\) left out to fit a comment: run `npm run diff` for all of them._$/);
    expect((summary.match(/```/g) ?? []).length % 2).toBe(0);
  });
});

describe('unifiedDiff', () => {
  test('equal texts give no diff; a change gives a hunk with context', () => {
    expect(unifiedDiff('a\nb\n', 'a\nb\n', 'x', 'y')).toBe('');
    const lines = Array.from({ length: 20 }, (_, i) => `line ${i}`);
    const changed = [...lines];
    changed[10] = 'changed';
    expect(unifiedDiff(lines.join('\n'), changed.join('\n'), 'a/f', 'b/f')).toBe(
      ['--- a/f', '+++ b/f', '@@ -8,7 +8,7 @@', 'line 7', 'line 8', 'line 9', '-line 10', '+changed', 'line 11', 'line 12', 'line 13']
        .map((l) => (l.startsWith('line') ? ` ${l}` : l))
        .join('\n'),
    );
  });
});

describe('unifiedDiff on many edits', () => {
  /** The two texts back from a diff with all lines as context. */
  function sides(d: string): [string, string] {
    const body = d.split('\n').filter((l) => !l.startsWith('---') && !l.startsWith('+++') && !l.startsWith('@@'));
    return [
      body
        .filter((l) => !l.startsWith('+'))
        .map((l) => l.slice(1))
        .join('\n'),
      body
        .filter((l) => !l.startsWith('-'))
        .map((l) => l.slice(1))
        .join('\n'),
    ];
  }

  test('the diff holds both texts, line for line', () => {
    const a = Array.from({ length: 200 }, (_, i) => `line ${i % 17}`);
    const b = a.filter((_, i) => i % 7 !== 0).map((l, i) => (i % 11 === 0 ? `${l} changed` : l));
    b.splice(50, 0, 'inserted', 'inserted too');
    expect(sides(unifiedDiff(a.join('\n'), b.join('\n'), 'a', 'b', 1e9))).toEqual([a.join('\n'), b.join('\n')]);
  });

  test('a middle too big to align is shown replaced, head and tail kept', () => {
    const a = ['same', ...Array.from({ length: 2100 }, (_, i) => `a${i}`), 'end'];
    const b = ['same', ...Array.from({ length: 2100 }, (_, i) => `b${i}`), 'end'];
    const d = unifiedDiff(a.join('\n'), b.join('\n'), 'a', 'b', 1e9);
    expect(sides(d)).toEqual([a.join('\n'), b.join('\n')]);
    expect(d.split('\n')[3]).toBe(' same');
  });
});

describe('npm run diff', () => {
  let t: ReturnType<typeof tempDir>;
  beforeEach(() => {
    t = tempDir('review-diff-');
  });
  afterEach(() => t.cleanup());

  function run(args: string[]): { code: number; out: string; err: string } {
    const out = capture();
    const err = capture();
    const code = main(args, out.print, err.print);
    return { code, out: out.text(), err: err.text() };
  }

  test('two equal trees: exit 0 and "no changes"', () => {
    writeTree(path.join(t.dir, 'base'), 'prod', { db: baseObjects() });
    writeTree(path.join(t.dir, 'head'), 'prod', { db: baseObjects() });
    const r = run(['--env', 'prod', '--base', path.join(t.dir, 'base'), '--head-dir', path.join(t.dir, 'head')]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^no changes/);
  });

  test('exit 1 for plain changes, 3 for risky ones; --json carries the same', () => {
    writeTree(path.join(t.dir, 'base'), 'prod', { db: baseObjects() });
    writeTree(path.join(t.dir, 'plain'), 'prod', {
      db: edited('StatefulSet', (o) => {
        o.spec.replicas = 4;
      }),
    });
    writeTree(path.join(t.dir, 'risky'), 'prod', {
      db: edited('Service', (o) => {
        o.spec.selector = { app: 'x' };
      }),
    });
    const base = ['--env', 'prod', '--base', path.join(t.dir, 'base')];
    expect(run([...base, '--head-dir', path.join(t.dir, 'plain')]).code).toBe(1);
    const risky = run([...base, '--head-dir', path.join(t.dir, 'risky'), '--json']);
    expect(risky.code).toBe(3);
    const json = JSON.parse(risky.out);
    expect(json.exitCode).toBe(3);
    expect(json.environments[0].risks[0].rule).toBe('selector.changed');
  });

  test('a fresh synth equals a synth of the same config: exit 0', () => {
    const result = synthesize({ envs: ['dev', 'dr'], outdir: path.join(t.dir, 'dist'), gitopsRoot: t.dir });
    expect(result.ok).toBe(true);
    const r = run(['--env', 'dev,dr', '--base', path.join(t.dir, 'dist')]);
    expect(r.err).toBe('');
    expect(r.out).toMatch(/^no changes \(dev, dev gitops, dr, dr gitops against /);
    expect(r.code).toBe(0);
  });

  test('a fresh synth against a tree missing a namespace lists it as added', () => {
    synthesize({ envs: ['staging'], outdir: path.join(t.dir, 'dist'), gitopsRoot: t.dir });
    fs.rmSync(path.join(t.dir, 'dist', 'staging', 'security'), { recursive: true });
    const r = run(['--env', 'staging', '--base', path.join(t.dir, 'dist')]);
    expect(r.code).toBe(1);
    expect(r.out).toContain('+ Namespace/security');
  });

  test('fails when flags are bad, listing every problem: exit 2', () => {
    const r = run(['--env', 'qa', '--json', '--summary', '--base', '/nonexistent', '--bogus']);
    expect(r.code).toBe(DIFF_EXIT.BAD_INPUT);
    expect(r.err).toContain('unknown flag');
    expect(r.err).toContain('unknown value "qa"');
    expect(r.err).toContain('give --json or --summary, not both');
    expect(r.err).toContain('no such folder "/nonexistent"');
    expect(r.err).toContain('exit codes:');
  });

  test('fails when the git revision does not exist: exit 2', () => {
    const r = run(['--env', 'dev', '--base-ref', 'no-such-ref-xyz', '--head-dir', t.dir]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('no such git revision "no-such-ref-xyz"');
  });

  test('--base-ref reads dist/<env> of a git revision (a missing folder is an empty tree)', () => {
    const repo = path.join(t.dir, 'repo');
    writeTree(path.join(repo, 'dist'), 'prod', { db: baseObjects() });
    const git = (...args: string[]): string =>
      execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd: repo }).toString();
    git('init', '-q');
    git('add', 'dist');
    git('commit', '-qm', 'base');
    const tmp = checkoutFolders('HEAD', ['dist/prod'], repo);
    const empty = checkoutFolders('HEAD', ['dist/dev'], repo);
    try {
      expect([...readTree(path.join(tmp, 'dist', 'prod')).values()].map((o) => o.obj.kind).sort()).toEqual([
        'Namespace',
        'PersistentVolumeClaim',
        'PodDisruptionBudget',
        'Service',
        'StatefulSet',
      ]);
      expect(readTree(path.join(empty, 'dist', 'dev')).size).toBe(0);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
      fs.rmSync(empty, { recursive: true, force: true });
    }
  });

  test('the bundled CLI exits with the code CI reads', () => {
    const script = path.join(t.dir, 'diff.js');
    buildSync({
      entryPoints: [path.join(ROOT, 'cli/diff.ts')],
      bundle: true,
      platform: 'node',
      target: 'node20',
      outfile: script,
      logLevel: 'error',
    });
    writeTree(path.join(t.dir, 'base'), 'prod', { db: baseObjects() });
    writeTree(path.join(t.dir, 'head'), 'prod', {
      db: edited('Service', (o) => {
        o.spec.selector = { app: 'x' };
      }),
    });
    const cli = (head: string): number | null =>
      spawnSync('node', [script, '--env', 'prod', '--base', path.join(t.dir, 'base'), '--head-dir', path.join(t.dir, head)], { cwd: ROOT }).status;
    expect(cli('base')).toBe(0);
    expect(cli('head')).toBe(3);
    expect(spawnSync('node', [script, '--env', 'qa'], { cwd: ROOT }).status).toBe(2);
  });
});
