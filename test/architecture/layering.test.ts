import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { projectRoot } from '../../core/paths';
import { tempDir } from '../helpers/temp';

const ROOT = projectRoot();
const DEPCRUISE = path.join(ROOT, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');
const SOURCES = ['main.ts', 'core', 'cli', 'constructs', 'gate', 'charts', 'environments', 'synth', 'imports', 'test'];

interface Violation {
  readonly from: string;
  readonly to: string;
  readonly rule: { readonly name: string };
}

/** Runs dependency-cruiser with the project's config in `cwd` and returns its violations. */
function cruise(cwd: string, targets: readonly string[]): Violation[] {
  const config = path.join(ROOT, '.dependency-cruiser.cjs');
  const run = spawnSync(process.execPath, [DEPCRUISE, '--config', config, '--output-type', 'json', ...targets], {
    cwd,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (!run.stdout) {
    throw new Error(`depcruise failed: ${run.stderr}`);
  }
  return (JSON.parse(run.stdout) as { summary: { violations: Violation[] } }).summary.violations;
}

function write(root: string, file: string, text: string): void {
  fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
  fs.writeFileSync(path.join(root, file), text);
}

const afterCleanup: Array<() => void> = [];
afterAll(() => afterCleanup.forEach((c) => c()));

describe('layering (.dependency-cruiser.cjs, docs/architecture.md)', () => {
  test('no import in the code base runs up the stack, and there are no cycles', () => {
    const violations = cruise(ROOT, SOURCES);
    expect(violations.map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`)).toEqual([]);
  });

  test('an upward import fails the check, naming the rule and both files', () => {
    const { dir, cleanup } = tempDir('layering-');
    afterCleanup.push(cleanup);
    write(dir, 'core/problem.ts', "import { x } from '../constructs/thing';\nexport const y = x;\n");
    write(dir, 'constructs/thing.ts', "import { chart } from '../charts/db/index';\nexport const x = chart;\n");
    write(dir, 'charts/db/index.ts', "import { cli } from '../../cli/tool';\nexport const chart = cli;\n");
    write(dir, 'cli/tool.ts', 'export const cli = 1;\n');
    write(dir, 'gate/check.ts', "import { env } from '../environments/dev';\nexport const g = env;\n");
    write(dir, 'environments/dev.ts', "import { block } from '../charts/db/config';\nexport const env = block;\n");
    write(dir, 'charts/db/config.ts', "import { c } from '../db/index';\nexport const block = c;\n");
    const found = cruise(dir, ['core', 'constructs', 'charts', 'cli', 'gate', 'environments'])
      .filter((v) => v.rule.name !== 'no-circular')
      .map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`)
      .sort();
    expect(found).toEqual([
      'chart-config-not-to-charts: charts/db/config.ts -> charts/db/index.ts',
      'charts-not-to-cli: charts/db/index.ts -> cli/tool.ts',
      'constructs-not-to-charts: constructs/thing.ts -> charts/db/index.ts',
      'core-not-to-constructs: core/problem.ts -> constructs/thing.ts',
      'gate-not-to-environments: gate/check.ts -> environments/dev.ts',
    ]);
  });

  test('the allowed downward imports pass', () => {
    const { dir, cleanup } = tempDir('layering-');
    afterCleanup.push(cleanup);
    write(dir, 'core/problem.ts', 'export const p = 1;\n');
    write(dir, 'constructs/thing.ts', "import { p } from '../core/problem';\nexport const x = p;\n");
    write(dir, 'charts/db/config.ts', "import { x } from '../../constructs/thing';\nexport const block = x;\n");
    write(dir, 'environments/dev.ts', "import { block } from '../charts/db/config';\nexport const env = block;\n");
    write(dir, 'charts/db/index.ts', "import { env } from '../../environments/dev';\nexport const chart = env;\n");
    write(dir, 'cli/tool.ts', "import { chart } from '../charts/db/index';\nexport const cli = chart;\n");
    expect(cruise(dir, ['core', 'constructs', 'charts', 'environments', 'cli'])).toEqual([]);
  });

  test('every top-level source folder belongs to a layer, so a new one cannot escape the check', () => {
    const config = fs.readFileSync(path.join(ROOT, '.dependency-cruiser.cjs'), 'utf8');
    const layerPaths = [...config.matchAll(/path: '(\^[^']+)'/g)].map((m) => new RegExp(m[1].replace(/\\\\/g, '\\')));
    const ignored = new Set(['node_modules', 'lib', 'build', 'dist', 'gitops', 'test', 'scripts', 'coverage', 'schemas']);
    const folders = fs
      .readdirSync(ROOT, { withFileTypes: true })
      .filter((e) => e.isDirectory() && !e.name.startsWith('.') && !ignored.has(e.name))
      .filter((e) => fs.readdirSync(path.join(ROOT, e.name), { recursive: true }).some((f) => String(f).endsWith('.ts')))
      .map((e) => `${e.name}/`);
    const uncovered = folders.filter((f) => !layerPaths.some((re) => re.test(`${f}x.ts`)));
    expect(folders).toEqual(expect.arrayContaining(['core/', 'cli/', 'constructs/', 'charts/']));
    expect(uncovered).toEqual([]);
  });
});
