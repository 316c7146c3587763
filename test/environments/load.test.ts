import * as fs from 'fs';
import * as path from 'path';
import { loadEnvironments, parseEnvironmentNames } from '../../environments/load';
import { ENVIRONMENT_NAMES } from '../../environments/types';
import { InputError, Problem } from '../../core/problem';
import { ROOT } from '../helpers/bundle';
import { tempDir } from '../helpers/temp';

/** A copy of environments/*.yaml with one file replaced. */
function configDirWith(files: Record<string, string>): { dir: string; cleanup: () => void } {
  const t = tempDir('envs-');
  for (const env of ENVIRONMENT_NAMES) {
    fs.copyFileSync(path.join(ROOT, 'environments', `${env}.yaml`), path.join(t.dir, `${env}.yaml`));
  }
  for (const [name, text] of Object.entries(files)) {
    fs.writeFileSync(path.join(t.dir, name), text);
  }
  return t;
}

function problemsOf(fn: () => unknown): Problem[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof InputError) {
      return [...e.problems];
    }
    throw e;
  }
  throw new Error('expected an InputError');
}

describe('environment config', () => {
  test('the four shipped environments load and validate', () => {
    const configs = loadEnvironments(ENVIRONMENT_NAMES);
    expect(configs.map((c) => c.name)).toEqual(['dev', 'staging', 'prod', 'dr']);
    const [dev, staging, prod, dr] = configs;
    expect(dev.apps.replicas).toBe(1);
    expect(dev.postgres).toEqual({ replicas: 1, poolerReplicas: 1, size: 'small', storageGi: 5, tls: false });
    expect(dev.gitops.sync.mode).toBe('automated');
    expect(staging.gitops.sync.mode).toBe('automated');
    expect(prod.gitops.sync).toMatchObject({ mode: 'manual', approvalGate: true });
    expect(prod.features.autoscaling).toBe(true);
    expect(dr.gitops.sync.mode).toBe('disabled');
    expect(dr.dr).toMatchObject({ standbyOf: 'prod', failover: false });
    expect(dr.dr!.postgres.archiveEndpoint).not.toMatch(/storage-minio/);
    expect([dr.apps, dr.postgres, dr.redis]).toEqual([prod.apps, prod.postgres, prod.redis]);
    expect(dr.gitops.clusterServer).not.toBe(prod.gitops.clusterServer);
  });

  test('fails with every problem listed: wrong type and unknown cloud profile', () => {
    const t = configDirWith({ 'prod.yaml': 'postgres:\n  replicas: "three"\ncloudProfile: openstack\nredis:\n  size: huge\n' });
    try {
      const problems = problemsOf(() => loadEnvironments(['prod'], { dir: t.dir }));
      const file = path.join(t.dir, 'prod.yaml');
      const shown = (p: Problem): string => `${p.path}|${p.rule}|${p.message}`;
      expect(problems.every((p) => p.file === file || p.file.endsWith('prod.yaml'))).toBe(true);
      expect(problems.map(shown).sort()).toEqual([
        'cloudProfile|config.enum|must be one of "onprem-k3s", "onprem-kubeadm", "aws", "azure", "gcp" (value: "openstack")',
        'postgres.replicas|config.type|must be integer (value: "three")',
        'redis.size|config.enum|must be one of "nano", "micro", "small", "medium", "large", "xlarge" (value: "huge")',
      ]);
    } finally {
      t.cleanup();
    }
  });

  test('fails on unknown keys, naming the allowed ones', () => {
    const t = configDirWith({ 'dev.yaml': 'redis:\n  replica: 3\n' });
    try {
      const [p] = problemsOf(() => loadEnvironments(['dev'], { dir: t.dir }));
      expect(p).toMatchObject({ path: 'redis.replica', rule: 'config.additional-properties' });
      expect(p.message).toContain('replicas');
    } finally {
      t.cleanup();
    }
  });

  test('collects problems across environments in one run', () => {
    const t = configDirWith({ 'dev.yaml': 'imageRegistry: "Not A Registry"\n', 'staging.yaml': 'images:\n  postgres: "postgres:latest"\n' });
    try {
      const problems = problemsOf(() => loadEnvironments(['dev', 'staging'], { dir: t.dir }));
      expect(problems.map((p) => `${path.basename(p.file)}:${p.path}:${p.rule}`)).toEqual([
        'dev.yaml:imageRegistry:config.pattern',
        'staging.yaml:images.postgres:config.pattern',
      ]);
      expect(problems[1].message).toContain('not latest');
    } finally {
      t.cleanup();
    }
  });

  test('fails on YAML syntax errors with the line', () => {
    const t = configDirWith({ 'dev.yaml': 'apps:\n  replicas: 1\n  replicas: 2\n' });
    try {
      const [p] = problemsOf(() => loadEnvironments(['dev'], { dir: t.dir }));
      expect(p).toMatchObject({ rule: 'config.yaml-syntax', path: expect.stringMatching(/^line 3/) });
    } finally {
      t.cleanup();
    }
  });

  test('fails on relations the schema cannot express', () => {
    const pins = fs.readFileSync(path.join(ROOT, 'environments', 'staging.yaml'), 'utf8');
    const t = configDirWith({
      'staging.yaml': `${pins}postgres:\n  replicas: 1\nredis:\n  replicas: 2\ngitops:\n  sync:\n    pullRequestPreviews: true\n`,
    });
    try {
      const problems = problemsOf(() => loadEnvironments(['staging'], { dir: t.dir }));
      expect(problems.map((p) => `${p.path}:${p.rule}`)).toEqual([
        'postgres.replicas:config.single-instance-dev-only',
        'redis.replicas:config.redis-replicas',
        'gitops.sync.pullRequestPreviews:config.previews-dev-only',
      ]);
    } finally {
      t.cleanup();
    }
  });

  test('a missing data file is reported as missing required pins', () => {
    const t = configDirWith({});
    fs.rmSync(path.join(t.dir, 'dev.yaml'));
    try {
      const problems = problemsOf(() => loadEnvironments(['dev'], { dir: t.dir }));
      expect(problems.map((p) => `${p.path}:${p.rule}`)).toEqual(['images:config.required', 'chartVersions:config.required']);
    } finally {
      t.cleanup();
    }
  });

  test('--env values are checked against the known environments', () => {
    expect(parseEnvironmentNames(['prod,dr', 'prod'])).toEqual({ names: ['prod', 'dr'], problems: [] });
    const { problems } = parseEnvironmentNames(['qa', 'prod', 'uat']);
    expect(problems.map((p) => p.message)).toEqual([
      'unknown environment "qa": allowed are dev, staging, prod, dr',
      'unknown environment "uat": allowed are dev, staging, prod, dr',
    ]);
  });
});
