// Picks the sentences of a guidance text that bear on the question, instead of its first N sentences.
import { tokenize, type Lang } from '../search/text.js';

export function splitSentences(text: string, lang: Lang): string[] {
  const parts = lang === 'ja' ? text.split(/(?<=。)/) : text.split(/(?<=[.!?])\s+(?=[A-Z("'])/);
  return parts.map((s) => s.trim()).filter(Boolean);
}

/** Share of the question's terms in a sentence, with a little weight for position (earlier sentences set context). */
export function relevance(sentence: string, terms: Set<string>, index: number): number {
  if (!terms.size) return 0;
  const own = new Set(tokenize(sentence));
  let hit = 0;
  for (const t of terms) if (own.has(t)) hit++;
  return hit / terms.size - index * 0.005;
}

/**
 * The `n` sentences that share the most terms with the question, kept in their original order. The first sentence
 * is kept when nothing matches, so that a control is never shown without a word of guidance.
 */
export function relevantSentences(text: string, terms: Set<string>, n: number, lang: Lang): string[] {
  const all = splitSentences(text, lang);
  const scored = all.map((s, i) => ({ s, i, r: relevance(s, terms, i) }));
  const chosen = scored.filter((x) => x.r > 0).sort((a, b) => b.r - a.r).slice(0, n);
  if (!chosen.length) return all.slice(0, 1);
  return chosen.sort((a, b) => a.i - b.i).map((x) => x.s);
}

/** The terms of a question, for relevance: its tokens, without one-character Japanese particles left over. */
export function questionTerms(question: string): Set<string> {
  return new Set(tokenize(question).filter((t) => t.length > 1));
}
