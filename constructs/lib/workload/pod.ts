import { k8s } from 'cdk8s-plus-28';
import { containerSecurityContext, PodSecurityOptions, podSecurityContext, TMP, writableMounts, writableVolumes } from '../pod-defaults';
import { httpGetProbe } from '../probes';
import { nodePoolSpec, NodePool, spreadReplicas } from '../scheduling';
import { tcpServicePort } from '../services';
import { WorkloadExtensions } from './extensions';
import { HTTP_PORT_NAME, METRICS_PORT_NAME } from './props';
import { ResolvedAppWorkload } from './resolve';

/** Name of the main container of every application workload. */
export const MAIN_CONTAINER = 'app';
/** Seconds between startup probes; the failure threshold is derived from `probes.startupSeconds`. */
const STARTUP_PERIOD_SECONDS = 5;

/** Everything the pod template is made of; `env` stays mutable so `connectsTo` can add to it. */
export interface PodTemplateInput {
  readonly r: ResolvedAppWorkload;
  readonly ext: WorkloadExtensions;
  readonly nodePool?: NodePool;
  readonly labels: Record<string, string>;
  readonly selector: Record<string, string>;
  readonly serviceAccountName: string;
  readonly env: k8s.EnvVar[];
  readonly command?: readonly string[];
  readonly args?: readonly string[];
}

/** The hardened pod template: restricted security contexts, read-only root with `/tmp`, probes, spread. */
export function appPodTemplate(input: PodTemplateInput): k8s.PodTemplateSpec {
  const { r, ext } = input;
  const spread = r.maxPods > 1 ? spreadReplicas(input.selector, { acrossZones: r.zoneSpread }) : {};
  const affinity = ext.nodeAffinity ? { ...(spread.affinity ?? {}), nodeAffinity: ext.nodeAffinity } : spread.affinity;
  const paths = [TMP, ...(ext.writablePaths ?? [])];
  return {
    metadata: { labels: { ...input.labels }, ...(ext.podAnnotations ? { annotations: { ...ext.podAnnotations } } : {}) },
    spec: {
      ...hardenedPodSpec({ serviceAccountName: input.serviceAccountName, podSecurity: r.podSecurity, nodePool: input.nodePool, tolerations: ext.tolerations }),
      ...(affinity ? { affinity } : {}),
      ...(spread.topologySpreadConstraints ? { topologySpreadConstraints: spread.topologySpreadConstraints } : {}),
      ...(ext.terminationGracePeriodSeconds !== undefined ? { terminationGracePeriodSeconds: ext.terminationGracePeriodSeconds } : {}),
      ...(ext.initContainers?.length ? { initContainers: [...ext.initContainers] } : {}),
      containers: [mainContainer(input, writableMounts(paths)), ...(ext.containers ?? [])],
      volumes: [...writableVolumes(paths), ...(ext.volumes ?? [])],
    },
  };
}

function mainContainer(input: PodTemplateInput, mounts: k8s.VolumeMount[]): k8s.Container {
  const { r, ext } = input;
  const base = ext.gpus !== undefined ? r.resources.withGpus(ext.gpus) : r.resources.toKube();
  const extra = Object.fromEntries(
    Object.entries(ext.extraLimits ?? {}).map(([k, v]) => [k, typeof v === 'number' ? k8s.Quantity.fromNumber(v) : k8s.Quantity.fromString(v)]),
  );
  const resources = Object.keys(extra).length > 0 ? { ...base, limits: { ...base.limits, ...extra } } : base;
  return {
    ...hardenedContainer({ image: r.image, resources, env: input.env, volumeMounts: [...mounts, ...(ext.volumeMounts ?? [])], command: input.command, args: input.args }),
    ports: containerPorts(r, ext),
    ...probes(r, ext),
    ...(ext.preStop ? { lifecycle: { preStop: ext.preStop } } : {}),
  };
}

/** What every pod of ours runs as and where: its ServiceAccount without a token, the restricted pod security context, the node pool. */
export interface HardenedPodInput {
  readonly serviceAccountName: string;
  readonly podSecurity: PodSecurityOptions;
  readonly nodePool?: NodePool;
  /** Tolerations beyond the node pool's. @default - none */
  readonly tolerations?: readonly k8s.Toleration[];
}

/** The pod spec fields every application pod shares, long-running or run to completion. */
export function hardenedPodSpec(input: HardenedPodInput): Omit<k8s.PodSpec, 'containers'> {
  const pool = nodePoolSpec(input.nodePool);
  const tolerations = [...(pool.tolerations ?? []), ...(input.tolerations ?? [])];
  return {
    serviceAccountName: input.serviceAccountName,
    automountServiceAccountToken: false,
    securityContext: podSecurityContext(input.podSecurity),
    ...(pool.nodeSelector ? { nodeSelector: pool.nodeSelector } : {}),
    ...(tolerations.length > 0 ? { tolerations } : {}),
  };
}

/** The main container's image, command, env, resources and mounts. */
export interface HardenedContainerInput {
  readonly image: string;
  readonly resources: k8s.ResourceRequirements;
  /** Kept by reference: `connectsTo` adds to it after the container is built. */
  readonly env: k8s.EnvVar[];
  /** Kept by reference, like `env`. */
  readonly volumeMounts: k8s.VolumeMount[];
  readonly command?: readonly string[];
  readonly args?: readonly string[];
}

/** The main container `app` without ports or probes: the pinned image and the restricted container security context. */
export function hardenedContainer(input: HardenedContainerInput): k8s.Container {
  return {
    name: MAIN_CONTAINER,
    image: input.image,
    imagePullPolicy: 'IfNotPresent',
    ...(input.command ? { command: [...input.command] } : {}),
    ...(input.args ? { args: [...input.args] } : {}),
    env: input.env,
    resources: input.resources,
    securityContext: containerSecurityContext(),
    volumeMounts: input.volumeMounts,
  };
}

function containerPorts(r: ResolvedAppWorkload, ext: WorkloadExtensions): k8s.ContainerPort[] {
  return [
    { name: HTTP_PORT_NAME, containerPort: r.port, protocol: 'TCP' },
    ...(r.monitoring.port !== undefined ? [{ name: METRICS_PORT_NAME, containerPort: r.monitoring.port, protocol: 'TCP' }] : []),
    ...(ext.containerPorts ?? []),
  ];
}

function probes(r: ResolvedAppWorkload, ext: WorkloadExtensions): Pick<k8s.Container, 'livenessProbe' | 'readinessProbe' | 'startupProbe'> {
  if (ext.probes) {
    return { livenessProbe: ext.probes.liveness, readinessProbe: ext.probes.readiness, ...(ext.probes.startup ? { startupProbe: ext.probes.startup } : {}) };
  }
  const p = r.probes;
  return {
    livenessProbe: httpGetProbe(p.liveness, HTTP_PORT_NAME, { periodSeconds: 10, timeoutSeconds: 2, failureThreshold: 3 }),
    readinessProbe: httpGetProbe(p.readiness, HTTP_PORT_NAME, { periodSeconds: 5, timeoutSeconds: 2, failureThreshold: 3 }),
    ...(p.startup
      ? {
          startupProbe: httpGetProbe(p.startup, HTTP_PORT_NAME, {
            periodSeconds: STARTUP_PERIOD_SECONDS,
            timeoutSeconds: 2,
            failureThreshold: Math.ceil(p.startupSeconds / STARTUP_PERIOD_SECONDS),
          }),
        }
      : {}),
  };
}

/** The Service ports: `http` (and `metrics` when metrics have their own port), targeting the named container ports. */
export function appServicePorts(r: ResolvedAppWorkload, ext: WorkloadExtensions): k8s.ServicePort[] {
  return [
    tcpServicePort(HTTP_PORT_NAME, r.port, HTTP_PORT_NAME),
    ...(r.monitoring.port !== undefined ? [tcpServicePort(METRICS_PORT_NAME, r.monitoring.port, METRICS_PORT_NAME)] : []),
    ...(ext.servicePorts ?? []),
  ];
}
