// The chat state on PostgreSQL (src/chat/pg-state.ts), against a real throwaway server: two app instances (two
// connection pools) and two workspaces on one database. The dedupe of events, messages and signed requests is global
// and holds under concurrent calls from both instances; thread state is per workspace and shared by the instances.
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PgChatState } from '../src/chat/pg-state.js';
import { maxTurnChars, retention } from '../src/chat/state.js';
import { migrate, pool } from '../src/soa/pg/db.js';
import { postgresAvailable, startPostgres, type PgServer } from './helpers/postgres.js';

let server: PgServer;
let admin: pg.Pool;
const pools: pg.Pool[] = [];
/** Two instances of the app: each has its pool, and a state per workspace. */
let one: pg.Pool;
let two: pg.Pool;

beforeAll(async () => {
  if (!postgresAvailable()) throw new Error('PostgreSQL server binaries (initdb, pg_ctl) not found: apt-get install postgresql, or set PG_BIN (.ci/run installs it)');
  server = await startPostgres();
  admin = pool(server.url);
  await admin.query('CREATE ROLE isms_app LOGIN');
  await migrate(admin, { appRole: 'isms_app' });
  one = instance();
  two = instance();
}, 60_000);

afterAll(async () => {
  await Promise.all([admin, ...pools].map((p) => p?.end()));
  server?.stop();
});

function instance(url = server.url): pg.Pool {
  const p = pool(url.replace('postgres@', 'isms_app@'), 5);
  pools.push(p);
  return p;
}

const DAY = 86_400_000;
const count = async (table: string, where = 'true') => (await admin.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE ${where}`)).rows[0]!.n;
const trues = (results: boolean[]) => results.filter(Boolean).length;

describe('PgChatState: dedupe across instances and workspaces', () => {
  it('firstDelivery: 50 concurrent deliveries of one event ID to two instances (and two workspaces) give exactly one true', async () => {
    const states = [new PgChatState(one, 'T_A'), new PgChatState(two, 'T_A'), new PgChatState(two, 'T_B')];
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => states[i % 3]!.firstDelivery('Ev-race')));
    expect(trues(results)).toBe(1);
    expect(await states[0]!.firstDelivery('Ev-race')).toBe(false);
    expect(await states[2]!.firstDelivery('Ev-other')).toBe(true);
    expect(await count('events', "event_id LIKE 'Ev-%'")).toBe(2);
  });

  it('firstMessage and firstHandling: a message is handled once, whichever event, instance or workspace delivers it', async () => {
    const a1 = new PgChatState(one, 'T_A');
    const a2 = new PgChatState(two, 'T_A');
    // The same event retried to both instances at once, 20 times: handled once.
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a1 : a2).firstHandling('Ev-h1', 'C1', '100.1')));
    expect(trues(results)).toBe(1);
    // The same message in another event (app_mention and message.im of one DM): not again.
    expect(await a2.firstHandling('Ev-h2', 'C1', '100.1')).toBe(false);
    expect(await a1.firstMessage('C1', '100.1')).toBe(false);
    // Without an event ID only the message counts.
    expect(await a1.firstHandling(undefined, 'C1', '100.2')).toBe(true);
    expect(await a2.firstHandling(undefined, 'C1', '100.2')).toBe(false);
    // An event seen already records nothing of its message, as in SQLite (the message is still new afterwards).
    expect(await a1.firstDelivery('Ev-h3')).toBe(true);
    expect(await a2.firstHandling('Ev-h3', 'C1', '100.3')).toBe(false);
    expect(await a1.firstMessage('C1', '100.3')).toBe(true);
    // A new event of a message handled already is recorded (a retry of it is then refused at once).
    expect(await a1.firstHandling('Ev-h4', 'C1', '100.3')).toBe(false);
    expect(await a1.firstDelivery('Ev-h4')).toBe(false);
    // Two different events of one new message, racing on two instances: one of them handles it.
    const race = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a1 : a2).firstHandling(`Ev-r${i}`, 'C2', '200.1')));
    expect(trues(race)).toBe(1);
  });

  it('firstRequest: a signature is seen once across instances; every 200th call forgets signatures older than the replay window', async () => {
    const now = Date.parse('2026-11-30T09:00:00Z');
    const nowSec = now / 1000;
    const a = new PgChatState(one, 'T_A', () => new Date(now));
    const b = new PgChatState(two, 'T_B', () => new Date(now));
    const results = await Promise.all(Array.from({ length: 30 }, (_, i) => (i % 2 ? a : b).firstRequest('v0=race', nowSec)));
    expect(trues(results)).toBe(1);
    // A Unix time after 2038 still fits.
    expect(await a.firstRequest('v0=future', 4_102_444_800)).toBe(true);

    const c = new PgChatState(one, 'T_A', () => new Date(now));
    expect(await c.firstRequest('v0=old', nowSec - 700)).toBe(true);
    for (let i = 2; i < 199; i++) expect(await c.firstRequest(`v0=${i}`, nowSec)).toBe(true);
    expect(await c.firstRequest('v0=old', nowSec - 700)).toBe(false);
    // The 200th call of this state first deletes what is older than the window: the old signature is forgotten.
    expect(await c.firstRequest('v0=old', nowSec - 700)).toBe(true);
    expect(await c.firstRequest('v0=race', nowSec)).toBe(false);
  });

  it('secret: one random 32-byte value per name, created once even when both instances ask at once', async () => {
    const states = [new PgChatState(one, 'T_A'), new PgChatState(two, 'T_B')];
    const values = await Promise.all(Array.from({ length: 30 }, (_, i) => states[i % 2]!.secret('modal-metadata')));
    expect(values[0]).toBeInstanceOf(Buffer);
    expect(values[0]!.length).toBe(32);
    expect(new Set(values.map((v) => v.toString('hex'))).size).toBe(1);
    expect(await count('secrets')).toBe(1);
    const other = await states[1]!.secret('another');
    expect(other.equals(values[0]!)).toBe(false);
    expect((await states[0]!.secret('another')).equals(other)).toBe(true);
  });
});

describe('PgChatState: thread state per workspace, shared by instances', () => {
  it('keeps language, history, answers and feedback of a workspace from another workspace, and shows them to every instance', async () => {
    const a1 = new PgChatState(one, 'T_A');
    const a2 = new PgChatState(two, 'T_A');
    const b1 = new PgChatState(one, 'T_B');
    const thread = 'C1:1700000000.000100';

    expect(await a1.threadLang(thread)).toBeUndefined();
    await a1.setThreadLang(thread, 'ja');
    expect(await a2.threadLang(thread)).toBe('ja');
    await a2.setThreadLang(thread, 'en');
    expect(await a1.threadLang(thread)).toBe('en');
    expect(await b1.threadLang(thread)).toBeUndefined();
    await b1.setThreadLang(thread, 'ja');
    expect([await a1.threadLang(thread), await b1.threadLang(thread)]).toEqual(['en', 'ja']);

    const long = 'x'.repeat(maxTurnChars + 100);
    await a1.recordExchange(thread, 'What is 5.23?', long, 'ans-1', ['5.23']);
    await a2.addTurns(thread, [{ role: 'user', text: 'and 8.1?' }, { role: 'assistant', text: '8.1 is …' }, { role: 'user', text: 'thanks' }]);
    expect(await a1.history(thread)).toEqual([
      { role: 'user', text: 'What is 5.23?' }, { role: 'assistant', text: 'x'.repeat(maxTurnChars) },
      { role: 'user', text: 'and 8.1?' }, { role: 'assistant', text: '8.1 is …' }, { role: 'user', text: 'thanks' },
    ]);
    expect(await a2.history(thread, 2)).toEqual([{ role: 'assistant', text: '8.1 is …' }, { role: 'user', text: 'thanks' }]);
    expect(await b1.history(thread)).toEqual([]);
    // A row stored longer (written around the state) is still read back cut.
    await admin.query("INSERT INTO turns (workspace, thread, role, text, at) VALUES ('T_B', $1, 'user', $2, $3)", [thread, long, new Date().toISOString()]);
    expect(await b1.history(thread)).toEqual([{ role: 'user', text: 'x'.repeat(maxTurnChars) }]);

    // The answer record names the whole question; a vote per user, a second vote replaces the first.
    const longQuestion = `Why? ${'y'.repeat(maxTurnChars)}`;
    await a1.recordExchange('C1:2', longQuestion, 'Because.', 'ans-2', ['8.1', '5.23']);
    expect((await admin.query("SELECT question, citations FROM answers WHERE ref = 'ans-2'")).rows).toEqual([{ question: longQuestion, citations: '["8.1","5.23"]' }]);
    await a1.feedback('ans-2', 'U1', 'up');
    await a2.feedback('ans-2', 'U2', 'down');
    await a2.feedback('ans-2', 'U1', 'down');
    expect(await a1.feedbackFor('ans-2')).toEqual([{ user: 'U1', vote: 'down' }, { user: 'U2', vote: 'down' }]);
    expect((await admin.query("SELECT question, citations FROM feedback WHERE answer_ref = 'ans-2' AND \"user\" = 'U1'")).rows)
      .toEqual([{ question: longQuestion, citations: '["8.1","5.23"]' }]);
    expect(await b1.feedbackFor('ans-2')).toEqual([]);
    // Feedback on an answer another workspace recorded names no question (it cannot read that answer).
    await b1.feedback('ans-2', 'U1', 'up');
    expect((await admin.query("SELECT workspace, question FROM feedback WHERE answer_ref = 'ans-2' AND \"user\" = 'U1' ORDER BY workspace")).rows)
      .toEqual([{ workspace: 'T_A', question: longQuestion }, { workspace: 'T_B', question: null }]);
    // recordAnswer replaces a record of the same ref, in its workspace only.
    await b1.recordAnswer('ans-2', 'C9:1', 'Other question', []);
    await a2.recordAnswer('ans-2', 'C1:2', 'Replaced', ['5.1']);
    expect((await admin.query("SELECT workspace, question, citations FROM answers WHERE ref = 'ans-2' ORDER BY workspace")).rows)
      .toEqual([{ workspace: 'T_A', question: 'Replaced', citations: '["5.1"]' }, { workspace: 'T_B', question: 'Other question', citations: '[]' }]);
  });

  it('an exchange is recorded all or nothing', async () => {
    const a = new PgChatState(one, 'T_A');
    // No ref: the answer record fails after the turns were written; neither stays.
    await expect(a.recordExchange('C1:atomic', 'q', 'a', null as unknown as string, [])).rejects.toMatchObject({ code: '23502' });
    expect(await count('turns', "thread = 'C1:atomic'")).toBe(0);
    await a.recordExchange('C1:atomic', 'q', 'a', 'ans-atomic', []);
    expect([await count('turns', "thread = 'C1:atomic'"), await count('answers', "ref = 'ans-atomic'")]).toEqual([2, 1]);
  });

  it('a message with a NUL character is recorded without it (PostgreSQL cannot store NUL; SQLite kept it)', async () => {
    const a = new PgChatState(one, 'T_A');
    await a.recordExchange('C1:nul', 'what\0 about 5.23?', 'answer\0 text', 'ans-nul', ['5.23']);
    await a.addTurns('C1:nul', [{ role: 'user', text: '\0and\0then' }]);
    expect(await a.history('C1:nul')).toEqual([
      { role: 'user', text: 'what about 5.23?' }, { role: 'assistant', text: 'answer text' }, { role: 'user', text: 'andthen' },
    ]);
  });

  it('an assessment saved by one instance loads on the other, in its workspace only; assistant threads likewise', async () => {
    const a1 = new PgChatState(one, 'T_A');
    const a2 = new PgChatState(two, 'T_A');
    const b2 = new PgChatState(two, 'T_B');
    const state = { version: 2, step: 'risk', thread: 'C1:9', answers: { scope: 'Portal' }, lang: 'ja' };
    await a1.saveAssessment('C1:9', state);
    expect(await a2.loadAssessment('C1:9')).toEqual(state);
    expect(await b2.loadAssessment('C1:9')).toBeUndefined();
    await b2.saveAssessment('C1:9', { other: true });
    await a2.saveAssessment('C1:9', { ...state, step: 'controls' });
    expect(await a1.loadAssessment('C1:9')).toEqual({ ...state, step: 'controls' });
    await a2.saveAssessment('C1:8', { step: 'scope' });
    const listed = await a1.assessments<{ step: string }>();
    expect(listed.map((r) => [r.thread, r.state.step])).toEqual([['C1:8', 'scope'], ['C1:9', 'controls']]);
    expect(listed.every((r) => !Number.isNaN(Date.parse(r.updatedAt)))).toBe(true);
    expect((await b2.assessments()).map((r) => r.thread)).toEqual(['C1:9']);
    await a1.deleteAssessment('C1:9');
    expect(await a2.loadAssessment('C1:9')).toBeUndefined();
    expect(await b2.loadAssessment('C1:9')).toEqual({ other: true });

    expect(await a2.assistantThread('D1:1')).toBeUndefined();
    await a1.saveAssistantThread('D1:1', { channel_id: 'C42' });
    await a1.saveAssistantThread('D1:1', { channel_id: 'C43', team_id: 'T_A' });
    expect(await a2.assistantThread('D1:1')).toEqual({ channel_id: 'C43', team_id: 'T_A' });
    expect(await b2.assistantThread('D1:1')).toBeUndefined();
  });

  it('flush() does nothing; close() ends the pool only when the state owns it', async () => {
    const shared = new PgChatState(one, 'T_A');
    await shared.flush();
    await shared.close();
    expect(await shared.firstDelivery('Ev-after-close')).toBe(true);
    const owned = instance();
    const own = new PgChatState(owned, 'T_A', undefined, { ownsPool: true });
    expect(await own.threadLang('nothing')).toBeUndefined();
    await own.close();
    expect(owned.ended).toBe(true);
    pools.splice(pools.indexOf(owned), 1);
  });
});

describe('PgChatState: pruning', () => {
  let db: pg.Pool;
  let owner: pg.Pool;
  beforeAll(async () => {
    // A database of its own: events are global, and a clock months away would prune the other tests' ones.
    await admin.query('CREATE DATABASE prune');
    owner = pool(server.url.replace(/\/postgres$/, '/prune'), 2);
    pools.push(owner);
    await migrate(owner, { appRole: 'isms_app' });
    db = instance(server.url.replace(/\/postgres$/, '/prune'));
  });

  const countIn = async (table: string) => (await owner.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`)).rows[0]!.n;

  it('drops events after a day (every workspace: they are global) and turns after 30 days (its own workspace), keeping answers and feedback', async () => {
    let now = Date.parse('2026-01-01T00:00:00Z');
    const a = new PgChatState(db, 'T_A', () => new Date(now));
    const b = new PgChatState(db, 'T_B', () => new Date(now));
    expect(await a.firstDelivery('Ev-old')).toBe(true);
    await a.addTurns('C1:1', [{ role: 'user', text: 'old question' }, { role: 'assistant', text: 'old answer' }]);
    await b.addTurns('C1:1', [{ role: 'user', text: 'B question' }]);
    await a.recordAnswer('ans-old', 'C1:1', 'old question', ['12.3.1']);
    await a.feedback('ans-old', 'U1', 'up');

    now += retention.eventDays * DAY + 1000;
    expect(await a.firstDelivery('Ev-new')).toBe(true);
    await a.addTurns('C1:1', [{ role: 'user', text: 'new question' }]);
    expect(await b.prune()).toEqual({ events: 1, turns: 0 });
    expect(await a.firstDelivery('Ev-new')).toBe(false);
    expect(await a.firstDelivery('Ev-old')).toBe(true);

    now += retention.turnDays * DAY + 1000;
    // b prunes its own turn only; a prunes its three.
    expect(await b.prune()).toEqual({ events: 2, turns: 1 });
    expect(await a.history('C1:1')).toHaveLength(3);
    expect(await a.prune()).toEqual({ events: 0, turns: 3 });
    expect(await a.history('C1:1')).toEqual([]);
    expect([await countIn('answers'), await countIn('feedback')]).toEqual([1, 1]);
  });

  it('prunes on its own at its first write and then once every 500 writes of events and turns', async () => {
    let now = Date.parse('2026-06-01T00:00:00Z');
    const clock = () => new Date(now);
    let a = new PgChatState(db, 'T_A', clock);
    for (let i = 0; i < 300; i++) await a.firstDelivery(`Ev-${i}`);
    now += 2 * DAY;
    a = new PgChatState(db, 'T_A', clock);
    expect(await a.firstDelivery('Ev-a-0')).toBe(true);
    // The first write of a new state pruned the 300 older events (and the ones of the test before).
    expect(await countIn('events')).toBe(1);
    for (let i = 1; i < 300; i++) await a.firstDelivery(`Ev-a-${i}`);
    now += 2 * DAY;
    // The 500th write after the first one prunes the 300 older ones; turns count as writes too.
    for (let i = 0; i < 100; i++) await a.firstDelivery(`Ev-b-${i}`);
    await a.addTurns('C1:1', Array.from({ length: 100 }, (_, i) => ({ role: 'user' as const, text: `t${i}` })));
    expect(await countIn('events')).toBe(400);
    await a.firstDelivery('Ev-b-100');
    expect(await countIn('events')).toBe(101);
    expect(await countIn('turns')).toBe(100);
  });
});
