// The chat state on PostgreSQL (schema step 2 in src/soa/pg/schema.ts), for several app instances and several Slack
// workspaces on one database. The same behaviour as SqliteChatState (src/chat/state.ts), method for method:
//
// - per-workspace state (turns, feedback, thread languages, answers, assessments, assistant threads) is read and
//   written in workspaceTransaction(pool, workspace, …): row-level security shows this workspace's rows only, and the
//   workspace column's default fills it on INSERT, so no statement here names the workspace;
// - the dedupe of Slack events, messages and signed requests, and the secrets, are global (one per deployment): an
//   event or request is seen once whichever instance, and whichever workspace's state, sees it first. Each is one
//   INSERT … ON CONFLICT DO NOTHING in its own autocommit statement, so that two instances racing on one ID get exactly
//   one "first".
//
// Unlike the SQLite engine nothing is memoised between calls (another instance may change a thread's language) and
// there is no group commit: every write is committed when its promise resolves, so flush() has nothing to do.
// The hot statements are named: each pooled connection parses them once.
import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import type { Turn } from '../answer/engine.js';
import type { Lang } from '../search/text.js';
import { workspaceTransaction } from '../soa/pg/db.js';
import { maxTurnChars, retention, type ChatState } from './state.js';

/** How long a request signature is remembered: the ±5 minute window on both sides of its timestamp (as SQLite's). */
const replayWindowSec = 600;

/** Old events and turns are pruned once every this many writes of them (as SQLite's), the first time at the first write. */
const pruneEvery = 500;

/** The chat state of one workspace on a PostgreSQL database shared by every instance and workspace of a deployment. */
export class PgChatState {
  /**
   * `pool` connects as the application's role (subject to row-level security); `workspace` is the Slack team or
   * enterprise ID whose conversation state this object reads and writes ('' in single-workspace mode). The pool is
   * the caller's, shared by other workspaces' states and by the store: close() ends it only with `ownsPool: true`.
   */
  constructor(private readonly pool: pg.Pool, private readonly workspace: string, private readonly now: () => Date = () => new Date(),
    private readonly o: { ownsPool?: boolean } = {}) {}

  /** One transaction of this workspace: row-level security shows and accepts its rows only. */
  private tx<T>(fn: (c: pg.PoolClient) => Promise<T>, readOnly = false): Promise<T> {
    return workspaceTransaction(this.pool, this.workspace, fn, { readOnly });
  }

  /** Writes of events and turns since the last prune; starts one short, so that the first write prunes (SQLite prunes on opening). */
  private writes = pruneEvery - 1;

  /**
   * Counts `n` writes of events or turns; when they pass a multiple of `pruneEvery`, prunes. A failed prune does not
   * fail the write that triggered it (that write is committed; the next prune deletes what this one left).
   */
  private async wrote(n = 1): Promise<void> {
    const before = this.writes;
    this.writes += n;
    if (Math.floor(this.writes / pruneEvery) > Math.floor(before / pruneEvery)) await this.prune().catch(() => undefined);
  }

  /** Deletes events (every workspace's: they are global) and this workspace's turns older than their retention. */
  async prune(now = this.now()): Promise<{ events: number; turns: number }> {
    const before = (days: number) => new Date(now.getTime() - days * 86_400_000).toISOString();
    return this.tx(async (c) => ({
      events: (await c.query('DELETE FROM events WHERE at < $1', [before(retention.eventDays)])).rowCount ?? 0,
      turns: (await c.query('DELETE FROM turns WHERE at < $1', [before(retention.turnDays)])).rowCount ?? 0,
    }));
  }

  /** Nothing to commit: every write is committed when its promise resolves. */
  async flush(): Promise<void> {}

  /** Ends the pool only when this state owns it (`ownsPool`); otherwise the pool's owner ends it. */
  async close(): Promise<void> {
    if (this.o.ownsPool) await this.pool.end();
  }

  /** The language someone chose for a thread ("lang ja" / "lang en"), kept across restarts. */
  async threadLang(thread: string): Promise<Lang | undefined> {
    const { rows } = await this.tx((c) => c.query<{ lang: Lang }>({ name: 'chat-thread-lang', text: 'SELECT lang FROM thread_langs WHERE thread = $1', values: [thread] }), true);
    return rows[0]?.lang;
  }

  async setThreadLang(thread: string, lang: Lang): Promise<void> {
    await this.tx((c) => c.query({
      name: 'chat-set-thread-lang',
      text: 'INSERT INTO thread_langs (thread, lang, at) VALUES ($1, $2, $3) ON CONFLICT (workspace, thread) DO UPDATE SET lang = excluded.lang, at = excluded.at',
      values: [thread, lang, this.now().toISOString()],
    }));
  }

  /** The last turns of a thread, oldest first, each at most maxTurnChars characters. */
  async history(thread: string, limit = 6): Promise<Turn[]> {
    const { rows } = await this.tx((c) => c.query<Turn>({
      name: 'chat-history',
      text: 'SELECT role, substr(text, 1, $1) AS text FROM turns WHERE thread = $2 ORDER BY id DESC LIMIT $3',
      values: [maxTurnChars, thread, limit],
    }), true);
    return rows.reverse();
  }

  /** Stores the turns in their order, each cut to maxTurnChars, in one statement. */
  async addTurns(thread: string, turns: Turn[]): Promise<void> {
    if (!turns.length) return;
    await this.tx((c) => c.query({
      name: 'chat-add-turns',
      // Identity values are taken in the order of the SELECT (ORDINALITY), so history() reads the turns as given.
      text: `INSERT INTO turns (thread, role, text, at)
        SELECT $1, t.role, t.text, $4 FROM unnest($2::text[], $3::text[]) WITH ORDINALITY AS t (role, text, n) ORDER BY t.n`,
      values: [thread, turns.map((t) => t.role), turns.map((t) => noNul(t.text).slice(0, maxTurnChars)), this.now().toISOString()],
    }));
    await this.wrote(turns.length);
  }

  /** Records an answer so that feedback on it can name the question and citations (a second record of a ref replaces the first). */
  async recordAnswer(ref: string, thread: string, question: string, citations: string[]): Promise<void> {
    await this.tx((c) => c.query({ name: 'chat-record-answer', text: upsertAnswer('$1', '$2', '$3', '$4', '$5'), values: [ref, thread, noNul(question), JSON.stringify(citations), this.now().toISOString()] }));
  }

  /** A question and its answer: the two turns and the answer record, in one statement (one transaction). */
  async recordExchange(thread: string, question: string, answer: string, ref: string, citations: string[]): Promise<void> {
    await this.tx((c) => c.query({
      name: 'chat-record-exchange',
      text: `WITH exchange AS (INSERT INTO turns (thread, role, text, at) VALUES ($1, 'user', $2, $6), ($1, 'assistant', $3, $6))
        ${upsertAnswer('$4', '$1', '$7', '$5', '$6')}`,
      values: [thread, noNul(question).slice(0, maxTurnChars), noNul(answer).slice(0, maxTurnChars), ref, JSON.stringify(citations), this.now().toISOString(), noNul(question)],
    }));
    await this.wrote(2);
  }

  /** One vote per user and answer; a second vote replaces the first (and keeps the question and citations of the first). */
  async feedback(ref: string, user: string, vote: 'up' | 'down'): Promise<void> {
    await this.tx((c) => c.query({
      name: 'chat-feedback',
      text: `INSERT INTO feedback (answer_ref, "user", vote, question, citations, at)
        VALUES ($1, $2, $3, (SELECT question FROM answers WHERE ref = $1), (SELECT citations FROM answers WHERE ref = $1), $4)
        ON CONFLICT (workspace, answer_ref, "user") DO UPDATE SET vote = excluded.vote, at = excluded.at`,
      values: [ref, user, vote, this.now().toISOString()],
    }));
  }

  async feedbackFor(ref: string): Promise<{ user: string; vote: string }[]> {
    const { rows } = await this.tx((c) => c.query<{ user: string; vote: string }>('SELECT "user", vote FROM feedback WHERE answer_ref = $1 ORDER BY id', [ref]), true);
    return rows;
  }

  /** True the first time an event ID is seen (by any instance, in any workspace), false for a retried delivery. */
  async firstDelivery(eventId: string): Promise<boolean> {
    const r = await this.pool.query({ name: 'chat-first-delivery', text: 'INSERT INTO events (event_id, at) VALUES ($1, $2) ON CONFLICT DO NOTHING', values: [eventId, this.now().toISOString()] });
    await this.wrote();
    return r.rowCount === 1;
  }

  /** True the first time a message (channel + ts) is handled: a DM delivered both as app_mention and message.im counts once. */
  firstMessage(channel: string, ts: string): Promise<boolean> {
    return this.firstDelivery(messageKey(channel, ts));
  }

  /**
   * firstDelivery of the event (when it has an ID) and firstMessage of its message, in one statement (one
   * transaction): the message is recorded only when the event was new, as in SQLite; true when both were new.
   */
  async firstHandling(eventId: string | undefined, channel: string, ts: string): Promise<boolean> {
    const { rows } = await this.pool.query<{ event: boolean; message: boolean }>({
      name: 'chat-first-handling',
      text: `WITH event AS (
          INSERT INTO events (event_id, at) SELECT $1::text, $3 WHERE $1::text IS NOT NULL ON CONFLICT DO NOTHING RETURNING 1
        ), message AS (
          INSERT INTO events (event_id, at) SELECT $2, $3 WHERE $1::text IS NULL OR EXISTS (SELECT 1 FROM event) ON CONFLICT DO NOTHING RETURNING 1
        )
        SELECT EXISTS (SELECT 1 FROM event) AS event, EXISTS (SELECT 1 FROM message) AS message`,
      values: [eventId ?? null, messageKey(channel, ts), this.now().toISOString()],
    });
    const r = rows[0]!;
    await this.wrote((r.event ? 1 : 0) + (r.message ? 1 : 0));
    return r.message;
  }

  private requestCount = 0;

  /**
   * True the first time a signed Slack request (its signature, which covers timestamp and body) is seen by any
   * instance. Kept for the 10 minutes in which its timestamp is accepted; every 200th call deletes older ones.
   */
  async firstRequest(signature: string, ts: number, nowSec = Math.floor(this.now().getTime() / 1000)): Promise<boolean> {
    if ((this.requestCount = (this.requestCount + 1) % 200) === 0) {
      await this.pool.query({ name: 'chat-prune-requests', text: 'DELETE FROM requests WHERE ts < $1', values: [nowSec - replayWindowSec] });
    }
    const r = await this.pool.query({ name: 'chat-first-request', text: 'INSERT INTO requests (signature, ts) VALUES ($1, $2) ON CONFLICT DO NOTHING', values: [signature, ts] });
    return r.rowCount === 1;
  }

  /** A random 32-byte key, created once per deployment (e.g. to seal the metadata of Slack modals): every instance reads the same. */
  async secret(name: string): Promise<Buffer> {
    // Two statements, not one: a concurrent creator's row is visible to the SELECT's new snapshot once the INSERT has
    // waited for it, never to the INSERT's own statement.
    await this.pool.query({ name: 'chat-secret-create', text: 'INSERT INTO secrets (name, value) VALUES ($1, $2) ON CONFLICT DO NOTHING', values: [name, randomBytes(32)] });
    const { rows } = await this.pool.query<{ value: Buffer }>({ name: 'chat-secret', text: 'SELECT value FROM secrets WHERE name = $1', values: [name] });
    return rows[0]!.value;
  }

  /** Remembers a Slack assistant thread (Agents & AI Apps) and the context Slack gave it (the channel being viewed). */
  async saveAssistantThread(thread: string, context: Record<string, unknown>): Promise<void> {
    await this.tx((c) => c.query({
      name: 'chat-save-assistant-thread',
      text: 'INSERT INTO assistant_threads (thread, context, at) VALUES ($1, $2, $3) ON CONFLICT (workspace, thread) DO UPDATE SET context = excluded.context, at = excluded.at',
      values: [thread, JSON.stringify(context), this.now().toISOString()],
    }));
  }

  /** The context of an assistant thread, or undefined for a thread that is not one (an ordinary DM thread). */
  async assistantThread(thread: string): Promise<Record<string, unknown> | undefined> {
    const { rows } = await this.tx((c) => c.query<{ context: string }>({ name: 'chat-assistant-thread', text: 'SELECT context FROM assistant_threads WHERE thread = $1', values: [thread] }), true);
    return rows[0] ? (JSON.parse(rows[0].context) as Record<string, unknown>) : undefined;
  }

  async loadAssessment<T>(thread: string): Promise<T | undefined> {
    const { rows } = await this.tx((c) => c.query<{ state: string }>({ name: 'chat-load-assessment', text: 'SELECT state FROM assessments WHERE thread = $1', values: [thread] }), true);
    return rows[0] ? (JSON.parse(rows[0].state) as T) : undefined;
  }

  async saveAssessment(thread: string, state: unknown): Promise<void> {
    await this.tx((c) => c.query({
      name: 'chat-save-assessment',
      text: 'INSERT INTO assessments (thread, state, updated_at) VALUES ($1, $2, $3) ON CONFLICT (workspace, thread) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at',
      values: [thread, JSON.stringify(state), this.now().toISOString()],
    }));
  }

  async deleteAssessment(thread: string): Promise<void> {
    await this.tx((c) => c.query({ name: 'chat-delete-assessment', text: 'DELETE FROM assessments WHERE thread = $1', values: [thread] }));
  }

  /** This workspace's assessments, by thread. */
  async assessments<T>(): Promise<{ thread: string; state: T; updatedAt: string }[]> {
    const { rows } = await this.tx((c) => c.query<{ thread: string; state: string; updated_at: string }>('SELECT thread, state, updated_at FROM assessments ORDER BY thread'), true);
    return rows.map((r) => ({ thread: r.thread, state: JSON.parse(r.state) as T, updatedAt: r.updated_at }));
  }
}

/** The dedupe key of a message, in the events table beside event IDs (as in SQLite). */
const messageKey = (channel: string, ts: string) => `msg:${channel}:${ts}`;

/** Text without NUL characters, which PostgreSQL cannot store (a Slack message may carry one). */
const noNul = (s: string) => (s.includes('\0') ? s.replaceAll('\0', '') : s);

/** INSERT OR REPLACE of an answer record, with the placeholders of ref, thread, question, citations and at. */
const upsertAnswer = (ref: string, thread: string, question: string, citations: string, at: string) =>
  `INSERT INTO answers (ref, thread, question, citations, at) VALUES (${ref}, ${thread}, ${question}, ${citations}, ${at})
        ON CONFLICT (workspace, ref) DO UPDATE SET thread = excluded.thread, question = excluded.question, citations = excluded.citations, at = excluded.at`;

/** Both public APIs are the same, method for method (names, parameters, results): a drift fails the type check. */
type Same<A, B> = (<X>() => X extends A ? 1 : 2) extends (<X>() => X extends B ? 1 : 2) ? true : false;
type Api<T> = { [K in keyof T]: T[K] };
export type PgChatStateIsChatState = Same<Api<PgChatState>, Api<ChatState>> extends true ? true : never;
export const pgChatStateIsChatState: PgChatStateIsChatState = true;
