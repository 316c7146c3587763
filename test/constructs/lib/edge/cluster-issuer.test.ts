import { Testing } from 'cdk8s';
import { AcmeClusterIssuer, AcmeClusterIssuerProps } from '../../../../constructs/lib/edge';
import { errorOf } from '../../../helpers/errors';

/* eslint-disable @typescript-eslint/no-explicit-any */

const PROPS: AcmeClusterIssuerProps = {
  name: 'letsencrypt-prod',
  server: 'https://acme-v02.api.letsencrypt.org/directory',
  email: 'ops@example.com',
  solvers: [{ ingressClassName: 'kong', dnsNames: ['api.example.com'] }, { ingressClassName: 'nginx' }],
};

describe('AcmeClusterIssuer', () => {
  test('a cluster-scoped ACME issuer whose account key Secret cert-manager creates, one HTTP-01 solver per controller', () => {
    const chart = Testing.chart();
    const issuer = new AcmeClusterIssuer(chart, 'Issuer', PROPS);
    const [o] = Testing.synth(chart) as any[];
    expect([o.kind, o.metadata.name, o.metadata.namespace]).toEqual(['ClusterIssuer', 'letsencrypt-prod', undefined]);
    expect(o.spec.acme.privateKeySecretRef).toEqual({ name: issuer.accountKeySecretName });
    expect(issuer.accountKeySecretName).toBe('letsencrypt-prod-account-key');
    expect(o.spec.acme.solvers[0]).toEqual({ selector: { dnsNames: ['api.example.com'] }, http01: { ingress: { ingressClassName: 'kong' } } });
    expect(o.spec.acme.solvers[1]).toEqual({ http01: { ingress: { ingressClassName: 'nginx' } } });
  });

  test('fails when the server is not https, the e-mail is bad and two solvers claim to be the default', () => {
    const err = errorOf(
      () =>
        new AcmeClusterIssuer(Testing.chart(), 'Issuer', {
          ...PROPS,
          server: 'http://acme.example.com',
          email: 'ops',
          solvers: [{ ingressClassName: 'nginx' }, { ingressClassName: 'kong' }],
        }),
    );
    expect(err.problems.map((p) => p.field)).toEqual(['server', 'email', 'solvers']);
    expect(err.message).toContain('Issuer: solvers: may have one default solver (without dnsNames) at most (got 2)');
  });
});
