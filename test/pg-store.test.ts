// The Store on PostgreSQL against a real throwaway server (test/helpers/postgres.ts): versioned migrations, the
// application role's append-only rights, one linear chain per workspace with two instances writing at once, and
// verify naming a row a superuser changed behind the store's back.
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkHead } from '../src/soa/audit.js';
import { migrate, pool } from '../src/soa/pg/db.js';
import { PgDb } from '../src/soa/pg/engine.js';
import { pgMigrations } from '../src/soa/pg/schema.js';
import { Store } from '../src/soa/index.js';
import { catalog } from './fixtures/soa-helpers.js';
import { postgresAvailable, startPostgres, type PgServer } from './helpers/postgres.js';

let server: PgServer;
let admin: pg.Pool;
const appPools: pg.Pool[] = [];

beforeAll(async () => {
  if (!postgresAvailable()) throw new Error('PostgreSQL server binaries (initdb, pg_ctl) not found: apt-get install postgresql, or set PG_BIN (.ci/run installs it)');
  server = await startPostgres();
  admin = pool(server.url);
  await admin.query('CREATE ROLE isms_app LOGIN');
}, 60_000);

afterAll(async () => {
  await Promise.all([admin, ...appPools].map((p) => p?.end()));
  server?.stop();
});

/** A connection pool of the application's role: one per simulated app instance. */
function instance(): pg.Pool {
  const p = pool(server.url.replace('postgres@', 'isms_app@'), 5);
  appPools.push(p);
  return p;
}

/** The store of a workspace, as an instance (its pool) opens it. */
const storeOf = (p: pg.Pool, workspace: string) => new Store(new PgDb(p, workspace), { catalog, approvers: ['UALICE', 'UBOB', 'UCAROL'], defaultEdition: '2022' });

const decide = (s: Store, control: string, by: string) => s.soa.set({ control, applicable: 'yes', status: 'implemented', reasons: ['business:test'], by });

describe('PostgreSQL store: migrations and the audit chain', () => {
  it('migrates in versioned steps, once, also when two instances start together', async () => {
    const [a, b] = await Promise.all([migrate(admin, { appRole: 'isms_app' }), migrate(admin, { appRole: 'isms_app' })]);
    expect([a, b]).toEqual([pgMigrations.length, pgMigrations.length]);
    const { rows } = await admin.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
    expect(rows.map((r) => r.version)).toEqual(pgMigrations.map((_, i) => i + 1));
  });

  it('keeps one linear chain per workspace with two instances writing at once: nothing lost, every chain verifies', async () => {
    const one = instance();
    const two = instance();
    const writes: Promise<{ id: number }>[] = [];
    for (let i = 0; i < 100; i++) {
      writes.push(decide(storeOf(i % 2 ? one : two, 'T_A'), `5.${(i % 37) + 1}`, i % 2 ? 'UALICE' : 'UBOB'));
      if (i % 4 === 0) writes.push(decide(storeOf(i % 2 ? two : one, 'T_B'), `8.${(i % 34) + 1}`, 'UCAROL'));
    }
    const ids = (await Promise.all(writes)).map((d) => d.id);
    expect(new Set(ids).size).toBe(125);
    // An approver's decision is a decision and its review: two entries each.
    expect(await storeOf(one, 'T_A').verifyAudit()).toMatchObject({ ok: true, entries: 200 });
    expect(await storeOf(two, 'T_B').verifyAudit()).toMatchObject({ ok: true, entries: 50 });
    // Each workspace's chain starts at 1 and has no gaps or forks: seq is unique per workspace (primary key).
    const { rows } = await admin.query<{ workspace: string; n: string; top: number }>('SELECT workspace, count(*) AS n, max(seq) AS top FROM audit_log GROUP BY workspace ORDER BY workspace');
    expect(rows.map((r) => [r.workspace, Number(r.n), r.top])).toEqual([['T_A', 200, 200], ['T_B', 50, 50]]);
    // Versions count per workspace: 5.1 was decided three times in T_A (i = 0, 37, 74).
    expect((await storeOf(one, 'T_A').soa.history('5.1')).map((d) => d.version)).toEqual([1, 2, 3]);
  });

  it("refuses the application's role an UPDATE or DELETE of a decision, a review or an audit entry", async () => {
    const app = instance();
    for (const sql of ["UPDATE decisions SET owner = 'UMALLORY'", 'DELETE FROM decisions', "UPDATE audit_log SET actor = 'UMALLORY'", 'DELETE FROM audit_log', 'DELETE FROM reviews']) {
      await expect(app.query(sql), sql).rejects.toMatchObject({ code: '42501' });
    }
    expect((await storeOf(app, 'T_A').verifyAudit()).ok).toBe(true);
  });

  it('names the tampered entry when a superuser changes a decision behind the store, and checks a recorded head', async () => {
    const store = storeOf(instance(), 'T_A');
    const before = await store.verifyAudit();
    if (!before.ok) throw new Error(before.problem);
    const headCheck = async (head: string) => {
      const known = await store.audit.hasHash(head);
      return checkHead(await store.verifyAudit(), head, () => known);
    };
    expect(await headCheck(before.head)).toMatchObject({ ok: true });
    expect(await headCheck('f'.repeat(64))).toMatchObject({ ok: false, problem: expect.stringContaining('no entry has the recorded head hash') });

    const { rows } = await admin.query<{ id: number }>("SELECT id FROM decisions WHERE workspace = 'T_A' ORDER BY id LIMIT 1 OFFSET 9");
    const victim = rows[0]!.id;
    const changed = await admin.query("UPDATE decisions SET owner = 'UMALLORY' WHERE id = $1", [victim]);
    expect(changed.rowCount).toBe(1);
    expect(await store.verifyAudit()).toMatchObject({ ok: false, problem: expect.stringMatching(new RegExp(`^entry #\\d+ \\(soa\\.set 5\\.\\d+ by U\\w+ at .*\\): decisions row ${victim} was changed after it was recorded`)) });
    // The other workspace's chain is its own, and still verifies.
    expect(await storeOf(instance(), 'T_B').verifyAudit()).toMatchObject({ ok: true, entries: 50 });
  });

  it('writes a batch in one transaction; a batch rolled back leaves the chain as it was, and the next one continues it', async () => {
    const store = storeOf(instance(), 'T_C');
    await store.batch(async () => {
      for (let i = 1; i <= 10; i++) await decide(store, `5.${i}`, 'UALICE');
    });
    expect(await store.verifyAudit()).toMatchObject({ ok: true, entries: 20 });
    await expect(store.batch(async () => {
      await decide(store, '5.11', 'UALICE');
      throw new Error('changed my mind');
    })).rejects.toThrow('changed my mind');
    expect(await store.soa.history('5.11')).toEqual([]);
    await decide(store, '5.12', 'UALICE');
    expect(await store.verifyAudit()).toMatchObject({ ok: true, entries: 22 });
  });

  it("will not record another workspace's row in a workspace's chain: row-level security hides it", async () => {
    const store = storeOf(instance(), 'T_A');
    const entries = async () => (await admin.query<{ n: number }>("SELECT count(*)::int AS n FROM audit_log WHERE workspace = 'T_A'")).rows[0]!.n;
    const before = await entries();
    const { rows } = await admin.query<{ id: number }>("SELECT id FROM decisions WHERE workspace = 'T_B' LIMIT 1");
    await expect(store.sql.write(() => store.audit.append({ at: '2026-11-29T00:00:00.000Z', actor: 'UALICE', action: 'soa.set', subject: '8.1', table: 'decisions', row: rows[0]!.id })))
      .rejects.toThrow(new RegExp(`^decisions row ${rows[0]!.id} is not in this store$`));
    expect(await entries()).toBe(before);
  });
});
