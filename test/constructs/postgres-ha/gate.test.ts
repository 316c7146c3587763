import { Chart, Testing } from 'cdk8s';
import { runGate } from '../../../gate/gate';
import { SchemaRegistry } from '../../../gate/schema';
import { PlatformNamespace } from '../../../constructs/platform-namespace';
import { S3Endpoint } from '../../../constructs/lib/s3-endpoint';
import { PatroniDcs, PostgresHA, PostgresHAProps, StandbySource } from '../../../constructs/postgres-ha';
import { BACKUP, MONITORING_PEER, STORE } from './support';

describe('every variant passes the gate (schemas, policy, references)', () => {
  const registry = SchemaRegistry.default();
  const variants: [string, Partial<PostgresHAProps>][] = [
    ['defaults', {}],
    ['single replica', { replicas: 1, allowSingleInstance: true, pooler: { replicas: 1 } }],
    ['backups, zones, synchronous', { backup: BACKUP, zoneSpread: true, synchronousMode: true, monitoring: { scrapers: [MONITORING_PEER] } }],
    ['restore', { backup: BACKUP, restoreFrom: { sourceCluster: 'old' } }],
    [
      'archive standby',
      {
        backup: BACKUP,
        standbyOf: StandbySource.archive({
          endpoint: 'https://minio.prod.example.com',
          bucket: 'postgres-backups',
          prefix: 'prod',
          cluster: 'pg',
          credentialsRemoteKey: 'prod/ro',
        }),
      },
    ],
    [
      'streaming standby with archive fallback',
      {
        backup: BACKUP,
        standbyOf: StandbySource.primary('pg.prod.example.com', 5432, {
          archive: {
            endpoint: 'https://minio.prod.example.com',
            bucket: 'postgres-backups',
            prefix: 'prod',
            cluster: 'pg',
            credentialsRemoteKey: 'prod/ro',
          },
        }),
      },
    ],
    ['remote standby', { standbyOf: StandbySource.primary('pg.prod.example.com'), apiServerCidrs: ['10.0.0.1/32'] }],
    ['promoted', { backup: BACKUP, promote: true }],
    ['no monitoring', { monitoring: { enabled: false } }],
    ['ConfigMaps DCS', { dcs: PatroniDcs.CONFIG_MAPS }],
  ];
  test.each(variants)('%s', (_, props) => {
    // No chart namespace: it would land on the Namespace objects too.
    const chart = new Chart(Testing.app(), 'test', { disableResourceNameHashes: true });
    for (const ns of ['db-postgres', 'storage-minio', 'monitoring', 'app-core']) {
      new PlatformNamespace(chart, `Ns-${ns}`, { name: ns });
    }
    const pg = new PostgresHA(chart, 'Postgres', { name: 'pg', namespace: 'db-postgres', secretStore: STORE, ...props });
    pg.allowFrom({ peerNamespace: 'app-core', peerSelector: {} });
    pg.addTenantSchema('acme');
    if (props.backup) {
      // The backup target's side of the pair (net.in-cluster-url): MinIO lets db-postgres in.
      new S3Endpoint(chart, 'S3', { namespace: 'storage-minio', service: 'minio' }).connections.allowFrom({
        peerNamespace: 'db-postgres',
        peerSelector: {},
      });
    }
    const result = runGate(
      Testing.synth(chart).map((obj) => ({ file: 'test.yaml', obj })),
      { registry },
    );
    expect(result.problems.filter((p) => p.severity === 'error').map((p) => `${p.object} ${p.path}: ${p.rule}: ${p.message}`)).toEqual([]);
  });
});
