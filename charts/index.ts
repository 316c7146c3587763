import { App, Chart } from 'cdk8s';
import { EnvironmentConfig } from '../environments/types';
import { DbClickHouseChart } from './db-clickhouse';
import { AppAgentsChart } from './app-agents';
import { AppBatchChart } from './app-batch';
import { AppCoreChart } from './app-core';
import { AppFrontendChart } from './app-frontend';
import { CertManagerChart } from './cert-manager';
import { AppIntegrationChart } from './app-integration';
import { DbElasticsearchChart } from './db-elasticsearch';
import { DbPostgresChart } from './db-postgres';
import { DbRedisChart } from './db-redis';
import { IngressChart } from './ingress';
import { applyMesh } from './mesh';
import { MonitoringChart } from './monitoring';
import { PlatformChart } from './platform-chart';
import { auditPolicyFile, ClusterFile, SecurityChart } from './security';
import { StorageMinioChart } from './storage-minio';
import { tenantCharts } from './tenants';
import { Tenant } from '../environments/tenants';

/**
 * One unit of output: a chart written to `dist/<env>/<folder>/`. Each is synthesized in its own
 * cdk8s App, which keeps synth linear in the number of charts (see docs/performance.md).
 */
export interface ChartFactory {
  /** Output folder below `dist/<env>/`, e.g. `db-postgres` or `tenants/acme`. */
  readonly folder: string;
  create(app: App, config: EnvironmentConfig): Chart;
}

/** The platform's namespaces, in the order of the architecture. */
export const PLATFORM_NAMESPACES = [
  'app-core',
  'app-agents',
  'app-frontend',
  'app-integration',
  'app-batch',
  'db-postgres',
  'db-clickhouse',
  'db-redis',
  'db-elasticsearch',
  'storage-minio',
  'monitoring',
  'ingress',
  'cert-manager',
  'security',
] as const;
export type PlatformNamespaceName = (typeof PLATFORM_NAMESPACES)[number];

/**
 * Charts that hold more than their namespace, by namespace. Namespaces without an entry get a
 * plain `PlatformChart`: the namespace, closed by default, ready for its workloads.
 */
const CHART_CLASSES: Partial<Record<PlatformNamespaceName, (app: App, config: EnvironmentConfig, tenants: readonly Tenant[]) => Chart>> = {
  'app-core': (app, config) => new AppCoreChart(app, config),
  'app-agents': (app, config) => new AppAgentsChart(app, config),
  'app-frontend': (app, config) => new AppFrontendChart(app, config),
  'app-integration': (app, config) => new AppIntegrationChart(app, config),
  'app-batch': (app, config) => new AppBatchChart(app, config),
  'cert-manager': (app, config) => new CertManagerChart(app, config),
  ingress: (app, config) => new IngressChart(app, config),
  'db-postgres': (app, config, tenants) => new DbPostgresChart(app, config, tenants),
  'db-clickhouse': (app, config) => new DbClickHouseChart(app, config),
  'db-redis': (app, config) => new DbRedisChart(app, config),
  'db-elasticsearch': (app, config) => new DbElasticsearchChart(app, config),
  'storage-minio': (app, config, tenants) => new StorageMinioChart(app, config, tenants),
  monitoring: (app, config) => new MonitoringChart(app, config),
  security: (app, config) => new SecurityChart(app, config, PLATFORM_NAMESPACES),
};

/**
 * The platform namespaces' charts of one environment. The data charts hold the tenants' data
 * (schemas, buckets), so they take the tenants too. @param tenants every tenant; each chart keeps those of its environment
 */
export function platformCharts(tenants: readonly Tenant[] = []): ChartFactory[] {
  return PLATFORM_NAMESPACES.map((ns) => ({
    folder: ns,
    create: (app: App, config: EnvironmentConfig): Chart => {
      const chart = CHART_CLASSES[ns]?.(app, config, tenants) ?? new PlatformChart(app, ns, { config, namespace: ns });
      applyMesh(chart, config);
      return chart;
    },
  }));
}

/** Every chart of one environment: the platform namespaces, then one chart per tenant of the environment (`dist/<env>/tenants/<id>/`). */
export function environmentCharts(config: EnvironmentConfig, tenants: readonly Tenant[]): ChartFactory[] {
  return [...platformCharts(tenants), ...tenantCharts(config, tenants)];
}

/**
 * Files of an environment for its cluster's nodes, not objects of the API: written below
 * `dist/<env>/` (in `cluster/`, which no GitOps category takes), installed by hand (docs/security.md).
 */
export function platformClusterFiles(): ClusterFile[] {
  return [auditPolicyFile()];
}
