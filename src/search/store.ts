// The persisted search index under ISMS_DATA_DIR/index: a manifest, the chunks, the lexical index and the vectors.
// Every file is checked against the manifest (content hash, sha256, counts); anything that does not match is rebuilt.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Bm25, type Bm25Data } from './bm25.js';
import type { Chunk } from './chunks.js';
import { fileSha256, VectorIndex } from './vectors.js';

/** Bump when chunking or tokenisation changes, so old indexes are rebuilt. */
export const INDEX_FORMAT = 5;

export interface DenseManifest {
  model: string;
  dim: number;
  count: number;
  sha256: string;
  builtAt: string;
}

export interface Manifest {
  format: number;
  contentHash: string;
  builtAt: string;
  chunks: number;
  lexicalSha256: string;
  dense: DenseManifest | null;
}

function sha(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Writes a file atomically: a crash never leaves a half-written index file. */
function writeAtomic(file: string, data: string): void {
  writeFileSync(file + '.tmp', data);
  renameSync(file + '.tmp', file);
}

export class IndexStore {
  readonly dir: string;
  constructor(dataDir: string) {
    this.dir = join(dataDir, 'index');
  }

  private path(name: string): string {
    return join(this.dir, name);
  }

  readManifest(): Manifest | null {
    try {
      const m = JSON.parse(readFileSync(this.path('manifest.json'), 'utf8')) as Manifest;
      return m.format === INDEX_FORMAT ? m : null;
    } catch {
      return null;
    }
  }

  /** The stored chunks and lexical index, when they match the content hash and are intact. */
  readLexical(contentHash: string): { manifest: Manifest; chunks: Chunk[]; bm25: Bm25 } | { stale: string } {
    const m = this.readManifest();
    if (!m) return { stale: existsSync(this.path('manifest.json')) ? 'manifest unreadable or of an old format' : 'no index yet' };
    if (m.contentHash !== contentHash) return { stale: 'corpus or documents changed' };
    try {
      const text = readFileSync(this.path('lexical.json'), 'utf8');
      if (sha(text) !== m.lexicalSha256) return { stale: 'lexical index file does not match its manifest (corrupt?)' };
      const data = JSON.parse(text) as { chunks: Chunk[]; bm25: Bm25Data };
      if (data.chunks.length !== m.chunks) return { stale: 'chunk count mismatch' };
      return { manifest: m, chunks: data.chunks, bm25: Bm25.from(data.bm25) };
    } catch (e) {
      return { stale: `lexical index unreadable: ${(e as Error).message}` };
    }
  }

  writeLexical(contentHash: string, chunks: Chunk[], bm25: Bm25): Manifest {
    mkdirSync(this.dir, { recursive: true });
    const text = JSON.stringify({ chunks, bm25: bm25.toJSON() });
    writeAtomic(this.path('lexical.json'), text);
    const m: Manifest = { format: INDEX_FORMAT, contentHash, builtAt: new Date().toISOString(), chunks: chunks.length, lexicalSha256: sha(text), dense: null };
    writeAtomic(this.path('manifest.json'), JSON.stringify(m, null, 2));
    return m;
  }

  vectorFile(model: string): string {
    return this.path(`vectors-${sha(model).slice(0, 12)}.hnsw`);
  }

  /** The stored vectors for this model, when the manifest, the file hash and the count all agree. */
  readDense(m: Manifest, model: string): VectorIndex | { stale: string } {
    const d = m.dense;
    if (!d || d.model !== model) return { stale: 'no vectors for this model' };
    const file = this.vectorFile(model);
    try {
      if (fileSha256(file) !== d.sha256) return { stale: 'vector file does not match its manifest (corrupt?)' };
      return VectorIndex.read(file, d.dim, d.count);
    } catch (e) {
      return { stale: `vector file unreadable: ${(e as Error).message}` };
    }
  }

  writeDense(m: Manifest, model: string, index: VectorIndex): Manifest {
    const file = this.vectorFile(model);
    const tmp = file + '.tmp';
    const sha256 = index.write(tmp);
    renameSync(tmp, file);
    const next: Manifest = { ...m, dense: { model, dim: index.dim, count: index.count, sha256, builtAt: new Date().toISOString() } };
    writeAtomic(this.path('manifest.json'), JSON.stringify(next, null, 2));
    return next;
  }
}
