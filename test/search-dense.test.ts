// The real dense path, offline: a tiny ONNX model generated here, loaded through transformers.js,
// its vectors stored in hnswlib and persisted under the data folder.
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCatalog } from '../src/catalog/loader.js';
import { createEmbedder, TransformersEmbedder } from '../src/search/embed.js';
import { SearchEngine } from '../src/search/engine.js';
import { VectorIndex } from '../src/search/vectors.js';
import { createLogger } from '../src/log.js';
import { createTinyModel, type TinyModel } from './helpers/tiny-model.js';

const catalog = loadCatalog();
const tmp = () => mkdtempSync(join(tmpdir(), 'isms-dense-'));
let model: TinyModel;
let embedder: TransformersEmbedder;

beforeAll(async () => {
  model = createTinyModel(tmp(), { dim: 32 });
  embedder = await TransformersEmbedder.load(model.modelDir, join(tmp(), 'cache'));
});

describe('dense retrieval with a tiny transformers.js model', () => {
  it('embeds through transformers.js into unit vectors of the model dimension', async () => {
    const [a, b] = await embedder.embed(['backup snapshot', 'encryption key'], 'passage');
    expect(a).toHaveLength(32);
    expect(Math.hypot(...a!)).toBeCloseTo(1, 5);
    expect(a).not.toEqual(b);
  });

  it('returns the nearest neighbours through hnswlib', async () => {
    const texts = ['restore recovery', 'encryption key', 'network access', 'incident contract'];
    const vectors = await embedder.embed(texts, 'passage');
    const index = VectorIndex.build(vectors, 32);
    const [q] = await embedder.embed(['backup snapshot'], 'query');
    const near = index.knn(q!, 4);
    expect(near[0]!.label).toBe(0);
    expect(near[0]!.similarity).toBeGreaterThan(near[1]!.similarity);
  });

  it('builds, persists and reloads the vector index, and hybrid search uses it', async () => {
    const dataDir = tmp();
    const first = await SearchEngine.open({ catalog, dataDir, embedder });
    expect(first.report.dense).toBe('built');
    expect(first.manifest.dense).toMatchObject({ model: `transformers:${model.modelDir}`, dim: 32, count: first.chunkCount });
    const again = await SearchEngine.open({ catalog, dataDir, embedder });
    expect(again.report).toMatchObject({ lexical: 'loaded', dense: 'loaded' });
    const r = await again.search('backup snapshot restore', { top: 5 });
    expect(r.dense).toBe(true);
    expect(r.hits.some((h) => h.via.includes('dense'))).toBe(true);
    expect(r.hits.map((h) => h.controlId)).toContain('12.3.1');
  });

  it('rebuilds a corrupt vector file instead of trusting it', async () => {
    const dataDir = tmp();
    await SearchEngine.open({ catalog, dataDir, embedder });
    const file = readdirSync(join(dataDir, 'index')).find((f) => f.endsWith('.hnsw'))!;
    writeFileSync(join(dataDir, 'index', file), 'garbage');
    const e = await SearchEngine.open({ catalog, dataDir, embedder });
    expect(e.report.dense).toBe('built');
    expect(e.report.reasons.join()).toMatch(/dense: vector file does not match its manifest/);
  });

  it('falls back to lexical-only, with one warning, when the model cannot be loaded', async () => {
    const lines: string[] = [];
    const log = createLogger('info', (l) => lines.push(l));
    const missing = join(tmp(), 'no', 'such-model');
    const none = await createEmbedder({
      embeddings: 'transformers', embeddingModel: missing, dataDir: tmp(),
      openai: { embeddingModel: 'x', timeoutMs: 1000, enabled: false },
    }, log);
    expect(none).toBeNull();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/WARN embedding model .* could not be loaded; search runs lexical-only/);
    const engine = await SearchEngine.open({ catalog, dataDir: tmp(), embedder: none });
    expect((await engine.search('information backup')).hits[0]!.controlId).toBe('12.3.1');
  });
});
