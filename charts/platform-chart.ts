import { Chart } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { CloudProfile } from '../constructs/lib/cloud-profile';
import { OutOfMesh } from '../constructs/lib/mesh';
import { NodePool } from '../constructs/lib/scheduling';
import { PlatformNamespace, PodSecurityLevel } from '../constructs/platform-namespace';
import { EnvironmentConfig, WorkloadClass } from '../environments/types';

export interface PlatformChartProps {
  readonly config: EnvironmentConfig;
  /** The namespace this chart owns and creates. */
  readonly namespace: string;
  /** @default PodSecurityLevel.RESTRICTED */
  readonly podSecurity?: PodSecurityLevel;
  /** Required when podSecurity is not restricted. */
  readonly podSecurityReason?: string;
}

/**
 * One chart per platform namespace: it creates the namespace (closed by default) and holds what
 * runs in it. Resource names never carry cdk8s path hashes; constructs name everything explicitly.
 */
export class PlatformChart extends Chart {
  public readonly config: EnvironmentConfig;
  /** The namespace the chart creates; `ns.name` is its name. */
  public readonly ns: PlatformNamespace;
  public readonly cloud: CloudProfile;
  private readonly meshExclusions: OutOfMesh[] = [];

  constructor(scope: Construct, id: string, props: PlatformChartProps) {
    super(scope, id, { disableResourceNameHashes: true });
    this.config = props.config;
    this.cloud = CloudProfile.fromName(props.config.cloudProfile);
    this.ns = new PlatformNamespace(this, 'Namespace', {
      name: props.namespace,
      podSecurity: props.podSecurity,
      podSecurityReason: props.podSecurityReason,
    });
  }

  /**
   * Keeps the workloads below `scope` out of the service mesh where the environment runs one (no
   * sidecar; NetworkPolicies still apply). The reason is written on each workload.
   */
  public keepOutOfMesh(scope: IConstruct, reason: string): void {
    this.meshExclusions.push({ scope, reason });
  }

  /** The workloads kept out of the mesh (`keepOutOfMesh`). */
  public get outOfMesh(): readonly OutOfMesh[] {
    return [...this.meshExclusions];
  }

  /** The node pool of a workload class in this environment. */
  public nodePool(workloadClass: WorkloadClass): NodePool {
    return this.config.nodePools[workloadClass];
  }
}
