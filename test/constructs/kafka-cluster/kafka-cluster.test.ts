/* eslint-disable @typescript-eslint/no-explicit-any */
import { Chart, Testing } from 'cdk8s';
import { KafkaCluster, KafkaClusterProps } from '../../../constructs/kafka-cluster';
import { parseProperties } from '../../../constructs/kafka-cluster/config';
import { PlatformNamespace } from '../../../constructs/platform-namespace';
import { Resources } from '../../../constructs/lib/resources';
import { runGate } from '../../../gate/gate';
import { SchemaRegistry } from '../../../gate/schema';
import { errorOf } from '../../helpers/errors';
import { alertRules, expectAlerts } from '../../helpers/alerts';

const NS = 'app-integration';
const CLUSTER_ID = 'MkU3OEVBNTcwNTJENDM2Qg';
const MONITORING = { peerNamespace: 'monitoring', peerSelector: {} };
const BASE: KafkaClusterProps = {
  name: 'kafka',
  namespace: NS,
  clusterId: CLUSTER_ID,
  image: 'apache/kafka:3.8.1',
  monitoring: { exporterImage: 'danielqsj/kafka-exporter:v1.8.0', scrapers: [MONITORING] },
  secretStore: { name: 'platform-secrets' },
};
const HOST = (pod: string): string => `${pod}.kafka-headless.${NS}.svc.cluster.local`;

function synth(props: Partial<KafkaClusterProps> = {}, topics = true): { objects: any[]; kafka: KafkaCluster; chart: Chart } {
  const chart = new Chart(Testing.app(), 'test', { disableResourceNameHashes: true });
  const kafka = new KafkaCluster(chart, 'Kafka', { ...BASE, ...props });
  if (topics) {
    kafka.addTopic({ name: 'invoice-events', partitions: 6 });
    kafka.addTopic({ name: 'audit-events', partitions: 3, retentionMs: 31536000000, config: { 'cleanup.policy': 'delete' } });
  }
  kafka.allowFrom({ peerNamespace: 'app-core', peerSelector: {} });
  return { objects: Testing.synth(chart), kafka, chart };
}
const find = (objects: any[], kind: string, name: string): any => objects.find((o) => o.kind === kind && o.metadata.name === name);
const all = (objects: any[], kind: string): any[] => objects.filter((o) => o.kind === kind);
const properties = (objects: any[], pool: string): Record<string, string> =>
  parseProperties(find(objects, 'ConfigMap', 'kafka-files').data[`server-${pool}.properties`]);
const matches = (selector: Record<string, string>, labels: Record<string, string>): boolean =>
  Object.entries(selector).every(([k, v]) => labels[k] === v);

describe('KafkaCluster', () => {
  describe('defaults: 3 combined controller+broker nodes', () => {
    const { objects, kafka } = synth();
    const props = properties(objects, 'combined');

    test('one StatefulSet of 3 combined nodes, started in parallel, a volume each', () => {
      const sets = all(objects, 'StatefulSet').map((s) => [s.metadata.name, s.spec.replicas, s.spec.podManagementPolicy, s.spec.serviceName]);
      expect(sets).toEqual([['kafka-combined', 3, 'Parallel', 'kafka-headless']]);
      expect(find(objects, 'StatefulSet', 'kafka-combined').spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe('20Gi');
      expect(props['process.roles']).toBe('controller,broker');
    });

    test('the voters list names every controller by id and stable DNS name on 9093', () => {
      const voters = [0, 1, 2].map((i) => `${i}@${HOST(`kafka-combined-${i}`)}:9093`).join(',');
      expect(props['controller.quorum.voters']).toBe(voters);
      expect(kafka.quorumVoters).toBe(voters);
    });

    test('production defaults: RF 3, min.insync 2, no unclean election, no auto-create, internal topics RF 3', () => {
      expect(props).toMatchObject({
        'default.replication.factor': '3',
        'min.insync.replicas': '2',
        'offsets.topic.replication.factor': '3',
        'transaction.state.log.replication.factor': '3',
        'transaction.state.log.min.isr': '2',
        'unclean.leader.election.enable': 'false',
        'auto.create.topics.enable': 'false',
      });
    });

    test('listeners: CONTROLLER plaintext, INTERNAL and CLIENT with SCRAM-SHA-512; no node.id and no password in the ConfigMap', () => {
      expect(props.listeners).toBe('CONTROLLER://:9093,INTERNAL://:9094,CLIENT://:9092');
      expect(props['listener.security.protocol.map']).toBe('CONTROLLER:PLAINTEXT,INTERNAL:SASL_PLAINTEXT,CLIENT:SASL_PLAINTEXT');
      expect(props['inter.broker.listener.name']).toBe('INTERNAL');
      expect(props['sasl.enabled.mechanisms']).toBe('SCRAM-SHA-512');
      expect(props['sasl.mechanism.inter.broker.protocol']).toBe('SCRAM-SHA-512');
      expect(props['node.id']).toBeUndefined();
      expect(props['authorizer.class.name']).toBe('org.apache.kafka.metadata.authorizer.StandardAuthorizer');
      expect(props['super.users']).toBe('User:admin;User:ANONYMOUS');
      const text = JSON.stringify(all(objects, 'ConfigMap'));
      expect(text).not.toMatch(/password=\\"[^$]/);
    });

    test('the headless Service publishes not-ready pods; the bootstrap Service selects the brokers on 9092', () => {
      const headless = find(objects, 'Service', 'kafka-headless');
      expect(headless.spec).toMatchObject({ clusterIP: 'None', publishNotReadyAddresses: true });
      const bootstrap = find(objects, 'Service', 'kafka-bootstrap');
      const podLabels = find(objects, 'StatefulSet', 'kafka-combined').spec.template.metadata.labels;
      expect(matches(bootstrap.spec.selector, podLabels)).toBe(true);
      expect(matches(headless.spec.selector, podLabels)).toBe(true);
      expect(bootstrap.spec.ports).toEqual([{ name: 'client', port: 9092, targetPort: 'client', protocol: 'TCP' }]);
    });

    test('connection: bootstrap host, port, app user, SCRAM, secret from the store', () => {
      expect(kafka.connection).toMatchObject({
        host: `kafka-bootstrap.${NS}.svc`,
        port: 9092,
        username: 'app',
        bootstrapServers: `kafka-bootstrap.${NS}.svc:9092`,
        securityProtocol: 'SASL_PLAINTEXT',
        saslMechanism: 'SCRAM-SHA-512',
        secret: { name: 'kafka-credentials', keys: { password: 'app-password' }, remoteKey: `kafka/${NS}/kafka`, remoteProperty: 'app-password' },
      });
      const es = find(objects, 'ExternalSecret', 'kafka-credentials');
      expect(es.spec.data.map((d: any) => [d.secretKey, d.remoteRef.property])).toEqual([
        ['admin-password', 'admin-password'],
        ['app-password', 'app-password'],
        ['monitor-password', 'monitor-password'],
      ]);
    });

    test('PDB allows one pod down; pods require distinct nodes', () => {
      const pdb = find(objects, 'PodDisruptionBudget', 'kafka-combined');
      expect(pdb.spec.maxUnavailable).toBe(1);
      const spec = find(objects, 'StatefulSet', 'kafka-combined').spec.template.spec;
      expect(spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey).toBe('kubernetes.io/hostname');
    });

    test('restricted pod: non-root uid 1000, read-only root, writable config, logs and /tmp', () => {
      const spec = find(objects, 'StatefulSet', 'kafka-combined').spec.template.spec;
      expect(spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000 });
      const c = spec.containers[0];
      expect(c.securityContext.readOnlyRootFilesystem).toBe(true);
      expect(c.volumeMounts.map((m: any) => m.mountPath).sort()).toEqual([
        '/mnt/config',
        '/mnt/credentials',
        '/mnt/files',
        '/mnt/logs',
        '/tmp',
        '/var/lib/kafka/data',
      ]);
      expect(c.env.find((e: any) => e.name === 'KAFKA_HEAP_OPTS').value).toBe('-Xms1024m -Xmx1024m');
      expect(c.readinessProbe.tcpSocket.port).toBe('client');
      expect(c.livenessProbe).not.toEqual(c.readinessProbe);
    });

    test('network: members on 9093/9094 only, allowFrom on 9092 at the brokers, the Job and exporter admitted', () => {
      const members = find(objects, 'NetworkPolicy', 'kafka-members');
      expect(members.spec.ingress[0].ports.map((p: any) => p.port)).toEqual([9093, 9094]);
      const fromApp = find(objects, 'NetworkPolicy', 'kafka-from-app-core');
      expect(fromApp.spec.ingress[0].ports).toEqual([{ protocol: 'TCP', port: 9092 }]);
      expect(fromApp.spec.ingress[0].from[0].namespaceSelector.matchLabels).toEqual({ 'kubernetes.io/metadata.name': 'app-core' });
      expect(find(objects, 'NetworkPolicy', 'kafka-from-topics')).toBeDefined();
      expect(find(objects, 'NetworkPolicy', 'kafka-from-metrics')).toBeDefined();
      expect(find(objects, 'NetworkPolicy', 'kafka-metrics').spec.ingress[0].ports).toEqual([{ protocol: 'TCP', port: 9308 }]);
    });

    test('exporter: one Deployment logged in as monitor over SCRAM, the password from the Secret, a ServiceMonitor', () => {
      const c = find(objects, 'Deployment', 'kafka-exporter').spec.template.spec.containers[0];
      expect(c.args).toEqual(
        expect.arrayContaining([
          `--kafka.server=kafka-bootstrap.${NS}.svc:9092`,
          '--sasl.mechanism=scram-sha512',
          '--sasl.username=monitor',
          '--sasl.password=$(MONITOR_PASSWORD)',
        ]),
      );
      expect(c.env).toEqual([{ name: 'MONITOR_PASSWORD', valueFrom: { secretKeyRef: { name: 'kafka-credentials', key: 'monitor-password' } } }]);
      const monitor = find(objects, 'ServiceMonitor', 'kafka');
      expect(matches(monitor.spec.selector.matchLabels, find(objects, 'Service', 'kafka-metrics').metadata.labels)).toBe(true);
    });

    test('topics: the Job lists every declared topic with its settings', () => {
      const tsv = find(objects, 'ConfigMap', 'kafka-topics').data['topics.tsv'];
      expect(tsv).toBe('invoice-events\t6\t3\t-\naudit-events\t3\t3\tcleanup.policy=delete,retention.ms=31536000000\n');
      expect(kafka.topics.map((t) => [t.name, t.replicationFactor])).toEqual([
        ['invoice-events', 3],
        ['audit-events', 3],
      ]);
      const job = find(objects, 'Job', 'kafka-topics');
      expect(job.spec.template.spec.containers[0].env).toEqual(
        expect.arrayContaining([{ name: 'BOOTSTRAP', value: `kafka-bootstrap.${NS}.svc:9092` }]),
      );
    });

    test('the topics checksum changes when a topic changes', () => {
      const checksum = (o: any[]): string => find(o, 'Job', 'kafka-topics').spec.template.metadata.annotations['checksum/topics'];
      const other = synth({}, false);
      expect(checksum(other.objects)).not.toBe(checksum(objects));
    });
  });

  describe('development: one combined node', () => {
    const { objects, kafka } = synth({ replicas: 1 });
    const props = properties(objects, 'combined');

    test('RF and min.insync fall to 1, one voter, no PDB, a warning', () => {
      expect(props['default.replication.factor']).toBe('1');
      expect(props['min.insync.replicas']).toBe('1');
      expect(props['offsets.topic.replication.factor']).toBe('1');
      expect(props['controller.quorum.voters']).toBe(`0@${HOST('kafka-combined-0')}:9093`);
      expect(all(objects, 'PodDisruptionBudget')).toEqual([]);
      expect(kafka.warnings).toHaveLength(1);
    });
  });

  describe('dedicated controllers', () => {
    const { objects } = synth({ replicas: 4, controllers: { replicas: 3 } });
    const controller = properties(objects, 'controller');
    const broker = properties(objects, 'broker');

    test('3 controllers with ids 0..2, 4 brokers with ids from 100, voters are the controllers only', () => {
      const sets = all(objects, 'StatefulSet').map((s) => [s.metadata.name, s.spec.replicas]);
      expect(sets).toEqual([
        ['kafka-controller', 3],
        ['kafka-broker', 4],
      ]);
      const voters = [0, 1, 2].map((i) => `${i}@${HOST(`kafka-controller-${i}`)}:9093`).join(',');
      expect(controller['controller.quorum.voters']).toBe(voters);
      expect(broker['controller.quorum.voters']).toBe(voters);
      const files = find(objects, 'ConfigMap', 'kafka-files').data;
      expect(files['start-controller.sh']).toContain('NODE_ID=$((0 + ORDINAL))');
      expect(files['start-broker.sh']).toContain('NODE_ID=$((100 + ORDINAL))');
    });

    test('controllers listen on CONTROLLER only and have no broker settings; brokers have no controller listener', () => {
      expect(controller['process.roles']).toBe('controller');
      expect(controller.listeners).toBe('CONTROLLER://:9093');
      expect(controller['default.replication.factor']).toBeUndefined();
      expect(broker['process.roles']).toBe('broker');
      expect(broker.listeners).toBe('INTERNAL://:9094,CLIENT://:9092');
    });

    test('the bootstrap Service and allowFrom select the brokers, not the controllers', () => {
      const bootstrap = find(objects, 'Service', 'kafka-bootstrap');
      const labels = (n: string): any => find(objects, 'StatefulSet', n).spec.template.metadata.labels;
      expect(matches(bootstrap.spec.selector, labels('kafka-broker'))).toBe(true);
      expect(matches(bootstrap.spec.selector, labels('kafka-controller'))).toBe(false);
      const fromApp = find(objects, 'NetworkPolicy', 'kafka-from-app-core');
      expect(matches(fromApp.spec.podSelector.matchLabels, labels('kafka-controller'))).toBe(false);
      const c = find(objects, 'StatefulSet', 'kafka-controller').spec.template.spec.containers[0];
      expect(c.readinessProbe.tcpSocket.port).toBe('controller');
    });
  });

  describe('bad props', () => {
    test('fails when the combined node count is even', () => {
      const err = errorOf(() => synth({ replicas: 2 }, false));
      expect(err.message).toContain('test/Kafka: replicas: must be odd with combined controller+broker nodes');
    });

    test('fails when the controller count is even', () => {
      const err = errorOf(() => synth({ replicas: 3, controllers: { replicas: 4 } }, false));
      expect(err.problems.map((p) => [p.field, p.value])).toEqual([['controllers.replicas', 4]]);
    });

    test('fails when min.insync.replicas exceeds RF and RF exceeds the brokers, both at once', () => {
      const err = errorOf(() => synth({ defaultReplicationFactor: 5, minInsyncReplicas: 6 }, false));
      expect(err.problems.map((p) => p.field)).toEqual(['defaultReplicationFactor', 'minInsyncReplicas']);
      expect(err.message).toContain('defaultReplicationFactor: must be at most the brokers (3)');
      expect(err.message).toContain('minInsyncReplicas: must be at most defaultReplicationFactor (5)');
    });

    test.each(['short', 'MkU3OEVBNTcwNTJENDM2Qg==', 'MkU3OEVBNTcwNTJENDM2Q!', 'MkU3OEVBNTcwNTJENDM2Qh', '-kU3OEVBNTcwNTJENDM2Qg'])(
      'fails when the cluster id is %s',
      (clusterId) => {
        const err = errorOf(() => synth({ clusterId }, false));
        expect(err.problems.map((p) => p.field)).toEqual(['clusterId']);
      },
    );

    test('fails when the image is not pinned and the heap is too small', () => {
      const err = errorOf(() => synth({ image: 'apache/kafka:latest', resources: Resources.MICRO }, false));
      expect(err.problems.map((p) => p.field)).toEqual(['image', 'resources']);
    });
  });

  test.each<[string, Partial<KafkaClusterProps>]>([
    ['defaults', {}],
    ['development', { replicas: 1 }],
    ['dedicated controllers, no monitoring', { replicas: 4, controllers: {}, monitoring: { enabled: false } }],
  ])('passes the gate: %s', (_name, props) => {
    const chart = new Chart(Testing.app(), 'test', { disableResourceNameHashes: true });
    for (const ns of [NS, 'app-core', 'monitoring']) {
      new PlatformNamespace(chart, `Ns-${ns}`, { name: ns });
    }
    const kafka = new KafkaCluster(chart, 'Kafka', { ...BASE, ...props });
    kafka.addTopic({ name: 'invoice-events', partitions: 3 });
    kafka.allowFrom({ peerNamespace: 'app-core', peerSelector: {} });
    const result = runGate(
      Testing.synth(chart).map((obj) => ({ file: 'test.yaml', obj })),
      { registry: SchemaRegistry.default() },
    );
    expect(result.problems.filter((p) => p.severity === 'error').map((p) => `${p.object} ${p.path}: ${p.rule}: ${p.message}`)).toEqual([]);
  });
});

describe('KafkaCluster alerts', () => {
  test('a PrometheusRule with under-replicated partitions and missing brokers (the configured count)', () => {
    const { objects } = synth({ replicas: 5 });
    expectAlerts(objects, 'kafka', NS, ['KafkaUnderReplicatedPartitions', 'KafkaBrokersMissing', 'MetricsTargetDown', 'PodCrashLooping']);
    expect(alertRules(objects, 'kafka').find((r) => r.alert === 'KafkaBrokersMissing').expr).toMatch(/\) < 5$/);
  });
});
