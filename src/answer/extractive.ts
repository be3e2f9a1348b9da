// The answer without a language model: the most relevant controls, with their ID, title and the guidance for the
// role asked about, in the question's language.
import type { Catalog } from '../catalog/catalog.js';
import type { SearchHit } from '../search/engine.js';
import type { Lang } from '../search/text.js';
import { firstSentences, roleName, T } from './text.js';

export type AnswerRole = 'customer' | 'provider' | 'both';

/** A further control is shown when it covers at least this share of what the best one covers. */
const RELATED_MATCH = 0.6;

export function composeExtractive(catalog: Catalog, hits: SearchHit[], documents: SearchHit[], lang: Lang, role: AnswerRole, opts: { lowConfidence: boolean }): { text: string; citations: string[] } {
  const t = T[lang];
  const lines: string[] = [];
  const citations: string[] = [];
  // Keep the answer short: the best control, plus others that match the question nearly as well.
  const known = hits.filter((h) => h.controlId && catalog.has(h.controlId));
  const best = known[0]?.match ?? 0;
  const shown = opts.lowConfidence ? known.slice(0, 3) : known.filter((h, i) => i === 0 || h.match >= best * RELATED_MATCH).slice(0, 3);
  if (opts.lowConfidence) {
    lines.push(t.low);
    for (const h of shown) {
      const e = catalog.get(h.controlId!)!;
      lines.push(`• ${e.id} ${e.title[lang]}`);
      citations.push(e.id);
    }
    return { text: lines.join('\n'), citations };
  }
  lines.push(t.intro(t.forRole[role]));
  shown.forEach((h, i) => {
    const e = catalog.get(h.controlId!)!;
    citations.push(e.id);
    // Japanese guidance sentences are long: one fewer sentence than in English.
    const depth = (i === 0 ? 3 : 2) - (lang === 'ja' ? 1 : 0);
    lines.push('', `*${e.id} ${e.title[lang]}*`);
    const roles = role === 'both' ? (['customer', 'provider'] as const) : ([role] as const);
    let wrote = false;
    for (const r of roles) {
      const g = e.guidance[r];
      if (g) {
        lines.push(`  ${t[r]}: ${firstSentences(g[lang], depth, lang)}`);
        wrote = true;
      } else if (role !== 'both' && e.kind !== 'requirement') {
        lines.push(`  ${t.noRoleGuidance(roleName(lang, r))}`);
      }
    }
    if (!wrote) lines.push(`  ${t.purpose}: ${firstSentences(e.summary[lang], depth, lang)}`);
  });
  if (documents.length) {
    lines.push('', `${t.fromDocs}:`);
    for (const d of documents.slice(0, 2)) lines.push(`  • ${d.source!.file} › ${d.source!.heading}: ${firstSentences(d.text.replace(/^[^.。]*[.。]\s*/, ''), 1, d.lang)}`);
  }
  return { text: lines.join('\n'), citations };
}
