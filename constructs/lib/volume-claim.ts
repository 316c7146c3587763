import { k8s } from 'cdk8s-plus-28';

/**
 * A StatefulSet's volume claim template (or the props of a single claim): ReadWriteOnce unless
 * `accessMode` says otherwise, `size` (a number of GiB, or a quantity such as `512Mi`), the
 * StorageClass if given.
 * Only selector labels (never the version): volumeClaimTemplates are immutable (kubernetes #68737).
 */
export function volumeClaimTemplate(
  name: string,
  selector: Readonly<Record<string, string>>,
  size: number | string,
  storageClass?: string,
  accessMode: 'ReadWriteOnce' | 'ReadWriteMany' = 'ReadWriteOnce',
): k8s.KubePersistentVolumeClaimProps {
  return {
    metadata: { name, labels: { ...selector } },
    spec: {
      accessModes: [accessMode],
      ...(storageClass ? { storageClassName: storageClass } : {}),
      resources: { requests: { storage: k8s.Quantity.fromString(typeof size === 'number' ? `${size}Gi` : size) } },
    },
  };
}
