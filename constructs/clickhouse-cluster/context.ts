import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { imageVersion, LABEL_INSTANCE, LABEL_NAME, monitorSelectorLabels, selectorLabels, standardLabels, WorkloadIdentity } from '../lib/labels';
import { podSecurityContext } from '../lib/pod-defaults';
import { ResolvedClickHouseProps } from './resolve';

/** `app.kubernetes.io/name` of every object. */
export const APP_NAME = 'clickhouse';

/** Components: `server` (every shard), `keeper`, `schema` (the DDL Job), `backup`, `metrics`, `analytics` for what all share. */
export type Component = 'server' | 'keeper' | 'schema' | 'backup' | 'metrics' | 'analytics';

/** Keys of the credentials Secret (each read from the same-named property of `secretRemoteKey`). */
export const CREDENTIAL_KEYS = {
  admin: 'admin-password',
  app: 'app-password',
  clusterSecret: 'cluster-secret',
  interserver: 'interserver-password',
} as const;
/** Keys of the backup Secret (properties of `backup.credentialsRemoteKey`). */
export const S3_KEYS = { accessKey: 'access-key-id', secretKey: 'secret-access-key' } as const;

/** Environment variables the config files read with `from_env`. */
export const ENV = {
  podName: 'POD_NAME',
  shard: 'CLICKHOUSE_SHARD',
  interserverHost: 'CLICKHOUSE_INTERSERVER_HOST',
  adminPassword: 'CLICKHOUSE_ADMIN_PASSWORD',
  appPassword: 'CLICKHOUSE_APP_PASSWORD',
  clusterSecret: 'CLICKHOUSE_CLUSTER_SECRET',
  interserverPassword: 'CLICKHOUSE_INTERSERVER_PASSWORD',
  s3AccessKey: 'CLICKHOUSE_BACKUP_S3_ACCESS_KEY_ID',
  kafkaPassword: 'CLICKHOUSE_KAFKA_SASL_PASSWORD',
  s3SecretKey: 'CLICKHOUSE_BACKUP_S3_SECRET_ACCESS_KEY',
} as const;

/** Users of users.d: `admin` runs the schema and backup Jobs, `app` is the clients' login. */
export const USERS = { admin: 'admin', app: 'app', interserver: 'interserver' } as const;

/** What every builder of one cluster shares: scope, resolved props, names and labels. */
export class ChContext {
  public readonly name: string;
  public readonly namespace: string;
  public readonly names: {
    readonly config: string;
    readonly users: string;
    readonly keeper: string;
    readonly keeperConfig: string;
    readonly credentials: string;
    readonly s3: string;
    /** The brokers' SASL password (key `password`), with `kafka`. */
    readonly kafka: string;
    readonly schema: string;
    readonly backup: string;
  };
  /** The client Service and its DNS name. */
  public readonly host: string;
  /** Every server pod (all shards). */
  public readonly servers: Readonly<Record<string, string>>;
  private readonly version?: string;

  constructor(
    public readonly scope: Construct,
    public readonly props: ResolvedClickHouseProps,
  ) {
    const { name, namespace } = props;
    this.name = name;
    this.namespace = namespace;
    this.names = {
      config: `${name}-config`,
      users: `${name}-users`,
      keeper: `${name}-keeper`,
      keeperConfig: `${name}-keeper-config`,
      credentials: `${name}-credentials`,
      s3: `${name}-backup-s3`,
      kafka: `${name}-kafka`,
      schema: `${name}-schema`,
      backup: `${name}-backup`,
    };
    this.host = `${name}.${namespace}.svc`;
    this.servers = selectorLabels(this.identity('server'));
    this.version = imageVersion(props.image);
  }

  /** StatefulSet and headless Service of shard `i` (0-based): `<name>-s<i>`. */
  public shardName(i: number): string {
    return `${this.name}-s${i}`;
  }

  /** Stable DNS name of replica `r` of shard `i`. */
  public replicaHost(i: number, r: number): string {
    return `${this.shardName(i)}-${r}.${this.shardName(i)}.${this.namespace}.svc.${this.props.clusterDomain}`;
  }

  /** Stable DNS name of Keeper member `i`. */
  public keeperHost(i: number): string {
    return `${this.names.keeper}-${i}.${this.names.keeper}.${this.namespace}.svc.${this.props.clusterDomain}`;
  }

  public identity(component: Component): WorkloadIdentity {
    return { name: APP_NAME, instance: this.name, component, version: this.version, partOf: this.props.partOf, labelDomain: this.props.labelDomain };
  }

  public labelsFor(component: Component): Record<string, string> {
    return standardLabels(this.identity(component));
  }

  /** Selects the replicas of shard `i`. */
  public shardSelector(i: number): Record<string, string> {
    return { ...this.servers, [`${this.props.labelDomain}/shard`]: String(i) };
  }

  public keeperSelector(): Record<string, string> {
    return selectorLabels(this.identity('keeper'));
  }

  public componentSelector(component: Component): Record<string, string> {
    return selectorLabels(this.identity(component));
  }

  public monitorSelector(): Record<string, string> {
    return monitorSelectorLabels({ ...this.identity('metrics'), labelDomain: this.props.labelDomain });
  }

  public meta(name: string, component: Component = 'analytics'): k8s.ObjectMeta {
    return { name, namespace: this.namespace, labels: this.labelsFor(component) };
  }

  public podSecurity(): k8s.PodSecurityContext {
    return podSecurityContext(this.props.podSecurity);
  }

  public secretEnv(envName: string, secret: string, key: string): k8s.EnvVar {
    return { name: envName, valueFrom: { secretKeyRef: { name: secret, key } } };
  }

  /** The pods that serve the built-in Prometheus endpoint: every server and Keeper member. */
  public get metricsPods(): Record<string, string> {
    return { [LABEL_NAME]: APP_NAME, [LABEL_INSTANCE]: this.name, [`${this.props.labelDomain}/metrics`]: 'true' };
  }
}
