// The same-run baseline of npm run bench:slack: a bare @slack/bolt app that acks an app_mention and posts one reply.
import { App, LogLevel } from '@slack/bolt';

const app = new App({
  token: 'xoxb-bench',
  signingSecret: process.env.SLACK_SIGNING_SECRET,
  clientOptions: { slackApiUrl: process.env.SLACK_API_URL, retryConfig: { retries: 0 } },
  logLevel: LogLevel.ERROR,
});
app.event('app_mention', async ({ event, client }) => {
  await client.chat.postMessage({ channel: event.channel, thread_ts: event.ts, text: 'ok' });
});
await app.start({ port: Number(process.env.PORT), host: '127.0.0.1' });
process.stdout.write('ready\n');
// Exit cleanly on the bench's SIGTERM (so that --cpu-prof in BENCH_APP_NODE_ARGS writes its profile).
process.on('SIGTERM', () => process.exit(0));
