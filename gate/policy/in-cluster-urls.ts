import { Finding, ManifestIndex, PodTemplate, selectorMatches } from './model';
import { isolating, namedPort, peerAdmits, portsAdmit } from './netpol-match';
import { SYSTEM_NAMESPACES } from './network';

/* eslint-disable @typescript-eslint/no-explicit-any */

/**
 * An in-cluster Service URL: `http(s)://<service>.<namespace>.svc[.<cluster domain>][:port]`. This
 * is how our constructs name the object store they archive to (`AWS_ENDPOINT`, a restore command
 * in a ConfigMap), and how a misconfigured one stays invisible until the first backup.
 */
const IN_CLUSTER_URL =
  /\b(https?):\/\/([a-z0-9](?:[-a-z0-9]*[a-z0-9])?)\.([a-z0-9](?:[-a-z0-9]*[a-z0-9])?)\.svc(?:\.[a-z0-9.-]*[a-z0-9])?(?::(\d+))?/g;
const DEFAULT_PORTS: Record<string, number> = { http: 80, https: 443 };

/** One in-cluster URL a pod is configured with, and where. */
export interface InClusterUrl {
  readonly pod: PodTemplate;
  /** Where in the pod's object the URL is (a ConfigMap's mount or env reference for URLs in ConfigMaps). */
  readonly path: string;
  readonly url: string;
  readonly service: string;
  readonly namespace: string;
  readonly port: number;
}

/** Every in-cluster URL of every pod: literal env values, command and args, and the ConfigMaps it mounts or reads. */
export function inClusterUrls(index: ManifestIndex): InClusterUrl[] {
  const out: InClusterUrl[] = [];
  for (const pod of index.pods) {
    const seen = new Set<string>();
    for (const { text, path } of podStrings(index, pod)) {
      for (const m of text.matchAll(IN_CLUSTER_URL)) {
        const [url, scheme, service, namespace, port] = m;
        const key = `${service}.${namespace}:${port ?? DEFAULT_PORTS[scheme]}`;
        if (!seen.has(key) && namespace !== 'default' && !SYSTEM_NAMESPACES.has(namespace)) {
          seen.add(key);
          out.push({ pod, path, url, service, namespace, port: port ? Number(port) : DEFAULT_PORTS[scheme] });
        }
      }
    }
  }
  return out;
}

function podStrings(index: ManifestIndex, pod: PodTemplate): { text: string; path: string }[] {
  const out: { text: string; path: string }[] = [];
  const configMap = (name: string | undefined, path: string): void => {
    const cm = name ? index.find('ConfigMap', pod.namespace, name) : undefined;
    for (const value of Object.values((cm?.obj as any)?.data ?? {})) {
      out.push({ text: String(value), path });
    }
  };
  for (const { c, path, type } of pod.containers) {
    if (type === 'ephemeral') {
      continue;
    }
    (c.env ?? []).forEach((e: any, i: number) => {
      if (typeof e?.value === 'string') out.push({ text: e.value, path: `${path}.env[${i}].value` });
      if (e?.valueFrom?.configMapKeyRef) configMap(e.valueFrom.configMapKeyRef.name, `${path}.env[${i}].valueFrom.configMapKeyRef.name`);
    });
    (c.envFrom ?? []).forEach((e: any, i: number) => configMap(e?.configMapRef?.name, `${path}.envFrom[${i}].configMapRef.name`));
    for (const field of ['command', 'args']) {
      (c[field] ?? []).forEach((a: unknown, i: number) => out.push({ text: String(a), path: `${path}.${field}[${i}]` }));
    }
  }
  (pod.spec.volumes ?? []).forEach((v: any, i: number) => {
    configMap(v?.configMap?.name, `${pod.specPath}.volumes[${i}].configMap.name`);
    (v?.projected?.sources ?? []).forEach((s: any, j: number) =>
      configMap(s?.configMap?.name, `${pod.specPath}.volumes[${i}].projected.sources[${j}].configMap.name`),
    );
  });
  return out;
}

/** The pods behind a URL's Service and the pod port its port maps to; unknown pods when the Service is not in the set. */
interface Destination {
  readonly namespace: string;
  /** Pods of the Service; undefined when the Service is not part of this environment. */
  readonly pods?: PodTemplate[];
  readonly port: number;
}

function destinationOf(index: ManifestIndex, u: InClusterUrl): Destination {
  const svc = index.find('Service', u.namespace, u.service)?.obj as any;
  if (!svc?.spec?.selector) {
    return { namespace: u.namespace, port: u.port };
  }
  const pods = index.podsIn(u.namespace).filter((p) => selectorMatches({ matchLabels: svc.spec.selector }, p.labels));
  const target = (svc.spec.ports ?? []).find((p: any) => p?.port === u.port)?.targetPort;
  const port = typeof target === 'number' ? target : typeof target === 'string' ? (namedPort(pods, target) ?? u.port) : u.port;
  return { namespace: u.namespace, pods, port };
}

/**
 * Every in-cluster URL a pod is configured with can be reached: the pod's namespace lets it out
 * to the Service's pods on the pod port, and the target namespace lets it in. Pods that no policy
 * isolates are open in that direction; a Service outside the set stands for any pod of its namespace.
 */
export function checkInClusterUrls(index: ManifestIndex, report: (f: Finding) => void): void {
  for (const u of inClusterUrls(index)) {
    const from = u.pod.namespace ?? '';
    const to = destinationOf(index, u);
    const egress = isolating(index, from, 'Egress', [u.pod]);
    const egressOk =
      egress.length === 0 ||
      egress.some((s) =>
        (s.egress ?? []).some(
          (r: any) =>
            (!r?.to || r.to.length === 0 || r.to.some((peer: any) => peerAdmits(index, peer, from, to.namespace, to.pods))) &&
            portsAdmit(r?.ports, to.port, to.pods),
        ),
      );
    const ingress = isolating(index, to.namespace, 'Ingress', to.pods);
    const ingressOk =
      ingress.length === 0 ||
      ingress.some((s) =>
        (s.ingress ?? []).some(
          (r: any) =>
            (!r?.from || r.from.length === 0 || r.from.some((peer: any) => peerAdmits(index, peer, to.namespace, from, [u.pod]))) &&
            portsAdmit(r?.ports, to.port, to.pods),
        ),
      );
    const missing = [
      egressOk ? '' : `no egress NetworkPolicy in "${from}" lets these pods out to it`,
      ingressOk ? '' : `no NetworkPolicy in "${to.namespace}" lets them in`,
    ].filter(Boolean);
    if (missing.length > 0) {
      report({
        manifest: u.pod.manifest,
        path: u.path,
        rule: 'net.in-cluster-url',
        message: `connects to ${u.url} (namespace "${to.namespace}", TCP ${to.port}), but ${missing.join(' and ')}: add the allow with connections.allowFrom`,
      });
    }
  }
}
