/* eslint-disable @typescript-eslint/no-explicit-any */
import { App, Testing } from 'cdk8s';
import { DbElasticsearchChart } from '../../../charts/db-elasticsearch';
import { DbPostgresChart } from '../../../charts/db-postgres';
import { StorageMinioChart } from '../../../charts/storage-minio';
import { modelServerReader } from '../../../charts/app-agents/model-servers';
import { minioReaderEndpoint } from '../../../charts/shared';
import { loadEnvironments } from '../../../environments/load';

describe('storage-minio chart', () => {
  const configs = Object.fromEntries(loadEnvironments(['dev', 'staging', 'prod', 'dr']).map((c) => [c.name, c]));
  const synth = (env: string): any[] => Testing.synth(new StorageMinioChart(new App(), configs[env]));
  const policies = (env: string): any[] => synth(env).filter((o: any) => o.kind === 'NetworkPolicy');
  const find = (objects: any[], kind: string, name: string): any => objects.find((o) => o.kind === kind && o.metadata.name === name);
  const serverArgs = (objects: any[]): string[] => find(objects, 'StatefulSet', 'minio').spec.template.spec.containers[0].args;

  test.each([
    // [env, pods, drives per pod, last server argument, parity, PDB maxUnavailable]
    ['dev', 1, 4, '/data{0...3}', 'EC:2', undefined],
    ['staging', 4, 2, 'http://minio-{0...3}.minio-hl.storage-minio.svc.cluster.local/data{0...1}', 'EC:4', 1],
    ['prod', 4, 4, 'http://minio-{0...3}.minio-hl.storage-minio.svc.cluster.local/data{0...3}', 'EC:4', 1],
    ['dr', 4, 4, 'http://minio-{0...3}.minio-hl.storage-minio.svc.cluster.local/data{0...3}', 'EC:4', 1],
  ])('%s: %i pods x %i drives', (env, pods, drives, arg, parity, maxUnavailable) => {
    const objects = synth(env);
    const sts = find(objects, 'StatefulSet', 'minio');
    expect(sts.spec.replicas).toBe(pods);
    expect(sts.spec.volumeClaimTemplates).toHaveLength(drives);
    expect(serverArgs(objects).at(-1)).toBe(arg);
    expect(sts.spec.template.spec.containers[0].env.find((e: any) => e.name === 'MINIO_STORAGE_CLASS_STANDARD').value).toBe(parity);
    expect(find(objects, 'PodDisruptionBudget', 'minio')?.spec.maxUnavailable).toBe(maxUnavailable);
    expect(sts.spec.template.spec.containers[0].image).toBe('harbor.receivables.example.com/platform/minio/minio:RELEASE.2024-12-18T13-15-44Z');
  });

  test('the platform buckets: invoices locked and versioned, backups expiring, logs', () => {
    const script = find(synth('prod'), 'ConfigMap', 'minio-setup').data['setup.sh'];
    expect(script).toContain('mc mb --ignore-existing --with-lock platform/invoices\nmc version enable platform/invoices\n');
    expect(script).toContain('mc ilm import platform/backups < "$FILES/lifecycle-backups.json"');
    expect(script).toContain('mc mb --ignore-existing platform/logs\n');
    const lifecycle = JSON.parse(find(synth('prod'), 'ConfigMap', 'minio-setup').data['lifecycle-backups.json']);
    expect(lifecycle.Rules[0].Expiration.Days).toBe(configs.prod.minio.backupRetentionDays);
  });

  test.each(['staging', 'prod', 'dr'])('%s: MinIO admits db-postgres on the S3 port the backups use', (env) => {
    const allow = policies(env).find((p) => p.metadata.name === 'minio-from-db-postgres');
    expect(allow.metadata.namespace).toBe('storage-minio');
    expect(allow.spec.policyTypes).toEqual(['Ingress']);
    expect(allow.spec.ingress).toEqual([
      {
        from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'db-postgres' } }, podSelector: { matchLabels: {} } }],
        ports: [{ protocol: 'TCP', port: 9000 }],
      },
    ]);
    // The other side: PostgreSQL writes to exactly this endpoint and opens its egress to it.
    const db = Testing.synth(new DbPostgresChart(new App(), configs[env]));
    const members = db.find((o: any) => o.kind === 'StatefulSet');
    const env_ = members.spec.template.spec.containers[0].env;
    expect(env_.find((e: any) => e.name === 'AWS_ENDPOINT').value).toBe('http://minio.storage-minio.svc:9000');
    const egress = db.find((o: any) => o.kind === 'NetworkPolicy' && o.metadata.name === 'postgres-egress').spec.egress;
    expect(egress).toContainEqual({
      to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'storage-minio' } }, podSelector: { matchLabels: {} } }],
      ports: [{ protocol: 'TCP', port: 9000 }],
    });
  });

  test.each(['staging', 'prod'])('%s: each backup writer is a MinIO user with the keys its client reads, on its own folder', (env) => {
    const objects = synth(env);
    const script = find(objects, 'ConfigMap', 'minio-setup').data;
    const pg = JSON.parse(script['policy-db-postgres-backup.json']);
    expect(pg.Statement[1].Resource).toEqual([`arn:aws:s3:::postgres-backups/${env}/*`]);
    expect(find(objects, 'ExternalSecret', 'minio-user-db-postgres').spec.data[0].remoteRef).toEqual({
      key: `${env}/db-postgres/backup-s3`,
      property: 'access-key-id',
    });
    // Elasticsearch writes to the bucket and folder the user may write.
    const es = Testing.synth(new DbElasticsearchChart(new App(), configs[env]));
    const repo = JSON.parse(es.find((o: any) => o.kind === 'ConfigMap' && o.metadata.name === 'elasticsearch-setup').data['repository.json']);
    expect(JSON.parse(script['policy-db-elasticsearch-backup.json']).Statement[1].Resource).toEqual([
      `arn:aws:s3:::${repo.settings.bucket}/${repo.settings.base_path}/*`,
    ]);
    expect(find(objects, 'ExternalSecret', 'minio-user-db-elasticsearch').spec.data[0].remoteRef.key).toBe(`${env}/db-elasticsearch/snapshot-s3`);
  });

  test('dev backs nothing up: no writer is let in, only the model reader is a user', () => {
    const names = policies('dev').map((p) => p.metadata.name);
    expect(names.filter((n) => n.startsWith('minio-from-'))).toEqual(['minio-from-app-agents']);
    const users = synth('dev').filter((o: any) => o.kind === 'ExternalSecret' && o.metadata.name.startsWith('minio-user-'));
    expect(users.map((o: any) => o.metadata.name)).toEqual(['minio-user-app-agents-models']);
  });

  test.each(['dev', 'staging', 'prod', 'dr'])(
    '%s: the models bucket, read-only for the model servers of app-agents, whose keys their init container reads',
    (env) => {
      const objects = synth(env);
      const files = find(objects, 'ConfigMap', 'minio-setup').data;
      expect(files['setup.sh']).toContain('mc mb --ignore-existing platform/models\n');
      expect(JSON.parse(files['policy-app-agents-models-read.json']).Statement).toEqual([
        { Effect: 'Allow', Action: ['s3:GetBucketLocation', 's3:ListBucket'], Resource: ['arn:aws:s3:::models'] },
        { Effect: 'Allow', Action: ['s3:GetObject'], Resource: ['arn:aws:s3:::models/*'] },
      ]);
      const reader = modelServerReader(configs[env]);
      expect(find(objects, 'ExternalSecret', 'minio-user-app-agents-models').spec.data.map((d: any) => d.remoteRef)).toEqual([
        { key: reader.credentialsRemoteKey, property: 'access-key-id' },
        { key: reader.credentialsRemoteKey, property: 'secret-access-key' },
      ]);
      expect(find(objects, 'NetworkPolicy', 'minio-from-app-agents').spec.ingress).toEqual([
        {
          from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'app-agents' } }, podSelector: { matchLabels: {} } }],
          ports: [{ protocol: 'TCP', port: 9000 }],
        },
      ]);
      // The client side names the same keys, host and port.
      const endpoint = minioReaderEndpoint(reader);
      expect([endpoint.host, endpoint.port]).toEqual(['minio.storage-minio.svc', 9000]);
      expect(endpoint.secretSettings?.SECRET_ACCESS_KEY).toEqual({ remoteKey: reader.credentialsRemoteKey, property: 'secret-access-key' });
    },
  );
});
