import { Manifest } from '../manifest';
import { Finding, ManifestIndex, PodTemplate, selectorMatches } from './model';
import { isolating, namedPort, namespaceLabels, peerAdmits, portsAdmit } from './netpol-match';

/* eslint-disable @typescript-eslint/no-explicit-any */

/** One connection an egress rule opens: from a pod to a pod of the set, on a pod port. */
export interface Flow {
  readonly from: PodTemplate;
  readonly to: PodTemplate;
  readonly port: number;
}

/**
 * `net.egress-unanswered`: every egress allow to pods of the set is answered at the other end.
 * For each pod a policy lets out, each pod of the set its peers select and each port of the rule,
 * the target's namespace must let that pod in on that port (an ingress policy selecting the target
 * admits it), unless no ingress policy isolates the target. Egress to ipBlocks, to namespaces the
 * set does not hold and rules without ports are not followed. A one-sided allow is a connection
 * the default-deny drops at runtime: the client times out while both charts look fine alone.
 */
export function checkEgressAnswered(index: ManifestIndex, report: (f: Finding) => void): void {
  for (const e of egressFlows(index)) {
    const unanswered = e.flows.filter((f) => !ingressAdmits(index, f));
    if (unanswered.length > 0) {
      report(finding(e, unanswered));
    }
  }
}

/** The flows one port of one egress peer opens. */
export interface EgressFlows {
  readonly policy: Manifest;
  /** Path of the peer and the port in the policy. */
  readonly path: string;
  readonly port: unknown;
  readonly flows: readonly Flow[];
}

/** Every egress allow to pods of the set, as flows (`ingressAdmits` says whether each is answered). */
export function egressFlows(index: ManifestIndex): EgressFlows[] {
  const out: EgressFlows[] = [];
  for (const m of index.ofKind('NetworkPolicy')) {
    const spec = (m.obj as any).spec ?? {};
    const ns: string = m.obj.metadata?.namespace ?? '';
    if (!(spec.policyTypes ?? []).includes('Egress')) {
      continue;
    }
    const sources = index.podsIn(ns).filter((p) => selectorMatches(spec.podSelector ?? {}, p.labels));
    (spec.egress ?? []).forEach((rule: any, i: number) => {
      (rule?.to ?? []).forEach((peer: any, j: number) => {
        const targets = peerPods(index, peer, ns);
        (rule?.ports ?? []).forEach((p: any, k: number) => {
          const flows = flowsOf(sources, targets, p);
          if (flows.length > 0) {
            out.push({ policy: m, path: `spec.egress[${i}].to[${j}] ports[${k}]`, port: p.port, flows });
          }
        });
      });
    });
  }
  return out;
}

/** The pods of the set a peer stands for (none for an ipBlock). */
function peerPods(index: ManifestIndex, peer: any, policyNs: string): PodTemplate[] {
  if (!peer || peer.ipBlock) {
    return [];
  }
  const namespaces = peer.namespaceSelector
    ? [...index.namespaces].filter((n) => selectorMatches(peer.namespaceSelector, namespaceLabels(index, n)))
    : [policyNs];
  return namespaces.flatMap((n) => index.podsIn(n).filter((p) => selectorMatches(peer.podSelector ?? {}, p.labels)));
}

/** The flows of one port of a rule: a named port resolves per target; targets that do not serve it are ref.netpol-port's. */
function flowsOf(sources: readonly PodTemplate[], targets: readonly PodTemplate[], p: any): Flow[] {
  if (p?.port === undefined || (p.protocol ?? 'TCP') !== 'TCP') {
    return [];
  }
  const served = (t: PodTemplate): number[] =>
    t.containers.filter((c) => c.type !== 'ephemeral').flatMap((c) => (c.c.ports ?? []).map((d: any) => d?.containerPort));
  // A pod that runs to completion (a setup Job sharing the server's labels) serves nothing.
  return targets
    .filter((to) => !to.runsToCompletion)
    .flatMap((to) => {
      const port = typeof p.port === 'string' ? namedPort([to], p.port) : p.port;
      const ports = served(to);
      if (port === undefined || (ports.length > 0 && !ports.includes(port))) {
        return [];
      }
      return sources.map((from) => ({ from, to, port }));
    });
}

/** Whether the target's namespace lets the flow in: no ingress policy isolates the target, or one admits the source on the port. */
export function ingressAdmits(index: ManifestIndex, f: Flow): boolean {
  const toNs = f.to.namespace ?? '';
  const policies = isolating(index, toNs, 'Ingress', [f.to]);
  return (
    policies.length === 0 ||
    policies.some((s) =>
      (s.ingress ?? []).some(
        (r: any) =>
          (!r?.from || r.from.length === 0 || r.from.some((peer: any) => peerAdmits(index, peer, toNs, f.from.namespace ?? '', [f.from]))) &&
          portsAdmit(r?.ports, f.port, [f.to]),
      ),
    )
  );
}

function finding(e: EgressFlows, flows: readonly Flow[]): Finding {
  const name = (pod: PodTemplate): string => `${pod.namespace}/${pod.manifest.obj.metadata?.name}`;
  const targets = [...new Set(flows.map((f) => `${name(f.to)}:${f.port}`))].sort();
  const sources = [...new Set(flows.map((f) => name(f.from)))].sort();
  return {
    manifest: e.policy,
    path: e.path,
    rule: 'net.egress-unanswered',
    message: `lets ${sources.join(', ')} out to ${targets.join(', ')} (port ${JSON.stringify(e.port)}), but no ingress NetworkPolicy there lets them in: the default-deny drops the connection (add the allow with connections.allowFrom)`,
  };
}
