// Picks the sentences of a guidance text that bear on the question, instead of its first N sentences.
// A sentence scores by the question's terms it holds, each weighted by how rare the term is in the catalogue (a word
// every guidance text uses, such as "cloud" or the bigram クラ, says little), and by how the term came into the question:
// typed (1), a glossary form of a term typed (lower), a Sudachi synonym (lower still).
import { keyOf, moduleSource, readCached, writeCached } from '../cache.js';
import type { Catalog } from '../catalog/catalog.js';
import { normalise, tokenize, type Lang } from '../search/text.js';

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

/**
 * The term keys of a sentence. Sentences come from the catalogue, so they are tokenised once and kept (a bounded
 * cache: beyond its size it starts again, which only costs time).
 */
const keyCache = new Map<string, Set<string>>();
const KEY_CACHE_MAX = 20_000;
function sentenceKeys(sentence: string): Set<string> {
  let keys = keyCache.get(sentence);
  if (!keys) {
    if (keyCache.size >= KEY_CACHE_MAX) keyCache.clear();
    keys = new Set(tokenize(sentence).map(termKey));
    keyCache.set(sentence, keys);
  }
  return keys;
}

const weights = (terms: Terms): [string, number][] => (terms instanceof Map ? [...terms] : [...terms].map((t) => [t, 1]));

/**
 * Share of the question's typed terms (weight 1) in a sentence; glossary forms and synonyms (weight below 1) add to
 * what the sentence holds without adding to what the question asks. Each term counts by its rarity. A little weight
 * goes to position (earlier sentences set context). 0 when the sentence holds none of the terms.
 */
export function relevance(sentence: string, terms: Terms, index: number, rarity: Rarity = flat): number {
  return score(sentenceKeys(sentence), prepare(terms, rarity), index);
}

/** Each term's key, its weight times its rarity, and whether it was typed. */
type Prepared = { key: string; x: number; typed: boolean }[];
const prepare = (terms: Terms, rarity: Rarity): Prepared => weights(terms).map(([t, w]) => ({ key: termKey(t), x: w * rarity(t), typed: w >= 1 }));

function score(own: Set<string>, terms: Prepared, index: number): number {
  let total = 0;
  let hit = 0;
  for (const t of terms) {
    if (t.typed) total += t.x;
    if (own.has(t.key)) hit += t.x;
  }
  return hit > 0 && total > 0 ? Math.min(1, hit / total) - index * 0.005 : 0;
}

export interface Scored {
  s: string;
  /** Position in its text. */
  i: number;
  r: number;
  /** How many of the words typed in the question it holds. */
  typed?: number;
}

/** The service models an answer is about, when the question names one (a sentence about another model matters less). */
export interface ModelFocus {
  asked: string[];
  others: string[];
}

/** Weight of a sentence that speaks only of a service model the question is not about. */
const OTHER_MODEL = 0.5;

export function scoreSentences(text: string, terms: Terms, lang: Lang, rarity: Rarity = flat, focus?: ModelFocus): Scored[] {
  const prepared = prepare(terms, rarity);
  return splitSentences(text, lang).map((s, i) => {
    const own = sentenceKeys(s);
    let r = score(own, prepared, i);
    if (focus && r > 0 && !focus.asked.some((m) => own.has(m)) && focus.others.some((m) => own.has(m))) r *= OTHER_MODEL;
    return { s, i, r, typed: new Set(prepared.filter((t) => t.typed && own.has(t.key)).map((t) => t.key)).size };
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

/** Weight of a glossary form's tokens and of a Sudachi synonym's, below the words typed (as in search). */
const GLOSSARY_WEIGHT = 0.5;
const SYNONYM_WEIGHT = 0.35;

const japanese = /[\u3040-\u30ff\u3400-\u9fff]/;

/** A way a glossary term or synonym group is found in a question, and the tokens of its forms (computed once). */
interface Finder {
  /** Japanese forms are found as substrings; others as sequences of tokens. */
  ja?: string;
  seq?: string[];
  /** Shared by the finders of one group: a question that names a group twice finds it once. */
  forms: string[][];
}

/** Finders as stored: each names its group's forms by position, so that the sharing survives JSON. */
interface FinderData {
  forms: string[][][];
  finders: { ja?: string; seq?: string[]; f: number }[];
}

/** What the statistics are built from, in a form kept between starts (see stats). */
interface StatsData {
  /** Sentences counted, and in how many of them each term key occurs. */
  n: number;
  df: [string, number][];
  glossary: FinderData;
  synonyms: FinderData;
}

interface Stats {
  glossary: Index;
  synonyms: Index;
  rarity: Rarity;
}
const statsOf = new WeakMap<Catalog, Stats>();

function finders(groups: { find: string[]; forms: string[] }[], minJa: number): FinderData {
  const out: FinderData = { forms: [], finders: [] };
  for (const g of groups) {
    const f = out.forms.push(g.forms.map((x) => [...new Set(tokenize(x))]).filter((t) => t.length)) - 1;
    for (const find of g.find) {
      if (japanese.test(find)) {
        if ([...find].length >= minJa) out.finders.push({ ja: normalise(find), f });
      } else {
        const seq = tokenize(find);
        if (seq.length) out.finders.push({ seq, f });
      }
    }
  }
  return out;
}

const fromData = (d: FinderData): Finder[] => d.finders.map(({ f, ...how }) => ({ ...how, forms: d.forms[f]! }));

/**
 * Builds the term statistics now rather than at the first answer (about 0.4 s: every sentence of the catalogue is
 * tokenised). With `cacheDir` they are kept there (sentence-stats.json), keyed on the corpus and on this module's and
 * the tokeniser's source, so that a start reads them back instead.
 */
export function warmSentences(catalog: Catalog, cacheDir?: string): void {
  if (statsOf.has(catalog)) return;
  const key = cacheDir && keyOf(catalog.contentHash, moduleSource('./sentences.ts', import.meta.url), moduleSource('../search/text.ts', import.meta.url));
  let data = key ? readCached<StatsData>(cacheDir, 'sentence-stats.json', key) : undefined;
  if (!data) {
    data = statsData(catalog);
    if (key) writeCached(cacheDir, 'sentence-stats.json', key, data);
  }
  statsOf.set(catalog, fromStatsData(data));
}

/** Term statistics over every sentence the answers can show (summaries, guidance, matrix cells), built once. */
function stats(catalog: Catalog): Stats {
  warmSentences(catalog);
  return statsOf.get(catalog)!;
}

function statsData(catalog: Catalog): StatsData {
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
  return {
    n,
    df: [...df],
    // A glossary term adds its main forms and first aliases, as search does.
    glossary: finders(catalog.glossary.map((e) => ({
      find: [e.ja, e.en, ...e.aliases.ja, ...e.aliases.en],
      forms: [e.ja, e.en, ...e.aliases.ja.slice(0, 2), ...e.aliases.en.slice(0, 2)],
    })), 1),
    // Two-character Japanese words match inside too many compounds; three or more are specific enough.
    synonyms: finders(catalog.synonyms.map((g) => ({ find: g, forms: g })), 3),
  };
}

function fromStatsData(d: StatsData): Stats {
  const df = new Map(d.df);
  const { n } = d;
  // A term no sentence holds is as rare as can be; a term in every sentence still counts a little.
  const rarity: Rarity = (t) => Math.log(1 + n / (1 + (df.get(termKey(t)) ?? 0)));
  return { glossary: index(fromData(d.glossary)), synonyms: index(fromData(d.synonyms)), rarity };
}

/** Finders indexed by the first character of a Japanese form or the first token of a sequence. */
interface Index {
  ja: Map<string, Finder[]>;
  seq: Map<string, Finder[]>;
}

function index(fs: Finder[]): Index {
  const ix: Index = { ja: new Map(), seq: new Map() };
  for (const f of fs) {
    const [map, key] = f.ja !== undefined ? [ix.ja, f.ja[0]!] : [ix.seq, f.seq![0]!];
    const list = map.get(key) ?? [];
    list.push(f);
    map.set(key, list);
  }
  return ix;
}

/** The form lists of every finder found in the question. */
function findIn(ix: Index, text: string, tokens: string[]): Set<string[][]> {
  const out = new Set<string[][]>();
  for (let i = 0; i < text.length; i++) for (const f of ix.ja.get(text[i]!) ?? []) if (text.startsWith(f.ja!, i)) out.add(f.forms);
  for (let i = 0; i < tokens.length; i++) {
    next: for (const f of ix.seq.get(tokens[i]!) ?? []) {
      const seq = f.seq!;
      if (i + seq.length > tokens.length) continue;
      for (let j = 1; j < seq.length; j++) if (tokens[i + j] !== seq[j]) continue next;
      out.add(f.forms);
    }
  }
  return out;
}

/**
 * The question's terms for choosing sentences: the words typed, and at lower weights the other forms of the glossary
 * terms it names (an English question about "pentest" also finds "penetration test") and Sudachi synonyms, in the
 * answer's own language only (the sentences to choose from are in that language).
 */
export function weightedTerms(catalog: Catalog, question: string, lang: Lang): { terms: Map<string, number>; rarity: Rarity } {
  const { glossary, synonyms, rarity } = stats(catalog);
  const terms = new Map<string, number>();
  for (const t of questionTerms(question)) terms.set(t, 1);
  const text = normalise(question);
  const tokens = tokenize(question);
  const ownScript = (t: string) => (lang === 'ja') === japanese.test(t);
  const addForms = (groups: string[][][], weight: number) => {
    for (const forms of groups) {
      for (const form of forms) {
        const w = weight / Math.sqrt(form.length);
        for (const t of form) if (t.length > 1 && ownScript(t) && terms.get(t) !== 1) terms.set(t, Math.max(terms.get(t) ?? 0, w));
      }
    }
  };
  const g = [...findIn(glossary, text, tokens)];
  // Many glossary terms in one question share their weight, so that no long question is swamped by expansions.
  addForms(g, GLOSSARY_WEIGHT / Math.max(1, g.length / 4));
  addForms([...findIn(synonyms, text, tokens)], SYNONYM_WEIGHT);
  return { terms, rarity };
}
