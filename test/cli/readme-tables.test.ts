import * as fs from 'fs';
import * as path from 'path';
import { exemptionsTable, rulesTable } from '../../cli/readme-tables';
import { ROOT } from '../helpers/bundle';

const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');

describe('README', () => {
  test('lists every policy rule as the code defines it', () => {
    expect(readme).toContain(rulesTable());
  });

  test('lists every exemption in dist/ with its reason', () => {
    const table = exemptionsTable();
    expect(table).toContain('|');
    expect(readme).toContain(table);
  });

  test('documents the two set-up commands and every npm script users run', () => {
    expect(readme).toContain('npm ci && npm run synth');
    expect(readme).toContain('npm test');
    for (const script of ['check', 'bench', 'diff', 'graph', 'promote', 'failover', 'test:integration']) {
      expect(readme).toContain(`npm run ${script}`);
    }
  });
});
