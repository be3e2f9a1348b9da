// Message shortcut "Ask ISMS about this message": answers the message in its thread.
import type { App, MessageShortcut } from '@slack/bolt';
import { guarded, postReplies, stringField, userLang, type SlackDeps } from '../context.js';

export const ASK_SHORTCUT = 'ask_isms';

export function registerShortcuts(app: App, deps: SlackDeps): void {
  const { core } = deps;
  app.shortcut<MessageShortcut>(ASK_SHORTCUT, async ({ ack, shortcut, client }) => {
    await ack();
    const channel = shortcut.channel.id;
    const threadTs = stringField(shortcut.message.thread_ts) ?? shortcut.message_ts;
    const user = shortcut.user.id;
    const locale = await userLang(client, user);
    await guarded(deps, client, { user, channel, lang: locale }, async () => {
      const text = stringField(shortcut.message.text) ?? '';
      const reply = await core.chat.ask(text, { thread: `${channel}:${threadTs}` });
      await postReplies(deps, client, [reply], { channel, threadTs, user });
    });
  });
}
