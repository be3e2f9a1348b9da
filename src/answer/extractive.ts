// The answer without a language model: the most relevant controls, with their ID, title and the guidance for the
// role asked about, in the question's language. A 2013 or CLD control shows its ISO/IEC 27001:2022 number; a 2022
// control is explained through the 27017 items it maps to.
import type { Catalog, CatalogEntry } from '../catalog/catalog.js';
import type { SearchHit } from '../search/engine.js';
import type { Lang } from '../search/text.js';
import { explain2022, label2022 } from './annex2022.js';
import type { Hats } from './hats.js';
import { directAnswer, whoActs } from './matrix.js';
import { topicBlock, topicsNamed } from './topics.js';
import { bearsOn, layout, LEAD_WEIGHT, threshold, part, partsOf, renderBlock, seed, type Block, type Line, type Part } from './compose.js';
import { modelFocus, scoreSentences, weightedTerms, type Scored } from './sentences.js';
import { firstSentences, roleName, T } from './text.js';

export type AnswerRole = 'customer' | 'provider' | 'both';

/**
 * Characters an extractive answer aims to stay within: our choice of about two phone screens of Slack text (Japanese
 * carries more per character). The direct answer and the first control are always shown in full.
 */
export const ANSWER_BUDGET = { en: 1300, ja: 900 } as const;

/** Sentences the leading control starts with, per text. */
const LEAD_SEED = 1;

/** Controls an answer draws on at most; those whose sentences do not fit are named under "See also". */
const MAX_CONTROLS = 3;

/** A further control is a candidate when retrieval scores it at least this share of the best one's score. */
const RELATED_SCORE = 0.9;

/** A further control is shown when it covers at least this share of what the best one covers. */
const RELATED_MATCH = 0.6;

export function composeExtractive(catalog: Catalog, hits: SearchHit[], documents: SearchHit[], lang: Lang, role: AnswerRole, opts: { lowConfidence: boolean; question?: string; hats?: Hats }): { text: string; citations: string[] } {
  const t = T[lang];
  // Nothing relevant: say so in one line with how to ask better, and list nothing unrelated.
  if (opts.lowConfidence) return { text: t.low, citations: [] };
  const { terms, rarity } = weightedTerms(catalog, opts.question ?? '', lang);
  // A question about one service model ("Microsoft 365", "our SaaS on AWS") reads sentences about other models less.
  const h = opts.hats;
  const focus = modelFocus([...new Set([h?.model, h?.both?.service, h?.both?.platform.model].filter((m): m is NonNullable<typeof m> => !!m))]);
  const score = (text: string) => scoreSentences(text, terms, lang, rarity, focus);
  // Keep the answer short: the best control, plus others that match the question nearly as well.
  const known = hits.filter((h) => h.controlId && catalog.has(h.controlId));
  const best = known[0]?.match ?? 0;
  // A control ranked nearly as high as the best (by the glossary, say) stays a candidate even when its best chunk
  // shares fewer of the question's words.
  const topScore = known[0]?.score ?? 0;
  let picked = known.filter((h, i) => i === 0 || h.match >= best * RELATED_MATCH || h.score >= topScore * RELATED_SCORE).slice(0, MAX_CONTROLS);
  // A 2022 control that leads with its 27017 items is the answer: others only when their IDs were typed too.
  const lead2022 = catalog.get(picked[0]?.controlId ?? '')?.annex2022;
  if (lead2022?.cloud.length) picked = picked.filter((h, i) => i === 0 || h.via.includes('id') || h.via.includes('mapping'));
  // First the direct answer from the responsibility matrix, for the first control that has a row.
  // The leading control itself, or for a 2022 control the first of its 2013 sources and 27017 items with a row.
  const first = picked[0] ? catalog.get(picked[0].controlId!) : undefined;
  const lead = first && [first.id, ...(first.annex2022?.from2013 ?? []), ...(first.annex2022?.cloud ?? [])].find((id) => catalog.responsibility(id));
  const hats = opts.hats ?? { role, model: null, products: [] };
  // With the service model known, the matrix cell is the direct answer. Without it, the matrix can only say who acts
  // in each model: that line follows the most relevant guidance sentence, which answers first.
  const modelKnown = !!(hats.model || hats.both);
  const row = lead ? catalog.responsibility(lead) : undefined;
  const direct = lead && modelKnown ? directAnswer(catalog, lead, role, hats, lang) : null;
  let opener = direct ? `${direct} [${lead}]` : row ? `${whoActs(row, lang)} [${lead}]` : t.intro(t.forRole[role]);
  // Controls already written out (a 2022 control writes out the items it maps to).
  const written = new Set<string>();
  const blocks: Block[] = [];
  // A topic the question names (licences, CMDB, the certification scheme) offers its sentences after the leading
  // control; when the question asks what the topic is, the topic says it first.
  const topics = topicsNamed(catalog, opts.question ?? '').map((tp) => topicBlock(tp, lang, score, opts.question));
  const bestOf = (b: Block) => partsOf(b).flatMap((p) => p.sentences.map((x) => ({ p, x }))).filter(({ x }) => x.r > 0).sort((a, b) => b.x.r - a.x.r)[0];
  const take = (top: { p: Part; x: Scored }) => {
    top.p.sentences = top.p.sentences.filter((x) => x !== top.x);
    seed(top.p, LEAD_SEED);
  };
  picked.forEach((h, i) => {
    const e = catalog.get(h.controlId!)!;
    if (written.has(e.id)) return;
    const block = e.annex2022 ? explain2022(catalog, e, lang, role, written, score) : controlBlock(e, lang, role, score);
    blocks.push(h.score >= topScore * RELATED_SCORE ? { ...block, strong: true } : block);
    written.add(e.id);
    if (i > 0) return;
    // The leading control starts with its most relevant sentence per text.
    for (const p of partsOf(blocks[0]!)) seed(p, LEAD_SEED);
    if (direct || e.annex2022) return;
    // Without a matrix cell, the most relevant sentence of the leading control, or of a topic the question asks about,
    // is the direct answer (a 2022 control keeps its own summary, which states what it is, and opens with who acts).
    const defining = topics.filter((b) => (b.weight ?? 0) >= LEAD_WEIGHT).map(bestOf).find((x) => x);
    const top = defining ?? bestOf(blocks[0]!);
    if (!top) return;
    const whoLine = row ? `\n${whoActs(row, lang)}${lead !== e.id ? ` [${lead}]` : ''}` : '';
    // A sentence of one role's guidance says whose it is ("Provider: Patch the hypervisors …").
    const whose = top.p.role ? `${roleName(lang, top.p.role).replace(/^./, (c) => c.toUpperCase())}: ` : '';
    opener = `${whose}${top.x.s}${defining ? '' : ` [${e.id}]`}${whoLine}`;
    take(top);
  });
  if (blocks.length) blocks.splice(1, 0, ...topics);
  // Short enough to read on a phone: further sentences and controls are added only while the answer stays within the
  // budget, the most relevant first.
  const budget = ANSWER_BUDGET[lang];
  const shown = new Set<Block>(blocks.slice(0, 1));
  const visible = () => blocks.filter((b) => shown.has(b));
  // Relevant controls that do not fit are named on one "See also" line, which counts against the budget too.
  const seeAlsoLine = (left: Block[]) => left.length ? `${t.seeAlso}: ${left.map((b) => `${b.id} ${catalog.get(b.id)!.title[lang]}`).join(t.seeAlsoSep)}` : null;
  // Only a control with a sentence that bears on the question is named: never a list of unrelated titles.
  const min = threshold(blocks);
  const words = Math.min(2, [...terms.values()].filter((w) => w >= 1).length);
  const notShown = () => blocks.filter((b) => !shown.has(b) && !b.optional && bearsOn(b, min, words));
  const render = () => {
    const also = seeAlsoLine(notShown());
    return [opener, ...visible().flatMap((b) => ['', ...renderBlock(b, lang)]), ...(also ? ['', also] : [])];
  };
  const size = () => render().reduce((n, l) => n + l.length + 1, 0) - 1;
  layout(blocks, shown, size, budget, words);
  const lines = render();
  const citations: string[] = [];
  const cite = (ids: string[]) => citations.push(...ids.filter((id) => !citations.includes(id)));
  for (const b of visible()) cite(b.cites);
  // The control whose matrix row opens the answer, when no block cites it; then the controls named under "See also".
  if (row) cite([lead!]);
  cite(notShown().map((b) => b.id));
  if (documents.length) {
    lines.push('', `${t.fromDocs}:`);
    for (const d of documents.slice(0, 2)) lines.push(`  • ${d.source!.file} › ${d.source!.heading}: ${firstSentences(d.text.replace(/^[^.。]*[.。]\s*/, ''), 1, d.lang)}`);
  }
  return { text: lines.join('\n'), citations };
}

/** A 2013, CLD or JIP-ISMS517 entry: the guidance for the role asked, or its own summary (with a requirement's items). */
function controlBlock(e: CatalogEntry, lang: Lang, role: AnswerRole, score: (text: string) => Scored[]): Block {
  const t = T[lang];
  const lines: Line[] = [`*${e.id} ${e.title[lang]}*${label2022(e, lang)}`];
  const roles = role === 'both' ? (['customer', 'provider'] as const) : ([role] as const);
  for (const r of roles) {
    const g = e.guidance[r];
    if (g) lines.push(part(`  ${t[r]}: `, score(g[lang]), false, r));
  }
  // Without guidance for the role asked (a 27002 control 27017 does not extend, or a CLD control that binds the
  // other role), the control's own summary answers; a JIP-ISMS517 requirement adds its lettered items.
  if (lines.length === 1) {
    const items = e.requirement?.items.map((x) => x.text[lang]).join(t.sentenceSep) ?? '';
    lines.push(part(`  ${e.kind === 'cld' ? t.control : t.purpose}: `, score(items ? `${e.summary[lang]}${t.sentenceSep}${items}` : e.summary[lang])));
  }
  return { id: e.id, lines, cites: [e.id] };
}
