import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { imageVersion, LABEL_INSTANCE, LABEL_NAME, monitorSelectorLabels, selectorLabels, standardLabels, WorkloadIdentity } from '../lib/labels';
import { podSecurityContext } from '../lib/pod-defaults';
import { CLIENT_PORT } from './props';
import { ResolvedKafkaProps, ResolvedPool } from './resolve';

/** `app.kubernetes.io/name` of every object. */
export const APP_NAME = 'kafka';

/** Components: one per pool, `kafka` for what all share, `topics` for the Job, `metrics` for the exporter. */
export type Component = ResolvedPool['pool'] | 'kafka' | 'topics' | 'metrics';

/** SCRAM users. `admin` is the brokers' own (inter-broker) and the topics Job's; `app` is for clients; `monitor` for the exporter. */
export const USERS = ['admin', 'app', 'monitor'] as const;
export type KafkaUser = (typeof USERS)[number];
/** Key of a user's password in the credentials Secret (and property in the store). */
export function passwordKey(user: KafkaUser): string {
  return `${user}-password`;
}

/** Paths in the official image and our mounts. */
export const PATHS = {
  bin: '/opt/kafka/bin',
  data: '/var/lib/kafka/data',
  /** Our ConfigMap: server-<pool>.properties and scripts. */
  files: '/mnt/files',
  /** Writable: the rendered server.properties (with the JAAS line) lives here. */
  config: '/mnt/config',
  logs: '/mnt/logs',
  credentials: '/mnt/credentials',
} as const;

/** What every builder of one cluster shares: scope, resolved props, names and labels. */
export class KafkaContext {
  public readonly name: string;
  public readonly namespace: string;
  public readonly names: {
    readonly files: string;
    readonly credentials: string;
    readonly headless: string;
    readonly bootstrap: string;
    readonly topics: string;
  };
  /** Bootstrap Service host and `host:port`. */
  public readonly bootstrapHost: string;
  public readonly bootstrapServers: string;
  /** Every Kafka pod (not the Job, not the exporter). */
  public readonly allNodes: Readonly<Record<string, string>>;
  private readonly version?: string;

  constructor(
    public readonly scope: Construct,
    public readonly props: ResolvedKafkaProps,
  ) {
    const { name, namespace } = props;
    this.name = name;
    this.namespace = namespace;
    this.names = {
      files: `${name}-files`,
      credentials: `${name}-credentials`,
      headless: `${name}-headless`,
      bootstrap: `${name}-bootstrap`,
      topics: `${name}-topics`,
    };
    this.bootstrapHost = `${this.names.bootstrap}.${namespace}.svc`;
    this.bootstrapServers = `${this.bootstrapHost}:${CLIENT_PORT}`;
    this.allNodes = { [LABEL_NAME]: APP_NAME, [LABEL_INSTANCE]: name, [`${props.labelDomain}/node`]: 'true' };
    this.version = imageVersion(props.image);
  }

  public setName(pool: ResolvedPool): string {
    return `${this.name}-${pool.pool}`;
  }

  /** The stable DNS name of pod `i` of a pool (through the one headless Service). */
  public podHost(pool: ResolvedPool, i: number): string {
    return `${this.setName(pool)}-${i}.${this.names.headless}.${this.namespace}.svc.${this.props.clusterDomain}`;
  }

  /** The pools whose pods are brokers, and those whose pods vote. */
  public brokerPools(): ResolvedPool[] {
    return this.props.pools.filter((p) => p.roles.includes('broker'));
  }

  public controllerPools(): ResolvedPool[] {
    return this.props.pools.filter((p) => p.roles.includes('controller'));
  }

  public identity(component: Component): WorkloadIdentity {
    return { name: APP_NAME, instance: this.name, component, version: this.version, partOf: this.props.partOf, labelDomain: this.props.labelDomain };
  }

  public labelsFor(component: Component): Record<string, string> {
    return standardLabels(this.identity(component));
  }

  public podLabels(pool: ResolvedPool): Record<string, string> {
    return { ...this.labelsFor(pool.pool), [`${this.props.labelDomain}/node`]: 'true' };
  }

  public selector(component: Component): Record<string, string> {
    return selectorLabels(this.identity(component));
  }

  /** Every broker pod: one component (combined or broker), so one selector. */
  public brokerSelector(): Record<string, string> {
    return this.selector(this.brokerPools()[0].pool);
  }

  public monitorSelector(): Record<string, string> {
    return monitorSelectorLabels({ ...this.identity('metrics'), labelDomain: this.props.labelDomain });
  }

  public meta(name: string, component: Component = 'kafka'): k8s.ObjectMeta {
    return { name, namespace: this.namespace, labels: this.labelsFor(component) };
  }

  public podSecurity(): k8s.PodSecurityContext {
    return podSecurityContext(this.props.podSecurity);
  }

  public passwordEnv(envName: string, user: KafkaUser): k8s.EnvVar {
    return { name: envName, valueFrom: { secretKeyRef: { name: this.names.credentials, key: passwordKey(user) } } };
  }
}
