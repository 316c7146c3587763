/* eslint-disable @typescript-eslint/no-explicit-any */
import { container, find, patroniOf, synth } from './support';

describe('PostgresHA Patroni REST API authentication', () => {
  test('the members get the REST API user as a value and its password from the credentials Secret', () => {
    const { objects } = synth();
    const env: any[] = container(objects, 'postgres').env;
    expect(env.find((e) => e.name === 'PATRONI_RESTAPI_USERNAME')).toEqual({ name: 'PATRONI_RESTAPI_USERNAME', value: 'patroni' });
    expect(env.find((e) => e.name === 'PATRONI_RESTAPI_PASSWORD')).toEqual({
      name: 'PATRONI_RESTAPI_PASSWORD',
      valueFrom: { secretKeyRef: { name: 'pg-credentials', key: 'restapi-password' } },
    });
  });

  test('the credentials ExternalSecret reads restapi-password from the store', () => {
    const { objects } = synth();
    const secret = objects.find((o) => o.kind === 'ExternalSecret' && o.metadata.name === 'pg-credentials');
    expect(secret.spec.data).toContainEqual({ secretKey: 'restapi-password', remoteRef: { key: 'postgres/pg', property: 'restapi-password' } });
  });

  test('no password is in patroni.yml and the probes use GET endpoints, which Patroni leaves open', () => {
    const { objects } = synth();
    expect(patroniOf(objects).restapi).toEqual({ listen: '0.0.0.0:8008' });
    const pg = container(objects, 'postgres');
    expect([pg.readinessProbe.httpGet.path, pg.livenessProbe.httpGet.path, pg.startupProbe.httpGet.path]).toEqual([
      '/readiness',
      '/liveness',
      '/liveness',
    ]);
    expect(find(objects, 'StatefulSet')).toBeDefined();
  });
});
