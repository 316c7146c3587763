/**
 * Where a cluster runs, and what that means for the objects we emit: which StorageClass a volume
 * asks for, which IngressClass routes traffic, and which annotations a `LoadBalancer` Service needs.
 *
 * The storage classes named here are the ones each platform ships by default (k3s `local-path`,
 * EKS with the EBS CSI driver `gp3`, AKS `managed-csi-premium`, GKE `premium-rwo`); kubeadm has no
 * default, so we assume Longhorn, the most common choice on bare metal.
 */
export class CloudProfile {
  /** k3s on premises: local-path volumes, ingress-nginx, MetalLB for `LoadBalancer` Services. */
  public static readonly ONPREM_K3S = new CloudProfile('onprem-k3s', {
    storageClass: 'local-path',
    ingressClass: 'nginx',
    loadBalancerAnnotations: { 'metallb.io/address-pool': 'default' },
    supportsZones: false,
  });

  /** kubeadm on premises: Longhorn volumes, ingress-nginx, MetalLB. */
  public static readonly ONPREM_KUBEADM = new CloudProfile('onprem-kubeadm', {
    storageClass: 'longhorn',
    ingressClass: 'nginx',
    loadBalancerAnnotations: { 'metallb.io/address-pool': 'default' },
    supportsZones: false,
  });

  /** Amazon EKS: gp3 EBS volumes, ingress-nginx behind an NLB in IP mode. */
  public static readonly AWS = new CloudProfile('aws', {
    storageClass: 'gp3',
    ingressClass: 'nginx',
    loadBalancerAnnotations: {
      'service.beta.kubernetes.io/aws-load-balancer-type': 'external',
      'service.beta.kubernetes.io/aws-load-balancer-nlb-target-type': 'ip',
      'service.beta.kubernetes.io/aws-load-balancer-scheme': 'internet-facing',
    },
    supportsZones: true,
  });

  /** Azure AKS: premium managed disks through the CSI driver, ingress-nginx behind an Azure LB. */
  public static readonly AZURE = new CloudProfile('azure', {
    storageClass: 'managed-csi-premium',
    ingressClass: 'nginx',
    loadBalancerAnnotations: {
      'service.beta.kubernetes.io/azure-load-balancer-health-probe-request-path': '/healthz',
    },
    supportsZones: true,
  });

  /** Google GKE: premium persistent disks, ingress-nginx behind a regional backend-service NLB. */
  public static readonly GCP = new CloudProfile('gcp', {
    storageClass: 'premium-rwo',
    ingressClass: 'nginx',
    loadBalancerAnnotations: { 'cloud.google.com/l4-rbs': 'enabled' },
    supportsZones: true,
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
  /** IngressClass that routes external traffic. */
  public readonly ingressClass: string;
  /** Annotations a `LoadBalancer` Service needs on this platform. */
  public readonly loadBalancerAnnotations: Readonly<Record<string, string>>;
  /** Whether nodes carry `topology.kubernetes.io/zone`, so spreading across zones is meaningful. */
  public readonly supportsZones: boolean;

  private constructor(
    public readonly name: string,
    props: {
      storageClass: string;
      ingressClass: string;
      loadBalancerAnnotations: Record<string, string>;
      supportsZones: boolean;
    },
  ) {
    this.storageClass = props.storageClass;
    this.ingressClass = props.ingressClass;
    this.loadBalancerAnnotations = props.loadBalancerAnnotations;
    this.supportsZones = props.supportsZones;
  }
}
