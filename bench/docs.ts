// npm run bench:docs — search cost with many user documents in ISMS_DOCS_DIR: query p50 and heap against the text
// size, at 0, 1,000 and 5,000 generated Markdown documents of about 2 KB. Each size is loaded and queried 3 times;
// the figures are medians. BENCH_DOCS sets the sizes (comma-separated). Run with --expose-gc for honest heap figures.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCatalog } from '../src/catalog/loader.js';
import { SearchEngine } from '../src/search/engine.js';
import { devQuestions, median, table } from './common.js';

const sizes = (process.env.BENCH_DOCS ?? '0,1000,5000').split(',').map(Number);
const catalog = loadCatalog();
const questions = devQuestions().map((q) => q.query);

// Sentences of our own corpus, shuffled into documents: realistic vocabulary in both languages.
const sentences = catalog.controls().flatMap((c) => [...Object.values(c.summary ?? {}), ...Object.values(c.guidance ?? {}).flatMap((g) => Object.values(g ?? {}))])
  .flatMap((t) => String(t).split(/(?<=[.。])\s*/)).filter((s) => s.length > 20);
let seed = 7;
const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);

function makeDocs(dir: string, n: number): number {
  let bytes = 0;
  for (let i = 0; i < n; i++) {
    const lines = [`# Procedure ${i}`, ''];
    let size = 0;
    while (size < 2000) {
      const s = sentences[Math.floor(rand() * sentences.length)]!;
      lines.push(s);
      size += Buffer.byteLength(s);
    }
    const text = lines.join('\n');
    bytes += Buffer.byteLength(text);
    writeFileSync(join(dir, `doc-${i}.md`), text);
  }
  return bytes;
}

const gc = (globalThis as { gc?: () => void }).gc;
const rows: [string, string][] = [];
// The heap with the catalogue loaded and no search index: each run's figure is the heap above it.
gc?.();
const base = process.memoryUsage().heapUsed;
for (const n of sizes) {
  const docsDir = mkdtempSync(join(tmpdir(), 'bench-docs-'));
  mkdirSync(docsDir, { recursive: true });
  const bytes = makeDocs(docsDir, n);
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-docs-data-'));
  let t = performance.now();
  const chunks = (await SearchEngine.open({ catalog, dataDir, docsDir })).chunkCount;
  const buildMs = performance.now() - t;
  const p50s: number[] = [];
  const heaps: number[] = [];
  const loads: number[] = [];
  for (let run = 0; run < 3; run++) {
    gc?.();
    t = performance.now();
    const engine = await SearchEngine.open({ catalog, dataDir, docsDir });
    loads.push(performance.now() - t);
    for (const q of questions.slice(0, 10)) await engine.search(q, { top: 5 });
    const times: number[] = [];
    for (const q of questions) {
      const s = performance.now();
      await engine.search(q, { top: 5 });
      times.push(performance.now() - s);
    }
    const held = [engine];
    gc?.();
    heaps.push(process.memoryUsage().heapUsed - base);
    p50s.push(median(times));
    held.length = 0;
  }
  const heap = median(heaps);
  rows.push([`${n.toLocaleString('en')} documents (${(bytes / 2 ** 20).toFixed(1)} MiB text, ${chunks.toLocaleString('en')} chunks)`,
    `query p50 ${median(p50s).toFixed(2)} ms · index heap ${(heap / 2 ** 20).toFixed(0)} MiB${bytes ? ` (${(heap / bytes).toFixed(1)} × text)` : ''} · load ${median(loads).toFixed(0)} ms · build ${buildMs.toFixed(0)} ms`]);
  process.stderr.write(`${rows.at(-1)!.join(': ')}\n`);
}
console.log(table(rows, `medians of 3 loads × ${questions.length} queries each; heap measured ${gc ? 'after gc' : 'WITHOUT --expose-gc (rough)'}`));
