import { k8s } from 'cdk8s-plus-28';

/**
 * The node label that marks a node with NVIDIA GPUs on one platform. Our own pool label picks the
 * pool; this one makes sure a GPU pod never lands on a node of that pool without a GPU.
 */
export interface GpuNodeLabel {
  readonly key: string;
  /** The value, where the platform sets a fixed one. @default - any value (the label's value names the GPU model) */
  readonly value?: string;
}

/**
 * Where a cluster runs, and what that means for the objects we emit: which StorageClass a volume
 * asks for, and whether nodes have zones to spread over. (The IngressClass and `LoadBalancer`
 * annotations join when the ingress add-on lands and reads them.)
 *
 * The storage classes named here are the ones each platform ships by default (k3s `local-path`,
 * EKS with the EBS CSI driver `gp3`, AKS `managed-csi-premium`, GKE `premium-rwo`); kubeadm has no
 * default, so we assume Longhorn, the most common choice on bare metal.
 *
 * GPU nodes: on premises NVIDIA GPU Feature Discovery (part of the GPU Operator) labels them
 * `nvidia.com/gpu.present=true`; on EKS we assume Karpenter (`karpenter.k8s.aws/instance-gpu-manufacturer`,
 * AWS itself applies no GPU label to managed node groups); AKS labels GPU pools
 * `kubernetes.azure.com/accelerator=nvidia`; GKE sets `cloud.google.com/gke-accelerator` to the GPU model.
 */
export class CloudProfile {
  /** k3s on premises: local-path volumes, no zones. */
  public static readonly ONPREM_K3S = new CloudProfile('onprem-k3s', {
    storageClass: 'local-path',
    supportsZones: false,
    gpuNodeLabel: { key: 'nvidia.com/gpu.present', value: 'true' },
  });

  /** kubeadm on premises: Longhorn volumes, no zones. */
  public static readonly ONPREM_KUBEADM = new CloudProfile('onprem-kubeadm', {
    storageClass: 'longhorn',
    supportsZones: false,
    gpuNodeLabel: { key: 'nvidia.com/gpu.present', value: 'true' },
  });

  /** Amazon EKS: gp3 EBS volumes, zoned nodes. */
  public static readonly AWS = new CloudProfile('aws', {
    storageClass: 'gp3',
    supportsZones: true,
    gpuNodeLabel: { key: 'karpenter.k8s.aws/instance-gpu-manufacturer', value: 'nvidia' },
  });

  /** Azure AKS: premium managed disks through the CSI driver, zoned nodes. */
  public static readonly AZURE = new CloudProfile('azure', {
    storageClass: 'managed-csi-premium',
    supportsZones: true,
    gpuNodeLabel: { key: 'kubernetes.azure.com/accelerator', value: 'nvidia' },
  });

  /** Google GKE: premium persistent disks, zoned nodes. */
  public static readonly GCP = new CloudProfile('gcp', {
    storageClass: 'premium-rwo',
    supportsZones: true,
    gpuNodeLabel: { key: 'cloud.google.com/gke-accelerator' },
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

  private constructor(
    public readonly name: string,
    props: {
      storageClass: string;
      supportsZones: boolean;
      gpuNodeLabel: GpuNodeLabel;
    },
  ) {
    this.storageClass = props.storageClass;
    this.supportsZones = props.supportsZones;
    this.gpuNodeLabel = props.gpuNodeLabel;
  }

  /** Required node affinity on the GPU label: `In [value]` where the value is fixed, else `Exists`. */
  public gpuNodeRequirement(): k8s.NodeSelectorRequirement {
    const { key, value } = this.gpuNodeLabel;
    return value === undefined ? { key, operator: 'Exists' } : { key, operator: 'In', values: [value] };
  }
}
