// The PostgreSQL engine of the store (src/soa/sql.ts): loaded only when DATABASE_URL selects it.
import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash } from 'node:crypto';
import type pg from 'pg';
import { outside, writeInRead, type Row, type StoreDb, type Unit } from '../sql.js';
import { workspaceTransaction, type PgClient } from './db.js';

/** `?` placeholders as PostgreSQL's $1, $2, …, and a statement name per text (each connection parses it once). */
const pgText = new Map<string, { name: string; text: string }>();
function pgStatement(sql: string): { name: string; text: string } {
  let s = pgText.get(sql);
  if (!s) {
    let n = 0;
    const text = sql.replace(/\?/g, () => `$${++n}`);
    s = { name: `isms-${createHash('sha1').update(text).digest('hex').slice(0, 20)}`, text };
    if (pgText.size < 10_000) pgText.set(sql, s);
  }
  return s;
}

interface PgUnit extends Unit {
  client: PgClient;
}

/**
 * The PostgreSQL engine for one workspace: each unit of work is one transaction on a pooled connection, with
 * app.workspace set for row-level security. A write first takes the workspace's advisory lock, so that writers of one
 * workspace take turns (several instances too), as SQLite's BEGIN IMMEDIATE makes them.
 */
export class PgDb implements StoreDb {
  readonly engine = 'postgres' as const;
  private readonly units = new AsyncLocalStorage<PgUnit>();

  constructor(private readonly pool: pg.Pool, readonly workspace: string, private readonly o: { ownsPool?: boolean } = {}) {}

  read<T>(fn: () => Promise<T>): Promise<T> {
    if (this.units.getStore()) return fn();
    return workspaceTransaction(this.pool, this.workspace, (client) => this.units.run({ mode: 'read', client }, fn), { readOnly: true });
  }

  write<T>(fn: () => Promise<T>): Promise<T> {
    const unit = this.units.getStore();
    if (unit) return unit.mode === 'write' ? fn() : Promise.reject(writeInRead());
    // Writers of one workspace take turns on its advisory lock, so its chain stays linear.
    return workspaceTransaction(this.pool, this.workspace, (client) => this.units.run({ mode: 'write', client, memo: new Map() }, fn), { lock: 'isms-audit:' });
  }

  private async query<T>(sql: string, params: unknown[]): Promise<pg.QueryResult<T & pg.QueryResultRow>> {
    const unit = this.units.getStore();
    if (!unit) throw outside(sql);
    const s = pgStatement(sql);
    return unit.client.query<T & pg.QueryResultRow>({ name: s.name, text: s.text, values: params });
  }

  async get<T = Row>(sql: string, params: unknown[] = []): Promise<T | undefined> {
    return (await this.query<T>(sql, params)).rows[0];
  }

  async all<T = Row>(sql: string, params: unknown[] = []): Promise<T[]> {
    return (await this.query<T>(sql, params)).rows;
  }

  async run(sql: string, params: unknown[] = []): Promise<number> {
    return (await this.query(sql, params)).rowCount ?? 0;
  }

  async insert(table: string, values: Row): Promise<Row> {
    const cols = Object.keys(values);
    return (await this.get<Row>(`INSERT INTO ${table} (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')}) RETURNING *`, cols.map((c) => values[c])))!;
  }

  memo(): Map<string, unknown> | undefined {
    return this.units.getStore()?.memo;
  }

  hashable(row: Row): Row {
    const { workspace: _, ...rest } = row;
    return rest;
  }

  hasTable(): boolean {
    return true;
  }

  hasColumn(): boolean {
    return true;
  }

  async close(): Promise<void> {
    if (this.o.ownsPool) await this.pool.end();
  }
}
