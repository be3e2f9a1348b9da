// The work behind the Slack ack: a bounded queue that keeps each thread's messages in order, and no Web API calls
// that an answer does not need (no permalink lookup; the 👀 reaction only when the answer is slow).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { App } from '@slack/bolt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { createCore, type Core } from '../src/core.js';
import { createLogger } from '../src/log.js';
import { createSlackApp } from '../src/slack/app.js';
import { WorkQueue } from '../src/slack/queue.js';
import { appMention, boltUrl, eventEnvelope, postToBolt, startFakeSlack, type FakeSlack } from './helpers/fake-slack.js';

const SECRET = 'queue-signing-secret';

describe('WorkQueue', () => {
  it('runs at most `limit` tasks at once and each key\'s tasks in order', async () => {
    const q = new WorkQueue(2);
    let now = 0;
    let peak = 0;
    const order: string[] = [];
    const task = (key: string, i: number, ms: number) => q.run(key, async () => {
      now++;
      peak = Math.max(peak, now);
      await new Promise((r) => setTimeout(r, ms));
      order.push(`${key}${i}`);
      now--;
    });
    // a1 is slow: a2 and a3 must still wait for it; b and c run beside it.
    await Promise.all([task('a', 1, 40), task('a', 2, 1), task('b', 1, 5), task('a', 3, 1), task('c', 1, 5), task('b', 2, 1)]);
    expect(peak).toBe(2);
    const of = (k: string) => order.filter((x) => x.startsWith(k));
    expect(of('a')).toEqual(['a1', 'a2', 'a3']);
    expect(of('b')).toEqual(['b1', 'b2']);
    expect(order.indexOf('b1')).toBeLessThan(order.indexOf('a1'));
    expect(q.load).toEqual({ running: 0, waiting: 0 });
  });

  it('hands free slots to the waiting groups (workspaces) in turn: a burst of one does not hold back another', async () => {
    const q = new WorkQueue(1);
    const order: string[] = [];
    const task = (group: string, i: number) => q.run(`${group}${i}`, async () => {
      order.push(`${group}${i}`);
      await new Promise((r) => setTimeout(r, 1));
    }, group);
    // Workspace A queues 6 tasks, then B queues 2: B's come second and fourth, not after all of A's.
    await Promise.all([...[1, 2, 3, 4, 5, 6].map((i) => task('A', i)), task('B', 1), task('B', 2)]);
    expect(order).toEqual(['A1', 'A2', 'B1', 'A3', 'B2', 'A4', 'A5', 'A6']);
    expect(q.load).toEqual({ running: 0, waiting: 0 });
  });

  it('frees the slot and the thread when a task fails', async () => {
    const q = new WorkQueue(1);
    await expect(q.run('a', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(q.run('a', () => Promise.resolve(7))).resolves.toBe(7);
    expect(() => new WorkQueue(0)).toThrow(/at least 1/);
  });
});

describe('mentions under a burst', () => {
  let fake: FakeSlack;
  let core: Core;
  let app: App;
  let url: string;
  beforeAll(async () => {
    fake = await startFakeSlack();
    core = await createCore(loadConfig({ ISMS_DATA_DIR: mkdtempSync(join(tmpdir(), 'isms-queue-')), EMBEDDINGS: 'off', ISMS_SLACK_CONCURRENCY: '2', ISMS_SLACK_PROGRESS_MS: '60000' }), createLogger('silent'));
    app = await createSlackApp(core, { mode: 'http', botToken: 'xoxb-test', signingSecret: SECRET, port: 0, apiUrl: fake.apiUrl, allowBots: false, retries: 0 });
    url = boltUrl(await app.start({ port: 0, host: '127.0.0.1' }));
  });
  afterAll(async () => {
    await app.stop();
    await core.close();
    await fake.close();
  });

  it('answers 30 mentions at once, each in its thread, with one chat.postMessage each and no permalink or reaction calls', async () => {
    const ts = (i: number) => `1700000200.${String(i).padStart(6, '0')}`;
    const acks = await Promise.all(Array.from({ length: 30 }, (_, i) => postToBolt(url, SECRET, 'event',
      eventEnvelope(appMention(`<@UBOT> ${i % 2 ? 'Who patches EC2?' : 'バックアップは誰の責任？'}`, { user: `UQ${i % 5}`, channel: 'CQ', ts: ts(i) }), { eventId: `EvQ${i}` }))));
    expect(acks.every((r) => r.status === 200)).toBe(true);
    await expect.poll(() => fake.callsOf('chat.postMessage').filter((c) => c.args.channel === 'CQ').length, { timeout: 30_000 }).toBe(30);
    const threads = fake.callsOf('chat.postMessage').filter((c) => c.args.channel === 'CQ').map((c) => String(c.args.thread_ts));
    expect(new Set(threads)).toEqual(new Set(Array.from({ length: 30 }, (_, i) => ts(i))));
    expect(fake.callsOf('chat.getPermalink')).toEqual([]);
    expect(fake.callsOf('reactions.add')).toEqual([]);
    // users.info once per person (the 5 users and the bot user the envelope names), however many messages at once.
    const looked = fake.callsOf('users.info').map((c) => String(c.args.user));
    expect(looked.length).toBe(new Set(looked).size);
    expect(looked).toEqual(expect.arrayContaining(['UQ0', 'UQ1', 'UQ2', 'UQ3', 'UQ4']));
  });
});

describe('a slow answer', () => {
  it('gets the 👀 reaction after ISMS_SLACK_PROGRESS_MS, removed once the answer is posted', async () => {
    const fake = await startFakeSlack();
    const core = await createCore(loadConfig({ ISMS_DATA_DIR: mkdtempSync(join(tmpdir(), 'isms-slow-')), EMBEDDINGS: 'off', ISMS_SLACK_PROGRESS_MS: '50' }), createLogger('silent'));
    // The first reply post takes 400 ms: the answer is not out within 50 ms.
    fake.on('chat.postMessage', async () => {
      await new Promise((r) => setTimeout(r, 400));
      return { ok: true, channel: 'CS', ts: '1700000300.000200' };
    });
    const app = await createSlackApp(core, { mode: 'http', botToken: 'xoxb-test', signingSecret: SECRET, port: 0, apiUrl: fake.apiUrl, allowBots: false, retries: 0 });
    const url = boltUrl(await app.start({ port: 0, host: '127.0.0.1' }));
    try {
      await postToBolt(url, SECRET, 'event', eventEnvelope(appMention('<@UBOT> Who patches EC2?', { user: 'US1', channel: 'CS', ts: '1700000300.000100' })));
      const removed = await fake.waitFor('reactions.remove', (a) => a.timestamp === '1700000300.000100', 10_000);
      const added = fake.callsOf('reactions.add').filter((c) => c.args.timestamp === '1700000300.000100');
      expect(added).toHaveLength(1);
      const posted = fake.callsOf('chat.postMessage').find((c) => c.args.channel === 'CS')!;
      expect(added[0]!.at).toBeLessThanOrEqual(posted.at + 400);
      expect(removed.at).toBeGreaterThanOrEqual(added[0]!.at);
    } finally {
      await app.stop();
      await core.close();
      await fake.close();
    }
  });
});

describe('users.info cache', () => {
  it('is kept per Web API client (one per workspace): the same user ID in another workspace is looked up there', async () => {
    const { WebClient } = await import('@slack/web-api');
    const { userLang } = await import('../src/slack/web.js');
    const a = await startFakeSlack({ users: { USAME: { locale: 'ja-JP' } } });
    const b = await startFakeSlack({ users: { USAME: { locale: 'en-US' } } });
    try {
      const ca = new WebClient('xoxb-a', { slackApiUrl: a.apiUrl, retryConfig: { retries: 0 } });
      const cb = new WebClient('xoxb-b', { slackApiUrl: b.apiUrl, retryConfig: { retries: 0 } });
      expect(await userLang(ca, 'USAME')).toBe('ja');
      expect(await userLang(cb, 'USAME')).toBe('en');
      // Cached within each: no second call.
      expect(await userLang(ca, 'USAME')).toBe('ja');
      expect([a.callsOf('users.info').length, b.callsOf('users.info').length]).toEqual([1, 1]);
    } finally {
      await a.close();
      await b.close();
    }
  });
});
