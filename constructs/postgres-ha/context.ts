import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { monitorSelectorLabels, selectorLabels, standardLabels, WorkloadIdentity } from '../lib/labels';
import { INetworkPeer } from '../lib/network';
import { podSecurityContext } from '../lib/pod-defaults';
import { POSTGRES_PORT } from './config';
import { ResolvedProps } from './resolve';
import { TlsFiles } from '../lib/tls';

/** `app.kubernetes.io/name` of every object of a cluster. */
export const APP_NAME = 'postgresql';

/** Where the cluster's certificate secret is mounted in the pods that serve TLS. */
export const TLS_DIR = '/tls';

/** The parts of a cluster, each with its own `app.kubernetes.io/component`. */
export type Component = 'database' | 'pooler' | 'admin' | 'backup';

/**
 * What every builder of one cluster shares: the construct the objects are created in, the
 * resolved props, and the names and labels derived from them, so that no builder rebuilds one.
 */
export class ClusterContext {
  public readonly name: string;
  public readonly namespace: string;
  /** Object names that other objects refer to. */
  public readonly names: {
    readonly credentials: string;
    readonly appCredentials: string;
    readonly poolerAuth: string;
    readonly backupCredentials: string;
    readonly standbyArchiveCredentials: string;
    readonly patroniConfig: string;
    readonly serviceAccount: string;
    readonly members: string;
    readonly replica: string;
    readonly pooler: string;
  };
  /** In-cluster DNS names: the leader Service, the replica Service, and PgBouncer. */
  public readonly hosts: { readonly primary: string; readonly replica: string; readonly pooler: string };
  /** Label that marks the Services whose `metrics` port a ServiceMonitor scrapes. */
  public readonly metricsLabel: string;
  /** The certificate's secret and mounted files, when the cluster serves TLS. */
  public readonly tls?: TlsFiles;

  constructor(
    public readonly scope: Construct,
    public readonly props: ResolvedProps,
  ) {
    const name = props.name;
    this.name = name;
    this.namespace = props.namespace;
    this.names = {
      credentials: `${name}-credentials`,
      appCredentials: `${name}-app`,
      poolerAuth: `${name}-pooler-auth`,
      backupCredentials: `${name}-backup-s3`,
      standbyArchiveCredentials: `${name}-standby-archive-s3`,
      patroniConfig: `${name}-patroni`,
      serviceAccount: `${name}-patroni`,
      members: `${name}-members`,
      replica: `${name}-replica`,
      pooler: `${name}-pooler`,
    };
    this.hosts = {
      primary: `${name}.${this.namespace}.svc`,
      replica: `${this.names.replica}.${this.namespace}.svc`,
      pooler: `${this.names.pooler}.${this.namespace}.svc`,
    };
    this.metricsLabel = `postgres.${props.labelDomain}/metrics`;
    this.tls = props.tls.enabled
      ? { secretName: `${name}-tls`, cert: `${TLS_DIR}/tls.crt`, key: `${TLS_DIR}/tls.key`, ca: `${TLS_DIR}/ca.crt` }
      : undefined;
  }

  public identity(component: Component, version?: string): WorkloadIdentity {
    return { name: APP_NAME, instance: this.name, component, version, partOf: this.props.partOf, labelDomain: this.props.labelDomain };
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

  /** The pods of one component, as a peer of this namespace. */
  public peerOf(component: Component): INetworkPeer {
    return { peerNamespace: this.namespace, peerSelector: this.selectorFor(component) };
  }

  public meta(name: string, component: Component = 'database', extra: Record<string, string> = {}): k8s.ObjectMeta {
    return { name, namespace: this.namespace, labels: { ...this.labelsFor(component), ...extra } };
  }

  /** The security context of the pods that run the Spilo image. */
  public spiloPodSecurity(): k8s.PodSecurityContext {
    return podSecurityContext(this.props.podSecurity);
  }

  /** An environment variable from a key of the credentials Secret. */
  public credentialEnv(name: string, key: string): k8s.EnvVar {
    return { name, valueFrom: { secretKeyRef: { name: this.names.credentials, key } } };
  }

  /** libpq's environment for a Job that connects to `host` as `user`, password from the credentials Secret. */
  public libpqEnv(host: string, user: string, passwordKey: string): k8s.EnvVar[] {
    return [
      { name: 'PGHOST', value: host },
      { name: 'PGPORT', value: String(POSTGRES_PORT) },
      { name: 'PGUSER', value: user },
      { name: 'PGCONNECT_TIMEOUT', value: '10' },
      // Remote connections must use TLS. `require`, not verify-full: Jobs do not mount the CA; they
      // reach the Services of their own namespace only (NetworkPolicy).
      ...(this.tls ? [{ name: 'PGSSLMODE', value: 'require' }] : []),
      this.credentialEnv('PGPASSWORD', passwordKey),
    ];
  }
}
