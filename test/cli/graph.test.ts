import * as fs from 'fs';
import * as path from 'path';
import { KubeObject } from '../../gate/manifest';
import { main } from '../../cli/graph';
import { buildGraph, environmentReadme, formatBytes, formatCpu } from '../../synth/graph';
import { synthesize } from '../../synth/pipeline';
import { tempDir } from '../helpers/temp';
import { allow, allowDns, capture, cronJob, defaultDeny, deployment, namespace, pvc, service, statefulSet } from '../helpers/objects';

/**
 * Three namespaces, closed by default:
 * - app: `api` (2 replicas) may call `postgres` on 5432 (egress in app, ingress in db).
 * - db: `postgres` (3 replicas, 10Gi each) talks to itself on 5432 and 8008 (replication).
 * - batch: `worker` may send to postgres on 5432, but db's ingress does not admit it: no flow.
 * - open: `legacy`, in a namespace without any policy.
 */
function fixture(): KubeObject[] {
  const objs: KubeObject[] = [];
  for (const ns of ['app', 'db', 'batch']) {
    objs.push(namespace(ns), defaultDeny(ns), allowDns(ns));
  }
  objs.push(
    deployment('app', 'api', { replicas: 2, cpu: '250m', memory: '512Mi', cpuLimit: '1', memoryLimit: '1Gi' }),
    allow('Egress', 'app', 'api-to-postgres', { app: 'api' }, 'db', { app: 'postgres' }, [5432]),
    statefulSet('db', 'postgres', {
      replicas: 3,
      cpu: '1',
      memory: '4Gi',
      cpuLimit: '4',
      storage: '10Gi',
      ports: [
        { name: 'postgres', containerPort: 5432 },
        { name: 'patroni', containerPort: 8008 },
      ],
    }),
    service('db', 'postgres', { app: 'postgres' }, 5432),
    allow('Ingress', 'db', 'postgres-from-api', { app: 'postgres' }, 'app', { app: 'api' }, [5432]),
    allow('Ingress', 'db', 'postgres-replication-in', { app: 'postgres' }, 'db', { app: 'postgres' }, ['postgres', 'patroni']),
    allow('Egress', 'db', 'postgres-replication-out', { app: 'postgres' }, 'db', { app: 'postgres' }, [5432, 8008]),
    allow('Egress', 'db', 'postgres-backups', { app: 'postgres' }, 'storage-minio', { app: 'minio' }, [9000]),
    deployment('batch', 'worker', { cpu: '100m', memory: '128Mi' }),
    allow('Egress', 'batch', 'worker-to-postgres', { app: 'worker' }, 'db', { app: 'postgres' }, [5432]),
    pvc('batch', 'spool', '5Gi'),
    namespace('open'),
    deployment('open', 'legacy'),
    cronJob('batch', 'nightly'),
    // Namespaces without workloads yet: closed (clients) and open (tools); postgres admits both.
    namespace('clients'),
    defaultDeny('clients'),
    namespace('tools'),
    allow('Ingress', 'db', 'postgres-from-clients', { app: 'postgres' }, 'clients', {}, [5432]),
    allow('Ingress', 'db', 'postgres-from-tools', { app: 'postgres' }, 'tools', {}, [5432]),
  );
  return objs;
}

describe('buildGraph: flows from NetworkPolicies', () => {
  const g = buildGraph('prod', fixture());
  const flow = (from: string, to: string): string | undefined => g.flows.find((f) => f.from === from && f.to === to)?.ports;

  test('a flow needs the egress of the source and the ingress of the destination', () => {
    expect(flow('Deployment/app/api', 'StatefulSet/db/postgres')).toBe('TCP/5432');
  });

  test('replication between members of a StatefulSet, named ports resolved', () => {
    expect(flow('StatefulSet/db/postgres', 'StatefulSet/db/postgres')).toBe('TCP/5432, TCP/8008');
  });

  test('default deny means no flow: egress alone is not enough, and nothing flows back', () => {
    expect(flow('Deployment/batch/worker', 'StatefulSet/db/postgres')).toBeUndefined();
    expect(flow('StatefulSet/db/postgres', 'Deployment/app/api')).toBeUndefined();
    expect(flow('Deployment/app/api', 'Deployment/batch/worker')).toBeUndefined();
    expect(g.flows.filter((f) => f.to === 'Deployment/batch/worker')).toEqual([]);
  });

  test('endpoints outside the tree are checked on our side only', () => {
    expect(flow('Deployment/app/api', 'kube-system: k8s-app=kube-dns')).toBe('TCP/53, UDP/53');
    expect(flow('StatefulSet/db/postgres', 'storage-minio: app=minio')).toBe('TCP/9000');
    expect(g.flows.find((f) => f.to === 'storage-minio: app=minio')?.external).toBe(true);
  });

  test('a peer namespace without workloads: its own policies decide, else the flow is half open', () => {
    expect(g.halfOpen).toEqual([{ from: 'clients: all pods', to: 'StatefulSet/db/postgres', ports: 'TCP/5432', external: false }]);
    expect(flow('clients: all pods', 'StatefulSet/db/postgres')).toBeUndefined();
    expect(flow('tools: all pods', 'StatefulSet/db/postgres')).toBe('TCP/5432');
    expect(environmentReadme('prod', fixture())).toContain('| tools: all pods | StatefulSet/db/postgres | TCP/5432 (no pods there yet) |');
  });

  test('IP blocks and expression selectors are described, and pipes cannot break the table', () => {
    const extra: KubeObject = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'api-egress-extra', namespace: 'app' },
      spec: {
        podSelector: { matchLabels: { app: 'api' } },
        policyTypes: ['Egress'],
        egress: [
          { to: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } }], ports: [{ protocol: 'TCP', port: 6443 }] },
          {
            to: [{ namespaceSelector: { matchExpressions: [{ key: 'team', operator: 'In', values: ['a|b', 'c'] }] } }],
            ports: [{ protocol: 'TCP', port: 8080 }],
          },
        ],
      },
    };
    const g2 = buildGraph('prod', [...fixture(), extra]);
    expect(g2.flows.find((f) => f.to === 'ipBlock 10.0.0.0/8 except 10.1.0.0/16')?.ports).toBe('TCP/6443');
    expect(g2.flows.find((f) => f.to === 'namespaces team In (a|b c): all pods')?.ports).toBe('TCP/8080');
    expect(environmentReadme('prod', [...fixture(), extra])).toContain('| Deployment/app/api | namespaces team In (a\\|b c): all pods | TCP/8080');
  });

  test('a namespace without policies is open both ways', () => {
    expect(flow('Deployment/open/legacy', 'anywhere')).toBe('any');
    expect(flow('anywhere', 'Deployment/open/legacy')).toBe('any');
    // legacy may send anywhere, but postgres only admits api and itself.
    expect(flow('Deployment/open/legacy', 'StatefulSet/db/postgres')).toBeUndefined();
    expect(g.policies.find((p) => p.namespace === 'open')).toEqual({ namespace: 'open', denyIngress: false, denyEgress: false, allows: [] });
  });
});

describe('environmentReadme', () => {
  const readme = environmentReadme('prod', fixture());

  test('has Mermaid diagrams of components and flows', () => {
    expect(readme.match(/```mermaid/g)).toHaveLength(2);
    expect(readme).toContain('[("StatefulSet postgres<br/>replicas: 3")]');
    expect(readme).toMatch(/-->\|"TCP\/5432"\|/);
    expect(readme).toContain('| Deployment/app/api | StatefulSet/db/postgres | TCP/5432 |');
    expect(readme).not.toContain('| Deployment/batch/worker | StatefulSet/db/postgres |');
    expect(readme).toContain('**Any flow not listed is denied.**');
    expect(readme).toContain('**Without default deny**: `open`, `tools`.');
    expect(readme).toMatch(/-\.->\|"TCP\/5432, half open"\|/);
  });

  test('the capacity table multiplies by replicas and adds up per namespace', () => {
    // postgres: 3 x (1 cpu, 4 cpu limit, 4Gi, 10Gi of storage).
    expect(readme).toContain('| db | StatefulSet postgres | 3 | 3 | 12 | 12Gi | 12Gi | 30Gi |');
    // api: 2 x (250m, limit 1, 512Mi, limit 1Gi).
    expect(readme).toContain('| app | Deployment api | 2 | 500m | 2 | 1Gi | 2Gi | 0 |');
    // worker has no cpu limit: the total is marked as a lower bound; the claim counts once.
    expect(readme).toContain('| batch | Deployment worker | 1 | 100m | 0+ | 128Mi | 128Mi | 0 |');
    expect(readme).toContain('| batch | CronJob nightly (runs to completion: not in totals) | 1 | 250m |');
    expect(readme).toContain('| batch | PersistentVolumeClaim spool | - | 0 | 0 | 0 | 0 | 5Gi |');
    expect(readme).toContain('| **batch** | **total** | **1** | **100m** | **0+** | **128Mi** | **128Mi** | **5Gi** |');
    // 2 + 3 + 1 + 1 pods; 0.5 + 3 + 0.1 + 0.25 cpu; storage 30 + 5 Gi.
    expect(readme).toContain('| **prod** | **environment total** | **7** | **3.85** |');
    expect(readme).toMatch(/\*\*35Gi\*\* \|\n$/);
  });

  test('is deterministic: the order of the objects does not matter', () => {
    expect(environmentReadme('prod', [...fixture()].reverse())).toBe(readme);
  });

  test('a tree too big for one picture is drawn per namespace, every diagram small enough for GitHub', () => {
    const objs: KubeObject[] = [namespace('db'), statefulSet('db', 'postgres', { replicas: 3 })];
    for (let i = 0; i < 300; i++) {
      const ns = `tenant-${String(i).padStart(3, '0')}`;
      objs.push(namespace(ns), defaultDeny(ns), deployment(ns, 'web'), deployment(ns, 'worker'), service(ns, 'web', { app: 'web' }, 8080));
      objs.push(allow('Egress', ns, 'to-db', {}, 'db', { app: 'postgres' }, [5432]));
      objs.push(allow('Ingress', 'db', `from-${ns}`, { app: 'postgres' }, ns, {}, [5432]));
    }
    const big = environmentReadme('prod', objs);
    expect(big).toContain('Too many workloads for one diagram: one node per namespace');
    expect(big).toContain('Too many workloads for one diagram: flows between namespaces, ports merged.');
    for (const block of big.match(/```mermaid[\s\S]*?```/g) ?? []) {
      expect(block.length).toBeLessThanOrEqual(40_000);
      expect(block.split('\n').filter((l) => / -\.?->/.test(l)).length).toBeLessThanOrEqual(450);
    }
    // The tables still list every flow.
    expect(big).toContain('| Deployment/tenant-299/worker | StatefulSet/db/postgres | TCP/5432 |');
  });

  test('formats quantities', () => {
    expect([formatCpu(0.25), formatCpu(1.5), formatCpu(3)]).toEqual(['250m', '1.5', '3']);
    expect([formatBytes(512 * 1024 ** 2), formatBytes(1.5 * 1024 ** 3)]).toEqual(['512Mi', '1.5Gi']);
  });
});

describe('npm run graph and npm run synth', () => {
  let t: ReturnType<typeof tempDir>;
  beforeEach(() => {
    t = tempDir('review-graph-');
  });
  afterEach(() => t.cleanup());

  test('synth writes dist/<env>/README.md, and npm run graph writes the same bytes', () => {
    const dist = path.join(t.dir, 'dist');
    expect(synthesize({ envs: ['prod', 'dr'], outdir: dist }).ok).toBe(true);
    const written = fs.readFileSync(path.join(dist, 'prod', 'README.md'), 'utf8');
    expect(written).toContain('# Environment `prod`');
    expect(written).toContain('```mermaid');
    fs.rmSync(path.join(dist, 'prod', 'README.md'));
    const out = capture();
    expect(main(['--env', 'prod', '--dist', dist], out.print, out.print)).toBe(0);
    expect(fs.readFileSync(path.join(dist, 'prod', 'README.md'), 'utf8')).toBe(written);
  });

  test('fails when the environment was never synthesized or is unknown', () => {
    const err = capture();
    expect(main(['--env', 'qa'], err.print, err.print)).toBe(2);
    expect(err.text()).toContain('unknown value "qa"');
    const err2 = capture();
    expect(main(['--env', 'dev', '--dist', t.dir], err2.print, err2.print)).toBe(2);
    expect(err2.text()).toContain('run npm run synth first');
  });
});
