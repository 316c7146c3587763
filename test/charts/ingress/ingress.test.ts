/* eslint-disable @typescript-eslint/no-explicit-any */
import { App, Testing } from 'cdk8s';
import { AppCoreChart, coreBackends } from '../../../charts/app-core';
import { AppFrontendChart, frontendBackend } from '../../../charts/app-frontend';
import { IngressChart } from '../../../charts/ingress';
import { loadEnvironments } from '../../../environments/load';

describe('ingress chart', () => {
  const [prod] = loadEnvironments(['prod']);
  const objects: any[] = Testing.synth(new IngressChart(new App(), prod));
  const policy = (name: string): any => objects.find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === name)?.spec;

  test('the internet reaches the proxy ports of both controllers (ingress-nginx 80/443, Kong 8000/8443)', () => {
    const p = policy('allow-public-to-controllers');
    expect(p.podSelector).toEqual({});
    expect(p.ingress[0].from).toEqual([{ ipBlock: { cidr: '0.0.0.0/0' } }, { ipBlock: { cidr: '::/0' } }]);
    expect(p.ingress[0].ports.map((x: any) => x.port)).toEqual([80, 443, 8000, 8443]);
  });

  test('the proxies reach exactly the frontend and the four app-core services, on their ports', () => {
    const egress = policy('allow-controllers-to-backends').egress;
    const targets = egress.map(
      (r: any) =>
        `${r.to[0].namespaceSelector.matchLabels['kubernetes.io/metadata.name']}/${r.to[0].podSelector.matchLabels['app.kubernetes.io/name']}:${r.ports[0].port}`,
    );
    expect(targets).toEqual([
      'app-frontend/frontend:8080',
      'app-core/auth:8080',
      'app-core/user-management:8080',
      'app-core/invoice-processing:8080',
      'app-core/mobile-backend:8080',
    ]);
  });

  test('the backend functions match the real workloads: selector and port', () => {
    const site = new AppFrontendChart(new App(), prod).site;
    expect(frontendBackend()).toEqual({ namespace: site.namespace, podSelector: site.selector, port: site.port });
    const services = new AppCoreChart(new App(), prod).services;
    expect(coreBackends()).toEqual(Object.values(services).map((s) => ({ namespace: s.namespace, podSelector: s.selector, port: s.port })));
  });

  test('the ACME solvers in app-frontend and app-core (exempt: they exist only during a challenge), and the API server', () => {
    const solvers = objects.find((o) => o.metadata.name === 'allow-controllers-to-acme-solvers');
    expect(solvers.spec.egress[0].ports).toEqual([{ port: 8089, protocol: 'TCP' }]);
    expect(solvers.spec.egress[0].to.map((t: any) => t.namespaceSelector.matchLabels['kubernetes.io/metadata.name'])).toEqual([
      'app-frontend',
      'app-core',
    ]);
    expect(solvers.metadata.annotations['policy.receivables.io/exempt']).toMatch(/^ref\.netpol-peer: /);
    expect(policy('allow-controllers-to-api-server').egress).toEqual([
      {
        ports: [
          { port: 443, protocol: 'TCP' },
          { port: 6443, protocol: 'TCP' },
        ],
      },
    ]);
  });
});
