/* eslint-disable @typescript-eslint/no-explicit-any */
import * as path from 'path';
import { App, Testing, Yaml } from 'cdk8s';
import { checkPaths } from '../../../gate/check';
import { ROOT } from '../../helpers/bundle';
import { AppAgentsChart } from '../../../charts/app-agents';
import { AGENTS_NAMESPACE, DEEPSEEK_R1_MODEL_PATH } from '../../../charts/app-agents/model-servers';
import { loadEnvironments } from '../../../environments/load';
import { EnvironmentConfig } from '../../../environments/types';

const ENVS = ['dev', 'staging', 'prod', 'dr'] as const;

describe('addModelServers', () => {
  const configs: Record<string, EnvironmentConfig> = Object.fromEntries(loadEnvironments([...ENVS]).map((c) => [c.name, c]));
  const synth = (config: EnvironmentConfig): any[] => {
    return Testing.synth(new AppAgentsChart(new App(), config));
  };
  const named = (objects: any[], kind: string, name: string): any => objects.find((o) => o.kind === kind && o.metadata.name === name);

  test.each([
    // env, replicas, GPU node label
    ['dev', 1, 'nvidia.com/gpu.present'],
    ['staging', 1, 'karpenter.k8s.aws/instance-gpu-manufacturer'],
    ['prod', 2, 'karpenter.k8s.aws/instance-gpu-manufacturer'],
    ['dr', 0, 'karpenter.k8s.aws/instance-gpu-manufacturer'],
  ] as const)('%s: deepseek-r1 at %i replicas on GPU nodes (%s)', (env, replicas, label) => {
    const config = configs[env];
    const d = named(synth(config), 'Deployment', 'deepseek-r1');
    expect(d.metadata.namespace).toBe('app-agents');
    expect(d.spec.replicas).toBe(replicas);
    expect(d.spec.strategy.rollingUpdate).toEqual({ maxSurge: 0, maxUnavailable: 1 });
    const spec = d.spec.template.spec;
    expect(spec.containers[0].image).toBe(`${config.imageRegistry}/vllm/vllm-openai:v0.6.4`);
    expect(spec.containers[0].resources.limits['nvidia.com/gpu']).toBe(config.modelServer.gpus);
    expect(spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].key).toBe(label);
    expect(spec.nodeSelector ?? {}).toEqual(config.nodePools.gpu.nodeSelector);
    expect(spec.initContainers[0].image).toBe(`${config.imageRegistry}/${config.images.minioMc}`);
    expect(spec.initContainers[0].env).toContainEqual({ name: 'MODEL_PATH', value: DEEPSEEK_R1_MODEL_PATH });
    expect(spec.volumes).toContainEqual({ name: 'model-cache', emptyDir: { sizeLimit: `${config.modelServer.cacheGi}Gi` } });
  });

  test('DR after failover runs prod scale', () => {
    const failedOver: EnvironmentConfig = { ...configs.dr, dr: { ...configs.dr.dr!, failover: true } };
    expect(named(synth(failedOver), 'Deployment', 'deepseek-r1').spec.replicas).toBe(configs.prod.modelServer.replicas);
  });

  test('prod: egress to MinIO, the four agents let in (one allow each), Prometheus may scrape', () => {
    const objects = synth(configs.prod);
    expect(named(objects, 'NetworkPolicy', 'deepseek-r1-to-models').spec.egress).toEqual([
      {
        to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'storage-minio' } }, podSelector: { matchLabels: {} } }],
        ports: [{ protocol: 'TCP', port: 9000 }],
      },
    ]);
    const ingress = objects.filter(
      (o) => o.kind === 'NetworkPolicy' && o.metadata.name.startsWith('deepseek-r1') && o.spec.policyTypes.includes('Ingress'),
    );
    const froms = ingress.flatMap((p) =>
      p.spec.ingress.flatMap((i: any) => i.from.map((f: any) => f.namespaceSelector.matchLabels['kubernetes.io/metadata.name'])),
    );
    expect(froms.sort()).toEqual(['app-agents', 'app-agents', 'app-agents', 'app-agents', 'monitoring']);
    expect(ingress.every((p) => p.spec.ingress.every((i: any) => i.ports[0].port === 8000))).toBe(true);
    expect(named(objects, 'ExternalSecret', 'deepseek-r1-models').spec.data[0].remoteRef.key).toBe('prod/app-agents/models-s3');
    expect(named(objects, 'PodDisruptionBudget', 'deepseek-r1')).toBeDefined();
  });

  // The gate over the environment's dist with the model server in its app-agents folder (which
  // holds only the namespace today): schemas, PSS, GPU limits, probes, and the references to
  // storage-minio and monitoring resolve (both sides of each NetworkPolicy pair), mesh included.
  test.each(ENVS)('%s: the committed dist has the model server, its agents as its only clients, and passes the gate', (env) => {
    const dist = path.join(ROOT, 'dist', env);
    const objects = Yaml.load(path.join(dist, AGENTS_NAMESPACE, `${AGENTS_NAMESPACE}.k8s.yaml`));
    expect(named(objects, 'Deployment', 'deepseek-r1')).toBeDefined();
    const from = objects.filter((o: any) => o.kind === 'NetworkPolicy' && /^deepseek-r1-from-/.test(o.metadata.name));
    expect(from.map((o: any) => o.spec.ingress[0].from[0].podSelector.matchLabels['app.kubernetes.io/name']).sort()).toEqual([
      'collections-agent',
      'dispute-agent',
      'orchestrator',
      'reporting-agent',
    ]);
    const result = checkPaths([dist]);
    expect(result.problems.filter((p) => p.severity === 'error').map((p) => `${p.object} ${p.path}: ${p.rule}: ${p.message}`)).toEqual([]);
  });
});
