import { Exemption } from './policy';
import { formatProblem, Problem } from '../core/problem';

/**
 * Human report: problems grouped by environment (the `dist/<env>/` prefix of the file) and file,
 * then counts by rule. Returns the text; callers print it.
 */
export function formatReport(problems: readonly Problem[]): string {
  const lines: string[] = [];
  const byFile = new Map<string, Problem[]>();
  for (const p of problems) {
    const list = byFile.get(p.file) ?? [];
    list.push(p);
    byFile.set(p.file, list);
  }
  let lastGroup = '';
  for (const file of [...byFile.keys()].sort()) {
    const group = /^dist\/([^/]+)\//.exec(file)?.[1] ?? /dist\/([^/]+)/.exec(file)?.[1] ?? '';
    if (group && group !== lastGroup) {
      lines.push(`== ${group}`);
      lastGroup = group;
    }
    for (const p of byFile.get(file)!) {
      lines.push(formatProblem(p));
    }
  }
  const errors = problems.filter((p) => p.severity === 'error');
  const counts = new Map<string, number>();
  for (const p of problems) {
    counts.set(p.rule, (counts.get(p.rule) ?? 0) + 1);
  }
  if (problems.length > 0) {
    lines.push('');
    lines.push(`${errors.length} error(s), ${problems.length - errors.length} warning(s) by rule:`);
    for (const [rule, n] of [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))) {
      lines.push(`  ${String(n).padStart(5)}  ${rule}`);
    }
  }
  return lines.join('\n');
}

export function formatExemptions(exemptions: readonly Exemption[]): string {
  return exemptions.map((e) => `  ${e.file}: ${e.object}: ${e.rule}: ${e.reason}`).join('\n');
}
