import { k8s } from 'cdk8s-plus-28';
import { clusterCertificate } from '../lib/tls';
import { ClusterContext, TLS_DIR } from './context';

const TLS_VOLUME = 'tls';

/**
 * The cluster's certificate: the Services clients use (leader, replicas, PgBouncer) under their
 * short, namespaced and `.svc` names, and the members under the headless Service.
 */
export function addCertificate(ctx: ClusterContext): void {
  if (!ctx.tls) {
    return;
  }
  const ns = ctx.namespace;
  const services = [ctx.name, ctx.names.replica, ctx.names.pooler, ctx.names.members];
  const dnsNames = [...services.map((s) => `${s}.${ns}.svc`), ...services.map((s) => `${s}.${ns}`), ...services, `*.${ctx.names.members}.${ns}.svc`];
  const files = clusterCertificate(ctx.scope, 'Tls', {
    namespace: ns,
    name: ctx.name,
    labels: ctx.labelsFor('database'),
    dnsNames,
    tls: ctx.props.tls,
    mountPath: TLS_DIR,
  });
  if (files.secretName !== ctx.tls.secretName || files.key !== ctx.tls.key) {
    throw new Error(`${ctx.scope.node.path}: internal: certificate secret ${files.secretName} is not where the pods mount it`);
  }
}

/**
 * The certificate's volume. PostgreSQL accepts a key owned by root with mode 0640 (or by itself,
 * 0600): the secret's files are root-owned, and group-readable through the pod's fsGroup.
 */
export function tlsVolumes(ctx: ClusterContext): k8s.Volume[] {
  return ctx.tls ? [{ name: TLS_VOLUME, secret: { secretName: ctx.tls.secretName, defaultMode: 0o640 } }] : [];
}

export function tlsMounts(ctx: ClusterContext): k8s.VolumeMount[] {
  return ctx.tls ? [{ name: TLS_VOLUME, mountPath: TLS_DIR, readOnly: true }] : [];
}
