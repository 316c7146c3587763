import { LabelSelector, ManifestIndex, PodTemplate, selectorMatches } from './model';
import { NS_LABEL } from './network';

/* eslint-disable @typescript-eslint/no-explicit-any */

/** How NetworkPolicy rules match pods, namespaces and ports: shared by the rules that follow a connection through both ends. */

/** The container port named `name` on any of `pods`. */
export function namedPort(pods: readonly PodTemplate[], name: string): number | undefined {
  return pods.flatMap((p) => p.containers.flatMap((c) => c.c.ports ?? [])).find((p: any) => p?.name === name)?.containerPort;
}

/** Whether a rule's ports admit `port` (no ports: all of them; a name: a container port of `pods` by that name). */
export function portsAdmit(ports: any[] | undefined, port: number, pods: readonly PodTemplate[] | undefined): boolean {
  if (!ports || ports.length === 0) {
    return true;
  }
  return ports.some((p: any) => {
    if (p?.port === undefined) return true;
    if (typeof p.port === 'string') return pods === undefined || namedPort(pods, p.port) === port;
    return p.port === port || (p.endPort !== undefined && port >= p.port && port <= p.endPort);
  });
}

export function namespaceLabels(index: ManifestIndex, namespace: string): Record<string, string> {
  const ns = index.find('Namespace', undefined, namespace)?.obj as any;
  return { [NS_LABEL]: namespace, ...(ns?.metadata?.labels ?? {}) };
}

/** Whether a NetworkPolicy peer, in a policy of `policyNs`, stands for `pods` of `namespace` (unknown pods: any selector may). */
export function peerAdmits(index: ManifestIndex, peer: any, policyNs: string, namespace: string, pods: readonly PodTemplate[] | undefined): boolean {
  if (!peer || peer.ipBlock) {
    return false;
  }
  const inNamespace = peer.namespaceSelector ? selectorMatches(peer.namespaceSelector, namespaceLabels(index, namespace)) : policyNs === namespace;
  const selector: LabelSelector | undefined = peer.podSelector;
  return inNamespace && (pods === undefined || !selector || pods.some((p) => selectorMatches(selector, p.labels)));
}

/** Policies of one direction that select the given pods (unknown pods: every policy of the namespace). */
export function isolating(index: ManifestIndex, namespace: string, direction: 'Ingress' | 'Egress', pods: readonly PodTemplate[] | undefined): any[] {
  return index
    .ofKind('NetworkPolicy', namespace)
    .map((p) => (p.obj as any).spec ?? {})
    .filter((s) => (s.policyTypes ?? (direction === 'Ingress' ? ['Ingress'] : [])).includes(direction))
    .filter((s) => pods === undefined || pods.some((p) => selectorMatches(s.podSelector ?? {}, p.labels)));
}
