import { ApiObject, Chart, JsonPatch } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct, IConstruct } from 'constructs';
import { PLATFORM_DOMAIN } from '../../core/annotations';
import { AuthorizationPolicy } from '../../imports/istio-authorizationpolicy-security.istio.io';
import { DestinationRule, DestinationRuleSpecTrafficPolicyTlsMode } from '../../imports/istio-destinationrule-networking.istio.io';
import {
  PeerAuthentication,
  PeerAuthenticationSpecMtlsMode,
  PeerAuthenticationSpecPortLevelMtlsMode,
} from '../../imports/istio-peerauthentication-security.istio.io';
import { matchesLabels, MeshWorkload, MirroredPolicy, mirrorNetworkPolicy } from './mesh-authorization';
import { NAMESPACE_NAME_LABEL } from './network';
import { PropChecks } from './prop-errors';
import { DEFAULT_CLUSTER_DOMAIN } from './contract';

/* eslint-disable @typescript-eslint/no-explicit-any */

/** Namespace label that turns on sidecar injection (the default revision). */
export const ISTIO_INJECTION_LABEL = 'istio-injection';
/** Pod label that overrides the namespace's injection for one workload. */
export const SIDECAR_INJECT_LABEL = 'sidecar.istio.io/inject';
/** Pod annotation: which inbound ports the sidecar captures ("" = none: a gateway's own listeners stay direct). */
export const INCLUDE_INBOUND_PORTS_ANNOTATION = 'traffic.sidecar.istio.io/includeInboundPorts';
/** Why a workload of a meshed namespace runs without a sidecar (on the workload, for reviewers). */
export const OUT_OF_MESH_ANNOTATION = `mesh.${PLATFORM_DOMAIN}/out-of-mesh`;
/** istiod: sidecars fetch their configuration (xDS) and certificates (CA) on one port. */
export const ISTIOD = { namespace: 'istio-system', selector: { app: 'istiod' } as Record<string, string>, port: 15012 };

/** Outlier detection of the DestinationRules: when Istio ejects a failing endpoint. */
export interface OutlierDetectionProps {
  /** Consecutive 5xx (or connect failures) that eject an endpoint. @default 5 */
  readonly consecutive5xxErrors?: number;
  /** How often ejections are evaluated, in seconds. @default 10 */
  readonly intervalSeconds?: number;
  /** Minimum ejection time, in seconds (grows with each ejection). @default 30 */
  readonly baseEjectionSeconds?: number;
  /** At most this share of a Service's endpoints is ejected at once. @default 50 */
  readonly maxEjectionPercent?: number;
}

/** A workload of the namespace kept out of the mesh, and why. */
export interface OutOfMesh {
  /** A construct: every Deployment, StatefulSet, DaemonSet, Job and CronJob below it. */
  readonly scope: IConstruct;
  readonly reason: string;
}

export interface NamespaceMeshProps {
  /** The namespace; it is in the mesh (its pods get sidecars). */
  readonly namespace: string;
  /** Every namespace whose pods carry sidecars: peers there are identified by their mTLS identity. */
  readonly meshNamespaces: readonly string[];
  /** Labels of the emitted objects. */
  readonly labels: Readonly<Record<string, string>>;
  /** Workloads that run without a sidecar. Jobs and CronJobs always do (see docs/mesh.md). @default - none */
  readonly outOfMesh?: readonly OutOfMesh[];
  /** The namespace holds gateways (ingress controllers): their sidecars capture no inbound port. @default false */
  readonly gateway?: boolean;
  /** Cluster DNS domain of the DestinationRule hosts. @default 'cluster.local' */
  readonly clusterDomain?: string;
  /** @default - the OutlierDetectionProps defaults */
  readonly outlierDetection?: OutlierDetectionProps;
}

const POD_TEMPLATE: Record<string, string> = {
  Deployment: '/spec/template',
  StatefulSet: '/spec/template',
  DaemonSet: '/spec/template',
  Rollout: '/spec/template',
  Job: '/spec/template',
  CronJob: '/spec/jobTemplate/spec/template',
};
const RUNS_TO_COMPLETION = new Set(['Job', 'CronJob']);
const JOB_REASON =
  'runs to completion: on Kubernetes 1.28 without native sidecars the istio-proxy container would keep the pod running after the job ends';
const HTTP_APP_PROTOCOLS = new Set(['http', 'http2', 'grpc', 'h2c', 'kubernetes.io/h2c']);

/**
 * Istio for one namespace of a chart, derived from what the chart already emits, so that it never
 * drifts: a STRICT mTLS PeerAuthentication; one AuthorizationPolicy per NetworkPolicy with the same
 * sources and ports (`mesh-authorization.ts`), and PERMISSIVE ports exactly where a NetworkPolicy
 * admits plaintext peers (outside the mesh); a DestinationRule (ISTIO_MUTUAL, outlier detection)
 * per HTTP Service; the egress to istiod; and the sidecar opt-out of Jobs and excluded workloads.
 * Create it last in the chart: it reads the chart's objects when constructed.
 */
export class NamespaceMesh extends Construct {
  /** The AuthorizationPolicies, by name (each the mirror of the NetworkPolicy of that name). */
  public readonly mirrored: readonly MirroredPolicy[];
  /** The workloads that run with a sidecar. */
  public readonly injected: readonly string[];

  constructor(scope: Construct, id: string, props: NamespaceMeshProps) {
    super(scope, id);
    const check = new PropChecks(this);
    check.dnsLabel(props.namespace, 'namespace');
    props.meshNamespaces.forEach((n, i) => check.dnsLabel(n, `meshNamespaces[${i}]`));
    check.that(props.meshNamespaces.includes(props.namespace), 'meshNamespaces', `must include the namespace "${props.namespace}"`, props.meshNamespaces);
    (props.outOfMesh ?? []).forEach((o, i) => check.that(!!o.reason.trim(), `outOfMesh[${i}].reason`, 'is required', o.reason));
    const od = checkOutlierDetection(check, props.outlierDetection);
    check.throwIfAny();

    const objects = Chart.of(this)
      .node.findAll()
      .filter((c): c is ApiObject => ApiObject.isApiObject(c) && !c.node.path.startsWith(this.node.path + '/'));
    const json = new Map(objects.map((o) => [o, o.toJson()]));
    const inNamespace = objects.filter((o) => json.get(o).metadata?.namespace === props.namespace);
    const workloads = this.prepareWorkloads(inNamespace, json, props);
    this.injected = workloads.filter((w) => w.workload.injected).map((w) => `${w.workload.kind}/${w.workload.name}`);

    const ctx = { namespace: props.namespace, meshNamespaces: new Set(props.meshNamespaces), workloads: workloads.map((w) => w.workload) };
    this.mirrored = inNamespace
      .filter((o) => o.kind === 'NetworkPolicy')
      .map((o) => mirrorNetworkPolicy(json.get(o), ctx))
      .filter((m): m is MirroredPolicy => m !== undefined);
    const meta = (name: string): any => ({ name, namespace: props.namespace, labels: { ...props.labels } });
    for (const m of this.mirrored) {
      new AuthorizationPolicy(this, `Authz-${m.name}`, {
        metadata: meta(m.name),
        spec: { ...(m.selector ? { selector: { matchLabels: m.selector } } : {}), ...(m.rules.length > 0 ? { rules: m.rules } : {}) },
      });
    }
    this.peerAuthentications(meta);
    this.destinationRules(inNamespace, json, ctx.workloads, props, od, meta);
    if (this.injected.length > 0) {
      this.istiodEgress(props);
    }
  }

  /** Reads the namespace's workloads and labels the ones without a sidecar. */
  private prepareWorkloads(objects: ApiObject[], json: Map<ApiObject, any>, props: NamespaceMeshProps): { obj: ApiObject; workload: MeshWorkload }[] {
    const excluded = new Map<ApiObject, string>();
    for (const o of props.outOfMesh ?? []) {
      o.scope.node.findAll().filter(ApiObject.isApiObject).forEach((a) => excluded.set(a, o.reason.trim()));
    }
    return objects
      .filter((o) => POD_TEMPLATE[o.kind] !== undefined)
      .map((obj) => {
        const j = json.get(obj);
        const pointer = POD_TEMPLATE[obj.kind];
        const template = pointer.split('/').slice(1).reduce((t: any, k) => t?.[k], j) ?? {};
        const reason = RUNS_TO_COMPLETION.has(obj.kind) ? JOB_REASON : excluded.get(obj);
        const podLabels: Record<string, string> = { ...(template.metadata?.labels ?? {}) };
        if (reason) {
          obj.addJsonPatch(JsonPatch.add(`${pointer}/metadata/labels/${escapePointer(SIDECAR_INJECT_LABEL)}`, 'false'));
          obj.metadata.addAnnotation(OUT_OF_MESH_ANNOTATION, reason);
          podLabels[SIDECAR_INJECT_LABEL] = 'false';
        } else if (props.gateway) {
          const annotations = { ...(template.metadata?.annotations ?? {}), [INCLUDE_INBOUND_PORTS_ANNOTATION]: '' };
          obj.addJsonPatch(JsonPatch.add(`${pointer}/metadata/annotations`, annotations));
        }
        const namedPorts: Record<string, number> = {};
        for (const c of template.spec?.containers ?? []) {
          for (const p of c.ports ?? []) {
            if (p.name) namedPorts[p.name] = p.containerPort;
          }
        }
        const workload: MeshWorkload = {
          kind: obj.kind,
          name: j.metadata.name,
          podLabels,
          selector: { ...(j.spec?.selector?.matchLabels ?? podLabels) },
          serviceAccount: template.spec?.serviceAccountName,
          namedPorts,
          injected: !reason,
        };
        return { obj, workload };
      });
  }

  /** STRICT for the namespace; per workload, PERMISSIVE where a NetworkPolicy admits plaintext peers. */
  private peerAuthentications(meta: (name: string) => any): void {
    new PeerAuthentication(this, 'Strict', { metadata: meta('default'), spec: { mtls: { mode: PeerAuthenticationSpecMtlsMode.STRICT } } });
    const plaintext = new Map<MeshWorkload, Set<number> | 'all'>();
    for (const m of this.mirrored) {
      for (const [w, ports] of m.plaintext) {
        const have = plaintext.get(w);
        plaintext.set(w, have === 'all' || ports === 'all' ? 'all' : new Set([...(have ?? []), ...ports]));
      }
    }
    for (const [w, ports] of [...plaintext].sort(([a], [b]) => a.name.localeCompare(b.name))) {
      const permissive = { mode: PeerAuthenticationSpecPortLevelMtlsMode.PERMISSIVE };
      new PeerAuthentication(this, `Plaintext-${w.kind}-${w.name}`, {
        metadata: meta(`${w.name}-plaintext`),
        spec:
          ports === 'all'
            ? { selector: { matchLabels: { ...w.selector } }, mtls: { mode: PeerAuthenticationSpecMtlsMode.PERMISSIVE } }
            : {
                selector: { matchLabels: { ...w.selector } },
                mtls: { mode: PeerAuthenticationSpecMtlsMode.STRICT },
                portLevelMtls: Object.fromEntries([...ports].sort((a, b) => a - b).map((p) => [String(p), permissive])),
              },
      });
    }
  }

  /** ISTIO_MUTUAL and outlier detection for every Service that serves HTTP from sidecar pods. */
  private destinationRules(
    objects: ApiObject[],
    json: Map<ApiObject, any>,
    workloads: readonly MeshWorkload[],
    props: NamespaceMeshProps,
    od: Required<OutlierDetectionProps>,
    meta: (name: string) => any,
  ): void {
    for (const svc of objects.filter((o) => o.kind === 'Service').map((o) => json.get(o))) {
      const selector = svc.spec?.selector;
      const http = (svc.spec?.ports ?? []).some((p: any) => /^https?(-|$)/.test(p.name ?? '') || HTTP_APP_PROTOCOLS.has(p.appProtocol));
      const meshed = !!selector && workloads.some((w) => w.injected && matchesLabels(selector, w.podLabels));
      if (!http || !meshed || svc.spec?.clusterIP === 'None') {
        continue;
      }
      new DestinationRule(this, `Traffic-${svc.metadata.name}`, {
        metadata: meta(svc.metadata.name),
        spec: {
          host: `${svc.metadata.name}.${props.namespace}.svc.${props.clusterDomain ?? DEFAULT_CLUSTER_DOMAIN}`,
          trafficPolicy: {
            tls: { mode: DestinationRuleSpecTrafficPolicyTlsMode.ISTIO_UNDERSCORE_MUTUAL },
            outlierDetection: {
              consecutive5XxErrors: od.consecutive5xxErrors,
              interval: `${od.intervalSeconds}s`,
              baseEjectionTime: `${od.baseEjectionSeconds}s`,
              maxEjectionPercent: od.maxEjectionPercent,
            },
          },
        },
      });
    }
  }

  /** Sidecars reach istiod for configuration and certificates; pods without one do not. */
  private istiodEgress(props: NamespaceMeshProps): void {
    new k8s.KubeNetworkPolicy(this, 'IstiodEgress', {
      metadata: { name: 'allow-istiod-egress', namespace: props.namespace, labels: { ...props.labels } },
      spec: {
        podSelector: { matchExpressions: [{ key: SIDECAR_INJECT_LABEL, operator: 'NotIn', values: ['false'] }] },
        policyTypes: ['Egress'],
        egress: [
          {
            to: [{ namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: ISTIOD.namespace } }, podSelector: { matchLabels: { ...ISTIOD.selector } } }],
            ports: [{ protocol: 'TCP', port: k8s.IntOrString.fromNumber(ISTIOD.port) }],
          },
        ],
      },
    });
  }
}

function checkOutlierDetection(check: PropChecks, od: OutlierDetectionProps | undefined): Required<OutlierDetectionProps> {
  const r = {
    consecutive5xxErrors: od?.consecutive5xxErrors ?? 5,
    intervalSeconds: od?.intervalSeconds ?? 10,
    baseEjectionSeconds: od?.baseEjectionSeconds ?? 30,
    maxEjectionPercent: od?.maxEjectionPercent ?? 50,
  };
  check.integer(r.consecutive5xxErrors, 'outlierDetection.consecutive5xxErrors', 1, 1000);
  check.integer(r.intervalSeconds, 'outlierDetection.intervalSeconds', 1, 3600);
  check.integer(r.baseEjectionSeconds, 'outlierDetection.baseEjectionSeconds', 1, 3600);
  check.integer(r.maxEjectionPercent, 'outlierDetection.maxEjectionPercent', 0, 100);
  return r;
}

/** JSON pointer escaping of one key (RFC 6901). */
function escapePointer(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}
