import { EXEMPT_ANNOTATION } from '../../core/annotations';
import { Manifest, objectId } from '../manifest';
import { Problem } from '../../core/problem';
import { SchemaRegistry } from '../schema';
import { checkHygiene } from './hygiene';
import { checkInClusterUrls } from './in-cluster-urls';
import { Finding, ManifestIndex, RuleCheck } from './model';
import { checkNetworkIsolation, checkNetworkReferences } from './network';
import { checkEgressAnswered } from './network-pairs';
import { checkPodSecurity } from './pss';
import { checkReferences } from './references';
import { RULE_IDS, ruleInfo } from './rules';
import { checkAvailability, checkContainers, imagePinCounts } from './workloads';

export { RULES, RULE_IDS } from './rules';
export { EXEMPT_ANNOTATION };

/** An accepted exception: the object, the rule it may break, and why. */
export interface Exemption {
  readonly file: string;
  readonly object: string;
  readonly rule: string;
  readonly reason: string;
}

export interface PolicyResult {
  readonly problems: Problem[];
  readonly exemptions: Exemption[];
  /** Images pinned by digest (best) and by tag (acceptable). */
  readonly imagePins: { digest: number; tag: number };
}

const CHECKS: readonly RuleCheck[] = [
  checkPodSecurity,
  checkContainers,
  checkAvailability,
  checkNetworkIsolation,
  checkNetworkReferences,
  checkInClusterUrls,
  checkEgressAnswered,
  checkHygiene,
  checkReferences,
];

/**
 * Runs every policy rule over one environment's objects (references only resolve inside the
 * set), then applies the exemptions written on the objects themselves.
 */
export function runPolicies(manifests: readonly Manifest[], registry: SchemaRegistry): PolicyResult {
  const index = new ManifestIndex(manifests, registry);
  const findings: Finding[] = [];
  for (const check of CHECKS) {
    check(index, (f) => findings.push(f));
  }
  const problems: Problem[] = [];
  const exemptions: Exemption[] = [];
  const exemptionsOf = new Map<Manifest, Map<string, string>>();
  for (const m of manifests) {
    const raw = m.obj.metadata?.annotations?.[EXEMPT_ANNOTATION];
    if (raw === undefined) {
      continue;
    }
    const map = new Map<string, string>();
    for (const line of String(raw)
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)) {
      const colon = line.indexOf(':');
      const rule = (colon >= 0 ? line.slice(0, colon) : line).trim();
      const reason = colon >= 0 ? line.slice(colon + 1).trim() : '';
      const at = `metadata.annotations["${EXEMPT_ANNOTATION}"]`;
      if (!RULE_IDS.has(rule)) {
        problems.push(
          problem(m, at, 'policy.exemption-unknown-rule', `exempts from "${rule}", which is not a rule (see docs/gate.md, "Policy rules")`),
        );
      } else if (!reason) {
        problems.push(
          problem(m, at, 'policy.exemption-reason', `exemption from ${rule} has no reason: write "${rule}: <why this object cannot comply>"`),
        );
      } else {
        map.set(rule, reason);
      }
    }
    exemptionsOf.set(m, map);
  }
  const used = new Set<string>();
  for (const f of findings) {
    const reason = exemptionsOf.get(f.manifest)?.get(f.rule);
    if (reason !== undefined) {
      const key = `${objectId(f.manifest.obj)}|${f.rule}`;
      if (!used.has(key)) {
        used.add(key);
        exemptions.push({ file: f.manifest.file, object: objectId(f.manifest.obj), rule: f.rule, reason });
      }
      continue;
    }
    problems.push(problem(f.manifest, f.path, f.rule, f.message));
  }
  for (const [m, map] of exemptionsOf) {
    for (const rule of map.keys()) {
      if (!used.has(`${objectId(m.obj)}|${rule}`)) {
        problems.push(
          problem(
            m,
            `metadata.annotations["${EXEMPT_ANNOTATION}"]`,
            'policy.exemption-unused',
            `exempts from ${rule}, but the object does not break it: remove the exemption`,
          ),
        );
      }
    }
  }
  return { problems, exemptions, imagePins: imagePinCounts(index) };
}

function problem(m: Manifest, path: string, rule: string, message: string): Problem {
  return { file: m.file, object: objectId(m.obj), path, rule, message, severity: ruleInfo(rule)?.severity ?? 'error' };
}
