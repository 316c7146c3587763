/** A Kubernetes object as read from (or about to be written to) a manifest file. */
export interface Manifest {
  /** File it lives in, as printed in reports. */
  readonly file: string;
  readonly obj: KubeObject;
}

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name?: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    [k: string]: unknown;
  };
  [k: string]: unknown;
}

/** `Kind/namespace/name`, or `Kind/name` for cluster-scoped objects. */
export function objectId(obj: Partial<KubeObject> | undefined): string {
  const kind = obj?.kind ?? '?';
  const name = obj?.metadata?.name ?? obj?.metadata?.generateName ?? '?';
  const ns = obj?.metadata?.namespace;
  return ns ? `${kind}/${ns}/${name}` : `${kind}/${name}`;
}

/**
 * API groups of files that sit in manifest folders but hold no Kubernetes API objects: nothing
 * applies them, so the gate does not check them as objects. Kustomizations (kustomize reads them)
 * and the API server's audit policy (`dist/<env>/cluster/`, installed on the control plane by hand).
 */
export const NOT_API_GROUPS: readonly string[] = ['kustomize.config.k8s.io/', 'audit.k8s.io/'];

/** True for a document of a file that holds no Kubernetes API object (see NOT_API_GROUPS). */
export function isNotApiObject(obj: unknown): boolean {
  const o = obj as { apiVersion?: string; kind?: string } | null;
  return !!o && typeof o.apiVersion === 'string' && NOT_API_GROUPS.some((g) => o.apiVersion!.startsWith(g));
}
