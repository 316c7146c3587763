import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { DEFAULT_PART_OF, LABEL_MANAGED_BY, LABEL_NAME, LABEL_PART_OF, MANAGED_BY } from './lib/labels';
import { allowDnsEgressPolicy, defaultDenyPolicy, INetworkPeer, NAMESPACE_NAME_LABEL } from './lib/network';
import { PropChecks } from './lib/prop-errors';

/** The Pod Security Standards level a namespace enforces. */
export class PodSecurityLevel {
  /** The hardened profile: what every namespace of ours enforces unless it says why not. */
  public static readonly RESTRICTED = new PodSecurityLevel('restricted');
  /** Minimal restrictions; only for system add-ons that cannot run restricted. */
  public static readonly BASELINE = new PodSecurityLevel('baseline');
  /** No restrictions; only for node agents (log shippers, node exporters). */
  public static readonly PRIVILEGED = new PodSecurityLevel('privileged');

  private constructor(public readonly value: string) {}
}

export interface PlatformNamespaceProps {
  /** Namespace name, a DNS label. */
  readonly name: string;
  /** Pod Security admission level enforced on the namespace. @default PodSecurityLevel.RESTRICTED */
  readonly podSecurity?: PodSecurityLevel;
  /** Why the namespace cannot enforce `restricted`. Required for any other level. @default - none */
  readonly podSecurityReason?: string;
  /** Extra labels on the Namespace object. @default - none */
  readonly labels?: Readonly<Record<string, string>>;
  /** `app.kubernetes.io/part-of` of the namespace's objects. @default DEFAULT_PART_OF */
  readonly partOf?: string;
}

/**
 * A namespace that starts closed: Pod Security admission at `restricted` (enforce, audit and
 * warn), a default-deny NetworkPolicy for ingress and egress, and one explicit allow for DNS.
 * Workloads inside add their own allows (`allowFrom`, `allowTo`).
 */
export class PlatformNamespace extends Construct implements INetworkPeer {
  /** The namespace name. */
  public readonly name: string;
  /** The Namespace object, for annotations such as sync waves. */
  public readonly resource: k8s.KubeNamespace;
  public readonly peerNamespace: string;
  /** Selects every pod of the namespace. */
  public readonly peerSelector: Readonly<Record<string, string>> = {};
  /** Labels shared by the namespace's own objects (policies). */
  public readonly commonLabels: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: PlatformNamespaceProps) {
    super(scope, id);
    const check = new PropChecks(this);
    check.dnsLabel(props.name, 'name');
    const level = props.podSecurity ?? PodSecurityLevel.RESTRICTED;
    check.that(
      level === PodSecurityLevel.RESTRICTED || !!props.podSecurityReason?.trim(),
      'podSecurityReason',
      `is required when podSecurity is "${level.value}": say why the namespace cannot enforce "restricted"`,
      props.podSecurityReason,
    );
    check.throwIfAny();

    this.name = props.name;
    this.peerNamespace = props.name;
    this.commonLabels = {
      [LABEL_NAME]: props.name,
      [LABEL_PART_OF]: props.partOf ?? DEFAULT_PART_OF,
      [LABEL_MANAGED_BY]: MANAGED_BY,
    };

    const annotations: Record<string, string> = {};
    if (props.podSecurityReason) {
      annotations['pod-security.receivables.io/reason'] = props.podSecurityReason;
    }
    this.resource = new k8s.KubeNamespace(this, 'Resource', {
      metadata: {
        name: props.name,
        labels: {
          ...this.commonLabels,
          ...props.labels,
          [NAMESPACE_NAME_LABEL]: props.name,
          'pod-security.kubernetes.io/enforce': level.value,
          'pod-security.kubernetes.io/enforce-version': 'latest',
          // Audit and warn at restricted even where enforcement is relaxed, so drift is visible.
          'pod-security.kubernetes.io/audit': PodSecurityLevel.RESTRICTED.value,
          'pod-security.kubernetes.io/warn': PodSecurityLevel.RESTRICTED.value,
        },
        ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
      },
    });
    defaultDenyPolicy(this, 'DefaultDeny', { namespace: props.name, labels: { ...this.commonLabels } });
    allowDnsEgressPolicy(this, 'AllowDns', { namespace: props.name, labels: { ...this.commonLabels } });
  }
}
