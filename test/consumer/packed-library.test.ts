import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { ROOT } from '../helpers/bundle';
import { tempDir } from '../helpers/temp';

/**
 * The library as a consumer gets it: `npm pack` of a fresh `build:lib`, unpacked into a project of
 * its own, type-checked against the shipped .d.ts files and run with plain node. Dependencies come
 * from this repository's node_modules (linked), so no network is needed.
 */
describe('packed library', () => {
  let work: { dir: string; cleanup: () => void };
  let files: string[];
  let tarball: string;

  beforeAll(() => {
    work = tempDir('consumer-');
    execFileSync('npx', ['tsc', '-p', 'tsconfig.lib.json', '--outDir', path.join(work.dir, 'build-lib')], { cwd: ROOT });
    // Pack from a staging copy so the test never touches the repository's own lib/.
    const stage = path.join(work.dir, 'stage');
    fs.mkdirSync(stage);
    fs.cpSync(path.join(work.dir, 'build-lib'), path.join(stage, 'lib'), { recursive: true });
    fs.copyFileSync(path.join(ROOT, 'package.json'), path.join(stage, 'package.json'));
    fs.copyFileSync(path.join(ROOT, 'README.md'), path.join(stage, 'README.md'));
    const packed = JSON.parse(
      execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work.dir], { cwd: stage, encoding: 'utf8' }),
    );
    files = packed[0].files.map((f: { path: string }) => f.path);
    tarball = path.join(work.dir, packed[0].filename);
    const consumer = path.join(work.dir, 'consumer');
    const pkg = path.join(consumer, 'node_modules', 'cdk8s-receivables-platform');
    fs.mkdirSync(pkg, { recursive: true });
    execFileSync('tar', ['-xzf', path.join(work.dir, packed[0].filename), '-C', pkg, '--strip-components=1']);
    for (const dep of ['cdk8s', 'cdk8s-plus-28', 'constructs', 'yaml', 'ajv', '@types']) {
      fs.symlinkSync(path.join(ROOT, 'node_modules', dep), path.join(consumer, 'node_modules', dep));
    }
  }, 180000);
  afterAll(() => work.cleanup());

  test('ships the compiled library and its types, and nothing of the app', () => {
    expect(files).toEqual(
      expect.arrayContaining([
        'lib/constructs/index.js',
        'lib/constructs/index.d.ts',
        'lib/constructs/postgres-ha/index.d.ts',
        'lib/constructs/redis-sentinel/index.d.ts',
        'README.md',
        'package.json',
      ]),
    );
    expect(
      files.filter((f) => /^(dist|charts|environments|gate|synth|gitops|test|schemas)\//.test(f) || (f.endsWith('.ts') && !f.endsWith('.d.ts'))),
    ).toEqual([]);
  });

  test('a consumer type-checks against the shipped types and synthesizes PostgresHA and RedisSentinel', () => {
    const consumer = path.join(work.dir, 'consumer');
    fs.writeFileSync(
      path.join(consumer, 'main.ts'),
      `import { App, Chart } from 'cdk8s';
import { PlatformNamespace, PostgresHA, RedisSentinel } from 'cdk8s-receivables-platform';

const app = new App({ outdir: 'out' });
const chart = new Chart(app, 'data', { disableResourceNameHashes: true });
new PlatformNamespace(chart, 'Db', { name: 'db' });
const pg = new PostgresHA(chart, 'Postgres', { namespace: 'db', secretStore: { name: 'vault' } });
const redis = new RedisSentinel(chart, 'Redis', {
  namespace: 'db',
  image: 'library/redis:7.2.5-alpine',
  monitoring: { exporterImage: 'oliver006/redis_exporter:v1.62.0' },
  secretStore: { name: 'vault' },
});
const kinds = chart.toJson().map((o: { kind: string }) => o.kind);
console.log(JSON.stringify({ kinds, pg: pg.name, sentinel: redis.connection.host }));
`,
    );
    fs.writeFileSync(
      path.join(consumer, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { strict: true, target: 'ES2022', module: 'commonjs', esModuleInterop: true, skipLibCheck: false, types: [] },
        files: ['main.ts'],
      }),
    );
    execFileSync(path.join(ROOT, 'node_modules', '.bin', 'tsc'), ['-p', '.'], { cwd: consumer, encoding: 'utf8' });
    const out = JSON.parse(execFileSync('node', ['main.js'], { cwd: consumer, encoding: 'utf8' }).trim().split('\n').pop()!);
    expect(out.kinds).toEqual(
      expect.arrayContaining(['Namespace', 'StatefulSet', 'Service', 'PodDisruptionBudget', 'ExternalSecret', 'NetworkPolicy']),
    );
    expect(out.pg).toBeTruthy();
    expect(out.sentinel).toContain('db');
  });

  test("cdk8s, constructs and cdk8s-plus-28 are peer dependencies: npm installs one copy of each, the consumer's", () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    const peers = ['cdk8s', 'cdk8s-plus-28', 'constructs'];
    expect(Object.keys(pkg.peerDependencies ?? {}).sort()).toEqual(peers);
    peers.forEach((p) => expect(pkg.dependencies?.[p]).toBeUndefined());
    // A real `npm install` of the tarball next to the consumer's own cdk8s (from npm's cache, or the registry).
    const consumer = path.join(work.dir, 'installed');
    fs.mkdirSync(consumer);
    const versions = Object.fromEntries(
      peers.map((p) => [p, JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', p, 'package.json'), 'utf8')).version]),
    );
    fs.writeFileSync(
      path.join(consumer, 'package.json'),
      JSON.stringify({
        name: 'consumer',
        version: '1.0.0',
        private: true,
        dependencies: { ...versions, 'cdk8s-receivables-platform': `file:${tarball}` },
      }),
    );
    execFileSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts'], { cwd: consumer, encoding: 'utf8' });
    const copies = (name: string): string[] =>
      execFileSync('find', ['node_modules', '-type', 'f', '-path', `*node_modules/${name}/package.json`], { cwd: consumer, encoding: 'utf8' })
        .split('\n')
        .filter((l) => l !== '' && !l.includes(`/${name}/node_modules/`));
    expect(copies('cdk8s')).toEqual(['node_modules/cdk8s/package.json']);
    expect(copies('constructs')).toEqual(['node_modules/constructs/package.json']);
    const tree = JSON.parse(execFileSync('npm', ['ls', 'cdk8s', '--all', '--json'], { cwd: consumer, encoding: 'utf8' }));
    const lib = tree.dependencies['cdk8s-receivables-platform'];
    // The library's cdk8s is the consumer's own (deduped), not a nested second copy.
    expect(tree.dependencies.cdk8s.version).toEqual(versions.cdk8s);
    expect(lib.dependencies?.cdk8s === undefined || lib.dependencies.cdk8s.version === versions.cdk8s).toBe(true);
  }, 180000);
});

test('the tarball `npm pack` writes is gitignored', () => {
  expect(execFileSync('git', ['check-ignore', 'cdk8s-receivables-platform-0.1.0.tgz'], { cwd: ROOT, encoding: 'utf8' }).trim()).toEqual(
    'cdk8s-receivables-platform-0.1.0.tgz',
  );
});
