import { Testing } from 'cdk8s';
import { IngressControllerPolicies } from '../../../../constructs/lib/edge';
import { errorOf } from '../../../helpers/errors';

/* eslint-disable @typescript-eslint/no-explicit-any */

describe('IngressControllerPolicies', () => {
  test('no solver policy without solver namespaces; API server egress narrowed by CIDRs', () => {
    const chart = Testing.chart();
    new IngressControllerPolicies(chart, 'P', {
      namespace: 'ingress',
      backends: [{ namespace: 'web', podSelector: { app: 'web' }, port: 8080 }],
      apiServerCidrs: ['10.0.0.1/32'],
    });
    const objs = Testing.synth(chart) as any[];
    expect(objs.map((o) => o.metadata.name)).toEqual(['allow-public-to-controllers', 'allow-controllers-to-backends', 'allow-controllers-to-api-server']);
    expect(objs[2].spec.egress[0].to).toEqual([{ ipBlock: { cidr: '10.0.0.1/32' } }]);
  });

  test('fails when a backend selects a whole namespace or has no port, and with no backends', () => {
    const err = errorOf(() => new IngressControllerPolicies(Testing.chart(), 'P', { namespace: 'ingress', backends: [{ namespace: 'web', podSelector: {}, port: 0 }] }));
    expect(err.problems.map((p) => p.field)).toEqual(['backends[0].podSelector', 'backends[0].port']);
    expect(errorOf(() => new IngressControllerPolicies(Testing.chart(), 'P', { namespace: 'ingress', backends: [] })).message).toContain('backends: must name at least one backend');
  });
});
