/* eslint-disable @typescript-eslint/no-explicit-any */
import { Chart, Testing } from 'cdk8s';
import { CoreService } from '../../../constructs/core-service';
import { errorOf } from '../../helpers/errors';

const BASE = { namespace: 'app-core', image: 'registry.example.com/receivables/auth-service:1.4.2', secretStore: { name: 'platform-secrets' } };

function synth(props: Record<string, unknown> = {}): any[] {
  const chart = new Chart(Testing.app(), 'test', { disableResourceNameHashes: true });
  new CoreService(chart, 'Auth', { ...BASE, ...props });
  return Testing.synth(chart);
}

describe('CoreService', () => {
  test('a Deployment of component api with NODE_ENV=production', () => {
    const d = synth().find((o) => o.kind === 'Deployment');
    expect(d.metadata.labels['app.kubernetes.io/component']).toBe('api');
    expect(d.spec.template.spec.containers[0].env).toContainEqual({ name: 'NODE_ENV', value: 'production' });
  });

  test('env can override NODE_ENV', () => {
    const d = synth({ env: { NODE_ENV: 'staging' } }).find((o) => o.kind === 'Deployment');
    expect(d.spec.template.spec.containers[0].env).toEqual([{ name: 'NODE_ENV', value: 'staging' }]);
  });

  test('fails when the image is unpinned or the port is privileged', () => {
    const err = errorOf(() => synth({ image: 'receivables/auth-service', port: 443 }));
    expect(err.problems.map((p) => p.field)).toEqual(['image', 'port']);
    expect(err.message).toContain('test/Auth: port: must be an integer from 1024 to 65535 (got 443)');
  });
});
