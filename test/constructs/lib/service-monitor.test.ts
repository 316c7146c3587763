/* eslint-disable @typescript-eslint/no-explicit-any */
import { Testing } from 'cdk8s';
import { clusterLabel, LABEL_INSTANCE, monitorSelectorLabels, standardLabels } from '../../../constructs/lib/labels';
import { metricsMonitor } from '../../../constructs/lib/service-monitor';

const ID = { name: 'postgresql', instance: 'orders', component: 'database', labelDomain: 'example.com' };

describe('metricsMonitor and the labels it selects by', () => {
  test('selects on name, component and our cluster label, which every object of the construct carries', () => {
    expect(monitorSelectorLabels(ID)).toEqual({
      'app.kubernetes.io/name': 'postgresql',
      'app.kubernetes.io/component': 'database',
      'example.com/cluster': 'orders',
    });
    expect(clusterLabel('example.com')).toBe('example.com/cluster');
    expect(standardLabels(ID)).toMatchObject(monitorSelectorLabels(ID));
    expect(standardLabels({ ...ID, labelDomain: undefined })).not.toHaveProperty('example.com/cluster');
  });

  test('writes the selector it is given, in its own namespace', () => {
    const chart = Testing.chart();
    metricsMonitor(chart, 'M', { name: 'm', namespace: 'db', labels: {}, serviceSelector: monitorSelectorLabels(ID), portName: 'metrics' });
    const [m] = Testing.synth(chart) as any[];
    expect(m.spec.selector).toEqual({ matchLabels: monitorSelectorLabels(ID) });
    expect(m.spec.namespaceSelector).toEqual({ matchNames: ['db'] });
  });

  test('fails when the selector uses app.kubernetes.io/instance, which Argo CD rewrites on Services', () => {
    const chart = Testing.chart();
    expect(() =>
      metricsMonitor(chart, 'M', { name: 'm', namespace: 'db', labels: {}, serviceSelector: { [LABEL_INSTANCE]: 'orders' }, portName: 'metrics' }),
    ).toThrow(`${chart.node.path}/M: serviceSelector: must not use app.kubernetes.io/instance`);
  });
});
