import { Construct } from 'constructs';
import { Connections, IConnectable, perPeerIngress } from './connections';
import { standardLabels } from './labels';
import { INetworkPeer } from './network';
import { PropChecks } from './prop-errors';

/** MinIO's S3 API port. */
export const DEFAULT_S3_PORT = 9000;

export interface S3EndpointProps {
  /** Namespace of the object store's Service and pods. */
  readonly namespace: string;
  /** Name of the Service clients connect to (`<service>.<namespace>.svc`). */
  readonly service: string;
  /** S3 API port, on the Service and on the pods. @default DEFAULT_S3_PORT (9000) */
  readonly port?: number;
  /**
   * Labels that select the object store's pods.
   * @default - every pod of the namespace: the namespace holds only the object store, which has no construct of its own yet
   */
  readonly podSelector?: Readonly<Record<string, string>>;
  /** @default 'http' */
  readonly scheme?: 'http' | 'https';
}

/**
 * Where an in-cluster S3 API is, as its clients name it: URL, host, port and the pods behind it
 * (an `INetworkPeer`, for the client's egress policy). A plain value, so a chart in another
 * namespace (db-postgres) can name the store that `S3Endpoint` admits it to.
 */
export interface S3Address extends INetworkPeer {
  /** `<scheme>://<service>.<namespace>.svc:<port>` */
  readonly url: string;
  readonly host: string;
  readonly port: number;
}

/** The address of an S3 endpoint, without creating anything. */
export function s3Address(props: S3EndpointProps): S3Address {
  const host = `${props.service}.${props.namespace}.svc`;
  const port = props.port ?? DEFAULT_S3_PORT;
  return {
    url: `${props.scheme ?? 'http'}://${host}:${port}`,
    host,
    port,
    peerNamespace: props.namespace,
    peerSelector: { ...(props.podSelector ?? {}) },
  };
}

/**
 * The network face of an in-cluster S3 API (MinIO), created in the store's own namespace: a
 * backup target. Its namespace is closed by default, so every client that writes to it is let in
 * with `connections.allowFrom(peer)`, one NetworkPolicy `<service>-from-<namespace>` per peer; an
 * `IConnectable` peer that renders egress gets its side from the same call.
 */
export class S3Endpoint extends Construct implements IConnectable, S3Address {
  public readonly url: string;
  public readonly host: string;
  public readonly port: number;
  public readonly peerNamespace: string;
  public readonly peerSelector: Readonly<Record<string, string>>;
  public readonly connections: Connections;

  constructor(scope: Construct, id: string, props: S3EndpointProps) {
    super(scope, id);
    const check = new PropChecks(this);
    check.dnsLabel(props.namespace, 'namespace');
    check.dnsLabel(props.service, 'service');
    check.integer(props.port, 'port', 1, 65535);
    check.throwIfAny();
    const address = s3Address(props);
    this.url = address.url;
    this.host = address.host;
    this.port = address.port;
    this.peerNamespace = address.peerNamespace;
    this.peerSelector = address.peerSelector;
    const labels = standardLabels({ name: props.service, instance: props.service, component: 'object-storage' });
    this.connections = new Connections({
      peerNamespace: this.peerNamespace,
      peerSelector: this.peerSelector,
      defaultPorts: [this.port],
      renderIngress: perPeerIngress({
        scope: this,
        baseName: props.service,
        meta: (name) => ({ name, namespace: this.peerNamespace, labels }),
        podSelector: this.peerSelector,
      }),
    });
  }
}
