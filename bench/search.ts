// npm run bench:search — index build and query latency (lexical, hybrid with the tiny test model), memory,
// and an HNSW-versus-exact scale run on synthetic 384-dimension vectors. Prints a Markdown table.
// BENCH_N sets the scale-run size (default 100000).
import { mkdtempSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCatalog } from '../src/catalog/loader.js';
import { TransformersEmbedder } from '../src/search/embed.js';
import { SearchEngine } from '../src/search/engine.js';
import { VectorIndex } from '../src/search/vectors.js';
import { createTinyModel } from '../test/helpers/tiny-model.js';
import { devQuestions, median } from './common.js';

const rows: [string, string][] = [];
const row = (k: string, v: string) => {
  rows.push([k, v]);
  process.stderr.write(`${k}: ${v}\n`);
};
const ms = (x: number) => `${x.toFixed(1)} ms`;
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

// The shared questions, found from the package root; the bench stops with the path when they are missing.
const questions: string[] = devQuestions().map((q) => q.query);

/** p50 and p95 of each of 3 runs over every question (after a warm-up run); the medians of the runs are printed. */
async function latency(engine: SearchEngine, rounds = 3): Promise<{ p50: number; p95: number; n: number }> {
  for (const q of questions) await engine.search(q, { top: 5 }); // warm
  const p50s: number[] = [];
  const p95s: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const times: number[] = [];
    for (const q of questions) {
      const t = performance.now();
      await engine.search(q, { top: 5 });
      times.push(performance.now() - t);
    }
    p50s.push(pct(times, 50));
    p95s.push(pct(times, 95));
  }
  return { p50: median(p50s), p95: median(p95s), n: questions.length };
}

const catalog = loadCatalog();
{
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-'));
  let t = performance.now();
  const built = await SearchEngine.open({ catalog, dataDir });
  row('lexical index build (cold)', `${ms(performance.now() - t)} (${built.chunkCount} chunks)`);
  t = performance.now();
  const loaded = await SearchEngine.open({ catalog, dataDir });
  row('lexical index load (unchanged corpus)', ms(performance.now() - t));
  const lat = await latency(loaded);
  row(`lexical query latency p50 / p95 (medians of 3 runs of ${lat.n} queries)`, `${ms(lat.p50)} / ${ms(lat.p95)}`);
}
{
  const model = createTinyModel(mkdtempSync(join(tmpdir(), 'bench-model-')), { dim: 32 });
  const embedder = await TransformersEmbedder.load(model.modelDir, join(tmpdir(), 'bench-cache'));
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-'));
  let t = performance.now();
  const built = await SearchEngine.open({ catalog, dataDir, embedder });
  row('hybrid index build, tiny model (embed + HNSW)', `${ms(performance.now() - t)} (${built.chunkCount} vectors)`);
  t = performance.now();
  const loaded = await SearchEngine.open({ catalog, dataDir, embedder });
  row('hybrid index load (unchanged corpus)', ms(performance.now() - t));
  const lat = await latency(loaded);
  row(`hybrid query latency p50 / p95, tiny model (medians of 3 runs of ${lat.n} queries)`, `${ms(lat.p50)} / ${ms(lat.p95)}`);
}
const mem = process.memoryUsage();
row('memory after both engines (rss / heap used)', `${(mem.rss / 2 ** 20).toFixed(0)} MiB / ${(mem.heapUsed / 2 ** 20).toFixed(0)} MiB`);

// Scale run: synthetic vectors shaped like sentence embeddings: a low-dimensional latent (32 dims, in topic
// clusters) projected into 384 dimensions with a little noise. Uniform noise in 384 dims has no neighbourhood
// structure at all and says nothing about real embeddings.
{
  const n = Number(process.env.BENCH_N ?? 100_000);
  const dim = 384;
  const latent = 32;
  const nq = 200;
  // mulberry32: a 32-bit PRNG in integer arithmetic (a float LCG loses precision and repeats vectors).
  let seed = 12345;
  const rand = () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const gauss = () => Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());
  const projection = Array.from({ length: dim }, () => Array.from({ length: latent }, gauss));
  const centres = Array.from({ length: 100 }, () => Array.from({ length: latent }, gauss));
  const unit = (v: number[]) => {
    const n2 = Math.hypot(...v);
    return v.map((x) => x / n2);
  };
  const make = () => {
    const c = centres[Math.floor(rand() * centres.length)]!;
    const z = c.map((x) => 0.6 * x + gauss());
    return unit(projection.map((row) => row.reduce((a, w, j) => a + w * z[j]!, 0) + 0.3 * gauss()));
  };
  const data = Array.from({ length: n }, make);
  const flat = new Float32Array(n * dim);
  data.forEach((v, i) => flat.set(v, i * dim));
  const queries = Array.from({ length: nq }, make);

  let t = performance.now();
  const index = VectorIndex.build(data, dim, { m: 16, efConstruction: 200 });
  row(`scale: HNSW build, ${n} × ${dim}`, `${((performance.now() - t) / 1000).toFixed(1)} s`);

  // Exact search done well: one pass of dot products over a Float32Array, keeping a sorted top 10.
  const exact = (q: number[]) => {
    const qv = Float32Array.from(q);
    const best: [number, number][] = [];
    for (let i = 0; i < n; i++) {
      let s = 0;
      const off = i * dim;
      for (let j = 0; j < dim; j++) s += flat[off + j]! * qv[j]!;
      if (best.length < 10 || s > best[9]![0]) {
        best.push([s, i]);
        best.sort((a, b) => b[0] - a[0]);
        if (best.length > 10) best.pop();
      }
    }
    return best.map(([, i]) => i);
  };
  t = performance.now();
  const truth = queries.map(exact);
  const bruteMs = (performance.now() - t) / nq;
  for (const ef of [64, 128, 256]) {
    index.setEf(ef);
    t = performance.now();
    const got = queries.map((q) => index.knn(q, 10).map((x) => x.label));
    const hnswMs = (performance.now() - t) / nq;
    const recall = got.reduce((a, g, i) => a + g.filter((x) => truth[i]!.includes(x)).length, 0) / (nq * 10);
    row(`scale: HNSW ef=${ef} vs exact`, `recall@10 ${recall.toFixed(3)} · ${ms(hnswMs)} vs ${ms(bruteMs)} per query · ${((hnswMs / bruteMs) * 100).toFixed(2)}% of brute-force time`);
  }
}

console.log(`| measure | value |\n|---|---|\n${rows.map(([k, v]) => `| ${k} | ${v} |`).join('\n')}`);
console.log(`\nmachine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`);
