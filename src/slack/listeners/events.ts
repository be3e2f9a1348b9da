// Mentions and direct messages: ack at once (Bolt does for events), show that the bot is working, answer in the thread.
import type { App } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { lengthProblem } from '../../chat/commands.js';
import { guarded, postReplies, userLang, type SlackDeps } from '../context.js';
import { WorkQueue } from '../queue.js';
import { messageLink } from '../web.js';
import { homeView } from '../home.js';
import { fitView } from '../blockkit.js';

interface MessageLike {
  text?: string;
  user?: string;
  bot_id?: string;
  subtype?: string;
  channel: string;
  ts: string;
  thread_ts?: string;
}

/** At most this many questions of one workspace show the 👀 progress reaction at once (see handleMessage). */
export const MAX_REACTING = 20;

export function registerEvents(app: App, deps: SlackDeps): void {
  const { core } = deps;
  const { concurrency, progressMs } = core.ctx.config.slack;
  const queue = new WorkQueue(concurrency);
  // Questions showing 👀 now, per workspace: Slack's rate limits are per workspace, and one workspace's burst must not
  // take another's 👀.
  const reacting = new Map<string, number>();

  async function handleMessage(ev: MessageLike, eventId: string | undefined, botUserId: string | undefined, client: WebClient): Promise<void> {
    const user = ev.user;
    if (!user || user === botUserId) return;
    if ((ev.bot_id || ev.subtype === 'bot_message') && !deps.allowBots) return;
    await guarded(deps, client, { user, channel: ev.channel }, async () => {
      // A retried delivery is handled once; and one message, one answer: a DM that mentions the bot arrives both as
      // app_mention and as message.im.
      if (!await core.state.firstHandling(eventId, ev.channel, ev.ts)) return;
      // Drop the bot's own mention; other mentions stay (owner=<@U…> names a person).
      const text = (ev.text ?? '').replace(botUserId ? new RegExp(`<@${botUserId}(\\|[^>]*)?>`, 'g') : /^\s*<@[A-Z0-9]+>/, '').trim();
      const threadTs = ev.thread_ts ?? ev.ts;
      const locale = await userLang(client, user);
      const lang = await core.chat.langOf({ text: text.slice(0, 200), thread: `${ev.channel}:${threadTs}`, locale });
      const tooLong = lengthProblem(text, lang);
      if (tooLong) {
        await client.chat.postEphemeral({ channel: ev.channel, user, thread_ts: threadTs, text: `:warning: ${tooLong.message}\n${tooLong.hint}` }).catch(() => undefined);
        return;
      }
      // 👀 on the question when its answer is not posted within ISMS_SLACK_PROGRESS_MS (waiting in the queue counts):
      // most answers take milliseconds, and two reaction calls per answer would double the Web API traffic. In a burst,
      // at most MAX_REACTING questions of a workspace show it at once: reactions.add is rate-limited per workspace
      // (Tier 3, about 50 a minute), and a backlog must not spend its Web API calls and CPU on reactions instead of
      // answers.
      const working = { channel: ev.channel, timestamp: ev.ts, name: 'eyes' };
      const workspace = core.workspace() ?? '';
      let reacted: Promise<unknown> | undefined;
      const react = () => {
        if ((reacting.get(workspace) ?? 0) >= MAX_REACTING) return;
        reacting.set(workspace, (reacting.get(workspace) ?? 0) + 1);
        reacted = client.reactions.add(working).catch(() => undefined);
      };
      const timer = progressMs > 0 ? setTimeout(react, progressMs) : undefined;
      if (!timer) react();
      try {
        await queue.run(`${ev.channel}:${threadTs}`, async () => {
          // The audit trail's link to the thread, built from its IDs: no chat.getPermalink call per message.
          const replies = await core.chat.handle({ text, user, thread: `${ev.channel}:${threadTs}`, source: messageLink(ev.channel, threadTs), locale, startsThread: !ev.thread_ts });
          await postReplies(deps, client, replies, { channel: ev.channel, threadTs, user });
        }, workspace);
      } finally {
        clearTimeout(timer);
        if (reacted) {
          await reacted;
          await client.reactions.remove(working).catch(() => undefined);
          const left = (reacting.get(workspace) ?? 1) - 1;
          if (left) reacting.set(workspace, left);
          else reacting.delete(workspace);
        }
      }
    });
  }

  app.event('app_mention', async ({ event, body, client, context }) => {
    await handleMessage(event, (body as { event_id?: string }).event_id, context.botUserId, client);
  });

  app.event('message', async ({ event, body, client, context }) => {
    const ev = event as MessageLike & { channel_type?: string };
    if (ev.subtype && ev.subtype !== 'bot_message') return;
    // Channel messages reach the bot only as replies in a thread with a running assessment (mentions come as app_mention).
    const inAssessment = !!ev.thread_ts && !!await core.assessments.active(`${ev.channel}:${ev.thread_ts}`) && !/<@[A-Z0-9]+>/.test(ev.text ?? '');
    if (ev.channel_type !== 'im' && !inAssessment) return;
    await handleMessage(ev, (body as { event_id?: string }).event_id, context.botUserId, client);
  });

  app.event('app_home_opened', async ({ event, client }) => {
    if (event.tab !== 'home') return;
    // A failure republishes the App Home with the message and its reference.
    await guarded(deps, client, { user: event.user, home: true }, async () => {
      const lang = (await userLang(client, event.user)) ?? core.ctx.config.lang;
      await client.views.publish({ user_id: event.user, view: fitView(await homeView(core, event.user, lang)) });
    });
  });
}
