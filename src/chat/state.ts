// Conversation state that is not the system of record: thread history for follow-ups, answer feedback,
// processed Slack event IDs (so a retried delivery is handled once, even across processes), and per-thread
// assessment state. Kept in its own SQLite file beside the SoA store.
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Turn } from '../answer/engine.js';

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
`;

export class ChatState {
  private readonly db: Database.Database;

  constructor(dataDir: string, private readonly now: () => Date = () => new Date()) {
    mkdirSync(dataDir, { recursive: true });
    this.db = new Database(join(dataDir, 'chat.sqlite'));
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(schema);
  }

  close(): void {
    this.db.close();
  }

  /** The last turns of a thread, oldest first. */
  history(thread: string, limit = 6): Turn[] {
    const rows = this.db.prepare('SELECT role, text FROM turns WHERE thread = ? ORDER BY id DESC LIMIT ?').all(thread, limit) as Turn[];
    return rows.reverse();
  }

  addTurns(thread: string, turns: Turn[]): void {
    const at = this.now().toISOString();
    const insert = this.db.prepare('INSERT INTO turns (thread, role, text, at) VALUES (?, ?, ?, ?)');
    this.db.transaction(() => turns.forEach((t) => insert.run(thread, t.role, t.text, at)))();
  }

  /** Records an answer so that feedback on it can name the question and citations. */
  recordAnswer(ref: string, thread: string, question: string, citations: string[]): void {
    this.db.prepare('INSERT OR REPLACE INTO answers (ref, thread, question, citations, at) VALUES (?, ?, ?, ?, ?)').run(ref, thread, question, JSON.stringify(citations), this.now().toISOString());
  }

  /** One vote per user and answer; a second vote replaces the first. */
  feedback(ref: string, user: string, vote: 'up' | 'down'): void {
    const a = this.db.prepare('SELECT question, citations FROM answers WHERE ref = ?').get(ref) as { question: string; citations: string } | undefined;
    this.db.prepare(`INSERT INTO feedback (answer_ref, user, vote, question, citations, at) VALUES (?, ?, ?, ?, ?, ?)
      ON CONFLICT (answer_ref, user) DO UPDATE SET vote = excluded.vote, at = excluded.at`).run(ref, user, vote, a?.question ?? null, a?.citations ?? null, this.now().toISOString());
  }

  feedbackFor(ref: string): { user: string; vote: string }[] {
    return this.db.prepare('SELECT user, vote FROM feedback WHERE answer_ref = ? ORDER BY id').all(ref) as { user: string; vote: string }[];
  }

  /** True the first time an event ID is seen, false for a retried delivery. */
  firstDelivery(eventId: string): boolean {
    const r = this.db.prepare('INSERT OR IGNORE INTO events (event_id, at) VALUES (?, ?)').run(eventId, this.now().toISOString());
    return r.changes === 1;
  }

  loadAssessment<T>(thread: string): T | undefined {
    const row = this.db.prepare('SELECT state FROM assessments WHERE thread = ?').get(thread) as { state: string } | undefined;
    return row ? (JSON.parse(row.state) as T) : undefined;
  }

  saveAssessment(thread: string, state: unknown): void {
    this.db.prepare('INSERT INTO assessments (thread, state, updated_at) VALUES (?, ?, ?) ON CONFLICT (thread) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at')
      .run(thread, JSON.stringify(state), this.now().toISOString());
  }

  deleteAssessment(thread: string): void {
    this.db.prepare('DELETE FROM assessments WHERE thread = ?').run(thread);
  }

  assessments<T>(): { thread: string; state: T; updatedAt: string }[] {
    return (this.db.prepare('SELECT thread, state, updated_at FROM assessments').all() as { thread: string; state: string; updated_at: string }[])
      .map((r) => ({ thread: r.thread, state: JSON.parse(r.state) as T, updatedAt: r.updated_at }));
  }
}
