import { Finding, ManifestIndex, selectorMatches } from './model';

/* eslint-disable @typescript-eslint/no-explicit-any */

/** Namespaces every cluster has, which policies may name without creating them. */
export const SYSTEM_NAMESPACES = new Set(['kube-system', 'kube-public', 'kube-node-lease']);
/**
 * Namespaces of cluster add-ons the platform requires but does not deploy (the Istio control
 * plane, the KEDA operator that reads queue depths): policies may name them; their pods are not
 * in the set, so peers there are unknown.
 */
export const ADDON_NAMESPACES = new Set(['istio-system', 'keda']);
export const NS_LABEL = 'kubernetes.io/metadata.name';

/**
 * Every namespace we create starts closed: a default-deny for ingress and egress, plus explicit
 * allows including DNS. Pods in namespaces we do not create must at least be isolated by some policy.
 */
export function checkNetworkIsolation(index: ManifestIndex, report: (f: Finding) => void): void {
  for (const ns of index.ofKind('Namespace')) {
    const name = ns.obj.metadata?.name;
    const inNs = index.ofKind('NetworkPolicy', name).map((p) => (p.obj as any).spec ?? {});
    const selectsAll = (s: any): boolean =>
      !s.podSelector || (Object.keys(s.podSelector.matchLabels ?? {}).length === 0 && (s.podSelector.matchExpressions ?? []).length === 0);
    const denyIngress = inNs.some((s) => selectsAll(s) && (s.policyTypes ?? ['Ingress']).includes('Ingress') && (s.ingress ?? []).length === 0);
    const denyEgress = inNs.some((s) => selectsAll(s) && (s.policyTypes ?? []).includes('Egress') && (s.egress ?? []).length === 0);
    if (!denyIngress || !denyEgress) {
      const missing = [!denyIngress ? 'ingress' : '', !denyEgress ? 'egress' : ''].filter(Boolean).join(' and ');
      report({
        manifest: ns,
        path: 'metadata.name',
        rule: 'net.default-deny',
        message: `namespace "${name}" has no default-deny ${missing} NetworkPolicy (podSelector: {}, policyTypes: [Ingress, Egress], no rules)`,
      });
    }
    const dns = inNs.some((s) =>
      (s.egress ?? []).some((r: any) => (r.ports ?? []).some((p: any) => p?.port === 53 || p?.port === 'dns' || p?.port === 'dns-tcp')),
    );
    if (!dns) {
      report({
        manifest: ns,
        path: 'metadata.name',
        rule: 'net.dns-egress',
        message: `namespace "${name}" allows no DNS egress (port 53): pods cannot resolve names`,
      });
    }
  }
  // Pods in namespaces the set does not create: at least some policy must isolate them.
  for (const pod of index.pods) {
    if (pod.namespace && index.namespaces.has(pod.namespace)) {
      continue;
    }
    const covering = index
      .ofKind('NetworkPolicy', pod.namespace ?? '')
      .filter((p) => selectorMatches((p.obj as any).spec?.podSelector ?? {}, pod.labels));
    const types = new Set(covering.flatMap((p) => (p.obj as any).spec?.policyTypes ?? ['Ingress']));
    if (!types.has('Ingress') || !types.has('Egress')) {
      report({
        manifest: pod.manifest,
        path: pod.specPath,
        rule: 'net.pod-isolation',
        message: `no NetworkPolicy isolates these pods for ${['Ingress', 'Egress'].filter((t) => !types.has(t)).join(' and ')}: any pod can reach them (or they anything)`,
      });
    }
  }
}

/**
 * NetworkPolicies that name things: their podSelector must select pods, a namespace they allow
 * must exist, and a port they open must be a port the pods serve.
 */
export function checkNetworkReferences(index: ManifestIndex, report: (f: Finding) => void): void {
  for (const m of index.ofKind('NetworkPolicy')) {
    const spec = (m.obj as any).spec ?? {};
    const ns = m.obj.metadata?.namespace;
    const sel = spec.podSelector ?? {};
    const selectsAll = Object.keys(sel.matchLabels ?? {}).length === 0 && (sel.matchExpressions ?? []).length === 0;
    const targets = index.podsIn(ns).filter((p) => selectorMatches(sel, p.labels));
    if (!selectsAll && targets.length === 0) {
      report({
        manifest: m,
        path: 'spec.podSelector',
        rule: 'ref.netpol-selector',
        message: `selects no pod in namespace "${ns}": the policy protects nothing`,
      });
    }
    const checkPeers = (rules: any[], dir: 'ingress' | 'egress'): void => {
      rules.forEach((r: any, i: number) => {
        const peers = dir === 'ingress' ? (r?.from ?? []) : (r?.to ?? []);
        const peerPods: typeof targets = [];
        let peersKnown = peers.length > 0;
        peers.forEach((peer: any, j: number) => {
          const at = `spec.${dir}[${i}].${dir === 'ingress' ? 'from' : 'to'}[${j}]`;
          if (peer?.ipBlock) {
            peersKnown = false;
            return;
          }
          const nsName: string | undefined = peer?.namespaceSelector?.matchLabels?.[NS_LABEL];
          if (peer?.namespaceSelector && nsName === undefined) {
            peersKnown = false;
            return;
          }
          const peerNs = nsName ?? ns;
          if (
            nsName !== undefined &&
            !index.namespaces.has(nsName) &&
            !index.usedNamespaces.has(nsName) &&
            !SYSTEM_NAMESPACES.has(nsName) &&
            !ADDON_NAMESPACES.has(nsName)
          ) {
            report({
              manifest: m,
              path: `${at}.namespaceSelector`,
              rule: 'ref.netpol-namespace',
              message: `allows namespace "${nsName}", which this environment does not have`,
            });
            return;
          }
          if (SYSTEM_NAMESPACES.has(peerNs!) || ADDON_NAMESPACES.has(peerNs!)) {
            peersKnown = false;
            return;
          }
          const matched = index.podsIn(peerNs).filter((p) => selectorMatches(peer?.podSelector ?? {}, p.labels));
          if (
            peer?.podSelector &&
            Object.keys(peer.podSelector.matchLabels ?? {}).length + (peer.podSelector.matchExpressions ?? []).length > 0 &&
            matched.length === 0
          ) {
            report({ manifest: m, path: `${at}.podSelector`, rule: 'ref.netpol-peer', message: `selects no pod in namespace "${peerNs}"` });
          }
          peerPods.push(...matched);
        });
        // Ports: ingress ports are served by the policy's own pods; egress ports by the peers.
        const servers = dir === 'ingress' ? targets : peersKnown ? peerPods : [];
        (r?.ports ?? []).forEach((p: any, k: number) => {
          if (p?.port === undefined || servers.length === 0) {
            return;
          }
          const declared = servers.flatMap((s) => s.containers.filter((c) => c.type !== 'ephemeral').flatMap((c) => c.c.ports ?? []));
          const ok =
            typeof p.port === 'string'
              ? declared.some((d: any) => d?.name === p.port)
              : declared.length === 0 ||
                declared.some((d: any) => d?.containerPort === p.port || (p.endPort && d?.containerPort >= p.port && d?.containerPort <= p.endPort));
          if (!ok) {
            report({
              manifest: m,
              path: `spec.${dir}[${i}].ports[${k}].port`,
              rule: 'ref.netpol-port',
              message: `port ${JSON.stringify(p.port)} is not served by the ${dir === 'ingress' ? 'selected' : 'peer'} pods (they declare ${[...new Set(declared.map((d: any) => (d?.name ? `${d.name}/${d.containerPort}` : d?.containerPort)))].join(', ') || 'no ports'})`,
            });
          }
        });
      });
    };
    checkPeers(spec.ingress ?? [], 'ingress');
    checkPeers(spec.egress ?? [], 'egress');
  }
}
