// The SoA decision modal (`/isms soa set <id>`): fields, the values a submission carries, and inline errors.
import type { Lang } from '../search/text.js';
import type { Decision, DecisionInput, Issue, SoaRow } from '../soa/index.js';
import { rowLabel, statusLabel } from '../soa/format.js';
import { blockLimits, fit } from './blockkit.js';
import type { InputBlock, InputBlockElement, ModalView, PlainTextInput, PlainTextOption, StaticSelect } from '@slack/types';
import { slackText } from './messages.js';

export const SOA_MODAL = 'soa_decision';

export interface ModalMeta {
  control: string;
  channel?: string;
  /** Where the write comes from: the thread permalink, or the channel's link. */
  source: string;
  lang: Lang;
}

const option = (text: string, value: string): PlainTextOption => ({ text: { type: 'plain_text', text }, value });
const input = (blockId: string, label: string, element: InputBlockElement, optional = false, hint?: string): InputBlock => ({
  type: 'input', block_id: blockId, optional, label: { type: 'plain_text', text: label }, element,
  ...(hint ? { hint: { type: 'plain_text', text: hint } } : {}),
});
/** Every field's value is read back under the action ID "value" (modalInput). */
const select = (options: PlainTextOption[], initial?: PlainTextOption): StaticSelect => ({ type: 'static_select', action_id: 'value', options, ...(initial ? { initial_option: initial } : {}) });
const text = (initial?: string | null, multiline = false): PlainTextInput => ({ type: 'plain_text_input', action_id: 'value', multiline, ...(initial ? { initial_value: initial } : {}) });

export function soaModal(row: SoaRow, meta: ModalMeta): ModalView {
  const t = slackText[meta.lang];
  const d = row.pending ?? row.current;
  const yes = option(t.applicable, 'yes');
  const no = option(t.notApplicable, 'no');
  const statuses = (['implemented', 'partial', 'planned', 'not-implemented'] as const).map((s) => option(statusLabel[s][meta.lang], s));
  return {
    type: 'modal',
    callback_id: SOA_MODAL,
    private_metadata: JSON.stringify(meta),
    title: { type: 'plain_text', text: t.soaDecision },
    submit: { type: 'plain_text', text: t.record },
    close: { type: 'plain_text', text: t.cancel },
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `*${rowLabel(row, meta.lang)} ${row.entry.title[meta.lang]}*\n${row.entry.summary[meta.lang]}` } },
      input('applicable', t.applicability, select([yes, no], d ? (d.applicable ? yes : no) : undefined)),
      input('status', t.implementationStatus, select(statuses, statuses.find((s) => s.value === d?.status))),
      input('justification', t.justification, text(d?.justification, true), true),
      input('reason', t.reasons, text(d?.reasons.join(', ')), true, 'risk:R-1, legal:..., contractual:..., business:...'),
      input('owner', t.owner, text(d?.owner), true),
      input('evidence', t.evidence, text(d?.evidence.join(', ')), true),
    ],
  };
}

type StateValues = Record<string, Record<string, { value?: string | null; selected_option?: { value: string } | null }>>;

/** What the form prefills from a decision (Slack cuts nothing itself: fitView cuts long values with a marker). */
function prefilled(d: Decision | null | undefined): Record<string, string | undefined> {
  return { justification: d?.justification ?? undefined, reason: d?.reasons.join(', '), owner: d?.owner ?? undefined, evidence: d?.evidence.join(', ') };
}

/**
 * The decision a submission describes. A text longer than a form field holds was prefilled cut, with the marker; sent
 * back unchanged, it stands for the whole stored text, so submitting the form never shortens what was recorded.
 */
export function modalInput(values: StateValues, meta: ModalMeta, user: string, shown?: Decision | null): DecisionInput {
  const before = prefilled(shown);
  const v = (block: string) => {
    const x = values[block]?.value;
    const value = x?.selected_option?.value ?? x?.value ?? undefined;
    const full = before[block];
    return full && full.length > blockLimits.initialValue && value === fit(full, blockLimits.initialValue) ? full : value;
  };
  const split = (s: string | undefined) => (s ?? '').split(/[,、\n]/).map((x) => x.trim()).filter(Boolean);
  return {
    control: meta.control, applicable: v('applicable'), status: v('status'), justification: v('justification') ?? undefined,
    reasons: split(v('reason')), owner: v('owner') ?? undefined, evidence: split(v('evidence')), by: user, source: meta.source,
  };
}

const blockOf: Record<string, string> = { applicable: 'applicable', status: 'status', justification: 'justification', reason: 'reason', owner: 'owner', evidence: 'evidence' };

/** Store issues as Slack's inline modal errors (block_id → message). Issues on other fields are shown on "status". */
export function modalErrors(issues: Issue[]): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const i of issues) {
    const block = blockOf[i.field] ?? 'status';
    const hint = i.hint.replace(/--([a-z-]+)[ =]?/g, '');
    errors[block] = [errors[block], `${i.message}. ${hint}`].filter(Boolean).join(' / ').slice(0, 150);
  }
  return errors;
}
