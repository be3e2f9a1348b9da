// Calendar helpers in a time zone: the local day, the ISO week (2026-W48) and whole days between instants.

/** The calendar day (YYYY-MM-DD) of an instant in an IANA time zone. */
export function localDay(at: Date, timeZone: string): string {
  // en-CA formats dates as YYYY-MM-DD.
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
}

/** The ISO 8601 week of a day: weeks start on Monday, and week 1 holds the year's first Thursday. */
export function isoWeek(day: string): string {
  const d = new Date(`${day}T00:00:00Z`);
  const weekday = d.getUTCDay() || 7;
  d.setUTCDate(d.getUTCDate() + 4 - weekday); // the Thursday of this week decides the year
  const year = d.getUTCFullYear();
  const week = Math.ceil(((d.getTime() - Date.UTC(year, 0, 1)) / 86_400_000 + 1) / 7);
  return `${year}-W${String(week).padStart(2, '0')}`;
}

/** The ISO week of an instant in a time zone. */
export function weekOf(at: Date, timeZone: string): string {
  return isoWeek(localDay(at, timeZone));
}

/** Whole days from `from` to `to` (rounded down; 0 when `to` is earlier). */
export function daysSince(from: string | Date, to: Date): number {
  const ms = to.getTime() - new Date(from).getTime();
  return ms > 0 ? Math.floor(ms / 86_400_000) : 0;
}

/** Whole calendar days from one YYYY-MM-DD to another. */
export function dayDiff(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}
