// npm run bench:answer — extractive answers over the dev questions, warm: how many cite an expected control,
// and latency p50/p95.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AnswerEngine } from '../src/answer/engine.js';
import { loadCatalog } from '../src/catalog/loader.js';
import { SearchEngine } from '../src/search/engine.js';
import { devQuestions, median } from './common.js';

// The shared questions (found from the package root), or a JSONL file given as the argument; missing input stops the bench.
const items = devQuestions(process.argv[2]);
const catalog = loadCatalog();
// Without the answer cache: every run works every answer out (a repeated question would come from the cache).
const engine = new AnswerEngine(catalog, await SearchEngine.open({ catalog, dataDir: mkdtempSync(join(tmpdir(), 'bench-answer-')) }), { cacheSize: 0 });

let cited = 0;
for (const it of items) {
  const a = await engine.ask(it.query);
  if (a.citations.some((c) => it.expected.includes(c))) cited++;
  else console.log(`miss ${it.id}: ${it.query} → ${a.citations.join(', ') || '(none)'}${a.outOfScope ? ' [out of scope]' : ''}`);
}
// 3 runs of every question; each run's p50 and p95, and the medians of the runs.
const p50s: number[] = [];
const p95s: number[] = [];
for (let r = 0; r < 3; r++) {
  const times: number[] = [];
  for (const it of items) {
    const t = performance.now();
    await engine.ask(it.query);
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  p50s.push(times[Math.floor(0.5 * times.length)]!);
  p95s.push(times[Math.min(times.length - 1, Math.floor(0.95 * times.length))]!);
}
console.log(`extractive answers citing an expected control: ${cited}/${items.length}`);
console.log(`extractive answer latency (warm, median of 3 runs of ${items.length} answers): p50 ${median(p50s).toFixed(2)} ms, p95 ${median(p95s).toFixed(2)} ms`);
