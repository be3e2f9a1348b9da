// The missed-control check (JIP-ISMS517 4.2.2 c) in groups: "apply 1" decides a group with one reason, single lines
// are still decided one by one, and every exclusion carries its own justification (a template for one-sided items).
import { splitKey } from '../../soa/index.js';
import type { FlowDeps } from '../deps.js';
import type { Outcome, StepContext, StepHandler } from '../flow.js';
import { groupReason, missedLines, openCount, openGroups, rolesOf, templateFor, type MissedGroup } from '../groups.js';
import { messages } from '../messages.js';
import * as parse from '../parse.js';
import type { AssessmentState, MissedDecision } from '../types.js';
import { submit } from './review.js';

const SAMPLE = 6;

function rolesText(state: AssessmentState): string {
  const m = messages(state.lang);
  return rolesOf(state.scope.role).map((r) => m.role(r)).join(m.rolesSep);
}

function record(state: AssessmentState, decisions: MissedDecision[]): void {
  const keys = new Set(decisions.map((d) => d.controlId));
  state.decisions = [...state.decisions.filter((d) => !keys.has(d.controlId)), ...decisions];
}

/** "apply 2 [reason]", "適用 2", "2 を適用": a group; "exclude 4 template": the one-sided group. */
function groupCommand(ctx: StepContext, groups: MissedGroup[]): Outcome | 'none' {
  const { state, text, m } = ctx;
  const t = text.normalize('NFKC');
  const apply = /^(?:apply|include|adopt|適用|採用)\s*(?:group\s*|グループ\s*)?(\d|all|すべて|全部)(?:\s+(.+))?$/i.exec(t)
    ?? /^(?:group\s*|グループ\s*)?(\d)\s*(?:を)?\s*(?:適用|採用)(?:\s*(.+))?$/i.exec(t);
  const exclude = /^(?:exclude|除外)\s*(?:group\s*|グループ\s*)?(\d)(?:\s+(.+))?$/i.exec(t);
  const show = /^(?:show|list|一覧|表示)\s*(?:group\s*|グループ\s*)?(\d)$/i.exec(t);
  const which = apply ?? exclude ?? show;
  if (!which) return 'none';
  const [, number = '', reason] = which;
  const all = /^(all|すべて|全部)$/i.test(number);
  const picked = all ? groups : groups.filter((g) => g.n === Number(number));
  const [g] = picked;
  if (!g) return { error: m.noGroup(Number(number), groups.map((x) => x.n).join(', ')) };
  if (show) {
    ctx.notes.push(m.groupListed(g.n, m.groupTitle[g.kind], g.keys.join(', ')));
    return;
  }
  const own = reason?.trim();
  if (exclude) {
    const template = /^(template|定型文?)$/i.test(own ?? '');
    if (g.kind !== 'oneSided' || !template) return { error: m.groupExcludeRefused };
    record(state, g.keys.map((k) => ({ controlId: k, applicable: false, justification: templateFor(k, state, ctx.deps, state.lang) ?? '', group: g.n })));
    ctx.notes.push(m.decidedGroup(g.n, g.keys.length, false));
    return;
  }
  for (const x of picked) {
    const why = own || groupReason(x.kind, state, state.lang);
    if (!why) return { error: m.groupNeedsReason(x.n) };
    record(state, x.keys.map((k) => ({ controlId: k, applicable: true, reason: why, group: x.n })));
    ctx.notes.push(m.decidedGroup(x.n, x.keys.length, true));
  }
}

/** "include 12.4.1[,…] [reason]" / "exclude 7.1 <justification>" / "exclude CLD.9.5.1 template". */
function singleCommand(ctx: StepContext, deps: FlowDeps): Outcome | 'none' {
  const { state, text, m } = ctx;
  const [, verb, ids, tail] = /^(include|apply|exclude|採用|適用|除外)\s+([^\s]+)\s*(.*)$/i.exec(text) ?? [];
  if (!verb || !ids) return 'none';
  const include = !/^(exclude|除外)$/i.test(verb);
  const rest = (tail ?? '').trim();
  // Any listed line, also one a group decided: a single decision replaces the group's for that line.
  const open = new Set(state.missed);
  const keys: string[] = [];
  for (const raw of parse.items(ids)) {
    const typed = splitKey(raw);
    const r = deps.catalog.resolve(typed.id);
    // In the 2022 edition a 27017 line carries its role: "12.3.1@customer"; a bare ID picks its only open line.
    const lines = r.ok ? [...open].filter((k) => k === r.id || (splitKey(k).id === r.id && (!typed.role || splitKey(k).role === typed.role))) : [];
    const [line, ...others] = lines;
    if (others.length) return { error: m.perRole(r.ok ? r.id : raw, lines) };
    if (!r.ok || !line) return { error: m.notMissed(r.ok ? r.id : `"${raw}"`, r.ok ? [] : r.suggestions) };
    keys.push(line);
  }
  if (include) {
    record(state, keys.map((k) => ({ controlId: k, applicable: true, reason: rest || undefined })));
  } else {
    const template = /^(template|定型文?)$/i.test(rest);
    const decisions: MissedDecision[] = [];
    for (const k of keys) {
      const sentence = templateFor(k, state, deps, state.lang);
      if (template && !sentence) return { error: m.noTemplate(k) };
      const justification = template ? sentence : rest;
      if (!justification) return { error: m.exclusionNeedsWhy(k, sentence) };
      decisions.push({ controlId: k, applicable: false, justification });
    }
    record(state, decisions);
  }
  ctx.notes.push(m.decidedOne(keys, include));
}

export const missingStep: StepHandler = {
  enter(ctx) {
    ctx.state.missed = missedLines(ctx.state, ctx.deps);
    if (!ctx.state.missed.length) ctx.state.step = 'review';
  },
  prompt(state, deps) {
    const m = messages(state.lang);
    const groups = openGroups(state, deps);
    const lines = [m.missedQ(openCount(state), rolesText(state))];
    const buttons = [];
    for (const g of groups) {
      const sample = g.keys.slice(0, SAMPLE).join(', ') + (g.keys.length > SAMPLE ? ', …' : '');
      lines.push(m.groupLine(g.n, m.groupTitle[g.kind], g.keys.length, sample));
      const reason = groupReason(g.kind, state, state.lang);
      if (g.kind === 'oneSided') lines.push(m.groupTemplate(g.n, templateFor(g.keys[0] ?? '', state, deps, state.lang) ?? ''));
      else if (reason) {
        lines.push(m.groupApply(g.n, reason));
        buttons.push({ value: `apply ${g.n}`, label: m.applyButton(g.n, g.keys.length) });
      } else lines.push(m.groupApplyOwn(g.n));
    }
    lines.push(m.missedSingles);
    buttons.push({ value: 'next', label: m.leaveOpen });
    return { text: lines.join('\n'), buttons };
  },
  answer(ctx) {
    const { state, text, m, deps } = ctx;
    if (parse.isOk(text) || /^(later|skip|あとで|後で)$/i.test(text)) {
      state.step = 'review';
      return;
    }
    if (parse.isSubmit(text)) {
      state.step = 'review';
      return submit(ctx);
    }
    const groups = openGroups(state, deps);
    let out = groupCommand(ctx, groups);
    if (out === 'none') out = singleCommand(ctx, deps);
    if (out === 'none') return { error: m.missedHint(text) };
    if (out) return out;
    const open = openCount(state);
    if (!open) state.step = 'review';
    else ctx.notes.push(m.stillOpen(open));
  },
};
