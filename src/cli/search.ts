// `search`, `search --batch`, `eval` and `index`.
import type { AppContext } from '../app.js';
import { openSearch } from '../app.js';
import { stderrProgress } from '../progress.js';
import type { SearchEngine, SearchHit } from '../search/engine.js';
import { canonicalId } from '../catalog/ids.js';
import { oneOf, parse, UserError, type Out } from './args.js';
import { evalAnswers } from './answers.js';
import { batchLines, readLines } from './jsonl.js';
import { cliText } from './messages.js';

const searchUsage = 'search "<question>" --top K [--role customer|provider] [--json] | search --batch FILE --top K --json';

function topOf(v: string | undefined, flag = '--top'): number {
  if (v === undefined) return 5;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 100) throw new UserError(`${flag} must be a whole number from 1 to 100 (got "${v}")`, 2);
  return n;
}

const compact = (h: SearchHit) => ({ controlId: h.controlId, score: h.score, facet: h.facet, lang: h.lang, ...(h.source ? { source: h.source } : {}) });

export async function searchCommand(ctx: AppContext, argv: string[], out: Out): Promise<void> {
  const { values, positionals } = parse(argv, {
    top: { type: 'string' }, role: { type: 'string' }, json: { type: 'boolean' }, batch: { type: 'string' },
  }, searchUsage);
  const top = topOf(values.top);
  const role = oneOf(values.role, ['customer', 'provider'] as const, '--role');
  if (values.batch) {
    const engine = await openSearch(ctx);
    for (const line of batchLines(values.batch, 'query')) {
      if ('error' in line) out(JSON.stringify({ id: null, error: line.error }));
      else out(JSON.stringify({ id: line.id, hits: (await engine.search(line.text, { top, role })).hits.map(compact) }));
    }
    return;
  }
  const question = positionals.join(' ').trim();
  if (!question) throw new UserError(`search needs a question\nUsage: ${searchUsage}`, 2);
  const engine = await openSearch(ctx);
  const r = await engine.search(question, { top, role });
  if (values.json) {
    out(JSON.stringify({ query: question, lang: r.query.lang, role: role ?? r.query.role, dense: r.dense, hits: r.hits.map((h) => ({ ...compact(h), role: h.role, title: h.title, via: h.via })) }, null, 2));
    return;
  }
  const lang = r.query.lang;
  if (!r.hits.length) out(cliText[lang].noMatchingControls);
  r.hits.forEach((h, i) => {
    const e = h.controlId ? ctx.catalog.get(h.controlId) : undefined;
    const title = e ? `${e.id}  ${e.title[lang]}` : h.title;
    const where = h.source ? `${h.source.file} › ${h.source.heading}` : `${h.facet}${h.role ? '/' + h.role : ''} ${h.lang}`;
    out(`${String(i + 1).padStart(2)}. ${title}\n    score ${h.score.toFixed(3)} · ${where} · via ${h.via.join('+')}`);
  });
  if (!r.dense) process.stderr.write('(lexical-only search: no embedding model loaded)\n');
}

interface EvalItem {
  id: string;
  lang?: string;
  query: string;
  expected: string[];
}

export async function evalCommand(ctx: AppContext, argv: string[], out: Out): Promise<void> {
  const usage = 'eval --file FILE --top K | eval --answers FILE [--json] [--misses]';
  const { values } = parse(argv, { file: { type: 'string' }, top: { type: 'string' }, json: { type: 'boolean' }, answers: { type: 'string' }, misses: { type: 'boolean' } }, usage);
  if (values.answers) return evalAnswers(ctx, values.answers, out, values.json, values.misses);
  if (!values.file) throw new UserError(`eval needs --file (retrieval questions) or --answers (graded answer questions)\nUsage: ${usage}`, 2);
  const top = topOf(values.top);
  const items: EvalItem[] = [];
  for (const [n, line] of readLines(values.file)) {
    if (!line.trim()) continue;
    try {
      const x = JSON.parse(line) as EvalItem;
      if (typeof x.query !== 'string' || !Array.isArray(x.expected) || !x.expected.length) throw new Error('needs "query" and a non-empty "expected" list');
      // Expected IDs in any accepted spelling (A.12.3.1, cld9.5.1) count as their canonical form.
      items.push({ ...x, expected: x.expected.map((id) => canonicalId(String(id)) ?? String(id)) });
    } catch (e) {
      throw new UserError(`${values.file} line ${n}: ${(e as Error).message}`);
    }
  }
  if (!items.length) throw new UserError(`${values.file} holds no questions`);
  const engine = await openSearch(ctx);
  const report = await evaluate(engine, items, top);
  out(`questions ${items.length} · top ${top} · ${engine.hasDense ? 'hybrid (lexical + dense)' : 'lexical-only'}`);
  for (const [lang, s] of Object.entries(report.byLang)) {
    out(`  ${lang}: recall@${top} ${(s.hits / s.n).toFixed(3)} (${s.hits}/${s.n})  MRR ${(s.rr / s.n).toFixed(3)}`);
  }
  out(`MRR ${(report.rr / items.length).toFixed(3)}`);
  if (report.misses.length) {
    out('misses:');
    for (const m of report.misses) out(`  ${m.id} [${m.lang}] ${m.query}\n    expected ${m.expected.join(', ')} · got ${m.got.join(', ')}`);
  }
  out(`recall@${top} ${(report.hits / items.length).toFixed(3)} (${report.hits}/${items.length})`);
}

export async function evaluate(engine: SearchEngine, items: EvalItem[], top: number) {
  const byLang: Record<string, { n: number; hits: number; rr: number }> = {};
  const misses: { id: string; lang: string; query: string; expected: string[]; got: string[] }[] = [];
  let hits = 0;
  let rr = 0;
  for (const item of items) {
    const r = await engine.search(item.query, { top });
    const got = r.hits.map((h) => h.controlId ?? h.chunkKey);
    const rank = got.findIndex((id) => item.expected.includes(id));
    const lang = item.lang ?? r.query.lang;
    const s = (byLang[lang] ??= { n: 0, hits: 0, rr: 0 });
    s.n++;
    if (rank >= 0) {
      hits++;
      s.hits++;
      rr += 1 / (rank + 1);
      s.rr += 1 / (rank + 1);
    } else misses.push({ id: item.id, lang, query: item.query, expected: item.expected, got });
  }
  return { hits, rr, byLang, misses };
}

export async function indexCommand(ctx: AppContext, argv: string[], out: Out): Promise<void> {
  const { values } = parse(argv, { force: { type: 'boolean' }, 'require-dense': { type: 'boolean' } }, 'index [--force] [--require-dense]');
  const t0 = performance.now();
  const engine = await openSearch(ctx, { progress: stderrProgress(), force: values.force ?? true });
  // For image builds: a model that could not be fetched must fail the build, not ship a lexical-only image.
  if (values['require-dense'] && !engine.hasDense) throw new UserError(`no embedding vectors were built: check EMBEDDING_MODEL (${ctx.config.embeddingModel}) and network access`);
  const r = engine.report;
  const m = engine.manifest;
  out(`index: ${r.chunks} chunks (${r.docs} user documents) in ${ctx.config.dataDir}/index`);
  out(`  lexical: ${r.lexical}`);
  out(`  dense:   ${r.dense}${m.dense ? ` (${m.dense.model}, ${m.dense.dim} dimensions, ${m.dense.count} vectors)` : ' (no embedding model loaded: lexical-only)'}`);
  out(`  content hash ${m.contentHash.slice(0, 16)}…, built ${m.builtAt}`);
  out(`done in ${((performance.now() - t0) / 1000).toFixed(2)} s`);
}
