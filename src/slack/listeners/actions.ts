// Buttons: answer feedback, Approve / Reject (approvers only), opening the SoA form, App Home quick actions.
import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import { replyBlocks } from '../blocks.js';
import { channelLink, guarded, kb, openSoaForm, permalink, postReplies, userLang, type SlackDeps } from '../context.js';
import { startAssessment } from './commands.js';

export function registerActions(app: App, deps: SlackDeps): void {
  const { core } = deps;

  for (const [id, vote] of [['feedback_up', 'up'], ['feedback_down', 'down']] as const) {
    app.action<BlockAction<ButtonAction>>(id, async ({ ack, action, body, respond }) => {
      await ack();
      core.chat.feedback(action.value!, body.user.id, vote);
      const lang = (await userLang(app.client, body.user.id)) ?? core.ctx.config.lang;
      await respond({ response_type: 'ephemeral', replace_original: false, text: lang === 'ja' ? 'フィードバックありがとうございます。' : 'Thanks for the feedback.' });
    });
  }

  for (const [id, verdict] of [['soa_approve', 'approved'], ['soa_reject', 'rejected']] as const) {
    app.action<BlockAction<ButtonAction>>(id, async ({ ack, action, body, respond, client }) => {
      await ack();
      const user = body.user.id;
      const lang = (await userLang(client, user)) ?? core.ctx.config.lang;
      const { decision, control } = JSON.parse(action.value!) as { decision: number; control: string };
      if (!core.chat.isApprover(user)) {
        await respond({ response_type: 'ephemeral', replace_original: false, text: lang === 'ja' ? ':no_entry: 承認・却下できるのは承認者（ISMS_APPROVERS）だけです。判断は変更されていません。' : ':no_entry: Only approvers (ISMS_APPROVERS) can approve or reject. Nothing was changed.' });
        return;
      }
      const pending = core.store.soa.state(control).pending;
      if (!pending || pending.id !== decision) {
        await respond({ response_type: 'ephemeral', replace_original: false, text: lang === 'ja' ? 'この提案はすでに処理されたか、新しい提案に置き換えられています。' : 'This proposal was already reviewed or replaced by a newer one.' });
        return;
      }
      // The version the button showed is checked again inside the write transaction.
      const [reply] = core.chat.review(control, user, verdict, lang, undefined, pending.version);
      const { text, blocks } = replyBlocks(core.ctx.catalog, reply!);
      await respond({ replace_original: true, text, blocks: kb(blocks) });
    });
  }

  app.action<BlockAction<ButtonAction>>('soa_open_form', async ({ ack, action, body, client }) => {
    await ack();
    const channel = body.channel?.id;
    const ts = body.message?.thread_ts ?? body.message?.ts;
    const lang = (await userLang(client, body.user.id)) ?? core.ctx.config.lang;
    const source = channel && ts ? await permalink(client, channel, ts) : channel ? channelLink(channel) : 'https://slack.com';
    await openSoaForm(deps, client, body.trigger_id, { control: action.value!, channel, source, lang });
  });

  // Quick actions from the App Home: the result arrives as a DM from the bot.
  for (const id of ['home_missing', 'home_export', 'home_help']) {
    app.action<BlockAction<ButtonAction>>(id, async ({ ack, action, body, client }) => {
      await ack();
      const user = body.user.id;
      const lang = (await userLang(client, user)) ?? core.ctx.config.lang;
      const dm = await client.conversations.open({ users: user });
      const channel = (dm.channel as { id?: string } | undefined)?.id;
      if (!channel) return;
      await guarded(deps, client, { user, channel, lang }, async () => {
        const text = id === 'home_export' ? `export ${action.value}` : action.value!;
        const replies = await core.chat.handle({ text, user, thread: `${channel}:home`, source: channelLink(channel), locale: lang });
        await postReplies(deps, client, replies, { channel, user });
      });
    });
  }


  // "Start assessment" on the App Home: the assessment runs in a thread of the bot's DM with the user.
  app.action<BlockAction<ButtonAction>>('home_assess', async ({ ack, body, client }) => {
    await ack();
    const dm = await client.conversations.open({ users: body.user.id });
    const channel = (dm.channel as { id?: string } | undefined)?.id;
    if (channel) await startAssessment(deps, client, channel, body.user.id);
  });
}
