// The Agents & AI Apps surface over signed HTTP against the fake Web API: suggested prompts in the user's language,
// a status while working, the thread's title from the question, a cited answer, and follow-ups that keep the context.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { App } from '@slack/bolt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { createCore, type Core } from '../src/core.js';
import { createLogger } from '../src/log.js';
import { createSlackApp } from '../src/slack/app.js';
import { boltUrl, eventEnvelope, postToBolt, startFakeSlack, type FakeSlack } from './helpers/fake-slack.js';

const SECRET = 'assistant-signing-secret';
const AKIKO = 'UAKIKO'; // Japanese locale
const EVAN = 'UEVAN'; // English locale

let fake: FakeSlack;
let core: Core;
let app: App;
let url: string;
const logs: string[] = [];

beforeAll(async () => {
  fake = await startFakeSlack({ users: { [AKIKO]: { locale: 'ja-JP' }, [EVAN]: { locale: 'en-US' } } });
  // 👀 on every message (ISMS_SLACK_PROGRESS_MS=0): an ordinary DM is told apart from an assistant thread by its reaction.
  const config = loadConfig({ ISMS_DATA_DIR: mkdtempSync(join(tmpdir(), 'isms-assistant-')), EMBEDDINGS: 'off', ISMS_LANG: 'en', ISMS_SOA_EDITION: '2013', ISMS_SLACK_PROGRESS_MS: '0' });
  core = await createCore(config, createLogger('info', (l) => logs.push(l)));
  app = await createSlackApp(core, { mode: 'http', botToken: 'xoxb-test', signingSecret: SECRET, port: 0, apiUrl: fake.apiUrl, allowBots: false, retries: 0 });
  url = boltUrl(await app.start({ port: 0, host: '127.0.0.1' }));
});
afterAll(async () => {
  await app.stop();
  await core.close();
  await fake.close();
});

const threadStarted = (user: string, channel: string, threadTs: string) => eventEnvelope({
  type: 'assistant_thread_started',
  assistant_thread: { user_id: user, channel_id: channel, thread_ts: threadTs, context: { channel_id: 'CVIEWED', team_id: 'T1', enterprise_id: null } },
  event_ts: threadTs,
});

const threadMessage = (user: string, channel: string, threadTs: string, ts: string, text: string) => eventEnvelope({
  type: 'message', channel_type: 'im', channel, user, text, ts, thread_ts: threadTs, event_ts: ts,
});

/** The calls made in one thread of one DM channel, in order, as "method". */
const callsIn = (channel: string, threadTs: string) => fake.calls
  .filter((c) => (c.args.channel_id ?? c.args.channel) === channel && (c.args.thread_ts ?? '') === threadTs)
  .map((c) => c.method);

describe('an assistant thread', () => {
  const D = 'DAKIKO';
  const T = '1800000100.000100';

  it('starts with suggested prompts in Japanese for a Japanese locale', async () => {
    const r = await postToBolt(url, SECRET, 'event', threadStarted(AKIKO, D, T));
    expect(r.status).toBe(200);
    const call = await fake.waitFor('assistant.threads.setSuggestedPrompts', (a) => a.channel_id === D);
    expect(call.args.thread_ts).toBe(T);
    const prompts = JSON.parse(call.args.prompts) as { title: string; message: string }[];
    expect(prompts.length).toBeGreaterThan(0);
    expect(prompts.length).toBeLessThanOrEqual(4);
    expect(prompts.map((p) => p.message)).toContain('バックアップは誰の責任？');
    expect(call.args.title).toBe('よくある質問');
  });

  it('answers a question with a status first, the question as the title, and a cited answer in the thread', async () => {
    await postToBolt(url, SECRET, 'event', threadMessage(AKIKO, D, T, '1800000100.000200', 'バックアップは誰の責任？'));
    const answer = await fake.waitFor('chat.postMessage', (a) => a.channel === D && a.thread_ts === T);
    expect(answer.args.text).toContain('12.3.1');
    expect(answer.args.text).toContain('[12.3.1]'); // cited
    const title = fake.callsOf('assistant.threads.setTitle').find((c) => c.args.channel_id === D);
    expect(title?.args).toMatchObject({ thread_ts: T, title: 'バックアップは誰の責任？' });
    const status = fake.callsOf('assistant.threads.setStatus').find((c) => c.args.channel_id === D);
    expect(status?.args).toMatchObject({ thread_ts: T, status: '管理策を調べています…' });
    // The status is set before the answer is posted (and the answer clears it: no second setStatus).
    const order = callsIn(D, T);
    expect(order.indexOf('assistant.threads.setStatus')).toBeLessThan(order.indexOf('chat.postMessage'));
    expect(order.filter((m) => m === 'assistant.threads.setStatus')).toHaveLength(1);
    // No 👀 reaction here: the status shows the work.
    expect(fake.callsOf('reactions.add').filter((c) => c.args.channel === D)).toEqual([]);
  });

  it('keeps the context for a follow-up: the topic of the first question carries over, the title stays', async () => {
    fake.reset();
    await postToBolt(url, SECRET, 'event', threadMessage(AKIKO, D, T, '1800000100.000300', 'SaaS の場合は？'));
    const answer = await fake.waitFor('chat.postMessage', (a) => a.channel === D && a.thread_ts === T);
    expect(answer.args.text).toContain('12.3.1');
    expect(answer.args.text).toMatch(/SaaS/);
    expect(fake.callsOf('assistant.threads.setTitle')).toEqual([]);
    expect(fake.callsOf('assistant.threads.setStatus').map((c) => c.args.status)).toEqual(['管理策を調べています…']);
    expect((await core.state.history(`${D}:${T}`, 10)).map((t) => t.role)).toEqual(['user', 'assistant', 'user', 'assistant']);
  });

  it('gives English prompts and an English status for an English locale', async () => {
    fake.reset();
    const D2 = 'DEVAN';
    const T2 = '1800000200.000100';
    await postToBolt(url, SECRET, 'event', threadStarted(EVAN, D2, T2));
    const call = await fake.waitFor('assistant.threads.setSuggestedPrompts', (a) => a.channel_id === D2);
    expect(JSON.parse(call.args.prompts).map((p: { message: string }) => p.message)).toContain('Who takes backups in SaaS, us or the vendor?');
    await postToBolt(url, SECRET, 'event', threadMessage(EVAN, D2, T2, '1800000200.000200', 'Who takes backups in SaaS, us or the vendor?'));
    const answer = await fake.waitFor('chat.postMessage', (a) => a.channel === D2 && a.thread_ts === T2);
    expect(answer.args.text).toContain('[12.3.1]');
    expect(fake.callsOf('assistant.threads.setStatus')[0]!.args.status).toBe('is looking up the controls…');
  });

  it('leaves an ordinary DM thread to the message listener (mentions and DMs work without the surface)', async () => {
    fake.reset();
    const D3 = 'DPLAIN';
    await postToBolt(url, SECRET, 'event', threadMessage(EVAN, D3, '1800000300.000100', '1800000300.000200', 'Who takes backups in SaaS?'));
    await fake.waitFor('chat.postMessage', (a) => a.channel === D3);
    expect(fake.callsOf('reactions.add').filter((c) => c.args.channel === D3)).toHaveLength(1);
    expect(fake.calls.filter((c) => c.method.startsWith('assistant.'))).toEqual([]);
  });

  it('asked nothing the manifest does not grant', () => {
    expect(fake.refused()).toEqual([]);
    expect(logs.filter((l) => /ERROR|failed/.test(l))).toEqual([]);
  });
});
