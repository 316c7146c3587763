import { IConnectable } from '../../constructs/lib/connections';
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
 * replica count, no volume to move). The agents given as `clients` may call it (an allow each, and their egress), and
 * Prometheus may scrape vLLM's `/metrics`. See docs/constructs/model-server.md.
 */
/** The OpenAI-compatible API of the model server (vLLM on 8000), as the agents' env: `LLM_BASE_URL`, `LLM_MODEL`. */
export function modelServerEnv(): Record<string, string> {
  return { LLM_BASE_URL: `http://${DEEPSEEK_R1}.${AGENTS_NAMESPACE}.svc:${MODEL_SERVER_PORT}/v1`, LLM_MODEL: DEEPSEEK_R1 };
}
const MODEL_SERVER_PORT = 8000;

export function addModelServers(chart: PlatformChart, config: EnvironmentConfig, clients: readonly IConnectable[]): void {
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
  // Both sides: an ingress allow on the server per client, and each client's egress to it.
  server.connections.allowFrom(...clients);
  const served = `http://${server.host}:${server.port}/v1`;
  if (served !== modelServerEnv().LLM_BASE_URL) {
    throw new Error(`addModelServers: the agents are told LLM_BASE_URL=${modelServerEnv().LLM_BASE_URL}, but the model server serves ${served}`);
  }
}
