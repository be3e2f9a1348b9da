// Errors the store reports to any channel (CLI, console, Slack): the field at fault, what is wrong and the fix.

export interface Issue {
  field: string;
  message: string;
  hint: string;
}

export class StoreError extends Error {
  constructor(readonly issues: Issue[]) {
    super(issues.map((i) => `${i.field}: ${i.message}. ${i.hint}`).join('\n'));
    this.name = 'StoreError';
  }

  get field(): string { return this.issues[0]!.field; }
  get hint(): string { return this.issues[0]!.hint; }
}

/** Collects issues while checking input; `done()` throws them all at once, before anything is written. */
export class Issues {
  readonly list: Issue[] = [];

  add(field: string, message: string, hint: string): void {
    this.list.push({ field, message, hint });
  }

  done(): void {
    if (this.list.length) throw new StoreError(this.list);
  }
}

/** The code of a Node.js or SQLite error ("ENOSPC", "SQLITE_FULL"), or '' when it has none. */
export function errorCode(e: unknown): string {
  const code = e && typeof e === 'object' ? (e as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : '';
}

export function fail(field: string, message: string, hint: string): never {
  throw new StoreError([{ field, message, hint }]);
}
