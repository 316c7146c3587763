import * as YAML from 'yaml';
import { HTTP_PORT, READINESS_PORT, TRANSPORT_PORT } from './props';
import { EsContext, PATHS } from './context';
import { S3_CLIENT } from './rest';
import { ResolvedNodeSet } from './resolve';

/** The marker of a node that has joined a cluster: its data path holds cluster state. */
export const STATE_DIR = `${PATHS.data}/_state`;

/**
 * elasticsearch.yml of one node set. Node identity comes from the pod (`${POD_NAME}`, resolved
 * by Elasticsearch from the environment); nodes publish their stable DNS names. Seed hosts are
 * the master pods' DNS names. `cluster.initial_master_nodes` is not here: see `startScript`.
 */
export function elasticsearchYml(ctx: EsContext, set: ResolvedNodeSet): Record<string, unknown> {
  const p = ctx.props;
  const masters = p.nodeSets.filter((s) => s.roles.includes('master'));
  const awareness = p.dataZones.length > 0 ? 'k8s_node_name,zone' : 'k8s_node_name';
  return {
    'cluster.name': ctx.name,
    'node.name': '${POD_NAME}',
    'node.roles': [...set.roles],
    'node.attr.k8s_node_name': '${NODE_NAME}',
    ...(set.zone ? { 'node.attr.zone': set.zone } : {}),
    'cluster.routing.allocation.awareness.attributes': awareness,
    'network.host': '0.0.0.0',
    'network.publish_host': `\${POD_NAME}.${ctx.setName(set)}.${ctx.namespace}.svc.${p.clusterDomain}`,
    'http.port': HTTP_PORT,
    'transport.port': TRANSPORT_PORT,
    'readiness.port': READINESS_PORT,
    ...(p.singleNode
      ? { 'discovery.type': 'single-node' }
      : { 'discovery.seed_hosts': masters.flatMap((m) => Array.from({ length: m.replicas }, (_, i) => `${ctx.podHost(m, i)}:${TRANSPORT_PORT}`)) }),
    'path.data': PATHS.data,
    'path.logs': PATHS.logs,
    'node.store.allow_mmap': p.allowMmap,
    'xpack.security.enabled': true,
    'xpack.security.transport.ssl.enabled': true,
    // The cluster's own CA signs every node; hostnames differ per pod (ECK does the same).
    'xpack.security.transport.ssl.verification_mode': 'certificate',
    'xpack.security.transport.ssl.certificate': `${PATHS.tls}/tls.crt`,
    'xpack.security.transport.ssl.key': `${PATHS.tls}/tls.key`,
    'xpack.security.transport.ssl.certificate_authorities': [`${PATHS.tls}/ca.crt`],
    'xpack.security.http.ssl.enabled': p.tls.enabled,
    ...(p.tls.enabled
      ? {
          'xpack.security.http.ssl.certificate': `${PATHS.tls}/tls.crt`,
          'xpack.security.http.ssl.key': `${PATHS.tls}/tls.key`,
          'xpack.security.http.ssl.certificate_authorities': [`${PATHS.tls}/ca.crt`],
        }
      : {}),
    ...(p.snapshot
      ? {
          [`s3.client.${S3_CLIENT}.endpoint`]: p.snapshot.endpointHost,
          [`s3.client.${S3_CLIENT}.protocol`]: p.snapshot.protocol,
          [`s3.client.${S3_CLIENT}.path_style_access`]: true,
        }
      : {}),
  };
}

/** The file text, one file per node set. */
export function renderYml(ctx: EsContext, set: ResolvedNodeSet): string {
  return YAML.stringify(elasticsearchYml(ctx, set));
}

/** ConfigMap key of a node set's elasticsearch.yml. */
export function ymlFile(set: ResolvedNodeSet): string {
  return `elasticsearch-${set.set}.yml`;
}

/**
 * The init container's script: copy the image's config folder into the writable one, add the
 * node set's elasticsearch.yml, and build the keystore from mounted secrets (bootstrap password,
 * S3 keys), so that no secret is ever in a file in git or in an environment variable of ES.
 */
export function prepareScript(snapshot: boolean): string {
  return [
    'set -eu',
    `cp -a ${PATHS.config}/. ${PATHS.configCopy}/`,
    `cp ${PATHS.files}/"$YML_FILE" ${PATHS.configCopy}/elasticsearch.yml`,
    `export ES_PATH_CONF=${PATHS.configCopy}`,
    `rm -f ${PATHS.configCopy}/elasticsearch.keystore`,
    'elasticsearch-keystore create',
    `elasticsearch-keystore add -x bootstrap.password < ${PATHS.credentials}/elastic-password`,
    ...(snapshot
      ? [
          `elasticsearch-keystore add -x s3.client.${S3_CLIENT}.access_key < ${PATHS.s3}/access-key-id`,
          `elasticsearch-keystore add -x s3.client.${S3_CLIENT}.secret_key < ${PATHS.s3}/secret-access-key`,
        ]
      : []),
    '',
  ].join('\n');
}

/**
 * The main container's start: `cluster.initial_master_nodes` only on a master-eligible node whose
 * data path has no cluster state yet, i.e. at the very first start of a new cluster. A node that
 * has state (any restart) starts without it, so a full restart never bootstraps a second cluster
 * (elastic.co "Bootstrapping a cluster"; ECK drops the setting once the cluster has formed).
 */
export function startScript(ctx: EsContext, set: ResolvedNodeSet): string {
  const masters = ctx.props.nodeSets.find((s) => s.component === 'master');
  const bootstrap = set.component === 'master' && masters;
  const initial = bootstrap ? Array.from({ length: masters.replicas }, (_, i) => `${ctx.setName(masters)}-${i}`).join(',') : '';
  return [
    'set -eu',
    ...(bootstrap
      ? [
          `if [ -d ${STATE_DIR} ] && [ -n "$(ls -A ${STATE_DIR} 2>/dev/null)" ]; then`,
          '  exec /usr/local/bin/docker-entrypoint.sh eswrapper',
          'fi',
          `exec /usr/local/bin/docker-entrypoint.sh eswrapper -Ecluster.initial_master_nodes=${initial}`,
        ]
      : ['exec /usr/local/bin/docker-entrypoint.sh eswrapper']),
    '',
  ].join('\n');
}
