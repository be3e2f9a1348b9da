// `db copy-to-postgres`: moves an organisation's records from the SQLite store to an empty PostgreSQL database, with
// their row IDs and the audit chain as they are, so that the chain verifies there with the same head hash.
import type pg from 'pg';
import { fail } from '../errors.js';
import type { Store } from '../index.js';
import type { Row } from '../sql.js';
import { workspaceTransaction } from './db.js';

/** The store's tables in an order that satisfies their references; each row keeps its ID. */
const tables = ['profile', 'services', 'risks', 'decisions', 'reviews', 'internal_audits', 'readiness_snapshots', 'digest_runs', 'soa_editions', 'soa_publications', 'audit_log'] as const;
const withIdentity = tables.filter((t) => t !== 'audit_log');

export interface CopyResult {
  rows: Record<string, number>;
  entries: number;
  head: string;
}

/**
 * Copies every record of `source` (an SQLite store) into `workspace` of the database behind `admin` (the role that
 * owns the tables), in one transaction, then checks that the chain verifies there with the source's head. Refused
 * when the source does not verify, or when the database has ever held a record: row IDs are shared by all workspaces
 * of a database, and the chain names them.
 */
export async function copyToPostgres(source: Store, admin: pg.Pool, workspace: string, progress: (line: string) => void = () => undefined): Promise<CopyResult> {
  const before = await source.verifyAudit();
  if (!before.ok) {
    fail('database', `the SQLite store does not verify (${before.problem})`, 'Copy only a store whose chain verifies: restore the latest backup first (db backup, audit verify). Nothing was copied');
  }
  const rows: Record<string, number> = {};
  await workspaceTransaction(admin, workspace, async (c) => {
    const used = (await c.query<{ name: string }>(`SELECT t AS name FROM unnest($1::text[]) AS t
      WHERE (SELECT last_value FROM pg_sequences WHERE schemaname || '.' || sequencename = pg_get_serial_sequence(t, 'id')) IS NOT NULL`, [withIdentity])).rows;
    const entries = (await c.query<{ n: number }>('SELECT CAST(count(*) AS INTEGER) AS n FROM audit_log')).rows[0]!.n;
    if (used.length || entries) {
      fail('database', `the PostgreSQL database already holds records (${used.length ? `rows were written to ${used.map((u) => u.name).join(', ')}` : `${entries} audit entries`})`,
        'Copy into a new, empty database (createdb, then start the bot once so that it migrates it): row IDs are shared by every workspace of a database, and the audit chain names them. Nothing was copied');
    }
    for (const table of tables) {
      const all = await source.sql.read(() => source.sql.all<Row>(`SELECT * FROM ${table} ORDER BY ${table === 'audit_log' ? 'seq' : 'id'}`));
      rows[table] = all.length;
      if (!all.length) continue;
      const columns = Object.keys(all[0]!);
      // Several rows per statement, under PostgreSQL's 65,535 parameters.
      const per = Math.max(1, Math.floor(60_000 / columns.length));
      for (let i = 0; i < all.length; i += per) {
        const chunk = all.slice(i, i + per);
        const values: unknown[] = [];
        const tuples = chunk.map((r) => `(${columns.map((col) => `$${values.push(r[col] ?? null)}`).join(', ')})`);
        await c.query(`INSERT INTO ${table} (${columns.join(', ')}) ${table === 'audit_log' ? '' : 'OVERRIDING SYSTEM VALUE '}VALUES ${tuples.join(', ')}`, values);
      }
      if (table !== 'audit_log') await c.query(`SELECT setval(pg_get_serial_sequence('${table}', 'id'), (SELECT max(id) FROM ${table}))`);
      progress(`${table}: ${all.length.toLocaleString('en')} ${all.length === 1 ? 'row' : 'rows'}`);
    }
  });
  return { rows, entries: before.entries, head: before.head };
}
