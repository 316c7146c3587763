import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { CloudProfile } from '../lib/cloud-profile';
import { WritablePath } from '../lib/pod-defaults';
import { httpGetProbe } from '../lib/probes';
import { PropChecks } from '../lib/prop-errors';
import { parseQuantity, Resources } from '../lib/resources';
import { gpuPlacement, NodePool } from '../lib/scheduling';
import { volumeClaimTemplate } from '../lib/volume-claim';
import { AppWorkload } from '../lib/workload/app-workload';
import { ConnectedContainer } from '../lib/workload/endpoint';
import { WorkloadExtensions } from '../lib/workload/extensions';
import { AppWorkloadProps, HTTP_PORT_NAME } from '../lib/workload/props';
import { DOWNLOAD_ENV_PREFIX, downloadContainer } from './download';
import { ModelCache, ModelSource } from './source';

/** `app.kubernetes.io/component` of a ModelServer. */
export const MODEL_SERVER_COMPONENT = 'model-server';
/** vLLM's OpenAI-compatible API port. */
export const VLLM_PORT = 8000;
/** vLLM's health endpoint: 200 while the engine runs, no authentication, no dependency. */
export const VLLM_HEALTH_PATH = '/health';
/** Where the model cache is mounted (a downloaded model is at `<dir>/<path>`). */
export const MODEL_CACHE_DIR = '/models';
/** Seconds between startup probes; the failure threshold is derived from `maxLoadSeconds`. */
export const STARTUP_PERIOD_SECONDS = 10;
/** The vLLM flags the construct writes; `serverArgs` may not repeat them. */
const OWNED_FLAGS = ['--model', '--served-model-name', '--port', '--tensor-parallel-size'];
/** HOME of the server (torch, triton and vLLM caches) on a read-only root. */
const HOME_PATH: WritablePath = { name: 'home', mountPath: '/home/model-server', sizeLimit: '4Gi' };
const CACHE_VOLUME = 'model-cache';
/**
 * Under Istio with the CNI node agent, an init container's traffic is already redirected to a
 * sidecar that is not running yet, and is lost; excluding the S3 port lets the download through
 * (https://istio.io/latest/docs/setup/additional-setup/cni/, "Compatibility with application init
 * containers"). MinIO is outside the mesh, so nothing is lost for the server; without Istio the
 * annotation does nothing.
 */
export const ISTIO_EXCLUDE_OUTBOUND_PORTS = 'traffic.sidecar.istio.io/excludeOutboundPorts';

/**
 * Props of a ModelServer: the application-workload base (without CPU autoscaling, probe paths,
 * command and args, which the construct owns) plus the GPU, the model and its cache.
 */
export interface ModelServerProps extends Omit<AppWorkloadProps, 'autoscaling' | 'probes' | 'command' | 'args'> {
  /** Whole GPUs per pod (`nvidia.com/gpu`), also vLLM's `--tensor-parallel-size`. At least 1. */
  readonly gpus: number;
  /** The platform, for the node label of its GPU nodes (`CloudProfile.gpuNodeLabel`). */
  readonly cloudProfile: CloudProfile;
  /** Where the weights come from: `ModelSource.image(path)` or `ModelSource.minio({...})`. */
  readonly model: ModelSource;
  /**
   * Where a downloaded model is kept. Required for `ModelSource.minio`, refused for an image-baked model.
   * @default - none (an image-baked model)
   */
  readonly modelCache?: ModelCache;
  /** The model name clients send (`model` of the OpenAI API). @default - the `name` */
  readonly servedModelName?: string;
  /**
   * Seconds the server has from container start to a healthy `/health` (loading weights into GPU
   * memory): the startup probe allows `ceil(maxLoadSeconds / 10)` failures 10 s apart. The
   * download by the init container comes before and is not counted.
   * @default 1800
   */
  readonly maxLoadSeconds?: number;
  /** Size of the memory-backed `/dev/shm` (PyTorch, NCCL between GPUs); counts against the memory limit. @default '2Gi' */
  readonly sharedMemory?: string;
  /** Further vLLM arguments, after the ones the construct writes, e.g. `['--max-model-len', '16384']`. @default - none */
  readonly serverArgs?: readonly string[];
  /** Seconds a pod has to finish its requests after SIGTERM. @default 120 */
  readonly terminationGracePeriodSeconds?: number;
}

/**
 * A GPU inference server (vLLM's OpenAI-compatible API on port 8000) on the application-workload
 * base: `nvidia.com/gpu` in limits and requests, the GPU taint's toleration and a required node
 * affinity on the cloud profile's GPU label, rolling updates with `maxSurge: 0` (a rollout never
 * needs a spare GPU), a startup probe sized for slow model loads, and the model baked into the
 * image or mirrored from MinIO by an init container into a cache volume. See docs/constructs/model-server.md.
 */
export class ModelServer extends AppWorkload {
  /** `http://<service>.<namespace>.svc:<port>/v1`: the OpenAI-compatible base URL. */
  public readonly url: string;
  /** The model name clients send. */
  public readonly servedModelName: string;
  /** Where the server reads the weights. */
  public readonly modelPath: string;
  /** GPUs per pod. */
  public readonly gpus: number;

  constructor(scope: Construct, id: string, props: ModelServerProps) {
    const name = props.name ?? id.toLowerCase();
    const plan = planServer(name, props);
    super(scope, id, { ...props, nodePool: plan.nodePool, port: props.port ?? VLLM_PORT, args: plan.args }, plan.ext);
    this.url = `http://${this.host}:${this.port}/v1`;
    this.servedModelName = plan.servedModelName;
    this.modelPath = plan.modelPath;
    this.gpus = props.gpus;
    const cache = props.modelCache;
    if (cache?.kind === 'persistentVolume') {
      const claim = volumeClaimTemplate(plan.claimName, this.selector, cache.size, cache.storageClass, cache.accessMode);
      new k8s.KubePersistentVolumeClaim(this, 'ModelCache', { ...claim, metadata: this.meta(plan.claimName) });
    }
    const minio = props.model.minioOptions;
    if (minio && plan.download) {
      this.connectsTo(minio.endpoint, { prefix: DOWNLOAD_ENV_PREFIX, container: plan.download });
    }
  }
}

interface ServerPlan {
  readonly ext: WorkloadExtensions;
  readonly nodePool: NodePool;
  readonly args: string[];
  readonly servedModelName: string;
  readonly modelPath: string;
  readonly claimName: string;
  readonly download?: k8s.Container & ConnectedContainer;
}

/** Everything the base needs, computed from the props before the base exists. */
function planServer(name: string, props: ModelServerProps): ServerPlan {
  const claimName = `${name}-model-cache`;
  const source = props.model;
  const cache = props.modelCache;
  const cacheMount: k8s.VolumeMount = { name: CACHE_VOLUME, mountPath: MODEL_CACHE_DIR, readOnly: true };
  const modelPath = source.kind === 'image' ? source.path : `${MODEL_CACHE_DIR}/${source.path}`;
  const download = source.minioOptions ? downloadContainer(source.minioOptions, cacheMount, modelPath) : undefined;
  const servedModelName = props.servedModelName ?? name;
  const port = props.port ?? VLLM_PORT;
  const args = [
    '--model',
    modelPath,
    '--served-model-name',
    servedModelName,
    '--port',
    String(port),
    '--tensor-parallel-size',
    String(props.gpus),
    ...(props.serverArgs ?? []),
  ];
  const maxLoadSeconds = props.maxLoadSeconds ?? 1800;
  // The pool's selector and tolerations plus the GPU taint's (once) go to the base as the pod's
  // pool; the required affinity on the platform's GPU label as its node affinity.
  const placement = gpuPlacement(props.nodePool, props.cloudProfile.gpuNodeRequirement());
  const nodePool: NodePool = { nodeSelector: placement.nodeSelector, tolerations: placement.tolerations };
  const ext: WorkloadExtensions = {
    component: MODEL_SERVER_COMPONENT,
    defaults: { replicas: 1, resources: Resources.XLARGE, port: VLLM_PORT },
    validate: (check) => validateServer(check, props, { maxLoadSeconds, servedModelName }),
    gpus: props.gpus,
    nodeAffinity: placement.affinity?.nodeAffinity,
    rollingUpdate: { maxSurge: 0, maxUnavailable: 1 },
    terminationGracePeriodSeconds: props.terminationGracePeriodSeconds ?? 120,
    probes: serverProbes(maxLoadSeconds),
    env: [
      { name: 'HOME', value: HOME_PATH.mountPath },
      // The weights are local and the namespace has no internet egress: never ask the Hugging Face Hub.
      { name: 'HF_HUB_OFFLINE', value: '1' },
      { name: 'VLLM_NO_USAGE_STATS', value: '1' },
      { name: 'DO_NOT_TRACK', value: '1' },
    ],
    writablePaths: [HOME_PATH, { name: 'shm', mountPath: '/dev/shm', sizeLimit: props.sharedMemory ?? '2Gi', memory: true }],
    ...(download
      ? { initContainers: [download], podAnnotations: { [ISTIO_EXCLUDE_OUTBOUND_PORTS]: String(source.minioOptions?.endpoint.port) } }
      : {}),
    ...(cache ? { volumes: [cacheVolume(cache, claimName)], volumeMounts: [cacheMount] } : {}),
  };
  return { ext, nodePool, args, servedModelName, modelPath, claimName, download };
}

function cacheVolume(cache: ModelCache, claimName: string): k8s.Volume {
  return cache.kind === 'emptyDir'
    ? { name: CACHE_VOLUME, emptyDir: { sizeLimit: k8s.Quantity.fromString(cache.size) } }
    : { name: CACHE_VOLUME, persistentVolumeClaim: { claimName } };
}

/** Startup allows the model load; liveness and readiness ask the same engine health with different patience. */
function serverProbes(maxLoadSeconds: number): NonNullable<WorkloadExtensions['probes']> {
  return {
    startup: httpGetProbe(VLLM_HEALTH_PATH, HTTP_PORT_NAME, {
      periodSeconds: STARTUP_PERIOD_SECONDS,
      timeoutSeconds: 5,
      failureThreshold: Math.max(1, Math.ceil(maxLoadSeconds / STARTUP_PERIOD_SECONDS)),
    }),
    // A busy GPU answers late: restart only after a minute of silence.
    liveness: httpGetProbe(VLLM_HEALTH_PATH, HTTP_PORT_NAME, { periodSeconds: 15, timeoutSeconds: 10, failureThreshold: 4 }),
    readiness: httpGetProbe(VLLM_HEALTH_PATH, HTTP_PORT_NAME, { periodSeconds: 5, timeoutSeconds: 3, failureThreshold: 2 }),
  };
}

function validateServer(check: PropChecks, props: ModelServerProps, d: { maxLoadSeconds: number; servedModelName: string }): void {
  check.that(
    Number.isInteger(props.gpus) && props.gpus >= 1 && props.gpus <= 16,
    'gpus',
    'must be a whole number of GPUs from 1 to 16: a model server without a GPU is not one',
    props.gpus,
  );
  check.integer(d.maxLoadSeconds, 'maxLoadSeconds', 60, 21600);
  check.integer(props.terminationGracePeriodSeconds, 'terminationGracePeriodSeconds', 1, 3600);
  check.that(
    /^[A-Za-z0-9][A-Za-z0-9._/-]{0,127}$/.test(d.servedModelName),
    'servedModelName',
    'must be letters, digits, . _ / - (at most 128)',
    d.servedModelName,
  );
  const shm = props.sharedMemory ?? '2Gi';
  check.that(
    Number.isFinite(parseQuantity(shm)) && parseQuantity(shm) >= 64 * 1024 ** 2,
    'sharedMemory',
    'must be a quantity of at least 64Mi, such as "2Gi"',
    shm,
  );
  (props.serverArgs ?? []).forEach((a, i) =>
    check.that(
      !OWNED_FLAGS.some((f) => a === f || a.startsWith(`${f}=`)),
      `serverArgs[${i}]`,
      `is written by the construct (${OWNED_FLAGS.join(', ')}): use the props`,
      a,
    ),
  );
  const s = props.strategy;
  if (s) {
    check.that(
      s.kind === 'rolling',
      'strategy',
      'must be rolling: a canary or blue-green runs extra pods, and each would need a GPU nobody has spare',
      s.kind,
    );
    check.that(
      [undefined, 0].includes(s.rollingOptions.maxSurge as number | undefined),
      'strategy.maxSurge',
      'must be 0 (or unset): a surge pod would wait for a spare GPU',
      s.rollingOptions.maxSurge,
    );
    check.that(
      [undefined, 1].includes(s.rollingOptions.maxUnavailable as number | undefined),
      'strategy.maxUnavailable',
      'must be 1 (or unset): with no surge, one pod at a time is replaced',
      s.rollingOptions.maxUnavailable,
    );
  }
  props.model.validate(check);
  if (props.model.kind === 'minio') {
    if (
      check.that(
        props.modelCache !== undefined,
        'modelCache',
        'is required for a downloaded model: ModelCache.emptyDir(size) or ModelCache.persistentVolume({ size })',
        undefined,
      )
    ) {
      props.modelCache?.validate(check, props.replicas ?? 1);
    }
  } else {
    check.that(
      props.modelCache === undefined,
      'modelCache',
      'must not be set for an image-baked model: nothing is downloaded',
      props.modelCache?.kind,
    );
  }
}
