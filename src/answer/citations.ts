// The citation check: every control ID in an LLM answer must exist in the catalogue and be among the retrieved
// context. Anything else is removed from the text and reported.
import { canonicalId } from '../catalog/ids.js';

const idPattern = /\[?\b(?:(?:CLD|cld)\.?\s?\d{1,2}\.\d{1,2}\.\d{1,2}|(?:A\.)?\d{1,2}\.\d{1,2}\.\d{1,2}|JIP-ISMS517-4(?:\.\d){1,2})\b\]?/g;

export interface CitationCheck {
  text: string;
  cited: string[];
  removed: string[];
}

export function checkCitations(answer: string, allowed: ReadonlySet<string>): CitationCheck {
  const cited: string[] = [];
  const removed: string[] = [];
  const text = answer.normalize('NFKC').replace(idPattern, (m) => {
    const id = canonicalId(m.replace(/[[\]]/g, ''));
    if (!id) return m;
    if (allowed.has(id)) {
      if (!cited.includes(id)) cited.push(id);
      return m.startsWith('[') ? `[${id}]` : id;
    }
    if (!removed.includes(id)) removed.push(id);
    return '';
  });
  return { text: text.replace(/[ \t]{2,}/g, ' ').replace(/\(\s*\)|（\s*）|\[\s*\]/g, '').trim(), cited, removed };
}
