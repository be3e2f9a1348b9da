// Runs assessments for the chat core: one per thread, persisted after every step so a restart resumes it.
import type { Core } from '../core.js';
import type { Lang } from '../search/text.js';
import { commitAssessment, type Written } from './commit.js';
import { advance, details, start, summary, type FlowDeps } from './flow.js';
import { loadRiskFit } from './library.js';
import { riskValues } from './steps/risk.js';
import type { AssessmentInput, AssessmentState, Prompt, Step } from './types.js';
import { messages } from './messages.js';

export interface AssessmentReply {
  type: 'assessment';
  lang: Lang;
  state: AssessmentState;
  summary: string;
  notes: string[];
  prompt?: Prompt;
  error?: string;
  /** What an approval wrote. */
  written?: Written;
  /** Approvers to tell, when the assessment was submitted. */
  notify: string[];
  /** The full detail behind the summary, when the assessment reached review (Slack posts it in the thread). */
  details?: string;
}

/** Assessments idle this long get one reminder to their starter. */
export const REMIND_AFTER_MS = 3 * 24 * 3600 * 1000;

export class Assessments {
  constructor(private readonly core: Pick<Core, 'ctx' | 'store' | 'state' | 'search'>) {}

  async deps(): Promise<FlowDeps> {
    const { store, ctx, search } = this.core;
    const rows = await store.soaRows();
    return {
      catalog: ctx.catalog,
      profile: await store.profile.get(),
      edition: (await store.edition()).edition,
      decided: new Set(rows.filter((r) => r.current).map((r) => r.key)),
      excluded: new Set(rows.filter((r) => r.current && !r.current.applicable).map((r) => r.key)),
      riskLevels: ctx.config.riskLevels,
      isApprover: (user) => store.soa.isApprover(user),
      fit: loadRiskFit(ctx.catalog),
      earlier: (await store.risks.list()).map((r) => ({ service: r.service, title: r.title, owner: r.owner })),
      suggest: async (text, role) => {
        const r = await search.search(text, { top: 6, ...(role === 'both' ? {} : { role }) });
        return r.hits.map((h) => h.controlId).filter((id): id is string => !!id && ctx.catalog.get(id)?.kind !== 'requirement');
      },
    };
  }

  async active(thread: string): Promise<AssessmentState | undefined> {
    const s = upgrade(await this.core.state.loadAssessment<AssessmentState | V1State>(thread));
    return s && s.step !== 'done' && s.step !== 'cancelled' ? s : undefined;
  }

  /** The current risk's values as "ok" would record them, for the analysis form. */
  async formDefaults(thread: string): Promise<ReturnType<typeof riskValues>> {
    const s = await this.active(thread);
    return s ? riskValues(s, await this.deps()) : undefined;
  }

  /** Every risk and SoA line of a thread's assessment, for the approver's thread. */
  async details(thread: string): Promise<string | undefined> {
    const s = await this.active(thread);
    return s ? details(s, await this.deps()) : undefined;
  }

  async begin(thread: string, user: string, lang: Lang, service?: string, summaryTs?: string): Promise<AssessmentReply> {
    const deps = await this.deps();
    const r = start(thread, user, lang, new Date().toISOString(), deps, service);
    if (summaryTs) r.state.summaryTs = summaryTs;
    await this.core.state.saveAssessment(thread, r.state);
    return this.reply(r.state, r.notes, deps, r.prompt);
  }

  /** Inputs to one thread run one at a time, so two people answering at once never overwrite each other. */
  private readonly queues = new Map<string, Promise<unknown>>();

  /** Feeds one input to the thread's assessment. An approval writes everything in one transaction, or nothing. */
  input(thread: string, input: AssessmentInput, source: string): Promise<AssessmentReply | undefined> {
    const run = (this.queues.get(thread) ?? Promise.resolve()).then(() => this.step(thread, input, source));
    const tail = run.catch(() => undefined);
    this.queues.set(thread, tail);
    void tail.then(() => { if (this.queues.get(thread) === tail) this.queues.delete(thread); });
    return run;
  }

  private async step(thread: string, input: AssessmentInput, source: string): Promise<AssessmentReply | undefined> {
    const current = await this.active(thread);
    if (!current) return undefined;
    const deps = await this.deps();
    const r = await advance(current, input, deps);
    if (r.error) return { ...this.reply(current, [], deps, r.prompt), error: r.error };
    let written: Written | undefined;
    if (r.commit) {
      try {
        written = await commitAssessment(this.core.store, r.state, input.user, source);
      } catch (e) {
        // Nothing was written (one transaction): the assessment stays at review so it can be fixed and approved again.
        this.core.ctx.log.warn('assessment approval failed; nothing written', { thread, error: (e as Error).message });
        return { ...this.reply(current, [], deps, r.prompt), error: (e as Error).message };
      }
    }
    if (r.state.step === 'cancelled') await this.core.state.deleteAssessment(thread);
    else await this.core.state.saveAssessment(thread, r.state);
    const reply = { ...this.reply(r.state, r.notes, deps, r.prompt, r.submitted), ...(r.details ? { details: r.details } : {}) };
    return written ? { ...reply, written, notes: [...reply.notes, writtenNote(r.state.lang, written)] } : reply;
  }

  /** Assessments idle for 3 days whose starter has not been reminded; marks them reminded. */
  async dueReminders(now = Date.now()): Promise<AssessmentState[]> {
    const due = (await this.core.state.assessments<AssessmentState | V1State>())
      .flatMap((a) => upgrade(a.state) ?? [])
      .filter((s) => s.step !== 'done' && s.step !== 'cancelled' && !s.reminded && now - Date.parse(s.updatedAt) >= REMIND_AFTER_MS);
    for (const s of due) await this.core.state.saveAssessment(s.thread, { ...s, reminded: true });
    return due;
  }

  private reply(state: AssessmentState, notes: string[], deps: FlowDeps, prompt?: Prompt, submitted?: boolean): AssessmentReply {
    return {
      type: 'assessment', lang: state.lang, state, summary: summary(state, deps), notes, prompt,
      notify: submitted ? [...this.core.store.approvers] : [],
    };
  }
}

/** A state saved by the step-per-question version: its analysis steps become the one-message risk step. */
type V1State = Omit<AssessmentState, 'version' | 'step'> & { version: 1; step: string };
const v1AnalysisSteps = ['cia', 'owner', 'likelihood', 'impact', 'treatment', 'controls'];

function upgrade(s: AssessmentState | V1State | undefined): AssessmentState | undefined {
  if (!s || s.version === 2) return s;
  const step = (v1AnalysisSteps.includes(s.step) ? 'risk' : s.step) as Step;
  return { ...s, version: 2, step, risks: s.risks.map((r) => ({ ...r, proposed: r.proposed ?? r.controls.length > 0 })) };
}

function writtenNote(lang: Lang, w: Written): string {
  const risks = w.risks.map((r) => `${r.id} ${r.title} (${r.owner}, ${r.level})`).join('; ');
  // A group can add dozens of lines: name the first few, count the rest ("details" before approval lists them all).
  const ids = w.decisions.map((d) => d.controlId);
  const m = messages(lang);
  const controls = ids.slice(0, 12).join(', ') + (ids.length > 12 ? m.moreControls(ids.length - 12) : '');
  return m.written(risks, w.decisions.length, controls, w.profileUpdated);
}
