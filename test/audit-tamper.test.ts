// Every hashed column of every audited table, changed one at a time with the sqlite3 shell's powers (triggers dropped,
// CHECK and foreign-key constraints off), is found by `audit verify`. The cases come from the schema (PRAGMA
// table_info), not from a hand-written list, so a column added by a later migration is covered the day it lands.
// On PostgreSQL the same, by a superuser (triggers and foreign keys off; its CHECK constraints still hold), from
// information_schema, in one workspace changed and put back case by case.
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { verifyFile, type Store } from '../src/soa/index.js';
import { appendOnlyTables, finishOnceTables } from '../src/soa/pg/schema.js';
import { tempDir, tempStore } from './fixtures/soa-helpers.js';
import { closeEngines, engineStore, pgPools } from './helpers/stores.js';

afterAll(closeEngines);

/** Tables outside the audit chain: the log itself, and operational records that carry no evidence. */
const unaudited = ['audit_log', 'readiness_snapshots', 'digest_runs'];
/** Hashed with their profile row (a profile is hashed together with its services). */
const hashedWithParent: Record<string, { parent: string; key: string }> = { services: { parent: 'profile', key: 'profile_id' } };

/** Writes a row in every audited table, each column filled where the product fills it. */
async function fill(store: Store): Promise<void> {
  await store.profile.set({ scope: 'Acme Portal on AWS', services: [{ name: 'Acme Portal', role: 'provider', model: 'SaaS', runsOn: 'AWS' }], by: 'alice' });
  await store.risks.add({
    by: 'bob', title: 'Restore fails', description: 'nightly restore not tested', service: 'Acme Portal', asset: 'customer database', threat: 'ransomware',
    vulnerability: 'untested restores', owner: 'ops', likelihood: 3, impact: 4, cia: 'A', treatment: 'modify', controls: ['12.3.1'], residual: 4,
    status: 'treating', nextReview: '2026-01-01', source: 'cli',
  });
  await store.soa.set({ control: '12.3.1', applicable: 'yes', status: 'planned', reasons: ['risk:R-1'], owner: 'ops', evidence: ['wiki/backup'], by: 'bob' });
  await store.soa.reject('12.3.1', 'alice', 'needs restore evidence');
  await store.soa.set({ control: '12.3.1', applicable: 'yes', status: 'implemented', reasons: ['risk:R-1'], owner: 'ops', evidence: ['wiki/restore-test'], by: 'bob' });
  await store.soa.approve('12.3.1', 'alice');
  await store.soa.set({ control: '11.1.1', applicable: 'no', status: 'not-implemented', justification: 'no premises of our own', by: 'alice' });
  await store.internalAudits.record({ date: '2025-03-14', auditor: 'dave', scope: 'Acme Portal', result: 'one minor finding', by: 'alice' });
  await store.publish({ by: 'alice', note: 'first issue' });
  await store.transition('alice', 'cli');
  expect(await store.verifyAudit()).toMatchObject({ ok: true });
}

/** A store file with a row in every audited table. */
async function template(): Promise<string> {
  const { store, file } = tempStore();
  await fill(store);
  await store.close();
  return file;
}

type Row = Record<string, unknown>;

const base = await template();
const db = new Database(base, { readonly: true });
const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as { name: string }[]).map((t) => t.name);
const recorded = new Set((db.prepare("SELECT DISTINCT json_extract(data, '$.table') AS t FROM audit_log WHERE t IS NOT NULL").all() as { t: string }[]).map((r) => r.t));
const hashed = tables.filter((t) => !unaudited.includes(t));
const cases = hashed.flatMap((table) => {
  const rows = db.prepare(`SELECT * FROM ${table} ORDER BY id`).all() as Row[];
  const columns = (db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).map((c) => c.name);
  // The row to change: one where the column holds a value, else the first (null → a value is a change too).
  return columns.map((column) => ({ table, column, row: rows.find((r) => r[column] != null) ?? rows[0] }));
});
db.close();

/** A different value of the same kind: 0 ↔ 1, another number, or the text with something added. */
function changed(v: unknown): unknown {
  if (typeof v === 'number') return v === 0 ? 1 : v === 1 ? 0 : v + 1000;
  if (typeof v === 'string') return `${v} (edited)`;
  return 'x';
}

/** The problem `audit verify` must report for a change to `column` of `row`. */
function expected(table: string, column: string, row: Row): RegExp {
  const parent = hashedWithParent[table];
  if (parent) return new RegExp(`: ${parent.parent} row ${String(row[parent.key])} was changed after it was recorded`);
  if (column === 'id') return new RegExp(`: ${table} row ${String(row.id)} that it recorded is gone`);
  return new RegExp(`: ${table} row ${String(row.id)} was changed after it was recorded`);
}

describe('tampering with any hashed column (sqlite)', () => {
  it('covers every table of the schema: each is in the audit chain, hashed with its parent, or named as unaudited', () => {
    expect(hashed.filter((t) => !recorded.has(t) && !hashedWithParent[t])).toEqual([]);
    expect([...recorded].filter((t) => !hashed.includes(t))).toEqual([]);
    // Every table the chain vouches for has a row here, so every one of its columns gets a case.
    expect(cases.filter((c) => !c.row).map((c) => `${c.table}.${c.column}`)).toEqual([]);
    expect(cases.length).toBeGreaterThan(80);
  });

  it.each(cases.map((c) => [`${c.table}.${c.column}`, c] as const))('finds a change to %s', async (_name, { table, column, row }) => {
    const file = join(tempDir(), 'isms.sqlite');
    copyFileSync(base, file);
    const raw = new Database(file);
    raw.pragma('ignore_check_constraints = ON');
    raw.pragma('foreign_keys = OFF');
    raw.exec(`DROP TRIGGER IF EXISTS ${table}_no_update`);
    const r = raw.prepare(`UPDATE ${table} SET "${column}" = ? WHERE id = ?`).run(changed(row![column]), row!.id);
    raw.close();
    expect(r.changes).toBe(1);
    const result = await verifyFile(file);
    expect(result).toMatchObject({ ok: false, problem: expect.stringMatching(expected(table, column, row!)) });
  });
});

// PostgreSQL: one workspace filled as above. Each case changes one column of one row as the superuser, verifies, and
// puts the row back exactly as it was (deleted and inserted again with its own id), checking that the table holds
// what it held before the next case. A CHECK constraint holds even for a superuser, so a value it refuses is replaced by the
// next candidate (another number, the text with a digit changed, another value the constraint allows) or another row.
const pgStore = engineStore('postgres');
await fill(pgStore.store);
const ws = pgStore.workspace;
const admin = pgPools().admin;
const storeTables: string[] = [...appendOnlyTables, ...Object.keys(finishOnceTables)];
const pgColumns = async (table: string) => (await admin.query<{ column_name: string }>(
  "SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1 ORDER BY ordinal_position", [table])).rows.map((c) => c.column_name);
const pgRows = async (table: string) => (await admin.query<Row>(`SELECT * FROM ${table} WHERE workspace = $1 ORDER BY id`, [ws])).rows;
/** The quoted values of the CHECK constraints that name the column: the values it may take. */
async function allowed(table: string, column: string): Promise<string[]> {
  const { rows } = await admin.query<{ def: string }>("SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conrelid = $1::regclass AND contype = 'c'", [table]);
  return rows.filter((r) => new RegExp(`\\b${column}\\b`).test(r.def)).flatMap((r) => [...r.def.matchAll(/'([^']*)'/g)].map((m) => m[1]!));
}
const pgRecorded = new Set((await admin.query<{ t: string }>("SELECT DISTINCT data::json->>'table' AS t FROM audit_log WHERE workspace = $1", [ws])).rows.map((r) => r.t).filter(Boolean));
const pgHashed = storeTables.filter((t) => !unaudited.includes(t));
const pgCases: { table: string; column: string; rows: Row[]; allowed: string[] }[] = [];
for (const table of pgHashed) {
  const rows = await pgRows(table);
  for (const column of await pgColumns(table)) pgCases.push({ table, column, rows, allowed: await allowed(table, column) });
}

/** Values to try for a column, the plain change first; never the value it has. */
function candidates(v: unknown, values: string[]): unknown[] {
  const tries = typeof v === 'number' ? [changed(v), v + 1, v - 1]
    : typeof v === 'string' ? [changed(v), v.replace(/(\d)(\D*)$/, (_, d: string, rest: string) => `${(Number(d) + 1) % 10}${rest}`), ...values]
      : [changed(v), 1, ...values];
  return [...new Set(tries)].filter((x) => x !== v);
}

/** Columns no single change can pass: a CHECK ties them together (score = likelihood × impact). */
const tiedByCheck = ['risks.likelihood', 'risks.impact', 'risks.score'];

/** Runs fn as the superuser in one transaction, with triggers and foreign-key checks off (replica). */
async function superuser<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  const c = await admin.connect();
  try {
    await c.query('BEGIN');
    await c.query('SET LOCAL session_replication_role = replica');
    const out = await fn(c);
    await c.query('COMMIT');
    return out;
  } catch (e) {
    await c.query('ROLLBACK');
    throw e;
  } finally {
    c.release();
  }
}

/**
 * Changes `column` of a row (the preferred one first) to the first candidate its constraints accept; resolves to the
 * row as it was, the row's key now, or the errors of every refused try when none was accepted.
 */
async function change(table: string, column: string, rows: Row[], values: string[]) {
  const preferred = rows.find((r) => r[column] != null) ?? rows[0]!;
  const refused: string[] = [];
  return superuser(async (c) => {
    for (const row of [preferred, ...rows.filter((r) => r !== preferred)]) {
      const tries: unknown[] = column === 'id' ? [null] : column === 'workspace' ? [`${ws} (edited)`] : candidates(row[column], values);
      for (const value of tries) {
        await c.query('SAVEPOINT try');
        try {
          const set = column === 'id' ? 'id = DEFAULT' : `"${column}" = $3`;
          const r = await c.query<{ id: number; workspace: string }>(`UPDATE ${table} SET ${set} WHERE workspace = $1 AND id = $2 RETURNING id, workspace`,
            column === 'id' ? [ws, row.id] : [ws, row.id, value]);
          await c.query('RELEASE SAVEPOINT try');
          expect(r.rowCount).toBe(1);
          return { row, now: r.rows[0]!, refused };
        } catch (e) {
          await c.query('ROLLBACK TO SAVEPOINT try');
          refused.push(`${JSON.stringify(value)} on row ${String(row.id)}: ${(e as { code?: string }).code ?? ''} ${(e as Error).message}`);
        }
      }
    }
    return { row: undefined, now: undefined, refused };
  });
}

/** Puts a changed row back exactly as it was, its own id included. */
async function restore(table: string, was: Row, now: { id: number; workspace: string }) {
  await superuser(async (c) => {
    await c.query(`DELETE FROM ${table} WHERE workspace = $1 AND id = $2`, [now.workspace, now.id]);
    const cols = Object.keys(was);
    await c.query(`INSERT INTO ${table} (${cols.map((k) => `"${k}"`).join(', ')}) OVERRIDING SYSTEM VALUE VALUES (${cols.map((_, i) => `$${i + 1}`).join(', ')})`, cols.map((k) => was[k]));
  });
}

describe('tampering with any hashed column (postgres)', () => {
  it('covers every table of the store: each is in the audit chain, hashed with its parent, or named as unaudited', () => {
    expect(pgHashed.filter((t) => !pgRecorded.has(t) && !hashedWithParent[t])).toEqual([]);
    expect([...pgRecorded].filter((t) => !pgHashed.includes(t))).toEqual([]);
    expect(pgCases.filter((c) => !c.rows.length).map((c) => `${c.table}.${c.column}`)).toEqual([]);
    // The columns of SQLite's cases, plus each table's workspace.
    expect(pgCases.length).toBe(cases.length + pgHashed.length);
  });

  it.each(pgCases.map((c) => [`${c.table}.${c.column}`, c] as const))('finds a change to %s', async (name, { table, column, rows, allowed: values }) => {
    const { row, now, refused } = await change(table, column, rows, values);
    if (tiedByCheck.includes(name)) {
      // Not even a superuser changes one of them alone: every try broke the CHECK (23514), and nothing was changed.
      expect(row).toBeUndefined();
      expect(refused.every((r) => r.includes(' 23514 '))).toBe(true);
      expect(await pgStore.store.verifyAudit()).toMatchObject({ ok: true });
      return;
    }
    if (!row || !now) throw new Error(`no change of ${name} was accepted:\n${refused.join('\n')}`);
    try {
      const gone = column === 'workspace' && !hashedWithParent[table];
      const problem = gone ? new RegExp(`: ${table} row ${String(row.id)} that it recorded is gone`) : expected(table, column, row);
      expect(await pgStore.store.verifyAudit()).toMatchObject({ ok: false, problem: expect.stringMatching(problem) });
    } finally {
      await restore(table, row, now);
    }
    // Put back as it was: the table holds the rows it held before, so the next case starts from a chain that verifies.
    expect(await pgRows(table)).toEqual(rows);
  });

  it('verifies again once every change was put back', async () => {
    expect(await pgStore.store.verifyAudit()).toMatchObject({ ok: true, entries: (await pgStore.store.audit.entries(1000)).length });
  });
});
