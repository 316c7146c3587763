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

/** Files that sit in manifest folders but hold no Kubernetes objects. */
export function isKustomization(obj: unknown): boolean {
  const o = obj as { apiVersion?: string; kind?: string } | null;
  return !!o && typeof o.apiVersion === 'string' && o.apiVersion.startsWith('kustomize.config.k8s.io/');
}
