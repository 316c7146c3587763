import { CloudProfile } from '../../constructs/lib/cloud-profile';
import { ClientEndpoint } from '../../constructs/lib/workload/endpoint';
import { ModelCache, ModelServerProps, ModelSource } from '../../constructs/model-server';

/** A MinIO endpoint with a reader's keys, as storage-minio's `modelsEndpoint()` builds one. */
export const MODELS_MINIO: ClientEndpoint = {
  kind: 'minio',
  host: 'minio.storage-minio.svc',
  port: 9000,
  secretSettings: {
    ACCESS_KEY_ID: { remoteKey: 'prod/storage-minio/models-reader', property: 'access-key-id' },
    SECRET_ACCESS_KEY: { remoteKey: 'prod/storage-minio/models-reader', property: 'secret-access-key' },
  },
  peer: {
    peerNamespace: 'storage-minio',
    peerSelector: { 'app.kubernetes.io/name': 'minio', 'app.kubernetes.io/component': 'server' },
    ports: [9000],
  },
};
export const MC_IMAGE = 'minio/mc:RELEASE.2024-11-21T17-21-54Z';

/** One GPU on AWS, the model mirrored from MinIO into a 40Gi emptyDir. */
export const MODEL_SERVER_PROPS: ModelServerProps = {
  namespace: 'app-agents',
  image: 'vllm/vllm-openai:v0.6.4',
  secretStore: { name: 'platform-secrets', kind: 'ClusterSecretStore' },
  gpus: 1,
  cloudProfile: CloudProfile.AWS,
  model: ModelSource.minio({ endpoint: MODELS_MINIO, path: 'deepseek-r1-distill-qwen-7b/2025-01-20', mcImage: MC_IMAGE }),
  modelCache: ModelCache.emptyDir('40Gi'),
};
