import { ResourcePresetName } from '../../constructs/lib/resources';

/**
 * The `modelServer` block of an environment (`environments/<env>.ts`): the scale of the
 * `deepseek-r1` ModelServer in `app-agents` (charts/app-agents/model-servers.ts). The JSON schema
 * is generated from this type (`npm run schema`).
 */
export interface ModelServerConfig {
  /**
   * Pods of the model server, each with `gpus` GPUs (0 on a DR environment at rest: see `isStandby()`).
   * @asType integer
   * @minimum 0
   * @maximum 16
   */
  readonly replicas: number;
  /**
   * Whole GPUs per pod (vLLM's tensor parallelism).
   * @asType integer
   * @minimum 1
   * @maximum 16
   */
  readonly gpus: number;
  /** Resource preset (CPU, memory) of each pod, besides its GPUs. */
  readonly size: ResourcePresetName;
  /**
   * Size of each pod's model cache (an emptyDir on the node's disk), in GiB: at least the model.
   * @asType integer
   * @minimum 1
   * @maximum 4096
   */
  readonly cacheGi: number;
}
