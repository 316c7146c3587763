import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { imageVersion, LABEL_INSTANCE, LABEL_NAME, monitorSelectorLabels, selectorLabels, standardLabels, WorkloadIdentity } from '../lib/labels';
import { podSecurityContext } from '../lib/pod-defaults';
import { ResolvedElasticsearchProps, ResolvedNodeSet } from './resolve';

/** `app.kubernetes.io/name` of every object. */
export const APP_NAME = 'elasticsearch';

/** Components: one per node set kind, `search` for what all share, `setup` for the REST Job, `metrics` for the exporters' Service. */
export type Component = ResolvedNodeSet['component'] | 'search' | 'setup' | 'metrics';

/** Keys of the credentials Secret (each read from the same-named property of `secretRemoteKey`). */
export const CREDENTIAL_KEYS = { elastic: 'elastic-password', monitoring: 'monitoring-password' } as const;
/** Keys of the snapshot Secret (properties of `snapshot.credentialsRemoteKey`). */
export const S3_KEYS = { accessKey: 'access-key-id', secretKey: 'secret-access-key' } as const;

/** Paths in the official image and our mounts. */
export const PATHS = {
  home: '/usr/share/elasticsearch',
  /** The image's config folder: copied into a writable emptyDir by the init container. */
  config: '/usr/share/elasticsearch/config',
  data: '/usr/share/elasticsearch/data',
  logs: '/usr/share/elasticsearch/logs',
  /** Our ConfigMap (elasticsearch.yml per node set, scripts). */
  files: '/mnt/files',
  /** Where the init container sees the writable config folder. */
  configCopy: '/mnt/config',
  credentials: '/mnt/credentials',
  s3: '/mnt/s3',
  tls: '/usr/share/elasticsearch/config/tls',
  tlsSource: '/mnt/tls',
} as const;

/** What every builder of one cluster shares: scope, resolved props, names and labels. */
export class EsContext {
  public readonly name: string;
  public readonly namespace: string;
  public readonly names: {
    readonly files: string;
    readonly credentials: string;
    readonly s3: string;
    readonly http: string;
    readonly setupFiles: string;
  };
  /** The Service clients use, and the REST URL of the cluster. */
  public readonly httpHost: string;
  public readonly url: string;
  /** Every pod of the cluster (not the setup Job). */
  public readonly allNodes: Readonly<Record<string, string>>;
  private readonly version?: string;

  constructor(
    public readonly scope: Construct,
    public readonly props: ResolvedElasticsearchProps,
  ) {
    const { name, namespace } = props;
    this.name = name;
    this.namespace = namespace;
    this.names = {
      files: `${name}-files`,
      credentials: `${name}-credentials`,
      s3: `${name}-snapshot-s3`,
      http: `${name}-http`,
      setupFiles: `${name}-setup`,
    };
    this.httpHost = `${this.names.http}.${namespace}.svc`;
    this.url = `${props.tls.enabled ? 'https' : 'http'}://${this.httpHost}:9200`;
    this.allNodes = { [LABEL_NAME]: APP_NAME, [LABEL_INSTANCE]: name, [`${props.labelDomain}/node`]: 'true' };
    this.version = imageVersion(props.image);
  }

  /** StatefulSet (and its headless Service) of a node set. */
  public setName(set: ResolvedNodeSet): string {
    return `${this.name}-${set.set}`;
  }

  /** The stable DNS name of pod `i` of a node set. */
  public podHost(set: ResolvedNodeSet, i: number): string {
    return `${this.setName(set)}-${i}.${this.setName(set)}.${this.namespace}.svc.${this.props.clusterDomain}`;
  }

  public identity(component: Component): WorkloadIdentity {
    return { name: APP_NAME, instance: this.name, component, version: this.version, partOf: this.props.partOf, labelDomain: this.props.labelDomain };
  }

  public labelsFor(component: Component): Record<string, string> {
    return standardLabels(this.identity(component));
  }

  /** Pod labels of a node set: its selector plus the label every node carries. */
  public podLabels(set: ResolvedNodeSet): Record<string, string> {
    return { ...this.labelsFor(set.component), ...this.setSelector(set), [`${this.props.labelDomain}/node`]: 'true' };
  }

  /** Selects one node set (zones of data nodes apart). */
  public setSelector(set: ResolvedNodeSet): Record<string, string> {
    return { ...selectorLabels(this.identity(set.component)), [`${this.props.labelDomain}/node-set`]: set.set };
  }

  /** Selects every pod of one component (all zones of the data nodes). */
  public componentSelector(component: Component): Record<string, string> {
    return selectorLabels(this.identity(component));
  }

  public monitorSelector(): Record<string, string> {
    return monitorSelectorLabels({ ...this.identity('metrics'), labelDomain: this.props.labelDomain });
  }

  public meta(name: string, component: Component = 'search'): k8s.ObjectMeta {
    return { name, namespace: this.namespace, labels: this.labelsFor(component) };
  }

  public podSecurity(): k8s.PodSecurityContext {
    return podSecurityContext(this.props.podSecurity);
  }

  public secretEnv(envName: string, secret: string, key: string): k8s.EnvVar {
    return { name: envName, valueFrom: { secretKeyRef: { name: secret, key } } };
  }
}
