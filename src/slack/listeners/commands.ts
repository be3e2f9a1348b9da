// `/isms ...`: ack within Slack's 3 seconds, then do the slow work and answer through response_url.
import type { App, RespondFn } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { lengthProblem, parseCommand } from '../../chat/commands.js';
import type { Reply } from '../../chat/replies.js';
import { StoreError } from '../../soa/index.js';
import { replyBlocks } from '../blocks.js';
import { postAssessment, threadKey } from '../assessment.js';
import { digestPreviewBlocks, digestPreviewText } from '../digest.js';
import { channelLink, deliverFile, guarded, kb, notifyApprovers, openSoaForm, sentToDm, userLang, type SlackDeps } from '../context.js';
import { detectLang } from '../../search/text.js';
import { slackText } from '../messages.js';

export function registerCommands(app: App, deps: SlackDeps): void {
  const { core } = deps;

  app.command('/isms', async ({ command, ack, respond, client }) => {
    // Refused before anything else reads it: a 1 MB command costs a length check, not seconds of parsing and search.
    const tooLong = lengthProblem(command.text, detectLang(command.text.slice(0, 200)));
    if (tooLong) {
      await ack({ response_type: 'ephemeral', text: `:warning: ${tooLong.message}\n${tooLong.hint}` });
      return;
    }
    const cmd = parseCommand(command.text);
    // The modal must open within 3 s of the command (its trigger expires): resolve and open before anything slow.
    if (cmd.kind === 'soa-set' && !Object.keys(cmd.fields).length) {
      const lang = await core.chat.langOf({ text: command.text, thread: command.channel_id, locale: undefined });
      let control: string;
      try {
        control = await core.chat.resolve(cmd.control);
      } catch (e) {
        if (!(e instanceof StoreError)) throw e;
        await ack({ response_type: 'ephemeral', text: `:warning: ${e.issues[0]!.message}. ${e.issues[0]!.hint}` });
        return;
      }
      await ack();
      await guarded(deps, client, { user: command.user_id, channel: command.channel_id, lang }, () =>
        openSoaForm(deps, client, command.trigger_id, { control, channel: command.channel_id, source: channelLink(command.channel_id), lang }));
      return;
    }
    if (cmd.kind === 'digest') {
      await ack();
      await guarded(deps, client, { user: command.user_id, channel: command.channel_id }, async () => {
        const lang = (await userLang(client, command.user_id)) ?? deps.core.ctx.config.digest.lang;
        await respond({ response_type: 'ephemeral', text: (await digestPreviewText(core, lang)).slice(0, 3000), blocks: kb(await digestPreviewBlocks(core, lang)) });
      });
      return;
    }
    if (cmd.kind === 'digest-channel' && cmd.channel === 'here' && core.severalWorkspaces && core.store.approvers.includes(command.user_id)) {
      // The digest will be posted here every week: say so in the channel now, which also shows that the bot may post
      // here (a slash command works in channels the bot is not in). If it may not, nothing is recorded.
      await ack();
      const lang = (await userLang(client, command.user_id)) ?? deps.core.ctx.config.lang;
      const posted = await client.chat.postMessage({ channel: command.channel_id, text: slackText[lang].digestHereNotice(command.user_id) })
        .then(() => undefined, (e: { data?: { error?: string }; message?: string }) => e.data?.error ?? e.message ?? 'error');
      if (posted) {
        await respond({ response_type: 'ephemeral', text: `:warning: ${slackText[lang].digestCannotPost(posted)}` });
        return;
      }
      await guarded(deps, client, { user: command.user_id, channel: command.channel_id }, async () => {
        const replies = await core.chat.handle({ text: command.text, user: command.user_id, thread: `${command.channel_id}:cmd:${command.user_id}`, source: channelLink(command.channel_id), locale: lang });
        await respondAll(deps, client, respond, replies, command.user_id);
      });
      return;
    }
    if (cmd.kind === 'assess') {
      await ack();
      await startAssessment(deps, client, command.channel_id, command.user_id, cmd.service);
      return;
    }
    await ack();
    await guarded(deps, client, { user: command.user_id, channel: command.channel_id }, async () => {
      const locale = await userLang(client, command.user_id);
      const replies = await core.chat.handle({ text: command.text, user: command.user_id, thread: `${command.channel_id}:cmd:${command.user_id}`, source: channelLink(command.channel_id), locale });
      await respondAll(deps, client, respond, replies, command.user_id);
    });
  });
}

/** Answers go to the channel; everything else only to the caller. Files go to the caller's DM, never the channel. */
async function respondAll(deps: SlackDeps, client: WebClient, respond: RespondFn, replies: Reply[], user: string): Promise<void> {
  for (const r of replies) {
    if (r.type === 'file') {
      await deliverFile(client, user, r);
      await respond({ response_type: 'ephemeral', text: sentToDm(r.lang, r.title) });
      continue;
    }
    const { text, blocks } = replyBlocks(deps.core.ctx.catalog, r);
    await respond({ response_type: r.type === 'answer' ? 'in_channel' : 'ephemeral', text, blocks: kb(blocks) });
    if (r.type === 'recorded') await notifyApprovers(deps, client, r);
  }
}

/** Opens a thread for a new assessment: its first message is the summary, pinned and updated as the steps go. */
export async function startAssessment(deps: SlackDeps, client: WebClient, channel: string, user: string, service?: string): Promise<void> {
  const lang = (await userLang(client, user)) ?? deps.core.ctx.config.lang;
  await guarded(deps, client, { user, channel, lang }, async () => {
    const opening = await client.chat.postMessage({ channel, text: slackText[lang].assessmentStarted(user) });
    const ts = opening.ts!;
    await client.pins.add({ channel, timestamp: ts }).catch(() => undefined);
    const reply = await deps.core.assessments.begin(threadKey(channel, ts), user, lang, service, ts);
    await postAssessment(deps, client, reply, { channel, threadTs: ts, user });
  });
}
