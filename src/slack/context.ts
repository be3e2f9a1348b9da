// What every Slack listener shares: the core, who the bot is, and small helpers around the Web API.
import { rmSync } from 'node:fs';
import { rowLabel } from '../soa/format.js';
import type { WebClient } from '@slack/web-api';
import { storeErrorText } from '../chat/messages.js';
import { newRef } from '../chat/service.js';
import { StoreError } from '../soa/index.js';
import type { Reply } from '../chat/replies.js';
import type { Core } from '../core.js';
import type { Logger } from '../log.js';
import type { Lang } from '../search/text.js';
import { postAssessment } from './assessment.js';
import { kb, kbText, userLang } from './web.js';
import type { KnownBlock } from '@slack/types';
import { button, decisionBlocks, replyBlocks } from './blocks.js';
import { fitView } from './blockkit.js';
import { isSlackUser, openDm } from './dm.js';
import { seal } from './meta.js';
import { soaModal, type ModalMeta } from './modal.js';
import { slackText } from './messages.js';
import type { PgInstallationStore } from './installations.js';


export { channelLink, kb, permalink, userLang } from './web.js';

export interface SlackDeps {
  core: Core;
  log: Logger;
  /** Answer messages from other bots too (never the bot's own). */
  allowBots: boolean;
  /** Seals modal metadata (src/slack/meta.ts). */
  metaKey: Buffer;
  /** Several workspaces: their installations (uninstalls delete them). */
  installations?: PgInstallationStore;
}

/** A field of a payload that Bolt types as `any` (message fields), when it is a string. */
export const stringField = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/**
 * Delivers an exported file: always to the requester's DM with the bot, never into the channel the request came from
 * (the SoA and the risk register are not for everyone in a channel). Returns the DM channel.
 */
export async function deliverFile(client: WebClient, user: string, r: Extract<Reply, { type: 'file' }>): Promise<string> {
  try {
    const channel = await openDm(client, user);
    if (!channel) throw new Error('conversations.open returned no DM channel');
    await client.files.uploadV2({ channel_id: channel, file: r.path, filename: r.filename, title: r.title });
    return channel;
  } finally {
    // The file is Slack's now (or the upload failed and the user asks again): no SoA stays behind on the bot's disk.
    rmSync(r.path, { force: true });
  }
}

/** The note shown where an export was requested. */
export const sentToDm = (lang: Lang, title: string) => slackText[lang].sentToDm(title);

/**
 * Where a listener answers a failure: an ephemeral in `channel`, else (App Home buttons, which have no channel) the
 * user's DM with the bot; `home` republishes the App Home with the message instead.
 */
export interface Where {
  user: string;
  channel?: string;
  lang?: Lang;
  home?: boolean;
}

/**
 * Runs a listener's work (everything after its ack); a failure reaches the user as a short message with a reference
 * ID, never as silence.
 */
export async function guarded(deps: SlackDeps, client: WebClient, where: Where, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (e) {
    const lang = where.lang ?? (await userLang(client, where.user)) ?? deps.core.ctx.config.lang;
    let text: string;
    if (e instanceof StoreError && e.field !== 'database') {
      // A problem with what the user sent (an unknown control, a refused approval) is shown as it is, with its fix.
      deps.log.warn('slack request refused by the store', { user: where.user, error: e.message });
      const i = storeErrorText(e.issues[0]!, lang);
      text = `:warning: ${i.message}\n${i.hint}`;
    } else {
      const ref = newRef('err');
      deps.log.error('slack listener failed', { ref, error: (e as Error).message, stack: (e as Error).stack?.split('\n').slice(0, 4).join(' | ') });
      text = slackText[lang].failed(ref);
    }
    await tell(client, where, text).catch((err: unknown) => deps.log.warn('could not tell the user about a failure', { user: where.user, error: (err as Error).message }));
  }
}

async function tell(client: WebClient, where: Where, text: string): Promise<void> {
  if (where.home) {
    await client.views.publish({ user_id: where.user, view: { type: 'home', blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] } });
  } else if (where.channel) {
    await client.chat.postEphemeral({ channel: where.channel, user: where.user, text });
  } else {
    const dm = await openDm(client, where.user);
    if (dm) await client.chat.postMessage({ channel: dm, text });
  }
}

/** Sends proposal messages with Approve / Reject to each configured approver, by DM. */
export async function notifyApprovers(deps: SlackDeps, client: WebClient, reply: Extract<Reply, { type: 'recorded' }>): Promise<void> {
  if (reply.decision.state !== 'proposed') return;
  for (const approver of reply.approvers) {
    if (!isSlackUser(approver)) continue;
    const channel = await openDm(client, approver);
    if (!channel) continue;
    // In the approver's language (their Slack locale), not the proposer's.
    const lang = (await userLang(client, approver)) ?? reply.lang;
    const blocks = decisionBlocks(reply.row, reply.decision, lang, true);
    await client.chat.postMessage({ channel, text: `${rowLabel(reply.row, lang)}: ${slackText[lang].proposalWaitingShort}`, blocks: kb(blocks) });
  }
}

/** Posts neutral replies into a channel or thread. Errors go only to the user who caused them. */
export async function postReplies(deps: SlackDeps, client: WebClient, replies: Reply[], at: { channel: string; threadTs?: string; user: string }): Promise<void> {
  const { catalog } = deps.core.ctx;
  const thread = at.threadTs ? { thread_ts: at.threadTs } : {};
  for (const r of replies) {
    if (r.type === 'assessment') {
      if (at.threadTs) await postAssessment(deps, client, r, { channel: at.channel, threadTs: at.threadTs, user: at.user });
      continue;
    }
    if (r.type === 'file') {
      const dm = await deliverFile(client, at.user, r);
      if (dm !== at.channel) await client.chat.postEphemeral({ channel: at.channel, user: at.user, text: sentToDm(r.lang, r.title), ...thread });
      continue;
    }
    const { text, blocks: raw } = r.type === 'soa-form' ? soaFormPrompt(r) : replyBlocks(catalog, r);
    const blocks = kbText(raw);
    if (r.type === 'error') await client.chat.postEphemeral({ channel: at.channel, user: at.user, text, blocks, ...thread });
    else await client.chat.postMessage({ channel: at.channel, text, blocks, ...thread });
    if (r.type === 'recorded') await notifyApprovers(deps, client, r);
  }
}

/** In a message there is no trigger to open a modal: offer a button that opens it. */
function soaFormPrompt(r: Extract<Reply, { type: 'soa-form' }>): { text: string; blocks: KnownBlock[] } {
  const t = slackText[r.lang];
  const text = t.openFormText(r.controlId);
  return {
    text,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text } },
      { type: 'actions', elements: [button(t.openForm, 'soa_open_form', r.controlId, 'primary')] },
    ],
  };
}

/** Opens the SoA decision modal for a control (needs a trigger from the last 3 seconds). */
export async function openSoaForm(deps: SlackDeps, client: WebClient, triggerId: string, meta: ModalMeta): Promise<void> {
  const view = { ...soaModal(await deps.core.chat.row(meta.control), meta), private_metadata: seal(deps.metaKey, meta, deps.core.workspace()) };
  await client.views.open({ trigger_id: triggerId, view: fitView(view) });
}
