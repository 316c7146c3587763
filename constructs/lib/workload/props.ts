import { Peer } from '../connections';
import { SecretStoreRef } from '../external-secret';
import { PodSecurityOptions } from '../pod-defaults';
import { Resources } from '../resources';
import { NodePool } from '../scheduling';
import { TracingProps } from '../tracing';
import { DeliveryStrategy } from './strategy';

/** The port every application workload serves HTTP on: unprivileged, the same in every image we build. */
export const DEFAULT_HTTP_PORT = 8080;
/** Name of the HTTP container and Service port. */
export const HTTP_PORT_NAME = 'http';
/** Name of the metrics port when metrics are served on their own port. */
export const METRICS_PORT_NAME = 'metrics';
/** The default UID/GID of application images (our base images create user 10001). */
export const APP_UID = 10001;

/** One env var whose value comes from the secret store through an ExternalSecret: nothing secret is in git. */
export interface SecretEnvVar {
  /** Key in the secret store (e.g. `prod/app-core/auth`). */
  readonly remoteKey: string;
  /** Property of the JSON value at `remoteKey`. @default - the whole value */
  readonly property?: string;
}

/**
 * The HTTP probes. Liveness answers "is the process alive", never "are my dependencies up": a
 * liveness probe that checks a database restarts every pod when the database blips. Readiness
 * may check dependencies; it only takes the pod out of the Service.
 */
export interface HttpProbesProps {
  /** Path of the liveness probe; must not check a database. @default '/livez' */
  readonly livenessPath?: string;
  /** Path of the readiness probe. @default '/readyz' */
  readonly readinessPath?: string;
  /**
   * Path of a startup probe, for slow starts (model loads, migrations): liveness waits for it.
   * @default - no startup probe
   */
  readonly startupPath?: string;
  /** Seconds the startup probe allows for a start (failureThreshold x 5s period). @default 60 */
  readonly startupSeconds?: number;
}

/** A HorizontalPodAutoscaler on CPU. */
export interface AutoscalingProps {
  /** Fewest replicas, at least 1 (an HPA cannot scale to zero). @default - `replicas` */
  readonly minReplicas?: number;
  /** Most replicas; at least `minReplicas`. */
  readonly maxReplicas: number;
  /** Average CPU utilization (percent of the request) the HPA keeps. @default 70 */
  readonly cpuTargetPercent?: number;
}

/** Metrics of an application workload: its own `/metrics`, a ServiceMonitor, who may scrape. */
export interface AppMonitoringProps {
  /** Emit the ServiceMonitor (and the scrape allow). @default true */
  readonly enabled?: boolean;
  /** Path of the metrics endpoint. @default '/metrics' */
  readonly path?: string;
  /** Serve metrics on their own port (named `metrics`) instead of the HTTP port. @default - the HTTP port */
  readonly port?: number;
  /** Who may scrape (a Prometheus namespace). @default - nobody: add scrapers to open the port */
  readonly scrapers?: readonly Peer[];
}

/**
 * Base props of every application workload (CoreService, AgentService, ModelServer, StaticSite).
 * The same words as the data-service contract (`DataServiceProps`): the same name means the
 * same thing everywhere. A construct extends this and adds what is its own.
 */
export interface AppWorkloadProps {
  /** Namespace of every object. @default - the namespace of the enclosing Chart */
  readonly namespace?: string;
  /** Base name of every object, a DNS label of at most 40 characters (room for `-preview`, `-to-<namespace>`). @default - the construct id, lower-cased */
  readonly name?: string;
  /** Container image, pinned by tag or digest. No default: images are a supply-chain decision. */
  readonly image: string;
  /**
   * Pods. 0 is allowed (a DR environment at rest): then no HPA and no PDB are emitted. With
   * `autoscaling` this is the HPA's minimum unless `autoscaling.minReplicas` says otherwise.
   * @default 2
   */
  readonly replicas?: number;
  /** Resources of the main container. @default Resources.SMALL */
  readonly resources?: Resources;
  /** Node pool of the pods. @default - any node */
  readonly nodePool?: NodePool;
  /** Also spread the pods across zones (topology spread). They are always spread over nodes. @default false */
  readonly zoneSpread?: boolean;
  /** UID and GIDs of the pods. @default - uid/gid APP_UID (10001) */
  readonly podSecurity?: PodSecurityOptions;
  /** `app.kubernetes.io/part-of` of every object. @default DEFAULT_PART_OF ('receivables-platform') */
  readonly partOf?: string;
  /** Domain of the construct's own label keys. @default PLATFORM_DOMAIN ('receivables.io') */
  readonly labelDomain?: string;
  /** The External Secrets store every secret env var and connection password is read from. */
  readonly secretStore: SecretStoreRef;
  /** Port the container serves HTTP on (and the Service). @default DEFAULT_HTTP_PORT (8080) */
  readonly port?: number;
  /** Plain env vars. Names that look like secrets are refused: put them in `secretEnv`. @default - none */
  readonly env?: Readonly<Record<string, string>>;
  /** Env vars from the secret store, one ExternalSecret `<name>-env`. @default - none */
  readonly secretEnv?: Readonly<Record<string, SecretEnvVar>>;
  /** The probe paths. @default - `/livez`, `/readyz`, no startup probe */
  readonly probes?: HttpProbesProps;
  /** A HorizontalPodAutoscaler on CPU. Ignored (none emitted) at 0 replicas. @default - fixed `replicas` */
  readonly autoscaling?: AutoscalingProps;
  /** How a new version rolls out. @default DeliveryStrategy.rolling() */
  readonly strategy?: DeliveryStrategy;
  /** Metrics. @default - `/metrics` on the HTTP port, a ServiceMonitor, no scraper admitted */
  readonly monitoring?: AppMonitoringProps;
  /**
   * Send traces to an OpenTelemetry Collector: the `OTEL_*` SDK env vars (endpoint, service name,
   * resource attributes, sampler) and the egress NetworkPolicy `<name>-to-otel-collector` to its
   * pods. The collector's namespace must admit these pods on its port. @default - no tracing env
   */
  readonly tracing?: TracingProps;
  /** Command of the main container. @default - the image's entrypoint */
  readonly command?: readonly string[];
  /** Args of the main container. @default - the image's cmd */
  readonly args?: readonly string[];
}
