// The citation check: every control ID in an LLM answer must exist in the catalogue and be among the retrieved
// context. Anything else is removed from the text and reported.
import { canonicalId } from '../catalog/ids.js';

// 2013, CLD and JIP-ISMS517 IDs; then ISO/IEC 27001:2022 IDs (5.23, A.8.16), which look like plain numbers
// ("version 5.1"): a bare one outside the context is left alone, a bracketed or "A."-prefixed one is a citation.
const idPattern = /(\[?\b(?:(?:CLD|cld)\.?\s?\d{1,2}\.\d{1,2}\.\d{1,2}|(?:A\.)?\d{1,2}\.\d{1,2}\.\d{1,2}|JIP-ISMS517-4(?:\.\d){1,2})\b\]?)|(\[?(?<![\w.])(?:A\.)?[5-8]\.\d{1,2}(?!\d|\.\d)\]?)/g;

export interface CitationCheck {
  text: string;
  cited: string[];
  removed: string[];
}

/** `labels`: IDs the context shows only as labels (a 2013 control's 2022 number): kept in the text, not cited. */
export function checkCitations(answer: string, allowed: ReadonlySet<string>, labels: ReadonlySet<string> = new Set()): CitationCheck {
  const cited: string[] = [];
  const removed: string[] = [];
  const check = (m: string, loose: boolean) => {
    const id = canonicalId(m.replace(/[[\]]/g, ''));
    if (!id) return m;
    if (allowed.has(id)) {
      if (!cited.includes(id)) cited.push(id);
      return `${m.startsWith('[') ? '[' : ''}${id}${m.endsWith(']') ? ']' : ''}`;
    }
    if (labels.has(id)) return m;
    if (loose && !/^\[|^A\./.test(m)) return m;
    if (!removed.includes(id)) removed.push(id);
    return '';
  };
  const text = answer.normalize('NFKC').replace(idPattern, (m: string, _old?: string, id2022?: string) => check(m, id2022 !== undefined));
  // Leftovers of a removed ID: "()", "[]", "(2022: )".
  const empty = /[(（]\s*(?:2022[^()（）:：]{0,4}[:：]\s*)?[)）]|\[\s*\]/g;
  return { text: text.replace(/[ \t]{2,}/g, ' ').replace(empty, '').replace(/[ \t]{2,}/g, ' ').trim(), cited, removed };
}
