// The answer without a language model: the most relevant controls, with their ID, title and the guidance for the
// role asked about, in the question's language. A 2013 or CLD control shows its ISO/IEC 27001:2022 number; a 2022
// control is explained through the 27017 items it maps to.
import type { Catalog, CatalogEntry } from '../catalog/catalog.js';
import type { SearchHit } from '../search/engine.js';
import type { Lang } from '../search/text.js';
import { explain2022, label2022 } from './annex2022.js';
import type { Hats } from './hats.js';
import { directAnswer } from './matrix.js';
import { questionTerms, relevantSentences } from './sentences.js';
import { firstSentences, T } from './text.js';

export type AnswerRole = 'customer' | 'provider' | 'both';

/**
 * Characters an extractive answer aims to stay within: our choice of about two phone screens of Slack text (Japanese
 * carries more per character). The direct answer and the first control are always shown in full.
 */
export const ANSWER_BUDGET = { en: 1300, ja: 900 } as const;

/** A further control is shown when it covers at least this share of what the best one covers. */
const RELATED_MATCH = 0.6;

export function composeExtractive(catalog: Catalog, hits: SearchHit[], documents: SearchHit[], lang: Lang, role: AnswerRole, opts: { lowConfidence: boolean; question?: string; hats?: Hats }): { text: string; citations: string[] } {
  const terms = questionTerms(opts.question ?? '');
  const t = T[lang];
  const lines: string[] = [];
  const citations: string[] = [];
  const cite = (ids: string[]) => citations.push(...ids.filter((id) => !citations.includes(id)));
  // Keep the answer short: the best control, plus others that match the question nearly as well.
  const known = hits.filter((h) => h.controlId && catalog.has(h.controlId));
  const best = known[0]?.match ?? 0;
  let picked = opts.lowConfidence ? known.slice(0, 3) : known.filter((h, i) => i === 0 || h.match >= best * RELATED_MATCH).slice(0, 3);
  // A 2022 control that leads with its 27017 items is the answer: others only when their IDs were typed too.
  const lead2022 = catalog.get(picked[0]?.controlId ?? '')?.annex2022;
  if (!opts.lowConfidence && lead2022?.cloud.length) picked = picked.filter((h, i) => i === 0 || h.via.includes('id') || h.via.includes('mapping'));
  // Nothing relevant: say so in one line with how to ask better, and list nothing unrelated.
  if (opts.lowConfidence) return { text: t.low, citations: [] };
  // First the direct answer from the responsibility matrix, for the first control that has a row.
  // The leading control itself, or for a 2022 control the first of its 2013 sources and 27017 items with a row.
  const first = picked[0] ? catalog.get(picked[0].controlId!) : undefined;
  const lead = first && [first.id, ...(first.annex2022?.from2013 ?? []), ...(first.annex2022?.cloud ?? [])].find((id) => catalog.responsibility(id));
  const direct = lead ? directAnswer(catalog, lead, role, opts.hats ?? { role, model: null, products: [] }, lang) : null;
  lines.push(direct ? `${direct} [${lead}]` : t.intro(t.forRole[role]));
  // Controls already written out (a 2022 control writes out the items it maps to).
  const shown = new Set<string>();
  // Short enough to read on a phone: a further control is added only while the answer stays within the budget.
  const budget = ANSWER_BUDGET[lang];
  const size = () => lines.reduce((n, l) => n + l.length + 1, 0);
  // Relevant controls that did not fit: named in one line, so the reader knows where to look next.
  const seeAlso: CatalogEntry[] = [];
  picked.forEach((h, i) => {
    const e = catalog.get(h.controlId!)!;
    if (shown.has(e.id)) return;
    if (e.annex2022) {
      const x = explain2022(catalog, e, lang, role, shown);
      lines.push('', ...x.lines);
      cite(x.citations);
      return;
    }
    const mark = lines.length;
    // The sentences that bear on the question; Japanese sentences are long, so one fewer than in English.
    const depth = (i === 0 ? 4 : 2) - (lang === 'ja' ? 1 : 0);
    const pick = (text: string) => relevantSentences(text, terms, depth, lang).join(lang === 'ja' ? '' : ' ');
    lines.push('', `*${e.id} ${e.title[lang]}*${label2022(e, lang)}`);
    const roles = role === 'both' ? (['customer', 'provider'] as const) : ([role] as const);
    let wrote = false;
    for (const r of roles) {
      const g = e.guidance[r];
      if (!g) continue;
      lines.push(`  ${t[r]}: ${pick(g[lang])}`);
      wrote = true;
    }
    // Without guidance for the role asked (a 27002 control 27017 does not extend, or a CLD control that binds the
    // other role), the control's own summary answers.
    if (!wrote) lines.push(`  ${e.kind === 'cld' ? t.control : t.purpose}: ${pick(e.summary[lang])}`);
    if (i > 0 && size() > budget) {
      lines.length = mark;
      seeAlso.push(e);
      return;
    }
    shown.add(e.id);
    cite([e.id]);
  });
  if (seeAlso.length) {
    lines.push('', `${t.seeAlso}: ${seeAlso.map((e) => `${e.id} ${e.title[lang]}`).join(lang === 'ja' ? '、' : ' · ')}`);
    cite(seeAlso.map((e) => e.id));
  }
  if (documents.length) {
    lines.push('', `${t.fromDocs}:`);
    for (const d of documents.slice(0, 2)) lines.push(`  • ${d.source!.file} › ${d.source!.heading}: ${firstSentences(d.text.replace(/^[^.。]*[.。]\s*/, ''), 1, d.lang)}`);
  }
  return { text: lines.join('\n'), citations };
}
