import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { imageVersion, LABEL_INSTANCE, LABEL_NAME, monitorSelectorLabels, selectorLabels, standardLabels, WorkloadIdentity } from '../lib/labels';
import { podSecurityContext, WritablePath } from '../lib/pod-defaults';
import { TlsFiles } from '../lib/tls';
import { RedisUser } from './config';
import { ResolvedRedisProps } from './resolve';

/** `app.kubernetes.io/name` of every object. */
export const APP_NAME = 'redis';
/** Key of a user's password in the credentials Secret (and property of the store's value). */
export function passwordKey(user: RedisUser): string {
  return `${user}-password`;
}
/** Key of the application password in the app Secret (ServiceConnection.secret.keys.password). */
export const APP_PASSWORD_KEY = 'password';

/** The parts of a Redis, each with its own `app.kubernetes.io/component` (`cache` labels what both share). */
export type Component = 'cache' | 'data' | 'sentinel';

/** Where things are mounted in the pods. */
export const PATHS = {
  config: '/config',
  secret: '/secrets/redis',
  /** The certificate secret (tls.crt, tls.key, ca.crt). */
  tls: '/tls',
  data: '/data',
  /** The pod's own redis.conf (holds the password: memory-backed). */
  runtime: '/run/redis',
  /** Sentinel's writable config and working directory (holds the password: memory-backed). */
  sentinel: '/sentinel',
} as const;

/** ConfigMap keys. */
export const FILES = {
  redisConf: 'redis.conf',
  sentinelConf: 'sentinel.conf',
  startRedis: 'start-redis.sh',
  startSentinel: 'start-sentinel.sh',
  redisLiveness: 'redis-liveness.sh',
  redisReadiness: 'redis-readiness.sh',
  redisPreStop: 'redis-prestop.sh',
  sentinelLiveness: 'sentinel-liveness.sh',
  sentinelReadiness: 'sentinel-readiness.sh',
} as const;

export const RUNTIME_DIR: WritablePath = { name: 'runtime', mountPath: PATHS.runtime, sizeLimit: '1Mi', memory: true };
export const SENTINEL_DIR: WritablePath = { name: 'sentinel', mountPath: PATHS.sentinel, sizeLimit: '16Mi', memory: true };

/**
 * What every builder of one Redis shares: the construct the objects are created in, the resolved
 * props, and the names, hosts and labels derived from them, so that no builder rebuilds one.
 */
export class RedisContext {
  public readonly name: string;
  public readonly namespace: string;
  /** Object names that other objects refer to. */
  public readonly names: {
    readonly config: string;
    /** Every user's password: the pods'. */
    readonly auth: string;
    /** The app user's password alone: the clients'. */
    readonly app: string;
    readonly headless: string;
    readonly sentinel: string;
    readonly sentinelHeadless: string;
  };
  /** The Sentinel Service clients ask, and the stable DNS name of every pod. */
  public readonly hosts: { readonly sentinel: string; readonly data: readonly string[]; readonly sentinels: readonly string[] };
  /** Every pod of this Redis (data and Sentinel): clients need both. */
  public readonly allPods: Readonly<Record<string, string>>;
  /** Where the pods find the certificate; undefined without TLS. */
  public readonly tls?: TlsFiles;
  private readonly version?: string;

  constructor(
    public readonly scope: Construct,
    public readonly props: ResolvedRedisProps,
  ) {
    const { name, namespace: ns, clusterDomain: domain } = props;
    this.name = name;
    this.namespace = ns;
    this.names = {
      config: `${name}-config`,
      auth: `${name}-auth`,
      app: `${name}-app`,
      headless: `${name}-headless`,
      sentinel: `${name}-sentinel`,
      sentinelHeadless: `${name}-sentinel-headless`,
    };
    const podHost = (sts: string, svc: string, i: number): string => `${sts}-${i}.${svc}.${ns}.svc.${domain}`;
    this.hosts = {
      sentinel: `${this.names.sentinel}.${ns}.svc.${domain}`,
      data: Array.from({ length: props.replicas }, (_, i) => podHost(name, this.names.headless, i)),
      sentinels: Array.from({ length: props.sentinelReplicas }, (_, i) => podHost(this.names.sentinel, this.names.sentinelHeadless, i)),
    };
    this.allPods = { [LABEL_NAME]: APP_NAME, [LABEL_INSTANCE]: name };
    this.version = imageVersion(props.image);
    this.tls = props.tls.enabled
      ? { secretName: `${name}-tls`, cert: `${PATHS.tls}/tls.crt`, key: `${PATHS.tls}/tls.key`, ca: `${PATHS.tls}/ca.crt` }
      : undefined;
  }

  public identity(component: Component): WorkloadIdentity {
    return { name: APP_NAME, instance: this.name, component, version: this.version, partOf: this.props.partOf, labelDomain: this.props.labelDomain };
  }

  /** Recommended labels of one component. */
  public labelsFor(component: Component): Record<string, string> {
    return standardLabels(this.identity(component));
  }

  public selectorFor(component: Component): Record<string, string> {
    return selectorLabels(this.identity(component));
  }

  /** What a ServiceMonitor selects the component's Services by (no app.kubernetes.io/instance). */
  public monitorSelectorFor(component: Component): Record<string, string> {
    return monitorSelectorLabels({ ...this.identity(component), labelDomain: this.props.labelDomain });
  }

  public meta(name: string, component: Component = 'cache'): k8s.ObjectMeta {
    return { name, namespace: this.namespace, labels: this.labelsFor(component) };
  }

  /** The stable DNS name a pod of `statefulSet` (behind `headless`) announces, from its POD_NAME. */
  public selfHost(headless: string): string {
    return `$POD_NAME.${headless}.${this.namespace}.svc.${this.props.clusterDomain}`;
  }

  /** The security context of every pod: the image's user and group. */
  public podSecurity(): k8s.PodSecurityContext {
    return podSecurityContext(this.props.podSecurity);
  }

  /** An environment variable holding a user's password, from the Secret the ExternalSecret writes. */
  public passwordEnv(envName: string, user: RedisUser): k8s.EnvVar {
    return { name: envName, valueFrom: { secretKeyRef: { name: this.names.auth, key: passwordKey(user) } } };
  }
}
