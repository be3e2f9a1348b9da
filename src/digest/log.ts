// What the digest keeps in the store: weekly readiness snapshots (the trend) and the run log of scheduled posts.
import type { Store } from '../soa/index.js';
import type { ReadinessMetrics } from './metrics.js';

export interface Snapshot { week: string; score: number; takenAt: string }

export interface TrendPoint { week: string; score: number }

export interface Trend {
  /** One point per week (its latest snapshot), oldest first, the current week last. */
  points: TrendPoint[];
  /** The latest snapshot of an earlier week, to compare the current score with. */
  previous: TrendPoint | null;
  delta: number | null;
}

export interface DigestRun {
  scheduledFor: string;
  startedAt: string;
  process: string;
  postedAt: string | null;
  channel: string | null;
  messageTs: string | null;
  error: string | null;
}

/** How many weeks the trend shows. */
export const TREND_WEEKS = 12;

/** The run log and snapshots, in the store (either engine). */
export class DigestLog {
  constructor(private readonly store: Store) {}

  /** Appends a snapshot of this week's metrics. The latest snapshot of a week is the one the trend shows. */
  async addSnapshot(m: ReadinessMetrics, takenAt: Date): Promise<void> {
    const { sql } = this.store;
    await sql.write(() => sql.run('INSERT INTO readiness_snapshots (week, score, metrics, taken_at) VALUES (?, ?, ?, ?)',
      [m.week, m.score.value, JSON.stringify(m), takenAt.toISOString()]));
  }

  /** The latest snapshot of each week, oldest first. */
  async weekly(): Promise<Snapshot[]> {
    const { sql } = this.store;
    const rows = await sql.read(() => sql.all<{ week: string; score: number; taken_at: string }>(`SELECT week, score, taken_at FROM readiness_snapshots
      WHERE id IN (SELECT max(id) FROM readiness_snapshots GROUP BY week) ORDER BY week`));
    return rows.map((r) => ({ week: r.week, score: r.score, takenAt: r.taken_at }));
  }

  /** The trend up to the current week, whose score is `current` (live, or just recorded). */
  async trend(current: TrendPoint, weeks = TREND_WEEKS): Promise<Trend> {
    const earlier = (await this.weekly()).filter((s) => s.week < current.week).map((s) => ({ week: s.week, score: s.score }));
    const previous = earlier[earlier.length - 1] ?? null;
    return { points: [...earlier, current].slice(-weeks), previous, delta: previous ? current.score - previous.score : null };
  }

  /**
   * Claims a scheduled run for this process: true for exactly one caller per `scheduledFor`, across processes and
   * instances (an insert that does nothing when the unique key exists, in a write transaction).
   */
  async claim(scheduledFor: Date, process: string, at: Date): Promise<boolean> {
    const { sql } = this.store;
    return await sql.write(() => sql.run('INSERT INTO digest_runs (scheduled_for, started_at, process) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
      [scheduledFor.toISOString(), at.toISOString(), process])) === 1;
  }

  /** Marks a claimed run as posted, or as failed with the error (a claimed run is not retried). */
  async finish(scheduledFor: Date, outcome: { postedAt: Date; channel: string; messageTs?: string } | { error: string }): Promise<void> {
    const key = scheduledFor.toISOString();
    const { sql } = this.store;
    await sql.write(() => 'error' in outcome
      ? sql.run('UPDATE digest_runs SET error = ? WHERE scheduled_for = ?', [outcome.error.slice(0, 1000), key])
      : sql.run('UPDATE digest_runs SET posted_at = ?, channel = ?, message_ts = ? WHERE scheduled_for = ?',
        [outcome.postedAt.toISOString(), outcome.channel, outcome.messageTs ?? null, key]));
  }

  async has(scheduledFor: Date): Promise<boolean> {
    const { sql } = this.store;
    return !!await sql.read(() => sql.get('SELECT 1 AS one FROM digest_runs WHERE scheduled_for = ?', [scheduledFor.toISOString()]));
  }

  async runs(): Promise<DigestRun[]> {
    const { sql } = this.store;
    const rows = await sql.read(() => sql.all<{
      scheduled_for: string; started_at: string; process: string; posted_at: string | null; channel: string | null; message_ts: string | null; error: string | null;
    }>('SELECT * FROM digest_runs ORDER BY scheduled_for'));
    return rows.map((r) => ({
      scheduledFor: r.scheduled_for, startedAt: r.started_at, process: r.process, postedAt: r.posted_at, channel: r.channel, messageTs: r.message_ts, error: r.error,
    }));
  }
}
