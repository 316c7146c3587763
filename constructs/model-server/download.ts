import { k8s } from 'cdk8s-plus-28';
import { containerSecurityContext, TMP, writableMounts } from '../lib/pod-defaults';
import { Resources } from '../lib/resources';
import { ConnectedContainer } from '../lib/workload/endpoint';
import { MinioModelOptions, MODELS_BUCKET } from './source';

/** Name of the init container that downloads the model. */
export const DOWNLOAD_CONTAINER = 'model-download';
/** The `connectsTo` prefix of the MinIO endpoint: env `MODELS_HOST`, `MODELS_PORT`, `MODELS_ACCESS_KEY_ID`, ... */
export const DOWNLOAD_ENV_PREFIX = 'MODELS';
/** Alias of the MinIO endpoint in the init container's mc configuration. */
const MC_ALIAS = 'models';

/**
 * The download (POSIX sh, mc and shell builtins only). `mc mirror --overwrite` copies what is
 * missing or differs in size, so a restart on a persistent cache copies nothing and an
 * interrupted download is completed. An empty folder fails the pod here, not later inside the
 * server. A failed init container is retried by the kubelet with back-off (MinIO not up yet).
 */
export const DOWNLOAD_SCRIPT = `set -eu
: "\${MODELS_HOST:?}" "\${MODELS_PORT:?}" "\${MODELS_ACCESS_KEY_ID:?}" "\${MODELS_SECRET_ACCESS_KEY:?}"
: "\${MODEL_BUCKET:?}" "\${MODEL_PATH:?}" "\${MODEL_DIR:?}"
scheme=http
if [ -n "\${MODELS_CA_FILE:-}" ]; then
  scheme=https
  mkdir -p "$HOME/.mc/certs/CAs"
  cp "$MODELS_CA_FILE" "$HOME/.mc/certs/CAs/models-ca.crt"
fi
mc alias set ${MC_ALIAS} "$scheme://$MODELS_HOST:$MODELS_PORT" "$MODELS_ACCESS_KEY_ID" "$MODELS_SECRET_ACCESS_KEY" >/dev/null
mkdir -p "$MODEL_DIR"
mc mirror --overwrite "${MC_ALIAS}/$MODEL_BUCKET/$MODEL_PATH" "$MODEL_DIR"
if [ -z "$(ls -A "$MODEL_DIR")" ]; then
  echo "no objects under $MODEL_BUCKET/$MODEL_PATH" >&2
  exit 1
fi
`;

/**
 * The init container that mirrors the model into `modelDir` on the cache volume. Its `env` and
 * `volumeMounts` stay open lists: `connectsTo(endpoint, { container })` adds the endpoint's host,
 * port, keys (from an ExternalSecret) and CA to it, never to the server.
 */
export function downloadContainer(o: MinioModelOptions, cacheMount: k8s.VolumeMount, modelDir: string): k8s.Container & ConnectedContainer {
  return {
    name: DOWNLOAD_CONTAINER,
    image: o.mcImage,
    imagePullPolicy: 'IfNotPresent',
    command: ['sh', '-c', DOWNLOAD_SCRIPT],
    env: [
      { name: 'MODEL_BUCKET', value: o.bucket ?? MODELS_BUCKET },
      { name: 'MODEL_PATH', value: o.path },
      { name: 'MODEL_DIR', value: modelDir },
      // ~/.mc (alias, trusted CA) on the writable /tmp.
      { name: 'HOME', value: TMP.mountPath },
    ],
    resources: (o.resources ?? Resources.SMALL).toKube(),
    securityContext: containerSecurityContext(),
    volumeMounts: [{ ...cacheMount, readOnly: false }, ...writableMounts([TMP])],
  };
}
