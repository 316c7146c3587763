import * as fs from 'fs';
import * as path from 'path';
import { KubeObject } from '../../gate/manifest';
import { toYaml } from '../../synth/serialize';

/* eslint-disable @typescript-eslint/no-explicit-any */

/** Small hand-written objects for the review tools: only the fields the tools read. */

export function namespace(name: string, labels: Record<string, string> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'kubernetes.io/metadata.name': name, ...labels } } };
}

export interface PodOptions {
  readonly replicas?: number;
  readonly cpu?: string;
  readonly memory?: string;
  readonly cpuLimit?: string;
  readonly memoryLimit?: string;
  readonly image?: string;
  readonly ports?: { name: string; containerPort: number }[];
}

function podSpec(name: string, o: PodOptions): any {
  return {
    containers: [
      {
        name,
        image: o.image ?? `registry.example.com/${name}:1.0.0`,
        ...(o.ports ? { ports: o.ports } : {}),
        resources: {
          requests: { cpu: o.cpu ?? '250m', memory: o.memory ?? '512Mi' },
          limits: { memory: o.memoryLimit ?? o.memory ?? '512Mi', ...(o.cpuLimit ? { cpu: o.cpuLimit } : {}) },
        },
      },
    ],
  };
}

export function deployment(ns: string, name: string, o: PodOptions = {}): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: ns },
    spec: {
      replicas: o.replicas ?? 1,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: podSpec(name, o) },
    },
  };
}

export function cronJob(ns: string, name: string, o: PodOptions = {}): KubeObject {
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name, namespace: ns },
    spec: { schedule: '0 3 * * *', jobTemplate: { spec: { template: { metadata: { labels: { app: name } }, spec: podSpec(name, o) } } } },
  };
}

export function statefulSet(ns: string, name: string, o: PodOptions & { storage?: string } = {}): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name, namespace: ns },
    spec: {
      replicas: o.replicas ?? 1,
      serviceName: name,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: podSpec(name, o) },
      volumeClaimTemplates: [
        { metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: o.storage ?? '10Gi' } } } },
      ],
    },
  };
}

export function service(ns: string, name: string, selector: Record<string, string>, port: number): KubeObject {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: ns }, spec: { selector, ports: [{ name: 'main', port }] } };
}

export function pvc(ns: string, name: string, storage: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name, namespace: ns },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage } } },
  };
}

export function pdb(
  ns: string,
  name: string,
  selector: Record<string, string>,
  budget: { maxUnavailable?: number | string; minAvailable?: number | string },
): KubeObject {
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name, namespace: ns },
    spec: { selector: { matchLabels: selector }, ...budget },
  };
}

export function defaultDeny(ns: string): KubeObject {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'default-deny', namespace: ns },
    spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
  };
}

export function allowDns(ns: string): KubeObject {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'allow-dns-egress', namespace: ns },
    spec: {
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [
        {
          to: [
            {
              namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
              podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
            },
          ],
          ports: [
            { protocol: 'UDP', port: 53 },
            { protocol: 'TCP', port: 53 },
          ],
        },
      ],
    },
  };
}

/** `pods` (in `ns`) may connect to `peer` pods in `peerNs` on `ports` (ingress or egress side). */
export function allow(
  type: 'Ingress' | 'Egress',
  ns: string,
  name: string,
  pods: Record<string, string>,
  peerNs: string,
  peer: Record<string, string>,
  ports: (number | string)[],
): KubeObject {
  const rule = {
    [type === 'Ingress' ? 'from' : 'to']: [
      { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': peerNs } }, podSelector: { matchLabels: peer } },
    ],
    ports: ports.map((port) => ({ protocol: 'TCP', port })),
  };
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name, namespace: ns },
    spec: { podSelector: { matchLabels: pods }, policyTypes: [type], [type === 'Ingress' ? 'ingress' : 'egress']: [rule] },
  };
}

/** Writes `<dir>/<env>/<folder>/<folder>.k8s.yaml` (+ kustomization files are not needed by the tools). */
export function writeTree(dir: string, env: string, folders: Record<string, KubeObject[]>): void {
  for (const [folder, objects] of Object.entries(folders)) {
    const fdir = path.join(dir, env, folder);
    fs.mkdirSync(fdir, { recursive: true });
    fs.writeFileSync(path.join(fdir, `${folder}.k8s.yaml`), toYaml(objects));
  }
}

/** A print function that collects lines. */
export function capture(): { print: (s: string) => void; text: () => string } {
  const lines: string[] = [];
  return { print: (s: string) => lines.push(s), text: () => lines.join('\n') };
}
