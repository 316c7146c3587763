import * as fs from 'fs';
import * as path from 'path';

let root: string | undefined;

/**
 * The project root: the nearest folder above this module (source under ts-node/jest, or the
 * esbuild bundle in build/) or else above the working directory, holding `schemas/k8s-1.28`.
 */
export function projectRoot(): string {
  if (root) {
    return root;
  }
  for (const start of [__dirname, process.cwd()]) {
    let dir = start;
    for (;;) {
      if (fs.existsSync(path.join(dir, 'schemas', 'k8s-1.28', '_definitions.json'))) {
        root = dir;
        return dir;
      }
      const parent = path.dirname(dir);
      if (parent === dir) {
        break;
      }
      dir = parent;
    }
  }
  throw new Error(`cannot find the project root (a folder with schemas/k8s-1.28) above ${__dirname} or ${process.cwd()}`);
}
