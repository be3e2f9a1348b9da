// Language detection and tokenisation for lexical search.
// English: lower case, stop words removed, Porter stemming. Japanese: Intl.Segmenter words plus
// character bigrams over kanji/katakana runs, which catch compounds the segmenter splits differently.
import { stemmer } from 'stemmer';

export type Lang = 'en' | 'ja';

const jaChar = /[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff\u30fc]/g;
const contentRun = /[\u30a0-\u30ff\u3400-\u9fff\uf900-\ufaff\u30fc々]+/g;

/** Japanese when the text holds at least two Japanese characters; otherwise English. */
export function detectLang(text: string): Lang {
  return (text.match(jaChar)?.length ?? 0) >= 2 ? 'ja' : 'en';
}

const enStop = new Set(`a about above after again against all am an and any are as at be because been before being below
between both but by can could did do does doing down during each few for from further had has have having he her here hers
herself him himself his how i if in into is it its itself just me more most my myself no nor not now of off on once only or
other our ours ourselves out over own same she should so some such than that the their theirs them themselves then there
these they this those through to too under until up very was we were what when where which while who whom why will with
would you your yours yourself yourselves us shall may might must need needs also e g eg ie etc via per whose within without
does do don t s whether`.split(/\s+/));

const jaStop = new Set(`の は が を に で と も か へ や から まで より って とは には では での への との ね よ な だ た て で
する し して され される させ いる いた ある あり なる なり ます です でし ました こと もの ため よう 等 など 及び 並びに 又は
または また その この それ これ どう どの どちら 誰 何 なに 行う 行い 場合 について における に関する に対する ？ ?`.split(/\s+/));

const segmenter = new Intl.Segmenter('ja', { granularity: 'word' });

export function normalise(text: string): string {
  return text.normalize('NFKC').toLowerCase();
}

/** Stemmed English word, or null for a stop word or bare number. */
export function enTerm(word: string): string | null {
  if (enStop.has(word) || /^\d+$/.test(word) || word.length < 2) return null;
  return stemmer(word);
}

/**
 * Tokenised short texts (glossary forms, questions, guidance sentences) are kept: answers tokenise the same corpus
 * sentences and glossary forms for every question. Long texts (whole chunks at index time) are not kept.
 */
const memo = new Map<string, readonly string[]>();
const memoMax = 50_000;
const memoLongest = 400;

/** Tokens of a text of any language mix. Japanese and English parts are handled separately. Do not modify the result. */
export function tokenize(text: string): string[] {
  if (text.length > memoLongest) return tokenizeNow(text);
  let tokens = memo.get(text);
  if (!tokens) {
    if (memo.size >= memoMax) memo.clear();
    tokens = Object.freeze(tokenizeNow(text));
    memo.set(text, tokens);
  }
  return tokens as string[];
}

// eslint-disable-next-line no-control-regex -- the whole ASCII range
const ascii = /^[\x00-\x7f]*$/;

function tokenizeNow(text: string): string[] {
  const t = normalise(text);
  // Plain ASCII needs no word segmenter: splitting at every non-alphanumeric gives the same words, 20 times faster.
  return ascii.test(t) ? asciiTokens(t) : segmentedTokens(t);
}

/** Tokens of normalised text of any script, through the word segmenter. */
export function segmentedTokens(t: string): string[] {
  const out: string[] = [];
  for (const seg of segmenter.segment(t)) {
    if (!seg.isWordLike) continue;
    const w = seg.segment;
    if (/[\u3040-\u30ff\u3400-\u9fff]/.test(w)) {
      if (!jaStop.has(w) && !/^[\u3040-\u309f]$/.test(w)) out.push(w);
    } else {
      for (const term of asciiTokens(w)) out.push(term);
    }
  }
  for (const run of t.match(contentRun) ?? []) {
    const chars = [...run];
    if (chars.length === 1) out.push(run);
    for (let i = 0; i + 1 < chars.length; i++) out.push(chars[i]! + chars[i + 1]!);
  }
  return out;
}

/** English terms of normalised text, split at every character that is not a-z or 0-9. */
export function asciiTokens(t: string): string[] {
  const out: string[] = [];
  for (const part of t.split(/[^a-z0-9]+/)) {
    const term = part ? enTerm(part) : null;
    if (term) out.push(term);
  }
  return out;
}

