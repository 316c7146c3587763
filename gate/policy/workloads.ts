import { isDeepStrictEqual } from 'util';
import { Finding, ManifestIndex, selectorMatches } from './model';

/* eslint-disable @typescript-eslint/no-explicit-any */

const GPU = 'nvidia.com/gpu';
const SENSITIVE_ENV = /(passw(or)?d|passwd|secret|token|api[_-]?key|private[_-]?key|credential|access[_-]?key)/i;

/** Resources, probes, images and literal secrets in env, per container. */
export function checkContainers(index: ManifestIndex, report: (f: Finding) => void): void {
  for (const pod of index.pods) {
    const usesGpuPool = JSON.stringify(pod.spec.nodeSelector ?? {}).includes('gpu') || (pod.spec.tolerations ?? []).some((t: any) => t?.key === GPU);
    let someGpuLimit = false;
    for (const ref of pod.containers) {
      const c = ref.c;
      const name = c.name ?? '?';
      const f = (path: string, rule: string, message: string): void => report({ manifest: pod.manifest, path, rule, message });
      if (ref.type !== 'ephemeral') {
        const req = c.resources?.requests ?? {};
        const lim = c.resources?.limits ?? {};
        if (req.cpu === undefined) {
          f(`${ref.path}.resources.requests.cpu`, 'res.cpu-request', `container "${name}" has no cpu request: set resources.requests.cpu`);
        }
        if (req.memory === undefined) {
          f(
            `${ref.path}.resources.requests.memory`,
            'res.memory-request',
            `container "${name}" has no memory request: set resources.requests.memory`,
          );
        }
        if (lim.memory === undefined) {
          f(`${ref.path}.resources.limits.memory`, 'res.memory-limit', `container "${name}" has no memory limit: set resources.limits.memory`);
        }
        if (req[GPU] !== undefined && lim[GPU] === undefined) {
          f(
            `${ref.path}.resources.limits["${GPU}"]`,
            'res.gpu-limit',
            `container "${name}" requests GPUs: set ${GPU} in limits (GPUs are only allocated by limit)`,
          );
        }
        if (lim[GPU] !== undefined) {
          someGpuLimit = true;
        }
      }
      if (ref.type === 'container' && !pod.runsToCompletion) {
        if (!c.readinessProbe) {
          f(
            `${ref.path}.readinessProbe`,
            'health.readiness-probe',
            `container "${name}" has no readinessProbe: traffic would reach it before it is ready`,
          );
        }
        if (!c.livenessProbe) {
          f(`${ref.path}.livenessProbe`, 'health.liveness-probe', `container "${name}" has no livenessProbe: a hung process would never restart`);
        }
        if (c.readinessProbe && c.livenessProbe && isDeepStrictEqual(c.readinessProbe, c.livenessProbe)) {
          f(
            `${ref.path}.livenessProbe`,
            'health.identical-probes',
            `container "${name}" has identical liveness and readiness probes: a slow dependency would restart it; make liveness check only the process`,
          );
        }
      }
      checkImage(c.image, `${ref.path}.image`, name, f);
      (c.env ?? []).forEach((e: any, i: number) => {
        if (e && SENSITIVE_ENV.test(e.name ?? '') && e.value !== undefined && e.value !== '') {
          f(
            `${ref.path}.env[${i}].value`,
            'sec.env-literal-secret',
            `env var "${e.name}" looks secret but has a literal value: use valueFrom.secretKeyRef`,
          );
        }
      });
    }
    if (usesGpuPool && !someGpuLimit && pod.containers.length > 0 && (pod.spec.tolerations ?? []).some((t: any) => t?.key === GPU)) {
      report({
        manifest: pod.manifest,
        path: `${pod.specPath}.containers`,
        rule: 'res.gpu-limit',
        message: `pod tolerates ${GPU} taints but no container sets ${GPU} in limits`,
      });
    }
  }
}

/** Image references: a tag other than latest, or a digest. Digests are counted as the better pin. */
function checkImage(image: unknown, path: string, name: string, f: (path: string, rule: string, message: string) => void): void {
  if (typeof image !== 'string' || image === '') {
    f(path, 'img.tag', `container "${name}" has no image`);
    return;
  }
  if (/@sha256:[a-f0-9]{64}$/.test(image)) {
    return;
  }
  const lastSlash = image.lastIndexOf('/');
  const colon = image.indexOf(':', lastSlash + 1);
  if (colon < 0) {
    f(path, 'img.tag', `image "${image}" has no tag: pin it by tag or digest`);
  } else if (image.slice(colon + 1) === 'latest') {
    f(path, 'img.tag', `image "${image}" uses "latest": pin it by tag or digest`);
  }
}

/** How images are pinned, for the summary: digests are best, tags acceptable. */
export function imagePinCounts(index: ManifestIndex): { digest: number; tag: number } {
  let digest = 0;
  let tag = 0;
  for (const pod of index.pods) {
    for (const ref of pod.containers) {
      if (typeof ref.c.image === 'string') {
        if (/@sha256:/.test(ref.c.image)) {
          digest++;
        } else {
          tag++;
        }
      }
    }
  }
  return { digest, tag };
}

/** More than one replica: a PDB that allows evictions, plus anti-affinity or topology spread. */
export function checkAvailability(index: ManifestIndex, report: (f: Finding) => void): void {
  for (const pod of index.pods) {
    const replicas = index.replicasOf(pod.manifest);
    const m = pod.manifest;
    const f = (path: string, rule: string, message: string): void => report({ manifest: m, path, rule, message });
    if (replicas === undefined || replicas <= 1) {
      continue;
    }
    const covering = index
      .ofKind('PodDisruptionBudget', pod.namespace ?? '')
      .filter((p) => (p.obj as any).spec?.selector && selectorMatches((p.obj as any).spec.selector, pod.labels));
    if (covering.length === 0) {
      f(
        'spec.replicas',
        'avail.pdb-missing',
        `${replicas} replicas but no PodDisruptionBudget selects the pods: a node drain may take them all down`,
      );
    }
    for (const p of covering) {
      const spec = (p.obj as any).spec;
      if (blocksEveryEviction(spec, replicas)) {
        report({
          manifest: p,
          path: spec.maxUnavailable !== undefined ? 'spec.maxUnavailable' : 'spec.minAvailable',
          rule: 'avail.pdb-blocks-eviction',
          message: `with ${replicas} replicas this budget never allows an eviction, so node drains hang: allow at least one pod down (maxUnavailable: 1)`,
        });
      }
    }
    const anti = [
      ...(pod.spec.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []),
      ...(pod.spec.affinity?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((w: any) => w?.podAffinityTerm),
    ].some((t: any) => t?.labelSelector && selectorMatches(t.labelSelector, pod.labels));
    const spread = (pod.spec.topologySpreadConstraints ?? []).some((t: any) => t?.labelSelector && selectorMatches(t.labelSelector, pod.labels));
    if (!anti && !spread) {
      f(
        `${pod.specPath}.affinity`,
        'avail.anti-affinity',
        `${replicas} replicas without pod anti-affinity or topology spread over their own pods: they may all land on one node`,
      );
    }
  }
  for (const p of index.ofKind('PodDisruptionBudget')) {
    const spec = (p.obj as any).spec ?? {};
    if (spec.maxUnavailable === undefined && spec.minAvailable === undefined) {
      report({
        manifest: p,
        path: 'spec',
        rule: 'avail.pdb-policy',
        message: 'set maxUnavailable (or minAvailable): without either the budget does nothing',
      });
    }
  }
}

function blocksEveryEviction(spec: any, replicas: number): boolean {
  const pct = (v: unknown): number | undefined => (typeof v === 'string' && v.endsWith('%') ? parseFloat(v) : undefined);
  if (spec.maxUnavailable !== undefined) {
    const v = spec.maxUnavailable;
    const p = pct(v);
    // Kubernetes rounds a percentage up (intstr.GetScaledValueFromIntOrPercent with roundUp).
    return p !== undefined ? Math.ceil((p / 100) * replicas) < 1 : Number(v) < 1;
  }
  if (spec.minAvailable !== undefined) {
    const v = spec.minAvailable;
    const p = pct(v);
    return p !== undefined ? Math.ceil((p / 100) * replicas) >= replicas : Number(v) >= replicas;
  }
  return false;
}
