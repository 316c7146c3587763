/* eslint-disable @typescript-eslint/no-explicit-any */
import { Chart, Size, Testing } from 'cdk8s';
import * as YAML from 'yaml';
import { ElasticsearchCluster, ElasticsearchClusterProps } from '../../../constructs/elasticsearch-cluster';
import { PlatformNamespace } from '../../../constructs/platform-namespace';
import { Resources } from '../../../constructs/lib/resources';
import { runGate } from '../../../gate/gate';
import { SchemaRegistry } from '../../../gate/schema';
import { errorOf } from '../../helpers/errors';
import { expectAlerts } from '../../helpers/alerts';

const NS = 'db-elasticsearch';
const IMAGE = 'harbor.example.com/library/elasticsearch:8.15.3';
const EXPORTER = 'harbor.example.com/prometheuscommunity/elasticsearch-exporter:v1.7.0';
const MINIO = { peerNamespace: 'storage-minio', peerSelector: {} };
const MONITORING = { peerNamespace: 'monitoring', peerSelector: {} };
const BASE: ElasticsearchClusterProps = {
  name: 'es',
  namespace: NS,
  image: IMAGE,
  monitoring: { exporterImage: EXPORTER, scrapers: [MONITORING] },
  secretStore: { name: 'platform-secrets' },
};
const SNAPSHOT = {
  endpoint: 'http://minio.storage-minio.svc:9000',
  bucket: 'backups',
  basePath: 'prod/elasticsearch',
  credentialsRemoteKey: 'prod/es/s3',
  networkPeer: MINIO,
};
const LOGS = { name: 'logs', indexPatterns: ['logs-*'], deleteAfterDays: 30 };

function synth(props: Partial<ElasticsearchClusterProps> = {}): { objects: any[]; es: ElasticsearchCluster; chart: Chart } {
  const chart = new Chart(Testing.app(), 'test', { disableResourceNameHashes: true });
  const es = new ElasticsearchCluster(chart, 'Es', { ...BASE, ...props });
  es.allowFrom({ peerNamespace: 'app-core', peerSelector: {} });
  return { objects: Testing.synth(chart), es, chart };
}
const find = (objects: any[], kind: string, name: string): any => objects.find((o) => o.kind === kind && o.metadata.name === name);
const all = (objects: any[], kind: string): any[] => objects.filter((o) => o.kind === kind);
const container = (objects: any[], sts: string, name = 'elasticsearch'): any =>
  find(objects, 'StatefulSet', sts).spec.template.spec.containers.find((c: any) => c.name === name);
const yml = (objects: any[], set: string): any => YAML.parse(find(objects, 'ConfigMap', 'es-files').data[`elasticsearch-${set}.yml`]);
const matches = (selector: Record<string, string>, labels: Record<string, string>): boolean =>
  Object.entries(selector).every(([k, v]) => labels[k] === v);

describe('ElasticsearchCluster', () => {
  describe('defaults: 3 masters, 2 data, 2 coordinating', () => {
    const { objects, es } = synth({ snapshot: SNAPSHOT, ilmPolicies: [LOGS] });

    test('one StatefulSet per role with its node.roles and count', () => {
      const sets = all(objects, 'StatefulSet').map((s) => [s.metadata.name, s.spec.replicas, s.spec.podManagementPolicy]);
      expect(sets).toEqual([
        ['es-master', 3, 'Parallel'],
        ['es-data', 2, 'Parallel'],
        ['es-coordinating', 2, 'Parallel'],
      ]);
      expect(yml(objects, 'master')['node.roles']).toEqual(['master']);
      expect(yml(objects, 'data')['node.roles']).toEqual(['data', 'ingest']);
      expect(yml(objects, 'coordinating')['node.roles']).toEqual([]);
      expect(es.masterReplicas).toBe(3);
    });

    test('masters and data nodes have volumes, coordinating nodes do not', () => {
      const vct = (sts: string): any => find(objects, 'StatefulSet', sts).spec.volumeClaimTemplates?.[0]?.spec.resources.requests.storage;
      expect([vct('es-master'), vct('es-data'), vct('es-coordinating')]).toEqual(['4Gi', '50Gi', undefined]);
    });

    test('discovery: seed hosts are every master pod, initial masters only in the masters start script, only without state', () => {
      const seeds = yml(objects, 'data')['discovery.seed_hosts'];
      expect(seeds).toEqual([0, 1, 2].map((i) => `es-master-${i}.es-master.${NS}.svc.cluster.local:9300`));
      for (const set of ['master', 'data', 'coordinating']) {
        expect(yml(objects, set)['cluster.initial_master_nodes']).toBeUndefined();
      }
      const files = find(objects, 'ConfigMap', 'es-files').data;
      expect(files['start-master.sh']).toContain('-Ecluster.initial_master_nodes=es-master-0,es-master-1,es-master-2');
      expect(files['start-master.sh']).toMatch(/if \[ -d \/usr\/share\/elasticsearch\/data\/_state \]/);
      expect(files['start-data.sh']).not.toContain('initial_master_nodes');
      expect(files['start-coordinating.sh']).not.toContain('initial_master_nodes');
    });

    test('heap is half the memory limit, min = max', () => {
      // LARGE: 4Gi limit -> 2048m; masters and coordinating MEDIUM: 2Gi -> 1024m.
      const opts = (sts: string): string => container(objects, sts).env.find((e: any) => e.name === 'ES_JAVA_OPTS').value;
      expect(opts('es-data')).toBe('-Xms2048m -Xmx2048m');
      expect(opts('es-master')).toBe('-Xms1024m -Xmx1024m');
    });

    test('security: xpack on, TLS on transport and HTTP from the cert-manager secret', () => {
      const c = yml(objects, 'data');
      expect(c).toMatchObject({
        'xpack.security.enabled': true,
        'xpack.security.transport.ssl.enabled': true,
        'xpack.security.transport.ssl.verification_mode': 'certificate',
        'xpack.security.http.ssl.enabled': true,
        'node.store.allow_mmap': false,
      });
      const cert = find(objects, 'Certificate', 'es-tls');
      expect(cert.spec.dnsNames).toEqual(expect.arrayContaining([`es-http.${NS}.svc`, `*.es-master.${NS}.svc`, `*.es-data.${NS}.svc.cluster.local`]));
      expect(find(objects, 'StatefulSet', 'es-data').spec.template.spec.volumes).toContainEqual(
        expect.objectContaining({ name: 'tls', secret: expect.objectContaining({ secretName: 'es-tls' }) }),
      );
      expect(es.connection.uri).toBe(`https://es-http.${NS}.svc:9200`);
    });

    test('passwords and S3 keys come only from ExternalSecrets, into the keystore', () => {
      const names = all(objects, 'ExternalSecret').map((e) => e.metadata.name);
      expect(names).toEqual(['es-credentials', 'es-snapshot-s3']);
      expect(all(objects, 'Secret')).toEqual([]);
      const prepare = find(objects, 'ConfigMap', 'es-files').data['prepare.sh'];
      expect(prepare).toContain('elasticsearch-keystore add -x bootstrap.password < /mnt/credentials/elastic-password');
      expect(prepare).toContain('elasticsearch-keystore add -x s3.client.snapshots.access_key < /mnt/s3/access-key-id');
      expect(JSON.stringify(yml(objects, 'data'))).not.toMatch(/access_key|secret_key|password/);
    });

    test('no privileged or root container anywhere', () => {
      for (const sts of all(objects, 'StatefulSet')) {
        const spec = sts.spec.template.spec;
        for (const c of [...spec.initContainers, ...spec.containers]) {
          expect(c.securityContext).toMatchObject({
            privileged: false,
            allowPrivilegeEscalation: false,
            runAsNonRoot: true,
            readOnlyRootFilesystem: true,
          });
        }
        expect(spec.securityContext).toMatchObject({ runAsUser: 1000, fsGroup: 1000 });
      }
    });

    test('probes: readiness on the local readiness port, never cluster health', () => {
      const c = container(objects, 'es-data');
      expect(c.readinessProbe.tcpSocket.port).toBe('readiness');
      expect(c.livenessProbe.tcpSocket.port).toBe('transport');
      expect(JSON.stringify(c)).not.toContain('_cluster/health');
      expect(yml(objects, 'data')['readiness.port']).toBe(8080);
    });

    test('PDBs: masters keep a majority, other sets one at a time', () => {
      const pdbs = all(objects, 'PodDisruptionBudget').map((p) => [p.metadata.name, p.spec.maxUnavailable]);
      expect(pdbs).toEqual([
        ['es-master', 1],
        ['es-data', 1],
        ['es-coordinating', 1],
      ]);
    });

    test('anti-affinity per node set on hostnames, and shard awareness on the node name', () => {
      const spec = find(objects, 'StatefulSet', 'es-master').spec.template.spec;
      const term = spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0];
      expect(term.topologyKey).toBe('kubernetes.io/hostname');
      expect(term.labelSelector.matchLabels['receivables.io/node-set']).toBe('master');
      expect(yml(objects, 'data')['cluster.routing.allocation.awareness.attributes']).toBe('k8s_node_name');
      expect(yml(objects, 'data')['node.attr.k8s_node_name']).toBe('${NODE_NAME}');
    });

    test('the client Service selects only the coordinating nodes', () => {
      const svc = find(objects, 'Service', 'es-http');
      const labels = (sts: string): any => find(objects, 'StatefulSet', sts).spec.template.metadata.labels;
      expect(matches(svc.spec.selector, labels('es-coordinating'))).toBe(true);
      expect(matches(svc.spec.selector, labels('es-data'))).toBe(false);
      expect(matches(svc.spec.selector, labels('es-master'))).toBe(false);
      expect(es.connection).toMatchObject({ host: `es-http.${NS}.svc`, port: 9200, username: 'elastic' });
    });

    test('snapshot client settings point at MinIO path-style; nodes have egress to it', () => {
      expect(yml(objects, 'data')).toMatchObject({
        's3.client.snapshots.endpoint': 'minio.storage-minio.svc:9000',
        's3.client.snapshots.protocol': 'http',
        's3.client.snapshots.path_style_access': true,
      });
      const egress = find(objects, 'NetworkPolicy', 'es-snapshot-egress').spec.egress[0];
      expect(egress.to[0].namespaceSelector.matchLabels['kubernetes.io/metadata.name']).toBe('storage-minio');
      expect(egress.ports).toEqual([{ protocol: 'TCP', port: 9000 }]);
    });

    test('the setup Job sends ILM, template, repository and SLM requests, from a ConfigMap, with a content-hashed name', () => {
      const requests = find(objects, 'ConfigMap', 'es-setup').data['requests.txt'];
      expect(requests).toBe(
        [
          'PUT /_ilm/policy/logs ilm-logs.json',
          'PUT /_index_template/logs template-logs.json',
          'PUT /_snapshot/minio repository.json',
          'PUT /_slm/policy/minio-scheduled slm-policy.json',
          '',
        ].join('\n'),
      );
      const job = all(objects, 'Job')[0];
      expect(job.metadata.name).toMatch(/^es-setup-[0-9a-f]{8}$/);
      const env = job.spec.template.spec.containers[0].env;
      expect(env.find((e: any) => e.name === 'ES_URL').value).toBe(`https://es-http.${NS}.svc:9200`);
      expect(env.find((e: any) => e.name === 'ELASTIC_PASSWORD').valueFrom.secretKeyRef).toEqual({ name: 'es-credentials', key: 'elastic-password' });
    });

    test('network: clients, scrapers and the setup Job are let in; members talk on 9200/9300', () => {
      const names = all(objects, 'NetworkPolicy').map((p) => p.metadata.name);
      expect(names).toEqual(
        expect.arrayContaining(['es-members', 'es-members-egress', 'es-metrics', 'es-setup', 'es-setup-egress', 'es-from-app-core']),
      );
      expect(find(objects, 'NetworkPolicy', 'es-from-app-core').spec.ingress[0].ports).toEqual([{ protocol: 'TCP', port: 9200 }]);
    });

    test('a ServiceMonitor scrapes the exporter sidecar of every node', () => {
      expect(container(objects, 'es-master', 'metrics').image).toBe(EXPORTER);
      expect(container(objects, 'es-data', 'metrics').env).toContainEqual({ name: 'ES_USERNAME', value: 'remote_monitoring_user' });
      const sm = find(objects, 'ServiceMonitor', 'es');
      expect(sm.spec.endpoints[0].port).toBe('metrics');
      const svc = find(objects, 'Service', 'es-metrics');
      expect(matches(sm.spec.selector.matchLabels, svc.metadata.labels)).toBe(true);
      // Only the Service with the metrics port: a selected Service without it is a scrape error.
      const selected = all(objects, 'Service').filter((s) => matches(sm.spec.selector.matchLabels, s.metadata.labels));
      expect(selected.map((s) => s.metadata.name)).toEqual(['es-metrics']);
    });
  });

  describe('REST bodies follow the Elasticsearch 8 API', () => {
    const { es } = synth({ snapshot: { ...SNAPSHOT, retentionDays: 14, minCount: 3, maxCount: 20 }, ilmPolicies: [{ ...LOGS, warmAfterDays: 3 }] });
    const body = (path: string): any => es.setupRequests.find((r) => r.path === path)!.body;

    test('ILM: hot rollover, warm read-only force-merge, delete, with valid time units', () => {
      const phases = body('/_ilm/policy/logs').policy.phases;
      expect(Object.keys(phases)).toEqual(['hot', 'warm', 'delete']);
      expect(phases.hot.actions.rollover).toEqual({ max_age: '1d', max_primary_shard_size: '50gb' });
      expect(phases.warm).toEqual({ min_age: '3d', actions: { readonly: {}, forcemerge: { max_num_segments: 1 } } });
      expect(phases.delete).toEqual({ min_age: '30d', actions: { delete: {} } });
      for (const p of Object.values<any>(phases)) {
        expect(p.min_age).toMatch(/^[0-9]+(d|h|m|s|ms)$/);
      }
    });

    test('index template: data stream with the policy', () => {
      expect(body('/_index_template/logs')).toEqual({
        index_patterns: ['logs-*'],
        data_stream: {},
        priority: 200,
        template: { settings: { 'index.lifecycle.name': 'logs' } },
      });
    });

    test('repository: type s3 with bucket, base_path and the client; SLM names it with retention', () => {
      expect(body('/_snapshot/minio')).toEqual({ type: 's3', settings: { bucket: 'backups', base_path: 'prod/elasticsearch', client: 'snapshots' } });
      expect(body('/_slm/policy/minio-scheduled')).toEqual({
        schedule: '0 30 1 * * ?',
        name: '<snapshot-{now/d}>',
        repository: 'minio',
        config: { indices: ['*'], include_global_state: true },
        retention: { expire_after: '14d', min_count: 3, max_count: 20 },
      });
    });
  });

  describe('single node (dev)', () => {
    const { objects, es } = synth({ singleNode: true, resources: Resources.MEDIUM, storage: { size: Size.gibibytes(5) }, tls: { enabled: false } });

    test('one all-roles node with single-node discovery, no initial masters, no PDB, a warning', () => {
      expect(all(objects, 'StatefulSet').map((s) => [s.metadata.name, s.spec.replicas])).toEqual([['es-node', 1]]);
      const c = yml(objects, 'node');
      expect(c['node.roles']).toEqual(['master', 'data', 'ingest']);
      expect(c['discovery.type']).toBe('single-node');
      expect(c['discovery.seed_hosts']).toBeUndefined();
      expect(find(objects, 'ConfigMap', 'es-files').data['start-node.sh']).not.toContain('initial_master_nodes');
      expect(all(objects, 'PodDisruptionBudget')).toEqual([]);
      expect(es.warnings).toHaveLength(1);
    });

    test('HTTP TLS off still keeps transport TLS', () => {
      expect(yml(objects, 'node')).toMatchObject({ 'xpack.security.http.ssl.enabled': false, 'xpack.security.transport.ssl.enabled': true });
      expect(es.connection.uri).toBe(`http://es-http.${NS}.svc:9200`);
      expect(find(objects, 'Service', 'es-http').spec.selector['app.kubernetes.io/component']).toBe('node');
    });
  });

  test('dataZones: one data set per zone, pinned and tagged, zone-aware allocation', () => {
    const { objects } = synth({ dataZones: ['a', 'b'] });
    expect(all(objects, 'StatefulSet').map((s) => s.metadata.name)).toEqual(['es-master', 'es-data-a', 'es-data-b', 'es-coordinating']);
    expect(find(objects, 'StatefulSet', 'es-data-b').spec.template.spec.nodeSelector).toEqual({ 'topology.kubernetes.io/zone': 'b' });
    expect(yml(objects, 'data-a')).toMatchObject({ 'node.attr.zone': 'a', 'cluster.routing.allocation.awareness.attributes': 'k8s_node_name,zone' });
  });

  test('heap is capped at 31Gi', () => {
    const { objects } = synth({ resources: Resources.of('4', '64Gi', '8', '128Gi'), heapRatio: 0.5 });
    expect(container(objects, 'es-data').env.find((e: any) => e.name === 'ES_JAVA_OPTS').value).toBe('-Xms31744m -Xmx31744m');
  });

  test('coordinating: 0 sends clients to the data nodes', () => {
    const { objects } = synth({ coordinating: { replicas: 0 } });
    expect(find(objects, 'Service', 'es-http').spec.selector['app.kubernetes.io/component']).toBe('data');
  });

  describe('bad props', () => {
    test('fails when the master count is even, the heap exceeds the limit share, and ILM/snapshot are wrong, listing every problem with the path', () => {
      const err = errorOf(() =>
        synth({
          masters: { replicas: 4 },
          coordinating: { replicas: 1 },
          heapRatio: 1.2,
          dataZones: ['a', 'a'],
          snapshot: { ...SNAPSHOT, endpoint: 'minio:9000', bucket: 'B', schedule: '0 1 * * *', minCount: 10, maxCount: 5 },
          ilmPolicies: [
            { name: 'logs', indexPatterns: [], deleteAfterDays: 5 },
            { name: 'logs', indexPatterns: ['Logs-*'], deleteAfterDays: 30 },
          ],
        }),
      );
      expect(err.constructPath).toBe('test/Es');
      expect(err.problems.map((p) => p.field)).toEqual([
        'heapRatio',
        'dataZones',
        'masters.replicas',
        'coordinating.replicas',
        'snapshot.endpoint',
        'snapshot.bucket',
        'snapshot.schedule',
        'snapshot.maxCount',
        'ilmPolicies[0].indexPatterns',
        'ilmPolicies[0].deleteAfterDays',
        'ilmPolicies[1].name',
        'ilmPolicies[1].indexPatterns[0]',
      ]);
      expect(err.message).toContain('test/Es: masters.replicas: must be odd and at least 3');
      expect(err.message).toContain('test/Es: heapRatio: must be from 0.1 to 0.75 of the memory limit: the heap must stay below the limit');
    });

    test('fails when the memory limit leaves less than 256Mi of heap', () => {
      const err = errorOf(() => synth({ resources: Resources.MICRO }));
      expect(err.message).toContain('test/Es: resources: memory limit x heapRatio must give a heap of at least 256Mi (would be 128Mi)');
    });

    test('fails when singleNode is combined with dedicated sets or more replicas', () => {
      const err = errorOf(() => synth({ singleNode: true, replicas: 2, masters: { replicas: 3 } }));
      expect(err.problems.map((p) => p.field)).toEqual(['replicas', 'masters']);
    });

    test('fails without a pinned image or exporter image', () => {
      const err = errorOf(() => synth({ image: 'elasticsearch', monitoring: { exporterImage: 'x:latest' } }));
      expect(err.problems.map((p) => p.field)).toEqual(['image', 'monitoring.exporterImage']);
    });
  });

  test.each<[string, Partial<ElasticsearchClusterProps>]>([
    ['defaults with snapshots and ILM', { snapshot: SNAPSHOT, ilmPolicies: [LOGS] }],
    ['single node without HTTP TLS', { singleNode: true, resources: Resources.MEDIUM, tls: { enabled: false } }],
    ['zones, no coordinating nodes, no monitoring', { dataZones: ['a', 'b'], coordinating: { replicas: 0 }, monitoring: { enabled: false } }],
  ])('passes the gate: %s', (_name, props) => {
    const chart = new Chart(Testing.app(), 'test', { disableResourceNameHashes: true });
    for (const ns of [NS, 'app-core', 'monitoring', 'storage-minio']) {
      new PlatformNamespace(chart, `Ns-${ns}`, { name: ns });
    }
    const es = new ElasticsearchCluster(chart, 'Es', { ...BASE, ...props });
    es.allowFrom({ peerNamespace: 'app-core', peerSelector: {} });
    const result = runGate(
      Testing.synth(chart).map((obj) => ({ file: 'test.yaml', obj })),
      { registry: SchemaRegistry.default() },
    );
    const errors = result.problems.filter((p) => p.severity === 'error').map((p) => `${p.object} ${p.path}: ${p.rule}: ${p.message}`);
    // The MinIO side of the snapshot URL lives in storage-minio's chart, not here.
    expect(errors.filter((e) => !e.includes('net.in-cluster-url') || !e.includes('storage-minio'))).toEqual([]);
  });
});

describe('ElasticsearchCluster alerts', () => {
  test('a PrometheusRule with cluster red and yellow from elasticsearch_exporter', () => {
    const { objects } = synth();
    expectAlerts(objects, 'es', NS, [
      'ElasticsearchClusterRed',
      'ElasticsearchClusterYellow',
      'MetricsTargetDown',
      'PodCrashLooping',
      'PersistentVolumeAlmostFull',
    ]);
  });
});
