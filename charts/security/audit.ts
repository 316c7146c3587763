import * as YAML from 'yaml';
import { platformAuditPolicy, validateAuditPolicy } from '../../constructs/lib/audit-policy';

/** Folder below `dist/<env>/` of files for the cluster's nodes, not objects of the API (nothing syncs it). */
export const CLUSTER_FOLDER = 'cluster';
export const AUDIT_POLICY_FILE = `${CLUSTER_FOLDER}/audit-policy.yaml`;

/**
 * API groups of the custom resources the platform emits or installs (add-ons): their changes are
 * audited with bodies. A test keeps it complete against every group in dist/.
 */
export const PLATFORM_CRD_GROUPS = [
  'argoproj.io',
  'cert-manager.io',
  'configuration.konghq.com',
  'external-secrets.io',
  'helm.toolkit.fluxcd.io',
  'keda.sh',
  'kustomize.toolkit.fluxcd.io',
  'metallb.io',
  'monitoring.coreos.com',
  'networking.istio.io',
  'security.istio.io',
  'source.toolkit.fluxcd.io',
] as const;

/** A file written below `dist/<env>/` that is not a Kubernetes object. */
export interface ClusterFile {
  /** Path below `dist/<env>/`. */
  readonly path: string;
  readonly content: string;
}

/** The audit policy file of an environment, checked as the API server would load it. */
export function auditPolicyFile(): ClusterFile {
  const policy = platformAuditPolicy({ crdGroups: PLATFORM_CRD_GROUPS });
  const problems = validateAuditPolicy(policy);
  if (problems.length > 0) {
    throw new Error(`${AUDIT_POLICY_FILE}: ${problems.join('; ')}`);
  }
  const header = [
    '# Kubernetes API server audit policy. NOT a Kubernetes object: nothing applies it (no GitOps',
    '# category takes dist/<env>/cluster/). Install it on the control plane: docs/security.md.',
    '',
  ].join('\n');
  return { path: AUDIT_POLICY_FILE, content: header + YAML.stringify(policy, { lineWidth: 0 }) };
}
