// The guided risk assessment as a state machine: a table of small step handlers, each with its question and its
// answer. state + input → new state, notes and the next question. It reads through FlowDeps and never writes: an
// approver's "approve" returns commit: true and the caller writes everything in one transaction (see commit.ts).
import { randomBytes } from 'node:crypto';
import type { Lang } from '../search/text.js';
import type { FlowDeps } from './deps.js';
import { messages, type Messages } from './messages.js';
import * as parse from './parse.js';
import { missingStep } from './steps/missing.js';
import { reviewStep } from './steps/review.js';
import { riskStep } from './steps/risk.js';
import { risksStep } from './steps/risks.js';
import { assetsStep, modelStep, roleStep, runsOnStep, serviceStep, chooseService } from './steps/scope.js';
import type { ActiveStep, AssessmentInput, AssessmentState, Prompt, StepResult } from './types.js';

export type { FlowDeps } from './deps.js';
export { levelOf } from './suggest.js';
export { rolesOf, missedLines as missedControls } from './groups.js';
export { summary, details } from './summary.js';

/** What a step handler works on: a copy of the state it may change, the input, and where to put notes. */
export interface StepContext {
  state: AssessmentState;
  input: AssessmentInput;
  /** The input, NFKC-normalised and trimmed. */
  text: string;
  deps: FlowDeps;
  m: Messages;
  notes: string[];
  /** Set by a handler: the full detail to post after the summary (Slack thread reply). */
  details?: string;
}

/** What an answer did: moved on or stayed (no value), was not understood, or asks for a commit or tells approvers. */
export type Outcome = void | { error: string } | { commit: true } | { submitted: true };

export interface StepHandler {
  prompt(state: AssessmentState, deps: FlowDeps): Prompt;
  answer(ctx: StepContext): Outcome | Promise<Outcome>;
  /** Runs when the flow arrives at the step; it may move straight on (nothing missed → review). */
  enter?(ctx: StepContext): void | Promise<void>;
}

export const steps: Record<ActiveStep, StepHandler> = {
  service: serviceStep, role: roleStep, model: modelStep, runsOn: runsOnStep, assets: assetsStep,
  risks: risksStep, risk: riskStep, missing: missingStep, review: reviewStep,
};

const active = (s: AssessmentState['step']): s is ActiveStep => s !== 'done' && s !== 'cancelled';

export function start(thread: string, user: string, lang: Lang, at: string, deps: FlowDeps, service?: string): StepResult {
  const state: AssessmentState = {
    version: 2, id: `A-${randomBytes(3).toString('hex')}`, thread, startedBy: user, startedAt: at, updatedAt: at, lang,
    step: 'service', scope: { assets: [] }, offered: [], risks: [], cursor: 0, missed: [], decisions: [], answers: [],
  };
  if (service?.trim()) chooseService(state, service.trim(), deps);
  return { state, notes: [messages(lang).started(state.id, user)], prompt: prompt(state, deps) };
}

/** The question for the current step, or none once the assessment ended. */
export function prompt(state: AssessmentState, deps: FlowDeps): Prompt | undefined {
  return active(state.step) ? steps[state.step].prompt(state, deps) : undefined;
}

export async function advance(prev: AssessmentState, input: AssessmentInput, deps: FlowDeps): Promise<StepResult> {
  const state: AssessmentState = structuredClone(prev);
  const text = input.text.normalize('NFKC').trim();
  const m = messages(state.lang);
  if (!active(state.step)) return { state: prev, notes: [], error: m.ended };
  if (parse.isCancel(text)) {
    state.step = 'cancelled';
    state.updatedAt = input.at;
    return { state, notes: [m.cancelled(state.id, input.user)] };
  }
  const langSwitch = /^lang\s+(en|ja)$/i.exec(text);
  if (langSwitch) {
    state.lang = (langSwitch[1] ?? '').toLowerCase() === 'ja' ? 'ja' : 'en';
    return { state, notes: [messages(state.lang).switched], prompt: prompt(state, deps) };
  }

  const step = state.step;
  const ctx: StepContext = { state, input, text, deps, m, notes: [] };
  const out = await steps[step].answer(ctx);
  if (out && 'error' in out) return { state: prev, notes: [], error: out.error };
  state.answers.push({ step, user: input.user, at: input.at });
  state.updatedAt = input.at;
  await arrive(ctx, step);
  return {
    state, notes: ctx.notes, prompt: prompt(state, deps), details: ctx.details,
    ...(out && 'commit' in out ? { commit: true } : {}), ...(out && 'submitted' in out ? { submitted: true } : {}),
  };
}

/** Runs the enter hook of each step the flow arrives at, until one stays. */
async function arrive(ctx: StepContext, from: ActiveStep): Promise<void> {
  let seen: AssessmentState['step'] = from;
  for (let i = 0; i < 5 && ctx.state.step !== seen && active(ctx.state.step); i++) {
    seen = ctx.state.step;
    await steps[seen].enter?.(ctx);
  }
}
