/* eslint-disable @typescript-eslint/no-explicit-any */
import { Chart, Testing } from 'cdk8s';
import { CloudProfile } from '../../../constructs/lib/cloud-profile';
import { CanaryStep, DeliveryStrategy } from '../../../constructs/lib/workload/strategy';
import { DOWNLOAD_CONTAINER, DOWNLOAD_SCRIPT, ModelCache, ModelServer, ModelServerProps, ModelSource } from '../../../constructs/model-server';
import { errorOf } from '../../helpers/errors';
import { MC_IMAGE, MODEL_SERVER_PROPS, MODELS_MINIO } from '../../helpers/model-server';

const MINIO = MODELS_MINIO;
const BASE = MODEL_SERVER_PROPS;

function synth(props: Partial<ModelServerProps> = {}): any[] {
  const chart = new Chart(Testing.app(), 'test', { disableResourceNameHashes: true });
  new ModelServer(chart, 'Deepseek', { ...BASE, ...props } as ModelServerProps);
  return Testing.synth(chart);
}
const deployment = (objs: any[]): any => objs.find((o) => o.kind === 'Deployment');
const pod = (objs: any[]): any => deployment(objs).spec.template.spec;
const main = (objs: any[]): any => pod(objs).containers[0];

describe('ModelServer: the GPU pod', () => {
  test('nvidia.com/gpu in limits and the same count in requests, besides cpu and memory', () => {
    const r = main(synth({ gpus: 2 })).resources;
    expect(r.limits['nvidia.com/gpu']).toBe(2);
    expect(r.requests['nvidia.com/gpu']).toBe(2);
    expect(r.requests.memory).toBe('8Gi');
    expect(r.limits.memory).toBe('8Gi');
  });

  test('tolerates the GPU taint and requires the cloud profile GPU label', () => {
    const spec = pod(synth());
    expect(spec.tolerations).toEqual([{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]);
    expect(spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms).toEqual([
      { matchExpressions: [{ key: 'karpenter.k8s.aws/instance-gpu-manufacturer', operator: 'In', values: ['nvidia'] }] },
    ]);
    const gke = pod(synth({ cloudProfile: CloudProfile.GCP }));
    expect(gke.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions).toEqual([
      { key: 'cloud.google.com/gke-accelerator', operator: 'Exists' },
    ]);
  });

  test("keeps the GPU pool's selector and tolerations, the GPU toleration only once", () => {
    const gpuPool = {
      nodeSelector: { 'node.receivables.io/pool': 'gpu' },
      tolerations: [
        { key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' },
        { key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' },
      ],
    };
    const spec = pod(synth({ nodePool: gpuPool }));
    expect(spec.nodeSelector).toEqual({ 'node.receivables.io/pool': 'gpu' });
    expect(spec.tolerations).toEqual(gpuPool.tolerations);
  });

  test('with two replicas: anti-affinity next to the node affinity, and a PDB', () => {
    const objs = synth({ replicas: 2 });
    expect(pod(objs).affinity.podAntiAffinity).toBeDefined();
    expect(pod(objs).affinity.nodeAffinity).toBeDefined();
    expect(objs.filter((o) => o.kind === 'PodDisruptionBudget')).toHaveLength(1);
  });

  test('rolls out with maxSurge 0 and maxUnavailable 1, one replica by default', () => {
    const d = deployment(synth());
    expect(d.spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } });
    expect(d.spec.replicas).toBe(1);
    expect(d.metadata.labels['app.kubernetes.io/component']).toBe('model-server');
  });

  test('at 0 replicas (DR at rest): a Deployment of 0, no PDB', () => {
    const objs = synth({ replicas: 0 });
    expect(deployment(objs).spec.replicas).toBe(0);
    expect(objs.some((o) => o.kind === 'PodDisruptionBudget')).toBe(false);
  });

  test('vLLM args: model path, served name, port, tensor parallel = gpus, then serverArgs', () => {
    const c = main(synth({ gpus: 4, serverArgs: ['--max-model-len', '16384'], servedModelName: 'deepseek-r1' }));
    expect(c.args).toEqual([
      '--model',
      '/models/deepseek-r1-distill-qwen-7b/2025-01-20',
      '--served-model-name',
      'deepseek-r1',
      '--port',
      '8000',
      '--tensor-parallel-size',
      '4',
      '--max-model-len',
      '16384',
    ]);
    expect(c.command).toBeUndefined();
    expect(c.ports).toEqual([{ name: 'http', containerPort: 8000, protocol: 'TCP' }]);
  });

  test('startup probe budget covers maxLoadSeconds; liveness and readiness on /health with different patience', () => {
    const c = main(synth({ maxLoadSeconds: 2400 }));
    expect(c.startupProbe.httpGet).toEqual({ path: '/health', port: 'http' });
    expect(c.startupProbe.periodSeconds * c.startupProbe.failureThreshold).toBeGreaterThanOrEqual(2400);
    expect(c.startupProbe.failureThreshold).toBe(240);
    expect(c.livenessProbe.httpGet.path).toBe('/health');
    expect(c.readinessProbe.httpGet.path).toBe('/health');
    expect(c.livenessProbe).not.toEqual(c.readinessProbe);
    const d = main(synth());
    expect(d.startupProbe.periodSeconds * d.startupProbe.failureThreshold).toBe(1800);
  });

  test('read-only root with writable HOME, /tmp and a memory /dev/shm; the cache read-only for the server', () => {
    const objs = synth({ sharedMemory: '4Gi' });
    const c = main(objs);
    expect(c.securityContext.readOnlyRootFilesystem).toBe(true);
    expect(c.volumeMounts).toEqual(
      expect.arrayContaining([
        { name: 'tmp', mountPath: '/tmp' },
        { name: 'home', mountPath: '/home/model-server' },
        { name: 'shm', mountPath: '/dev/shm' },
        { name: 'model-cache', mountPath: '/models', readOnly: true },
      ]),
    );
    expect(pod(objs).volumes).toContainEqual({ name: 'shm', emptyDir: { medium: 'Memory', sizeLimit: '4Gi' } });
    expect(pod(objs).terminationGracePeriodSeconds).toBe(120);
    expect(c.env).toEqual(
      expect.arrayContaining([
        { name: 'HOME', value: '/home/model-server' },
        { name: 'HF_HUB_OFFLINE', value: '1' },
      ]),
    );
  });

  test('exposes the OpenAI base URL and the served model name', () => {
    const chart = Testing.chart();
    const server = new ModelServer(chart, 'Deepseek', { ...BASE, name: 'deepseek-r1' });
    expect(server.url).toBe('http://deepseek-r1.app-agents.svc:8000/v1');
    expect(server.servedModelName).toBe('deepseek-r1');
    expect(server.gpus).toBe(1);
  });
});

describe('ModelServer: the model download', () => {
  test('an init container mirrors the bucket folder into the cache, with the keys from an ExternalSecret', () => {
    const objs = synth();
    const init = pod(objs).initContainers;
    expect(init).toHaveLength(1);
    expect(init[0].name).toBe(DOWNLOAD_CONTAINER);
    expect(init[0].image).toBe(MC_IMAGE);
    expect(init[0].command).toEqual(['sh', '-c', DOWNLOAD_SCRIPT]);
    expect(DOWNLOAD_SCRIPT).toContain('mc mirror --overwrite "models/$MODEL_BUCKET/$MODEL_PATH" "$MODEL_DIR"');
    expect(init[0].env).toEqual([
      { name: 'MODEL_BUCKET', value: 'models' },
      { name: 'MODEL_PATH', value: 'deepseek-r1-distill-qwen-7b/2025-01-20' },
      { name: 'MODEL_DIR', value: '/models/deepseek-r1-distill-qwen-7b/2025-01-20' },
      { name: 'HOME', value: '/tmp' },
      { name: 'MODELS_HOST', value: 'minio.storage-minio.svc' },
      { name: 'MODELS_PORT', value: '9000' },
      { name: 'MODELS_ACCESS_KEY_ID', valueFrom: { secretKeyRef: { name: 'deepseek-models', key: 'access-key-id' } } },
      { name: 'MODELS_SECRET_ACCESS_KEY', valueFrom: { secretKeyRef: { name: 'deepseek-models', key: 'secret-access-key' } } },
    ]);
    expect(init[0].volumeMounts).toEqual([
      { name: 'model-cache', mountPath: '/models', readOnly: false },
      { name: 'tmp', mountPath: '/tmp' },
    ]);
    expect(init[0].securityContext.readOnlyRootFilesystem).toBe(true);
    expect(init[0].resources.limits.memory).toBeDefined();
    const es = objs.find((o) => o.kind === 'ExternalSecret' && o.metadata.name === 'deepseek-models');
    expect(es.spec.data.map((d: any) => [d.secretKey, d.remoteRef.key, d.remoteRef.property])).toEqual([
      ['access-key-id', 'prod/storage-minio/models-reader', 'access-key-id'],
      ['secret-access-key', 'prod/storage-minio/models-reader', 'secret-access-key'],
    ]);
  });

  test('the S3 port bypasses an Istio sidecar, which is not up while init containers run', () => {
    expect(deployment(synth()).spec.template.metadata.annotations).toEqual({ 'traffic.sidecar.istio.io/excludeOutboundPorts': '9000' });
    const baked = deployment(synth({ model: ModelSource.image('/opt/models/deepseek-r1'), modelCache: undefined }));
    expect(baked.spec.template.metadata.annotations).toBeUndefined();
  });

  test('the server container never sees the MinIO keys', () => {
    const names = main(synth()).env.map((e: any) => e.name);
    expect(names.filter((n: string) => n.startsWith('MODELS_'))).toEqual([]);
  });

  test('an egress NetworkPolicy to the MinIO servers on 9000, from the endpoint', () => {
    const np = synth().find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'deepseek-to-models');
    expect(np.spec.podSelector.matchLabels).toEqual({ 'app.kubernetes.io/name': 'deepseek', 'app.kubernetes.io/instance': 'deepseek' });
    expect(np.spec.policyTypes).toEqual(['Egress']);
    expect(np.spec.egress[0].to[0].namespaceSelector.matchLabels).toEqual({ 'kubernetes.io/metadata.name': 'storage-minio' });
    expect(np.spec.egress[0].to[0].podSelector.matchLabels).toEqual(MINIO.peer.peerSelector);
    expect(np.spec.egress[0].ports).toEqual([{ protocol: 'TCP', port: 9000 }]);
  });

  test('a TLS endpoint: the CA is mounted into the init container and the script switches to https', () => {
    const tlsSource = ModelSource.minio({
      endpoint: { ...MINIO, tls: { ca: { remoteKey: 'prod/storage-minio/ca', property: 'ca.crt' } } },
      path: 'm',
      mcImage: MC_IMAGE,
    });
    const objs = synth({ model: tlsSource });
    const init = pod(objs).initContainers[0];
    expect(init.env).toContainEqual({ name: 'MODELS_CA_FILE', value: '/etc/tls/models/ca.crt' });
    expect(init.volumeMounts).toContainEqual({ name: 'models-ca', mountPath: '/etc/tls/models', readOnly: true });
    expect(main(objs).volumeMounts.map((m: any) => m.name)).not.toContain('models-ca');
    expect(DOWNLOAD_SCRIPT).toMatch(/if \[ -n "\$\{MODELS_CA_FILE:-\}" \]; then\n {2}scheme=https/);
  });

  test('a persistent cache: one PVC <name>-model-cache, mounted by claim', () => {
    const objs = synth({ modelCache: ModelCache.persistentVolume({ size: '100Gi', storageClass: 'gp3' }) });
    const pvc = objs.find((o) => o.kind === 'PersistentVolumeClaim');
    expect(pvc.metadata).toMatchObject({ name: 'deepseek-model-cache', namespace: 'app-agents' });
    expect(pvc.spec).toEqual({ accessModes: ['ReadWriteOnce'], storageClassName: 'gp3', resources: { requests: { storage: '100Gi' } } });
    expect(pod(objs).volumes).toContainEqual({ name: 'model-cache', persistentVolumeClaim: { claimName: 'deepseek-model-cache' } });
  });

  test('a ReadWriteMany cache serves several replicas', () => {
    const objs = synth({ replicas: 3, modelCache: ModelCache.persistentVolume({ size: '100Gi', accessMode: 'ReadWriteMany' }) });
    expect(objs.find((o) => o.kind === 'PersistentVolumeClaim').spec.accessModes).toEqual(['ReadWriteMany']);
  });

  test('an image-baked model: no init container, no cache volume, no MinIO egress', () => {
    const objs = synth({ model: ModelSource.image('/opt/models/deepseek-r1'), modelCache: undefined });
    expect(pod(objs).initContainers).toBeUndefined();
    expect(pod(objs).volumes.map((v: any) => v.name)).toEqual(['tmp', 'home', 'shm']);
    expect(main(objs).args.slice(0, 2)).toEqual(['--model', '/opt/models/deepseek-r1']);
    expect(objs.filter((o) => o.kind === 'NetworkPolicy' || o.kind === 'ExternalSecret')).toEqual([]);
  });
});

describe('ModelServer: bad props', () => {
  test('fails when gpus is 0, naming the path, the field and the value', () => {
    const err = errorOf(() => synth({ gpus: 0 }));
    expect(err.problems.map((p) => p.field)).toEqual(['gpus']);
    expect(err.message).toContain('test/Deepseek: gpus: must be a whole number of GPUs from 1 to 16');
    expect(err.message).toContain('(got 0)');
  });

  test('fails with every problem at once: gpus, load budget, bucket, path, image, args', () => {
    const bad = ModelSource.minio({
      endpoint: { ...MINIO, kind: 'postgres', secretSettings: {} },
      bucket: 'Models_Bucket',
      path: '/abs/../x',
      mcImage: 'minio/mc',
    });
    const err = errorOf(() => synth({ gpus: 1.5, maxLoadSeconds: 30, model: bad, serverArgs: ['--port=9000'], sharedMemory: 'lots' }));
    expect(err.problems.map((p) => p.field)).toEqual([
      'gpus',
      'maxLoadSeconds',
      'sharedMemory',
      'serverArgs[0]',
      'model.bucket',
      'model.path',
      'model.endpoint.kind',
      'model.endpoint.secretSettings.ACCESS_KEY_ID',
      'model.endpoint.secretSettings.SECRET_ACCESS_KEY',
      'model.mcImage',
    ]);
    expect(err.message).toContain('maxLoadSeconds: must be an integer from 60 to 21600 (got 30)');
  });

  test('fails when a canary, a blue-green or a surge is asked for', () => {
    const canary = errorOf(() => synth({ strategy: DeliveryStrategy.canary({ steps: [CanaryStep.setWeight(100)] }) }));
    expect(canary.problems.map((p) => p.field)).toContain('strategy');
    expect(canary.message).toContain('must be rolling');
    const bg = errorOf(() => synth({ strategy: DeliveryStrategy.blueGreen() }));
    expect(bg.problems.map((p) => p.field)).toEqual(['strategy']);
    const surge = errorOf(() => synth({ strategy: DeliveryStrategy.rolling({ maxSurge: '25%', maxUnavailable: 0 }) }));
    expect(surge.problems.map((p) => p.field)).toEqual(['strategy.maxSurge', 'strategy.maxUnavailable']);
  });

  test('fails when a ReadWriteOnce cache is shared by replicas, or is too small', () => {
    const err = errorOf(() => synth({ replicas: 2, modelCache: ModelCache.persistentVolume({ size: '512Mi' }) }));
    expect(err.problems.map((p) => p.field)).toEqual(['modelCache.size', 'modelCache.accessMode']);
    expect(err.message).toContain('a ReadWriteOnce volume attaches to one node');
  });

  test('fails when a download has no cache, or an image-baked model has one', () => {
    expect(errorOf(() => synth({ modelCache: undefined })).problems.map((p) => p.field)).toEqual(['modelCache']);
    const baked = errorOf(() => synth({ model: ModelSource.image('opt/models') }));
    expect(baked.problems.map((p) => p.field)).toEqual(['model.path', 'modelCache']);
  });
});
