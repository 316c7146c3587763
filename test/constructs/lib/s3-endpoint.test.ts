/* eslint-disable @typescript-eslint/no-explicit-any */
import { Chart, Testing } from 'cdk8s';
import { Connections } from '../../../constructs/lib/connections';
import { S3Endpoint, s3Address } from '../../../constructs/lib/s3-endpoint';
import { errorOf } from '../../helpers/errors';

describe('S3Endpoint', () => {
  test('the address clients write to: URL, host, port and the pods behind it', () => {
    expect(s3Address({ namespace: 'storage-minio', service: 'minio' })).toEqual({
      url: 'http://minio.storage-minio.svc:9000',
      host: 'minio.storage-minio.svc',
      port: 9000,
      peerNamespace: 'storage-minio',
      peerSelector: {},
    });
    expect(s3Address({ namespace: 's3', service: 'api', port: 443, scheme: 'https', podSelector: { app: 'minio' } }).url).toBe(
      'https://api.s3.svc:443',
    );
  });

  test('allowFrom writes one ingress policy per peer into the store namespace, and the peer its egress', () => {
    const chart = Testing.chart();
    const s3 = new S3Endpoint(chart, 'S3', { namespace: 'store', service: 'minio', podSelector: { app: 'minio' } });
    const egress: [string, readonly number[]][] = [];
    const writer = {
      connections: new Connections({
        peerNamespace: 'db',
        peerSelector: { app: 'pg' },
        defaultPorts: [5432],
        renderIngress: () => undefined,
        renderEgress: (to, ports) => egress.push([to.peerNamespace, ports]),
      }),
    };
    s3.connections.allowFrom(writer, { peerNamespace: 'db', peerSelector: { app: 'dump' } });
    const objects = Testing.synth(chart);
    expect(objects.map((o: any) => o.metadata.name)).toEqual(['minio-from-db', 'minio-from-db-2']);
    expect(objects[0].metadata.namespace).toBe('store');
    expect(objects[0].spec.podSelector).toEqual({ matchLabels: { app: 'minio' } });
    expect(objects[0].spec.ingress[0].from[0].podSelector).toEqual({ matchLabels: { app: 'pg' } });
    expect(objects[0].spec.ingress[0].ports).toEqual([{ protocol: 'TCP', port: 9000 }]);
    expect(egress).toEqual([['store', [9000]]]);
  });

  test('fails when namespace, service or port are invalid, listing every problem', () => {
    const e = errorOf(() => new S3Endpoint(new Chart(Testing.app(), 'c'), 'S3', { namespace: 'Store', service: 'mini_o', port: 0 }));
    expect(e.constructPath).toBe('c/S3');
    expect(e.problems.map((p) => p.field)).toEqual(['namespace', 'service', 'port']);
    expect(e.message).toContain('c/S3: port: must be an integer from 1 to 65535 (got 0)');
  });
});
