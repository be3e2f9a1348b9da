// Assessments in Slack: Block Kit for each step, the pinned summary message, and the risk-analysis modal.
import type { Button, ModalView, PlainTextOption } from '@slack/types';
import type { WebClient } from '@slack/web-api';
import type { AssessmentReply } from '../assessment/session.js';
import type { Prompt } from '../assessment/types.js';
import type { Lang } from '../search/text.js';
import { button, esc, sections, type Block } from './blocks.js';
import type { SlackDeps } from './context.js';
import { isSlackUser, openDm } from './dm.js';
import { kb, permalink } from './web.js';
import { slackText } from './messages.js';

export const ANALYSIS_MODAL = 'assess_analysis';

/** Threads are "channel:ts"; the block ID carries it so that any button finds its assessment. */
export const threadKey = (channel: string, ts: string) => `${channel}:${ts}`;
export const blockId = (thread: string, part: string) => `assess|${thread}|${part}`;
export function threadOf(block: string | undefined): string | undefined {
  const m = /^assess\|([^|]+)\|/.exec(block ?? '');
  return m?.[1];
}

/** The first line of a choice label ("1. RL-14 Supply-chain failure ★"), for a select option. */
const firstLine = (label: string) => label.split('\n')[0]!.trim();

function promptBlocks(p: Prompt, thread: string, lang: Lang): Block[] {
  const t = slackText[lang];
  const blocks: Block[] = sections(`*${esc(p.text)}*`);
  const elements: Button[] = [];
  if (p.multi && p.choices?.length) {
    // The ranked list with its reasons is read as text; the select picks from it.
    blocks.push(...sections(esc(p.choices.map((c) => c.label).join('\n'))));
    blocks.push({
      type: 'section', block_id: blockId(thread, 'multi'), text: { type: 'mrkdwn', text: t.pickRisks },
      accessory: { type: 'multi_static_select', action_id: 'assess_multi', placeholder: { type: 'plain_text', text: t.select }, options: p.choices.slice(0, 100).map((c) => ({ text: { type: 'plain_text', text: firstLine(c.label).slice(0, 75) }, value: c.value })) },
    });
  } else if (p.choices?.length && p.choices.length <= 5) {
    p.choices.forEach((c, i) => elements.push(button(c.label, `assess_choice_${i}`, c.value)));
  } else if (p.choices?.length) {
    blocks.push(...sections(esc(p.choices.map((c, i) => `${i + 1}. ${c.label}`).join('\n'))));
  }
  if (p.user) {
    blocks.push({
      type: 'section', block_id: blockId(thread, 'owner'), text: { type: 'mrkdwn', text: t.riskOwner },
      accessory: { type: 'users_select', action_id: 'assess_owner', placeholder: { type: 'plain_text', text: t.pickPerson } },
    });
  }
  if (p.suggested) elements.push(button(`OK (${p.suggested})`, 'assess_ok', 'ok', 'primary'));
  else if (p.multi) elements.push(button(t.next, 'assess_ok', 'next', 'primary'));
  (p.buttons ?? []).forEach((b, i) => elements.push(button(b.label, `assess_choice_b${i}`, b.value)));
  if (p.analysisForm) elements.push(button(t.answerInForm, 'assess_form', 'form'));
  elements.push(button(t.cancel, 'assess_cancel', 'cancel', 'danger'));
  blocks.push({ type: 'actions', block_id: blockId(thread, 'actions'), elements });
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: t.replyInThread }] });
  return blocks;
}

export function assessmentBlocks(r: AssessmentReply): { text: string; blocks: Block[] } {
  const blocks: Block[] = [];
  if (r.notes.length) blocks.push(...sections(esc(r.notes.join('\n'))));
  if (r.error) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `:warning: ${esc(r.error)}` } });
  if (r.prompt) blocks.push(...promptBlocks(r.prompt, r.state.thread, r.lang));
  const text = [...r.notes, r.error ? `⚠ ${r.error}` : '', r.prompt?.text ?? ''].filter(Boolean).join('\n') || r.summary;
  return { text: text.slice(0, 3000), blocks };
}

/**
 * Posts one step into the thread: a problem only to the person who caused it, everything else to the thread,
 * then updates (or creates and pins) the summary message and tells approvers about a submission.
 */
export async function postAssessment(deps: SlackDeps, client: WebClient, r: AssessmentReply, at: { channel: string; threadTs: string; user: string }): Promise<void> {
  const { text, blocks } = assessmentBlocks(r);
  if (r.error && !r.notes.length) {
    await client.chat.postEphemeral({ channel: at.channel, user: at.user, thread_ts: at.threadTs, text, blocks: kb(blocks) });
  } else {
    await client.chat.postMessage({ channel: at.channel, thread_ts: at.threadTs, text, blocks: kb(blocks) });
  }
  // The detail behind the summary: a reply in the thread, so the summary message stays one screen.
  if (r.details) await client.chat.postMessage({ channel: at.channel, thread_ts: at.threadTs, text: r.details.slice(0, 3000), blocks: kb(sections(esc(r.details))) });
  const summaryBlocks = kb(sections(esc(r.summary)));
  if (r.state.summaryTs) {
    await client.chat.update({ channel: at.channel, ts: r.state.summaryTs, text: r.summary.slice(0, 3000), blocks: summaryBlocks });
  } else if (r.state.step !== 'cancelled') {
    const posted = await client.chat.postMessage({ channel: at.channel, thread_ts: at.threadTs, text: r.summary.slice(0, 3000), blocks: summaryBlocks });
    if (posted.ts) {
      await client.pins.add({ channel: at.channel, timestamp: posted.ts }).catch(() => undefined);
      const saved = await deps.core.assessments.active(r.state.thread);
      if (saved) await deps.core.state.saveAssessment(r.state.thread, { ...saved, summaryTs: posted.ts });
    }
  }
  if (r.notify.length) {
    const link = await permalink(client, at.channel, at.threadTs);
    const t = slackText[r.lang];
    for (const approver of r.notify.filter(isSlackUser)) {
      const channel = await openDm(client, approver);
      if (!channel) continue;
      // One message an approver reads in one screen, with the details in its thread.
      const posted = await client.chat.postMessage({
        channel, text: t.approvalDm(r.state.id, link),
        blocks: kb([
          ...sections(`${t.approvalRequested}: <${link}|${r.state.id}>\n${esc(r.summary)}`),
          { type: 'actions', block_id: blockId(r.state.thread, 'approve'), elements: [button(t.approve, 'assess_choice_approve', 'approve', 'primary')] },
        ]),
      });
      const details = r.details ?? await deps.core.assessments.details(r.state.thread);
      if (posted.ts && details) await client.chat.postMessage({ channel, thread_ts: posted.ts, text: details.slice(0, 3000), blocks: kb(sections(esc(details))) });
    }
  }
}

/** Initial values for the form: what "ok" would record. */
export interface FormDefaults { cia?: string; owner?: string; likelihood?: number; impact?: number; treatment?: string }

/** The risk-analysis form: CIA, owner, likelihood, impact and treatment in one go, prefilled with the suggestion. */
export function analysisModal(thread: string, channel: string, riskTitle: string, lang: Lang, initial: FormDefaults = {}): ModalView {
  const t = slackText[lang];
  const opt = (text: string, value: string): PlainTextOption => ({ text: { type: 'plain_text', text }, value });
  const scale = [1, 2, 3, 4, 5].map((n) => opt(String(n), String(n)));
  const cia = [opt(t.confidentiality, 'C'), opt(t.integrity, 'I'), opt(t.availability, 'A')];
  const treatments = (['modify', 'retain', 'avoid', 'share'] as const).map((x) => opt(t.treatmentOptions[x], x));
  const pick = (options: PlainTextOption[], value: string | number | undefined) => options.find((o) => o.value === String(value));
  const chosen = cia.filter((o) => !!o.value && !!initial.cia?.includes(o.value));
  const user = initial.owner && isSlackUser(initial.owner) ? { initial_user: initial.owner } : {};
  const initialOf = (o: PlainTextOption | undefined) => (o ? { initial_option: o } : {});
  return {
    type: 'modal', callback_id: ANALYSIS_MODAL, private_metadata: JSON.stringify({ thread, channel }),
    title: { type: 'plain_text', text: t.riskAnalysis },
    submit: { type: 'plain_text', text: t.save },
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `*${esc(riskTitle).slice(0, 2900)}*` } },
      { type: 'input', block_id: 'cia', label: { type: 'plain_text', text: t.affectedProperties }, element: { type: 'checkboxes', action_id: 'value', options: cia, ...(chosen.length ? { initial_options: chosen } : {}) } },
      { type: 'input', block_id: 'owner', label: { type: 'plain_text', text: t.riskOwner }, element: { type: 'users_select', action_id: 'value', ...user } },
      { type: 'input', block_id: 'likelihood', label: { type: 'plain_text', text: t.likelihood }, element: { type: 'static_select', action_id: 'value', options: scale, ...initialOf(pick(scale, initial.likelihood)) } },
      { type: 'input', block_id: 'impact', label: { type: 'plain_text', text: t.impact }, element: { type: 'static_select', action_id: 'value', options: scale, ...initialOf(pick(scale, initial.impact)) } },
      { type: 'input', block_id: 'treatment', optional: true, label: { type: 'plain_text', text: t.treatment }, element: { type: 'static_select', action_id: 'value', options: treatments, ...initialOf(pick(treatments, initial.treatment)) } },
    ],
  };
}
