/* eslint-disable @typescript-eslint/no-explicit-any */
import { Chart, Testing } from 'cdk8s';
import { MinioDistributed, MinioDistributedProps } from '../../../constructs/minio-distributed';
import { PlatformNamespace } from '../../../constructs/platform-namespace';
import { runGate } from '../../../gate/gate';
import { SchemaRegistry } from '../../../gate/schema';
import { errorOf } from '../../helpers/errors';
import { expectAlerts } from '../../helpers/alerts';

const NS = 'storage-minio';
const IMAGE = 'harbor.example.com/minio/minio:RELEASE.2024-12-18T13-15-44Z';
const MC = 'harbor.example.com/minio/mc:RELEASE.2024-11-21T17-21-54Z';
const MONITORING = { peerNamespace: 'monitoring', peerSelector: {} };
const BASE: MinioDistributedProps = {
  name: 'minio',
  namespace: NS,
  image: IMAGE,
  mcImage: MC,
  secretStore: { name: 'platform-secrets' },
  monitoring: { scrapers: [MONITORING] },
  tls: { enabled: false },
};

function build(props: Partial<MinioDistributedProps> = {}): { chart: Chart; minio: MinioDistributed } {
  const chart = new Chart(Testing.app(), 'test', { disableResourceNameHashes: true });
  const minio = new MinioDistributed(chart, 'Minio', { ...BASE, ...props });
  return { chart, minio };
}
const find = (objects: any[], kind: string, name: string): any => objects.find((o) => o.kind === kind && o.metadata.name === name);
const all = (objects: any[], kind: string): any[] => objects.filter((o) => o.kind === kind);
const server = (objects: any[], sts = 'minio'): any => find(objects, 'StatefulSet', sts).spec.template.spec.containers[0];
const FLAGS = ['server', '--address', ':9000', '--console-address', ':9001'];

describe('MinioDistributed', () => {
  describe('defaults: 4 pods x 1 drive, EC:2', () => {
    const { chart, minio } = build();
    minio.allowFrom({ peerNamespace: 'db-postgres', peerSelector: {} });
    const objects = Testing.synth(chart);

    test('one StatefulSet started in parallel under the headless Service, one PVC per pod', () => {
      const sts = find(objects, 'StatefulSet', 'minio');
      expect(sts.spec).toMatchObject({ replicas: 4, podManagementPolicy: 'Parallel', serviceName: 'minio-hl' });
      expect(sts.spec.volumeClaimTemplates.map((v: any) => [v.metadata.name, v.spec.resources.requests.storage])).toEqual([['data0', '10Gi']]);
      expect(find(objects, 'Service', 'minio-hl').spec).toMatchObject({ clusterIP: 'None', publishNotReadyAddresses: true });
      expect(find(objects, 'Service', 'minio').spec.ports.map((p: any) => p.port)).toEqual([9000, 9001]);
    });

    test('the server command lists every pod with the ellipsis syntax; parity EC:2', () => {
      const c = server(objects);
      expect(c.command).toEqual(['minio']);
      expect(c.args).toEqual([...FLAGS, 'http://minio-{0...3}.minio-hl.storage-minio.svc.cluster.local/data0']);
      expect(c.env.find((e: any) => e.name === 'MINIO_STORAGE_CLASS_STANDARD').value).toBe('EC:2');
      expect(minio.pools[0]).toMatchObject({ setSize: 4, writeQuorum: 3, maxUnavailable: 1 });
    });

    test('root credentials from an ExternalSecret, read through secretKeyRef', () => {
      const es = find(objects, 'ExternalSecret', 'minio-root');
      expect(es.spec.data.map((d: any) => [d.secretKey, d.remoteRef.key, d.remoteRef.property])).toEqual([
        ['root-user', 'minio/storage-minio/minio', 'root-user'],
        ['root-password', 'minio/storage-minio/minio', 'root-password'],
      ]);
      const env = server(objects).env;
      expect(env.find((e: any) => e.name === 'MINIO_ROOT_PASSWORD').valueFrom.secretKeyRef).toEqual({ name: 'minio-root', key: 'root-password' });
    });

    test('liveness and readiness use the MinIO health endpoints on the API port', () => {
      const c = server(objects);
      expect(c.livenessProbe.httpGet).toEqual({ path: '/minio/health/live', port: 'api', scheme: 'HTTP' });
      expect(c.readinessProbe.httpGet).toEqual({ path: '/minio/health/ready', port: 'api', scheme: 'HTTP' });
    });

    test('the PDB keeps write quorum: 1 of 4 pods down (3 of 4 drives = quorum)', () => {
      const pdb = find(objects, 'PodDisruptionBudget', 'minio');
      expect(pdb.spec.maxUnavailable).toBe(1);
      expect(pdb.spec.selector.matchLabels).toEqual(find(objects, 'StatefulSet', 'minio').spec.selector.matchLabels);
    });

    test('pods on distinct nodes, PSS restricted, read-only root', () => {
      const spec = find(objects, 'StatefulSet', 'minio').spec.template.spec;
      expect(spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution).toHaveLength(1);
      expect(spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000, fsGroup: 1000 });
      expect(server(objects).securityContext).toMatchObject({ readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    });

    test('ServiceMonitor on metrics v3 with a bearer token from the store', () => {
      const sm = all(objects, 'ServiceMonitor')[0];
      expect(sm.spec.endpoints[0]).toMatchObject({
        path: '/minio/metrics/v3',
        port: 'metrics',
        authorization: { type: 'Bearer', credentials: { name: 'minio-metrics-token', key: 'prometheus-token' } },
      });
      expect(find(objects, 'ExternalSecret', 'minio-metrics-token').spec.data[0].remoteRef).toEqual({
        key: 'minio/storage-minio/minio-metrics',
        property: 'prometheus-token',
      });
    });

    test('allowFrom writes minio-from-<namespace> on the S3 port; servers admit each other', () => {
      expect(find(objects, 'NetworkPolicy', 'minio-from-db-postgres').spec.ingress[0].ports).toEqual([{ protocol: 'TCP', port: 9000 }]);
      expect(find(objects, 'NetworkPolicy', 'minio-members').spec.ingress[0].ports).toEqual([{ protocol: 'TCP', port: 9000 }]);
      expect(minio.connection).toMatchObject({ host: 'minio.storage-minio.svc', port: 9000, uri: 'http://minio.storage-minio.svc:9000' });
    });
  });

  test('4 pods x 4 drives: one set of 16, EC:4, 4 PVCs mounted at /data0-3, PDB 1', () => {
    const { chart, minio } = build({ drivesPerPod: 4 });
    const objects = Testing.synth(chart);
    expect(server(objects).args.at(-1)).toBe('http://minio-{0...3}.minio-hl.storage-minio.svc.cluster.local/data{0...3}');
    expect(
      server(objects)
        .volumeMounts.filter((m: any) => m.name.startsWith('data'))
        .map((m: any) => m.mountPath),
    ).toEqual(['/data0', '/data1', '/data2', '/data3']);
    expect(find(objects, 'StatefulSet', 'minio').spec.volumeClaimTemplates).toHaveLength(4);
    expect(minio.parity).toBe(4);
    expect(find(objects, 'PodDisruptionBudget', 'minio').spec.maxUnavailable).toBe(1);
  });

  test('16 pods x 1 drive: the PDB lets 4 pods go (12 of 16 drives = write quorum)', () => {
    const objects = Testing.synth(build({ replicas: 16 }).chart);
    expect(find(objects, 'PodDisruptionBudget', 'minio').spec.maxUnavailable).toBe(4);
  });

  test('one pod x 4 drives (development): the local form, no PDB', () => {
    const objects = Testing.synth(build({ replicas: 1, drivesPerPod: 4 }).chart);
    expect(server(objects).args).toEqual([...FLAGS, '/data{0...3}']);
    expect(all(objects, 'PodDisruptionBudget')).toEqual([]);
  });

  test('addPool appends its ellipsis argument to every server and adds its StatefulSet and PDB', () => {
    const { chart, minio } = build({ drivesPerPod: 2 });
    const pool = minio.addPool({ replicas: 8, drivesPerPod: 2, size: '50Gi' });
    const objects = Testing.synth(chart);
    const pools = [
      'http://minio-{0...3}.minio-hl.storage-minio.svc.cluster.local/data{0...1}',
      'http://minio-pool-1-{0...7}.minio-hl.storage-minio.svc.cluster.local/data{0...1}',
    ];
    expect(server(objects).args).toEqual([...FLAGS, ...pools]);
    expect(server(objects, 'minio-pool-1').args).toEqual([...FLAGS, ...pools]);
    // 8 pods x 2 drives: one set of 16 holding 2 drives of each pod; EC:4 (the first pool's sets of 8) gives
    // write quorum 12, so two pods (4 drives) may be down.
    expect(pool).toMatchObject({ setSize: 16, writeQuorum: 12, maxUnavailable: 2 });
    expect(find(objects, 'StatefulSet', 'minio-pool-1').spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe('50Gi');
    expect(find(objects, 'PodDisruptionBudget', 'minio-pool-1').spec.selector.matchLabels['receivables.io/pool']).toBe('1');
  });

  test("an added pool's drives default to the construct's storage.size", () => {
    const { chart, minio } = build({ storage: { size: '40Gi' } });
    expect(minio.addPool({ replicas: 4 }).sizeGi).toBe(40);
    const sts = find(Testing.synth(chart), 'StatefulSet', 'minio-pool-1');
    expect(sts.spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe('40Gi');
  });

  test('TLS: https endpoints, --certs-dir with MinIO file names, HTTPS probes, certificate for every server', () => {
    const objects = Testing.synth(build({ tls: {} }).chart);
    const c = server(objects);
    expect(c.args).toEqual([...FLAGS, '--certs-dir', '/etc/minio/certs', 'https://minio-{0...3}.minio-hl.storage-minio.svc.cluster.local/data0']);
    expect(c.readinessProbe.httpGet.scheme).toBe('HTTPS');
    const volume = find(objects, 'StatefulSet', 'minio').spec.template.spec.volumes.find((v: any) => v.name === 'certs');
    expect(volume.secret.items.map((i: any) => i.path)).toEqual(['public.crt', 'private.key', 'CAs/ca.crt']);
    expect(find(objects, 'Certificate', 'minio-tls').spec.dnsNames).toContain('*.minio-hl.storage-minio.svc.cluster.local');
    expect(all(objects, 'ServiceMonitor')[0].spec.endpoints[0].scheme).toBe('https');
  });

  describe('bad props', () => {
    test('fails when the drives are fewer than 4 (3 pods x 1 drive)', () => {
      const e = errorOf(() => build({ replicas: 3 }));
      expect(e.message).toBe(
        'test/Minio: drivesPerPod: replicas x drivesPerPod (3 x 1 = 3 drives): must give at least 4 drives for erasure coding (got 1)',
      );
    });

    test('fails when the parity is more than half the set', () => {
      const e = errorOf(() => build({ parity: 3 }));
      expect(e.problems).toEqual([
        { field: 'parity', rule: 'must be an integer from 1 to 2: half the erasure set of 4 drives (MinIO validateParity)', value: 3 },
      ]);
    });

    test('fails when MinIO finds no erasure set (17 pods)', () => {
      expect(errorOf(() => build({ replicas: 17 })).problems[0].rule).toContain('no erasure set size of 2-16 drives');
    });

    test('fails when one pod down breaks write quorum (2 pods x 2 drives)', () => {
      const e = errorOf(() => build({ replicas: 2, drivesPerPod: 2 }));
      expect(e.problems).toEqual([
        {
          field: 'replicas',
          rule: '2 pods x 2 drives (sets of 4, parity 2, write quorum 3): one pod down leaves a set without write quorum; use more pods, fewer drives per pod, or 1 pod for development',
          value: 2,
        },
      ]);
    });

    test('fails with every problem at once, each naming path, field, rule and value', () => {
      const e = errorOf(() => build({ name: 'Bad_Name', image: 'minio/minio:latest', mcImage: '', drivesPerPod: 0, tls: { duration: 'soon' } }));
      expect(e.constructPath).toBe('test/Minio');
      expect(e.problems.map((p) => p.field)).toEqual(['name', 'image', 'mcImage', 'drivesPerPod', 'tls.duration']);
      expect(e.message.split('\n')[1]).toBe(
        'test/Minio: image: must be pinned by a tag other than "latest" or by a digest (got "minio/minio:latest")',
      );
    });

    test('fails when an added pool cannot hold the parity, or is a single pod', () => {
      const { minio } = build({ drivesPerPod: 4 }); // sets of 16, EC:4
      expect(errorOf(() => minio.addPool({ replicas: 4 })).problems).toEqual([
        { field: 'parity', rule: 'must be an integer from 1 to 2: half the erasure set of 4 drives of pools[1] (MinIO validateParity)', value: 4 },
      ]);
      expect(errorOf(() => minio.addPool({ replicas: 1, drivesPerPod: 8 })).problems.map((p) => p.field)).toEqual(['pools[1].replicas']);
      expect(minio.pools).toHaveLength(1);
    });
  });

  test('emits only objects that pass the gate (TLS on, buckets, users, a second pool)', () => {
    const chart = new Chart(Testing.app(), 'test', { disableResourceNameHashes: true });
    for (const ns of [NS, 'monitoring', 'db-postgres']) {
      new PlatformNamespace(chart, `Ns-${ns}`, { name: ns });
    }
    const minio = new MinioDistributed(chart, 'Minio', { ...BASE, tls: {}, drivesPerPod: 2 });
    minio.addPool({ replicas: 4, drivesPerPod: 2 });
    minio.addBucket({ name: 'invoices', objectLock: true });
    minio.addPolicy({ name: 'rw', statements: [{ actions: ['s3:*'], resources: ['arn:aws:s3:::invoices/*'] }] });
    minio.addUser({ name: 'app', credentialsRemoteKey: 'prod/app/s3', policies: ['rw'] });
    minio.allowFrom({ peerNamespace: 'db-postgres', peerSelector: {} });
    const result = runGate(
      Testing.synth(chart).map((obj) => ({ file: 'test.yaml', obj })),
      { registry: SchemaRegistry.default() },
    );
    expect(result.problems.filter((p) => p.severity === 'error').map((p) => `${p.object} ${p.path}: ${p.rule}: ${p.message}`)).toEqual([]);
  });
});

test('snapshot: the objects of the default deployment', () => {
  expect(Testing.synth(build().chart).map((o: any) => `${o.kind}/${o.metadata.name}`)).toMatchSnapshot();
});

describe('MinioDistributed alerts', () => {
  test('a PrometheusRule with drive offline and write-quorum alerts on metrics v3', () => {
    const objects = Testing.synth(build().chart);
    expectAlerts(objects, 'minio', NS, [
      'MinioDriveOffline',
      'MinioWriteQuorumAtRisk',
      'MinioWriteQuorumLost',
      'MetricsTargetDown',
      'PodCrashLooping',
      'PersistentVolumeAlmostFull',
    ]);
  });
});
