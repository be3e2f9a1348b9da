// npm run bench:answer — extractive answers over the dev questions, warm: how many cite an expected control,
// and latency p50/p95.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AnswerEngine } from '../src/answer/engine.js';
import { loadCatalog } from '../src/catalog/catalog.js';
import { SearchEngine } from '../src/search/engine.js';

const file = process.argv[2] ?? '../shared/eval/dev_questions.jsonl';
if (!existsSync(file)) throw new Error(`question file not found: ${file}`);
const items = readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { id: string; query: string; expected: string[] });
const catalog = loadCatalog();
const engine = new AnswerEngine(catalog, await SearchEngine.open({ catalog, dataDir: mkdtempSync(join(tmpdir(), 'bench-answer-')) }));

let cited = 0;
for (const it of items) {
  const a = await engine.ask(it.query);
  if (a.citations.some((c) => it.expected.includes(c))) cited++;
  else console.log(`miss ${it.id}: ${it.query} → ${a.citations.join(', ') || '(none)'}${a.outOfScope ? ' [out of scope]' : ''}`);
}
const times: number[] = [];
for (let r = 0; r < 5; r++) {
  for (const it of items) {
    const t = performance.now();
    await engine.ask(it.query);
    times.push(performance.now() - t);
  }
}
times.sort((a, b) => a - b);
const p = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]!.toFixed(2);
console.log(`extractive answers citing an expected control: ${cited}/${items.length}`);
console.log(`extractive answer latency (warm, ${times.length} answers): p50 ${p(0.5)} ms, p95 ${p(0.95)} ms`);
