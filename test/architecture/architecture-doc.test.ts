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
