import { PLATFORM_DOMAIN } from '../../core/annotations';

/**
 * The Kubernetes recommended labels, in one place.
 * @see https://kubernetes.io/docs/concepts/overview/working-with-objects/common-labels/
 */
export const LABEL_NAME = 'app.kubernetes.io/name';
export const LABEL_INSTANCE = 'app.kubernetes.io/instance';
export const LABEL_COMPONENT = 'app.kubernetes.io/component';
export const LABEL_PART_OF = 'app.kubernetes.io/part-of';
export const LABEL_MANAGED_BY = 'app.kubernetes.io/managed-by';
export const LABEL_VERSION = 'app.kubernetes.io/version';

/** The value of `app.kubernetes.io/part-of` on everything this library emits. @default */
export const DEFAULT_PART_OF = 'receivables-platform';
/** The value of `app.kubernetes.io/managed-by`. */
export const MANAGED_BY = 'cdk8s';

/** Domain of our own annotations and labels (the default `labelDomain`). */
export const ANNOTATION_DOMAIN = PLATFORM_DOMAIN;

export interface WorkloadIdentity {
  /** The application, e.g. `postgresql`. */
  readonly name: string;
  /** This installation of it, e.g. `main-db`. Unique in the namespace. */
  readonly instance: string;
  /** Its role in the architecture, e.g. `database`, `pooler`. */
  readonly component: string;
  /** The application version, usually the image tag. @default - not set */
  readonly version?: string;
  /** The larger application it belongs to. @default DEFAULT_PART_OF */
  readonly partOf?: string;
  /** Domain of the construct's own labels: sets `<labelDomain>/cluster` to the instance. @default - no cluster label */
  readonly labelDomain?: string;
}

/**
 * Our own label naming the installation, `<labelDomain>/cluster` (value: the instance). Argo CD
 * before 3.0 tracks what it applies by `app.kubernetes.io/instance` (its default label tracking)
 * and overwrites that label with the Application's name on every object it applies. Pods are
 * created by controllers and keep theirs, so pod selectors are safe; a selector from one applied
 * object to another (ServiceMonitor -> Service) must use labels Argo does not own: this one,
 * `app.kubernetes.io/name` and `app.kubernetes.io/component`.
 * https://argo-cd.readthedocs.io/en/release-2.9/user-guide/resource_tracking/
 */
export function clusterLabel(labelDomain: string): string {
  return `${labelDomain}/cluster`;
}

/** The labels a ServiceMonitor selects Services by: name, component and cluster, never `app.kubernetes.io/instance`. */
export function monitorSelectorLabels(id: WorkloadIdentity & { readonly labelDomain: string }): Record<string, string> {
  return { [LABEL_NAME]: id.name, [LABEL_COMPONENT]: id.component, [clusterLabel(id.labelDomain)]: id.instance };
}

/**
 * The labels a Service, PDB or NetworkPolicy selects on. They never include the version, because
 * a workload's selector is immutable and must survive upgrades.
 */
export function selectorLabels(id: WorkloadIdentity): Record<string, string> {
  return {
    [LABEL_NAME]: id.name,
    [LABEL_INSTANCE]: id.instance,
    [LABEL_COMPONENT]: id.component,
  };
}

/** All recommended labels: the selector labels plus part-of, managed-by, version and our cluster label. */
export function standardLabels(id: WorkloadIdentity): Record<string, string> {
  const labels: Record<string, string> = {
    ...selectorLabels(id),
    [LABEL_PART_OF]: id.partOf ?? DEFAULT_PART_OF,
    [LABEL_MANAGED_BY]: MANAGED_BY,
  };
  if (id.labelDomain !== undefined) {
    labels[clusterLabel(id.labelDomain)] = id.instance;
  }
  if (id.version !== undefined) {
    labels[LABEL_VERSION] = id.version;
  }
  return labels;
}

/** The tag (or digest) of an image reference, for the `version` label. */
export function imageVersion(image: string): string | undefined {
  const at = image.indexOf('@');
  if (at >= 0) {
    return image.slice(at + 1).replace(/^sha256:/, '').slice(0, 12);
  }
  const lastSlash = image.lastIndexOf('/');
  const colon = image.indexOf(':', lastSlash + 1);
  return colon >= 0 ? image.slice(colon + 1) : undefined;
}
