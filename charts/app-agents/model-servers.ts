import { Resources } from '../../constructs/lib/resources';
import { ModelCache, ModelServer, ModelSource, MODELS_BUCKET } from '../../constructs/model-server';
import { imageRef, isStandby } from '../../environments/derive';
import { EnvironmentConfig } from '../../environments/types';
import { PlatformChart } from '../platform-chart';
import { minioReaderEndpoint, MinioReader, MONITORING_NAMESPACE, namespacePeer, SECRET_STORE } from '../shared';

/** The namespace of the agents and their model servers. */
export const AGENTS_NAMESPACE = 'app-agents';
/** The DeepSeek R1 server: its name, and the model name the agents send. */
export const DEEPSEEK_R1 = 'deepseek-r1';
/**
 * Folder of the weights in the `models` bucket: DeepSeek-R1-Distill-Qwen-7B (bf16, about 15 GiB,
 * one 24 GB GPU), by upstream revision date. A new revision goes to a new folder (see
 * docs/constructs/model-server.md: a cached copy only notices size changes).
 */
export const DEEPSEEK_R1_MODEL_PATH = 'deepseek-r1-distill-qwen-7b/2025-01-20';

/** The MinIO reader of the model servers: read-only on the `models` bucket. */
export function modelServerReader(config: EnvironmentConfig): MinioReader {
  return {
    namespace: AGENTS_NAMESPACE,
    user: 'app-agents-models',
    bucket: MODELS_BUCKET,
    credentialsRemoteKey: `${config.name}/app-agents/models-s3`,
  };
}

/**
 * Adds the model servers of `app-agents` to its chart: `deepseek-r1`, vLLM on the `gpu` node pool
 * at `modelServer.replicas` x `modelServer.gpus` (0 replicas on DR at rest), the weights mirrored
 * from MinIO's `models` bucket into a per-pod cache of `modelServer.cacheGi` GiB (an emptyDir: any
 * replica count, no volume to move). Every pod of the namespace may call it (the agents), and
 * Prometheus may scrape vLLM's `/metrics`. See docs/constructs/model-server.md.
 */
export function addModelServers(chart: PlatformChart, config: EnvironmentConfig): void {
  const m = config.modelServer;
  const server = new ModelServer(chart, DEEPSEEK_R1, {
    name: DEEPSEEK_R1,
    namespace: chart.ns.name,
    image: imageRef(config, 'vllm'),
    replicas: isStandby(config) ? 0 : m.replicas,
    gpus: m.gpus,
    resources: Resources.PRESETS[m.size],
    nodePool: chart.nodePool('gpu'),
    cloudProfile: chart.cloud,
    zoneSpread: config.features.zoneSpread && chart.cloud.supportsZones,
    secretStore: SECRET_STORE,
    model: ModelSource.minio({
      endpoint: minioReaderEndpoint(modelServerReader(config)),
      path: DEEPSEEK_R1_MODEL_PATH,
      mcImage: imageRef(config, 'minioMc'),
    }),
    modelCache: ModelCache.emptyDir(`${m.cacheGi}Gi`),
    servedModelName: DEEPSEEK_R1,
    monitoring: { scrapers: [namespacePeer(MONITORING_NAMESPACE)] },
  });
  server.connections.allowFrom(namespacePeer(chart.ns.name));
}
