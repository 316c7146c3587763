import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';

/**
 * Grafana dashboards as ConfigMaps that kube-prometheus-stack's Grafana sidecar loads: it watches
 * ConfigMaps labelled `grafana_dashboard: "1"` (the chart's `sidecar.dashboards.label` and
 * `labelValue` defaults) and writes each data key as a dashboard file.
 */
export const DASHBOARD_LABEL = 'grafana_dashboard';
export const DASHBOARD_LABEL_VALUE = '1';
/** The dashboard JSON model version we write (Grafana 10.x/11.x read it as is). */
export const DASHBOARD_SCHEMA_VERSION = 39;
/** A ConfigMap holds at most 1 MiB (etcd's object limit; kubectl apply's annotation halves it, hence server-side apply). */
export const CONFIGMAP_MAX_BYTES = 1024 * 1024;
/** The dashboard variable that picks the Prometheus data source. */
const DATASOURCE = { type: 'prometheus', uid: '${datasource}' };
const GRID_COLUMNS = 24;

/** One PromQL query of a panel. Plain PromQL, no Grafana variables: tests parse it with promtool. */
export interface PanelQuery {
  readonly expr: string;
  /** @default - Grafana's series name */
  readonly legend?: string;
}

export type PanelKind = 'timeseries' | 'stat';

export interface PanelSpec {
  readonly title: string;
  readonly queries: readonly PanelQuery[];
  /** @default 'timeseries' */
  readonly kind?: PanelKind;
  /** Grafana unit id (`s`, `bytes`, `percentunit`, `reqps`, `short`). @default 'short' */
  readonly unit?: string;
  /** Width in grid columns of 24. @default 12 (two panels per row) */
  readonly width?: number;
  readonly description?: string;
}

export interface DashboardSpec {
  /** Stable uid: links and bookmarks survive a re-import. At most 40 characters. */
  readonly uid: string;
  readonly title: string;
  readonly tags: readonly string[];
  readonly panels: readonly PanelSpec[];
}

/** The dashboard JSON model (https://grafana.com/docs/grafana/latest/dashboards/build-dashboards/view-dashboard-json-model/). */
export function dashboardModel(spec: DashboardSpec): Record<string, unknown> {
  if (spec.uid.length > 40 || !/^[a-zA-Z0-9_-]+$/.test(spec.uid)) {
    throw new Error(`dashboard ${spec.title}: uid must be at most 40 letters, digits, - or _ (got "${spec.uid}")`);
  }
  const height = 8;
  let x = 0;
  let y = 0;
  const panels = spec.panels.map((p, i) => {
    const w = p.width ?? GRID_COLUMNS / 2;
    if (x + w > GRID_COLUMNS) {
      x = 0;
      y += height;
    }
    const gridPos = { h: height, w, x, y };
    x += w;
    return {
      id: i + 1,
      type: p.kind ?? 'timeseries',
      title: p.title,
      ...(p.description ? { description: p.description } : {}),
      datasource: DATASOURCE,
      gridPos,
      fieldConfig: { defaults: { unit: p.unit ?? 'short' }, overrides: [] },
      options: {},
      targets: p.queries.map((q, j) => ({
        refId: String.fromCharCode(65 + j),
        datasource: DATASOURCE,
        expr: q.expr,
        ...(q.legend ? { legendFormat: q.legend } : {}),
      })),
    };
  });
  return {
    uid: spec.uid,
    title: spec.title,
    tags: [...spec.tags],
    schemaVersion: DASHBOARD_SCHEMA_VERSION,
    version: 1,
    editable: false,
    timezone: 'utc',
    refresh: '1m',
    time: { from: 'now-6h', to: 'now' },
    templating: {
      list: [{ name: 'datasource', label: 'Data source', type: 'datasource', query: 'prometheus', current: {}, hide: 0 }],
    },
    annotations: { list: [] },
    panels,
  };
}

export interface DashboardConfigMapProps {
  readonly name: string;
  readonly namespace: string;
  readonly labels: Record<string, string>;
  readonly dashboard: DashboardSpec;
}

/** One dashboard in one ConfigMap (`<name>.json`), refused above CONFIGMAP_MAX_BYTES. */
export function dashboardConfigMap(scope: Construct, id: string, props: DashboardConfigMapProps): k8s.KubeConfigMap {
  const json = JSON.stringify(dashboardModel(props.dashboard), undefined, 2);
  const bytes = Buffer.byteLength(json, 'utf8');
  if (bytes >= CONFIGMAP_MAX_BYTES) {
    throw new Error(`${scope.node.path}/${id}: dashboard ${props.dashboard.uid} is ${bytes} bytes, over the ConfigMap limit of ${CONFIGMAP_MAX_BYTES}`);
  }
  return new k8s.KubeConfigMap(scope, id, {
    metadata: {
      name: props.name,
      namespace: props.namespace,
      labels: { ...props.labels, [DASHBOARD_LABEL]: DASHBOARD_LABEL_VALUE },
    },
    data: { [`${props.name}.json`]: json },
  });
}
