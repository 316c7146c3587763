/* eslint-disable @typescript-eslint/no-explicit-any */
import { Chart, Duration, Size, Testing } from 'cdk8s';
import { renderRedisConf } from '../../../constructs/redis-sentinel/config';
import { Resources } from '../../../constructs/lib/resources';
import { PlatformNamespace } from '../../../constructs/platform-namespace';
import { AppendFsync, MaxmemoryPolicy, REDIS_GID, REDIS_UID, RedisSentinel, RedisSentinelProps } from '../../../constructs/redis-sentinel';
import { runGate } from '../../../gate/gate';
import { SchemaRegistry } from '../../../gate/schema';
import { errorOf } from '../../helpers/errors';
import { alertRules, expectAlerts } from '../../helpers/alerts';

const NS = 'db-redis';
const IMAGE = 'harbor.example.com/library/redis:7.2.5-alpine';
const EXPORTER = 'harbor.example.com/oliver006/redis_exporter:v1.62.0';
const STORE = { name: 'platform-secrets' };
const BASE: RedisSentinelProps = { namespace: NS, image: IMAGE, monitoring: { exporterImage: EXPORTER }, secretStore: STORE };
const MONITORING = { peerNamespace: 'monitoring', peerSelector: {} };

function synth(props: Partial<RedisSentinelProps> = {}, extra?: (r: RedisSentinel) => void): { objects: any[]; redis: RedisSentinel } {
  const chart = new Chart(Testing.app(), 'test', { disableResourceNameHashes: true });
  const redis = new RedisSentinel(chart, 'Redis', { ...BASE, ...props });
  extra?.(redis);
  return { objects: Testing.synth(chart), redis };
}

const find = (objects: any[], kind: string, name?: string): any =>
  objects.find((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
const all = (objects: any[], kind: string): any[] => objects.filter((o) => o.kind === kind);
const podSpec = (objects: any[], sts: string): any => find(objects, 'StatefulSet', sts).spec.template.spec;
const containerOf = (objects: any[], sts: string, name: string): any => podSpec(objects, sts).containers.find((c: any) => c.name === name);
const files = (objects: any[]): Record<string, string> => find(objects, 'ConfigMap', 'redis-config').data;
const matches = (selector: Record<string, string>, labels: Record<string, string>): boolean =>
  Object.entries(selector).every(([k, v]) => labels[k] === v);

describe('RedisSentinel', () => {
  describe('defaults: 3 data pods, 3 Sentinels', () => {
    const { objects, redis } = synth(
      { storage: { size: Size.gibibytes(16), storageClass: 'gp3' }, monitoring: { exporterImage: EXPORTER, scrapers: [MONITORING] } },
      (r) => {
        r.allowFrom({ peerNamespace: 'app-core', peerSelector: {} });
        r.allowFrom({ peerNamespace: 'app-batch', peerSelector: { 'app.kubernetes.io/name': 'worker' } });
      },
    );
    const data = find(objects, 'StatefulSet', 'redis');
    const sentinel = find(objects, 'StatefulSet', 'redis-sentinel');
    const f = files(objects);

    test('a data StatefulSet of 3 pods with a PVC each, and a separate Sentinel StatefulSet of 3', () => {
      expect(data.spec.replicas).toBe(3);
      expect(data.spec.serviceName).toBe('redis-headless');
      expect(data.spec.podManagementPolicy).toBe('OrderedReady');
      expect(data.spec.persistentVolumeClaimRetentionPolicy).toEqual({ whenDeleted: 'Retain', whenScaled: 'Retain' });
      expect(data.spec.volumeClaimTemplates).toHaveLength(1);
      expect(data.spec.volumeClaimTemplates[0].spec).toEqual({
        accessModes: ['ReadWriteOnce'],
        storageClassName: 'gp3',
        resources: { requests: { storage: '16Gi' } },
      });
      // No version label on the immutable volumeClaimTemplates.
      expect(data.spec.volumeClaimTemplates[0].metadata.labels['app.kubernetes.io/version']).toBeUndefined();
      expect(sentinel.spec.replicas).toBe(3);
      expect(sentinel.spec.serviceName).toBe('redis-sentinel-headless');
      expect(sentinel.spec.volumeClaimTemplates).toBeUndefined();
    });

    test('quorum is 2 and the Sentinels monitor the discovered primary with the configured timeouts', () => {
      expect(redis.quorum).toBe(2);
      expect(f['start-sentinel.sh']).toContain('sentinel monitor redis ${PRIMARY_HOST} ${PRIMARY_PORT} 2\n');
      expect(f['start-sentinel.sh']).toContain('sentinel down-after-milliseconds redis 10000\n');
      expect(f['start-sentinel.sh']).toContain('sentinel failover-timeout redis 180000\n');
      expect(f['start-sentinel.sh']).toContain('sentinel parallel-syncs redis 1\n');
    });

    test('hostnames, not IPs: Sentinel resolves and announces names, each data pod announces its own', () => {
      expect(f['sentinel.conf']).toContain('sentinel resolve-hostnames yes\n');
      expect(f['sentinel.conf']).toContain('sentinel announce-hostnames yes\n');
      // resolve-hostnames must come before the monitor line that names a host (appended at start).
      expect(f['start-sentinel.sh']).toContain('SELF="$POD_NAME.redis-sentinel-headless.db-redis.svc.cluster.local"');
      expect(f['start-sentinel.sh']).toContain('sentinel announce-ip ${SELF}\n');
      expect(f['start-redis.sh']).toContain('SELF="$POD_NAME.redis-headless.db-redis.svc.cluster.local"');
      expect(f['start-redis.sh']).toContain('replica-announce-ip ${SELF}\n');
      for (const sts of ['redis', 'redis-sentinel']) {
        const init = podSpec(objects, sts).initContainers[0];
        expect(init.env).toContainEqual({ name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } });
      }
      expect(redis.dataHosts).toEqual([0, 1, 2].map((i) => `redis-${i}.redis-headless.db-redis.svc.cluster.local`));
      // Stable names resolve before pods are ready, so members find each other while starting.
      for (const name of ['redis-headless', 'redis-sentinel-headless']) {
        expect(find(objects, 'Service', name).spec).toMatchObject({ clusterIP: 'None', publishNotReadyAddresses: true });
      }
    });

    test('sentinel.conf is copied into a writable memory volume, because Sentinel rewrites it', () => {
      const spec = podSpec(objects, 'redis-sentinel');
      expect(f['start-sentinel.sh']).toContain("cp '/config/sentinel.conf' '/sentinel/sentinel.conf'");
      expect(spec.volumes).toContainEqual({ name: 'sentinel', emptyDir: { medium: 'Memory', sizeLimit: '16Mi' } });
      const c = containerOf(objects, 'redis-sentinel', 'sentinel');
      expect(c.command).toEqual(['redis-sentinel', '/sentinel/sentinel.conf']);
      expect(c.volumeMounts).toContainEqual({ name: 'sentinel', mountPath: '/sentinel' });
      expect(c.volumeMounts).toContainEqual({ name: 'config', mountPath: '/config', readOnly: true });
      expect(spec.initContainers[0].volumeMounts).toContainEqual({ name: 'sentinel', mountPath: '/sentinel' });
    });

    test('data pods write their own redis.conf at start and replicate the discovered primary', () => {
      expect(f['start-redis.sh']).toContain("cp '/config/redis.conf' '/run/redis/redis.conf'");
      expect(f['start-redis.sh']).toContain('echo "replicaof $PRIMARY_HOST $PRIMARY_PORT" >>');
      // Discovery order: Sentinels, then the data pods' ROLE, then pod 0 on a cold start.
      const s = f['start-redis.sh'];
      expect(s.indexOf('SENTINEL get-master-addr-by-name')).toBeLessThan(s.indexOf(' ROLE'));
      expect(s).toContain('PRIMARY_HOST="redis-0.redis-headless.db-redis.svc.cluster.local"; PRIMARY_PORT="6379"');
      // Every question to a peer is bounded.
      expect(s).toMatch(/timeout 3 redis-cli/);
      expect(containerOf(objects, 'redis', 'redis').command).toEqual(['redis-server', '/run/redis/redis.conf']);
    });

    test('RDB and AOF explicitly: appendonly yes, appendfsync everysec, upstream save points', () => {
      const conf = f['redis.conf'];
      expect(conf).toContain('appendonly yes\n');
      expect(conf).toContain('appendfsync everysec\n');
      expect(conf).toContain('aof-use-rdb-preamble yes\n');
      expect(conf).toContain('save 3600 1 300 100 60 10000\n');
      expect(conf).toContain('dir /data\n');
      expect(containerOf(objects, 'redis', 'redis').volumeMounts).toContainEqual({ name: 'data', mountPath: '/data' });
    });

    test('maxmemory is 75% of the memory limit (2Gi for Resources.MEDIUM), noeviction by default', () => {
      expect(redis.maxmemoryBytes).toBe(Math.floor(2 * 1024 ** 3 * 0.75));
      expect(f['redis.conf']).toContain(`maxmemory ${Math.floor(2 * 1024 ** 3 * 0.75)}\n`);
      expect(f['redis.conf']).toContain('maxmemory-policy noeviction\n');
      expect(f['redis.conf']).toContain('min-replicas-to-write 1\n');
      expect(containerOf(objects, 'redis', 'redis').resources.limits.memory).toBe('2Gi');
    });

    test('passwords come from ExternalSecrets, one per ACL user; no password in any ConfigMap', () => {
      const es = find(objects, 'ExternalSecret', 'redis-auth');
      expect(es.spec.target.name).toBe('redis-auth');
      expect(es.spec.secretStoreRef).toEqual({ name: 'platform-secrets', kind: 'ClusterSecretStore' });
      expect(es.spec.data).toEqual(
        ['app', 'replication', 'failover', 'monitor'].map((u) => ({
          secretKey: `${u}-password`,
          remoteRef: { key: 'redis/db-redis/redis', property: `${u}-password` },
        })),
      );
      // Clients get the app user's password alone.
      expect(find(objects, 'ExternalSecret', 'redis-app').spec.data).toEqual([
        { secretKey: 'password', remoteRef: { key: 'redis/db-redis/redis', property: 'app-password' } },
      ]);
      expect(all(objects, 'Secret')).toEqual([]);
      for (const u of ['app', 'replication', 'failover', 'monitor']) {
        expect(f['start-redis.sh']).toContain(`${u.toUpperCase()}_PASSWORD="$(password ${u})"\n`);
      }
      expect(f['start-redis.sh']).toContain('value="$(cat "/secrets/redis/$1-password")"');
      expect(f['start-sentinel.sh']).not.toContain('REPLICATION_PASSWORD');
      for (const text of Object.values(f)) {
        expect(text).not.toMatch(/^(user \S+ on >[^$]|requirepass "[^$]|masterauth "[^$])/m);
      }
      // The Secret volume, with only the passwords the pod kind needs, is mounted only into the
      // init containers; the others read env from secretKeyRef.
      const items = (users: string[]): any[] => users.map((u) => ({ key: `${u}-password`, path: `${u}-password` }));
      const expected: Record<string, string[]> = {
        redis: ['app', 'replication', 'failover', 'monitor'],
        'redis-sentinel': ['app', 'monitor', 'failover'],
      };
      for (const [sts, users] of Object.entries(expected)) {
        const spec = podSpec(objects, sts);
        expect(spec.volumes).toContainEqual({ name: 'password', secret: { secretName: 'redis-auth', defaultMode: 0o440, items: items(users) } });
        expect(spec.initContainers[0].volumeMounts).toContainEqual({ name: 'password', mountPath: '/secrets/redis', readOnly: true });
        for (const c of spec.containers) {
          expect(c.volumeMounts ?? []).not.toContainEqual(expect.objectContaining({ name: 'password' }));
        }
      }
      expect(containerOf(objects, 'redis', 'redis').env).toEqual([
        { name: 'REDISCLI_AUTH', valueFrom: { secretKeyRef: { name: 'redis-auth', key: 'monitor-password' } } },
        { name: 'SENTINEL_AUTH', valueFrom: { secretKeyRef: { name: 'redis-auth', key: 'app-password' } } },
      ]);
      expect(containerOf(objects, 'redis-sentinel', 'sentinel').env).toEqual([
        { name: 'REDISCLI_AUTH', valueFrom: { secretKeyRef: { name: 'redis-auth', key: 'app-password' } } },
      ]);
      expect(redis.connection.secret).toEqual({
        name: 'redis-app',
        keys: { password: 'password' },
        remoteKey: 'redis/db-redis/redis',
        remoteProperty: 'app-password',
      });
    });

    test('ACL: default user off; app, replication, failover (Sentinel) and monitor users, each with its own password', () => {
      const start = f['start-redis.sh'];
      expect(start).toContain('user default off resetpass -@all\n');
      expect(start).toContain('user app on >${APP_PASSWORD} ~* &* +@all -@dangerous +info +role\n');
      expect(start).toContain('user replication on >${REPLICATION_PASSWORD} -@all +psync +replconf +ping\n');
      expect(start).toMatch(/^user failover on >\$\{FAILOVER_PASSWORD\} &\* -@all \+multi \+slaveof .*\+client\|kill \+script\|kill$/m);
      expect(start).toMatch(/^user monitor on >\$\{MONITOR_PASSWORD\} -@all \+@connection \+info \+role \+config\|get /m);
      expect(start).toContain('masteruser replication\nmasterauth "${REPLICATION_PASSWORD}"\n');
      const sentinelStart = f['start-sentinel.sh'];
      expect(sentinelStart).toContain('sentinel auth-user redis failover\nsentinel auth-pass redis "${FAILOVER_PASSWORD}"\n');
      expect(sentinelStart).toContain('requirepass "${APP_PASSWORD}"\nsentinel sentinel-pass "${APP_PASSWORD}"\n');
      // Probes and preStop log in as the monitor user; data pods are asked as the monitor user at start.
      expect(f['redis-liveness.sh']).toContain('--user monitor');
      expect(f['redis-readiness.sh']).toContain('--user monitor');
      expect(start).toContain('ask "$peer" "$MONITOR_PASSWORD" --user monitor ROLE');
      expect(start).toContain('ask "$peer" "$APP_PASSWORD" SENTINEL get-master-addr-by-name');
      expect(redis.connection.username).toBe('app');
    });

    test('TLS by default: tls-port only, TLS replication and Sentinel links, a certificate from a CA of its own', () => {
      for (const conf of [f['redis.conf'], f['sentinel.conf']]) {
        expect(conf).toContain('port 0\n');
        expect(conf).toContain('tls-cert-file /tls/tls.crt\ntls-key-file /tls/tls.key\ntls-ca-cert-file /tls/ca.crt\n');
        expect(conf).toContain('tls-auth-clients no\ntls-replication yes\n');
      }
      expect(f['redis.conf']).toContain('tls-port 6379\n');
      expect(f['sentinel.conf']).toContain('tls-port 26379\n');
      for (const file of [
        'start-redis.sh',
        'start-sentinel.sh',
        'redis-liveness.sh',
        'redis-readiness.sh',
        'redis-prestop.sh',
        'sentinel-liveness.sh',
      ]) {
        expect(f[file]).toContain('--tls --cacert /tls/ca.crt');
      }
      const cert = find(objects, 'Certificate', 'redis-tls');
      expect(cert.spec.secretName).toBe('redis-tls');
      expect(cert.spec.issuerRef).toEqual({ name: 'redis-ca', kind: 'Issuer', group: 'cert-manager.io' });
      expect(cert.spec.dnsNames).toEqual(
        expect.arrayContaining([
          'redis-sentinel.db-redis.svc.cluster.local',
          'redis-sentinel.db-redis.svc',
          'redis-0.redis-headless.db-redis.svc.cluster.local',
          'redis-2.redis-headless.db-redis.svc.cluster.local',
          'redis-sentinel-1.redis-sentinel-headless.db-redis.svc.cluster.local',
          'localhost',
        ]),
      );
      for (const [sts, name] of [
        ['redis', 'redis'],
        ['redis', 'metrics'],
        ['redis-sentinel', 'sentinel'],
      ]) {
        expect(containerOf(objects, sts, name).volumeMounts).toContainEqual({ name: 'tls', mountPath: '/tls', readOnly: true });
      }
      expect(podSpec(objects, 'redis').volumes).toContainEqual({ name: 'tls', secret: { secretName: 'redis-tls', defaultMode: 0o440 } });
      const m = containerOf(objects, 'redis', 'metrics');
      expect(m.env).toContainEqual({ name: 'REDIS_ADDR', value: 'rediss://localhost:6379' });
      expect(m.env).toContainEqual({ name: 'REDIS_EXPORTER_TLS_CA_CERT_FILE', value: '/tls/ca.crt' });
      expect(redis.connection.tls).toEqual({ caSecret: 'redis-tls' });
    });

    test('probes do not kill a loading replica: liveness accepts LOADING and MASTERDOWN, readiness needs the sync', () => {
      const c = containerOf(objects, 'redis', 'redis');
      expect(c.livenessProbe.exec.command).toEqual(['sh', '/config/redis-liveness.sh']);
      expect(c.readinessProbe.exec.command).toEqual(['sh', '/config/redis-readiness.sh']);
      expect(c.livenessProbe).not.toEqual(c.readinessProbe);
      expect(f['redis-liveness.sh']).toMatch(/PONG \| LOADING\* \| MASTERDOWN\*\) exit 0/);
      expect(f['redis-readiness.sh']).toContain('*master_link_status:up*) exit 0');
      expect(f['redis-readiness.sh']).toContain('*role:master*) exit 0');
      // Liveness tolerates a minute of silence before a restart.
      expect(c.livenessProbe.periodSeconds * c.livenessProbe.failureThreshold).toBeGreaterThanOrEqual(60);
      const s = containerOf(objects, 'redis-sentinel', 'sentinel');
      expect(s.livenessProbe.exec.command).toEqual(['sh', '/config/sentinel-liveness.sh']);
      expect(s.readinessProbe.exec.command).toEqual(['sh', '/config/sentinel-readiness.sh']);
      expect(f['sentinel-readiness.sh']).toContain("SENTINEL get-master-addr-by-name 'redis'");
    });

    test('a primary hands over before it stops: preStop asks Sentinel for a failover within the grace period', () => {
      const c = containerOf(objects, 'redis', 'redis');
      expect(c.lifecycle.preStop.exec.command).toEqual(['sh', '/config/redis-prestop.sh']);
      expect(f['redis-prestop.sh']).toContain("SENTINEL FAILOVER 'redis'");
      expect(f['redis-prestop.sh']).toContain('-h redis-sentinel.db-redis.svc.cluster.local -p 26379');
      const wait = Number(/while \[ \$i -lt (\d+) \]/.exec(f['redis-prestop.sh'])![1]);
      expect(podSpec(objects, 'redis').terminationGracePeriodSeconds).toBeGreaterThan(wait);
    });

    test('one PDB per StatefulSet, maxUnavailable 1, selecting exactly its pods', () => {
      const pdbs = all(objects, 'PodDisruptionBudget');
      expect(pdbs.map((p) => p.metadata.name).sort()).toEqual(['redis', 'redis-sentinel']);
      for (const p of pdbs) {
        expect(p.spec.maxUnavailable).toBe(1);
        const sts = find(objects, 'StatefulSet', p.metadata.name);
        expect(p.spec.selector.matchLabels).toEqual(sts.spec.selector.matchLabels);
        expect(matches(p.spec.selector.matchLabels, sts.spec.template.metadata.labels)).toBe(true);
      }
    });

    test('required anti-affinity on the hostname, for data pods and Sentinels separately', () => {
      for (const name of ['redis', 'redis-sentinel']) {
        const sts = find(objects, 'StatefulSet', name);
        const terms = sts.spec.template.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution;
        expect(terms).toEqual([{ labelSelector: { matchLabels: sts.spec.selector.matchLabels }, topologyKey: 'kubernetes.io/hostname' }]);
        expect(sts.spec.template.spec.topologySpreadConstraints).toBeUndefined();
      }
    });

    test('an exporter sidecar with the pinned image, scraped by a ServiceMonitor through the headless Service', () => {
      const m = containerOf(objects, 'redis', 'metrics');
      expect(m.image).toBe(EXPORTER);
      expect(m.ports).toEqual([{ name: 'metrics', containerPort: 9121, protocol: 'TCP' }]);
      expect(m.env).toContainEqual({ name: 'REDIS_USER', value: 'monitor' });
      expect(m.env).toContainEqual({ name: 'REDIS_PASSWORD', valueFrom: { secretKeyRef: { name: 'redis-auth', key: 'monitor-password' } } });
      expect(m.livenessProbe).not.toEqual(m.readinessProbe);
      const sm = find(objects, 'ServiceMonitor', 'redis');
      expect(sm.spec.endpoints).toEqual([{ port: 'metrics', path: '/metrics', interval: '30s' }]);
      const scraped = all(objects, 'Service').filter((s) => matches(sm.spec.selector.matchLabels, s.metadata.labels));
      expect(scraped.map((s) => s.metadata.name)).toEqual(['redis-headless']);
      expect(scraped[0].spec.ports).toContainEqual({ name: 'metrics', port: 9121, targetPort: 'metrics', protocol: 'TCP' });
    });

    test('clients find the primary through the Sentinel Service, which selects only Sentinels', () => {
      expect(redis.connection.host).toBe('redis-sentinel.db-redis.svc.cluster.local');
      expect(redis.connection.port).toBe(26379);
      expect(redis.connection.ports).toEqual({ sentinel: 26379, redis: 6379 });
      expect(redis.masterSetName).toBe('redis');
      const svc = find(objects, 'Service', 'redis-sentinel');
      expect(svc.spec.type).toBe('ClusterIP');
      expect(svc.spec.selector).toEqual(sentinel.spec.selector.matchLabels);
      expect(svc.spec.publishNotReadyAddresses).toBeUndefined();
    });

    test('NetworkPolicies: members talk to each other; allowFrom peers reach Redis and Sentinel; Prometheus the exporter', () => {
      const members = find(objects, 'NetworkPolicy', 'redis-members');
      expect(members.spec.ingress[0].ports.map((p: any) => p.port)).toEqual([6379, 26379]);
      const egress = find(objects, 'NetworkPolicy', 'redis-members-egress');
      expect(egress.spec.policyTypes).toEqual(['Egress']);
      expect(egress.spec.egress[0].ports.map((p: any) => p.port)).toEqual([6379, 26379]);
      // Both allowFrom calls land in one policy.
      const clients = find(objects, 'NetworkPolicy', 'redis-clients');
      expect(clients.spec.podSelector.matchLabels).toEqual(redis.connections.peerSelector);
      expect(clients.spec.ingress).toEqual([
        {
          from: [
            { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'app-core' } }, podSelector: { matchLabels: {} } },
            {
              namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'app-batch' } },
              podSelector: { matchLabels: { 'app.kubernetes.io/name': 'worker' } },
            },
          ],
          ports: [
            { protocol: 'TCP', port: 6379 },
            { protocol: 'TCP', port: 26379 },
          ],
        },
      ]);
      const metrics = find(objects, 'NetworkPolicy', 'redis-metrics');
      expect(metrics.spec.podSelector.matchLabels).toEqual(data.spec.selector.matchLabels);
      expect(metrics.spec.ingress[0].ports).toEqual([{ protocol: 'TCP', port: 9121 }]);
      // Its connections select data pods and Sentinels: a client's egress goes to both.
      expect(matches(redis.connections.peerSelector as Record<string, string>, data.spec.template.metadata.labels)).toBe(true);
      expect(matches(redis.connections.peerSelector as Record<string, string>, sentinel.spec.template.metadata.labels)).toBe(true);
      expect(redis.connections.defaultPorts).toEqual([6379, 26379]);
    });

    test('pods run as the image user (999:1000), restricted, read-only root, no service account token', () => {
      for (const name of ['redis', 'redis-sentinel']) {
        const spec = podSpec(objects, name);
        expect(spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: REDIS_UID, runAsGroup: REDIS_GID, fsGroup: REDIS_GID });
        expect(spec.automountServiceAccountToken).toBe(false);
        for (const c of [...spec.initContainers, ...spec.containers]) {
          expect(c.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
          expect(c.resources.requests.cpu).toBeDefined();
          expect(c.resources.limits.memory).toBeDefined();
        }
      }
    });

    test('names are explicit and selectors use our labels, never cdk8s paths', () => {
      const text = JSON.stringify(objects);
      expect(text).not.toContain('cdk8s.io/metadata.addr');
      for (const o of objects) {
        expect(o.metadata.namespace).toBe(NS);
        expect(o.metadata.labels['app.kubernetes.io/part-of']).toBe('receivables-platform');
      }
    });
  });

  test('no allowFrom: no client policy (an ingress rule without peers would allow everyone)', () => {
    const { objects } = synth();
    expect(find(objects, 'NetworkPolicy', 'redis-clients')).toBeUndefined();
    expect(find(objects, 'NetworkPolicy', 'redis-metrics')).toBeUndefined();
  });

  test('props shape the config: policy, ratio, fsync, save points, timeouts, zones', () => {
    const { objects, redis } = synth({
      resources: Resources.of('500m', '4Gi', '2', '4Gi'),
      maxmemoryRatio: 0.5,
      maxmemoryPolicy: MaxmemoryPolicy.ALLKEYS_LRU,
      appendFsync: AppendFsync.ALWAYS,
      savePoints: [{ afterSeconds: 900, minChanges: 1 }],
      downAfter: Duration.seconds(5),
      failoverTimeout: Duration.seconds(60),
      masterSetName: 'cache',
      zoneSpread: true,
      secretRemoteKey: 'prod/redis',
    });
    const f = files(objects);
    expect(redis.maxmemoryBytes).toBe(2 * 1024 ** 3);
    expect(f['redis.conf']).toContain('maxmemory 2147483648\nmaxmemory-policy allkeys-lru\n');
    expect(f['redis.conf']).toContain('appendfsync always\n');
    expect(f['redis.conf']).toContain('save 900 1\n');
    expect(f['start-sentinel.sh']).toContain('sentinel monitor cache ');
    expect(f['start-sentinel.sh']).toContain('sentinel down-after-milliseconds cache 5000\n');
    expect(f['start-sentinel.sh']).toContain('sentinel failover-timeout cache 60000\n');
    expect(find(objects, 'ExternalSecret').spec.data[0].remoteRef).toEqual({ key: 'prod/redis', property: 'app-password' });
    const spread = podSpec(objects, 'redis').topologySpreadConstraints;
    expect(spread).toEqual([expect.objectContaining({ topologyKey: 'topology.kubernetes.io/zone', maxSkew: 1 })]);
  });

  test('an empty save-point list disables RDB snapshots and keeps the AOF', () => {
    const conf = renderRedisConf({
      port: 6379,
      dataDir: '/data',
      maxmemoryBytes: 1,
      maxmemoryPolicy: 'noeviction',
      savePoints: [],
      appendfsync: 'everysec',
      minReplicasToWrite: 0,
      minReplicasMaxLagSeconds: 10,
    });
    expect(conf).toContain('save ""\n');
    expect(conf).toContain('appendonly yes\n');
  });

  test('a config change rolls the pods: the config checksum is in the pod template', () => {
    const a = find(synth().objects, 'StatefulSet', 'redis').spec.template.metadata.annotations['checksum/config'];
    const b = find(synth({ maxmemoryRatio: 0.6 }).objects, 'StatefulSet', 'redis').spec.template.metadata.annotations['checksum/config'];
    expect(a).toMatch(/^[0-9a-f]{16}$/);
    expect(a).not.toBe(b);
    expect(find(synth().objects, 'StatefulSet', 'redis').spec.template.metadata.annotations['checksum/config']).toBe(a);
  });

  describe('replicas 1: one Redis, one Sentinel, no failover (development)', () => {
    const { objects, redis } = synth({ replicas: 1, resources: Resources.MICRO });
    test('one data pod and one Sentinel with quorum 1; the primary never waits for replicas', () => {
      expect(redis.standalone).toBe(true);
      expect(find(objects, 'StatefulSet', 'redis').spec.replicas).toBe(1);
      expect(find(objects, 'StatefulSet', 'redis-sentinel').spec.replicas).toBe(1);
      expect(redis.quorum).toBe(1);
      expect(files(objects)['start-sentinel.sh']).toContain('sentinel monitor redis ${PRIMARY_HOST} ${PRIMARY_PORT} 1\n');
      expect(files(objects)['redis.conf']).toContain('min-replicas-to-write 0\n');
      expect(redis.maxmemoryBytes).toBe(Math.floor(256 * 1024 ** 2 * 0.75));
    });
    test('clients use Sentinel as in every other environment', () => {
      expect(redis.connection.host).toBe('redis-sentinel.db-redis.svc.cluster.local');
    });
    test('no PDB (nothing to keep available), and a recorded warning', () => {
      expect(all(objects, 'PodDisruptionBudget')).toEqual([]);
      expect(redis.warnings).toEqual([expect.stringMatching(/Redis: replicas is 1: .*no failover/)]);
      expect(redis.node.metadata.filter((m) => m.type === 'warning').map((m) => m.data)).toEqual(redis.warnings);
    });
  });

  describe('tls.enabled false (development): plaintext, same ACL users', () => {
    const { objects, redis } = synth({ replicas: 1, tls: { enabled: false } });
    const f = files(objects);
    test('plain ports, no certificate, no TLS options in scripts, exporter over redis://', () => {
      expect(f['redis.conf']).toContain('\nport 6379\n');
      expect(f['sentinel.conf']).toContain('\nport 26379\n');
      expect(Object.values(f).join('\n')).not.toMatch(/tls/);
      expect(all(objects, 'Certificate')).toEqual([]);
      expect(all(objects, 'Issuer')).toEqual([]);
      expect(podSpec(objects, 'redis').volumes.map((v: any) => v.name)).not.toContain('tls');
      expect(containerOf(objects, 'redis', 'metrics').env).toContainEqual({ name: 'REDIS_ADDR', value: 'redis://localhost:6379' });
      expect(containerOf(objects, 'redis', 'metrics').volumeMounts).toBeUndefined();
      expect(redis.connection.tls).toBeUndefined();
      expect(f['start-redis.sh']).toContain('user default off resetpass -@all\n');
    });
  });

  describe('fails when', () => {
    test('fails when appAcl sets a password, a user flag or a selector, or is empty', () => {
      const e = errorOf(() => synth({ appAcl: '~* +@all >secret nopass on' }));
      expect(e.message.split('\n')).toEqual([
        'test/Redis: appAcl: must not set passwords, user flags or selectors (on, off, nopass, reset, >, <, #, !, (...)) (got ">secret")',
        'test/Redis: appAcl: must not set passwords, user flags or selectors (on, off, nopass, reset, >, <, #, !, (...)) (got "nopass")',
        'test/Redis: appAcl: must not set passwords, user flags or selectors (on, off, nopass, reset, >, <, #, !, (...)) (got "on")',
      ]);
      expect(errorOf(() => synth({ appAcl: '  ' })).message).toBe('test/Redis: appAcl: must hold at least one rule (got "  ")');
      expect(errorOf(() => synth({ appAcl: '~* +@all "x"' })).problems[0]).toMatchObject({ field: 'appAcl', rule: expect.stringMatching(/quotes/) });
      // A custom rule set is rendered as given.
      const { objects } = synth({ appAcl: '~cache:* +@read +@write +@connection' });
      expect(files(objects)['start-redis.sh']).toContain('user app on >${APP_PASSWORD} ~cache:* +@read +@write +@connection\n');
    });

    test('fails when a TLS duration is not a Go duration', () => {
      expect(errorOf(() => synth({ tls: { duration: '90d' } })).problems[0]).toMatchObject({ field: 'tls.duration', value: '90d' });
    });

    test('fails when replicas is 2 with Sentinel', () => {
      const e = errorOf(() => synth({ replicas: 2 }));
      expect(e.problems).toEqual([expect.objectContaining({ field: 'replicas', value: 2 })]);
      expect(e.message).toMatch(/^test\/Redis: replicas: must be 1 \(a single instance, no failover\) or at least 3 .* \(got 2\)$/);
    });

    test('fails when replicas is 0 or fractional', () => {
      expect(errorOf(() => synth({ replicas: 0 })).message).toBe('test/Redis: replicas: must be an integer from 1 to 16 (got 0)');
      expect(errorOf(() => synth({ replicas: 2.5 })).message).toBe('test/Redis: replicas: must be an integer from 1 to 16 (got 2.5)');
    });

    test('fails when save points are bad: zero, negative, fractional or repeated', () => {
      const e = errorOf(() =>
        synth({
          savePoints: [
            { afterSeconds: 0, minChanges: 1 },
            { afterSeconds: 60, minChanges: -5 },
            { afterSeconds: 60, minChanges: 1.5 },
          ],
        }),
      );
      expect(e.message.split('\n')).toEqual([
        'test/Redis: savePoints[0].afterSeconds: must be an integer >= 1 (got 0)',
        'test/Redis: savePoints[1].minChanges: must be an integer >= 1 (got -5)',
        'test/Redis: savePoints[2].minChanges: must be an integer >= 1 (got 1.5)',
        'test/Redis: savePoints: must not repeat an afterSeconds value (got [0,60,60])',
      ]);
    });

    test('fails when an image is not pinned', () => {
      const e = errorOf(() => synth({ image: 'redis:latest', monitoring: { exporterImage: 'oliver006/redis_exporter' } }));
      expect(e.message.split('\n')).toEqual([
        'test/Redis: image: must be pinned by a tag other than "latest" or by a digest (got "redis:latest")',
        'test/Redis: monitoring.exporterImage: must be pinned by a tag other than "latest" or by a digest (got "oliver006/redis_exporter")',
      ]);
    });

    test('fails when the maxmemory policy is unknown to Redis', () => {
      const e = errorOf(() => synth({ maxmemoryPolicy: MaxmemoryPolicy.of('allkeys-fifo') }));
      expect(e.message).toBe(
        'test/Redis: maxmemoryPolicy: must be a policy Redis knows: noeviction, allkeys-lru, allkeys-lfu, allkeys-random, volatile-lru, volatile-lfu, volatile-random, volatile-ttl (got "allkeys-fifo")',
      );
    });

    test('fails when the maxmemory ratio leaves no headroom, or the limit is too small', () => {
      expect(errorOf(() => synth({ maxmemoryRatio: 0.95 })).message).toMatch(/^test\/Redis: maxmemoryRatio: must be from 0.1 to 0.9 .*\(got 0.95\)$/);
      expect(errorOf(() => synth({ resources: Resources.of('10m', '16Mi') })).message).toMatch(
        /^test\/Redis: resources: memory limit x maxmemoryRatio must leave at least 16Mi .*\(got "16Mi"\)$/,
      );
    });

    test('fails when Sentinels cannot form a majority or the quorum is outside it', () => {
      expect(errorOf(() => synth({ sentinelReplicas: 4 })).message).toMatch(/^test\/Redis: sentinelReplicas: must be odd.*\(got 4\)$/);
      expect(errorOf(() => synth({ sentinelReplicas: 1 })).message).toMatch(
        /^test\/Redis: sentinelReplicas: must be at least 3 with replicas >= 3.*\(got 1\)$/,
      );
      expect(errorOf(() => synth({ quorum: 1 })).message).toBe('test/Redis: quorum: must be an integer from 2 to 3 (got 1)');
      expect(errorOf(() => synth({ quorum: 4 })).message).toBe('test/Redis: quorum: must be an integer from 2 to 3 (got 4)');
    });

    test('fails when the timeouts make no sense', () => {
      const e = errorOf(() => synth({ downAfter: Duration.millis(500), failoverTimeout: Duration.millis(400) }));
      expect(e.message.split('\n')).toEqual([
        'test/Redis: downAfter: must be at least 1 second in whole milliseconds: shorter makes every network hiccup a failover (got 500)',
        'test/Redis: failoverTimeout: must exceed downAfter (500 ms) (got 400)',
      ]);
    });

    test('fails when minReplicasToWrite exceeds the replicas, or the name is not a short DNS label', () => {
      expect(errorOf(() => synth({ minReplicasToWrite: 3 })).message).toBe('test/Redis: minReplicasToWrite: must be an integer from 0 to 2 (got 3)');
      expect(errorOf(() => synth({ name: 'Redis_Cache' })).problems[0]).toMatchObject({ field: 'name', value: 'Redis_Cache' });
      expect(errorOf(() => synth({ name: 'r'.repeat(41) })).problems[0].field).toBe('name');
    });

    test('fails with every problem at once', () => {
      const e = errorOf(() => synth({ replicas: 2, image: 'redis', maxmemoryPolicy: MaxmemoryPolicy.of('lru') }));
      expect(e.problems.map((p) => p.field)).toEqual(['image', 'replicas', 'maxmemoryPolicy']);
    });
  });
});

describe('RedisSentinel on the data-service contract', () => {
  test('monitoring.enabled false: no exporter, no metrics port, no ServiceMonitor, and no exporter image needed', () => {
    const { objects } = synth({ monitoring: { enabled: false } });
    expect(podSpec(objects, 'redis').containers.map((c: any) => c.name)).toEqual(['redis']);
    expect(find(objects, 'Service', 'redis-headless').spec.ports.map((p: any) => p.name)).toEqual(['redis']);
    expect(find(objects, 'ServiceMonitor')).toBeUndefined();
    expect(find(objects, 'NetworkPolicy', 'redis-metrics')).toBeUndefined();
  });

  test('scrapers without monitoring, or monitoring without an exporter image, are refused with the field path', () => {
    const e = errorOf(() => synth({ monitoring: { enabled: false, scrapers: [MONITORING] } }));
    expect(e.problems).toEqual([expect.objectContaining({ field: 'monitoring.scrapers' })]);
    const m = errorOf(() => synth({ monitoring: {} }));
    expect(m.message).toMatch(/^test\/Redis: monitoring\.exporterImage: is required while monitoring is enabled/);
  });

  test('the namespace comes from the chart when the props leave it out; partOf and podSecurity are props', () => {
    const chart = new Chart(Testing.app(), 'test', { namespace: 'cache-ns', disableResourceNameHashes: true });
    const redis = new RedisSentinel(chart, 'Cache', {
      image: IMAGE,
      monitoring: { exporterImage: EXPORTER },
      secretStore: STORE,
      partOf: 'billing',
      podSecurity: { runAsUser: 2000, runAsGroup: 3000 },
    });
    const objects = Testing.synth(chart);
    expect(redis.namespace).toBe('cache-ns');
    expect(redis.name).toBe('cache');
    expect(redis.connection.host).toBe('cache-sentinel.cache-ns.svc.cluster.local');
    expect(redis.connection.secret.remoteKey).toBe('redis/cache-ns/cache');
    for (const o of objects) {
      expect(o.metadata.namespace).toBe('cache-ns');
      expect(o.metadata.labels['app.kubernetes.io/part-of']).toBe('billing');
    }
    expect(podSpec(objects, 'cache').securityContext).toMatchObject({ runAsUser: 2000, runAsGroup: 3000, fsGroup: 3000 });
  });

  test('allowFrom with other ports writes its own policy; the default policy keeps growing', () => {
    const { objects } = synth({}, (r) => {
      r.allowFrom({ peerNamespace: 'app-core', peerSelector: {} });
      r.connections.allowFromOn([26379], { peerNamespace: 'ops', peerSelector: {} });
      r.allowFrom({ peerNamespace: 'app-batch', peerSelector: {} });
    });
    const clients = find(objects, 'NetworkPolicy', 'redis-clients');
    expect(clients.spec.ingress[0].from).toHaveLength(2);
    const ops = find(objects, 'NetworkPolicy', 'redis-clients-26379');
    expect(ops.spec.ingress).toEqual([
      {
        from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ops' } }, podSelector: { matchLabels: {} } }],
        ports: [{ protocol: 'TCP', port: 26379 }],
      },
    ]);
  });

  test('a storage size below 1Gi is a prop problem named storage.size', () => {
    expect(errorOf(() => synth({ storage: { size: Size.mebibytes(512) } })).message).toBe(
      'test/Redis: storage.size: must be at least 1Gi (got "512Mi")',
    );
  });
});

describe('every variant passes the gate (schemas, policy, references)', () => {
  const registry = SchemaRegistry.default();
  const variants: [string, Partial<RedisSentinelProps>][] = [
    ['defaults', {}],
    ['single instance', { replicas: 1 }],
    ['five data pods, five Sentinels, zones', { replicas: 5, sentinelReplicas: 5, zoneSpread: true }],
    ['no monitoring', { monitoring: { enabled: false } }],
    ['no TLS', { tls: { enabled: false } }],
  ];
  test.each(variants)('%s', (_, props) => {
    const chart = new Chart(Testing.app(), 'test', { disableResourceNameHashes: true });
    for (const ns of [NS, 'app-core', 'monitoring']) {
      new PlatformNamespace(chart, `Ns-${ns}`, { name: ns });
    }
    const redis = new RedisSentinel(chart, 'Redis', { ...BASE, monitoring: { exporterImage: EXPORTER, scrapers: [MONITORING] }, ...props });
    redis.allowFrom({ peerNamespace: 'app-core', peerSelector: {} });
    const result = runGate(
      Testing.synth(chart).map((obj) => ({ file: 'test.yaml', obj })),
      { registry },
    );
    expect(result.problems.filter((p) => p.severity === 'error').map((p) => `${p.object} ${p.path}: ${p.rule}: ${p.message}`)).toEqual([]);
    expect(result.exemptions).toEqual([]);
  });
});

describe('RedisSentinel alerts', () => {
  test('a PrometheusRule with master down, replicas disconnected (3 members: 2 expected) and Redis down; none without monitoring', () => {
    const { objects } = synth({ replicas: 3 });
    expectAlerts(objects, 'redis', NS, [
      'RedisNoMaster',
      'RedisReplicasDisconnected',
      'RedisDown',
      'MetricsTargetDown',
      'PodCrashLooping',
      'PersistentVolumeAlmostFull',
    ]);
    expect(alertRules(objects, 'redis').find((r) => r.alert === 'RedisReplicasDisconnected').expr).toBe(
      'max(redis_connected_slaves{namespace="db-redis", pod=~"redis-.*"}) < 2',
    );
    expect(all(objects, 'PrometheusRule')).toHaveLength(1);
    expect(all(synth({ monitoring: { enabled: false } }).objects, 'PrometheusRule')).toEqual([]);
  });

  test('a single member has no replicas-disconnected alert', () => {
    expect(alertRules(synth({ replicas: 1 }).objects, 'redis').map((r) => r.alert)).not.toContain('RedisReplicasDisconnected');
  });
});
