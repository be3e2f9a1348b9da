// The answer without a language model: the most relevant controls, with their ID, title and the guidance for the
// role asked about, in the question's language. A 2013 or CLD control shows its ISO/IEC 27001:2022 number; a 2022
// control is explained through the 27017 items it maps to.
import type { Catalog } from '../catalog/catalog.js';
import type { SearchHit } from '../search/engine.js';
import type { Lang } from '../search/text.js';
import { explain2022, label2022 } from './annex2022.js';
import { firstSentences, roleName, T } from './text.js';

export type AnswerRole = 'customer' | 'provider' | 'both';

/** A further control is shown when it covers at least this share of what the best one covers. */
const RELATED_MATCH = 0.6;

export function composeExtractive(catalog: Catalog, hits: SearchHit[], documents: SearchHit[], lang: Lang, role: AnswerRole, opts: { lowConfidence: boolean }): { text: string; citations: string[] } {
  const t = T[lang];
  const lines: string[] = [];
  const citations: string[] = [];
  const cite = (ids: string[]) => citations.push(...ids.filter((id) => !citations.includes(id)));
  // Keep the answer short: the best control, plus others that match the question nearly as well.
  const known = hits.filter((h) => h.controlId && catalog.has(h.controlId));
  const best = known[0]?.match ?? 0;
  let picked = opts.lowConfidence ? known.slice(0, 3) : known.filter((h, i) => i === 0 || h.match >= best * RELATED_MATCH).slice(0, 3);
  // A 2022 control that leads with its 27017 items is the answer: others only when their IDs were typed too.
  const lead = catalog.get(picked[0]?.controlId ?? '')?.annex2022;
  if (!opts.lowConfidence && lead?.cloud.length) picked = picked.filter((h, i) => i === 0 || h.via.includes('id') || h.via.includes('mapping'));
  if (opts.lowConfidence) {
    lines.push(t.low);
    for (const h of picked) {
      const e = catalog.get(h.controlId!)!;
      lines.push(`• ${e.id} ${e.title[lang]}${label2022(e, lang)}`);
      cite([e.id]);
    }
    return { text: lines.join('\n'), citations };
  }
  lines.push(t.intro(t.forRole[role]));
  // Controls already written out (a 2022 control writes out the items it maps to).
  const shown = new Set<string>();
  picked.forEach((h, i) => {
    const e = catalog.get(h.controlId!)!;
    if (shown.has(e.id)) return;
    if (e.annex2022) {
      const x = explain2022(catalog, e, lang, role, shown);
      lines.push('', ...x.lines);
      cite(x.citations);
      return;
    }
    shown.add(e.id);
    cite([e.id]);
    // Japanese guidance sentences are long: one fewer sentence than in English.
    const depth = (i === 0 ? 3 : 2) - (lang === 'ja' ? 1 : 0);
    lines.push('', `*${e.id} ${e.title[lang]}*${label2022(e, lang)}`);
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
