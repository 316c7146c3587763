import * as fs from 'fs';
import * as path from 'path';
import { projectRoot } from '../../core/paths';

const ROOT = projectRoot();
const DOC = 'docs/architecture.md';

interface Layer {
  readonly name: string;
  readonly path: string;
  readonly mayImport: readonly string[];
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { LAYERS } = require(path.join(ROOT, '.dependency-cruiser.cjs')) as { LAYERS: readonly Layer[] };

/** A table cell: outer backticks removed, `\|` (a pipe inside a table cell) restored. */
const cell = (text: string): string => text.trim().replace(/^`|`$/g, '').replace(/\\\|/g, '|');

/** The rows of the `| layer | path | may import |` table in docs/architecture.md. */
function documentedLayers(markdown: string): Layer[] {
  const lines = markdown.split('\n');
  const header = lines.findIndex((l) => /^\|\s*layer\s*\|\s*path\s*\|\s*may import\s*\|$/.test(l.trim()));
  if (header < 0) {
    throw new Error(`${DOC}: no "| layer | path | may import |" table`);
  }
  const rows: Layer[] = [];
  for (const line of lines.slice(header + 2)) {
    if (!line.trim().startsWith('|')) {
      break;
    }
    const cells = line
      .trim()
      .slice(1, -1)
      .split(/(?<!\\)\|/);
    if (cells.length !== 3) {
      throw new Error(`${DOC}: a layer row needs 3 cells: ${line}`);
    }
    const [name, layerPath, mayImport] = cells;
    rows.push({
      name: cell(name),
      path: cell(layerPath),
      mayImport: mayImport.trim() === 'nothing' ? [] : mayImport.split(',').map(cell),
    });
  }
  return rows;
}

describe(`${DOC} matches LAYERS in .dependency-cruiser.cjs`, () => {
  const documented = documentedLayers(fs.readFileSync(path.join(ROOT, DOC), 'utf8'));

  test('.dependency-cruiser.cjs exports its layers', () => {
    expect(LAYERS.length).toBeGreaterThan(0);
  });

  test('the table lists the same layers, in the same order, with the same paths and imports', () => {
    expect(documented).toEqual(LAYERS.map((l) => ({ name: l.name, path: l.path, mayImport: [...l.mayImport] })));
  });

  test('the parser reads escaped pipes and "nothing"', () => {
    const rows = documentedLayers(
      ['| layer | path | may import |', '| --- | --- | --- |', '| `a` | `^(x/\\|y\\.ts$)` | nothing |', '| `b` | `^b/` | `a`, `c` |', ''].join('\n'),
    );
    expect(rows).toEqual([
      { name: 'a', path: '^(x/|y\\.ts$)', mayImport: [] },
      { name: 'b', path: '^b/', mayImport: ['a', 'c'] },
    ]);
  });
});

/** `a/{b,c}.ts` → `a/b.ts`, `a/c.ts`; a path without braces stays as it is. */
function expandBraces(p: string): string[] {
  const m = /^(.*)\{([^}]+)\}(.*)$/.exec(p);
  return m ? m[2].split(',').flatMap((part) => expandBraces(`${m[1]}${part}${m[3]}`)) : [p];
}

describe('docs/adding-a-data-service.md: its table holds for the services we have', () => {
  const doc = fs.readFileSync(path.join(ROOT, 'docs/adding-a-data-service.md'), 'utf8');
  const table = doc.slice(doc.indexOf('## It holds for the services we have'));
  const row = (label: string): string[] => {
    const line = table.split('\n').find((l) => l.startsWith(`| ${label} |`));
    if (!line) {
      throw new Error(`no "${label}" row`);
    }
    const values = line.split('|').slice(2).join('|'); // the cells after the label
    return [...values.matchAll(/`([^`]+)`/g)].map((m) => m[1]);
  };

  test('every construct, chart, environment and test path in it exists', () => {
    const paths = ['construct folder', 'chart folder', 'block values', 'tests'].flatMap(row).filter((t) => t.includes('/'));
    expect(paths.length).toBeGreaterThanOrEqual(12);
    const missing = paths.flatMap(expandBraces).filter((p) => !fs.existsSync(path.join(ROOT, p)));
    expect(missing).toEqual([]);
  });

  test('its export lines are in constructs/index.ts and its charts are in CHART_CLASSES', () => {
    const index = fs.readFileSync(path.join(ROOT, 'constructs/index.ts'), 'utf8');
    const services = row('construct folder').length;
    const exports = row('export line');
    expect(exports).toHaveLength(services);
    exports.forEach((line) => expect(index).toContain(line));
    const charts = fs.readFileSync(path.join(ROOT, 'charts/index.ts'), 'utf8');
    const entries = row('`CHART_CLASSES` entry');
    expect(entries).toHaveLength(services);
    entries.forEach((entry) => expect(charts).toMatch(new RegExp(`^\\s*${entry.replace(/[-']/g, (c) => `\\${c}`)}:`, 'm')));
  });

  test('its block types are exported by the charts they name', () => {
    const types = row('block type');
    const configs = row('chart folder').map((folder) => folder.replace('{index,config}.ts', 'config.ts'));
    expect(types).toHaveLength(configs.length);
    types.forEach((type, i) => expect(fs.readFileSync(path.join(ROOT, configs[i]), 'utf8')).toContain(`export interface ${type}`));
  });
});
