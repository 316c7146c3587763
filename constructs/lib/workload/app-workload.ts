import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { Connections, IConnectable, perPeerIngress, networkPeerOf, uniquePolicyName } from '../connections';
import { disruptionBudget } from '../disruption-budget';
import { imageVersion, LABEL_INSTANCE, LABEL_NAME, monitorSelectorLabels, standardLabels } from '../labels';
import { allowEgressPolicy } from '../network';
import { PropChecks } from '../prop-errors';
import { metricsMonitor } from '../service-monitor';
import { exemptFromPolicy } from '../policy-exemption';
import { clusterIpService } from '../services';
import { checkTracing, OtlpCollector, otelEnv } from '../tracing';
import { cpuAutoscaler } from './autoscaling';
import { ROLLOUT_HASH_LABEL, ScaleTarget, workloadObject } from './delivery';
import { ConnectablePod, connectEndpoint, plainEnvVars, secretEnvVars } from './connect';
import { ClientEndpoint, ConnectOptions } from './endpoint';
import { WorkloadExtensions } from './extensions';
import { appPodTemplate, appServicePorts } from './pod';
import { AppWorkloadProps, HTTP_PORT_NAME, METRICS_PORT_NAME } from './props';
import { resolveAppWorkload, ResolvedAppWorkload } from './resolve';
import { DeliveryStrategy } from './strategy';

/** The pod selector of the application workload `name`. */
export function appWorkloadSelector(name: string): Record<string, string> {
  return { [LABEL_NAME]: name, [LABEL_INSTANCE]: name };
}

/**
 * The base of every application workload: a hardened pod (PSS restricted, read-only root with
 * `/tmp`, no token automount, HTTP probes), its ServiceAccount, Service, the Deployment or Argo
 * Rollout of its `strategy`, HPA, PDB and spread when it runs more than one pod, the ServiceMonitor,
 * and NetworkPolicies through `connections` and `connectsTo`. Constructs build on it by passing
 * `WorkloadExtensions` (see docs/constructs/app-workloads.md); charts may use it directly.
 */
export class AppWorkload extends Construct implements IConnectable {
  public readonly name: string;
  public readonly namespace: string;
  /** Labels that select exactly this workload's pods. */
  public readonly selector: Readonly<Record<string, string>>;
  /** Labels of every object. */
  public readonly labels: Readonly<Record<string, string>>;
  /** The Service in front of the pods (the active Service of a blue-green). */
  public readonly serviceName: string;
  /** The preview Service of a blue-green. @default - none */
  public readonly previewServiceName?: string;
  /** The HTTP port of the Service and the pods. */
  public readonly port: number;
  /** `<service>.<namespace>.svc`. */
  public readonly host: string;
  /** The pods run as this ServiceAccount (no token mounted). */
  public readonly serviceAccountName: string;
  /** Replicas from the props (0 on a DR environment at rest). */
  public readonly replicas: number;
  public readonly strategy: DeliveryStrategy;
  /** The Deployment or Rollout: what an HPA or a KEDA ScaledObject scales. */
  public readonly scaleTarget: ScaleTarget;
  /** The Deployment or Rollout object. */
  public readonly workload: ApiObject;
  public readonly connections: Connections;
  protected readonly resolved: ResolvedAppWorkload;
  private readonly env: k8s.EnvVar[] = [];
  private readonly egressNames = new Set<string>();
  /** What `connectsTo` adds to. */
  private readonly pod: ConnectablePod;

  constructor(scope: Construct, id: string, props: AppWorkloadProps, ext: WorkloadExtensions) {
    super(scope, id);
    const check = new PropChecks(this);
    const r = resolveAppWorkload(this, id, props, ext, check);
    ext.validate?.(check);
    if (props.tracing) checkTracing(check, props.tracing);
    check.throwIfAny();
    this.resolved = r;
    this.name = r.name;
    this.namespace = r.namespace;
    this.port = r.port;
    this.replicas = r.replicas;
    this.strategy = r.strategy;
    this.selector = appWorkloadSelector(r.name);
    this.labels = standardLabels({ name: r.name, instance: r.name, component: ext.component, partOf: r.partOf, labelDomain: r.labelDomain, version: imageVersion(r.image) });
    this.serviceName = r.name;
    this.previewServiceName = r.strategy.kind === 'blueGreen' ? `${r.name}-preview` : undefined;
    this.host = `${this.serviceName}.${r.namespace}.svc`;
    this.serviceAccountName = r.name;
    const owner = { name: r.name, namespace: r.namespace, labels: this.labels, secretStore: props.secretStore };
    this.env.push(...plainEnvVars(props.env), ...secretEnvVars(this, owner, props.secretEnv), ...(ext.env ?? []));
    if (props.tracing) {
      this.env.push(...otelEnv(props.tracing, { name: r.name, namespace: r.namespace, version: imageVersion(r.image) }));
    }
    const template = appPodTemplate({ r, ext, nodePool: props.nodePool, labels: { ...this.labels }, selector: { ...this.selector }, serviceAccountName: this.serviceAccountName, env: this.env, command: props.command, args: props.args });
    this.pod = {
      ...owner,
      selector: this.selector,
      podLabels: template.metadata!.labels!,
      env: this.env,
      volumes: template.spec!.volumes as k8s.Volume[],
      mounts: template.spec!.containers[0].volumeMounts as k8s.VolumeMount[],
      prefixes: new Set<string>(),
      egressNames: this.egressNames,
    };
    new k8s.KubeServiceAccount(this, 'ServiceAccount', { metadata: this.meta(this.serviceAccountName), automountServiceAccountToken: false });
    this.addServices(ext);
    const externallyScaled = ext.externalScaler !== undefined || r.hpa !== undefined;
    const { obj, target } = workloadObject(this, {
      name: r.name,
      metadata: this.meta(r.name),
      selector: { ...this.selector },
      template,
      replicas: externallyScaled && r.replicas > 0 ? undefined : r.replicas,
      strategy: r.strategy,
      rollingUpdate: ext.rollingUpdate,
      activeService: this.serviceName,
      previewService: this.previewServiceName ?? `${r.name}-preview`,
      analysisScope: { namespace: r.namespace, service: this.serviceName },
    });
    this.workload = obj;
    this.scaleTarget = target;
    this.addAvailability();
    this.connections = this.makeConnections();
    this.addMonitoring(ext.component);
    if (props.tracing) this.addTracingEgress(props.tracing.collector);
  }

  /**
   * Connects to a data service: its host, port, user and settings as env vars, its password (and
   * any secret setting, and the CA of a TLS server) through an ExternalSecret `<name>-<prefix>` in
   * this namespace, and the egress NetworkPolicy `<name>-to-<prefix>` to the server's pods. The
   * server's chart admits these pods by their client label (`clientPeer()`). Env var names: `endpointEnvNames()`.
   * The env vars go to the main container, or to `options.container` (an init container).
   */
  public connectsTo(endpoint: ClientEndpoint, options: ConnectOptions = {}): void {
    connectEndpoint(this, this.pod, endpoint, options);
  }

  /** Name, namespace and labels of an object of this workload. */
  protected meta(name: string): k8s.ObjectMeta {
    return { name, namespace: this.namespace, labels: { ...this.labels } };
  }

  private addServices(ext: WorkloadExtensions): void {
    const ports = appServicePorts(this.resolved, ext);
    clusterIpService(this, 'Service', { metadata: this.meta(this.serviceName), selector: this.selector, ports });
    if (this.previewServiceName) {
      clusterIpService(this, 'PreviewService', { metadata: this.meta(this.previewServiceName), selector: this.selector, ports });
    }
  }

  /** HPA (autoscaling, replicas > 0), and PDB when more than one pod may run (never at 0 replicas). */
  private addAvailability(): void {
    const r = this.resolved;
    if (r.hpa) {
      cpuAutoscaler(this, 'Autoscaler', { metadata: this.meta(r.name), target: this.scaleTarget, minReplicas: r.hpa.min, maxReplicas: r.hpa.max, cpuTargetPercent: r.hpa.cpu });
    }
    if (r.replicas > 0 && r.maxPods > 1) {
      disruptionBudget(this, 'Budget', { name: r.name, namespace: r.namespace, labels: { ...this.labels }, selector: { ...this.selector } });
    }
  }

  private makeConnections(): Connections {
    return new Connections({
      peerNamespace: this.namespace,
      peerSelector: this.selector,
      defaultPorts: [this.port],
      renderIngress: perPeerIngress({ scope: this, baseName: this.name, meta: (n) => this.meta(n), podSelector: this.selector }),
      renderEgress: (to, ports) =>
        allowEgressPolicy(this, `EgressTo-${to.peerNamespace}-${this.egressNames.size}`, {
          name: uniquePolicyName(this.egressNames, `${this.name}-to-${to.peerNamespace}`),
          namespace: this.namespace,
          labels: { ...this.labels },
          podSelector: { ...this.selector },
          to: [to],
          ports,
        }),
    });
  }

  /** The egress to the collector; its pods come from the collector's Helm chart, so no pod of the set matches the peer. */
  private addTracingEgress(collector: OtlpCollector): void {
    const policy = allowEgressPolicy(this, 'EgressToCollector', {
      name: uniquePolicyName(this.egressNames, `${this.name}-to-otel-collector`),
      namespace: this.namespace,
      labels: { ...this.labels },
      podSelector: { ...this.selector },
      to: [{ peerNamespace: collector.peerNamespace, peerSelector: collector.peerSelector }],
      ports: [collector.port],
    });
    exemptFromPolicy(policy, 'ref.netpol-peer', 'the OpenTelemetry Collector is an add-on installed from its Helm chart: its pods are not in the manifests');
  }

  private addMonitoring(component: string): void {
    const m = this.resolved.monitoring;
    if (!m.enabled) {
      return;
    }
    metricsMonitor(this, 'Monitor', {
      name: this.name,
      namespace: this.namespace,
      labels: { ...this.labels },
      serviceSelector: monitorSelectorLabels({ name: this.name, instance: this.name, component, labelDomain: this.resolved.labelDomain }),
      portName: m.port !== undefined ? METRICS_PORT_NAME : HTTP_PORT_NAME,
      path: m.path,
      ...(this.strategy.isRollout ? { podTargetLabels: [ROLLOUT_HASH_LABEL] } : {}),
    });
    if (m.scrapers.length > 0) {
      const render = perPeerIngress({ scope: this, baseName: `${this.name}-metrics`, meta: (n) => this.meta(n), podSelector: this.selector });
      render(m.scrapers.map(networkPeerOf), [m.port ?? this.port]);
    }
  }
}
