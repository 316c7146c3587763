import { Chart, Testing } from 'cdk8s';
import { CoreService } from '../../../constructs/core-service';

describe('tracing on an application workload', () => {
  const collector = { host: 'collector.obs.svc', port: 4317, peerNamespace: 'obs', peerSelector: { app: 'collector' } };
  const base = { namespace: 'apps', image: 'registry.example.com/api:1.2.3', secretStore: { name: 's', kind: 'ClusterSecretStore' as const } };

  test('OTEL_* env from the props and an egress to the collector pods on its port, exempt from ref.netpol-peer', () => {
    const chart = new Chart(Testing.app(), 'c');
    new CoreService(chart, 'api', { ...base, tracing: { collector, environment: 'test', samplingRatio: 0.25 } });
    const objects = Testing.synth(chart);
    const env = objects.find((o) => o.kind === 'Deployment').spec.template.spec.containers[0].env;
    expect(env.filter((e: { name: string }) => e.name.startsWith('OTEL_'))).toEqual([
      { name: 'OTEL_SERVICE_NAME', value: 'api' },
      { name: 'OTEL_EXPORTER_OTLP_ENDPOINT', value: 'http://collector.obs.svc:4317' },
      { name: 'OTEL_EXPORTER_OTLP_PROTOCOL', value: 'grpc' },
      { name: 'OTEL_RESOURCE_ATTRIBUTES', value: 'deployment.environment=test,k8s.namespace.name=apps,service.version=1.2.3' },
      { name: 'OTEL_TRACES_SAMPLER', value: 'parentbased_traceidratio' },
      { name: 'OTEL_TRACES_SAMPLER_ARG', value: '0.25' },
    ]);
    const egress = objects.find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'api-to-otel-collector');
    expect(egress.spec.egress).toEqual([
      {
        to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'obs' } }, podSelector: { matchLabels: { app: 'collector' } } }],
        ports: [{ protocol: 'TCP', port: 4317 }],
      },
    ]);
    expect(Object.values(egress.metadata.annotations).join()).toContain('ref.netpol-peer');
  });

  test('no tracing props: no OTEL env and no collector policy', () => {
    const chart = new Chart(Testing.app(), 'c');
    new CoreService(chart, 'api', base);
    const objects = Testing.synth(chart);
    expect(JSON.stringify(objects)).not.toContain('OTEL_');
    expect(objects.some((o) => o.metadata.name === 'api-to-otel-collector')).toBe(false);
  });

  test('fails when the sampling ratio, port and host are invalid, naming each', () => {
    const chart = new Chart(Testing.app(), 'c');
    const bad = { collector: { ...collector, host: 'Not A Host', port: 0 }, environment: 'test', samplingRatio: 2 };
    expect(() => new CoreService(chart, 'api', { ...base, tracing: bad })).toThrow(/tracing\.samplingRatio[\s\S]*tracing\.collector\.port[\s\S]*tracing\.collector\.host/);
  });
});
