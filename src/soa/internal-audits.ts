// Internal audits (JIP-ISMS517 4.3): when the ISMS was audited, by whom, over what scope, the result, and when the
// next audit is due. Records are append-only and vouched for by the audit log, like every other record.
import { Issues } from './errors.js';
import { isoDate, source, text, type StoreContext } from './context.js';

export interface InternalAudit {
  id: number;
  /** The day the audit took place, YYYY-MM-DD. */
  date: string;
  scope: string | null;
  auditor: string;
  result: string | null;
  /** The day the next internal audit is due, YYYY-MM-DD. */
  nextDue: string;
  recordedBy: string;
  recordedAt: string;
  source: string;
}

export interface InternalAuditInput {
  date?: string;
  scope?: string;
  auditor?: string;
  result?: string;
  /** Default: date + the configured interval (ISMS_AUDIT_INTERVAL_MONTHS, 12). */
  nextDue?: string;
  by?: string;
  source?: string;
}

interface AuditRow {
  id: number; audit_date: string; scope: string | null; auditor: string; result: string | null; next_due: string;
  recorded_by: string; recorded_at: string; source: string;
}

/** A real calendar day written as YYYY-MM-DD. */
export function isDay(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(s);
}

/** YYYY-MM-DD plus whole months; the 31st (or 29 February) becomes the last day of a shorter month. */
export function addMonths(day: string, months: number): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const first = new Date(Date.UTC(y, m - 1 + months, 1));
  const last = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 0)).getUTCDate();
  first.setUTCDate(Math.min(d, last));
  return first.toISOString().slice(0, 10);
}

export class InternalAuditStore {
  constructor(private readonly ctx: StoreContext, private readonly intervalMonths = 12) {}

  /** Every recorded internal audit, oldest first. */
  async list(): Promise<InternalAudit[]> {
    return await this.ctx.db.read(async () => (await this.ctx.db.all<AuditRow>('SELECT * FROM internal_audits ORDER BY audit_date, id')).map(toAudit));
  }

  /** The most recent internal audit (by its date), or null when none is recorded. */
  async last(): Promise<InternalAudit | null> {
    return (await this.list()).at(-1) ?? null;
  }

  async record(input: InternalAuditInput): Promise<InternalAudit> {
    const issues = new Issues();
    const date = text(issues, 'date', input.date, { required: 'Give the day the audit took place: --date YYYY-MM-DD' });
    if (date && !isDay(date)) issues.add('date', `"${date}" is not a date`, 'Write the audit date as YYYY-MM-DD, e.g. --date 2026-04-15');
    // A day later than today anywhere on Earth (UTC+14) has not happened yet.
    const latest = isoDate(new Date(this.ctx.now().getTime() + 14 * 3_600_000)).slice(0, 10);
    if (date && isDay(date) && date > latest) issues.add('date', `${date} is in the future`, 'Record an audit after it took place; plan the next one with --next YYYY-MM-DD');
    const auditor = text(issues, 'auditor', input.auditor, { required: 'Name who conducted the audit: --auditor NAME (JIP-ISMS517 4.3 asks for an objective auditor)' });
    const by = text(issues, 'by', input.by, { required: 'Say who records the audit, e.g. --by alice' });
    let nextDue = text(issues, 'next', input.nextDue);
    if (nextDue && !isDay(nextDue)) issues.add('next', `"${nextDue}" is not a date`, 'Write the next due date as YYYY-MM-DD, e.g. --next 2027-04-15');
    if (!nextDue && date && isDay(date)) nextDue = addMonths(date, this.intervalMonths);
    if (nextDue && date && isDay(nextDue) && isDay(date) && nextDue <= date) issues.add('next', `${nextDue} is not after the audit date ${date}`, 'The next audit is due after this one: give a later --next date');
    const row = {
      audit_date: date, scope: text(issues, 'scope', input.scope) ?? null, auditor, result: text(issues, 'result', input.result) ?? null,
      next_due: nextDue, recorded_by: by, recorded_at: isoDate(this.ctx.now()), source: source(issues, input.source),
    };
    issues.done();
    return await this.ctx.db.write(async () => {
      const written = await this.ctx.db.insert('internal_audits', row);
      await this.ctx.audit.append({
        at: row.recorded_at, actor: by!, action: 'internal-audit.record', subject: date!, table: 'internal_audits', row: written.id as number, written, extra: { nextDue },
      });
      return toAudit(written as unknown as AuditRow);
    });
  }
}

function toAudit(r: AuditRow): InternalAudit {
  return {
    id: r.id, date: r.audit_date, scope: r.scope, auditor: r.auditor, result: r.result, nextDue: r.next_due,
    recordedBy: r.recorded_by, recordedAt: r.recorded_at, source: r.source,
  };
}
