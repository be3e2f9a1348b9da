// Risk identification (JIP-ISMS517 4.2.1 c): the library risks ranked by fit, the top 8 with a reason each and the
// strongest marked as suggested; "ok" takes those, numbers or IDs pick, "more" lists the rest, free text adds one's own.
import type { FlowDeps } from '../deps.js';
import type { StepContext, StepHandler } from '../flow.js';
import { messages } from '../messages.js';
import * as parse from '../parse.js';
import { rankRisks, TOP, type Ranked } from '../rank.js';
import type { AssessmentState, DraftRisk } from '../types.js';

/** The suggested risks: those of the top 8 close to the best fit (within 1.5 points), at least 3. */
export function suggestedRisks(ranked: Ranked[]): string[] {
  const top = ranked.slice(0, TOP);
  const best = top[0]?.score ?? 0;
  const close = top.filter((r) => r.score >= best - 1.5);
  return (close.length >= 3 ? close : top.slice(0, 3)).map((r) => r.id);
}

function ranked(state: AssessmentState, deps: FlowDeps): Ranked[] {
  const byId = new Map(rankRisks(state, deps.catalog, deps.fit).map((r) => [r.id, r]));
  return state.offered.map((id) => byId.get(id)).filter((r): r is Ranked => !!r);
}

function draft(id: string, state: AssessmentState, deps: FlowDeps): DraftRisk {
  const r = deps.catalog.risks.find((x) => x.id === id);
  if (!r) throw new Error(`${id} is not in the risk library`);
  const cia = `${r.cia.confidentiality ? 'C' : ''}${r.cia.integrity ? 'I' : ''}${r.cia.availability ? 'A' : ''}`;
  return { libraryId: id, title: r.title[state.lang], description: r.description[state.lang], cia, controls: [] };
}

function selection(state: AssessmentState): string {
  const m = messages(state.lang);
  return [m.selected, ...state.risks.map((r, i) => `${i + 1}. ${r.libraryId ?? '+'} ${r.title}`), m.selectedNext].join('\n');
}

/** Own risks typed as "+ title", "add …", "追加 …", or as a sentence that is clearly not a pick. */
function ownRisk(text: string): string | undefined {
  const marked = /^(?:\+|add\b|own\b|追加|独自)[\s:：]*(.+)$/i.exec(text);
  if (marked?.[1]) return marked[1].trim().slice(0, 200);
  const words = text.split(/\s+/).length;
  const cjk = (text.match(/[\u3040-\u30ff\u4e00-\u9fff]/g) ?? []).length;
  return words >= 3 || cjk >= 6 ? text.slice(0, 200) : undefined;
}

function proceed(ctx: StepContext, list: Ranked[]): void {
  const { state } = ctx;
  if (!state.risks.length) state.risks = suggestedRisks(list).map((id) => draft(id, state, ctx.deps));
  state.cursor = 0;
  state.step = 'risk';
}

export const risksStep: StepHandler = {
  prompt(state, deps) {
    const m = messages(state.lang);
    const list = ranked(state, deps);
    const suggested = new Set(suggestedRisks(list));
    const shown = state.showAll ? list : list.slice(0, TOP);
    const title = (id: string) => deps.catalog.risks.find((x) => x.id === id)?.title[state.lang] ?? id;
    const choices = shown.map((r, i) => ({ value: r.id, label: `${i + 1}. ${r.id} ${title(r.id)}${suggested.has(r.id) ? ' ★' : ''}\n     ${r.reason[state.lang]}` }));
    const buttons = [{ value: 'ok', label: m.acceptSuggested(suggested.size) }];
    if (!state.showAll && list.length > TOP) buttons.push({ value: 'more', label: m.moreRisks(list.length - TOP) });
    return {
      text: state.risks.length ? selection(state) : m.risksQ(state.scope.service ?? '?', shown.length, list.length, suggested.size),
      // The list is shown until a selection is made, and again after "more".
      choices: state.risks.length && !state.showAll ? undefined : choices,
      multi: true,
      buttons,
    };
  },
  answer(ctx) {
    const { state, text, deps, m } = ctx;
    const list = ranked(state, deps);
    if (parse.isOk(text)) return proceed(ctx, list);
    if (parse.isMore(text)) {
      if (state.showAll || list.length <= TOP) ctx.notes.push(m.noMore);
      state.showAll = true;
      return;
    }
    const remove = /^-\s*(\d+)$/.exec(text);
    if (remove) {
      state.risks.splice(Number(remove[1]) - 1, 1);
      state.showAll = false;
      return;
    }
    const next = /[\s,、]+(next|ok|次へ|つぎへ)$/i.exec(text);
    const body = next ? text.slice(0, next.index) : text;
    const picks = parse.picks(body);
    if ('bad' in picks || (!picks.positions.length && !picks.ids.length)) {
      const own = ownRisk(text);
      if (!own) return { error: m.risksHint(text) };
      state.risks.push({ title: own, controls: [] });
      ctx.notes.push(m.addedOwn(own));
      return;
    }
    const ids: string[] = [];
    for (const n of picks.positions) {
      const picked = list[n - 1];
      if (!picked) return { error: m.notListed(n, list.length) };
      ids.push(picked.id);
    }
    for (const id of picks.ids) {
      if (!deps.catalog.risks.some((x) => x.id === id)) return { error: m.risksHint(id) };
      ids.push(id);
    }
    // The picks replace the library selection; risks typed by participants stay.
    state.risks = [...[...new Set(ids)].map((id) => draft(id, state, deps)), ...state.risks.filter((r) => !r.libraryId)];
    state.showAll = false;
    if (next) return proceed(ctx, list);
  },
};
