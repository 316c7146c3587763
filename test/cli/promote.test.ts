import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';
import { loadEnvironments } from '../../environments/load';
import { ENVIRONMENT_NAMES } from '../../environments/types';
import { main, rewritePins } from '../../cli/promote';
import { synthesize } from '../../synth/pipeline';
import { ROOT } from '../helpers/bundle';
import { tempDir } from '../helpers/temp';
import { capture } from '../helpers/objects';

/** A copy of environments/*.yaml, with comments added to prod.yaml, and a synthesized dist. */
function workspace(t: { dir: string }): { config: string; dist: string } {
  const config = path.join(t.dir, 'environments');
  fs.mkdirSync(config);
  for (const env of ENVIRONMENT_NAMES) {
    fs.copyFileSync(path.join(ROOT, 'environments', `${env}.yaml`), path.join(config, `${env}.yaml`));
  }
  const prod = fs
    .readFileSync(path.join(config, 'prod.yaml'), 'utf8')
    .replace(/^images:$/m, '# Pins below were approved in CHANGE-123.\nimages:')
    .replace(/^( {2}postgres: .*)$/m, '$1 # the database image');
  fs.writeFileSync(path.join(config, 'prod.yaml'), prod);
  const staging = fs
    .readFileSync(path.join(config, 'staging.yaml'), 'utf8')
    .replace(/^( {2}postgres: ).*$/m, '$1zalando/spilo-17:4.0-p3')
    .replace('chartVersions: {}', 'chartVersions:\n  cert-manager: v1.15.3');
  fs.writeFileSync(path.join(config, 'staging.yaml'), staging);
  const dist = path.join(t.dir, 'dist');
  expect(synthesize({ envs: [...ENVIRONMENT_NAMES], outdir: dist, configDir: config, gitopsRoot: t.dir }).ok).toBe(true);
  return { config, dist };
}

function snapshot(dir: string): Record<string, string> {
  return Object.fromEntries(fs.readdirSync(dir).map((f) => [f, fs.readFileSync(path.join(dir, f), 'utf8')]));
}

describe('npm run promote', () => {
  let t: ReturnType<typeof tempDir>;
  beforeEach(() => {
    t = tempDir('review-promote-');
  });
  afterEach(() => t.cleanup());

  test('staging -> prod rewrites the pins of prod and dr, keeps comments, re-synthesizes and prints the diff', () => {
    const { config, dist } = workspace(t);
    const before = snapshot(config);
    const out = capture();
    const code = main(['--from', 'staging', '--to', 'prod', '--config-dir', config, '--outdir', dist], out.print, out.print);
    expect(code).toBe(0);
    const prod = fs.readFileSync(path.join(config, 'prod.yaml'), 'utf8');
    expect(prod).toContain('# Pins below were approved in CHANGE-123.\nimages:\n');
    expect(prod).toContain('  postgres: zalando/spilo-17:4.0-p3 # the database image\n');
    expect(prod).toContain('chartVersions:\n  cert-manager: v1.15.3\n');
    // Only the changed lines changed.
    expect(prod).toBe(
      before['prod.yaml']
        .replace(/^( {2}postgres: )\S+/m, '$1zalando/spilo-17:4.0-p3')
        .replace('chartVersions: {}', 'chartVersions:\n  cert-manager: v1.15.3'),
    );
    // dr derives from prod: the same pins, in the same run.
    const [p, dr] = loadEnvironments(['prod', 'dr'], { dir: config });
    expect(dr.images).toEqual(p.images);
    expect(dr.chartVersions).toEqual({ 'cert-manager': 'v1.15.3' });
    expect(dr.dr).toMatchObject({ standbyOf: 'prod', failover: false });
    // The source and the others are untouched.
    expect(fs.readFileSync(path.join(config, 'staging.yaml'), 'utf8')).toBe(before['staging.yaml']);
    expect(fs.readFileSync(path.join(config, 'dev.yaml'), 'utf8')).toBe(before['dev.yaml']);
    const text = out.text();
    expect(text).toContain('prod: images.postgres: zalando/spilo-17:4.0-p2 -> zalando/spilo-17:4.0-p3');
    expect(text).toContain('dr: chartVersions.cert-manager: (new) -> v1.15.3');
    expect(text).toContain(`re-synthesized ${dist}/prod, ${dist}/dr`);
    // The diff shows the new image wherever the pin is used.
    expect(text).toMatch(/== prod: 0 added, 0 removed, \d+ changed/);
    expect(text).toMatch(/\.image: "[^"]*spilo-17:4\.0-p2" -> "[^"]*spilo-17:4\.0-p3"/);
  });

  test('a second promotion finds nothing to do', () => {
    const { config, dist } = workspace(t);
    expect(main(['--from', 'staging', '--to', 'prod', '--config-dir', config, '--outdir', dist], capture().print, capture().print)).toBe(0);
    const out = capture();
    expect(main(['--from', 'staging', '--to', 'prod', '--config-dir', config, '--outdir', dist], out.print, out.print)).toBe(0);
    expect(out.text()).toContain('prod and dr already pin what staging pins: nothing to promote');
  });

  test('fails when flags are bad, listing every problem and writing nothing', () => {
    const { config, dist } = workspace(t);
    const before = snapshot(config);
    const cases: [string[], string[]][] = [
      [[], ['--from <env> is required', '--to <env> is required']],
      [
        ['--from', 'qa', '--to', 'dr', '--colour'],
        ['unknown flag for npm run promote', 'unknown environment "qa"', 'dr is not promoted on its own: it follows prod'],
      ],
      [['--from', 'prod', '--to', 'prod'], ['--from and --to are both "prod"']],
      [['--to', 'staging', '--from'], ['--from: flag.missing-value: needs a value']],
      [['--from', 'dev', '--to', 'staging', '--config-dir', path.join(t.dir, 'nope')], ['no such folder']],
    ];
    for (const [args, messages] of cases) {
      const err = capture();
      expect(main([...args, ...(args.includes('--config-dir') ? [] : ['--config-dir', config]), '--outdir', dist], err.print, err.print)).toBe(2);
      expect(err.text()).toContain('nothing was written');
      for (const m of messages) {
        expect(err.text()).toContain(m);
      }
      // One problem a line, each once.
      const lines = err
        .text()
        .split('\n')
        .filter((l) => l.startsWith('  command line:'));
      expect(new Set(lines).size).toBe(lines.length);
      expect(lines.filter((l) => l.includes('--from:')).length).toBeLessThanOrEqual(1);
    }
    expect(snapshot(config)).toEqual(before);
  });

  test('fails when the promoted pins would not validate, writing nothing', () => {
    const { config, dist } = workspace(t);
    fs.writeFileSync(
      path.join(config, 'dev.yaml'),
      fs.readFileSync(path.join(config, 'dev.yaml'), 'utf8').replace('chartVersions: {}', 'chartVersions:\n  cert-manager: latest'),
    );
    // dev.yaml itself is now invalid too, but promote reads it as data: the target check catches it.
    const before = snapshot(config);
    const err = capture();
    expect(main(['--from', 'dev', '--to', 'staging', '--config-dir', config, '--outdir', dist], err.print, err.print)).toBe(2);
    expect(err.text()).toContain('nothing was written');
    expect(err.text()).toContain('chartVersions');
    expect(err.text()).toContain('staging.yaml');
    expect(snapshot(config)).toEqual(before);
  });
});

describe('the shipped environments', () => {
  test('dr pins what prod pins (promote --to prod keeps them equal)', () => {
    const [prod, dr] = loadEnvironments(['prod', 'dr']);
    expect(dr.images).toEqual(prod.images);
    expect(dr.chartVersions).toEqual(prod.chartVersions);
  });
});

describe('rewritePins', () => {
  test('changes values in place, appends new keys, removes keys the source no longer has', () => {
    const doc = YAML.parseDocument(
      ['# head', 'images:', '  # the database', '  postgres: a:1 # pinned', '  old: b:1', 'chartVersions: {}', 'dr:', '  failover: false', ''].join(
        '\n',
      ),
    );
    const changes = rewritePins(doc, { images: { postgres: 'a:2', redis: 'r:1' }, chartVersions: { 'cert-manager': 'v1.0.0' } }, 'prod');
    expect(changes.map((c) => `${c.path} ${String(c.before)} -> ${String(c.after)}`)).toEqual([
      'images.postgres a:1 -> a:2',
      'images.redis undefined -> r:1',
      'images.old b:1 -> undefined',
      'chartVersions.cert-manager undefined -> v1.0.0',
    ]);
    expect(doc.toString({ lineWidth: 0 })).toBe(
      [
        '# head',
        'images:',
        '  # the database',
        '  postgres: a:2 # pinned',
        '  redis: r:1',
        'chartVersions:',
        '  cert-manager: v1.0.0',
        'dr:',
        '  failover: false',
        '',
      ].join('\n'),
    );
  });
});
