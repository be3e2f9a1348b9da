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

interface Form {
  entry: GlossaryEntry;
  /** Japanese forms are matched as substrings; English forms as token sequences. */
  ja?: string;
  tokens?: string[];
}

/** Weight of a synonym's tokens in the query: below a glossary expansion, which a person curated. */
export const SYNONYM_WEIGHT = 0.35;

export class Glossary {
  private readonly forms: Form[] = [];
  /** Synonym groups by the Japanese substring or the English first token that finds them. */
  private readonly synonymForms: { ja?: string; tokens?: string[]; group: string[] }[] = [];

  constructor(readonly entries: GlossaryEntry[], synonyms: string[][] = []) {
    for (const group of synonyms) {
      for (const w of group) {
        if (/[\u3040-\u30ff\u3400-\u9fff]/.test(w)) {
          // Two-character Japanese words match inside too many compounds; three or more are specific enough.
          if ([...w].length >= 2) this.synonymForms.push({ ja: normalise(w), group });
        } else {
          const tokens = tokenize(w);
          if (tokens.length) this.synonymForms.push({ tokens, group });
        }
      }
    }
    for (const entry of entries) {
      // Japanese forms match as substrings; a Latin form in the Japanese list ("UPS") must match as a word,
      // or it would match inside "backups".
      const [ja, latin] = partition([entry.ja, ...entry.aliases.ja], (f) => detectLang(f) === 'ja' || /[\u3040-\u30ff\u3400-\u9fff]/.test(f));
      for (const f of ja) this.forms.push({ entry, ja: normalise(f) });
      for (const f of [...latin, entry.en, ...entry.aliases.en]) {
        const tokens = tokenize(f);
        if (tokens.length) this.forms.push({ entry, tokens });
      }
    }
  }

  /** Glossary entries whose Japanese or English form appears in the question. */
  match(question: string, tokens: string[]): GlossaryEntry[] {
    const text = normalise(question);
    const found = new Set<GlossaryEntry>();
    for (const f of this.forms) {
      if (found.has(f.entry)) continue;
      if (f.ja !== undefined ? text.includes(f.ja) : containsSequence(tokens, f.tokens!)) found.add(f.entry);
    }
    return [...found];
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
    const text = normalise(question);
    const groups = new Set<string[]>();
    for (const f of this.synonymForms) {
      if (f.ja !== undefined ? text.includes(f.ja) : containsSequence(typed, f.tokens!)) groups.add(f.group);
    }
    for (const group of groups) {
      for (const w of group) {
        const tokens = [...new Set(tokenize(w))];
        for (const t of tokens) if (!terms.has(t)) terms.set(t, SYNONYM_WEIGHT / Math.sqrt(tokens.length));
      }
    }
  }
}

function containsSequence(tokens: string[], seq: string[]): boolean {
  outer: for (let i = 0; i + seq.length <= tokens.length; i++) {
    for (let j = 0; j < seq.length; j++) if (tokens[i + j] !== seq[j]) continue outer;
    return true;
  }
  return false;
}

function partition<T>(xs: T[], test: (x: T) => boolean): [T[], T[]] {
  return [xs.filter(test), xs.filter((x) => !test(x))];
}
