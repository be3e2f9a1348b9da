// Slack's Agents & AI Apps surface (the assistant side panel and its threads), with Bolt's Assistant class.
//
// A new assistant thread gets suggested prompts in the user's language. A question in it gets a "thinking" status,
// the thread takes its title from the first question, and the answer comes from the same chat core as mentions and
// DMs, so follow-ups in the thread keep its context (the thread key is channel:thread_ts, as everywhere).
// The surface needs a paid plan: mentions and DMs work without it. Only threads that Slack opened as assistant threads
// (assistant_thread_started, remembered in the chat state) are handled here; any other DM thread goes on to the
// ordinary message listener.
import { Assistant, type AllMiddlewareArgs, type App, type AssistantConfig, type SlackEventMiddlewareArgs } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { lengthProblem } from '../../chat/commands.js';
import { chatWords, suggestedPrompts, threadTitle } from '../../chat/messages.js';
import { guarded, permalink, postReplies, userLang, type SlackDeps } from '../context.js';

type Obj = Record<string, unknown>;

interface ThreadInfo {
  user_id?: string;
  channel_id?: string;
  thread_ts?: string;
  context?: Obj;
}

interface UserMessage {
  text?: string;
  user?: string;
  bot_id?: string;
  subtype?: string;
  channel: string;
  ts: string;
  thread_ts?: string;
}

const key = (channel: string, threadTs: string) => `${channel}:${threadTs}`;

/** The thread an assistant event or message belongs to. */
function threadOf(payload: Obj): { channel?: string; threadTs?: string } {
  const t = payload.assistant_thread as ThreadInfo | undefined;
  if (t) return { channel: t.channel_id, threadTs: t.thread_ts };
  return { channel: payload.channel as string | undefined, threadTs: payload.thread_ts as string | undefined };
}

export function registerAssistant(app: App, deps: SlackDeps): void {
  const { core, log } = deps;
  // core.state is read per request (the state of the workspace in scope), never held from registration.

  // Thread context (which channel the user is looking at) kept in the chat state: no extra Web API calls, and it
  // survives a restart, as the list of assistant threads must.
  const threadContextStore: NonNullable<AssistantConfig['threadContextStore']> = {
    get: async ({ payload }) => {
      const { channel, threadTs } = threadOf(payload as unknown as Obj);
      const saved: { channel_id?: string } | undefined = channel && threadTs ? await core.state.assistantThread(key(channel, threadTs)) : undefined;
      return Promise.resolve(saved ?? {});
    },
    save: async ({ payload }) => {
      const t = (payload as unknown as Obj).assistant_thread as ThreadInfo | undefined;
      if (t?.channel_id && t.thread_ts) await core.state.saveAssistantThread(key(t.channel_id, t.thread_ts), t.context ?? {});
      return Promise.resolve();
    },
  };

  const assistant = new Assistant({
    threadContextStore,

    threadStarted: async ({ event, client, setSuggestedPrompts, saveThreadContext }) => {
      const t = event.assistant_thread;
      await saveThreadContext();
      const lang = (await userLang(client, t.user_id)) ?? core.ctx.config.lang;
      const s = suggestedPrompts[lang];
      await setSuggestedPrompts({ title: s.title, prompts: s.prompts }).catch(() => undefined);
    },

    threadContextChanged: async ({ saveThreadContext }) => {
      await saveThreadContext();
    },

    userMessage: async ({ message, body, client, context, setStatus, setTitle }) => {
      const m: UserMessage = message;
      await answer(m, (body as { event_id?: string }).event_id, context.botUserId, client, { setStatus, setTitle });
    },
  });

  async function answer(m: UserMessage, eventId: string | undefined, botUserId: string | undefined, client: WebClient, ui: { setStatus: (s: string) => Promise<unknown>; setTitle: (t: string) => Promise<unknown> }): Promise<void> {
    if (!m.user || m.user === botUserId || m.subtype === 'bot_message' || (m.bot_id && !deps.allowBots)) return;
    if (!await core.state.firstHandling(eventId, m.channel, m.ts)) return; // a retried delivery, or a message already answered
    const threadTs = m.thread_ts ?? m.ts;
    const thread = key(m.channel, threadTs);
    const text = (m.text ?? '').replace(/<@[A-Z0-9]+>/g, '').trim();
    const locale = await userLang(client, m.user);
    const lang = await core.chat.langOf({ text: text.slice(0, 200), thread, locale });
    const tooLong = lengthProblem(text, lang);
    if (tooLong) {
      await client.chat.postMessage({ channel: m.channel, thread_ts: threadTs, text: `:warning: ${tooLong.message}\n${tooLong.hint}` }).catch(() => undefined);
      return;
    }
    await guarded(deps, client, { user: m.user, channel: m.channel, lang }, async () => {
      // The first question names the thread in the assistant's history.
      if (!(await core.state.history(thread, 1)).length) await ui.setTitle(threadTitle(text)).catch(() => undefined);
      await ui.setStatus(chatWords[lang].working).catch(() => undefined);
      let posted = false;
      try {
        const source = await permalink(client, m.channel, threadTs);
        const replies = await core.chat.handle({ text, user: m.user!, thread, source, locale });
        await postReplies(deps, client, replies, { channel: m.channel, threadTs, user: m.user! });
        posted = replies.some((r) => r.type !== 'error' && r.type !== 'file');
      } finally {
        // A reply posted in the thread clears the status; an error shown only to the user (ephemeral) does not.
        if (!posted) await ui.setStatus('').catch(() => undefined);
      }
    });
  }

  const middleware = assistant.getMiddleware();
  // Assistant threads only: a message in any other DM thread goes on to the ordinary listeners (src/slack/listeners/events.ts).
  app.use(async function assistantThreads(args) {
    const a = args as unknown as AllMiddlewareArgs & SlackEventMiddlewareArgs & { payload: Obj };
    const type = a.payload?.type;
    if (type === 'message') {
      const { channel, threadTs } = threadOf(a.payload);
      if (!channel || !threadTs || !await core.state.assistantThread(key(channel, threadTs))) return a.next();
    }
    if (type === 'assistant_thread_started' || type === 'assistant_thread_context_changed') log.debug(`slack ${type}`);
    return middleware(args);
  });
}
