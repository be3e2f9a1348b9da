// Buttons: answer feedback, Approve / Reject (approvers only), opening the SoA form, App Home quick actions.
// Each listener acks, reads the button, and hands it to the chat core (src/chat/service.ts); what comes back is posted.
import type { App, BlockAction, ButtonAction, RespondFn } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { Reply } from '../../chat/replies.js';
import { replyBlocks } from '../blocks.js';
import { channelLink, guarded, kb, openSoaForm, permalink, postReplies, stringField, userLang, type SlackDeps } from '../context.js';
import { openDm } from '../dm.js';
import { homeView } from '../home.js';
import { fitView } from '../blockkit.js';
import { startAssessment } from './commands.js';

export function registerActions(app: App, deps: SlackDeps): void {
  const { core } = deps;
  const langOf = async (client: WebClient, user: string) => (await userLang(client, user)) ?? core.ctx.config.lang;

  for (const [id, vote] of [['feedback_up', 'up'], ['feedback_down', 'down']] as const) {
    app.action<BlockAction<ButtonAction>>(id, async ({ ack, action, body, respond, client }) => {
      await ack();
      const user = body.user.id;
      await guarded(deps, client, { user, channel: body.channel?.id }, async () => {
        if (!action.value) return;
        const reply = await core.chat.feedback(action.value, user, vote, await langOf(client, user));
        await answer(deps, client, user, respond, reply);
      });
    });
  }

  for (const [id, verdict] of [['soa_approve', 'approved'], ['soa_reject', 'rejected']] as const) {
    app.action<BlockAction<ButtonAction>>(id, async ({ ack, action, body, respond, client }) => {
      await ack();
      const user = body.user.id;
      await guarded(deps, client, { user, channel: body.channel?.id }, async () => {
        const lang = await langOf(client, user);
        const reply = await core.chat.reviewButton(user, reviewValue(action.value), verdict, lang);
        await answer(deps, client, user, respond, reply);
        // Pressed on the App Home: show it again without the proposal.
        if (reply.type === 'reviewed' && body.view?.type === 'home') await client.views.publish({ user_id: user, view: fitView(await homeView(core, user, lang)) });
      });
    });
  }

  app.action<BlockAction<ButtonAction>>('soa_open_form', async ({ ack, action, body, client }) => {
    await ack();
    const user = body.user.id;
    const channel = body.channel?.id;
    await guarded(deps, client, { user, channel }, async () => {
      const ts = stringField(body.message?.thread_ts) ?? stringField(body.message?.ts);
      const source = channel && ts ? await permalink(client, channel, ts) : channel ? channelLink(channel) : 'https://slack.com';
      // The button names a control; the form is built for the SoA line it resolves to (or says why there is none).
      const control = await core.chat.resolve(action.value ?? '');
      await openSoaForm(deps, client, body.trigger_id, { control, channel, source, lang: await langOf(client, user) });
    });
  });

  // Quick actions from the App Home: each button runs one fixed command (its value is never read); the result
  // arrives as a DM from the bot.
  for (const [id, command] of Object.entries(homeCommands)) {
    app.action<BlockAction<ButtonAction>>(id, async ({ ack, body, client }) => {
      await ack();
      const user = body.user.id;
      await guarded(deps, client, { user }, async () => {
        const channel = await openDm(client, user);
        if (!channel) return;
        const replies = await core.chat.handle({ text: command, user, thread: `${channel}:home`, source: channelLink(channel), locale: await langOf(client, user) });
        await postReplies(deps, client, replies, { channel, user });
      });
    });
  }

  // "Start assessment" on the App Home: the assessment runs in a thread of the bot's DM with the user.
  app.action<BlockAction<ButtonAction>>('home_assess', async ({ ack, body, client }) => {
    await ack();
    const user = body.user.id;
    await guarded(deps, client, { user }, async () => {
      const channel = await openDm(client, user);
      if (channel) await startAssessment(deps, client, channel, user);
    });
  });
}

/**
 * Answers a button press: through its response_url when Slack gave one (a button in a message), else (a button on the
 * App Home, which has none) in the user's DM with the bot. A review replaces the message that showed the proposal;
 * anything else is shown to the presser only.
 */
async function answer(deps: SlackDeps, client: WebClient, user: string, respond: RespondFn | undefined, reply: Reply): Promise<void> {
  const { text, blocks } = replyBlocks(deps.core.ctx.catalog, reply);
  if (respond) {
    await respond(reply.type === 'reviewed' ? { replace_original: true, text, blocks: kb(blocks) } : { response_type: 'ephemeral', replace_original: false, text, blocks: kb(blocks) });
    return;
  }
  const channel = await openDm(client, user);
  if (channel) await client.chat.postMessage({ channel, text, blocks: kb(blocks) });
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
