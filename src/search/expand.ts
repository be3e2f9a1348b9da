// Cross-language query expansion through the glossary: a Japanese term in the question adds its English forms
// (and the reverse), with a lower weight than the words typed. Matched terms also point at their controls.
import type { GlossaryEntry } from '../catalog/schema.js';
import { detectLang, normalise, tokenize } from './text.js';

export interface Expansion {
  /** Query terms and their weights: typed terms 1, glossary expansions less. */
  terms: Map<string, number>;
  /** Glossary entries found in the question. */
  matched: GlossaryEntry[];
}

/** Weight of a synonym's tokens in the query: below a glossary expansion, which a person curated. */
export const SYNONYM_WEIGHT = 0.35;

export class Glossary {
  private built?: { entries: FormIndex<GlossaryEntry>; synonyms: FormIndex<string[]> };

  /** The forms are tokenised on first use (about 40 ms for the bundled glossary), not at start-up. */
  constructor(readonly entries: GlossaryEntry[], private readonly synonyms: string[][] = []) {}

  private get index(): NonNullable<Glossary['built']> {
    return (this.built ??= this.build());
  }

  private build(): NonNullable<Glossary['built']> {
    const entries = new FormIndex<GlossaryEntry>();
    const synonyms = new FormIndex<string[]>();
    for (const group of this.synonyms) {
      for (const w of group) {
        if (/[\u3040-\u30ff\u3400-\u9fff]/.test(w)) {
          // Two-character Japanese words match inside too many compounds; three or more are specific enough.
          if ([...w].length >= 2) synonyms.addJa(normalise(w), group);
        } else {
          synonyms.addTokens(tokenize(w), group);
        }
      }
    }
    for (const entry of this.entries) {
      // Japanese forms match as substrings; a Latin form in the Japanese list ("UPS") must match as a word,
      // or it would match inside "backups".
      const [ja, latin] = partition([entry.ja, ...entry.aliases.ja], (f) => detectLang(f) === 'ja' || /[\u3040-\u30ff\u3400-\u9fff]/.test(f));
      for (const f of ja) entries.addJa(normalise(f), entry);
      for (const f of [...latin, entry.en, ...entry.aliases.en]) entries.addTokens(tokenize(f), entry);
    }
    return { entries, synonyms };
  }

  /** Glossary entries whose Japanese or English form appears in the question, in glossary order. */
  match(question: string, tokens: string[]): GlossaryEntry[] {
    return this.index.entries.find(normalise(question), tokens);
  }

  expand(question: string, weight = 0.5): Expansion {
    const typed = tokenize(question);
    const terms = new Map<string, number>();
    for (const t of typed) terms.set(t, 1);
    const matched = this.match(question, typed);
    // Each added form shares its weight among its tokens, so a long Japanese compound (many bigrams)
    // counts no more than a single English word.
    const damp = weight / Math.max(1, matched.length / 4);
    for (const e of matched) {
      for (const form of [e.ja, e.en, ...e.aliases.ja.slice(0, 2), ...e.aliases.en.slice(0, 2)]) {
        const tokens = [...new Set(tokenize(form))];
        for (const t of tokens) {
          if (typed.includes(t)) continue;
          terms.set(t, Math.max(terms.get(t) ?? 0, damp / Math.sqrt(tokens.length)));
        }
      }
    }
    this.addSynonyms(question, typed, terms);
    return { terms, matched };
  }

  /** Every member of a synonym group found in the question joins the query at SYNONYM_WEIGHT, unless typed. */
  private addSynonyms(question: string, typed: string[], terms: Map<string, number>): void {
    for (const group of this.index.synonyms.find(normalise(question), typed)) {
      for (const w of group) {
        const tokens = [...new Set(tokenize(w))];
        for (const t of tokens) if (!terms.has(t)) terms.set(t, SYNONYM_WEIGHT / Math.sqrt(tokens.length));
      }
    }
  }
}

/**
 * Forms to find in a question: Japanese forms as substrings, English forms as token sequences. They are looked up by
 * a Japanese form's first character and an English form's first token, so a question costs what its own characters
 * and tokens touch, not a pass over every form.
 */
class FormIndex<T> {
  private readonly byChar = new Map<string, { ja: string; value: T; order: number }[]>();
  private readonly byToken = new Map<string, { tokens: string[]; value: T; order: number }[]>();
  private count = 0;

  addJa(ja: string, value: T): void {
    const first = ja.codePointAt(0);
    if (first === undefined) return;
    push(this.byChar, String.fromCodePoint(first), { ja, value, order: this.count++ });
  }

  addTokens(tokens: string[], value: T): void {
    if (tokens.length) push(this.byToken, tokens[0]!, { tokens, value, order: this.count++ });
  }

  /** The values of the forms found, each once, in the order they were added. */
  find(text: string, tokens: string[]): T[] {
    const found = new Map<T, number>();
    const note = (value: T, order: number) => {
      const was = found.get(value);
      if (was === undefined || order < was) found.set(value, order);
    };
    const chars = new Set<string>();
    for (const ch of text) {
      if (chars.has(ch)) continue;
      chars.add(ch);
      for (const f of this.byChar.get(ch) ?? []) if (text.includes(f.ja)) note(f.value, f.order);
    }
    for (let i = 0; i < tokens.length; i++) {
      for (const f of this.byToken.get(tokens[i]!) ?? []) if (startsAt(tokens, i, f.tokens)) note(f.value, f.order);
    }
    return [...found].sort((a, b) => a[1] - b[1]).map(([v]) => v);
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function startsAt(tokens: string[], i: number, seq: string[]): boolean {
  if (i + seq.length > tokens.length) return false;
  for (let j = 0; j < seq.length; j++) if (tokens[i + j] !== seq[j]) return false;
  return true;
}

function partition<T>(xs: T[], test: (x: T) => boolean): [T[], T[]] {
  return [xs.filter(test), xs.filter((x) => !test(x))];
}
