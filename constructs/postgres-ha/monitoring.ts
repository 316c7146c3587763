import { k8s } from 'cdk8s-plus-28';
import { containerSecurityContext, TMP, writableMounts } from '../lib/pod-defaults';
import { EXPORTER_PORT, POOLER_EXPORTER_PORT, POSTGRES_PORT, ROLES } from './config';
import { httpGetProbe, tcpSocketProbe } from '../lib/probes';
import { Resources } from '../lib/resources';
import { metricsMonitor } from '../lib/service-monitor';
import { tcpServicePort } from '../lib/services';
import { ClusterContext, Component } from './context';

/** Name of every exporter's container port and Service port. */
const METRICS_PORT_NAME = 'metrics';

/** A Service port named `metrics` for an exporter sidecar's port. */
export function metricsServicePort(port: number): k8s.ServicePort {
  return tcpServicePort(METRICS_PORT_NAME, port);
}

/** postgres_exporter next to PostgreSQL, logged in as the monitor role over loopback. */
export function postgresExporter(ctx: ClusterContext): k8s.Container {
  return {
    ...exporterSidecar(
      ctx.props.exporterImage,
      EXPORTER_PORT,
      ['--collector.stat_statements'],
      [
        { name: 'DATA_SOURCE_URI', value: `127.0.0.1:${POSTGRES_PORT}/postgres?sslmode=disable` },
        { name: 'DATA_SOURCE_USER', value: ROLES.monitor },
        ctx.credentialEnv('DATA_SOURCE_PASS', 'monitor-password'),
      ],
    ),
    volumeMounts: writableMounts([TMP]),
  };
}

/** pgbouncer_exporter next to PgBouncer. */
export function poolerExporter(ctx: ClusterContext): k8s.Container {
  return exporterSidecar(
    ctx.props.pooler.exporterImage,
    POOLER_EXPORTER_PORT,
    // The admin console as the pooler role, a stats_users member (SHOW only). The password comes
    // from PGPASSWORD, which lib/pq reads like libpq, so it never has to be URL-encoded. With TLS,
    // PgBouncer refuses plaintext even on loopback (client_tls_sslmode=require): `require` then.
    [`--pgBouncer.connectionString=postgres://${ROLES.pooler}@127.0.0.1:${POSTGRES_PORT}/pgbouncer?sslmode=${ctx.tls ? 'require' : 'disable'}`],
    [ctx.credentialEnv('PGPASSWORD', 'pooler-password')],
  );
}

/** A ServiceMonitor that scrapes the `metrics` port of the component's Service that carries the metrics label. */
export function addServiceMonitor(ctx: ClusterContext, id: string, name: string, component: Component): void {
  metricsMonitor(ctx.scope, id, {
    name,
    namespace: ctx.namespace,
    labels: ctx.labelsFor(component),
    serviceSelector: { ...ctx.monitorSelectorFor(component), [ctx.metricsLabel]: 'true' },
    portName: METRICS_PORT_NAME,
  });
}

/** A Prometheus exporter sidecar on `port`: `/` answers when it serves, no privileges, nano resources. */
function exporterSidecar(image: string, port: number, args: string[], env: k8s.EnvVar[]): k8s.Container {
  return {
    name: 'exporter',
    image,
    args: [`--web.listen-address=:${port}`, ...args],
    ports: [{ name: METRICS_PORT_NAME, containerPort: port, protocol: 'TCP' }],
    env,
    resources: Resources.NANO.toKube(),
    securityContext: containerSecurityContext(),
    readinessProbe: httpGetProbe('/', port, { periodSeconds: 15, timeoutSeconds: 5 }),
    livenessProbe: tcpSocketProbe(port, { periodSeconds: 30, timeoutSeconds: 5 }),
  };
}
