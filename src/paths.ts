// The package root (the folder with package.json), found from this module, so that corpus/ and prompts/ are found
// both when running the TypeScript sources (src/) and the compiled output (dist/src/).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(from: string): string {
  let dir = from;
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) return from;
    dir = up;
  }
  return dir;
}

export const packageRoot = findRoot(dirname(fileURLToPath(import.meta.url)));
