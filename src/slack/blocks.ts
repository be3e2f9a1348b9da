// Block Kit rendering of neutral replies. Text limits: a section holds at most 3000 characters.
import { rowLabel } from '../soa/format.js';
import type { Answer } from '../answer/engine.js';
import type { Catalog } from '../catalog/catalog.js';
import { renderText, decisionText, MAX_LIST } from '../chat/render-text.js';
import { personMention } from '../soa/people.js';
import { helpText } from '../chat/help.js';
import type { Reply } from '../chat/replies.js';
import type { Lang } from '../search/text.js';
import type { Decision, SoaRow } from '../soa/index.js';
import type { Button, KnownBlock, MrkdwnElement, PlainTextElement, SectionBlock } from '@slack/types';
import { slackText } from './messages.js';

/** A Block Kit block, typed by @slack/types (types only: nothing of Bolt is loaded here). */
export type Block = KnownBlock;

const mrkdwn = (text: string): MrkdwnElement => ({ type: 'mrkdwn', text });

/**
 * Slack's escaping for text that people or models wrote (justifications, owners, answers, documents): without it,
 * "<!channel>" would ping a channel and "<https://evil|evidence>" would show a disguised link.
 */
export const esc = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
/** Escapes mrkdwn but keeps user mentions (<@U…>), which Slack shows as each person's current name. */
const escKeepMentions = (text: string) => esc(text).replace(/&lt;@([UW][A-Z0-9]{2,})&gt;/g, '<@$1>');
const plain = (text: string): PlainTextElement => ({ type: 'plain_text', text: text.slice(0, 75), emoji: true });

export function sections(text: string): SectionBlock[] {
  const out: SectionBlock[] = [];
  let rest = text;
  while (rest.length) {
    let cut = rest.length <= 2900 ? rest.length : rest.lastIndexOf('\n', 2900);
    if (cut <= 0) cut = 2900;
    out.push({ type: 'section', text: mrkdwn(rest.slice(0, cut)) });
    rest = rest.slice(cut).replace(/^\n+/, '');
  }
  return out;
}

export function button(text: string, actionId: string, value: string, style?: 'primary' | 'danger'): Button {
  return { type: 'button', text: plain(text), action_id: actionId, value, ...(style ? { style } : {}) };
}

/** "C" / "P" badges: whether 27017 gives the customer / provider guidance for the control. */
function badges(catalog: Catalog, id: string, lang: Lang): string {
  const e = catalog.get(id);
  if (!e) return '';
  const b: string[] = [];
  if (e.kind === 'cld') b.push('`CLD`');
  else if (e.kind === 'requirement') b.push('`JIP-ISMS517`');
  if (e.cloudGuidance.customer) b.push(slackText[lang].customerTag);
  if (e.cloudGuidance.provider) b.push(slackText[lang].providerTag);
  return b.join(' ');
}

export function answerBlocks(catalog: Catalog, a: Answer, ref: string): Block[] {
  const lang = a.language;
  const blocks: Block[] = sections(esc(a.answer));
  if (a.citations.length) {
    const lines = a.citations.map((id) => `• *${id}* ${catalog.get(id)?.title[lang] ?? ''} ${badges(catalog, id, lang)}`);
    blocks.push({ type: 'divider' }, { type: 'section', text: mrkdwn(`${slackText[lang].sourcesHead}\n${lines.join('\n')}`) });
  }
  const meta = `${a.mode === 'llm' ? 'LLM' : slackText[lang].fromCatalogue} · ${slackText[lang].confidence} ${a.confidence.toFixed(2)}${a.fallback ? ` · fallback: ${a.fallback}` : ''}`;
  blocks.push({ type: 'context', elements: [mrkdwn(meta)] });
  if (!a.outOfScope) {
    blocks.push({
      type: 'actions', block_id: `feedback:${ref}`,
      elements: [button('👍', 'feedback_up', ref), button('👎', 'feedback_down', ref)],
    });
  }
  return blocks;
}

export function decisionBlocks(row: SoaRow, d: Decision, lang: Lang, withButtons: boolean): Block[] {
  const e = row.entry;
  const blocks: Block[] = [
    { type: 'section', text: mrkdwn(`*${slackText[lang].proposalWaiting}: ${rowLabel(row, lang)} ${e.title[lang]}*\n${escKeepMentions(decisionText(d, lang, personMention).join('\n'))}`) },
  ];
  if (withButtons) {
    const value = JSON.stringify({ decision: d.id, control: d.controlId });
    blocks.push({
      type: 'actions', block_id: `review:${d.id}`,
      elements: [button(slackText[lang].approve, 'soa_approve', value, 'primary'), button(slackText[lang].reject, 'soa_reject', value, 'danger')],
    });
  }
  return blocks;
}

/** Any neutral reply as blocks plus notification text. */
export function replyBlocks(catalog: Catalog, r: Reply): { text: string; blocks: Block[] } {
  const text = renderText(r).slice(0, 3000);
  const safe = esc(text);
  switch (r.type) {
    case 'answer':
      return { text: r.answer.answer.slice(0, 3000), blocks: answerBlocks(catalog, r.answer, r.ref) };
    case 'error':
      return { text, blocks: [{ type: 'section', text: mrkdwn(`:warning: ${esc(r.message)}${r.hint ? `\n_${esc(r.hint)}_` : ''}${r.ref ? `\nref: \`${r.ref}\`` : ''}`) }] };
    case 'help':
      return { text, blocks: sections(helpText[r.lang]) };
    case 'proposal':
      return { text, blocks: decisionBlocks(r.row, r.decision, r.lang, true) };
    case 'missing': {
      const head = r.rows.length ? `*${slackText[r.lang].missingHead}: ${r.rows.length}*` : renderText(r);
      const lines = r.rows.slice(0, MAX_LIST).map((x) => `• *${rowLabel(x, r.lang)}* ${x.entry.title[r.lang]} ${badges(catalog, x.entry.id, r.lang)}`);
      if (r.rows.length > MAX_LIST) lines.push(`… +${r.rows.length - MAX_LIST}`);
      return { text: head, blocks: sections([head, ...lines].join('\n')) };
    }
    case 'text':
      // Only user and channel mentions the service put there are turned back into markup; anything else stays escaped.
      return { text, blocks: sections(r.mentions ? safe.replace(/&lt;([@#][UWCGD][A-Z0-9]{2,20})&gt;/g, '<$1>') : safe) };
    default:
      return { text, blocks: sections(safe) };
  }
}
