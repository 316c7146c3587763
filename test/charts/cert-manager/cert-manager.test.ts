/* eslint-disable @typescript-eslint/no-explicit-any */
import { App, Testing } from 'cdk8s';
import { CertManagerChart } from '../../../charts/cert-manager';
import { loadEnvironments } from '../../../environments/load';

describe('cert-manager chart', () => {
  const [dev, prod] = loadEnvironments(['dev', 'prod']);
  const issuerOf = (objects: any[]): any => objects.find((o) => o.kind === 'ClusterIssuer');

  test("prod: Let's Encrypt, HTTP-01 through Kong for the API host and ingress-nginx for every other host", () => {
    const issuer = issuerOf(Testing.synth(new CertManagerChart(new App(), prod)));
    expect(issuer.metadata.name).toBe('letsencrypt-prod');
    expect(issuer.metadata.namespace).toBeUndefined();
    expect(issuer.spec.acme.server).toBe('https://acme-v02.api.letsencrypt.org/directory');
    expect(issuer.spec.acme.privateKeySecretRef).toEqual({ name: 'letsencrypt-prod-account-key' });
    expect(issuer.spec.acme.solvers).toEqual([
      { selector: { dnsNames: ['api.receivables.example.com'] }, http01: { ingress: { ingressClassName: 'kong' } } },
      { http01: { ingress: { ingressClassName: 'nginx' } } },
    ]);
  });

  test("dev: the staging directory of Let's Encrypt (no rate limits hit by throwaway certificates)", () => {
    const issuer = issuerOf(Testing.synth(new CertManagerChart(new App(), dev)));
    expect([issuer.metadata.name, issuer.spec.acme.server]).toEqual([
      'letsencrypt-staging',
      'https://acme-staging-v02.api.letsencrypt.org/directory',
    ]);
  });
});
