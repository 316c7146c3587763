import { Chart } from 'cdk8s';
import { ISTIO_INJECTION_LABEL, NamespaceMesh } from '../constructs/lib/mesh';
import { EnvironmentConfig } from '../environments/types';
import { PlatformChart } from './platform-chart';

/**
 * The namespaces whose pods run Istio sidecars where the environment turns the mesh on
 * (`features.mesh`): the application services and the gateways in front of them. The data
 * services (db-*, storage-minio), the batch jobs (app-batch), monitoring and security stay out;
 * docs/mesh.md says why for each.
 */
export const MESH_NAMESPACES = ['app-core', 'app-agents', 'app-frontend', 'app-integration', 'ingress'] as const;

/** Meshed namespaces that hold gateways: their sidecars only originate mTLS, inbound stays direct. */
const GATEWAY_NAMESPACES: ReadonlySet<string> = new Set(['ingress']);

/**
 * The chart-level mesh pass, run by the chart factory after a chart is built: a meshed namespace
 * is labelled for injection and gets its `NamespaceMesh` (derived from the chart's own
 * NetworkPolicies and Services); any other namespace is labelled `istio-injection=disabled`, so a
 * mesh-wide injection default can never pull a database into the mesh.
 */
export function applyMesh(built: Chart, config: EnvironmentConfig): void {
  const chart = built instanceof PlatformChart ? (built as PlatformChart) : undefined;
  if (!chart || !config.features.mesh) {
    return;
  }
  const namespace = chart.ns.name;
  const meshed = (MESH_NAMESPACES as readonly string[]).includes(namespace);
  chart.ns.resource.metadata.addLabel(ISTIO_INJECTION_LABEL, meshed ? 'enabled' : 'disabled');
  if (!meshed) {
    return;
  }
  new NamespaceMesh(chart, 'Mesh', {
    namespace,
    meshNamespaces: MESH_NAMESPACES,
    labels: chart.ns.commonLabels,
    outOfMesh: chart.outOfMesh,
    gateway: GATEWAY_NAMESPACES.has(namespace),
    clusterDomain: config.clusterDomain,
  });
}
