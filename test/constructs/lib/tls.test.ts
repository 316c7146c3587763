/* eslint-disable @typescript-eslint/no-explicit-any */
import { Chart, Testing } from 'cdk8s';
import { Construct } from 'constructs';
import { Manifest } from '../../../gate/manifest';
import { runPolicies } from '../../../gate/policy';
import { SchemaRegistry } from '../../../gate/schema';
import { PropChecks } from '../../../constructs/lib/prop-errors';
import { clusterCertificate, resolveTls, TlsProps } from '../../../constructs/lib/tls';
import { errorOf } from '../../helpers/errors';

function problems(tls: TlsProps): string {
  const scope = new Construct(Testing.chart(), 'Db');
  const check = new PropChecks(scope);
  resolveTls(check, tls);
  return errorOf(() => check.throwIfAny()).message;
}

function render(tls: TlsProps = {}): any[] {
  const chart: Chart = Testing.chart();
  const scope = new Construct(chart, 'Db');
  const check = new PropChecks(scope);
  const files = clusterCertificate(scope, 'Tls', {
    namespace: 'db',
    name: 'pg',
    labels: { app: 'pg' },
    dnsNames: ['pg.db.svc', 'pg-0.pg.db.svc'],
    tls: resolveTls(check, tls),
  });
  expect(files).toEqual({ secretName: 'pg-tls', cert: '/tls/tls.crt', key: '/tls/tls.key', ca: '/tls/ca.crt' });
  return Testing.synth(chart);
}

describe('clusterCertificate (cert-manager)', () => {
  test('by default a CA per cluster: self-signed issuer, CA certificate, CA issuer, and the server certificate it signs', () => {
    const objs = render();
    expect(objs.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(['Issuer/pg-selfsigned', 'Certificate/pg-ca', 'Issuer/pg-ca', 'Certificate/pg-tls']);
    const [, ca, caIssuer, server] = objs;
    expect(ca.spec).toMatchObject({ isCA: true, secretName: 'pg-ca', issuerRef: { name: 'pg-selfsigned', kind: 'Issuer' } });
    expect(caIssuer.spec).toEqual({ ca: { secretName: 'pg-ca' } });
    expect(server.spec).toMatchObject({
      secretName: 'pg-tls',
      commonName: 'pg.db.svc',
      dnsNames: ['pg.db.svc', 'pg-0.pg.db.svc'],
      duration: '2160h',
      renewBefore: '360h',
      usages: ['server auth', 'client auth', 'digital signature'],
      issuerRef: { name: 'pg-ca', kind: 'Issuer', group: 'cert-manager.io' },
    });
  });

  test('an existing issuer replaces the per-cluster CA', () => {
    const objs = render({ issuer: { name: 'vault-pki' } });
    expect(objs.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(['Certificate/pg-tls']);
    expect(objs[0].spec.issuerRef).toEqual({ name: 'vault-pki', kind: 'ClusterIssuer', group: 'cert-manager.io' });
  });

  test('the objects pass the cert-manager v1.21 CRD schema and the reference check', () => {
    const manifests: Manifest[] = render().map((obj) => ({ file: 't.yaml', obj }));
    const registry = SchemaRegistry.default();
    for (const m of manifests) {
      expect(registry.validate(m.obj as any)).toEqual([]);
    }
    expect(runPolicies(manifests, registry).problems.filter((f) => f.rule === 'ref.certificate-issuer')).toEqual([]);
  });

  test('ref.certificate-issuer: a certificate whose issuer is not rendered is never issued', () => {
    const manifests: Manifest[] = render()
      .filter((o) => o.metadata.name !== 'pg-ca' || o.kind !== 'Issuer')
      .map((obj) => ({ file: 't.yaml', obj }));
    const found = runPolicies(manifests, SchemaRegistry.default()).problems.filter((f) => f.rule === 'ref.certificate-issuer');
    expect(found.map((f) => [f.object, f.message])).toEqual([
      ['Certificate/db/pg-tls', 'is signed by Issuer "pg-ca", which does not exist in namespace "db": the certificate is never issued'],
    ]);
  });

  test('bad durations and issuer names are prop problems, all listed', () => {
    const msg = problems({ duration: '90d', renewBefore: '1h', issuer: { name: 'Vault_PKI' } });
    expect(msg).toContain('test/Db: tls.duration: must be a Go duration in h/m/s, such as 2160h (got "90d")');
    expect(msg).toContain('test/Db: tls.issuer.name: must be a Kubernetes object name (got "Vault_PKI")');
    expect(problems({ duration: '24h', renewBefore: '48h' })).toContain('tls.renewBefore: must be shorter than duration (24h) (got "48h")');
    expect(problems({ duration: '30m', renewBefore: '10m' })).toContain('tls.duration: must be at least 1h');
  });
});
