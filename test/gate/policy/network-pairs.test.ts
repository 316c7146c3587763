import { KubeObject } from '../../../gate/manifest';
import { Finding } from '../../../gate/policy/model';
import { checkEgressAnswered, egressFlows, ingressAdmits } from '../../../gate/policy/network-pairs';
import { DIST_ENVS, loadDistEnv, policyIndex } from '../../helpers/policy';
import { allow, cronJob, defaultDeny, deployment, namespace, statefulSet } from '../../helpers/objects';

/* eslint-disable @typescript-eslint/no-explicit-any */

function findings(objects: KubeObject[]): Finding[] {
  const out: Finding[] = [];
  checkEgressAnswered(policyIndex(objects), (f) => out.push(f));
  return out;
}

const pg = [{ name: 'postgres', containerPort: 5432 }];
/** An API in `app` that may leave for Postgres in `db`, both namespaces closed by default. */
const base = (): KubeObject[] => [
  namespace('app'),
  namespace('db'),
  defaultDeny('app'),
  defaultDeny('db'),
  deployment('app', 'api'),
  statefulSet('db', 'postgres', { ports: pg }),
  allow('Egress', 'app', 'api-to-postgres', { app: 'api' }, 'db', { app: 'postgres' }, [5432]),
];

describe('net.egress-unanswered', () => {
  test('fails when the server namespace has no ingress allow for the client', () => {
    const f = findings(base());
    expect(f.map((x) => [x.rule, x.manifest.obj.metadata?.name, x.path])).toEqual([
      ['net.egress-unanswered', 'api-to-postgres', 'spec.egress[0].to[0] ports[0]'],
    ]);
    expect(f[0].message).toBe(
      'lets app/api out to db/postgres:5432 (port 5432), but no ingress NetworkPolicy there lets them in: the default-deny drops the connection (add the allow with connections.allowFrom)',
    );
  });

  test('passes when the server admits the client namespace on the port', () => {
    expect(findings([...base(), allow('Ingress', 'db', 'from-app', { app: 'postgres' }, 'app', {}, [5432])])).toEqual([]);
  });

  test('fails when the ingress allow is for another port, another namespace or other client pods', () => {
    for (const wrong of [
      allow('Ingress', 'db', 'from-app', { app: 'postgres' }, 'app', {}, [6432]),
      allow('Ingress', 'db', 'from-app', { app: 'postgres' }, 'other', {}, [5432]),
      allow('Ingress', 'db', 'from-app', { app: 'postgres' }, 'app', { app: 'worker' }, [5432]),
    ]) {
      expect(findings([...base(), namespace('other'), wrong]).map((x) => x.rule)).toEqual(['net.egress-unanswered']);
    }
  });

  test('resolves a named port on the server pods', () => {
    const named = allow('Egress', 'app', 'api-to-postgres', { app: 'api' }, 'db', { app: 'postgres' }, ['postgres']);
    const objects = [...base().slice(0, -1), named];
    expect(findings(objects).map((x) => x.message)).toEqual([expect.stringContaining('db/postgres:5432 (port "postgres")')]);
    expect(findings([...objects, allow('Ingress', 'db', 'from-app', { app: 'postgres' }, 'app', {}, [5432])])).toEqual([]);
  });

  test('does not follow Jobs sharing the server labels, namespaces outside the set, or servers no ingress policy isolates', () => {
    const setupJob = cronJob('db', 'postgres-setup') as any;
    setupJob.spec.jobTemplate.spec.template.metadata.labels = { app: 'postgres' };
    const onlyJob = [...base().filter((o) => o.kind !== 'StatefulSet'), setupJob];
    expect(findings(onlyJob)).toEqual([]);
    const outside = [...base().filter((o) => o.metadata?.name !== 'db'), allow('Egress', 'app', 'to-ext', { app: 'api' }, 'ext', {}, [443])];
    expect(findings(outside.filter((o) => !(o.kind === 'NetworkPolicy' && o.metadata?.namespace === 'db')))).toEqual([]);
  });
});

describe('the committed dist/', () => {
  test.each(DIST_ENVS)('%s: every egress allow to a pod of the platform is answered by an ingress allow', (env) => {
    const idx = policyIndex(loadDistEnv(env));
    const flows = egressFlows(idx).flatMap((e) => e.flows.map((f) => ({ ...f, answered: ingressAdmits(idx, f) })));
    const key = (f: (typeof flows)[number]): string =>
      `${f.from.namespace}/${f.from.manifest.obj.metadata?.name} -> ${f.to.namespace}/${f.to.manifest.obj.metadata?.name}:${f.port}`;
    // The rule follows the application's connections, not only the data services' own traffic.
    const keys = new Set(flows.map(key));
    expect(keys).toContain('app-core/auth -> db-redis/redis:6379');
    expect([...keys].some((k) => /^app-core\/invoice-processing -> app-integration\/kafka.*:9092$/.test(k))).toBe(true);
    expect([...keys].some((k) => /^app-core\/user-management -> db-postgres\//.test(k))).toBe(true);
    expect(flows.filter((f) => !f.answered).map(key)).toEqual([]);
  });
});
