import { Construct } from 'constructs';
import { Connections } from '../constructs/lib/connections';
import { ServiceConnection } from '../constructs/lib/contract';
import { INetworkPeer } from '../constructs/lib/network';
import { ClientEndpoint, clientPeer, EndpointKind } from '../constructs/lib/workload/endpoint';
import { SecretStoreRef } from '../constructs/lib/external-secret';
import { s3Address, S3EndpointProps } from '../constructs/lib/s3-endpoint';
import { USER_KEYS } from '../constructs/minio-distributed/context';
import { EnvironmentConfig } from '../environments/types';

/** The application namespaces: the clients of the data services. */
export const APP_NAMESPACES = ['app-core', 'app-agents', 'app-integration', 'app-batch'] as const;

/**
 * The application namespaces with workloads that `connectsTo` each kind of server: one table for
 * the whole platform. A server chart admits the client-labelled pods of these namespaces
 * (`appClients`). The gate keeps the table true: `ref.netpol-peer` fails a namespace listed without
 * such pods, and `net.egress-unanswered` a client whose namespace is missing.
 */
export const CLIENT_NAMESPACES: Readonly<Record<EndpointKind, readonly string[]>> = {
  postgres: ['app-core', 'app-agents', 'app-integration', 'app-batch'],
  redis: ['app-core', 'app-agents', 'app-batch'],
  kafka: ['app-core', 'app-agents', 'app-integration', 'app-batch'],
  // report-generation aggregates the invoice events.
  clickhouse: ['app-batch'],
  // The log pipeline (Fluent Bit, Kibana) comes with the monitoring add-ons; no application queries Elasticsearch yet.
  elasticsearch: [],
  // MinIO admits its backup writers and bucket readers itself (MinioBackupWriter, MinioReader: the model server's init container).
  minio: [],
};

/**
 * The pods that connect to a server of `kind` (`connectsTo` labels them `clientLabel(kind)`) in
 * its `CLIENT_NAMESPACES`, as the peers the server's chart admits: a pod of a client namespace
 * that does not connect does not get in.
 */
export function appClients(kind: EndpointKind): INetworkPeer[] {
  return CLIENT_NAMESPACES[kind].map((ns) => clientPeer(ns, kind));
}

/**
 * Whether the environment runs KEDA and its workloads scale on queue depth: where autoscaling is
 * on (staging, prod, dr), like the CPU HPAs. Elsewhere (dev) queue workers run at fixed replicas
 * and the queues do not admit the KEDA operator.
 */
export function queueScalingEnabled(config: EnvironmentConfig): boolean {
  return config.features.autoscaling;
}

/** A server chart's endpoint function (`postgresEndpoint`, ...): what a client of the environment connects to. */
export type EndpointOf = (config: EnvironmentConfig) => ClientEndpoint;

/** Where Prometheus runs. */
export const MONITORING_NAMESPACE = 'monitoring';

/** The External Secrets store every environment reads credentials from. */
export const SECRET_STORE: SecretStoreRef = { name: 'platform-secrets', kind: 'ClusterSecretStore' };

/** Every pod of a namespace, as a NetworkPolicy peer. */
export function namespacePeer(namespace: string): INetworkPeer {
  return { peerNamespace: namespace, peerSelector: {} };
}

/** In-cluster MinIO (chart `storage-minio`): the S3 API every backup is written to. */
export const MINIO_S3: S3EndpointProps = { namespace: 'storage-minio', service: 'minio' };

/**
 * A backup writer of the in-cluster MinIO, described once: its chart configures its construct
 * with it, and `storage-minio` declares the bucket, a read-write policy on `prefix`, a MinIO user
 * whose keys are `credentialsRemoteKey`, and the NetworkPolicy that admits `namespace`.
 */
export interface MinioBackupWriter {
  readonly namespace: string;
  readonly bucket: string;
  /** The folder of the bucket the writer owns. */
  readonly prefix: string;
  /** Store key with properties `access-key-id` and `secret-access-key`. */
  readonly credentialsRemoteKey: string;
  /**
   * Expire objects after this many days (a bucket lifecycle rule). Only for writers whose every
   * backup stands alone (ClickHouse `BACKUP` of a full database); incremental tools keep their own
   * retention. @default - no expiry
   */
  readonly expireDays?: number;
}

/**
 * A reader of the in-cluster MinIO (a model server), described once: its chart builds its client
 * endpoint with `minioReaderEndpoint`, and `storage-minio` declares the bucket, a read-only policy
 * on it, a MinIO user `user` whose keys are `credentialsRemoteKey`, and the NetworkPolicy that
 * admits `namespace`.
 */
export interface MinioReader {
  readonly namespace: string;
  /** The MinIO user, a DNS label of at most 20 characters. */
  readonly user: string;
  readonly bucket: string;
  /** Store key with properties `access-key-id` and `secret-access-key`. */
  readonly credentialsRemoteKey: string;
}

/**
 * How a reader reaches MinIO (MINIO_S3): its keys as the secret settings `ACCESS_KEY_ID` and
 * `SECRET_ACCESS_KEY`, and the MinIO namespace's pods on 9000 as the peer (the servers, which
 * `storage-minio` opens to the reader's namespace).
 */
export function minioReaderEndpoint(reader: MinioReader): ClientEndpoint {
  const s3 = s3Address(MINIO_S3);
  const key = (property: string): { remoteKey: string; property: string } => ({ remoteKey: reader.credentialsRemoteKey, property });
  return {
    kind: 'minio',
    host: s3.host,
    port: s3.port,
    secretSettings: { ACCESS_KEY_ID: key(USER_KEYS.accessKey), SECRET_ACCESS_KEY: key(USER_KEYS.secretKey) },
    peer: { peerNamespace: s3.peerNamespace, peerSelector: { ...s3.peerSelector }, ports: [s3.port] },
  };
}

/** The Prometheus the Argo Rollouts controller queries for canary and blue-green analysis (prometheus-operator's Service). */
export const PROMETHEUS_URL = `http://prometheus-operated.${MONITORING_NAMESPACE}.svc:9090`;

/** What a server construct really serves: its `connection` and the pods and ports its `connections` admit. */
export interface ServedConnection {
  readonly connection: ServiceConnection;
  readonly connections: Pick<Connections, 'peerNamespace' | 'peerSelector' | 'defaultPorts'>;
}

/**
 * Throws when the `ClientEndpoint` a server chart exports for other charts (a pure function of the
 * environment) differs from what its construct serves: host, port, user, password, TLS, pods, ports.
 * Every server chart calls this at synth, so a drift breaks `npm run synth`, not a client at runtime.
 */
export function assertEndpointServed(
  scope: Construct,
  fn: string,
  endpoint: ClientEndpoint,
  served: ServedConnection,
  /** Settings the server's construct knows, by env suffix, e.g. `{ DB: postgres.database }`. */
  settings: Readonly<Record<string, string>> = {},
): void {
  const { connection: c, connections } = served;
  const sorted = (ports: readonly number[]): string => [...ports].sort((a, b) => a - b).join(',');
  const pairs: [string, unknown, unknown][] = [
    ['host', endpoint.host, c.host],
    ['port', endpoint.port, c.port],
    ['username', endpoint.username, c.username],
    ['password', `${endpoint.password?.remoteKey}#${endpoint.password?.property}`, `${c.secret.remoteKey}#${c.secret.remoteProperty}`],
    ['tls', endpoint.tls !== undefined, c.tls !== undefined],
    ['peer.peerNamespace', endpoint.peer.peerNamespace, connections.peerNamespace],
    ['peer.peerSelector', JSON.stringify(sortedRecord(endpoint.peer.peerSelector)), JSON.stringify(sortedRecord(connections.peerSelector))],
    ['peer.ports', sorted(endpoint.peer.ports), sorted(connections.defaultPorts)],
    ...Object.entries(settings).map(([k, v]): [string, unknown, unknown] => [`settings.${k}`, endpoint.settings?.[k], v]),
  ];
  const problems = pairs
    .filter(([, mine, theirs]) => mine !== theirs)
    .map(([field, mine, theirs]) => `${field}: ${fn}() says ${String(mine)}, the server has ${String(theirs)}`);
  if (problems.length > 0) {
    throw new Error(`${scope.node.path}: internal: ${fn}() does not match the server:\n  ${problems.join('\n  ')}`);
  }
}

function sortedRecord(r: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(r).sort(([a], [b]) => a.localeCompare(b)));
}
