import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { ApiObject, App, Chart } from 'cdk8s';
import * as YAML from 'yaml';
import { ChartFactory, platformCharts, PLATFORM_NAMESPACES } from '../../charts';
import { ENVIRONMENT_NAMES, EnvironmentConfig } from '../../environments/types';
import { synthesize } from '../../synth/pipeline';
import { toolPath } from '../../core/tools';
import { bundle, ROOT, run } from '../helpers/bundle';
import { expectSameTree, readTree, tempDir, tempOutdir } from '../helpers/temp';

const LABELS = {
  'app.kubernetes.io/name': 'x',
  'app.kubernetes.io/instance': 'x',
  'app.kubernetes.io/part-of': 'p',
  'app.kubernetes.io/managed-by': 'cdk8s',
};

/** The platform charts plus one chart that emits the given objects into namespace app-core. */
function withExtraChart(objects: (chart: Chart) => void): (config: EnvironmentConfig) => ChartFactory[] {
  return () => [
    ...platformCharts(),
    {
      folder: 'extra',
      create: (app: App): Chart => {
        const chart = new Chart(app, 'extra', { disableResourceNameHashes: true });
        objects(chart);
        return chart;
      },
    },
  ];
}

function pod(containerOverrides: Record<string, unknown> = {}, podOverrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'app-core', labels: { ...LABELS, app: 'p' } },
    spec: {
      securityContext: { runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: 'RuntimeDefault' } },
      containers: [
        {
          name: 'c',
          image: 'registry.example.com/app:1.0.0',
          ports: [{ containerPort: 8080, name: 'http' }],
          securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
          resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '128Mi' } },
          readinessProbe: { httpGet: { path: '/ready', port: 8080 } },
          livenessProbe: { httpGet: { path: '/live', port: 8080 } },
          ...containerOverrides,
        },
      ],
      ...podOverrides,
    },
  };
}

describe('synth pipeline', () => {
  let out: { dir: string; cleanup: () => void };
  beforeAll(() => {
    out = tempOutdir('dist-');
    const r = synthesize({ envs: ENVIRONMENT_NAMES, outdir: out.dir });
    expect(r.problems.filter((p) => p.severity === 'error')).toEqual([]);
    expect(r.ok).toBe(true);
    // Construct warnings are reported, never fatal: dev runs single-instance data services.
    expect(r.problems.map((p) => `${p.severity} ${p.rule} ${p.file}`)).toEqual([
      'warning construct.warning dist/dev/app-integration/app-integration.k8s.yaml',
      'warning construct.warning dist/dev/db-postgres/db-postgres.k8s.yaml',
      'warning construct.warning dist/dev/db-clickhouse/db-clickhouse.k8s.yaml',
      'warning construct.warning dist/dev/db-clickhouse/db-clickhouse.k8s.yaml',
      'warning construct.warning dist/dev/db-redis/db-redis.k8s.yaml',
      'warning construct.warning dist/dev/db-elasticsearch/db-elasticsearch.k8s.yaml',
    ]);
  });
  afterAll(() => out.cleanup());

  test('writes every environment, one folder per chart, each with a kustomization', () => {
    expect(fs.readdirSync(out.dir).sort()).toEqual([...ENVIRONMENT_NAMES].sort());
    for (const env of ENVIRONMENT_NAMES) {
      const k = YAML.parse(fs.readFileSync(path.join(out.dir, env, 'kustomization.yaml'), 'utf8'));
      expect(k.resources).toEqual(expect.arrayContaining([...PLATFORM_NAMESPACES]));
      for (const folder of k.resources as string[]) {
        const fk = YAML.parse(fs.readFileSync(path.join(out.dir, env, folder, 'kustomization.yaml'), 'utf8'));
        for (const file of fk.resources as string[]) {
          expect(fs.existsSync(path.join(out.dir, env, folder, file))).toBe(true);
        }
      }
    }
  });

  test('two synths give identical bytes', () => {
    const second = tempOutdir('dist2-');
    try {
      expect(synthesize({ envs: ENVIRONMENT_NAMES, outdir: second.dir }).ok).toBe(true);
      expectSameTree(readTree(out.dir), readTree(second.dir));
    } finally {
      second.cleanup();
    }
  });

  test('every namespace enforces restricted Pod Security and starts with a default deny and a DNS allow', () => {
    for (const env of ENVIRONMENT_NAMES) {
      for (const ns of PLATFORM_NAMESPACES) {
        const docs = YAML.parseAllDocuments(fs.readFileSync(path.join(out.dir, env, ns, `${ns}.k8s.yaml`), 'utf8')).map((d) => d.toJS());
        const namespace = docs.find((d) => d.kind === 'Namespace');
        expect(namespace.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
        const deny = docs.find((d) => d.kind === 'NetworkPolicy' && d.metadata.name === 'default-deny');
        expect(deny.metadata.namespace).toBe(ns);
        expect(deny.spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
        const dns = docs.find((d) => d.kind === 'NetworkPolicy' && d.metadata.name === 'allow-dns-egress');
        expect(dns.spec.egress[0].ports.map((p: { port: number }) => p.port)).toEqual([53, 53]);
      }
    }
  });

  test('kubectl kustomize renders every environment and every chart folder', () => {
    const kubectl = toolPath('kubectl');
    for (const env of ENVIRONMENT_NAMES) {
      const rendered = execFileSync(kubectl, ['kustomize', path.join(out.dir, env)], { encoding: 'utf8', maxBuffer: 64 << 20 });
      const files = [...readTree(path.join(out.dir, env)).entries()].filter(([f]) => f.endsWith('.k8s.yaml'));
      const expected = files.reduce((n, [, b]) => n + YAML.parseAllDocuments(b.toString()).filter((d) => d.toJS()).length, 0);
      expect(YAML.parseAllDocuments(rendered).length).toBe(expected);
    }
    const one = execFileSync(kubectl, ['kustomize', path.join(out.dir, 'prod', 'db-postgres')], { encoding: 'utf8' });
    expect(one).toContain('name: db-postgres');
  });

  test('kubectl kustomize renders every folder of the committed dist/ that has a kustomization', () => {
    const kubectl = toolPath('kubectl');
    const folders = [...readTree(path.join(ROOT, 'dist')).keys()].filter((f) => f.endsWith('kustomization.yaml')).map((f) => path.dirname(f));
    expect(folders.length).toBeGreaterThanOrEqual(4 * (PLATFORM_NAMESPACES.length + 1));
    for (const folder of folders) {
      expect(() => execFileSync(kubectl, ['kustomize', path.join(ROOT, 'dist', folder)], { stdio: 'pipe', maxBuffer: 64 << 20 })).not.toThrow();
    }
  });

  test('removes stale files: the pipeline owns the environment folders', () => {
    const t = tempOutdir('stale-');
    try {
      fs.mkdirSync(path.join(t.dir, 'dev', 'gone'), { recursive: true });
      fs.writeFileSync(path.join(t.dir, 'dev', 'gone', 'old.k8s.yaml'), 'x: 1\n');
      expect(synthesize({ envs: ['dev'], outdir: t.dir }).ok).toBe(true);
      expect(fs.existsSync(path.join(t.dir, 'dev', 'gone'))).toBe(false);
    } finally {
      t.cleanup();
    }
  });

  describe('atomicity: a failed synth leaves the output untouched', () => {
    let before: Map<string, Buffer>;
    beforeAll(() => {
      before = readTree(out.dir);
    });
    const expectFailureLeavesDist = (charts: (config: EnvironmentConfig) => ChartFactory[], rule: string): void => {
      const r = synthesize({ envs: ENVIRONMENT_NAMES, outdir: out.dir, charts });
      expect(r.ok).toBe(false);
      expect(r.problems.map((p) => p.rule)).toContain(rule);
      expectSameTree(readTree(out.dir), before);
      expect(fs.readdirSync(path.dirname(out.dir)).filter((f) => f.startsWith(`.${path.basename(out.dir)}.new-`))).toEqual([]);
    };

    test('when a construct throws', () => {
      expectFailureLeavesDist(
        withExtraChart(() => {
          throw new Error('boom: invalid props');
        }),
        'construct.error',
      );
    });

    test('when an object fails the schema', () => {
      expectFailureLeavesDist(
        withExtraChart(
          (c) => new ApiObject(c, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'app-core' }, dataa: {} } as never),
        ),
        'schema.additional-properties',
      );
    });

    test('when a construct emits a privileged container', () => {
      const p = pod({
        securityContext: { privileged: true, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
      });
      expectFailureLeavesDist(
        withExtraChart((c) => new ApiObject(c, 'p', p as never)),
        'pss.privileged',
      );
    });

    test('when a container has no memory limit', () => {
      const p = pod({ resources: { requests: { cpu: '100m', memory: '128Mi' } } });
      expectFailureLeavesDist(
        withExtraChart((c) => new ApiObject(c, 'p', p as never)),
        'res.memory-limit',
      );
    });

    test('when a Service selects no pod', () => {
      const svc = {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 's', namespace: 'app-core', labels: LABELS },
        spec: { selector: { app: 'nobody' }, ports: [{ port: 80 }] },
      };
      expectFailureLeavesDist(
        withExtraChart((c) => new ApiObject(c, 's', svc as never)),
        'ref.service-selector',
      );
    });

    test('when a pod mounts a missing ConfigMap', () => {
      const p = pod({ volumeMounts: [{ name: 'cfg', mountPath: '/etc/app' }] }, { volumes: [{ name: 'cfg', configMap: { name: 'app-config' } }] });
      expectFailureLeavesDist(
        withExtraChart((c) => new ApiObject(c, 'p', p as never)),
        'ref.configmap-missing',
      );
    });
  });
});

describe('synth command line', () => {
  const synth = bundle('synth');

  test('writes the environments it is asked for and exits 0', () => {
    const t = tempOutdir('cli-');
    try {
      const r = run(synth, ['--env', 'dev', '--outdir', t.dir]);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/dist\/dev: 16 folders, \d+ objects/);
      expect(fs.readdirSync(t.dir)).toEqual(['dev']);
    } finally {
      t.cleanup();
    }
  });

  test('fails on bad flags with every problem listed, writing nothing', () => {
    const t = tempOutdir('cli-');
    try {
      const r = run(synth, ['--env', 'qa', '--bogus', '--outdir', t.dir, 'extra']);
      expect(r.status).toBe(2);
      expect(r.stderr).toContain('--env: flag.enum: unknown value "qa": allowed are dev, staging, prod, dr');
      expect(r.stderr).toContain('--bogus: flag.unknown');
      expect(r.stderr).toContain('flag.unexpected-argument');
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(fs.readdirSync(t.dir)).toEqual([]);
    } finally {
      t.cleanup();
    }
  });

  test('fails on a bad environment override with every error listed, and leaves the output unchanged', () => {
    const t = tempOutdir('cli-');
    const envs = tempDir('envs-');
    try {
      expect(run(synth, ['--outdir', t.dir]).status).toBe(0);
      const before = readTree(t.dir);
      for (const env of ENVIRONMENT_NAMES) {
        fs.copyFileSync(path.join(ROOT, 'environments', `${env}.yaml`), path.join(envs.dir, `${env}.yaml`));
      }
      fs.appendFileSync(path.join(envs.dir, 'prod.yaml'), 'apps:\n  replicas: "three"\ncloudProfile: openstack\n');
      const r = run(synth, ['--outdir', t.dir, '--config-dir', envs.dir]);
      expect(r.status).not.toBe(0);
      expect(r.stderr).toContain('apps.replicas: config.type: must be integer (value: "three")');
      expect(r.stderr).toContain('cloudProfile: config.enum: must be one of');
      expect(r.stderr).toContain('was left unchanged');
      expectSameTree(readTree(t.dir), before);
    } finally {
      t.cleanup();
      envs.cleanup();
    }
  });
});
