// `ask --batch FILE --json` and `eval --answers FILE`: answers for many questions, and the answer dev set's figures.
import { createAnswerEngine, openSearch, type AppContext } from '../app.js';
import type { Answer, AnswerEngine } from '../answer/engine.js';
import type { AnswerRole } from '../answer/extractive.js';
import { canonicalId } from '../catalog/ids.js';
import { UserError, type Out } from './args.js';
import { batchLines, readLines } from './jsonl.js';

export const answerJson = (a: Answer) => ({
  answer: a.answer, citations: a.citations, language: a.language, role: a.role, mode: a.mode, confidence: a.confidence,
  ...(a.removedCitations ? { removedCitations: a.removedCitations } : {}), ...(a.fallback ? { fallback: a.fallback } : {}),
});

/** One JSONL line out per line in: {"id", ...answer} or {"id": null, "error"} for a malformed line. */
export async function askBatch(ctx: AppContext, file: string, role: AnswerRole | undefined, out: Out): Promise<void> {
  const engine = createAnswerEngine(ctx, await openSearch(ctx));
  for (const line of batchLines(file, 'question')) {
    if ('error' in line) out(JSON.stringify({ id: null, error: line.error }));
    else out(JSON.stringify({ id: line.id, ...answerJson(await engine.ask(line.text, { role })) }));
  }
}

interface AnswerItem {
  id: string;
  question: string;
  role?: AnswerRole;
  expected_any: string[];
  /** Groups of alternative regexes: a group counts when any one matches the answer (case-insensitive). */
  facts: string[][];
  out_of_scope: boolean;
}

export interface AnswerScore {
  id: string;
  cited: boolean;
  facts: number;
  factGroups: number;
  deadEnd: boolean;
  declined: boolean;
  outOfScope: boolean;
  confidence: number;
  length: number;
  citations: string[];
  /** The fact groups not found in the answer (each as its list of alternatives). */
  missed: string[][];
  answer: string;
  question: string;
}

const canon = (id: string) => canonicalId(id) ?? id;

function readItems(file: string): AnswerItem[] {
  const items: AnswerItem[] = [];
  for (const [n, line] of readLines(file)) {
    if (!line.trim()) continue;
    try {
      const x = JSON.parse(line) as AnswerItem;
      if (typeof x.question !== 'string' || !x.question.trim()) throw new Error('needs a non-empty "question"');
      if (!x.out_of_scope && (!Array.isArray(x.expected_any) || !x.expected_any.length)) throw new Error('an in-scope question needs a non-empty "expected_any" list');
      items.push({ ...x, expected_any: (x.expected_any ?? []).map((id) => canon(String(id))), facts: x.facts ?? [] });
    } catch (e) {
      throw new UserError(`${file} line ${n}: ${(e as Error).message}`);
    }
  }
  if (!items.length) throw new UserError(`${file} holds no questions`);
  return items;
}

/** Scores one answer against its graded item. */
export function scoreAnswer(item: AnswerItem, a: Answer): AnswerScore {
  const cited = a.citations.some((id) => item.expected_any.includes(canon(id)));
  const found = (group: string[]) => group.some((re) => new RegExp(re, 'i').test(a.answer));
  const missed = item.facts.filter((group) => !found(group));
  const facts = item.facts.length - missed.length;
  return {
    id: item.id, cited, facts, missed, answer: a.answer, question: item.question, factGroups: item.facts.length, outOfScope: item.out_of_scope, confidence: a.confidence, length: a.answer.length,
    deadEnd: !item.out_of_scope && !cited && !!a.notFound, declined: !!a.outOfScope && !a.citations.length, citations: a.citations,
  };
}

export async function evalAnswers(ctx: AppContext, file: string, out: Out, json = false, misses = false): Promise<void> {
  const items = readItems(file);
  const engine = createAnswerEngine(ctx, await openSearch(ctx));
  const scores = await scoreAll(engine, items);
  const inScope = scores.filter((s) => !s.outOfScope);
  const oos = scores.filter((s) => s.outOfScope);
  const cite = inScope.filter((s) => s.cited).length / Math.max(1, inScope.length);
  const groups = inScope.reduce((n, s) => n + s.factGroups, 0);
  const facts = inScope.reduce((n, s) => n + s.facts, 0) / Math.max(1, groups);
  const deadEnds = inScope.filter((s) => s.deadEnd).length;
  const declined = oos.filter((s) => s.declined).length;
  const confident = inScope.filter((s) => s.confidence >= 0.7);
  const lengths = scores.map((s) => s.length).sort((a, b) => a - b);
  if (json) {
    out(JSON.stringify({ questions: items.length, cite, facts, deadEnds, declined, outOfScope: oos.length, scores }, null, 2));
    return;
  }
  out(`questions ${items.length} (${inScope.length} in scope, ${oos.length} out of scope) · ${engine.mode} · ${engine.searchMode}`);
  for (const s of scores) {
    const mark = s.outOfScope ? (s.declined ? 'declined' : 'NOT DECLINED') : `${s.cited ? 'cited' : 'MISSED'} facts ${s.facts}/${s.factGroups}${s.deadEnd ? ' DEAD END' : ''}`;
    out(`  ${s.id.padEnd(6)} ${mark} · confidence ${s.confidence.toFixed(2)} · ${s.length} chars · ${s.citations.slice(0, 5).join(', ') || '-'}`);
  }
  if (misses) {
    // For reading why a fact was missed: the question, the missed groups (their first alternatives) and the answer.
    for (const s of inScope.filter((x) => x.missed.length || !x.cited)) {
      out(`\n── ${s.id}: ${s.question}`);
      if (!s.cited) out('   no expected control cited');
      for (const g of s.missed) out(`   missed: ${g.slice(0, 3).join(' | ')}${g.length > 3 ? ' | …' : ''}`);
      out(s.answer.split('\n').map((l) => `   > ${l}`).join('\n'));
    }
    out('');
  }
  out(`confidence ≥ 0.7: ${confident.filter((s) => s.cited).length}/${confident.length} cite an expected control`);
  out(`answer length: median ${lengths[Math.floor(lengths.length / 2)]} chars, max ${lengths[lengths.length - 1]}`);
  out(`answers: cite ${cite.toFixed(3)} facts ${facts.toFixed(3)} deadends ${deadEnds} scope ${declined}/${oos.length}`);
}

async function scoreAll(engine: AnswerEngine, items: AnswerItem[]): Promise<AnswerScore[]> {
  const out: AnswerScore[] = [];
  for (const item of items) out.push(scoreAnswer(item, await engine.ask(item.question, { role: item.role })));
  return out;
}
