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
