/* eslint-disable @typescript-eslint/no-explicit-any */
import { Size } from 'cdk8s';
import { PatroniDcs } from '../../../constructs/postgres-ha';
import { all, container, find, patroniOf, synth } from './support';

describe('PostgresHA members (Patroni)', () => {
  describe('defaults (3 replicas)', () => {
    const { objects, pg } = synth({ storage: { size: Size.gibibytes(50), storageClass: 'gp3' } });
    const sts = find(objects, 'StatefulSet');
    const selector = sts.spec.selector.matchLabels;

    test('PostgreSQL 15 by default, the major the integration tests prove (Spilo 17 carries 13 to 17)', () => {
      expect(patroniOf(objects).postgresql.bin_dir).toBe('/usr/lib/postgresql/15/bin');
      expect(patroniOf(synth({ postgresVersion: 17 }).objects).postgresql.bin_dir).toBe('/usr/lib/postgresql/17/bin');
    });

    test('a StatefulSet of 3 members, each with its own PVC of the storage class', () => {
      expect(sts.metadata.name).toBe('pg');
      expect(sts.spec.replicas).toBe(3);
      expect(pg.replicas).toBe(3);
      expect(sts.spec.serviceName).toBe('pg-members');
      expect(sts.spec.volumeClaimTemplates).toEqual([
        {
          metadata: { name: 'pgdata', labels: selector },
          spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'gp3', resources: { requests: { storage: '50Gi' } } },
        },
      ]);
      expect(sts.spec.persistentVolumeClaimRetentionPolicy).toEqual({ whenDeleted: 'Retain', whenScaled: 'Retain' });
      expect(container(objects, 'postgres').volumeMounts).toContainEqual({ name: 'pgdata', mountPath: '/home/postgres/pgdata' });
    });

    test('one PDB over all members with maxUnavailable 1, and required anti-affinity across nodes', () => {
      const pdbs = all(objects, 'PodDisruptionBudget').filter((p) => p.metadata.name === 'pg');
      expect(pdbs).toHaveLength(1);
      expect(pdbs[0].spec).toMatchObject({ maxUnavailable: 1, selector: { matchLabels: selector } });
      const anti = sts.spec.template.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution;
      expect(anti).toEqual([{ labelSelector: { matchLabels: selector }, topologyKey: 'kubernetes.io/hostname' }]);
      expect(sts.spec.template.spec.topologySpreadConstraints).toBeUndefined();
    });

    test('leader Service has no selector, replica Service selects role=replica, config and members Services are headless', () => {
      const leader = find(objects, 'Service', 'pg');
      expect(leader.spec.selector).toBeUndefined();
      expect(leader.spec.ports).toEqual([{ name: 'postgresql', port: 5432, targetPort: 5432, protocol: 'TCP' }]);
      // Patroni must write the same port name into the Endpoints it manages.
      expect(patroniOf(objects).kubernetes.ports).toEqual([{ name: 'postgresql', port: 5432 }]);
      expect(find(objects, 'Endpoints')).toBeUndefined();
      const replica = find(objects, 'Service', 'pg-replica');
      expect(replica.spec.selector).toEqual({ ...selector, role: 'replica' });
      expect(replica.metadata.annotations['policy.receivables.io/exempt']).toMatch(/^ref\.service-selector: Patroni sets the role=replica label/);
      const config = find(objects, 'Service', 'pg-config');
      expect(config.spec).toEqual({ clusterIP: 'None' });
      const members = find(objects, 'Service', 'pg-members');
      expect(members.spec).toMatchObject({ clusterIP: 'None', publishNotReadyAddresses: true, selector });
      expect(pg.primaryHost).toBe('pg.db-postgres.svc');
      expect(pg.replicaHost).toBe('pg-replica.db-postgres.svc');
      expect(pg.connection.host).toBe('pg-pooler.db-postgres.svc');
      expect(pg.connection.port).toBe(5432);
      expect(pg.connection.secret.name).toBe('pg-app');
      expect(pg.connection.uri).toBe('postgresql://app@pg-pooler.db-postgres.svc:5432/app');
      // As a network peer, the cluster is its pooler: what clients open egress to.
      expect({ ns: pg.connections.peerNamespace, selector: pg.connections.peerSelector }).toEqual({
        ns: 'db-postgres',
        selector: find(objects, 'Deployment', 'pg-pooler').spec.selector.matchLabels,
      });
      expect(pg.databasePeer.peerSelector).toEqual(selector);
    });

    test('Patroni finds its pods by the selector labels, with the instance label as scope', () => {
      const k = patroniOf(objects).kubernetes;
      expect({ ...k.labels, [k.scope_label]: patroniOf(objects).scope }).toEqual(selector);
      expect(k.use_endpoints).toBe(true);
      expect(k.role_label).toBe('role');
    });

    test('RBAC is minimal: endpoints, pods, and read-only services, in a namespaced Role', () => {
      expect(all(objects, 'ClusterRole')).toHaveLength(0);
      expect(all(objects, 'ClusterRoleBinding')).toHaveLength(0);
      const role = find(objects, 'Role', 'pg-patroni');
      expect(role.rules.map((r: any) => r.resources).flat()).toEqual(['endpoints', 'pods', 'services']);
      expect(role.rules.find((r: any) => r.resources[0] === 'pods').verbs).toEqual(['get', 'list', 'watch', 'update', 'patch']);
      expect(role.rules.find((r: any) => r.resources[0] === 'services').verbs).toEqual(['get', 'list']);
      expect(role.rules.every((r: any) => !r.verbs.includes('*') && r.apiGroups.every((g: string) => g === ''))).toBe(true);
      expect(sts.spec.template.spec.serviceAccountName).toBe('pg-patroni');
      expect(find(objects, 'RoleBinding', 'pg-patroni').subjects).toEqual([{ kind: 'ServiceAccount', name: 'pg-patroni', namespace: 'db-postgres' }]);
    });

    test('probes hit Patroni on 8008: /readiness and /liveness, and they differ', () => {
      const c = container(objects, 'postgres');
      expect(c.readinessProbe.httpGet).toEqual({ path: '/readiness', port: 8008, scheme: 'HTTP' });
      expect(c.livenessProbe.httpGet).toEqual({ path: '/liveness', port: 8008, scheme: 'HTTP' });
      expect(c.readinessProbe).not.toEqual(c.livenessProbe);
      expect(c.startupProbe.httpGet.path).toBe('/liveness');
    });

    test('/dev/shm is a memory emptyDir, and the root filesystem is read-only with emptyDirs for writable paths', () => {
      const volumes = sts.spec.template.spec.volumes;
      expect(volumes.find((v: any) => v.name === 'dshm').emptyDir).toEqual({ medium: 'Memory', sizeLimit: '4Gi' });
      const c = container(objects, 'postgres');
      expect(c.volumeMounts.map((m: any) => m.mountPath)).toEqual(
        expect.arrayContaining(['/dev/shm', '/tmp', '/run/postgresql', '/home/postgres', '/home/postgres/pgdata']),
      );
      expect(c.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
      expect(sts.spec.template.spec.securityContext).toMatchObject({ runAsUser: 101, runAsGroup: 103, fsGroup: 103, runAsNonRoot: true });
    });

    test('parameters derive from the memory limit (LARGE: 4Gi)', () => {
      const params = patroniOf(objects).bootstrap.dcs.postgresql.parameters;
      expect(params).toMatchObject({
        max_connections: 100,
        shared_buffers: '1GB',
        effective_cache_size: '3GB',
        maintenance_work_mem: '256MB',
        work_mem: '10MB',
        wal_level: 'replica',
        archive_mode: 'off',
      });
      expect(patroniOf(objects).bootstrap.dcs).toMatchObject({
        synchronous_mode: false,
        failsafe_mode: true,
        ttl: 30,
        loop_wait: 10,
        retry_timeout: 10,
      });
    });
  });

  test('dcs CONFIG_MAPS: state in ConfigMaps, the leader Service selects role=primary (exempted), no Endpoints rights', () => {
    const { objects } = synth({ dcs: PatroniDcs.CONFIG_MAPS });
    const selector = find(objects, 'StatefulSet').spec.selector.matchLabels;
    const k = patroniOf(objects).kubernetes;
    expect(k.use_endpoints).toBe(false);
    expect(k.ports).toBeUndefined();
    // The value the leader Service selects, pinned whatever the Patroni version's default.
    expect([k.role_label, k.leader_label_value, k.standby_leader_label_value]).toEqual(['role', 'primary', 'primary']);
    const leader = find(objects, 'Service', 'pg');
    expect(leader.spec.selector).toEqual({ ...selector, role: 'primary' });
    expect(leader.metadata.annotations['policy.receivables.io/exempt']).toMatch(/^ref\.service-selector: Patroni sets the role=primary label/);
    // Readiness keeps a primary that lost the lock out of the Service.
    expect(container(objects, 'postgres').readinessProbe.httpGet.path).toBe('/readiness');
    expect(find(objects, 'Service', 'pg-config')).toBeUndefined();
    const role = find(objects, 'Role', 'pg-patroni');
    expect(role.rules.map((r: any) => r.resources).flat()).toEqual(['configmaps', 'pods']);
    // The default stays Endpoints.
    expect(patroniOf(synth().objects).kubernetes.use_endpoints).toBe(true);
  });

  test('zoneSpread: a topology spread across zones when asked', () => {
    const { objects } = synth({ zoneSpread: true });
    expect(find(objects, 'StatefulSet').spec.template.spec.topologySpreadConstraints[0].topologyKey).toBe('topology.kubernetes.io/zone');
  });

  test('synchronous mode with 3 replicas', () => {
    const { objects } = synth({ synchronousMode: true });
    expect(patroniOf(objects).bootstrap.dcs.synchronous_mode).toBe(true);
    expect(patroniOf(objects).bootstrap.dcs.postgresql.parameters.synchronous_commit).toBe('on');
  });

  test('typed parameters and the parameters map reach patroni.yml; on/off stay strings for PyYAML', () => {
    const { objects } = synth({ maxConnections: 300, sharedBuffers: '512MB', parameters: { statement_timeout: '30s', jit: 'off' } });
    const text = find(objects, 'ConfigMap', 'pg-patroni').data['patroni.yml'];
    expect(text).toMatch(/jit: "off"/);
    expect(patroniOf(objects).bootstrap.dcs.postgresql.parameters).toMatchObject({
      max_connections: 300,
      shared_buffers: '512MB',
      statement_timeout: '30s',
      jit: 'off',
    });
  });

  test('single replica in dev: no PDB, no anti-affinity, a warning', () => {
    const { objects, pg } = synth({ replicas: 1, allowSingleInstance: true, pooler: { replicas: 1 } });
    expect(find(objects, 'StatefulSet').spec.replicas).toBe(1);
    expect(all(objects, 'PodDisruptionBudget')).toHaveLength(0);
    expect(find(objects, 'StatefulSet').spec.template.spec.affinity).toBeUndefined();
    expect(pg.node.metadata.find((m) => m.type === 'warning')?.data).toMatch(/single PostgreSQL instance has no failover/);
  });
});
