import * as fs from 'fs';
import * as path from 'path';
import { exemptionsTable, GATE_DOC, rulesTable } from '../../cli/readme-tables';
import { ROOT } from '../helpers/bundle';

const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const gateDoc = fs.readFileSync(path.join(ROOT, GATE_DOC), 'utf8');

describe(GATE_DOC, () => {
  test('lists every policy rule as the code defines it', () => {
    expect(gateDoc).toContain(rulesTable());
  });

  test('lists every exemption in dist/ with its reason', () => {
    const table = exemptionsTable();
    expect(table).toContain('|');
    expect(gateDoc).toContain(table);
  });
});

describe('README', () => {
  test('documents the two set-up commands and every npm script users run', () => {
    expect(readme).toContain('npm ci && npm run synth');
    expect(readme).toContain('npm test');
    for (const script of ['check', 'bench', 'diff', 'graph', 'promote', 'failover', 'test:integration']) {
      expect(readme).toContain(`npm run ${script}`);
    }
  });

  test('links every page under docs/', () => {
    const pages = (fs.readdirSync(path.join(ROOT, 'docs'), { recursive: true }) as string[]).filter((f) => f.endsWith('.md'));
    expect(pages.length).toBeGreaterThan(0);
    expect(pages.map((f) => `docs/${f.split(path.sep).join('/')}`).filter((f) => !readme.includes(`(${f})`))).toEqual([]);
  });
});
