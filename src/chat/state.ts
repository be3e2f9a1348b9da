// Conversation state that is not the system of record: thread history for follow-ups, answer feedback,
// processed Slack event IDs (so a retried delivery is handled once, even across processes), signed requests already
// seen (replays), the key that seals modal metadata, a thread's chosen language, and per-thread assessment state. Kept
// in its own SQLite file beside the SoA store; old events and turns are pruned (see `retention`).
import Database from 'better-sqlite3';
import { settle } from '../soa/async.js';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Turn } from '../answer/engine.js';
import type { Lang } from '../search/text.js';
import { storageError } from '../soa/db.js';

const schema = `
CREATE TABLE IF NOT EXISTS turns (
  id INTEGER PRIMARY KEY,
  thread TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('user', 'assistant')),
  text TEXT NOT NULL,
  at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS turns_by_thread ON turns (thread, id);
CREATE TABLE IF NOT EXISTS feedback (
  id INTEGER PRIMARY KEY,
  answer_ref TEXT NOT NULL,
  user TEXT NOT NULL,
  vote TEXT NOT NULL CHECK (vote IN ('up', 'down')),
  question TEXT,
  citations TEXT,
  at TEXT NOT NULL,
  UNIQUE (answer_ref, user)
);
CREATE TABLE IF NOT EXISTS events (
  event_id TEXT PRIMARY KEY,
  at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_by_at ON events (at);
CREATE INDEX IF NOT EXISTS turns_by_at ON turns (at);
CREATE TABLE IF NOT EXISTS thread_langs (
  thread TEXT PRIMARY KEY,
  lang TEXT NOT NULL CHECK (lang IN ('ja', 'en')),
  at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS answers (
  ref TEXT PRIMARY KEY,
  thread TEXT NOT NULL,
  question TEXT NOT NULL,
  citations TEXT NOT NULL,
  at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS assessments (
  thread TEXT PRIMARY KEY,
  state TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS requests (
  signature TEXT PRIMARY KEY,
  ts INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS assistant_threads (
  thread TEXT PRIMARY KEY,
  context TEXT NOT NULL,
  at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS secrets (
  name TEXT PRIMARY KEY,
  value BLOB NOT NULL
);
`;

/**
 * At most this many characters of a turn are kept for follow-ups (the question limit is lower): an old huge message
 * in the history, stored before the limits existed, is never read back whole.
 */
export const maxTurnChars = 4000;

/** How long a request signature is remembered: the ±5 minute window on both sides of its timestamp. */
const replayWindowSec = 600;

/**
 * How long rows that only serve the conversation are kept. Slack retries an event 3 times within about an hour, so a
 * day of delivered event IDs is plenty; follow-ups read a thread's last turns, so a thread quiet for 30 days starts
 * afresh. Answers and feedback are kept (they are the record of what was asked and how it was rated), and so is a
 * thread's language choice (one row per thread where someone typed "lang ja" or "lang en").
 */
export const retention = { eventDays: 1, turnDays: 30 };

/** Old events and turns are pruned when the state opens and then once every this many writes of them. */
const pruneEvery = 500;

/** The SQLite engine of the chat state (ISMS_DATA_DIR/chat.sqlite): every method reads or writes the file at once. */
export class SqliteChatState {
  private readonly db: Database.Database;

  private readonly file: string;

  /**
   * `onLost` hears of a turn's writes that could not be committed (a full disk): conversation state only, so the
   * request that made them has been answered already; the default writes one line to stderr.
   */
  constructor(dataDir: string, private readonly now: () => Date = () => new Date(),
    private readonly onLost: (e: Error) => void = (e) => process.stderr.write(`chat state not saved: ${e.message}\n`)) {
    const file = join(dataDir, 'chat.sqlite');
    this.file = file;
    let db: Database.Database | undefined;
    try {
      mkdirSync(dataDir, { recursive: true });
      db = new Database(file);
      db.pragma('journal_mode = WAL');
      db.pragma('busy_timeout = 5000');
      // Conversation state, not records: WAL with NORMAL sync survives a crash of the process (the last commits may be
      // lost on power loss), and keeps the per-request replay check cheap.
      db.pragma('synchronous = NORMAL');
      db.exec(schema);
    } catch (e) {
      db?.close();
      // A read-only folder, a full disk or a damaged file: one line that names the file.
      throw storageError(e, file) ?? e;
    }
    this.db = db;
    this.atomic = db.transaction((fn: () => unknown) => fn());
    this.prune();
    this.flush();
  }

  private readonly statements = new Map<string, Database.Statement>();

  /** A statement prepared once per connection. */
  private sql(text: string): Database.Statement {
    let s = this.statements.get(text);
    if (!s) this.statements.set(text, (s = this.db.prepare(text)));
    return s;
  }

  /**
   * Group commit: the writes made in one turn of the event loop (the requests whose data arrived together) share one
   * transaction, committed when the turn ends (setImmediate). A burst of Slack requests then costs one WAL commit per
   * turn instead of three per request. What was written is seen by this connection at once and by other processes
   * after the commit; a writer there waits for it (busy_timeout), so the write lock is held for one turn only, never
   * for a fixed window that a second bot process on the same folder would spend blocked. A crash loses at most the
   * last turn's writes, which synchronous = NORMAL already allows on power loss.
   */
  private batch(): void {
    if (this.db.inTransaction) return;
    this.db.exec('BEGIN IMMEDIATE');
    this.batchToken = {};
    setImmediate(() => this.flush());
  }

  /** Commits the writes of the current turn now (close() does too). */
  flush(): void {
    if (!this.db.inTransaction) return;
    try {
      this.db.exec('COMMIT');
    } catch (e) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      this.onLost(storageError(e, this.file) ?? (e as Error));
    }
  }

  /** Runs `fn` all or nothing (a savepoint inside the batch); one transaction function, built once. */
  private inOne<T>(fn: () => T): T {
    return this.atomic(fn) as T;
  }

  private readonly atomic: (fn: () => unknown) => unknown;

  private writes = 0;

  /** Counts a write of an event or turn; every `pruneEvery`th prunes. */
  private wrote(): void {
    if (++this.writes % pruneEvery === 0) this.prune();
  }

  /** Deletes events and turns older than their retention; returns how many went. */
  prune(now = this.now()): { events: number; turns: number } {
    this.batch();
    const before = (days: number) => new Date(now.getTime() - days * 86_400_000).toISOString();
    return {
      events: this.sql('DELETE FROM events WHERE at < ?').run(before(retention.eventDays)).changes,
      turns: this.sql('DELETE FROM turns WHERE at < ?').run(before(retention.turnDays)).changes,
    };
  }

  /** The language someone chose for a thread ("lang ja" / "lang en"), kept across restarts. */
  threadLang(thread: string): Lang | undefined {
    const langs = this.current(this.langs);
    if (langs.has(thread)) return langs.get(thread) ?? undefined;
    const lang = (this.sql('SELECT lang FROM thread_langs WHERE thread = ?').get(thread) as { lang: Lang } | undefined)?.lang;
    if (langs.size >= 10_000) langs.clear();
    langs.set(thread, lang ?? null);
    return lang;
  }

  /** Thread languages already read (null: none chosen); a message reads its thread's several times. */
  private readonly langs = new Map<string, Lang | null>();
  private dataVersion = -1;
  /** A new object for each batch transaction; the batch in which data_version was last checked. */
  private batchToken: object | undefined;
  private checkedIn: object | undefined;

  /** `memo`, emptied first when another connection has committed since it was filled (PRAGMA data_version). */
  private current<K, V>(memo: Map<K, V>): Map<K, V> {
    // Checked already inside our own write transaction (the batch): nobody else can commit until it ends.
    if (this.db.inTransaction && this.checkedIn === this.batchToken) return memo;
    this.checkedIn = this.db.inTransaction ? this.batchToken : undefined;
    const v = this.sql('PRAGMA data_version').pluck().get() as number;
    if (v !== this.dataVersion) {
      this.dataVersion = v;
      memo.clear();
    }
    return memo;
  }

  setThreadLang(thread: string, lang: Lang): void {
    this.batch();
    this.langs.set(thread, lang);
    this.sql('INSERT INTO thread_langs (thread, lang, at) VALUES (?, ?, ?) ON CONFLICT (thread) DO UPDATE SET lang = excluded.lang, at = excluded.at')
      .run(thread, lang, this.now().toISOString());
  }

  close(): void {
    this.flush();
    this.db.close();
  }

  /** The last turns of a thread, oldest first. */
  history(thread: string, limit = 6): Turn[] {
    const rows = this.sql('SELECT role, substr(text, 1, ?) AS text FROM turns WHERE thread = ? ORDER BY id DESC LIMIT ?').all(maxTurnChars, thread, limit) as Turn[];
    return rows.reverse();
  }

  /** Stores the turns, each cut to maxTurnChars. */
  addTurns(thread: string, turns: Turn[]): void {
    this.batch();
    const at = this.now().toISOString();
    const insert = this.sql('INSERT INTO turns (thread, role, text, at) VALUES (?, ?, ?, ?)');
    this.inOne(() => turns.forEach((t) => insert.run(thread, t.role, t.text.slice(0, maxTurnChars), at)));
    this.wrote();
  }

  /** Records an answer so that feedback on it can name the question and citations. */
  recordAnswer(ref: string, thread: string, question: string, citations: string[]): void {
    this.batch();
    this.sql('INSERT OR REPLACE INTO answers (ref, thread, question, citations, at) VALUES (?, ?, ?, ?, ?)').run(ref, thread, question, JSON.stringify(citations), this.now().toISOString());
  }

  /** A question and its answer: the two turns and the answer record, in one transaction. */
  recordExchange(thread: string, question: string, answer: string, ref: string, citations: string[]): void {
    this.batch();
    this.inOne(() => {
      this.addTurns(thread, [{ role: 'user', text: question }, { role: 'assistant', text: answer }]);
      this.recordAnswer(ref, thread, question, citations);
    });
  }

  /** One vote per user and answer; a second vote replaces the first. */
  feedback(ref: string, user: string, vote: 'up' | 'down'): void {
    this.batch();
    const a = this.sql('SELECT question, citations FROM answers WHERE ref = ?').get(ref) as { question: string; citations: string } | undefined;
    this.sql(`INSERT INTO feedback (answer_ref, user, vote, question, citations, at) VALUES (?, ?, ?, ?, ?, ?)
      ON CONFLICT (answer_ref, user) DO UPDATE SET vote = excluded.vote, at = excluded.at`).run(ref, user, vote, a?.question ?? null, a?.citations ?? null, this.now().toISOString());
  }

  feedbackFor(ref: string): { user: string; vote: string }[] {
    return this.sql('SELECT user, vote FROM feedback WHERE answer_ref = ? ORDER BY id').all(ref) as { user: string; vote: string }[];
  }

  /** True the first time an event ID is seen, false for a retried delivery. */
  firstDelivery(eventId: string): boolean {
    this.batch();
    const r = this.sql('INSERT OR IGNORE INTO events (event_id, at) VALUES (?, ?)').run(eventId, this.now().toISOString());
    this.wrote();
    return r.changes === 1;
  }

  /** True the first time a message (channel + ts) is handled: a DM delivered both as app_mention and message.im counts once. */
  firstMessage(channel: string, ts: string): boolean {
    return this.firstDelivery(`msg:${channel}:${ts}`);
  }

  /** firstDelivery of the event (when it has an ID) and firstMessage of its message, in one transaction. */
  firstHandling(eventId: string | undefined, channel: string, ts: string): boolean {
    this.batch();
    return this.inOne(() => (!eventId || this.firstDelivery(eventId)) && this.firstMessage(channel, ts));
  }

  /**
   * True the first time a signed Slack request (its signature, which covers timestamp and body) is seen. Kept for the
   * 10 minutes in which its timestamp is accepted, across processes that share the data folder.
   */
  firstRequest(signature: string, ts: number, nowSec = Math.floor(this.now().getTime() / 1000)): boolean {
    this.batch();
    if ((this.requestCount = (this.requestCount + 1) % 200) === 0) this.sql('DELETE FROM requests WHERE ts < ?').run(nowSec - replayWindowSec);
    return this.sql('INSERT OR IGNORE INTO requests (signature, ts) VALUES (?, ?)').run(signature, ts).changes === 1;
  }

  private requestCount = 0;

  /** A random 32-byte key, created once per data folder (e.g. to seal the metadata of Slack modals). */
  secret(name: string): Buffer {
    this.batch();
    this.sql('INSERT OR IGNORE INTO secrets (name, value) VALUES (?, ?)').run(name, randomBytes(32));
    return (this.sql('SELECT value FROM secrets WHERE name = ?').get(name) as { value: Buffer }).value;
  }

  /** Remembers a Slack assistant thread (Agents & AI Apps) and the context Slack gave it (the channel being viewed). */
  saveAssistantThread(thread: string, context: Record<string, unknown>): void {
    this.batch();
    this.sql('INSERT INTO assistant_threads (thread, context, at) VALUES (?, ?, ?) ON CONFLICT (thread) DO UPDATE SET context = excluded.context, at = excluded.at')
      .run(thread, JSON.stringify(context), this.now().toISOString());
  }

  /** The context of an assistant thread, or undefined for a thread that is not one (an ordinary DM thread). */
  assistantThread(thread: string): Record<string, unknown> | undefined {
    const row = this.sql('SELECT context FROM assistant_threads WHERE thread = ?').get(thread) as { context: string } | undefined;
    return row ? (JSON.parse(row.context) as Record<string, unknown>) : undefined;
  }

  loadAssessment<T>(thread: string): T | undefined {
    const row = this.sql('SELECT state FROM assessments WHERE thread = ?').get(thread) as { state: string } | undefined;
    return row ? (JSON.parse(row.state) as T) : undefined;
  }

  saveAssessment(thread: string, state: unknown): void {
    this.batch();
    this.sql('INSERT INTO assessments (thread, state, updated_at) VALUES (?, ?, ?) ON CONFLICT (thread) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at')
      .run(thread, JSON.stringify(state), this.now().toISOString());
  }

  deleteAssessment(thread: string): void {
    this.batch();
    this.sql('DELETE FROM assessments WHERE thread = ?').run(thread);
  }

  assessments<T>(): { thread: string; state: T; updatedAt: string }[] {
    return (this.sql('SELECT thread, state, updated_at FROM assessments').all() as { thread: string; state: string; updated_at: string }[])
      .map((r) => ({ thread: r.thread, state: JSON.parse(r.state) as T, updatedAt: r.updated_at }));
  }
}

/** What the chat service needs of a chat state, whichever engine keeps it (PgChatState in src/chat/pg-state.ts). */
export type ChatStateApi = Pick<ChatState, keyof ChatState>;

/**
 * The chat state as its callers see it: every method returns a promise, so that a state shared by several instances
 * (PostgreSQL) fits behind it. The SQLite engine answers at once.
 */
export class ChatState {
  private readonly file: SqliteChatState;

  /** See SqliteChatState: `onLost` hears of a turn's writes that could not be committed. */
  constructor(dataDir: string, now?: () => Date, onLost?: (e: Error) => void) {
    this.file = new SqliteChatState(dataDir, now, onLost);
  }

  prune(now?: Date): Promise<{ events: number; turns: number }> {
    return settle(() => this.file.prune(now));
  }

  flush(): Promise<void> {
    return settle(() => this.file.flush());
  }

  close(): Promise<void> {
    return settle(() => this.file.close());
  }

  threadLang(thread: string): Promise<Lang | undefined> {
    return settle(() => this.file.threadLang(thread));
  }

  setThreadLang(thread: string, lang: Lang): Promise<void> {
    return settle(() => this.file.setThreadLang(thread, lang));
  }

  history(thread: string, limit?: number): Promise<Turn[]> {
    return settle(() => this.file.history(thread, limit));
  }

  addTurns(thread: string, turns: Turn[]): Promise<void> {
    return settle(() => this.file.addTurns(thread, turns));
  }

  recordAnswer(ref: string, thread: string, question: string, citations: string[]): Promise<void> {
    return settle(() => this.file.recordAnswer(ref, thread, question, citations));
  }

  recordExchange(thread: string, question: string, answer: string, ref: string, citations: string[]): Promise<void> {
    return settle(() => this.file.recordExchange(thread, question, answer, ref, citations));
  }

  feedback(ref: string, user: string, vote: 'up' | 'down'): Promise<void> {
    return settle(() => this.file.feedback(ref, user, vote));
  }

  feedbackFor(ref: string): Promise<{ user: string; vote: string }[]> {
    return settle(() => this.file.feedbackFor(ref));
  }

  firstDelivery(eventId: string): Promise<boolean> {
    return settle(() => this.file.firstDelivery(eventId));
  }

  firstMessage(channel: string, ts: string): Promise<boolean> {
    return settle(() => this.file.firstMessage(channel, ts));
  }

  firstHandling(eventId: string | undefined, channel: string, ts: string): Promise<boolean> {
    return settle(() => this.file.firstHandling(eventId, channel, ts));
  }

  firstRequest(signature: string, ts: number, nowSec?: number): Promise<boolean> {
    return settle(() => this.file.firstRequest(signature, ts, nowSec));
  }

  secret(name: string): Promise<Buffer> {
    return settle(() => this.file.secret(name));
  }

  saveAssistantThread(thread: string, context: Record<string, unknown>): Promise<void> {
    return settle(() => this.file.saveAssistantThread(thread, context));
  }

  assistantThread(thread: string): Promise<Record<string, unknown> | undefined> {
    return settle(() => this.file.assistantThread(thread));
  }

  loadAssessment<T>(thread: string): Promise<T | undefined> {
    return settle(() => this.file.loadAssessment<T>(thread));
  }

  saveAssessment(thread: string, state: unknown): Promise<void> {
    return settle(() => this.file.saveAssessment(thread, state));
  }

  deleteAssessment(thread: string): Promise<void> {
    return settle(() => this.file.deleteAssessment(thread));
  }

  assessments<T>(): Promise<{ thread: string; state: T; updatedAt: string }[]> {
    return settle(() => this.file.assessments<T>());
  }
}
