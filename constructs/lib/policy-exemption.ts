import { ApiObject } from 'cdk8s';
import { EXEMPT_ANNOTATION } from '../../core/annotations';

export { EXEMPT_ANNOTATION };

/** Exempts `obj` from `ruleId`, with the reason a reviewer will read in the synth summary. */
export function exemptFromPolicy(obj: ApiObject, ruleId: string, reason: string): void {
  if (!reason.trim()) {
    throw new Error(`${obj.node.path}: an exemption from ${ruleId} needs a reason`);
  }
  const existing = (obj.metadata.toJson().annotations as Record<string, string> | undefined)?.[EXEMPT_ANNOTATION];
  const entry = `${ruleId}: ${reason.trim()}`;
  obj.metadata.addAnnotation(EXEMPT_ANNOTATION, existing ? `${existing}\n${entry}` : entry);
}
