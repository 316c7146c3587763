/* eslint-disable @typescript-eslint/no-explicit-any */
import { Connections } from '../../../constructs/lib/connections';
import { INetworkPeer } from '../../../constructs/lib/network';
import { all, find, synth } from './support';

const fromNamespace = (ns: string, pods: Record<string, string> = {}): any => ({
  namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ns } },
  podSelector: { matchLabels: pods },
});

describe('PostgresHA network', () => {
  test('NetworkPolicies: members talk to each other on 5432/8008, the API server on 443/6443; nothing else leaves', () => {
    const { objects } = synth();
    const selector = find(objects, 'StatefulSet').spec.selector.matchLabels;
    const egress = find(objects, 'NetworkPolicy', 'pg-egress').spec.egress;
    expect(egress[0].ports.map((p: any) => p.port)).toEqual([5432, 8008]);
    expect(egress[1]).toEqual({ ports: [443, 6443].map((port) => ({ protocol: 'TCP', port })) });
    expect(egress).toHaveLength(2);
    const ingress = find(objects, 'NetworkPolicy', 'pg-ingress').spec.ingress;
    expect(ingress[0]).toEqual({
      from: [{ podSelector: { matchLabels: selector } }],
      ports: [5432, 8008].map((port) => ({ protocol: 'TCP', port })),
    });
  });

  test('allowFrom admits a workload to the pooler on 5432 only', () => {
    const { objects } = synth({}, (pg) => pg.allowFrom({ peerNamespace: 'app-core', peerSelector: { app: 'api' } }));
    const np = find(objects, 'NetworkPolicy', 'pg-from-app-core');
    expect(np.spec.podSelector.matchLabels['app.kubernetes.io/component']).toBe('pooler');
    expect(np.spec.ingress).toEqual([{ from: [fromNamespace('app-core', { app: 'api' })], ports: [{ protocol: 'TCP', port: 5432 }] }]);
  });

  test('allowFrom with several peers writes one NetworkPolicy per peer, in order, with a suffix for a namespace that comes twice', () => {
    const { objects } = synth({}, (pg) => {
      pg.allowFrom({ peerNamespace: 'app-core', peerSelector: {} }, { peerNamespace: 'app-batch', peerSelector: {} });
      pg.allowFrom({ peerNamespace: 'app-core', peerSelector: { app: 'worker' } });
    });
    const clients = all(objects, 'NetworkPolicy').filter((p) => p.metadata.name.startsWith('pg-from-'));
    expect(clients.map((p) => p.metadata.name)).toEqual(['pg-from-app-core', 'pg-from-app-batch', 'pg-from-app-core-2']);
    expect(clients[2].spec.ingress[0].from).toEqual([fromNamespace('app-core', { app: 'worker' })]);
  });

  test('allowFrom an IConnectable peer admits its pods and lets it render its own egress to the pooler', () => {
    const egress: { to: INetworkPeer; ports: readonly number[] }[] = [];
    const client = {
      connections: new Connections({
        peerNamespace: 'app-core',
        peerSelector: { app: 'api' },
        defaultPorts: [8080],
        renderIngress: () => undefined,
        renderEgress: (to, ports) => egress.push({ to, ports }),
      }),
    };
    let pooler: INetworkPeer | undefined;
    const { objects } = synth({}, (pg) => {
      pg.allowFrom(client);
      pooler = pg.connections;
    });
    expect(find(objects, 'NetworkPolicy', 'pg-from-app-core').spec.ingress[0].from).toEqual([fromNamespace('app-core', { app: 'api' })]);
    expect(egress).toEqual([{ to: pooler, ports: [5432] }]);
    expect(pooler!.peerSelector['app.kubernetes.io/component']).toBe('pooler');
  });
});
