// A store on either engine, for tests that must hold on both (describe.each(engines)): SQLite, a fresh file as
// tempStore() makes it; PostgreSQL, a fresh workspace of the one database that test/setup/postgres.ts started and
// migrated for the run (row-level security makes a new workspace an empty store). Besides the store, each gives what
// the tests need to look under it, engine-neutral: count a table, read rows, change them the way someone with the
// database's powers could (tamper), and try a raw statement as the application itself (asApp).
//
// PostgreSQL connections: one application pool (role isms_app, as the store connects) and one superuser pool per test
// file, made on first use. A file that uses the postgres engine ends them with `afterAll(closeEngines)`; the pools of
// a file that forgot are ended when the next file of the worker makes its own (a worker runs one file at a time).
import pg from 'pg';
import { expect } from 'vitest';
import { Store, type StoreOptions } from '../../src/soa/index.js';
import { transaction, workspaceTransaction } from '../../src/soa/pg/db.js';
import { PgDb } from '../../src/soa/pg/engine.js';
import { catalog, fakeClock, tempDir, tempStore } from '../fixtures/soa-helpers.js';

export const engines = ['sqlite', 'postgres'] as const;
export type Engine = (typeof engines)[number];

type Row = Record<string, unknown>;

export interface EngineStore {
  engine: Engine;
  store: Store;
  /** The options the store was opened with (reopen() takes more). */
  options: StoreOptions;
  /** A fresh folder for files the test writes (exports); on SQLite, the folder of the store's file. */
  dir: string;
  /** The store's workspace on PostgreSQL; '' on SQLite (one store per file). */
  workspace: string;
  /** The number of rows of `table` that belong to this store. */
  count: (table: string) => Promise<number>;
  /** Rows of this store only, read with the database's powers (`?` placeholders). */
  query: <T = Row>(sql: string, params?: unknown[]) => Promise<T[]>;
  /** The id of the n-th row (from 1, in id order) of this store's `table`: 1, 2, … on SQLite; IDs are per database on PostgreSQL. */
  rowId: (table: string, n: number) => Promise<number>;
  /**
   * Runs a raw statement (or several, without params) on this store's rows with the powers of whoever holds the
   * database, behind the store's back: on SQLite the append-only triggers are dropped for it (and put back), as with
   * the sqlite3 shell; on PostgreSQL it runs as a role that may change every table but is held to this workspace by
   * row-level security. Resolves to the rows changed.
   */
  tamper: (sql: string, params?: unknown[]) => Promise<number>;
  /** Runs a raw statement as the application does: SQLite through the store's connection (triggers on), PostgreSQL as isms_app in this workspace. */
  asApp: (sql: string, params?: unknown[]) => Promise<number>;
  /** What asApp() rejects with when the engine refuses a change to an append-only table: the trigger's message on SQLite, permission denied (42501) on PostgreSQL. */
  refusal: (sqliteMessage: RegExp) => Record<string, unknown>;
  /** Another Store over the same data (SQLite: the same file; PostgreSQL: the same workspace), with these options on top. */
  reopen: (more?: Partial<StoreOptions>) => Store;
}

interface Pools {
  file: string;
  app: pg.Pool;
  admin: pg.Pool;
}

let current: Pools | undefined;
let serial = 0;

function url(name: 'ISMS_TEST_PG_URL' | 'ISMS_TEST_PG_APP_URL'): string {
  const u = process.env[name];
  if (!u) throw new Error(`${name} is not set: the PostgreSQL server is started by test/setup/postgres.ts (vitest globalSetup); run the tests with vitest`);
  return u;
}

function newPool(connectionString: string, max: number): pg.Pool {
  const p = new pg.Pool({ connectionString, max, idleTimeoutMillis: 2_000, allowExitOnIdle: true });
  // An idle connection dropped by the server (the run's end stops it) is no test's failure.
  p.on('error', () => undefined);
  return p;
}

/** The PostgreSQL pools of the running test file (made on first use). */
export function pgPools(): { app: pg.Pool; admin: pg.Pool } {
  const file = expect.getState().testPath ?? '';
  if (current?.file !== file) {
    if (current) void endPools(current);
    current = { file, app: newPool(url('ISMS_TEST_PG_APP_URL'), 4), admin: newPool(url('ISMS_TEST_PG_URL'), 2) };
  }
  return current;
}

async function endPools(p: Pools): Promise<void> {
  await Promise.all([p.app.end(), p.admin.end()]).catch(() => undefined);
}

/** Ends this file's PostgreSQL pools: `afterAll(closeEngines)` in a file that uses the postgres engine. */
export async function closeEngines(): Promise<void> {
  const p = current;
  current = undefined;
  if (p) await endPools(p);
}

/** `?` placeholders as PostgreSQL's $1, $2, … */
const dollars = (sql: string) => {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
};

/**
 * Runs fn in one transaction of the superuser's connection as isms_owner (every right on every table, not a superuser,
 * so row-level security holds it to `workspace`). `replica`: triggers and foreign-key checks off too (as SQLite's
 * PRAGMA foreign_keys = OFF), which only a superuser may set, so it is set before the role changes.
 */
export async function asOwner<T>(workspace: string, fn: (c: pg.PoolClient) => Promise<T>, o: { replica?: boolean } = {}): Promise<T> {
  return transaction(pgPools().admin, async (c) => {
    if (o.replica) await c.query('SET LOCAL session_replication_role = replica');
    await c.query('SET LOCAL ROLE isms_owner');
    await c.query("SELECT set_config('app.workspace', $1, true)", [workspace]);
    return fn(c);
  });
}

/** fn's result as a promise, its exception as a rejection (SQLite's statements throw at once). */
const settle = <T>(fn: () => T) => new Promise<T>((resolve) => resolve(fn()));

const defaults = (opts: Partial<StoreOptions>): StoreOptions => ({ catalog, approvers: ['alice', 'U0APPROVER'], now: fakeClock(), defaultEdition: '2013', ...opts });

function sqliteStore(opts: Partial<StoreOptions>): EngineStore {
  const options = defaults(opts);
  const t = tempStore(options);
  const { store } = t;
  const all = <T>(sql: string, params: unknown[] = []) => Promise.resolve(store.db.prepare(sql).all(...params) as T[]);
  return {
    engine: 'sqlite', store, options, dir: t.dir, workspace: '',
    count: async (table) => (await all<{ n: number }>(`SELECT count(*) AS n FROM ${table}`))[0]!.n,
    query: all,
    rowId: async (table, n) => (await all<{ id: number }>(`SELECT id FROM ${table} ORDER BY id LIMIT 1 OFFSET ?`, [n - 1]))[0]?.id ?? Number.NaN,
    tamper: (sql, params = []) => settle(() => {
      const db = store.db;
      const guards = db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND (name LIKE '%_no_update' OR name LIKE '%_no_delete')").all() as { name: string; sql: string }[];
      db.exec('BEGIN IMMEDIATE');
      try {
        for (const g of guards) db.exec(`DROP TRIGGER ${g.name}`);
        const before = db.prepare('SELECT total_changes() AS n').get() as { n: number };
        if (params.length) db.prepare(sql).run(...params);
        else db.exec(sql);
        const changed = (db.prepare('SELECT total_changes() AS n').get() as { n: number }).n - before.n;
        for (const g of guards) db.exec(g.sql);
        db.exec('COMMIT');
        return changed;
      } catch (e) {
        db.exec('ROLLBACK');
        throw e;
      }
    }),
    asApp: (sql, params = []) => settle(() => store.db.prepare(sql).run(...params).changes),
    refusal: (message) => ({ message: expect.stringMatching(message) }),
    reopen: t.reopen,
  };
}

function postgresStore(opts: Partial<StoreOptions>): EngineStore {
  const pools = pgPools();
  const workspace = `T${process.pid}-${++serial}-${Math.random().toString(36).slice(2, 8)}`;
  const options = defaults(opts);
  const open = (more: Partial<StoreOptions> = {}) => new Store(new PgDb(pools.app, workspace), { ...options, ...more });
  const query = async <T>(sql: string, params: unknown[] = []) => asOwner(workspace, async (c) => (await c.query(dollars(sql), params)).rows as T[]);
  return {
    engine: 'postgres', store: open(), options, dir: tempDir(), workspace,
    count: async (table) => (await query<{ n: number }>(`SELECT CAST(count(*) AS INTEGER) AS n FROM ${table}`))[0]!.n,
    query,
    rowId: async (table, n) => (await query<{ id: number }>(`SELECT id FROM ${table} ORDER BY id LIMIT 1 OFFSET ?`, [n - 1]))[0]?.id ?? Number.NaN,
    tamper: async (sql, params = []) => asOwner(workspace, async (c) => {
      const r = params.length ? await c.query(dollars(sql), params) : await c.query(sql);
      return (Array.isArray(r) ? (r as pg.QueryResult[]) : [r]).reduce((n, x) => n + (x.rowCount ?? 0), 0);
    }),
    asApp: async (sql, params = []) => workspaceTransaction(pools.app, workspace, async (c) => (await c.query(dollars(sql), params)).rowCount ?? 0),
    refusal: () => ({ code: '42501', message: expect.stringMatching(/^permission denied for table /) }),
    reopen: open,
  };
}

/**
 * A new, empty store on `engine`, with tempStore()'s defaults (approvers alice and U0APPROVER, a clock one minute per
 * call from 2025-04-01, the 2013 edition) and `opts` on top.
 */
export function engineStore(engine: Engine, opts: Partial<StoreOptions> = {}): EngineStore {
  return engine === 'sqlite' ? sqliteStore(opts) : postgresStore(opts);
}
