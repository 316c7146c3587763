import { k8s } from 'cdk8s-plus-28';
import { WritablePath } from '../pod-defaults';
import { PropChecks } from '../prop-errors';
import { Resources } from '../resources';
import { RollingOptions } from './strategy';

/**
 * What a construct built on `AppWorkload` adds to the base (not chart-facing props: the
 * construct computes them from its own props). AgentService adds a preStop hook and an external
 * scaler, ModelServer GPU limits, tolerations and `maxSurge: 0`, StaticSite its own probes and
 * config volume. Everything else (security contexts, `/tmp`, ServiceAccount, Service, PDB,
 * spread, HPA, ServiceMonitor, NetworkPolicies, the Deployment or Rollout) comes from the base.
 */
export interface WorkloadExtensions {
  /** `app.kubernetes.io/component` of every object, e.g. `api`, `agent`, `model-server`, `web`. */
  readonly component: string;
  /** Defaults for base props the construct leaves optional. @default - the base defaults */
  readonly defaults?: WorkloadDefaults;
  /** Problems of the construct's own props, reported together with the base's. @default - none */
  readonly validate?: (check: PropChecks) => void;
  /** Sidecars next to the main container. @default - none */
  readonly containers?: readonly k8s.Container[];
  /** Init containers (a model download, a migration). @default - none */
  readonly initContainers?: readonly k8s.Container[];
  /** Extra pod volumes. @default - none */
  readonly volumes?: readonly k8s.Volume[];
  /** Extra mounts of the main container. @default - none */
  readonly volumeMounts?: readonly k8s.VolumeMount[];
  /** Writable emptyDirs besides `/tmp` (which every pod gets). @default - none */
  readonly writablePaths?: readonly WritablePath[];
  /** Extra env of the main container, after the plain and secret env. @default - none */
  readonly env?: readonly k8s.EnvVar[];
  /**
   * Whole NVIDIA GPUs of the main container: `nvidia.com/gpu` in its limits and the same count in
   * its requests (`Resources.withGpus`). @default - none
   */
  readonly gpus?: number;
  /** Extra limits of the main container, e.g. `{ 'example.com/fpga': 1 }`. @default - none */
  readonly extraLimits?: Readonly<Record<string, number | string>>;
  /** Tolerations added to those of the node pool (GPU taints). @default - none */
  readonly tolerations?: readonly k8s.Toleration[];
  /** Node affinity (GPU products from the cloud profile). @default - none */
  readonly nodeAffinity?: k8s.NodeAffinity;
  /** Seconds a pod has to drain after SIGTERM. @default - the Kubernetes default (30) */
  readonly terminationGracePeriodSeconds?: number;
  /** preStop hook of the main container (let in-flight work drain). @default - none */
  readonly preStop?: k8s.LifecycleHandler;
  /** Overrides the rolling update of a Deployment (`maxSurge: 0` for GPUs). @default - from the strategy */
  readonly rollingUpdate?: RollingOptions;
  /** Replace the HTTP probes of the base (e.g. an exec probe). @default - HTTP probes from `probes` */
  readonly probes?: { readonly liveness: k8s.Probe; readonly readiness: k8s.Probe; readonly startup?: k8s.Probe };
  /**
   * Replicas are owned by an external scaler (a KEDA ScaledObject the construct emits on
   * `scaleTarget`): `spec.replicas` is left out, no HPA is emitted, and the PDB and spread are
   * sized for `maxReplicas`. `minReplicas` may be 0 (scale to zero).
   * @default - replicas from the props, HPA from `autoscaling`
   */
  readonly externalScaler?: { readonly minReplicas: number; readonly maxReplicas: number };
  /** Pod annotations (config hashes). @default - none */
  readonly podAnnotations?: Readonly<Record<string, string>>;
  /** Extra Service ports. @default - none */
  readonly servicePorts?: readonly k8s.ServicePort[];
  /** Extra container ports of the main container. @default - none */
  readonly containerPorts?: readonly k8s.ContainerPort[];
}

/** Defaults a construct chooses for the base props. */
export interface WorkloadDefaults {
  /** @default 2 */
  readonly replicas?: number;
  /** @default Resources.SMALL */
  readonly resources?: Resources;
  /** @default DEFAULT_HTTP_PORT */
  readonly port?: number;
  /** @default '/livez' */
  readonly livenessPath?: string;
  /** @default '/readyz' */
  readonly readinessPath?: string;
  /** @default APP_UID */
  readonly uid?: number;
}
