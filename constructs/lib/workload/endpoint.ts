import { k8s } from 'cdk8s-plus-28';
import { INetworkPeer } from '../network';

/** The data services a workload connects to with `connectsTo`. */
export const ENDPOINT_KINDS = ['postgres', 'redis', 'kafka', 'minio', 'clickhouse', 'elasticsearch'] as const;
export type EndpointKind = (typeof ENDPOINT_KINDS)[number];

/** Label key prefix of the client labels: `client.receivables.io/<kind>: "true"`. */
export const CLIENT_LABEL_DOMAIN = 'client.receivables.io';

/**
 * The label `connectsTo` puts on the pods of a client of `kind` (value `"true"`), as Bitnami's
 * charts ask clients to carry `<release>-client: "true"` when their NetworkPolicy is on. A server
 * admits a client namespace's pods with this label (`clientPeer`), not the whole namespace.
 */
export function clientLabel(kind: EndpointKind): string {
  return `${CLIENT_LABEL_DOMAIN}/${kind}`;
}

/** The pods of `namespace` that connect to a server of `kind` with `connectsTo`, as a NetworkPolicy peer. */
export function clientPeer(namespace: string, kind: EndpointKind): INetworkPeer {
  return { peerNamespace: namespace, peerSelector: { [clientLabel(kind)]: 'true' } };
}

/** A value in the secret store, read into the client's namespace by an ExternalSecret. */
export interface StoreSecretRef {
  /** Key in the secret store. */
  readonly remoteKey: string;
  /** Property of the JSON value at `remoteKey`. @default - the whole value */
  readonly property?: string;
}

/** The server pods a client reaches: both sides of the NetworkPolicy pair are written from this. */
export interface EndpointPeer extends INetworkPeer {
  /** TCP ports of those pods the client needs. */
  readonly ports: readonly number[];
}

/**
 * What a client needs of a data service, in one shape for every kind. Charts are synthesized in
 * separate cdk8s Apps, so a client chart never holds the server construct: the server's chart
 * exports a pure function returning this (e.g. `postgresEndpoint(config, 'invoices')`) and
 * asserts at synth that its construct really serves it. `AppWorkload.connectsTo(endpoint)` turns
 * it into env vars, an ExternalSecret and the client's egress NetworkPolicy.
 *
 * Env vars (`<P>` is the kind upper-cased, or the `prefix` option): `<P>_HOST`, `<P>_PORT`,
 * `<P>_USER` (with a username), `<P>_PASSWORD` (with a password), `<P>_<KEY>` for each setting
 * and secret setting, `<P>_CA_FILE` (with TLS: the path of the mounted CA certificate).
 */
export interface ClientEndpoint {
  readonly kind: EndpointKind;
  /** In-cluster DNS name. */
  readonly host: string;
  /** Port on that host. */
  readonly port: number;
  /** Login of the application. @default - none (`<P>_USER` not set) */
  readonly username?: string;
  /** Where the password is in the secret store. @default - none (`<P>_PASSWORD` not set) */
  readonly password?: StoreSecretRef;
  /** Further plain settings by env suffix, e.g. `{ DB: 'invoices', SSLMODE: 'verify-full' }`. @default - none */
  readonly settings?: Readonly<Record<string, string>>;
  /** Further secret settings by env suffix, e.g. `{ ACCESS_KEY_ID: {...} }`. @default - none */
  readonly secretSettings?: Readonly<Record<string, StoreSecretRef>>;
  /**
   * The server serves TLS: the CA certificate that verifies it, from the secret store, mounted
   * at `/etc/tls/<prefix>/ca.crt` (`<P>_CA_FILE`). @default - no TLS
   */
  readonly tls?: { readonly ca: StoreSecretRef };
  /** The server's pods and ports. */
  readonly peer: EndpointPeer;
}

/** Options of one `connectsTo` call. */
export interface ConnectOptions {
  /** Env var prefix, for two endpoints of one kind (`ANALYTICS_PG`). @default - the kind upper-cased */
  readonly prefix?: string;
  /**
   * The container of the pod that gets the env vars (and the CA mount): its `env` and
   * `volumeMounts` lists, e.g. an init container that downloads from the endpoint, so that the
   * main container never sees the credentials. @default - the main container
   */
  readonly container?: ConnectedContainer;
}

/** The lists of a container that `connectsTo` adds to. */
export interface ConnectedContainer {
  readonly env: k8s.EnvVar[];
  readonly volumeMounts: k8s.VolumeMount[];
}

/** The env var names `connectsTo` sets for an endpoint, in order (documented in docs/constructs/app-workloads.md). */
export function endpointEnvNames(endpoint: ClientEndpoint, options: ConnectOptions = {}): string[] {
  const p = envPrefix(endpoint, options);
  return [
    `${p}_HOST`,
    `${p}_PORT`,
    ...(endpoint.username !== undefined ? [`${p}_USER`] : []),
    ...(endpoint.password ? [`${p}_PASSWORD`] : []),
    ...Object.keys(endpoint.settings ?? {}).map((k) => `${p}_${k}`),
    ...Object.keys(endpoint.secretSettings ?? {}).map((k) => `${p}_${k}`),
    ...(endpoint.tls ? [`${p}_CA_FILE`] : []),
  ];
}

/** `POSTGRES`, or the prefix option. */
export function envPrefix(endpoint: ClientEndpoint, options: ConnectOptions = {}): string {
  return options.prefix ?? endpoint.kind.toUpperCase();
}
