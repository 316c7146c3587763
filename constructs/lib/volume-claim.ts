import { k8s } from 'cdk8s-plus-28';

/**
 * A StatefulSet's volume claim template: ReadWriteOnce, `storageGi`, the StorageClass if given.
 * Only selector labels (never the version): volumeClaimTemplates are immutable (kubernetes #68737).
 */
export function volumeClaimTemplate(
  name: string,
  selector: Readonly<Record<string, string>>,
  storageGi: number,
  storageClass?: string,
): k8s.KubePersistentVolumeClaimProps {
  return {
    metadata: { name, labels: { ...selector } },
    spec: {
      accessModes: ['ReadWriteOnce'],
      ...(storageClass ? { storageClassName: storageClass } : {}),
      resources: { requests: { storage: k8s.Quantity.fromString(`${storageGi}Gi`) } },
    },
  };
}
