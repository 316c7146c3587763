import { Manifest } from '../manifest';
import { Finding, ManifestIndex, PodTemplate, selectorMatches } from './model';

/* eslint-disable @typescript-eslint/no-explicit-any */

/** Objects Kubernetes creates in every namespace or cluster, which manifests may use without defining. */
const IMPLICIT_CONFIGMAPS = new Set(['kube-root-ca.crt']);
const IMPLICIT_SERVICE_ACCOUNTS = new Set(['default']);
const BUILTIN_PRIORITY_CLASSES = new Set(['system-cluster-critical', 'system-node-critical']);

/**
 * Reference integrity inside one environment: whatever an object selects or names must exist.
 * This is what schema validation and most linters cannot see, and what breaks at apply time.
 */
export function checkReferences(index: ManifestIndex, report: (f: Finding) => void): void {
  const secretsIn = secretProviders(index);
  for (const m of index.manifests) {
    const o = m.obj as any;
    const ns: string | undefined = o.metadata?.namespace;
    const f = (path: string, rule: string, message: string): void => report({ manifest: m, path, rule, message });
    switch (o.kind) {
      case 'Service':
        checkService(index, m, f);
        break;
      case 'PodDisruptionBudget':
        if (o.spec?.selector && index.podsIn(ns).filter((p) => selectorMatches(o.spec.selector, p.labels)).length === 0) {
          f('spec.selector', 'ref.pdb-selector', `selects no pod in namespace "${ns}": the budget protects nothing`);
        }
        break;
      case 'HorizontalPodAutoscaler': {
        const t = o.spec?.scaleTargetRef ?? {};
        const kind = t.kind ?? 'Deployment';
        if (t.name && !index.find(kind, ns, t.name)) {
          f('spec.scaleTargetRef', 'ref.scale-target', `scales ${kind} "${t.name}", which does not exist in namespace "${ns}"`);
        }
        break;
      }
      case 'ScaledObject':
        checkScaledObject(index, m, f);
        break;
      case 'TriggerAuthentication':
        (o.spec?.secretTargetRef ?? []).forEach((r: any, i: number) => {
          if (r?.name && !secretsIn.get(ns ?? '')?.has(r.name)) {
            f(
              `spec.secretTargetRef[${i}].name`,
              'ref.secret-missing',
              `reads Secret "${r.name}", which no Secret, ExternalSecret or Certificate in namespace "${ns}" provides`,
            );
          }
        });
        break;
      case 'ServiceMonitor':
        checkServiceMonitor(index, m, f);
        break;
      case 'PodMonitor': {
        const nsNames: string[] = o.spec?.namespaceSelector?.matchNames ?? [ns];
        if (!o.spec?.namespaceSelector?.any && !nsNames.some((n) => index.podsIn(n).some((p) => selectorMatches(o.spec?.selector ?? {}, p.labels)))) {
          f('spec.selector', 'ref.podmonitor-selector', `selects no pod in ${nsNames.join(', ')}`);
        }
        break;
      }
      case 'Ingress':
        checkIngress(index, m, f);
        (o.spec?.tls ?? []).forEach((t: any, i: number) => {
          if (t?.secretName && !secretsIn.get(ns ?? '')?.has(t.secretName)) {
            f(
              `spec.tls[${i}].secretName`,
              'ref.ingress-tls',
              `serves TLS from Secret "${t.secretName}", which no Secret, ExternalSecret or Certificate in namespace "${ns}" provides: the controller falls back to its default certificate`,
            );
          }
        });
        break;
      case 'KongConsumer':
        (o.credentials ?? []).forEach((name: string, i: number) => {
          if (!secretsIn.get(ns ?? '')?.has(name)) {
            f(
              `credentials[${i}]`,
              'ref.kong-credential',
              `uses credential Secret "${name}", which no Secret or ExternalSecret in namespace "${ns}" provides`,
            );
          }
        });
        break;
      case 'StatefulSet':
        if (o.spec?.serviceName && !index.find('Service', ns, o.spec.serviceName)) {
          f(
            'spec.serviceName',
            'ref.statefulset-service',
            `names Service "${o.spec.serviceName}", which does not exist: pods get no stable DNS names`,
          );
        }
        break;
      case 'Rollout':
        checkRollout(index, m, f);
        break;
      case 'Certificate': {
        const r = o.spec?.issuerRef ?? {};
        const kind = r.kind ?? 'Issuer';
        if ((r.group ?? 'cert-manager.io') === 'cert-manager.io' && !index.find(kind, kind === 'ClusterIssuer' ? undefined : ns, r.name)) {
          f(
            'spec.issuerRef',
            'ref.certificate-issuer',
            `is signed by ${kind} "${r.name}", which does not exist${kind === 'Issuer' ? ` in namespace "${ns}"` : ''}: the certificate is never issued`,
          );
        }
        break;
      }
      case 'RoleBinding':
      case 'ClusterRoleBinding': {
        const r = o.roleRef ?? {};
        if (r.kind === 'Role' && !index.find('Role', ns, r.name)) {
          f('roleRef.name', 'ref.rolebinding', `binds Role "${r.name}", which does not exist in namespace "${ns}"`);
        }
        (o.subjects ?? []).forEach((s: any, i: number) => {
          const sns = s?.namespace ?? ns;
          if (
            s?.kind === 'ServiceAccount' &&
            !IMPLICIT_SERVICE_ACCOUNTS.has(s.name) &&
            index.namespaces.has(sns) &&
            !index.find('ServiceAccount', sns, s.name)
          ) {
            f(`subjects[${i}].name`, 'ref.rolebinding', `binds ServiceAccount "${s.name}", which does not exist in namespace "${sns}"`);
          }
        });
        break;
      }
      default:
        break;
    }
  }
  for (const pod of index.pods) {
    checkPodReferences(index, pod, secretsIn, report);
  }
}

/** Secret names available per namespace: Secrets, ExternalSecret and SealedSecret targets, Certificates. */
function secretProviders(index: ManifestIndex): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  const add = (ns: string | undefined, name: string | undefined): void => {
    if (ns && name) {
      const set = out.get(ns) ?? new Set<string>();
      set.add(name);
      out.set(ns, set);
    }
  };
  for (const m of index.manifests) {
    const o = m.obj as any;
    const ns = o.metadata?.namespace;
    switch (o.kind) {
      case 'Secret':
        add(ns, o.metadata?.name);
        break;
      case 'ExternalSecret':
        add(ns, o.spec?.target?.name ?? o.metadata?.name);
        break;
      case 'SealedSecret':
        add(ns, o.spec?.template?.metadata?.name ?? o.metadata?.name);
        break;
      case 'Certificate':
        add(ns, o.spec?.secretName);
        break;
      default:
        break;
    }
  }
  return out;
}

type Report = (path: string, rule: string, message: string) => void;

function checkService(index: ManifestIndex, m: Manifest, f: Report): void {
  const o = m.obj as any;
  const selector: Record<string, string> | undefined = o.spec?.selector;
  if (!selector || Object.keys(selector).length === 0 || o.spec?.type === 'ExternalName') {
    return; // Endpoints managed elsewhere (Patroni's leader Service, for example).
  }
  const pods = index.podsIn(o.metadata?.namespace).filter((p) => selectorMatches({ matchLabels: selector }, p.labels));
  if (pods.length === 0) {
    f('spec.selector', 'ref.service-selector', `selects no pod in namespace "${o.metadata?.namespace}": the Service has no endpoints`);
    return;
  }
  (o.spec?.ports ?? []).forEach((p: any, i: number) => {
    const target = p?.targetPort ?? p?.port;
    const ports = pods.flatMap((pod) => pod.containers.filter((c) => c.type === 'container').flatMap((c) => c.c.ports ?? []));
    if (typeof target === 'string' && !ports.some((cp: any) => cp?.name === target)) {
      f(`spec.ports[${i}].targetPort`, 'ref.service-port', `targetPort "${target}" is not a named port of the selected pods`);
    } else if (typeof target === 'number' && ports.length > 0 && !ports.some((cp: any) => cp?.containerPort === target)) {
      f(
        `spec.ports[${i}].targetPort`,
        'ref.service-port',
        `targetPort ${target} is not a port of the selected pods (they declare ${ports.map((cp: any) => cp?.containerPort).join(', ')})`,
      );
    }
  });
}

/** KEDA scales what we deliver with (a Deployment or an Argo Rollout), logging in with a TriggerAuthentication of its namespace. */
function checkScaledObject(index: ManifestIndex, m: Manifest, f: Report): void {
  const o = m.obj as any;
  const ns = o.metadata?.namespace;
  const t = o.spec?.scaleTargetRef ?? {};
  const kind = t.kind ?? 'Deployment';
  const api = t.apiVersion ?? 'apps/v1';
  const expectedApi = SCALED_OBJECT_TARGETS[kind];
  if (expectedApi === undefined || api !== expectedApi) {
    f(
      'spec.scaleTargetRef',
      'ref.scale-target',
      `scales ${api} ${kind}: a ScaledObject targets a Deployment (apps/v1) or a Rollout (argoproj.io/v1alpha1)`,
    );
  } else if (t.name && !index.find(kind, ns, t.name)) {
    f('spec.scaleTargetRef', 'ref.scale-target', `scales ${kind} "${t.name}", which does not exist in namespace "${ns}"`);
  }
  (o.spec?.triggers ?? []).forEach((trigger: any, i: number) => {
    const ref = trigger?.authenticationRef;
    if (!ref?.name) {
      return;
    }
    const cluster = ref.kind === 'ClusterTriggerAuthentication';
    if (!index.find(cluster ? 'ClusterTriggerAuthentication' : 'TriggerAuthentication', cluster ? undefined : ns, ref.name)) {
      f(
        `spec.triggers[${i}].authenticationRef`,
        'ref.scale-target',
        `logs in with ${ref.kind ?? 'TriggerAuthentication'} "${ref.name}", which does not exist${cluster ? '' : ` in namespace "${ns}"`}`,
      );
    }
  });
}

const SCALED_OBJECT_TARGETS: Record<string, string> = { Deployment: 'apps/v1', Rollout: 'argoproj.io/v1alpha1' };

function checkServiceMonitor(index: ManifestIndex, m: Manifest, f: Report): void {
  const o = m.obj as any;
  const nsSel = o.spec?.namespaceSelector ?? {};
  const namespaces: (string | undefined)[] = nsSel.any ? [...index.usedNamespaces] : (nsSel.matchNames ?? [o.metadata?.namespace]);
  const services = index.manifests.filter(
    (s) =>
      s.obj.kind === 'Service' &&
      namespaces.includes(s.obj.metadata?.namespace) &&
      selectorMatches(o.spec?.selector ?? {}, s.obj.metadata?.labels ?? {}),
  );
  if (services.length === 0) {
    f('spec.selector', 'ref.servicemonitor-selector', `selects no Service in ${namespaces.join(', ')}: nothing is scraped`);
    return;
  }
  (o.spec?.endpoints ?? []).forEach((e: any, i: number) => {
    if (e?.port && !services.some((s) => ((s.obj as any).spec?.ports ?? []).some((p: any) => p?.name === e.port))) {
      f(`spec.endpoints[${i}].port`, 'ref.servicemonitor-port', `no selected Service has a port named "${e.port}"`);
    }
  });
}

function checkIngress(index: ManifestIndex, m: Manifest, f: Report): void {
  const o = m.obj as any;
  const ns = o.metadata?.namespace;
  const check = (backend: any, at: string): void => {
    const svc = backend?.service;
    if (!svc?.name) {
      return;
    }
    const target = index.find('Service', ns, svc.name);
    if (!target) {
      f(`${at}.service.name`, 'ref.ingress-backend', `routes to Service "${svc.name}", which does not exist in namespace "${ns}"`);
      return;
    }
    const ports: any[] = (target.obj as any).spec?.ports ?? [];
    const p = svc.port ?? {};
    if ((p.number !== undefined && !ports.some((x) => x?.port === p.number)) || (p.name !== undefined && !ports.some((x) => x?.name === p.name))) {
      f(`${at}.service.port`, 'ref.ingress-backend', `Service "${svc.name}" has no port ${p.number ?? JSON.stringify(p.name)}`);
    }
  };
  if (o.spec?.defaultBackend) {
    check(o.spec.defaultBackend, 'spec.defaultBackend');
  }
  (o.spec?.rules ?? []).forEach((r: any, i: number) =>
    (r?.http?.paths ?? []).forEach((p: any, j: number) => check(p?.backend, `spec.rules[${i}].http.paths[${j}].backend`)),
  );
  const plugins = o.metadata?.annotations?.['konghq.com/plugins'];
  if (typeof plugins === 'string') {
    for (const name of plugins
      .split(',')
      .map((s: string) => s.trim())
      .filter(Boolean)) {
      if (!index.find('KongPlugin', ns, name) && !index.find('KongClusterPlugin', undefined, name)) {
        f('metadata.annotations["konghq.com/plugins"]', 'ref.kong-plugin', `uses KongPlugin "${name}", which does not exist in namespace "${ns}"`);
      }
    }
  }
}

function checkRollout(index: ManifestIndex, m: Manifest, f: Report): void {
  const o = m.obj as any;
  const ns = o.metadata?.namespace;
  const ref = o.spec?.workloadRef;
  if (ref?.name && !index.find(ref.kind ?? 'Deployment', ns, ref.name)) {
    f('spec.workloadRef', 'ref.rollout', `references ${ref.kind ?? 'Deployment'} "${ref.name}", which does not exist`);
  }
  const strategy = o.spec?.strategy ?? {};
  const services: [string, unknown][] = [
    ['spec.strategy.canary.stableService', strategy.canary?.stableService],
    ['spec.strategy.canary.canaryService', strategy.canary?.canaryService],
    ['spec.strategy.blueGreen.activeService', strategy.blueGreen?.activeService],
    ['spec.strategy.blueGreen.previewService', strategy.blueGreen?.previewService],
  ];
  for (const [at, name] of services) {
    if (typeof name === 'string' && !index.find('Service', ns, name)) {
      f(at, 'ref.rollout', `names Service "${name}", which does not exist in namespace "${ns}"`);
    }
  }
  const templates: string[] = [];
  const collect = (x: any): void => {
    if (Array.isArray(x)) x.forEach(collect);
    else if (x && typeof x === 'object') {
      if (typeof x.templateName === 'string') templates.push(x.templateName);
      Object.values(x).forEach(collect);
    }
  };
  collect(strategy);
  for (const t of templates) {
    if (!index.find('AnalysisTemplate', ns, t) && !index.find('ClusterAnalysisTemplate', undefined, t)) {
      f('spec.strategy', 'ref.rollout', `uses AnalysisTemplate "${t}", which does not exist in namespace "${ns}"`);
    }
  }
}

function checkPodReferences(index: ManifestIndex, pod: PodTemplate, secretsIn: Map<string, Set<string>>, report: (f: Finding) => void): void {
  const ns = pod.namespace;
  const { spec, specPath } = pod;
  const f = (path: string, rule: string, message: string): void => report({ manifest: pod.manifest, path, rule, message });
  const hasConfigMap = (name: string): boolean => IMPLICIT_CONFIGMAPS.has(name) || !!index.find('ConfigMap', ns, name);
  const hasSecret = (name: string): boolean => secretsIn.get(ns ?? '')?.has(name) ?? false;
  const missingConfigMap = (name: string, at: string, optional?: boolean): void => {
    if (name && !optional && !hasConfigMap(name)) {
      f(at, 'ref.configmap-missing', `uses ConfigMap "${name}", which does not exist in namespace "${ns}": the pod would not start`);
    }
  };
  const missingSecret = (name: string, at: string, optional?: boolean): void => {
    if (name && !optional && !hasSecret(name)) {
      f(at, 'ref.secret-missing', `uses Secret "${name}", which no Secret, ExternalSecret or Certificate in namespace "${ns}" provides`);
    }
  };
  const volumeNames = new Set<string>();
  (spec.volumes ?? []).forEach((v: any, i: number) => {
    const at = `${specPath}.volumes[${i}]`;
    volumeNames.add(v?.name);
    if (v?.configMap) missingConfigMap(v.configMap.name, `${at}.configMap.name`, v.configMap.optional);
    if (v?.secret) missingSecret(v.secret.secretName, `${at}.secret.secretName`, v.secret.optional);
    (v?.projected?.sources ?? []).forEach((s: any, j: number) => {
      if (s?.configMap) missingConfigMap(s.configMap.name, `${at}.projected.sources[${j}].configMap.name`, s.configMap.optional);
      if (s?.secret) missingSecret(s.secret.name, `${at}.projected.sources[${j}].secret.name`, s.secret.optional);
    });
    if (v?.persistentVolumeClaim && !index.find('PersistentVolumeClaim', ns, v.persistentVolumeClaim.claimName)) {
      f(
        `${at}.persistentVolumeClaim.claimName`,
        'ref.pvc-missing',
        `uses PersistentVolumeClaim "${v.persistentVolumeClaim.claimName}", which does not exist in namespace "${ns}"`,
      );
    }
  });
  if (pod.manifest.obj.kind === 'StatefulSet') {
    for (const t of (pod.manifest.obj as any).spec?.volumeClaimTemplates ?? []) {
      volumeNames.add(t?.metadata?.name);
    }
  }
  for (const ref of pod.containers) {
    (ref.c.envFrom ?? []).forEach((e: any, i: number) => {
      if (e?.configMapRef) missingConfigMap(e.configMapRef.name, `${ref.path}.envFrom[${i}].configMapRef.name`, e.configMapRef.optional);
      if (e?.secretRef) missingSecret(e.secretRef.name, `${ref.path}.envFrom[${i}].secretRef.name`, e.secretRef.optional);
    });
    (ref.c.env ?? []).forEach((e: any, i: number) => {
      const vf = e?.valueFrom ?? {};
      if (vf.configMapKeyRef)
        missingConfigMap(vf.configMapKeyRef.name, `${ref.path}.env[${i}].valueFrom.configMapKeyRef.name`, vf.configMapKeyRef.optional);
      if (vf.secretKeyRef) missingSecret(vf.secretKeyRef.name, `${ref.path}.env[${i}].valueFrom.secretKeyRef.name`, vf.secretKeyRef.optional);
    });
    (ref.c.volumeMounts ?? []).forEach((vm: any, i: number) => {
      if (vm?.name && !volumeNames.has(vm.name)) {
        f(`${ref.path}.volumeMounts[${i}].name`, 'ref.volume-missing', `mounts volume "${vm.name}", which the pod does not define`);
      }
    });
  }
  (spec.imagePullSecrets ?? []).forEach((s: any, i: number) => missingSecret(s?.name, `${specPath}.imagePullSecrets[${i}].name`));
  const sa = spec.serviceAccountName ?? spec.serviceAccount;
  if (sa && !IMPLICIT_SERVICE_ACCOUNTS.has(sa) && !index.find('ServiceAccount', ns, sa)) {
    f(`${specPath}.serviceAccountName`, 'ref.serviceaccount-missing', `runs as ServiceAccount "${sa}", which does not exist in namespace "${ns}"`);
  }
  const pc = spec.priorityClassName;
  if (pc && !BUILTIN_PRIORITY_CLASSES.has(pc) && !index.find('PriorityClass', undefined, pc)) {
    f(`${specPath}.priorityClassName`, 'ref.priorityclass-missing', `uses PriorityClass "${pc}", which this environment does not define`);
  }
}
