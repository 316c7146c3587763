import { k8s } from 'cdk8s-plus-28';
import { containerSecurityContext, podSecurityContext, TMP, writableMounts, writableVolumes } from '../pod-defaults';
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
  const pool = nodePoolSpec(input.nodePool);
  const tolerations = [...(pool.tolerations ?? []), ...(ext.tolerations ?? [])];
  const spread = r.maxPods > 1 ? spreadReplicas(input.selector, { acrossZones: r.zoneSpread }) : {};
  const affinity = ext.nodeAffinity ? { ...(spread.affinity ?? {}), nodeAffinity: ext.nodeAffinity } : spread.affinity;
  const paths = [TMP, ...(ext.writablePaths ?? [])];
  return {
    metadata: { labels: { ...input.labels }, ...(ext.podAnnotations ? { annotations: { ...ext.podAnnotations } } : {}) },
    spec: {
      serviceAccountName: input.serviceAccountName,
      automountServiceAccountToken: false,
      securityContext: podSecurityContext(r.podSecurity),
      ...(pool.nodeSelector ? { nodeSelector: pool.nodeSelector } : {}),
      ...(tolerations.length > 0 ? { tolerations } : {}),
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
    name: MAIN_CONTAINER,
    image: r.image,
    imagePullPolicy: 'IfNotPresent',
    ...(input.command ? { command: [...input.command] } : {}),
    ...(input.args ? { args: [...input.args] } : {}),
    ports: containerPorts(r, ext),
    env: input.env,
    resources,
    securityContext: containerSecurityContext(),
    ...probes(r, ext),
    ...(ext.preStop ? { lifecycle: { preStop: ext.preStop } } : {}),
    volumeMounts: [...mounts, ...(ext.volumeMounts ?? [])],
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
