// The store's data layer, one interface over two engines: SQLite (the embedded default, one file) and PostgreSQL
// (several instances, several workspaces). The store's parts write their SQL once, with `?` placeholders, in the
// subset both engines speak (INSERT … RETURNING, ON CONFLICT DO NOTHING, CAST(count(*) AS INTEGER)); each engine runs
// it. A unit of work is read() or write(): every statement runs inside one, and a read or write started inside another
// joins it (the ambient unit, kept in AsyncLocalStorage), so the parts call one another freely.
import { AsyncLocalStorage } from 'node:async_hooks';
import { asyncTransaction, hasColumn, type Db, type Statement } from './db.js';

export type Row = Record<string, unknown>;

export interface StoreDb {
  readonly engine: 'sqlite' | 'postgres';
  /** The Slack workspace whose records this handle reads and writes ('' for the single-workspace SQLite file). */
  readonly workspace: string;
  /** Runs fn as one consistent read. */
  read<T>(fn: () => Promise<T>): Promise<T>;
  /** Runs fn as one write transaction of this workspace: all of it commits, or none; writers of one workspace take turns. */
  write<T>(fn: () => Promise<T>): Promise<T>;
  get<T = Row>(sql: string, params?: unknown[]): Promise<T | undefined>;
  all<T = Row>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Runs a statement; resolves to the number of rows it changed. */
  run(sql: string, params?: unknown[]): Promise<number>;
  /** Inserts one row of the given columns (those this database has) and resolves to the row as stored. */
  insert(table: string, values: Row): Promise<Row>;
  /** What a write transaction may remember until it ends (a new object per transaction); undefined outside one. */
  memo(): Map<string, unknown> | undefined;
  /** A row as the audit log hashes it: without columns only this engine has (a PostgreSQL row's workspace). */
  hashable(row: Row): Row;
  hasTable(table: string): boolean;
  hasColumn(table: string, column: string): boolean;
  close(): Promise<void>;
}

export interface Unit {
  mode: 'read' | 'write';
  memo?: Map<string, unknown>;
}

export const outside = (sql: string) => new Error(`a store statement ran outside read() or write(): ${sql.slice(0, 60)}`);
export const writeInRead = () => new Error('a write was started inside a read: start the write first');

const turns = new Map<string, { busy: Promise<void> | null }>();

/** Whether a string reads back from SQLite as the same string: no unpaired surrogate (SQLite stores UTF-8). */
const wellFormed = (s: string) => (s as { isWellFormed?: () => boolean }).isWellFormed?.() ?? !/[\uD800-\uDFFF]/.test(s);

/** The embedded engine: one better-sqlite3 connection, used by one unit of work at a time. */
export class SqliteDb implements StoreDb {
  readonly engine = 'sqlite' as const;
  readonly workspace = '';
  private readonly units = new AsyncLocalStorage<Unit>();
  private readonly statements = new Map<string, Statement>();
  private readonly tables: Set<string>;
  private readonly columns = new Map<string, boolean>();
  /** The turn of this file in this process: connections of one process to one file take turns here, not in SQLite. */
  private readonly turn: { busy: Promise<void> | null };

  constructor(readonly raw: Db) {
    // A second connection of this process would otherwise wait for the write lock inside SQLite (busy_timeout), which
    // blocks the thread that the holder needs to finish.
    const key = raw.memory ? {} : raw.name;
    let turn = typeof key === 'string' ? turns.get(key) : undefined;
    if (!turn) {
      turn = { busy: null };
      if (typeof key === 'string') turns.set(key, turn);
    }
    this.turn = turn;
    this.tables = new Set((raw.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((t) => t.name));
  }

  private statement(sql: string): Statement {
    let s = this.statements.get(sql);
    if (!s) this.statements.set(sql, (s = this.raw.prepare(sql)));
    return s;
  }

  /** One unit at a time on the connection: a unit's statements never interleave with another's. */
  private async exclusive<T>(unit: Unit, fn: () => Promise<T>): Promise<T> {
    const { turn } = this;
    while (turn.busy) await turn.busy;
    let release!: () => void;
    turn.busy = new Promise<void>((r) => (release = r));
    try {
      return await this.units.run(unit, fn);
    } finally {
      turn.busy = null;
      release();
    }
  }

  read<T>(fn: () => Promise<T>): Promise<T> {
    return this.units.getStore() ? fn() : this.exclusive({ mode: 'read' }, fn);
  }

  write<T>(fn: () => Promise<T>): Promise<T> {
    const unit = this.units.getStore();
    if (unit) return unit.mode === 'write' ? fn() : Promise.reject(writeInRead());
    return this.exclusive({ mode: 'write', memo: new Map() }, () => asyncTransaction(this.raw, fn));
  }

  private check(sql: string): void {
    if (!this.units.getStore()) throw outside(sql);
  }

  get<T = Row>(sql: string, params: unknown[] = []): Promise<T | undefined> {
    this.check(sql);
    return Promise.resolve(this.statement(sql).get(...params) as T | undefined);
  }

  all<T = Row>(sql: string, params: unknown[] = []): Promise<T[]> {
    this.check(sql);
    return Promise.resolve(this.statement(sql).all(...params) as T[]);
  }

  run(sql: string, params: unknown[] = []): Promise<number> {
    this.check(sql);
    return Promise.resolve(this.statement(sql).run(...params).changes);
  }

  /**
   * Inserts and gives back the row as a read would. SQLite's RETURNING costs more than the INSERT itself (it fills a
   * temporary table), so the row is built from the values bound when they read back the same (text in TEXT columns
   * without unpaired surrogates, safe integers in INTEGER ones, nulls, and no column with a default), else read back.
   */
  insert(table: string, values: Row): Promise<Row> {
    this.check(table);
    const keys = Object.keys(values);
    const shape = `${table}(${keys.join()})`;
    let ins = this.inserts.get(shape);
    if (!ins) {
      // The columns this file has: a store at an older schema version (migration tests) leaves out newer ones.
      const cols = keys.filter((c) => this.hasColumn(table, c));
      const info = this.raw.pragma(`table_info(${table})`) as { name: string; type: string; dflt_value: unknown; pk: number }[];
      const affinity = (type: string) => (/INT/i.test(type) ? 'int' as const : /CHAR|CLOB|TEXT/i.test(type) ? 'text' as const : 'other' as const);
      ins = {
        cols, sql: `INSERT INTO ${table} (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`,
        columns: info.map((c) => ({ name: c.name, affinity: affinity(c.type), rowid: c.pk === 1 && /^INTEGER$/i.test(c.type) })),
        built: info.every((c) => c.dflt_value == null) && info.some((c) => c.pk === 1 && /^INTEGER$/i.test(c.type)),
      };
      this.inserts.set(shape, ins);
    }
    const params = new Array<unknown>(ins.cols.length);
    for (let i = 0; i < params.length; i++) params[i] = values[ins.cols[i]!];
    const id = Number(this.statement(ins.sql).run(...params).lastInsertRowid);
    if (ins.built) {
      const row: Row = {};
      let same = true;
      for (const c of ins.columns) {
        const v = c.rowid ? id : values[c.name] ?? null;
        if (v !== null && (typeof v === 'string' ? c.affinity !== 'text' || !wellFormed(v) : typeof v !== 'number' || c.affinity !== 'int' || !Number.isSafeInteger(v))) {
          same = false;
          break;
        }
        row[c.name] = v;
      }
      if (same) return Promise.resolve(row);
    }
    return Promise.resolve(this.statement(`SELECT * FROM ${table} WHERE rowid = ?`).get(id) as Row);
  }

  /** INSERT statements by table and the keys of the values given, and how to build the row back. */
  private readonly inserts = new Map<string, { cols: string[]; sql: string; columns: { name: string; affinity: 'int' | 'text' | 'other'; rowid: boolean }[]; built: boolean }>();

  memo(): Map<string, unknown> | undefined {
    return this.units.getStore()?.memo;
  }

  hashable(row: Row): Row {
    return row;
  }

  hasTable(table: string): boolean {
    return this.tables.has(table);
  }

  hasColumn(table: string, column: string): boolean {
    const key = `${table}.${column}`;
    let has = this.columns.get(key);
    if (has === undefined) this.columns.set(key, (has = hasColumn(this.raw, table, column)));
    return has;
  }

  async close(): Promise<void> {
    while (this.units.getStore() === undefined && this.turn.busy) await this.turn.busy;
    if (this.raw.open) this.raw.close();
  }
}
