import { k8s } from 'cdk8s-plus-28';
import { NGINX_INGRESS_CLASS } from './edge/public-ingress';

/**
 * The node label that marks a node with NVIDIA GPUs on one platform. Our own pool label picks the
 * pool; this one makes sure a GPU pod never lands on a node of that pool without a GPU.
 */
export interface GpuNodeLabel {
  readonly key: string;
  /** The value, where the platform sets a fixed one. @default - any value (the label's value names the GPU model) */
  readonly value?: string;
}

/** Where External Secrets reads the platform's secrets from (the `ClusterSecretStore` provider). */
export type SecretsProvider = 'vault' | 'aws-secrets-manager' | 'azure-key-vault' | 'gcp-secret-manager';

/**
 * Where a cluster runs, and what that means for the objects we emit: which StorageClass a volume
 * asks for, whether nodes have zones to spread over, how a `LoadBalancer` Service gets its address
 * (MetalLB on premises, the cloud's controller elsewhere, steered by annotations), and where
 * External Secrets reads secrets from (Vault on premises, the cloud's secret manager elsewhere).
 *
 * The storage classes named here are the ones each platform ships by default (k3s `local-path`,
 * EKS with the EBS CSI driver `gp3`, AKS `managed-csi-premium`, GKE `premium-rwo`); kubeadm has no
 * default, so we assume Longhorn, the most common choice on bare metal.
 *
 * GPU nodes: on premises NVIDIA GPU Feature Discovery (part of the GPU Operator) labels them
 * `nvidia.com/gpu.present=true`; on EKS we assume Karpenter (`karpenter.k8s.aws/instance-gpu-manufacturer`,
 * AWS itself applies no GPU label to managed node groups); AKS labels GPU pools
 * `kubernetes.azure.com/accelerator=nvidia`; GKE sets `cloud.google.com/gke-accelerator` to the GPU model.
 *
 * Volume expansion: Longhorn's `longhorn` class, AKS's `managed-csi-premium` and GKE's `premium-rwo`
 * ship with `allowVolumeExpansion: true`; k3s `local-path` cannot grow a volume at all; EKS ships no
 * `gp3` class, so the cluster bootstrap creates it (docs/addons.md, "Storage classes").
 */
/** The Service annotation that picks a MetalLB pool (MetalLB 0.13+). https://metallb.universe.tf/usage/ */
export const METALLB_POOL_ANNOTATION = 'metallb.io/address-pool';
/** The name of the one MetalLB address pool the platform declares. */
export const METALLB_POOL = 'platform';

export class CloudProfile {
  /** k3s on premises: local-path volumes, no zones. */
  public static readonly ONPREM_K3S = new CloudProfile('onprem-k3s', {
    storageClass: 'local-path',
    volumeExpansion: false,
    supportsZones: false,
    gpuNodeLabel: { key: 'nvidia.com/gpu.present', value: 'true' },
    // k3s must run with `--disable servicelb`, so that MetalLB and not ServiceLB answers.
    metallb: true,
    loadBalancerAnnotations: { [METALLB_POOL_ANNOTATION]: METALLB_POOL },
    secretsProvider: 'vault',
  });

  /** kubeadm on premises: Longhorn volumes, no zones. */
  public static readonly ONPREM_KUBEADM = new CloudProfile('onprem-kubeadm', {
    storageClass: 'longhorn',
    volumeExpansion: true,
    supportsZones: false,
    gpuNodeLabel: { key: 'nvidia.com/gpu.present', value: 'true' },
    metallb: true,
    loadBalancerAnnotations: { [METALLB_POOL_ANNOTATION]: METALLB_POOL },
    secretsProvider: 'vault',
  });

  /** Amazon EKS: gp3 EBS volumes, zoned nodes. */
  public static readonly AWS = new CloudProfile('aws', {
    storageClass: 'gp3',
    volumeExpansion: true,
    supportsZones: true,
    gpuNodeLabel: { key: 'karpenter.k8s.aws/instance-gpu-manufacturer', value: 'nvidia' },
    metallb: false,
    // An NLB from the AWS Load Balancer Controller, straight to the pod IPs.
    // https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/service/annotations/
    loadBalancerAnnotations: {
      'service.beta.kubernetes.io/aws-load-balancer-type': 'external',
      'service.beta.kubernetes.io/aws-load-balancer-nlb-target-type': 'ip',
      'service.beta.kubernetes.io/aws-load-balancer-scheme': 'internet-facing',
    },
    secretsProvider: 'aws-secrets-manager',
  });

  /** Azure AKS: premium managed disks through the CSI driver, zoned nodes. */
  public static readonly AZURE = new CloudProfile('azure', {
    storageClass: 'managed-csi-premium',
    volumeExpansion: true,
    supportsZones: true,
    gpuNodeLabel: { key: 'kubernetes.azure.com/accelerator', value: 'nvidia' },
    metallb: false,
    // The Azure LB probes ingress-nginx's health endpoint instead of a TCP connect.
    // https://cloud-provider-azure.sigs.k8s.io/topics/loadbalancer/#loadbalancer-annotations
    loadBalancerAnnotations: { 'service.beta.kubernetes.io/azure-load-balancer-health-probe-request-path': '/healthz' },
    secretsProvider: 'azure-key-vault',
  });

  /** Google GKE: premium persistent disks, zoned nodes. */
  public static readonly GCP = new CloudProfile('gcp', {
    storageClass: 'premium-rwo',
    volumeExpansion: true,
    supportsZones: true,
    gpuNodeLabel: { key: 'cloud.google.com/gke-accelerator' },
    metallb: false,
    // A backend-service-based external passthrough Network Load Balancer.
    // https://cloud.google.com/kubernetes-engine/docs/concepts/service-load-balancer-parameters
    loadBalancerAnnotations: { 'cloud.google.com/l4-rbs': 'enabled' },
    secretsProvider: 'gcp-secret-manager',
  });

  /** Every profile, in a stable order. */
  public static readonly ALL: readonly CloudProfile[] = [
    CloudProfile.ONPREM_K3S,
    CloudProfile.ONPREM_KUBEADM,
    CloudProfile.AWS,
    CloudProfile.AZURE,
    CloudProfile.GCP,
  ];

  /** Looks a profile up by name; throws with the allowed names. */
  public static fromName(name: string): CloudProfile {
    const found = CloudProfile.ALL.find((p) => p.name === name);
    if (!found) {
      throw new Error(`unknown cloud profile "${name}": allowed are ${CloudProfile.ALL.map((p) => p.name).join(', ')}`);
    }
    return found;
  }

  /** Default StorageClass for persistent volumes. */
  public readonly storageClass: string;
  /** Whether nodes carry `topology.kubernetes.io/zone`, so spreading across zones is meaningful. */
  public readonly supportsZones: boolean;
  /** The label of nodes with NVIDIA GPUs. Sources: docs/constructs/model-server.md. */
  public readonly gpuNodeLabel: GpuNodeLabel;
  /** Whether `storageClass` lets a bound volume grow (`allowVolumeExpansion`). */
  public readonly volumeExpansion: boolean;
  /** Whether MetalLB hands out `LoadBalancer` addresses (on premises, no cloud load balancer). */
  public readonly metallb: boolean;
  /** Annotations on every `LoadBalancer` Service we configure (the ingress controllers'). */
  public readonly loadBalancerAnnotations: Readonly<Record<string, string>>;
  /** The provider of the `ClusterSecretStore` every ExternalSecret reads. */
  public readonly secretsProvider: SecretsProvider;
  /**
   * The IngressClass public hosts use: the platform's own ingress-nginx on every profile (a managed
   * cloud's ingress (ALB, AGIC, GCLB) has no ModSecurity and other annotations), so the same everywhere.
   */
  public readonly ingressClass: string = NGINX_INGRESS_CLASS;

  private constructor(
    public readonly name: string,
    props: {
      storageClass: string;
      volumeExpansion: boolean;
      supportsZones: boolean;
      gpuNodeLabel: GpuNodeLabel;
      metallb: boolean;
      loadBalancerAnnotations: Record<string, string>;
      secretsProvider: SecretsProvider;
    },
  ) {
    this.storageClass = props.storageClass;
    this.volumeExpansion = props.volumeExpansion;
    this.supportsZones = props.supportsZones;
    this.gpuNodeLabel = props.gpuNodeLabel;
    this.metallb = props.metallb;
    this.loadBalancerAnnotations = { ...props.loadBalancerAnnotations };
    this.secretsProvider = props.secretsProvider;
  }

  /** Required node affinity on the GPU label: `In [value]` where the value is fixed, else `Exists`. */
  public gpuNodeRequirement(): k8s.NodeSelectorRequirement {
    const { key, value } = this.gpuNodeLabel;
    return value === undefined ? { key, operator: 'Exists' } : { key, operator: 'In', values: [value] };
  }
}
