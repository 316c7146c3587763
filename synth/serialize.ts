import { Yaml } from 'cdk8s';

/** YAML exactly as cdk8s writes it (YAML 1.1, no line folding); keys are already sorted by cdk8s. */
export function toYaml(objects: readonly unknown[]): string {
  return Yaml.stringify(...objects);
}

/** A folder's `kustomization.yaml`, listing its files or sub-folders in a stable order. */
export function kustomization(resources: readonly string[]): string {
  const sorted = [...resources].sort();
  return toYaml([{ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: sorted }]);
}
