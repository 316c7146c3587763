import { KubeObject } from '../../../gate/manifest';
import { checkInClusterUrls, inClusterUrls } from '../../../gate/policy/in-cluster-urls';
import { Finding } from '../../../gate/policy/model';
import { DIST_ENVS, loadDistEnv, policyIndex } from '../../helpers/policy';
import { cronJob, namespace } from '../../helpers/objects';

/* eslint-disable @typescript-eslint/no-explicit-any */

function findings(objects: KubeObject[]): Finding[] {
  const out: Finding[] = [];
  checkInClusterUrls(policyIndex(objects), (f) => out.push(f));
  return out;
}

function policy(ns: string, name: string, spec: any): KubeObject {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace: ns }, spec };
}

const peer = (ns: string, labels: Record<string, string> = {}): any => ({
  namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ns } },
  podSelector: { matchLabels: labels },
});
const denyAll = (ns: string): KubeObject => policy(ns, 'default-deny', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
const egressToStore = policy('db', 'backup-egress', {
  podSelector: { matchLabels: { app: 'backup' } },
  policyTypes: ['Egress'],
  egress: [{ to: [peer('store')], ports: [{ protocol: 'TCP', port: 9000 }] }],
});
const ingressFromDb = policy('store', 'from-db', {
  podSelector: {},
  policyTypes: ['Ingress'],
  ingress: [{ from: [peer('db', { app: 'backup' })], ports: [{ protocol: 'TCP', port: 9000 }] }],
});

/** A backup CronJob in `db` writing to MinIO in `store`, which is not part of the set (no Service). */
function backupJob(endpoint = 'http://minio.store.svc:9000'): KubeObject {
  const job = cronJob('db', 'backup') as any;
  job.spec.jobTemplate.spec.template.spec.containers[0].env = [{ name: 'AWS_ENDPOINT', value: endpoint }];
  return job;
}

describe('net.in-cluster-url', () => {
  test('fails when the target namespace has no ingress allow (defect 4: db-postgres -> storage-minio 9000)', () => {
    const f = findings([namespace('db'), namespace('store'), denyAll('db'), denyAll('store'), egressToStore, backupJob()]);
    expect(f.map((x) => [x.rule, x.path])).toEqual([['net.in-cluster-url', 'spec.jobTemplate.spec.template.spec.containers[0].env[0].value']]);
    expect(f[0].message).toBe(
      'connects to http://minio.store.svc:9000 (namespace "store", TCP 9000), but no NetworkPolicy in "store" lets them in: add the allow with connections.allowFrom',
    );
  });

  test('fails when the source has no egress to the target, or only on another port', () => {
    const otherPort = policy('db', 'backup-egress', { ...(egressToStore.spec as any), egress: [{ to: [peer('store')], ports: [{ port: 9001 }] }] });
    for (const egress of [[], [otherPort]]) {
      const f = findings([namespace('db'), namespace('store'), denyAll('db'), denyAll('store'), ...egress, ingressFromDb, backupJob()]);
      expect(f.map((x) => x.message)).toEqual([expect.stringContaining('no egress NetworkPolicy in "db" lets these pods out to it')]);
    }
  });

  test('fails when the ingress allow admits other pods of the source namespace only', () => {
    const others = policy('store', 'from-db', { ...(ingressFromDb.spec as any), ingress: [{ from: [peer('db', { app: 'api' })] }] });
    expect(findings([namespace('db'), namespace('store'), denyAll('db'), denyAll('store'), egressToStore, others, backupJob()])).toHaveLength(1);
  });

  test('passes with both sides of the pair', () => {
    expect(findings([namespace('db'), namespace('store'), denyAll('db'), denyAll('store'), egressToStore, ingressFromDb, backupJob()])).toEqual([]);
  });

  test('finds URLs in ConfigMaps a pod mounts, and reports the mount', () => {
    const job = backupJob('s3') as any;
    job.spec.jobTemplate.spec.template.spec.volumes = [{ name: 'conf', configMap: { name: 'backup-conf' } }];
    const cm: KubeObject = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'backup-conf', namespace: 'db' },
      data: { 'patroni.yaml': 'restore_command: env AWS_ENDPOINT=https://minio.store.svc.cluster.local:9000 wal-g wal-fetch "%f" "%p"' },
    };
    const f = findings([namespace('db'), namespace('store'), denyAll('db'), denyAll('store'), egressToStore, cm, job]);
    expect(f.map((x) => x.path)).toEqual(['spec.jobTemplate.spec.template.spec.volumes[0].configMap.name']);
  });

  test('pods no policy isolates are open in that direction; system namespaces and default are not checked', () => {
    expect(findings([namespace('db'), namespace('store'), backupJob()])).toEqual([]);
    expect(findings([namespace('db'), denyAll('db'), backupJob('https://kubernetes.default.svc')])).toEqual([]);
  });
});

describe('the committed dist/', () => {
  test.each(DIST_ENVS)('%s: every backup target a pod writes to is allowed on both sides', (env) => {
    const objects = loadDistEnv(env);
    const urls = inClusterUrls(policyIndex(objects));
    // dev has no backups: MinIO's only client is its own setup Job; the others archive to MinIO
    // from the members and the backup Jobs.
    const minio = urls.filter((u) => u.namespace === 'storage-minio');
    const fromOutside = minio.filter((u) => u.pod.namespace !== 'storage-minio');
    if (env === 'dev') {
      expect(fromOutside).toEqual([]);
      expect(minio.map((u) => `${u.service}:${u.port}`)).toEqual(['minio:9000']);
    } else {
      expect(minio.length).toBeGreaterThanOrEqual(1);
      expect(new Set(minio.map((u) => `${u.service}:${u.port}`))).toEqual(new Set(['minio:9000']));
    }
    expect(findings(objects).map((f) => `${f.manifest.obj.kind}/${f.manifest.obj.metadata?.name} ${f.message}`)).toEqual([]);
  });
});
