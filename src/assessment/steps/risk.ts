// Analysis and treatment, one risk at a time (JIP-ISMS517 4.2.1 d–f): CIA, likelihood × impact, owner, treatment and
// controls are suggested with their reasons; "ok" accepts them, one message changes any of them, "ok all" accepts the rest.
import type { CatalogEntry } from '../../catalog/catalog.js';
import type { FlowDeps } from '../deps.js';
import type { Outcome, StepContext, StepHandler } from '../flow.js';
import { rolesOf } from '../groups.js';
import { messages, type Messages } from '../messages.js';
import * as parse from '../parse.js';
import { rankRisks } from '../rank.js';
import { levelOf, suggest, type Suggestion } from '../suggest.js';
import type { AssessmentState, DraftRisk, Treatment } from '../types.js';

/** The risk at i: the step only runs with a risk under the cursor. */
function riskAt(state: AssessmentState, i: number): DraftRisk {
  const risk = state.risks[i];
  if (!risk) throw new Error(`assessment ${state.id} has no risk ${i + 1}`);
  return risk;
}

function relevant(e: CatalogEntry | undefined, state: AssessmentState): boolean {
  if (!e || e.kind === 'requirement') return false;
  return e.kind === 'control' || rolesOf(state.scope.role).some((r) => e.cloudGuidance[r]);
}

/** Proposes the risk's controls once: the library's, plus what retrieval finds, for the roles in scope. */
async function prepare(state: AssessmentState, deps: FlowDeps, i: number): Promise<void> {
  const risk = state.risks[i];
  if (!risk || risk.proposed) return;
  const library = deps.catalog.risks.find((x) => x.id === risk.libraryId)?.controls ?? [];
  const found = await deps.suggest(`${risk.title} ${risk.description ?? ''}`, state.scope.role ?? 'both');
  risk.controls = [...new Set([...library, ...found.slice(0, library.length ? 2 : 4)])].filter((id) => relevant(deps.catalog.get(id), state));
  risk.proposed = true;
}

function suggestionFor(state: AssessmentState, deps: FlowDeps, i: number): Suggestion {
  const risk = riskAt(state, i);
  const lib = deps.catalog.risks.find((x) => x.id === risk.libraryId);
  const titles = lib ? [lib.title.en, lib.title.ja] : [risk.title];
  const view = { ...state, cursor: i };
  return suggest(view, risk, risk.libraryId ? deps.fit.get(risk.libraryId) : undefined, titles, { earlier: deps.earlier, profileBy: deps.profile?.setBy }, deps.riskLevels);
}

/** The values the risk would be recorded with: what was typed before, else the suggestion. */
function current(risk: DraftRisk, s: Suggestion) {
  const treatment = risk.treatment ?? s.treatment;
  return {
    cia: risk.cia ?? s.cia, likelihood: risk.likelihood ?? s.likelihood, impact: risk.impact ?? s.impact,
    owner: risk.owner ?? s.owner, treatment, controls: treatment === 'modify' || risk.treatment ? risk.controls : [],
  };
}

/** The values the current risk would be recorded with ("ok"): for the Slack form's initial values. */
export function riskValues(state: AssessmentState, deps: FlowDeps) {
  const risk = state.risks[state.cursor];
  if (state.step !== 'risk' || !risk) return undefined;
  return { title: risk.title, ...current(risk, suggestionFor(state, deps, state.cursor)) };
}

export function riskLine(r: Pick<DraftRisk, 'title' | 'cia' | 'likelihood' | 'impact' | 'owner' | 'treatment' | 'controls'>, deps: FlowDeps, m: Messages): string {
  const score = (r.likelihood ?? 0) * (r.impact ?? 0);
  const controls = r.controls.length ? ` → ${r.controls.join(', ')}` : '';
  return `${r.title} — CIA ${r.cia} · ${r.likelihood}×${r.impact}=${score} (${levelOf(score, deps.riskLevels)}) · ${m.owner} ${r.owner} · ${m.treatments[r.treatment ?? 'modify']}${controls}`;
}

function controlLine(e: CatalogEntry, state: AssessmentState): string {
  const g = rolesOf(state.scope.role).map((r) => e.guidance[r]).find(Boolean);
  const text = (g ?? e.summary)[state.lang];
  const first = state.lang === 'ja' ? `${text.split('。')[0] ?? ''}。` : text.split(/(?<=\.)\s/)[0] ?? text;
  return `${e.id} ${e.title[state.lang]} — ${first.length > 110 ? first.slice(0, 109) + '…' : first}`;
}

/** Applies the controls typed as "+ID" / "-ID"; an unknown ID is a problem with suggestions. */
function editControls(list: string[], add: string[], remove: string[], deps: FlowDeps, m: Messages): string[] | { error: string } {
  const next = [...list];
  for (const [raw, sign] of [...add.map((x) => [x, '+'] as const), ...remove.map((x) => [x, '-'] as const)]) {
    const r = deps.catalog.resolve(raw);
    if (!r.ok) return { error: m.badControl(raw, r.suggestions) };
    if (r.entry.kind === 'requirement') return { error: m.requirementNotControl(r.id) };
    const at = next.indexOf(r.id);
    if (sign === '-' && at >= 0) next.splice(at, 1);
    else if (sign === '+' && at < 0) next.push(r.id);
  }
  return next;
}

/** A single word the participant typed where no other reading fits: a person's name. */
const nameLike = (w: string) => /^[\p{L}][\p{L}\p{N}._-]{0,40}$/u.test(w) && !/^(skip|later|help|no|none|next|いいえ|なし|あとで)$/i.test(w);

/** Records risk i with the changes given, the rest as suggested. */
function record(ctx: StepContext, i: number, change: Partial<parse.RiskAnswer>): Outcome {
  const { state, deps, m } = ctx;
  const risk = riskAt(state, i);
  const s = suggestionFor(state, deps, i);
  const base = current(risk, s);
  const treatment: Treatment = change.treatment ?? (change.add?.length ? 'modify' : base.treatment);
  const start = change.treatment && change.treatment !== 'modify' ? [] : treatment === 'modify' ? risk.controls : base.controls;
  const controls = editControls(start, change.add ?? [], change.remove ?? [], deps, m);
  if ('error' in controls) return controls;
  const owner = change.owner ?? base.owner;
  if (!owner) return { error: m.ownerNeeded(risk.title) };
  if (treatment === 'modify' && !controls.length) return { error: m.modifyNeedsControl };
  Object.assign(risk, {
    cia: change.cia ?? base.cia, likelihood: change.likelihood ?? base.likelihood, impact: change.impact ?? base.impact,
    owner, treatment, controls,
  });
  ctx.notes.push(m.recorded(riskLine(risk, deps, m)));
}

async function moveOn(ctx: StepContext): Promise<void> {
  const { state } = ctx;
  state.cursor++;
  if (state.cursor < state.risks.length) await prepare(state, ctx.deps, state.cursor);
  else state.step = 'missing';
}

function fromForm(ctx: StepContext): Partial<parse.RiskAnswer> | { error: string } {
  const f = ctx.input.fields ?? {};
  const p = ctx.m.formProblems;
  const problems: string[] = [];
  const cia = parse.cia(f.cia ?? '');
  const owner = parse.owner(f.owner ?? '');
  const likelihood = parse.score(f.likelihood ?? '');
  const impact = parse.score(f.impact ?? '');
  const treatment = f.treatment ? parse.treatment(f.treatment) : undefined;
  if (!cia) problems.push(p.cia);
  if (!owner) problems.push(p.owner);
  if (!likelihood) problems.push(p.likelihood);
  if (!impact) problems.push(p.impact);
  if (f.treatment && !treatment) problems.push(p.treatment);
  return problems.length ? { error: problems.join('; ') } : { cia, owner, likelihood, impact, treatment };
}

export const riskStep: StepHandler = {
  async enter(ctx) {
    await prepare(ctx.state, ctx.deps, ctx.state.cursor);
  },
  prompt(state, deps) {
    const m = messages(state.lang);
    const i = state.cursor;
    const risk = riskAt(state, i);
    const s = suggestionFor(state, deps, i);
    const v = current(risk, s);
    const score = v.likelihood * v.impact;
    const reason = risk.libraryId ? rankRisks(state, deps.catalog, deps.fit).find((r) => r.id === risk.libraryId)?.reason[state.lang] : undefined;
    const owner = v.owner ? `${m.owner} ${v.owner}${!risk.owner && s.why.owner ? ` (${s.why.owner})` : ''}` : m.noOwner;
    const treatment = `${m.treatments[v.treatment]}${v.controls.length ? ` → ${v.controls.join(', ')}` : ''}${!risk.treatment ? ` (${s.why.treatment})` : ''}`;
    const controls = v.controls.map((id) => deps.catalog.get(id)).filter((e): e is CatalogEntry => !!e).map((e) => `  • ${controlLine(e, state)}`);
    const lines = [
      m.riskHead(i + 1, state.risks.length, risk.libraryId ?? '+', risk.title),
      ...(reason ? [m.why(reason)] : []),
      `${m.suggestion}: CIA ${v.cia} · ${v.likelihood}×${v.impact}=${score} (${levelOf(score, deps.riskLevels)}) — ${s.why.score} · ${owner} · ${treatment}`,
      ...controls,
      m.riskQ,
    ];
    return {
      text: lines.join('\n'),
      suggested: [`${v.likelihood}×${v.impact}`, v.owner, m.treatments[v.treatment]].filter(Boolean).join(', '),
      user: true,
      analysisForm: true,
      buttons: [
        ...(state.risks.length - i > 1 ? [{ value: 'ok all', label: m.okAll }] : []),
        ...(['retain', 'share', 'avoid'] as const).filter((t) => t !== v.treatment).map((t) => ({ value: t, label: m.treatmentLabels[t] })),
      ],
    };
  },
  async answer(ctx) {
    const { state, m, text } = ctx;
    if (parse.isBack(text)) {
      if (state.cursor > 0) state.cursor--;
      ctx.notes.push(m.back);
      return;
    }
    if (ctx.input.picked === 'owner') {
      const owner = parse.owner(text);
      const risk = riskAt(state, state.cursor);
      if (!owner) return { error: m.ownerNeeded(risk.title) };
      risk.owner = owner;
      return;
    }
    let change: Partial<parse.RiskAnswer>;
    if (ctx.input.fields) {
      const f = fromForm(ctx);
      if ('error' in f) return f;
      change = f;
    } else {
      const a = parse.riskAnswer(text);
      const [word, ...more] = a.rest;
      if (word && !more.length && !a.owner && nameLike(word)) {
        a.owner = parse.owner(word);
        a.rest = [];
      }
      if (a.rest.length) return { error: m.riskHint(a.rest) };
      if (a.loneNumber !== undefined) return { error: m.loneNumber(a.loneNumber) };
      const changed = a.cia || a.likelihood || a.impact || a.owner || a.treatment || a.add.length || a.remove.length;
      if (!a.ok && !changed) return { error: m.riskHint([text]) };
      if (a.allOk) {
        for (let i = state.cursor; i < state.risks.length; i++) {
          await prepare(state, ctx.deps, i);
          const out = record({ ...ctx, state: { ...state, cursor: i } }, i, {});
          if (out) return out;
        }
        state.cursor = state.risks.length - 1;
        return moveOn(ctx);
      }
      change = a;
    }
    const out = record(ctx, state.cursor, change);
    if (out) return out;
    await moveOn(ctx);
  },
};
