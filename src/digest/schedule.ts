// The digest schedule: a cron expression in a time zone (croner), a catch-up at start-up for a run missed while
// the bot was down, and a claim in the run log so that a run is posted once, even with several bot processes.
import { hostname } from 'node:os';
import { Cron } from 'croner';
import { silentLogger, type Logger } from '../log.js';
import type { DigestLog } from './log.js';

/** A croner job (or a pattern to compute with) for a five-field cron expression in an IANA time zone. */
export function cronOf(expr: string, timezone: string, fn?: () => void): Cron {
  const options = { timezone, mode: '5-part' as const, protect: true, unref: true };
  return fn ? new Cron(expr, options, fn) : new Cron(expr, options);
}

/** The first scheduled time strictly after `after`. */
export function nextRun(expr: string, timezone: string, after: Date): Date | null {
  return cronOf(expr, timezone).nextRun(after);
}

/** The latest scheduled time at or before `at` (a run at exactly `at` counts). */
export function lastRun(expr: string, timezone: string, at: Date): Date | null {
  return cronOf(expr, timezone).previousRuns(1, new Date(at.getTime() + 1))[0] ?? null;
}

export type RunOutcome =
  | { slot: null; outcome: 'none' }
  | { slot: Date; outcome: 'posted' | 'taken' | 'failed'; error?: string };

export interface SchedulerOptions {
  log: DigestLog;
  cron: string;
  timezone: string;
  /** Posts the digest of a slot; returns where it went. */
  post: (slot: Date) => Promise<{ channel: string; messageTs?: string }>;
  now?: () => Date;
  /** Recorded in the run log as the claimant; default host:pid. */
  process?: string;
  logger?: Logger;
}

export class DigestScheduler {
  private job: Cron | null = null;
  private readonly now: () => Date;
  private readonly process: string;
  private readonly logger: Logger;

  constructor(private readonly opts: SchedulerOptions) {
    this.now = opts.now ?? (() => new Date());
    this.process = opts.process ?? `${hostname()}:${process.pid}`;
    this.logger = opts.logger ?? silentLogger;
  }

  /**
   * Posts the digest of the latest slot at or before `at`, unless the run log has it already. At start-up this is
   * the catch-up: however many runs were missed, only the latest is posted, once.
   */
  async runDue(at: Date = this.now()): Promise<RunOutcome> {
    const slot = lastRun(this.opts.cron, this.opts.timezone, at);
    if (!slot) return { slot: null, outcome: 'none' };
    if (!await this.opts.log.claim(slot, this.process, this.now())) return { slot, outcome: 'taken' };
    try {
      const where = await this.opts.post(slot);
      await this.opts.log.finish(slot, { postedAt: this.now(), ...where });
      this.logger.info('readiness digest posted', { slot: slot.toISOString(), channel: where.channel });
      return { slot, outcome: 'posted' };
    } catch (e) {
      const error = (e as Error).message;
      await this.opts.log.finish(slot, { error });
      this.logger.error('readiness digest failed; this run is not retried', { slot: slot.toISOString(), error });
      return { slot, outcome: 'failed', error };
    }
  }

  /** Catches up a missed run, then fires at every scheduled time until stop(). */
  async start(): Promise<RunOutcome> {
    const caughtUp = await this.runDue();
    // The timer may fire a moment before the scheduled second: one second of slack finds that slot.
    this.job ??= cronOf(this.opts.cron, this.opts.timezone, () => {
      this.runDue(new Date(this.now().getTime() + 1000)).catch((e: Error) => this.logger.error('readiness digest run failed', { error: e.message }));
    });
    return caughtUp;
  }

  /** The next scheduled time after now, while running. */
  next(): Date | null {
    return nextRun(this.opts.cron, this.opts.timezone, this.now());
  }

  stop(): void {
    this.job?.stop();
    this.job = null;
  }
}
