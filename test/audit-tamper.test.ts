// Every hashed column of every audited table, changed one at a time with the sqlite3 shell's powers (triggers dropped,
// CHECK and foreign-key constraints off), is found by `audit verify`. The cases come from the schema (PRAGMA
// table_info), not from a hand-written list, so a column added by a later migration is covered the day it lands.
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { verifyFile } from '../src/soa/index.js';
import { tempDir, tempStore } from './fixtures/soa-helpers.js';

/** Tables outside the audit chain: the log itself, and operational records that carry no evidence. */
const unaudited = ['audit_log', 'readiness_snapshots', 'digest_runs'];
/** Hashed with their profile row (a profile is hashed together with its services). */
const hashedWithParent: Record<string, { parent: string; key: string }> = { services: { parent: 'profile', key: 'profile_id' } };

/** A store with a row in every audited table, each column filled where the product fills it. */
async function template(): Promise<string> {
  const { store, file } = tempStore();
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

describe('tampering with any hashed column', () => {
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
