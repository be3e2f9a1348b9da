// Buttons: answer feedback, Approve / Reject (approvers only), opening the SoA form, App Home quick actions.
import type { App, BlockAction, ButtonAction, RespondArguments, RespondFn } from '@slack/bolt';
import type { KnownBlock } from '@slack/types';
import type { WebClient } from '@slack/web-api';
import { replyBlocks } from '../blocks.js';
import { channelLink, dmWith, guarded, kb, openSoaForm, permalink, postReplies, stringField, userLang, type SlackDeps } from '../context.js';
import { homeView } from '../home.js';
import { kview } from '../web.js';
import { startAssessment } from './commands.js';

export function registerActions(app: App, deps: SlackDeps): void {
  const { core } = deps;

  for (const [id, vote] of [['feedback_up', 'up'], ['feedback_down', 'down']] as const) {
    app.action<BlockAction<ButtonAction>>(id, async ({ ack, action, body, respond, client }) => {
      await ack();
      if (!action.value) return;
      core.chat.feedback(action.value.slice(0, 64), body.user.id, vote);
      const lang = (await userLang(app.client, body.user.id)) ?? core.ctx.config.lang;
      await answer(client, body.user.id, respond, { response_type: 'ephemeral', replace_original: false, text: lang === 'ja' ? 'フィードバックありがとうございます。' : 'Thanks for the feedback.' });
    });
  }

  for (const [id, verdict] of [['soa_approve', 'approved'], ['soa_reject', 'rejected']] as const) {
    app.action<BlockAction<ButtonAction>>(id, async ({ ack, action, body, respond, client }) => {
      await ack();
      const user = body.user.id;
      const lang = (await userLang(client, user)) ?? core.ctx.config.lang;
      await guarded(deps, client, { user, channel: body.channel?.id, lang }, async () => {
        const { decision, control } = reviewValue(action.value);
        if (!core.chat.isApprover(user)) {
          await answer(client, user, respond, { response_type: 'ephemeral', replace_original: false, text: lang === 'ja' ? ':no_entry: 承認・却下できるのは承認者（ISMS_APPROVERS）だけです。判断は変更されていません。' : ':no_entry: Only approvers (ISMS_APPROVERS) can approve or reject. Nothing was changed.' });
          return;
        }
        const pending = control ? core.store.soa.state(control).pending : null;
        if (!pending || pending.id !== decision) {
          await answer(client, user, respond, { response_type: 'ephemeral', replace_original: false, text: lang === 'ja' ? 'この提案はすでに処理されたか、新しい提案に置き換えられています。' : 'This proposal was already reviewed or replaced by a newer one.' });
          return;
        }
        // The version the button showed is checked again inside the write transaction.
        const [reply] = core.chat.review(control!, user, verdict, lang, undefined, pending.version);
        const { text, blocks } = replyBlocks(core.ctx.catalog, reply!);
        await answer(client, user, respond, { replace_original: true, text, blocks: kb(blocks) });
        // Pressed on the App Home: show it again without the proposal.
        if ((body.view as { type?: string } | undefined)?.type === 'home') await client.views.publish({ user_id: user, view: kview(homeView(core, user, lang)) });
      });
    });
  }

  app.action<BlockAction<ButtonAction>>('soa_open_form', async ({ ack, action, body, client }) => {
    await ack();
    const channel = body.channel?.id;
    const ts = stringField(body.message?.thread_ts) ?? stringField(body.message?.ts);
    const lang = (await userLang(client, body.user.id)) ?? core.ctx.config.lang;
    const source = channel && ts ? await permalink(client, channel, ts) : channel ? channelLink(channel) : 'https://slack.com';
    await guarded(deps, client, { user: body.user.id, channel, lang }, async () => {
      // The button names a control; the form is built for the SoA line it resolves to (or says why there is none).
      const control = core.chat.resolve(action.value ?? '');
      await openSoaForm(deps, client, body.trigger_id, { control, channel, source, lang });
    });
  });

  // Quick actions from the App Home: each button runs one fixed command (its value is never read); the result
  // arrives as a DM from the bot.
  for (const [id, command] of Object.entries(homeCommands)) {
    app.action<BlockAction<ButtonAction>>(id, async ({ ack, body, client }) => {
      await ack();
      const user = body.user.id;
      const lang = (await userLang(client, user)) ?? core.ctx.config.lang;
      const channel = await dmWith(client, user);
      if (!channel) return;
      await guarded(deps, client, { user, channel, lang }, async () => {
        const replies = await core.chat.handle({ text: command, user, thread: `${channel}:home`, source: channelLink(channel), locale: lang });
        await postReplies(deps, client, replies, { channel, user });
      });
    });
  }


  // "Start assessment" on the App Home: the assessment runs in a thread of the bot's DM with the user.
  app.action<BlockAction<ButtonAction>>('home_assess', async ({ ack, body, client }) => {
    await ack();
    const channel = await dmWith(client, body.user.id);
    if (channel) await startAssessment(deps, client, channel, body.user.id);
  });
}

/**
 * Answers a button press: through its response_url when Slack gave one (a button in a message), else (a button on the
 * App Home, which has none) in the user's DM with the bot.
 */
async function answer(client: WebClient, user: string, respond: RespondFn | undefined, message: RespondArguments): Promise<void> {
  if (respond) {
    await respond(message);
    return;
  }
  const channel = await dmWith(client, user);
  const { text, blocks } = message as { text?: string; blocks?: KnownBlock[] };
  if (channel) await client.chat.postMessage({ channel, text: text ?? '', ...(blocks ? { blocks } : {}) });
}

/** The App Home's quick actions: action ID → the command it runs. */
export const homeCommands: Record<string, string> = { home_missing: 'missing', home_export: 'export xlsx', home_help: 'help' };

/** An Approve / Reject button's value: {"decision": id, "control": key}; anything else names nothing. */
function reviewValue(raw: string | undefined): { decision?: number; control?: string } {
  try {
    const v = JSON.parse(raw ?? '') as { decision?: unknown; control?: unknown };
    return { decision: typeof v.decision === 'number' ? v.decision : undefined, control: typeof v.control === 'string' ? v.control : undefined };
  } catch {
    return {};
  }
}
