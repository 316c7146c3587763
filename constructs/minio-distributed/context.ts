import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { imageVersion, monitorSelectorLabels, selectorLabels, standardLabels, WorkloadIdentity } from '../lib/labels';
import { podSecurityContext } from '../lib/pod-defaults';
import { API_PORT } from './props';
import { ResolvedMinioProps, ResolvedPool } from './resolve';

/** `app.kubernetes.io/name` of every object. */
export const APP_NAME = 'minio';

/** `server` for the pods, `storage` for what all share, `setup` for the mc Job, `metrics` for the scrape Service. */
export type Component = 'server' | 'storage' | 'setup' | 'metrics';

/** Keys of the root credentials Secret (each read from the same-named property of `rootRemoteKey`). */
export const ROOT_KEYS = { user: 'root-user', password: 'root-password' } as const;
/** Key of the metrics token Secret (property of `metricsTokenRemoteKey`). */
export const METRICS_TOKEN_KEY = 'prometheus-token';
/** Keys of a user's Secret: the same properties its client reads. */
export const USER_KEYS = { accessKey: 'access-key-id', secretKey: 'secret-access-key' } as const;

/** Where the certificate is mounted: MinIO's `--certs-dir` layout (public.crt, private.key, CAs/). */
export const CERTS_DIR = '/etc/minio/certs';

/** What every builder of one deployment shares: scope, resolved props, names and labels. */
export class MinioContext {
  public readonly name: string;
  public readonly namespace: string;
  public readonly names: {
    readonly root: string;
    readonly metricsToken: string;
    readonly headless: string;
    readonly client: string;
    readonly metrics: string;
    readonly setupFiles: string;
  };
  /** `<name>.<namespace>.svc`: the Service clients use. */
  public readonly host: string;
  /** `http(s)://<host>:9000`, path-style. */
  public readonly url: string;
  public readonly scheme: 'http' | 'https';
  /** Every server pod, of every pool. */
  public readonly servers: Readonly<Record<string, string>>;
  private readonly version?: string;

  constructor(
    public readonly scope: Construct,
    public readonly props: ResolvedMinioProps,
  ) {
    const { name, namespace } = props;
    this.name = name;
    this.namespace = namespace;
    this.names = {
      root: `${name}-root`,
      metricsToken: `${name}-metrics-token`,
      headless: `${name}-hl`,
      client: name,
      metrics: `${name}-metrics`,
      setupFiles: `${name}-setup`,
    };
    this.host = `${name}.${namespace}.svc`;
    this.scheme = props.tls.enabled ? 'https' : 'http';
    this.url = `${this.scheme}://${this.host}:${API_PORT}`;
    this.version = imageVersion(props.image);
    this.servers = selectorLabels(this.identity('server'));
  }

  /** StatefulSet of a pool: `<name>` for the first, `<name>-pool-<i>` for the ones `addPool` adds. */
  public poolName(pool: ResolvedPool): string {
    return pool.index === 0 ? this.name : `${this.name}-pool-${pool.index}`;
  }

  /**
   * The pool's argument of `minio server`: every pod under the headless Service with the `{0...N-1}`
   * ellipsis, each drive `/data{0...M-1}` (`/data0` with one drive); one pod alone uses the local
   * form `/data{0...M-1}` (single node, multiple drives).
   */
  public poolArgument(pool: ResolvedPool): string {
    const drives = pool.drivesPerPod === 1 ? '/data0' : `/data{0...${pool.drivesPerPod - 1}}`;
    if (pool.replicas === 1) {
      return drives;
    }
    const domain = `${this.names.headless}.${this.namespace}.svc.${this.props.clusterDomain}`;
    return `${this.scheme}://${this.poolName(pool)}-{0...${pool.replicas - 1}}.${domain}${drives}`;
  }

  public identity(component: Component): WorkloadIdentity {
    return { name: APP_NAME, instance: this.name, component, version: this.version, partOf: this.props.partOf, labelDomain: this.props.labelDomain };
  }

  public labelsFor(component: Component): Record<string, string> {
    return standardLabels(this.identity(component));
  }

  /** Selects one pool's pods. */
  public poolSelector(pool: ResolvedPool): Record<string, string> {
    return { ...selectorLabels(this.identity('server')), [`${this.props.labelDomain}/pool`]: String(pool.index) };
  }

  public podLabels(pool: ResolvedPool): Record<string, string> {
    return { ...this.labelsFor('server'), ...this.poolSelector(pool) };
  }

  public monitorSelector(): Record<string, string> {
    return monitorSelectorLabels({ ...this.identity('metrics'), labelDomain: this.props.labelDomain });
  }

  public meta(name: string, component: Component = 'storage'): k8s.ObjectMeta {
    return { name, namespace: this.namespace, labels: this.labelsFor(component) };
  }

  public podSecurity(): k8s.PodSecurityContext {
    return podSecurityContext(this.props.podSecurity);
  }

  public secretEnv(envName: string, secret: string, key: string): k8s.EnvVar {
    return { name: envName, valueFrom: { secretKeyRef: { name: secret, key } } };
  }
}
