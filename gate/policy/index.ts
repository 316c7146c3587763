import { Manifest } from '../manifest';
import { Problem } from '../problem';
import { SchemaRegistry } from '../schema';

export interface Exemption {
  readonly file: string;
  readonly object: string;
  readonly rule: string;
  readonly reason: string;
}

export interface PolicyResult {
  readonly problems: Problem[];
  readonly exemptions: Exemption[];
}

/** Placeholder until the policy rules land (issue: policy gate). */
export function runPolicies(_manifests: readonly Manifest[], _registry: SchemaRegistry): PolicyResult {
  return { problems: [], exemptions: [] };
}
