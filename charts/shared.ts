import { INetworkPeer } from '../constructs/lib/network';
import { SecretStoreRef } from '../constructs/lib/external-secret';
import { S3EndpointProps } from '../constructs/lib/s3-endpoint';

/** The application namespaces: the clients of the data services. */
export const APP_NAMESPACES = ['app-core', 'app-agents', 'app-integration', 'app-batch'] as const;

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
