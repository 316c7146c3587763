import { objectId, KubeObject, Manifest } from '../manifest';
import { joinPath } from '../../core/problem';
import { SchemaRegistry } from '../schema';

/* eslint-disable @typescript-eslint/no-explicit-any */

/** A container of a pod template, with where it sits. */
export interface ContainerRef {
  readonly c: any;
  /** Path of the container from the object root. */
  readonly path: string;
  readonly type: 'container' | 'init' | 'ephemeral';
}

/** A pod template inside any workload kind, found where each kind keeps it. */
export interface PodTemplate {
  readonly manifest: Manifest;
  readonly namespace: string | undefined;
  /** Path of the pod spec from the object root. */
  readonly specPath: string;
  readonly spec: any;
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
  readonly annotationsPath: string;
  /** Job and CronJob pods run to completion: no probes, no PDB. */
  readonly runsToCompletion: boolean;
  readonly containers: ContainerRef[];
}

/** Workload kinds whose replica count is a spec field. */
const SCALABLE = new Set(['Deployment', 'StatefulSet', 'ReplicaSet', 'ReplicationController', 'Rollout']);

/** The pod template of an object, if it has one. */
export function podTemplateOf(m: Manifest): PodTemplate | undefined {
  const o = m.obj as any;
  let spec: any;
  let meta: any;
  let specPath: string;
  let metaPath: string;
  let runsToCompletion = false;
  switch (o.kind) {
    case 'Pod':
      spec = o.spec;
      meta = o.metadata;
      specPath = 'spec';
      metaPath = 'metadata';
      break;
    case 'PodTemplate':
      spec = o.template?.spec;
      meta = o.template?.metadata;
      specPath = 'template.spec';
      metaPath = 'template.metadata';
      break;
    case 'CronJob':
      spec = o.spec?.jobTemplate?.spec?.template?.spec;
      meta = o.spec?.jobTemplate?.spec?.template?.metadata;
      specPath = 'spec.jobTemplate.spec.template.spec';
      metaPath = 'spec.jobTemplate.spec.template.metadata';
      runsToCompletion = true;
      break;
    case 'Job':
    case 'Deployment':
    case 'StatefulSet':
    case 'DaemonSet':
    case 'ReplicaSet':
    case 'ReplicationController':
    case 'Rollout':
      spec = o.spec?.template?.spec;
      meta = o.spec?.template?.metadata;
      specPath = 'spec.template.spec';
      metaPath = 'spec.template.metadata';
      runsToCompletion = o.kind === 'Job';
      break;
    default:
      return undefined;
  }
  if (!spec || typeof spec !== 'object') {
    return undefined;
  }
  const containers: ContainerRef[] = [];
  const add = (list: unknown, field: string, type: ContainerRef['type']): void => {
    if (Array.isArray(list)) {
      list.forEach((c, i) => containers.push({ c: c ?? {}, path: `${specPath}.${field}[${i}]`, type }));
    }
  };
  add(spec.initContainers, 'initContainers', 'init');
  add(spec.containers, 'containers', 'container');
  add(spec.ephemeralContainers, 'ephemeralContainers', 'ephemeral');
  return {
    manifest: m,
    namespace: o.metadata?.namespace,
    specPath,
    spec,
    labels: meta?.labels ?? {},
    annotations: { ...(o.kind === 'Pod' ? {} : (o.metadata?.annotations ?? {})), ...(meta?.annotations ?? {}) },
    annotationsPath: `${metaPath}.annotations`,
    runsToCompletion,
    containers,
  };
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

/** Kubernetes label-selector semantics. An empty selector matches everything. */
export function selectorMatches(selector: LabelSelector | undefined, labels: Record<string, string>): boolean {
  if (!selector) {
    return true;
  }
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) {
    if (labels[k] !== v) {
      return false;
    }
  }
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    const vals = e.values ?? [];
    switch (e.operator) {
      case 'In':
        if (!has || !vals.includes(labels[e.key])) return false;
        break;
      case 'NotIn':
        if (has && vals.includes(labels[e.key])) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

/** Everything the rules look up across one environment, indexed once. */
export class ManifestIndex {
  public readonly pods: PodTemplate[] = [];
  /** `Kind/ns/name` -> manifests (more than one is a duplicate). */
  public readonly byId = new Map<string, Manifest[]>();
  /** Names of Namespace objects in the set. */
  public readonly namespaces = new Set<string>();
  /** Namespaces any object of the set lives in. */
  public readonly usedNamespaces = new Set<string>();
  /** `kind` and `kind|namespace` -> manifests, so lookups stay linear in large environments. */
  private readonly byKind = new Map<string, Manifest[]>();
  private readonly podsByNamespace = new Map<string, PodTemplate[]>();

  constructor(
    public readonly manifests: readonly Manifest[],
    public readonly registry: SchemaRegistry,
  ) {
    for (const m of manifests) {
      const id = objectId(m.obj);
      const list = this.byId.get(id) ?? [];
      list.push(m);
      this.byId.set(id, list);
      if (m.obj.kind === 'Namespace' && m.obj.metadata?.name) {
        this.namespaces.add(m.obj.metadata.name);
      }
      if (m.obj.metadata?.namespace) {
        this.usedNamespaces.add(m.obj.metadata.namespace);
      }
      for (const key of [m.obj.kind, `${m.obj.kind}|${m.obj.metadata?.namespace ?? ''}`]) {
        const byKind = this.byKind.get(key) ?? [];
        byKind.push(m);
        this.byKind.set(key, byKind);
      }
      const pod = podTemplateOf(m);
      if (pod) {
        this.pods.push(pod);
        const inNs = this.podsByNamespace.get(pod.namespace ?? '') ?? [];
        inNs.push(pod);
        this.podsByNamespace.set(pod.namespace ?? '', inNs);
      }
    }
  }

  public ofKind(kind: string, namespace?: string): Manifest[] {
    return this.byKind.get(namespace === undefined ? kind : `${kind}|${namespace}`) ?? [];
  }

  public find(kind: string, namespace: string | undefined, name: string): Manifest | undefined {
    return this.byId.get(namespace ? `${kind}/${namespace}/${name}` : `${kind}/${name}`)?.[0];
  }

  public podsIn(namespace: string | undefined): PodTemplate[] {
    return this.podsByNamespace.get(namespace ?? '') ?? [];
  }

  /** The replicas a scalable workload runs at: spec.replicas, or an autoscaler's minimum. */
  public replicasOf(m: Manifest): number | undefined {
    const o = m.obj as any;
    if (!SCALABLE.has(o.kind)) {
      return undefined;
    }
    if (typeof o.spec?.replicas === 'number') {
      return o.spec.replicas;
    }
    const hpa = this.ofKind('HorizontalPodAutoscaler', o.metadata?.namespace).find(
      (h: any) => h.obj.spec?.scaleTargetRef?.kind === o.kind && h.obj.spec?.scaleTargetRef?.name === o.metadata?.name,
    );
    if (hpa) {
      return (hpa.obj as any).spec?.minReplicas ?? 1;
    }
    const keda = this.ofKind('ScaledObject', o.metadata?.namespace).find(
      (h: any) => (h.obj.spec?.scaleTargetRef?.kind ?? 'Deployment') === o.kind && h.obj.spec?.scaleTargetRef?.name === o.metadata?.name,
    );
    if (keda) {
      // A paused ScaledObject holds its target at the annotated count (a DR environment at rest: 0).
      const paused = Number((keda.obj as any).metadata?.annotations?.['autoscaling.keda.sh/paused-replicas']);
      return Number.isInteger(paused) ? paused : ((keda.obj as any).spec?.minReplicaCount ?? 0);
    }
    return 1;
  }
}

/** A finding before exemptions and severities are applied. */
export interface Finding {
  readonly manifest: Manifest;
  readonly path: string;
  readonly rule: string;
  readonly message: string;
}

export type RuleCheck = (index: ManifestIndex, report: (f: Finding) => void) => void;

export { joinPath, KubeObject };
