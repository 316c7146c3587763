import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { PLATFORM_DOMAIN } from '../../../core/annotations';
import { Peer } from '../connections';
import { DEFAULT_PART_OF } from '../labels';
import { PodSecurityOptions } from '../pod-defaults';
import { PropChecks } from '../prop-errors';
import { Resources } from '../resources';
import { WorkloadExtensions } from './extensions';
import { APP_UID, AppWorkloadProps, DEFAULT_HTTP_PORT } from './props';
import { DeliveryStrategy } from './strategy';

/** Longest `name`: `<name>-preview` and `<name>-to-<namespace>` policy names must fit. */
export const MAX_WORKLOAD_NAME_LENGTH = 40;
/** Env var names that carry secrets and must come from `secretEnv`. */
const SECRET_LOOKING = /(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIALS?)$/i;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const HTTP_PATH = /^\/[\x21-\x7e]*$/;

/** The base props with their defaults applied. */
export interface ResolvedAppWorkload {
  readonly namespace: string;
  readonly name: string;
  readonly image: string;
  readonly replicas: number;
  readonly resources: Resources;
  readonly zoneSpread: boolean;
  readonly podSecurity: Required<PodSecurityOptions>;
  readonly partOf: string;
  readonly labelDomain: string;
  readonly port: number;
  readonly probes: { readonly liveness: string; readonly readiness: string; readonly startup?: string; readonly startupSeconds: number };
  /** HPA bounds, only when an HPA is emitted (autoscaling set and replicas > 0). */
  readonly hpa?: { readonly min: number; readonly max: number; readonly cpu: number };
  /** The most pods the workload runs at (sizes the PDB and spread). */
  readonly maxPods: number;
  readonly strategy: DeliveryStrategy;
  readonly monitoring: { readonly enabled: boolean; readonly path: string; readonly port?: number; readonly scrapers: readonly Peer[] };
}

/**
 * Applies the defaults to the base props and records every problem on `check`. Field names are
 * the props' own (`autoscaling.maxReplicas`, `probes.livenessPath`, `env.DB_PASSWORD`).
 */
export function resolveAppWorkload(scope: Construct, id: string, props: AppWorkloadProps, ext: WorkloadExtensions, check: PropChecks): ResolvedAppWorkload {
  const d = ext.defaults ?? {};
  const { namespace, name, image } = resolveIdentity(scope, id, props, check);
  const replicas = props.replicas ?? d.replicas ?? 2;
  check.integer(replicas, 'replicas', 0, 1000);
  const port = props.port ?? d.port ?? DEFAULT_HTTP_PORT;
  check.integer(port, 'port', 1024, 65535);
  checkEnv(props, check);
  const { podSecurity, labelDomain, partOf } = resolvePodScope(props, d.uid ?? APP_UID, check);
  const strategy = props.strategy ?? DeliveryStrategy.rolling();
  strategy.validate(check, 'strategy');
  const { hpa, maxPods } = resolveScaling(props, ext, replicas, check);
  return {
    namespace,
    name,
    image,
    replicas,
    resources: props.resources ?? d.resources ?? Resources.SMALL,
    zoneSpread: props.zoneSpread ?? false,
    podSecurity,
    partOf,
    labelDomain,
    port,
    probes: resolveProbes(props, ext, check),
    hpa,
    maxPods,
    strategy,
    monitoring: resolveMonitoring(props, port, check),
  };
}

/** The props every pod owner shares: where it runs, what it is called, what it runs. */
export type PodIdentityProps = Pick<AppWorkloadProps, 'namespace' | 'name' | 'image'>;

/** Namespace (the props', else the chart's), name (else the id, lower-cased) and image, checked. */
export function resolveIdentity(scope: Construct, id: string, props: PodIdentityProps, check: PropChecks): { namespace: string; name: string; image: string } {
  const namespace = props.namespace ?? Chart.of(scope).namespace ?? '';
  if (check.that(!!namespace, 'namespace', 'must be set on the props or the chart', props.namespace)) {
    check.dnsLabel(namespace, 'namespace');
  }
  const name = props.name ?? id.toLowerCase();
  check.dnsLabel(name, 'name', MAX_WORKLOAD_NAME_LENGTH);
  if (check.that(!!props.image, 'image', 'is required: images are a supply-chain decision', props.image)) {
    check.pinnedImage(props.image, 'image');
  }
  return { namespace, name, image: props.image ?? '' };
}

/** The props of a pod's security context and of its labels. */
export type PodScopeProps = Pick<AppWorkloadProps, 'podSecurity' | 'labelDomain' | 'partOf'>;

/** UID/GIDs (default `uid`), label domain and part-of, checked. */
export function resolvePodScope(
  props: PodScopeProps,
  uid: number,
  check: PropChecks,
): { podSecurity: Required<PodSecurityOptions>; labelDomain: string; partOf: string } {
  const runAsGroup = props.podSecurity?.runAsGroup ?? uid;
  const podSecurity = { runAsUser: props.podSecurity?.runAsUser ?? uid, runAsGroup, fsGroup: props.podSecurity?.fsGroup ?? runAsGroup };
  for (const field of ['runAsUser', 'runAsGroup', 'fsGroup'] as const) {
    check.integer(podSecurity[field], `podSecurity.${field}`, 1, 2 ** 31 - 1);
  }
  const labelDomain = props.labelDomain ?? PLATFORM_DOMAIN;
  check.that(/^([a-z0-9]([-a-z0-9]*[a-z0-9])?\.)+[a-z]{2,}$/.test(labelDomain), 'labelDomain', 'must be a DNS subdomain such as example.com', labelDomain);
  const partOf = props.partOf ?? DEFAULT_PART_OF;
  check.that(/^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/.test(partOf) && partOf.length <= 63, 'partOf', 'must be a label value', partOf);
  return { podSecurity, labelDomain, partOf };
}

/** Plain env names and no secret-looking names; secret env names and store keys; no name in both. */
export function checkEnv(props: Pick<AppWorkloadProps, 'env' | 'secretEnv'>, check: PropChecks): void {
  for (const [key, value] of Object.entries(props.env ?? {})) {
    check.that(ENV_NAME.test(key), `env.${key}`, 'must be an env var name (letters, digits, _)', key);
    check.that(!SECRET_LOOKING.test(key), `env.${key}`, 'looks like a secret: put it in secretEnv (read from the secret store)', value.length > 0 ? '<redacted>' : value);
  }
  for (const [key, ref] of Object.entries(props.secretEnv ?? {})) {
    check.that(ENV_NAME.test(key), `secretEnv.${key}`, 'must be an env var name (letters, digits, _)', key);
    check.that(!!ref.remoteKey, `secretEnv.${key}.remoteKey`, 'must name a key of the secret store', ref.remoteKey);
    check.that(!(key in (props.env ?? {})), `secretEnv.${key}`, 'is also a plain env var', key);
  }
}

function resolveProbes(props: AppWorkloadProps, ext: WorkloadExtensions, check: PropChecks): ResolvedAppWorkload['probes'] {
  const p = props.probes ?? {};
  const liveness = p.livenessPath ?? ext.defaults?.livenessPath ?? '/livez';
  const readiness = p.readinessPath ?? ext.defaults?.readinessPath ?? '/readyz';
  for (const [field, path] of [
    ['probes.livenessPath', liveness],
    ['probes.readinessPath', readiness],
    ['probes.startupPath', p.startupPath],
  ] as const) {
    if (path !== undefined) {
      check.that(HTTP_PATH.test(path), field, 'must be an absolute URL path such as /readyz', path);
    }
  }
  // Liveness must not depend on a database: a database blip would restart every pod at once.
  check.that(!/(db|database|postgres|redis|kafka|deps|dependencies)/i.test(liveness), 'probes.livenessPath', 'must not check a database or other dependency (use readinessPath for that)', liveness);
  check.that(liveness !== readiness, 'probes.readinessPath', 'must differ from probes.livenessPath: liveness checks only the process', readiness);
  const startupSeconds = p.startupSeconds ?? 60;
  check.integer(startupSeconds, 'probes.startupSeconds', 5, 3600);
  return { liveness, readiness, startup: p.startupPath, startupSeconds };
}

function resolveScaling(props: AppWorkloadProps, ext: WorkloadExtensions, replicas: number, check: PropChecks): Pick<ResolvedAppWorkload, 'hpa' | 'maxPods'> {
  const a = props.autoscaling;
  if (ext.externalScaler) {
    check.that(a === undefined, 'autoscaling', 'cannot be set: the replicas of this workload are owned by its own scaler', a?.maxReplicas);
    return { maxPods: replicas === 0 ? 0 : ext.externalScaler.maxReplicas };
  }
  if (!a) {
    return { maxPods: replicas };
  }
  const min = a.minReplicas ?? Math.max(replicas, 1);
  const cpu = a.cpuTargetPercent ?? 70;
  check.integer(min, 'autoscaling.minReplicas', 1, 1000);
  if (check.integer(a.maxReplicas, 'autoscaling.maxReplicas', 1, 1000)) {
    check.that(a.maxReplicas >= min, 'autoscaling.maxReplicas', `must be at least autoscaling.minReplicas (${min})`, a.maxReplicas);
  }
  check.integer(cpu, 'autoscaling.cpuTargetPercent', 1, 100);
  // DR at rest: zero replicas and no HPA (an HPA cannot hold a workload at zero).
  return replicas === 0 ? { maxPods: 0 } : { hpa: { min, max: a.maxReplicas, cpu }, maxPods: a.maxReplicas };
}

function resolveMonitoring(props: AppWorkloadProps, port: number, check: PropChecks): ResolvedAppWorkload['monitoring'] {
  const m = props.monitoring ?? {};
  const enabled = m.enabled ?? true;
  const path = m.path ?? '/metrics';
  check.that(HTTP_PATH.test(path), 'monitoring.path', 'must be an absolute URL path such as /metrics', path);
  if (m.port !== undefined && check.integer(m.port, 'monitoring.port', 1024, 65535)) {
    check.that(m.port !== port, 'monitoring.port', 'is the HTTP port: leave it unset to scrape the HTTP port', m.port);
  }
  const scrapers = m.scrapers ?? [];
  check.that(enabled || scrapers.length === 0, 'monitoring.scrapers', 'needs monitoring.enabled', scrapers.length);
  return { enabled, path, port: m.port, scrapers };
}
