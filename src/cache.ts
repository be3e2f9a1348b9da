// Values derived from the corpus and kept between starts under ISMS_DATA_DIR/cache, each under a key (a hash of what
// it was derived from): read back while the key matches, else worked out again and replaced. A missing, corrupt or
// unwritable file only costs the time to work the value out.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The value kept in `dir`/`name` under `key`, if there is one. */
export function readCached<T>(dir: string, name: string, key: string): T | undefined {
  try {
    const stored = JSON.parse(readFileSync(join(dir, name), 'utf8')) as { key?: string; value?: T };
    return stored.key === key ? stored.value : undefined;
  } catch {
    // Missing, unreadable or corrupt: worked out again and replaced.
    return undefined;
  }
}

/** Keeps `value` in `dir`/`name` under `key`; gives up quietly (no data folder, read-only, full disk). */
export function writeCached(dir: string, name: string, key: string, value: unknown): void {
  const file = join(dir, name);
  // A temporary file of this process's own: two starts at once never write into one file.
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    // Only inside a data folder that exists: a command that must create nothing (audit verify of a missing store)
    // does not create one for this.
    if (!existsSync(dir)) mkdirSync(dir);
    writeFileSync(tmp, JSON.stringify({ key, value }));
    renameSync(tmp, file);
  } catch {
    rmSync(tmp, { force: true });
  }
}

/** The source of a module beside `base` (an import.meta.url): .js when built, .ts under tsx or vitest. */
export function moduleSource(relative: string, base: string): Buffer {
  const js = fileURLToPath(new URL(relative.replace(/\.ts$/, '.js'), base));
  return readFileSync(existsSync(js) ? js : js.replace(/\.js$/, '.ts'));
}

/** SHA-256 of the parts, each ended by a NUL. */
export function keyOf(...parts: (string | Buffer)[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(p).update('\0');
  return h.digest('hex');
}
