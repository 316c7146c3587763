import * as fs from 'fs';
import * as path from 'path';
import { projectRoot } from '../../core/paths';

const ROOT = projectRoot();
/** Source folders: a test of `<folder>/x.ts` lives in `test/<folder>/x.test.ts`. */
const SOURCE_FOLDERS = ['core', 'cli', 'constructs', 'gate', 'charts', 'environments', 'synth', 'imports'];
/** Test folders that do not mirror one source folder, and why. */
const OTHER_TEST_FOLDERS: Record<string, string> = {
  architecture: 'rules over the whole code base (layering, this layout)',
  consumer: 'the packed npm library, installed into a fresh consumer project',
  integration: 'generated server configs against real servers (npm run test:integration)',
  helpers: 'shared test code, no tests',
  fixtures: 'input files for tests',
};

const folders = (dir: string): string[] =>
  fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !e.name.startsWith('__'))
    .map((e) => e.name)
    .sort();

describe('test layout mirrors the source layout', () => {
  test('every folder under test/ is a source folder or a documented exception', () => {
    const unknown = folders(path.join(ROOT, 'test')).filter((f) => !SOURCE_FOLDERS.includes(f) && !(f in OTHER_TEST_FOLDERS));
    expect(unknown).toEqual([]);
  });

  test.each(['constructs', 'charts'])('every test folder under test/%s names a folder under %s/', (layer) => {
    const sources = new Set(folders(path.join(ROOT, layer)));
    expect(folders(path.join(ROOT, 'test', layer)).filter((f) => !sources.has(f))).toEqual([]);
  });

  test('every construct folder has a test folder', () => {
    const tested = new Set(folders(path.join(ROOT, 'test/constructs')));
    const untested = folders(path.join(ROOT, 'constructs')).filter((f) => f !== 'lib' && !tested.has(f));
    expect(untested).toEqual([]);
  });
});
