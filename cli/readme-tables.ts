import { ENVIRONMENT_NAMES } from '../environments/types';
import { RULES } from '../gate/policy';
import { synthesize } from '../synth/pipeline';
import * as os from 'os';
import * as fs from 'fs';
import * as path from 'path';

/** The document that holds the rule table and the exemption table. */
export const GATE_DOC = 'docs/gate.md';

/**
 * Prints the rule table and the exemption table of docs/gate.md from the code itself, so the page
 * can be refreshed by pasting this output; test/cli/readme-tables.test.ts checks it is current.
 */
export function rulesTable(): string {
  const lines = ['| rule | severity | asks for |', '| --- | --- | --- |'];
  for (const r of RULES) {
    lines.push(`| \`${r.id}\` | ${r.severity} | ${r.summary.replace(/\|/g, '\\|')} |`);
  }
  return lines.join('\n');
}

export function exemptionsTable(): string {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'readme-'));
  try {
    const r = synthesize({ envs: ENVIRONMENT_NAMES, outdir: out });
    const rows = new Map<string, string[]>();
    for (const o of r.outputs) {
      for (const e of o.exemptions) {
        const key = `| \`${e.object}\` | \`${e.rule}\` | ${e.reason.replace(/\|/g, '\\|')} |`;
        rows.set(key, [...(rows.get(key) ?? []), o.env]);
      }
    }
    const lines = ['| object | rule | reason | environments |', '| --- | --- | --- | --- |'];
    for (const [row, envs] of [...rows.entries()].sort()) {
      lines.push(`${row} ${envs.join(', ')} |`);
    }
    return rows.size === 0 ? '_None._' : lines.join('\n');
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}

if (require.main === module) {
  console.log(`${rulesTable()}\n\n${exemptionsTable()}`);
}
