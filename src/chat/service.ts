// The channel-neutral conversation: routes a message to ask / soa / missing / export / help and returns replies.
// Slack and the console are thin adapters over this.
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { AnswerEngine } from '../answer/engine.js';
import type { Assessments } from '../assessment/session.js';
import type { Catalog } from '../catalog/catalog.js';
import { previewText } from '../digest/data.js';
import { silentLogger, type Logger } from '../log.js';
import { detectLang, type Lang } from '../search/text.js';
import { exportFormats, StoreError, type Decision, type DecisionInput, type ExportFormat, type Store } from '../soa/index.js';
import { Issues } from '../soa/errors.js';
import { lengthProblem, parseCommand, type Command } from './commands.js';
import { serviceText, storeErrorText, useTimeZone } from './messages.js';
import type { Reply } from './replies.js';
import type { ChatStateApi } from './state.js';

export interface Incoming {
  text: string;
  /** Slack user ID or console user name: recorded on every write. */
  user: string;
  /** Thread key: follow-ups in the same thread share context. */
  thread: string;
  /** Where a write comes from: the Slack thread permalink, or "console". */
  source: string;
  /** The user's Slack locale, when known. */
  locale?: Lang;
  /** The message starts its thread (a top-level Slack message): nothing is stored under the thread yet. */
  startsThread?: boolean;
}

export interface ChatDeps {
  catalog: Catalog;
  answers: AnswerEngine;
  store: Store;
  state: ChatStateApi;
  defaultLang: Lang;
  exportDir: string;
  assessments: Assessments;
  /** ISMS_TIMEZONE: the digest's week and overdue dates. */
  timezone: string;
  log?: Logger;
}

export const newRef = (prefix: string) => `${prefix}-${randomBytes(4).toString('hex')}`;

export class ChatService {
  private readonly log: Logger;

  constructor(readonly deps: ChatDeps) {
    this.log = deps.log ?? silentLogger;
    // Times in replies are shown in ISMS_TIMEZONE, with the zone named.
    useTimeZone(deps.timezone);
  }

  /** The reply language: a thread's `lang` choice, then the message's script, then the user's locale. */
  async langOf(msg: Pick<Incoming, 'text' | 'thread' | 'locale'>): Promise<Lang> {
    const chosen = await this.deps.state.threadLang(msg.thread);
    if (chosen) return chosen;
    if (detectLang(msg.text) === 'ja') return 'ja';
    return msg.locale ?? this.deps.defaultLang;
  }

  async handle(msg: Incoming): Promise<Reply[]> {
    // Refused before anything reads it, in the language it is written in (as an answer would be).
    const head = await this.deps.state.threadLang(msg.thread) ?? detectLang(msg.text.slice(0, 200));
    const tooLong = lengthProblem(msg.text, head);
    if (tooLong) return [{ type: 'error', lang: head, ...tooLong }];
    const cmd = parseCommand(msg.text);
    // In a thread with a running assessment, anything that is not an explicit command answers its question.
    const running = msg.startsThread ? undefined : await this.deps.assessments.active(msg.thread);
    if (running && (cmd.kind === 'lang' || (cmd.kind === 'ask' && !/^(\/isms\s+)?ask\s/i.test(msg.text.trim())))) {
      const reply = await this.deps.assessments.input(msg.thread, { user: msg.user, text: msg.text, at: new Date().toISOString() }, msg.source);
      return reply ? [reply] : [];
    }
    const lang = cmd.kind === 'ask' ? (await this.deps.state.threadLang(msg.thread) ?? detectLang(cmd.question)) : await this.langOf(msg);
    try {
      return await this.run(cmd, msg, lang);
    } catch (e) {
      if (e instanceof StoreError) return this.storeError(e, lang);
      throw e;
    }
  }

  private async run(cmd: Command, msg: Incoming, lang: Lang): Promise<Reply[]> {
    const { store } = this.deps;
    switch (cmd.kind) {
      case 'help':
        return [{ type: 'help', lang }];
      case 'usage':
        return [{ type: 'error', lang, message: serviceText[lang].incomplete, hint: serviceText[lang].usageHint(cmd.message, cmd.ja) }];
      case 'lang':
        if (cmd.lang !== 'ja' && cmd.lang !== 'en') return [{ type: 'error', lang, message: serviceText[lang].notALanguage(cmd.lang), hint: 'lang ja | lang en' }];
        await this.deps.state.setThreadLang(msg.thread, cmd.lang);
        return [{ type: 'text', lang: cmd.lang, text: serviceText[cmd.lang].langSet }];
      case 'ask':
        return [await this.ask(cmd.question, msg)];
      case 'soa-show': {
        const key = await this.resolve(cmd.control);
        const row = await this.row(key);
        return [{ type: 'decision', lang, row, ...(cmd.history ? { history: await store.soa.history(key) } : {}) }];
      }
      case 'soa-set': {
        const f = cmd.fields;
        const one = (k: string) => f[k]?.at(-1);
        const entry = await this.resolve(cmd.control, one('role'));
        if (!Object.keys(f).some((k) => k !== 'role')) return [{ type: 'soa-form', lang, controlId: entry, row: await this.row(entry) }];
        return this.setDecision({
          control: entry, applicable: one('applicable'), status: one('status'), justification: one('justification'),
          owner: one('owner'), reasons: f.reason ?? f.reasons, evidence: f.evidence, by: msg.user, source: msg.source,
        }, lang);
      }
      case 'soa-approve':
        return this.review(cmd.control, msg.user, 'approved', lang, undefined, cmd.version);
      case 'soa-reject':
        return this.review(cmd.control, msg.user, 'rejected', lang, cmd.reason);
      case 'missing':
        return [{ type: 'missing', lang, rows: await store.missing(), roles: await store.profileRoles() }];
      case 'export': {
        // The SoA and the risk register are for approvers; Slack delivers the file to the requester's DM only.
        if (!this.isApprover(msg.user)) {
          return [{ type: 'error', lang, message: serviceText[lang].exportNotApprover, hint: serviceText[lang].exportAskApprover }];
        }
        if (!(exportFormats as readonly string[]).includes(cmd.format)) {
          return [{ type: 'error', lang, message: serviceText[lang].notAFormat(cmd.format), hint: serviceText[lang].formatHint(exportFormats) }];
        }
        // Only this process's user may read the folder: an SoA waits there until it is delivered.
        mkdirSync(this.deps.exportDir, { recursive: true, mode: 0o700 });
        const stamp = new Date().toISOString().slice(0, 10);
        const filename = `SoA-${stamp}.${cmd.format}`;
        const path = join(this.deps.exportDir, `${newRef('export')}-${filename}`);
        await store.exportSoa(cmd.format as ExportFormat, path);
        return [{ type: 'file', lang, path, filename, title: serviceText[lang].exportTitle(stamp) }];
      }
      case 'assess':
        if (await this.deps.assessments.active(msg.thread)) return [{ type: 'error', lang, message: serviceText[lang].assessmentRunning, hint: serviceText[lang].assessmentRunningHint }];
        return [await this.deps.assessments.begin(msg.thread, msg.user, lang, cmd.service)];
      case 'digest':
        // A preview for the caller only; it records no snapshot and posts nothing.
        return [{ type: 'text', lang, text: await previewText(store, lang, { timezone: this.deps.timezone }) }];
      case 'approvers': {
        const t = serviceText[lang];
        if (cmd.add || cmd.remove) await store.settings.changeApprovers({ add: cmd.add, remove: cmd.remove, by: msg.user, source: msg.source });
        const list = await store.refreshApprovers();
        const shown = list.length ? t.approversAre(list.map((a) => (/^[UW][A-Z0-9]+$/.test(a) ? `<@${a}>` : a)).join(', ')) : t.noApproversYet;
        return [{ type: 'text', lang, text: `${shown} ${store.settings.approversFrom === 'config' ? t.approversFromConfig : t.approversRecorded}`, mentions: true }];
      }
      case 'digest-channel': {
        // "here": the channel the message came from (the thread key starts with it).
        const channel = cmd.channel === 'here' ? msg.thread.split(':')[0]! : cmd.channel;
        const id = await store.settings.setDigestChannel(channel, msg.user, msg.source);
        return [{ type: 'text', lang, text: serviceText[lang].digestChannelSet(id), mentions: true }];
      }
    }
  }

  /** Answers a question in a thread, with the thread's earlier turns for follow-ups. */
  async ask(question: string, msg: Pick<Incoming, 'thread' | 'startsThread'>): Promise<Reply> {
    const { state, answers } = this.deps;
    const lang = await this.deps.state.threadLang(msg.thread) ?? detectLang(question.slice(0, 200));
    const tooLong = lengthProblem(`ask ${question}`, lang);
    if (tooLong) return { type: 'error', lang, ...tooLong };
    const history = msg.startsThread ? [] : await state.history(msg.thread);
    const answer = await answers.ask(question, { history });
    const ref = newRef('ans');
    await state.recordExchange(msg.thread, question, answer.answer, ref, answer.citations);
    return { type: 'answer', lang: answer.language, answer, ref };
  }

  /** Records a decision from any channel: approved when an approver makes it, a proposal otherwise. */
  async setDecision(input: DecisionInput, lang: Lang): Promise<Reply[]> {
    try {
      return [await this.recordDecision(input, lang)];
    } catch (e) {
      if (e instanceof StoreError) return this.storeError(e, lang);
      throw e;
    }
  }

  /** Records a decision; what the user must fix is thrown as a StoreError (the Slack form shows it on its fields). */
  async recordDecision(input: DecisionInput, lang: Lang): Promise<Extract<Reply, { type: 'recorded' }>> {
    const decision = await this.deps.store.soa.set(input);
    this.log.info('soa decision recorded', { control: decision.controlId, state: decision.state, by: input.by, source: input.source });
    return { type: 'recorded', lang, decision, row: await this.row(decision.controlId), approvers: decision.state === 'proposed' ? [...this.deps.store.approvers] : [] };
  }

  /** The decision a form for an SoA line starts from: the pending proposal, else the one in force. */
  async formDecision(key: string): Promise<Decision | null> {
    const { pending, current } = await this.deps.store.soa.state(key);
    return pending ?? current;
  }

  /**
   * An Approve / Reject button, which names the proposal it was made for. Only an approver may press it, and only
   * while that proposal is still the pending one: the button of a proposal replaced since approves nothing.
   */
  async reviewButton(user: string, shown: { decision?: number; control?: string }, verdict: 'approved' | 'rejected', lang: Lang): Promise<Reply> {
    const t = serviceText[lang];
    if (!this.isApprover(user)) {
      return { type: 'error', lang, message: t.reviewNotApprover, hint: t.nothingChanged };
    }
    const { control, decision } = shown;
    const pending = control ? (await this.deps.store.soa.state(control)).pending : null;
    if (!control || !pending || pending.id !== decision) {
      return { type: 'error', lang, message: t.proposalGone, hint: t.proposalGoneHint };
    }
    // The version the button showed is checked again inside the write transaction.
    return (await this.review(control, user, verdict, lang, undefined, pending.version))[0]!;
  }

  async review(control: string, by: string, verdict: 'approved' | 'rejected', lang: Lang, reason?: string, version?: number): Promise<Reply[]> {
    try {
      const { soa } = this.deps.store;
      const decision = verdict === 'approved' ? await soa.approve(control, by, version) : await soa.reject(control, by, reason, version);
      return [{ type: 'reviewed', lang, decision, row: await this.row(decision.controlId) }];
    } catch (e) {
      if (e instanceof StoreError) return this.storeError(e, lang);
      throw e;
    }
  }

  /** Records 👍 / 👎 on an answer (one vote per user; a second replaces the first). */
  async feedback(ref: string, user: string, vote: 'up' | 'down', lang: Lang): Promise<Reply> {
    await this.deps.state.feedback(ref.slice(0, 64), user, vote);
    return { type: 'text', lang, text: serviceText[lang].feedbackThanks };
  }

  isApprover(user: string): boolean {
    return this.deps.store.soa.isApprover(user);
  }

  /** The SoA line with this key (a control ID, or "CLD.9.5.1@provider" in the 2022 edition). */
  async row(key: string) {
    return (await this.deps.store.soaRows()).find((r) => r.key === key)!;
  }

  /** The key of an SoA line in the store's edition, or a StoreError that says which line to use instead. */
  async resolve(raw: string, role?: string): Promise<string> {
    const issues = new Issues();
    const item = await this.deps.store.soa.resolve(issues, raw, role);
    issues.done();
    return item!.key;
  }

  /** The store writes its errors in English; the chat shows them in the reply's language (src/chat/messages.ts). */
  private storeError(e: StoreError, lang: Lang): Reply[] {
    return e.issues.map((i) => ({ type: 'error', lang, ...storeErrorText(i, lang) }));
  }
}
