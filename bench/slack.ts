// npm run bench:slack — the Slack app under load, against a bare Bolt app of the same version in the same run.
// Both run over HTTP on 127.0.0.1 against the fake Slack Web API (test/helpers/fake-slack.ts); the driver sends N
// signed app_mention events at concurrency C from 10 users and measures, per event, the ack (HTTP response) and the
// answer (the chat.postMessage in its thread reaching the fake). The bare app acks and posts one reply; ours searches,
// answers and posts. Medians of 3 runs each. BENCH_MENTIONS (default 1000), BENCH_CONCURRENCY (default 50).
import type { Server } from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, LogLevel } from '@slack/bolt';
import { loadConfig } from '../src/config.js';
import { createCore } from '../src/core.js';
import { createLogger } from '../src/log.js';
import { createSlackApp } from '../src/slack/app.js';
import { appMention, boltUrl, eventEnvelope, postToBolt, startFakeSlack, type FakeSlack } from '../test/helpers/fake-slack.js';
import { median, table } from './common.js';

const n = Number(process.env.BENCH_MENTIONS ?? 1000);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 50);
const secret = 'bench-signing-secret';
const questions = ['EC2 のパッチは誰が当てる？', 'Do we back up Microsoft 365 ourselves?', 'Who is responsible for logging in SaaS?', 'クラウドの暗号鍵の管理は？', 'What must a provider tell customers about data location?'];
const users = Array.from({ length: 10 }, (_, i) => `UBENCH${i}`);

interface Run { ackP99: number; answerP50: number; answerP99: number; throughput: number; answered: number }

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] ?? NaN;

async function drive(url: string, fake: FakeSlack, channel: string): Promise<Run> {
  const sent = new Map<string, number>();
  const acks: number[] = [];
  const before = fake.calls.length;
  let next = 0;
  const t0 = performance.now();
  const start = Date.now();
  const worker = async () => {
    while (next < n) {
      const i = next++;
      const ts = `${Math.floor(start / 1000)}.${String(i).padStart(6, '0')}`;
      sent.set(ts, Date.now());
      const ev = appMention(`<@UBOT> ${questions[i % questions.length]}`, { user: users[i % users.length]!, channel, ts });
      const r = await postToBolt(url, secret, 'event', eventEnvelope(ev, { eventId: `Ev${channel}${i}` }));
      acks.push(r.ms);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  // Wait for the answers: one chat.postMessage per event, in its thread.
  const deadline = Date.now() + 300_000;
  const answered = () => fake.calls.slice(before).filter((c) => c.method === 'chat.postMessage' && c.args.channel === channel && sent.has(String(c.args.thread_ts)));
  while (answered().length < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  const posts = answered();
  const lat = posts.map((c) => c.at - sent.get(String(c.args.thread_ts))!);
  const last = Math.max(...posts.map((c) => c.at));
  return { ackP99: pct(acks, 99), answerP50: pct(lat, 50), answerP99: pct(lat, 99), throughput: posts.length / ((last - start) / 1000), answered: posts.length + 0 * (performance.now() - t0) };
}

async function bare(fake: FakeSlack): Promise<{ url: string; stop: () => Promise<void> }> {
  const app = new App({ token: 'xoxb-bench', signingSecret: secret, clientOptions: { slackApiUrl: fake.apiUrl, retryConfig: { retries: 0 } }, logLevel: LogLevel.ERROR });
  app.event('app_mention', async ({ event, client }) => {
    await client.chat.postMessage({ channel: event.channel, thread_ts: event.ts, text: 'ok' });
  });
  const server = (await app.start({ port: 0, host: '127.0.0.1' })) as unknown as Server;
  return { url: boltUrl(server), stop: async () => { await app.stop(); } };
}

async function ours(fake: FakeSlack): Promise<{ url: string; stop: () => Promise<void> }> {
  const config = loadConfig({ ISMS_DATA_DIR: mkdtempSync(join(tmpdir(), 'bench-slack-')), EMBEDDINGS: 'off', LOG_LEVEL: 'error' });
  const core = await createCore(config, createLogger('error'));
  const app = createSlackApp(core, { mode: 'http', botToken: 'xoxb-bench', signingSecret: secret, port: 0, apiUrl: fake.apiUrl, allowBots: false, retries: 0 });
  const server = (await app.start({ port: 0, host: '127.0.0.1' })) as unknown as Server;
  return { url: boltUrl(server), stop: async () => { await app.stop(); core.close(); } };
}

const fake = await startFakeSlack({ users: Object.fromEntries(users.map((u, i) => [u, { locale: i % 2 ? 'ja-JP' : 'en-US' }])) });
const results: Record<'bare' | 'ours', Run[]> = { bare: [], ours: [] };
for (let r = 0; r < 3; r++) {
  for (const kind of ['bare', 'ours'] as const) {
    const app = kind === 'bare' ? await bare(fake) : await ours(fake);
    const run = await drive(app.url, fake, `C${kind.toUpperCase()}${r}`);
    await app.stop();
    results[kind].push(run);
    process.stderr.write(`run ${r + 1} ${kind}: answered ${run.answered}/${n}, answer p50 ${run.answerP50} ms p99 ${run.answerP99} ms, ${run.throughput.toFixed(0)}/s, ack p99 ${run.ackP99} ms\n`);
    fake.calls.length = 0;
  }
}
await fake.close();
const m = (k: 'bare' | 'ours', f: keyof Run) => median(results[k].map((x) => x[f]));
const line = (label: string, f: keyof Run, unit: string, digits = 0): [string, string] =>
  [label, `${m('ours', f).toFixed(digits)} ${unit} vs ${m('bare', f).toFixed(digits)} ${unit} = ×${(m('ours', f) / m('bare', f)).toFixed(2)}`];
console.log(table([
  line(`answer p50 (${n} mentions, concurrency ${concurrency})`, 'answerP50', 'ms'),
  line('answer p99', 'answerP99', 'ms'),
  line('throughput', 'throughput', 'answers/s', 1),
  line('ack p99', 'ackP99', 'ms'),
  ['answered', `${m('ours', 'answered')} / ${n} vs ${m('bare', 'answered')} / ${n}`],
], `ours vs a bare @slack/bolt app (acks, posts one reply) in the same run, medians of 3 runs, fake Web API on 127.0.0.1`));
