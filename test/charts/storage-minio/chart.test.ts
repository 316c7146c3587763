/* eslint-disable @typescript-eslint/no-explicit-any */
import { App, Testing } from 'cdk8s';
import { DbPostgresChart } from '../../../charts/db-postgres';
import { StorageMinioChart } from '../../../charts/storage-minio';
import { loadEnvironments } from '../../../environments/load';

describe('storage-minio chart', () => {
  const configs = Object.fromEntries(loadEnvironments(['dev', 'staging', 'prod', 'dr']).map((c) => [c.name, c]));
  const policies = (env: string): any[] =>
    Testing.synth(new StorageMinioChart(new App(), configs[env])).filter((o: any) => o.kind === 'NetworkPolicy');

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

  test('dev backs nothing up: the namespace stays closed, default-deny and DNS only', () => {
    expect(policies('dev').map((p) => p.metadata.name)).toEqual(['default-deny', 'allow-dns-egress']);
  });
});
