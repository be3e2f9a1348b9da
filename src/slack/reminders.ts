// One reminder to the starter of an assessment that has been idle for 3 days. Checked every hour.
import type { WebClient } from '@slack/web-api';
import type { Core } from '../core.js';
import { isSlackUser, openDm } from './dm.js';
import { permalink } from './web.js';
import { slackText } from './messages.js';

const HOUR = 3600 * 1000;

export async function sendReminders(core: Core, client: WebClient, now = Date.now()): Promise<number> {
  const due = await core.assessments.dueReminders(now);
  for (const s of due) {
    const [channel, ts] = s.thread.split(':') as [string, string];
    if (!isSlackUser(s.startedBy)) continue;
    const link = await permalink(client, channel, ts);
    const dmChannel = await openDm(client, s.startedBy);
    if (!dmChannel) continue;
    await client.chat.postMessage({
      channel: dmChannel,
      text: slackText[s.lang].idleReminder(s.id, s.scope.service ?? '?', link),
    });
  }
  return due.length;
}

export function startReminders(core: Core, client: WebClient): () => void {
  const tick = () => void sendReminders(core, client).catch((e) => core.ctx.log.warn('assessment reminders failed', { error: (e as Error).message }));
  const timer = setInterval(tick, HOUR);
  timer.unref();
  tick();
  return () => clearInterval(timer);
}
