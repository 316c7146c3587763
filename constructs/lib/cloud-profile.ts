/**
 * Where a cluster runs, and what that means for the objects we emit: which StorageClass a volume
 * asks for, and whether nodes have zones to spread over. (The IngressClass and `LoadBalancer`
 * annotations join when the ingress add-on lands and reads them.)
 *
 * The storage classes named here are the ones each platform ships by default (k3s `local-path`,
 * EKS with the EBS CSI driver `gp3`, AKS `managed-csi-premium`, GKE `premium-rwo`); kubeadm has no
 * default, so we assume Longhorn, the most common choice on bare metal.
 */
export class CloudProfile {
  /** k3s on premises: local-path volumes, no zones. */
  public static readonly ONPREM_K3S = new CloudProfile('onprem-k3s', {
    storageClass: 'local-path',
    supportsZones: false,
  });

  /** kubeadm on premises: Longhorn volumes, no zones. */
  public static readonly ONPREM_KUBEADM = new CloudProfile('onprem-kubeadm', {
    storageClass: 'longhorn',
    supportsZones: false,
  });

  /** Amazon EKS: gp3 EBS volumes, zoned nodes. */
  public static readonly AWS = new CloudProfile('aws', {
    storageClass: 'gp3',
    supportsZones: true,
  });

  /** Azure AKS: premium managed disks through the CSI driver, zoned nodes. */
  public static readonly AZURE = new CloudProfile('azure', {
    storageClass: 'managed-csi-premium',
    supportsZones: true,
  });

  /** Google GKE: premium persistent disks, zoned nodes. */
  public static readonly GCP = new CloudProfile('gcp', {
    storageClass: 'premium-rwo',
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
  /** Whether nodes carry `topology.kubernetes.io/zone`, so spreading across zones is meaningful. */
  public readonly supportsZones: boolean;

  private constructor(
    public readonly name: string,
    props: {
      storageClass: string;
      supportsZones: boolean;
    },
  ) {
    this.storageClass = props.storageClass;
    this.supportsZones = props.supportsZones;
  }
}
