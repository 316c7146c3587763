import { KubeObject } from '../../../gate/manifest';
import { ManifestIndex, PodTemplate } from '../../../gate/policy/model';
import { isolating, peerAdmits, portsAdmit } from '../../../gate/policy/netpol-match';
import { loadTenants, tenantsOf } from '../../../environments/tenants';
import { EnvironmentName } from '../../../environments/types';
import { DIST_ENVS, loadDistEnv, policyIndex } from '../../helpers/policy';

/* eslint-disable @typescript-eslint/no-explicit-any */

/**
 * Tenant isolation, by evaluating the committed NetworkPolicies for pairs of pods: a connection
 * is allowed only when the source's egress and the target's ingress both admit it (or a side has
 * no policy selecting the pod). Tenant namespaces hold no pods in dist, so each test adds a
 * workload like the ones a tenant runs (any labels, port 8080).
 */

function workload(namespace: string, name: string, port: number): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace },
    spec: {
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name, image: 'x:1', ports: [{ containerPort: port }] }] } },
    },
  } as KubeObject;
}

function side(index: ManifestIndex, from: PodTemplate, to: PodTemplate, port: number, direction: 'Egress' | 'Ingress'): boolean {
  const [self, other] = direction === 'Egress' ? [from, to] : [to, from];
  const specs = isolating(index, self.namespace!, direction, [self]);
  if (specs.length === 0) {
    return true;
  }
  const key = direction === 'Egress' ? 'egress' : 'ingress';
  const peersKey = direction === 'Egress' ? 'to' : 'from';
  return specs.some((s: any) =>
    (s[key] ?? []).some(
      (r: any) =>
        portsAdmit(r.ports, port, [to]) &&
        (r[peersKey] === undefined || r[peersKey].some((p: any) => peerAdmits(index, p, self.namespace!, other.namespace!, [other]))),
    ),
  );
}

function allowed(index: ManifestIndex, from: PodTemplate, to: PodTemplate, port: number): { egress: boolean; ingress: boolean } {
  return { egress: side(index, from, to, port, 'Egress'), ingress: side(index, from, to, port, 'Ingress') };
}

const { tenants } = loadTenants();

describe.each(DIST_ENVS)('%s: tenant NetworkPolicies, evaluated pair by pair', (env) => {
  const mine = tenantsOf(env as EnvironmentName, tenants);
  const [a, b] = mine.map((t) => `tenant-${t.id}`);
  const objects = [...loadDistEnv(env), workload(a, 'tenant-app', 8080), ...(b ? [workload(b, 'tenant-app', 8080)] : [])];
  const index = policyIndex(objects);
  const pod = (ns: string, match: (p: PodTemplate) => boolean): PodTemplate => {
    const found = index.podsIn(ns).find(match);
    if (!found) throw new Error(`no pod in ${ns}`);
    return found;
  };
  const tenantPod = (ns: string): PodTemplate => pod(ns, (p) => p.labels.app === 'tenant-app');
  const pooler = (): PodTemplate => pod('db-postgres', (p) => p.labels['app.kubernetes.io/component'] === 'pooler');

  test('the environment runs at least two tenants (the pairs below need them)', () => {
    expect(mine.length).toBeGreaterThanOrEqual(2);
  });

  test('tenant A -> tenant B is denied on both sides', () => {
    expect(allowed(index, tenantPod(a), tenantPod(b), 8080)).toEqual({ egress: false, ingress: false });
    expect(allowed(index, tenantPod(b), tenantPod(a), 8080)).toEqual({ egress: false, ingress: false });
  });

  test('tenant -> PgBouncer on 5432 is allowed on both sides; the database pods and Redis are not', () => {
    expect(allowed(index, tenantPod(a), pooler(), 5432)).toEqual({ egress: true, ingress: true });
    const member = pod('db-postgres', (p) => p.labels['app.kubernetes.io/component'] === 'database');
    expect(allowed(index, tenantPod(a), member, 5432).egress).toBe(false);
    const redis = index.podsIn('db-redis')[0];
    expect(allowed(index, tenantPod(a), redis, 6379).egress).toBe(false);
  });

  test('tenant -> MinIO on 9000 is allowed on both sides', () => {
    const minio = pod('storage-minio', (p) => p.labels['app.kubernetes.io/component'] === 'server');
    expect(allowed(index, tenantPod(a), minio, 9000)).toEqual({ egress: true, ingress: true });
  });

  test('the ingress controllers -> a tenant pod on 8080 is allowed on both sides; app-core -> a tenant pod is not', () => {
    const controller = workload('ingress', 'controller', 8000);
    const withController = policyIndex([...objects, controller]);
    const c = withController.podsIn('ingress').find((p) => p.labels.app === 'controller')!;
    const t = withController.podsIn(a).find((p) => p.labels.app === 'tenant-app')!;
    expect(allowed(withController, c, t, 8080)).toEqual({ egress: true, ingress: true });
    const core = index.podsIn('app-core')[0];
    expect(allowed(index, core, tenantPod(a), 8080)).toEqual({ egress: false, ingress: false });
  });
});
