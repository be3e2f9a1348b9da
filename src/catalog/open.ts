// The catalogue for a start: from the validated copy when nothing has changed (no zod loaded), else validated by the
// loader. Tests and tools use loadCatalog (loader.ts), which always validates unless given a cacheDir.
import { existsSync } from 'node:fs';
import { Catalog, catalogOnce, madeCatalog } from './catalog.js';
import { defaultCorpusDir, validatedCopy, type ReadOptions } from './corpus-copy.js';

export async function openCatalog(dir: string | undefined, o: ReadOptions = {}): Promise<Catalog> {
  const made = madeCatalog(dir);
  if (made) return made;
  const folder = dir ?? defaultCorpusDir;
  const copy = o.cacheDir && existsSync(folder) ? validatedCopy(folder, o.cacheDir) : undefined;
  if (copy?.corpus) return catalogOnce(dir, () => new Catalog(copy.corpus!));
  const { readCorpus } = await import('./loader.js');
  return catalogOnce(dir, () => new Catalog(readCorpus(dir, o)));
}
