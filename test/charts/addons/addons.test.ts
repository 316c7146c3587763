import { HelmRepo, resolveAddons, AddonProps } from '../../../charts/addons/addon';
import { checkValues } from '../../../charts/addons/values-schema';
import { loadEnvironments } from '../../../environments/load';

const [prod] = loadEnvironments(['prod']);

const addon = (name: string, extra: Partial<AddonProps> = {}): AddonProps => ({
  name,
  namespace: 'keda',
  repo: HelmRepo.https('https://kedacore.github.io/charts'),
  chart: name,
  purpose: 'test',
  values: () => ({}),
  ...extra,
});

describe('add-on values against the pinned chart schema', () => {
  test('cert-manager values we would set pass its values.schema.json (merged with its defaults)', () => {
    expect(checkValues('cert-manager', 'v1.21.1', { crds: { enabled: true, keep: true }, replicaCount: 2 })).toEqual([]);
  });

  test('fails when a value has the wrong type or an unknown key, with its path', () => {
    const problems = checkValues('cert-manager', 'v1.21.1', { crds: { enabled: 'yes' }, replicaCount: 2, replicaCountt: 3 });
    expect(problems).toEqual(
      expect.arrayContaining([
        { path: 'crds.enabled', message: 'must be boolean' },
        { path: '(root)', message: 'must NOT have additional properties "replicaCountt"' },
      ]),
    );
  });

  test('gives undefined for a chart we hold no schema of', () => {
    expect(checkValues('keda', '2.20.2', {})).toBeUndefined();
  });
});

describe('resolveAddons', () => {
  const config = { ...prod, chartVersions: { keda: '2.20.2', 'argo-rollouts': '2.41.0' } };

  test('orders by wave: a dependency is one wave earlier', () => {
    const out = resolveAddons([addon('argo-rollouts', { dependsOn: ['keda'] }), addon('keda')], config);
    expect(out.map((a) => [a.props.name, a.version, a.wave])).toEqual([
      ['keda', '2.20.2', 0],
      ['argo-rollouts', '2.41.0', 1],
    ]);
  });

  test('fails when a pin is missing or inexact and a dependency is unknown, listing every problem', () => {
    const bad = { ...prod, chartVersions: { keda: '^2.20' } };
    expect(() => resolveAddons([addon('keda'), addon('istiod', { dependsOn: ['istio-base'] })], bad)).toThrow(
      /chartVersions\.keda: must be an exact version \(got "\^2\.20"\)[\s\S]*chartVersions\.istiod: missing[\s\S]*dependsOn names unknown add-on "istio-base"/,
    );
  });
});
