// Picks the sentences of a guidance text that bear on the question, instead of its first N sentences.
// A sentence scores by the question's terms it holds, each weighted by how rare the term is in the catalogue (a word
// every guidance text uses, such as "cloud" or the bigram クラ, says little), and by how the term came into the question:
// typed (1), a glossary form of a term typed (lower), a Sudachi synonym (lower still).
import type { Catalog } from '../catalog/catalog.js';
import { Glossary } from '../search/expand.js';
import { tokenize, type Lang } from '../search/text.js';

export function splitSentences(text: string, lang: Lang): string[] {
  const parts = lang === 'ja' ? text.split(/(?<=。)/) : text.split(/(?<=[.!?])\s+(?=[A-Z("'])/);
  return parts.map((s) => s.trim()).filter(Boolean);
}

/** Question terms with their weights; a plain set counts every term once. */
export type Terms = Set<string> | Map<string, number>;

/** Weight of a term by its rarity in the catalogue; 1 for every term when no statistics are given. */
export type Rarity = (term: string) => number;
const flat: Rarity = () => 1;

/**
 * Stems of one English word can differ by a letter or two ("cryptography" → cryptographi, "cryptographic" →
 * cryptograph): long English terms are compared on their first seven letters.
 */
export const termKey = (t: string): string => (t.length > 7 && /^[a-z]/.test(t) ? t.slice(0, 7) : t);

const weights = (terms: Terms): [string, number][] => (terms instanceof Map ? [...terms] : [...terms].map((t) => [t, 1]));

/**
 * Share of the question's typed terms (weight 1) in a sentence; glossary forms and synonyms (weight below 1) add to
 * what the sentence holds without adding to what the question asks. Each term counts by its rarity. A little weight
 * goes to position (earlier sentences set context). 0 when the sentence holds none of the terms.
 */
export function relevance(sentence: string, terms: Terms, index: number, rarity: Rarity = flat): number {
  const w = weights(terms);
  if (!w.length) return 0;
  const own = new Set(tokenize(sentence).map(termKey));
  let total = 0;
  let hit = 0;
  for (const [t, weight] of w) {
    const x = weight * rarity(t);
    if (weight >= 1) total += x;
    if (own.has(termKey(t))) hit += x;
  }
  return hit > 0 && total > 0 ? Math.min(1, hit / total) - index * 0.005 : 0;
}

export interface Scored {
  s: string;
  /** Position in its text. */
  i: number;
  r: number;
}

/** The service models an answer is about, when the question names one (a sentence about another model matters less). */
export interface ModelFocus {
  asked: string[];
  others: string[];
}

/** Weight of a sentence that speaks only of a service model the question is not about. */
const OTHER_MODEL = 0.5;

export function scoreSentences(text: string, terms: Terms, lang: Lang, rarity: Rarity = flat, focus?: ModelFocus): Scored[] {
  return splitSentences(text, lang).map((s, i) => {
    let r = relevance(s, terms, i, rarity);
    if (focus && r > 0) {
      const own = new Set(tokenize(s));
      if (!focus.asked.some((m) => own.has(m)) && focus.others.some((m) => own.has(m))) r *= OTHER_MODEL;
    }
    return { s, i, r };
  });
}

/** The model tokens ("iaa", "paa", "saa") of the models asked about and of the others. */
export function modelFocus(models: string[]): ModelFocus | undefined {
  if (!models.length) return undefined;
  const all = ['IaaS', 'PaaS', 'SaaS'];
  const token = (m: string) => tokenize(m)[0]!;
  return { asked: models.map(token), others: all.filter((m) => !models.includes(m)).map(token) };
}

/**
 * The `n` sentences that share the most terms with the question, kept in their original order. The first sentence
 * is kept when nothing matches, so that a control is never shown without a word of guidance.
 */
export function relevantSentences(text: string, terms: Terms, n: number, lang: Lang, rarity: Rarity = flat): string[] {
  const scored = scoreSentences(text, terms, lang, rarity);
  const chosen = scored.filter((x) => x.r > 0).sort((a, b) => b.r - a.r).slice(0, n);
  if (!chosen.length) return scored.slice(0, 1).map((x) => x.s);
  return chosen.sort((a, b) => a.i - b.i).map((x) => x.s);
}

/** The terms of a question, for relevance: its tokens, without one-character Japanese particles left over. */
export function questionTerms(question: string): Set<string> {
  return new Set(tokenize(question).filter((t) => t.length > 1));
}

/** Weight of a glossary form's tokens, below the words typed. */
const GLOSSARY_WEIGHT = 0.5;

interface Stats {
  glossary: Glossary;
  rarity: Rarity;
}
const statsOf = new WeakMap<Catalog, Stats>();

/** Term statistics over every sentence the answers can show (summaries, guidance, matrix cells), built once. */
function stats(catalog: Catalog): Stats {
  const have = statsOf.get(catalog);
  if (have) return have;
  const df = new Map<string, number>();
  let n = 0;
  const add = (text: string, lang: Lang) => {
    for (const s of splitSentences(text, lang)) {
      n++;
      for (const t of new Set(tokenize(s).map(termKey))) df.set(t, (df.get(t) ?? 0) + 1);
    }
  };
  for (const e of catalog.entries) {
    for (const lang of ['en', 'ja'] as const) {
      add(e.summary[lang], lang);
      if (e.guidance.customer) add(e.guidance.customer[lang], lang);
      if (e.guidance.provider) add(e.guidance.provider[lang], lang);
    }
  }
  for (const row of catalog.raw.responsibility) {
    for (const cell of Object.values(row.models)) for (const lang of ['en', 'ja'] as const) add(`${cell.customer[lang]} ${cell.provider[lang]}`, lang);
  }
  // A term no sentence holds is as rare as can be; a term in every sentence still counts a little.
  const rarity: Rarity = (t) => Math.log(1 + n / (1 + (df.get(termKey(t)) ?? 0)));
  const s = { glossary: new Glossary(catalog.glossary, catalog.synonyms), rarity };
  statsOf.set(catalog, s);
  return s;
}

/**
 * The question's terms for choosing sentences: the words typed, and at lower weights the other forms of the glossary
 * terms it names (an English question about "pentest" also finds "penetration test") and Sudachi synonyms.
 */
export function weightedTerms(catalog: Catalog, question: string, lang: Lang): { terms: Map<string, number>; rarity: Rarity } {
  const { glossary, rarity } = stats(catalog);
  const terms = new Map<string, number>();
  for (const t of questionTerms(question)) terms.set(t, 1);
  const exp = glossary.expand(question, GLOSSARY_WEIGHT);
  // expand() weighs glossary forms at most GLOSSARY_WEIGHT and synonyms lower (SYNONYM_WEIGHT in search).
  // Only forms in the answer's own language: the sentences to choose from are in that language.
  const ownScript = (t: string) => (lang === 'ja') === /[\u3040-\u30ff\u3400-\u9fff]/.test(t);
  for (const [t, w] of exp.terms) if (t.length > 1 && !terms.has(t) && ownScript(t)) terms.set(t, w);
  return { terms, rarity };
}
