// The conversation state (chat.sqlite): old events and turns are pruned, and a thread's language choice survives a
// restart.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { createCore } from '../src/core.js';
import { ChatState, retention } from '../src/chat/state.js';

/** The end of the current turn of the event loop, when the state commits. */
const committed = () => new Promise((r) => setImmediate(r));

const DAY = 86_400_000;
const count = (dir: string, table: string) => {
  const db = new Database(join(dir, 'chat.sqlite'), { readonly: true });
  try {
    return (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
  } finally {
    db.close();
  }
};

describe('pruning', () => {
  it('drops events after a day and turns after 30 days, keeping newer ones, answers and feedback', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'isms-chat-'));
    let now = Date.parse('2026-01-01T00:00:00Z');
    const state = new ChatState(dir, () => new Date(now));
    expect(await state.firstDelivery('Ev-old')).toBe(true);
    await state.addTurns('C1:1', [{ role: 'user', text: 'old question' }, { role: 'assistant', text: 'old answer' }]);
    await state.recordAnswer('ans-old', 'C1:1', 'old question', ['12.3.1']);
    await state.feedback('ans-old', 'U1', 'up');

    now += retention.eventDays * DAY + 1000;
    expect(await state.firstDelivery('Ev-new')).toBe(true);
    await state.addTurns('C1:1', [{ role: 'user', text: 'new question' }]);
    expect(await state.prune()).toEqual({ events: 1, turns: 0 });
    // A day later, an event ID is forgotten: Slack has long stopped retrying it.
    expect(await state.firstDelivery('Ev-new')).toBe(false);
    expect(await state.firstDelivery('Ev-old')).toBe(true);

    now += retention.turnDays * DAY + 1000;
    expect(await state.prune()).toEqual({ events: 2, turns: 3 });
    expect(await state.history('C1:1')).toEqual([]);
    await state.close();
    expect(count(dir, 'answers')).toBe(1);
    expect(count(dir, 'feedback')).toBe(1);
  });

  it('prunes on its own when the state opens and as events keep arriving', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'isms-chat-'));
    let now = Date.parse('2026-01-01T00:00:00Z');
    let state = new ChatState(dir, () => new Date(now));
    for (let i = 0; i < 300; i++) await state.firstDelivery(`Ev-${i}`);
    await state.close();
    now += 2 * DAY;
    state = new ChatState(dir, () => new Date(now));
    expect(count(dir, 'events')).toBe(0);
    for (let i = 0; i < 300; i++) await state.firstDelivery(`Ev-a-${i}`);
    now += 2 * DAY;
    // The 500th write since opening prunes the 300 older ones.
    for (let i = 0; i < 199; i++) await state.firstDelivery(`Ev-b-${i}`);
    await state.flush();
    expect(count(dir, 'events')).toBe(499);
    await state.firstDelivery('Ev-b-199');
    await state.flush();
    expect(count(dir, 'events')).toBe(200);
    await state.close();
  });
});

describe('group commit', () => {
  it('the writes of one turn of the event loop are committed together when it ends; this connection sees them at once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'isms-chat-'));
    const state = new ChatState(dir);
    await committed();
    expect(await state.firstRequest('v0=aa', 1)).toBe(true);
    expect(await state.firstHandling('Ev1', 'C1', '1.1')).toBe(true);
    await state.recordExchange('C1:1.1', 'q', 'a', 'ans-1', ['5.23']);
    // Seen here at once (a retried delivery is refused in the same turn) ...
    expect(await state.firstHandling('Ev1', 'C1', '1.1')).toBe(false);
    expect(await state.firstRequest('v0=aa', 1)).toBe(false);
    expect(await state.history('C1:1.1')).toHaveLength(2);
    // ... and by another connection once the turn is over.
    expect(count(dir, 'events')).toBe(0);
    await committed();
    expect([count(dir, 'events'), count(dir, 'requests'), count(dir, 'turns'), count(dir, 'answers')]).toEqual([2, 1, 2, 1]);
    await state.close();
  });

  it('another process waits for the commit: a request seen here is a replay there', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'isms-chat-'));
    const a = new ChatState(dir);
    await committed();
    expect(await a.firstRequest('v0=bb', 1)).toBe(true);
    await committed();
    const other = new Database(join(dir, 'chat.sqlite'));
    expect(other.prepare('INSERT OR IGNORE INTO requests (signature, ts) VALUES (?, ?)').run('v0=bb', 1).changes).toBe(0);
    other.close();
    await a.close();
  });

  it('a thread language chosen through another connection is seen at once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'isms-chat-'));
    const a = new ChatState(dir);
    expect(await a.threadLang('C1:1')).toBeUndefined();
    const b = new ChatState(dir);
    await b.setThreadLang('C1:1', 'ja');
    await b.flush();
    expect(await a.threadLang('C1:1')).toBe('ja');
    await a.close();
    await b.close();
  });

  it('a full disk fails the write that does not fit; the batch is not left stuck, and later writes commit', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'isms-chat-'));
    const lost: string[] = [];
    const state = new ChatState(dir, undefined, (e) => lost.push(e.message));
    const db = (state as unknown as { file: { db: Database.Database } }).file.db;
    const pages = db.pragma('page_count', { simple: true }) as number;
    db.pragma(`max_page_count = ${pages + 1}`);
    expect(await state.firstRequest('v0=small', 1)).toBe(true);
    const turns = Array.from({ length: 12 }, (_, i) => ({ role: i % 2 ? 'assistant' as const : 'user' as const, text: String(i).repeat(3500) }));
    await expect(async () => await state.addTurns('C1:1', turns)).rejects.toThrow(/full/);
    await committed();
    db.pragma('max_page_count = 1000000');
    expect(await state.firstRequest('v0=later', 2)).toBe(true);
    await committed();
    expect(db.inTransaction).toBe(false);
    // What was written before the failure either committed or was rolled back with it; nothing is half there.
    const requests = count(dir, 'requests');
    expect([1, 2]).toContain(requests);
    expect(count(dir, 'turns')).toBe(0);
    expect(await state.firstRequest('v0=later', 2)).toBe(false);
    await state.close();
  });

  it('a thread language changed by another connection before our batch began is seen inside the batch', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'isms-chat-'));
    const a = new ChatState(dir);
    expect(await a.threadLang('C1:1')).toBeUndefined();
    const b = new ChatState(dir);
    await b.setThreadLang('C1:1', 'en');
    await b.flush();
    // a opens its batch (a write), then reads: the other connection's commit came before, so it must show.
    expect(await a.firstRequest('v0=cc', 1)).toBe(true);
    expect(await a.threadLang('C1:1')).toBe('en');
    expect(await a.threadLang('C1:1')).toBe('en');
    await committed();
    await a.close();
    await b.close();
  });

  it('close() commits what the current turn wrote', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'isms-chat-'));
    const a = new ChatState(dir);
    await a.setThreadLang('C1:1', 'ja');
    await a.close();
    expect(count(dir, 'thread_langs')).toBe(1);
  });
});

describe('thread language', () => {
  it('keeps "lang ja" for its thread across a restart of the bot', async () => {
    // (Answers follow the language of the question; the choice sets the language of everything else in the thread.)
    const config = loadConfig({ ISMS_SOA_EDITION: '2013', ISMS_DATA_DIR: mkdtempSync(join(tmpdir(), 'isms-chat-lang-')), EMBEDDINGS: 'off', ISMS_LANG: 'en', LOG_LEVEL: 'error' });
    let core = await createCore(config);
    const msg = (text: string, thread = 'C1:1700000000.000100') => ({ text, user: 'U1', thread, source: 'test' });
    const [chosen] = await core.chat.handle(msg('lang ja'));
    expect(chosen).toMatchObject({ type: 'text', lang: 'ja' });
    await core.close();

    core = await createCore(config);
    try {
      // "help" in that thread comes in Japanese; elsewhere in the configured English.
      expect(await core.chat.handle(msg('help'))).toEqual([{ type: 'help', lang: 'ja' }]);
      expect(await core.chat.handle(msg('help', 'C1:1700000000.000200'))).toEqual([{ type: 'help', lang: 'en' }]);
      expect(await core.chat.langOf({ text: 'missing', thread: 'C1:1700000000.000100', locale: 'en' })).toBe('ja');
    } finally {
      await core.close();
    }
  });
});
