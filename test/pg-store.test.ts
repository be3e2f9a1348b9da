// The PostgreSQL engine's audit chain, against a real throwaway server (test/helpers/postgres.ts): versioned
// migrations, the application role's append-only rights, one linear chain per workspace with two writers at once, and
// verify naming a row a superuser changed behind the store's back.
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendEntry, verifyWorkspace } from '../src/soa/pg/audit.js';
import { migrate, pool, transaction, workspaceTransaction, type PgClient } from '../src/soa/pg/db.js';
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

/** Writes one decision and its audit entry in one transaction of the workspace (row-level security), as the store does. */
async function decide(p: pg.Pool, workspace: string, control: string, by: string): Promise<number> {
  return workspaceTransaction(p, workspace, async (c: PgClient) => {
    const { rows } = await c.query<{ id: number }>(
      `INSERT INTO decisions (workspace, control_id, applicable, reasons, status, owner, evidence, proposed_by, proposed_at, source)
       VALUES ($1, $2, 1, '["risk"]', 'implemented', $3, '[]', $3, '2026-11-29T00:00:00.000Z', 'slack') RETURNING id`,
      [workspace, control, by],
    );
    const id = rows[0]!.id;
    await appendEntry(c, workspace, { at: '2026-11-29T00:00:00.000Z', actor: by, action: 'decision.recorded', subject: control, table: 'decisions', row: id });
    return id;
  });
}

describe('PostgreSQL store: migrations and the audit chain', () => {
  it('migrates in versioned steps, once, also when two instances start together', async () => {
    const [a, b] = await Promise.all([migrate(admin, { appRole: 'isms_app' }), migrate(admin, { appRole: 'isms_app' })]);
    expect([a, b]).toEqual([3, 3]);
    const { rows } = await admin.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
    expect(rows.map((r) => r.version)).toEqual([1, 2, 3]);
  });

  it('keeps one linear chain per workspace with two instances writing at once: nothing lost, every chain verifies', async () => {
    const one = instance();
    const two = instance();
    const writes: Promise<number>[] = [];
    for (let i = 0; i < 100; i++) {
      writes.push(decide(i % 2 ? one : two, 'T_A', `5.${(i % 37) + 1}`, i % 2 ? 'UALICE' : 'UBOB'));
      if (i % 4 === 0) writes.push(decide(i % 2 ? two : one, 'T_B', `8.${(i % 34) + 1}`, 'UCAROL'));
    }
    const ids = await Promise.all(writes);
    expect(new Set(ids).size).toBe(125);
    const a = await verifyWorkspace(one, 'T_A');
    const b = await verifyWorkspace(two, 'T_B');
    expect(a).toMatchObject({ ok: true, entries: 100 });
    expect(b).toMatchObject({ ok: true, entries: 25 });
    // Each workspace's chain starts at 1 and has no gaps or forks: seq is unique per workspace (primary key).
    const { rows } = await admin.query<{ workspace: string; n: string; top: number }>('SELECT workspace, count(*) AS n, max(seq) AS top FROM audit_log GROUP BY workspace ORDER BY workspace');
    expect(rows.map((r) => [r.workspace, Number(r.n), r.top])).toEqual([['T_A', 100, 100], ['T_B', 25, 25]]);
  });

  it("refuses the application's role an UPDATE or DELETE of a decision, a review or an audit entry", async () => {
    const app = instance();
    for (const sql of ["UPDATE decisions SET owner = 'UMALLORY'", 'DELETE FROM decisions', "UPDATE audit_log SET actor = 'UMALLORY'", 'DELETE FROM audit_log', 'DELETE FROM reviews']) {
      await expect(app.query(sql), sql).rejects.toMatchObject({ code: '42501' });
    }
    expect((await verifyWorkspace(app, 'T_A')).ok).toBe(true);
  });

  it('names the tampered entry when a superuser changes a decision behind the store, and checks a recorded head', async () => {
    const app = instance();
    const before = await verifyWorkspace(app, 'T_A');
    if (!before.ok) throw new Error(before.problem);
    expect(await verifyWorkspace(app, 'T_A', { expectHead: before.head })).toMatchObject({ ok: true });
    expect(await verifyWorkspace(app, 'T_A', { expectHead: 'f'.repeat(64) })).toMatchObject({ ok: false, problem: expect.stringContaining('no entry has the recorded head hash') });

    const { rows } = await admin.query<{ id: number }>("SELECT id FROM decisions WHERE workspace = 'T_A' ORDER BY id LIMIT 1 OFFSET 9");
    const victim = rows[0]!.id;
    const changed = await admin.query("UPDATE decisions SET owner = 'UMALLORY' WHERE id = $1", [victim]);
    expect(changed.rowCount).toBe(1);
    const after = await verifyWorkspace(app, 'T_A');
    expect(after).toMatchObject({ ok: false, problem: expect.stringMatching(new RegExp(`^entry #\\d+ \\(decision.recorded .* by U\\w+ at .*\\): decisions row ${victim} was changed after it was recorded`)) });
    // The other workspace's chain is its own, and still verifies.
    expect(await verifyWorkspace(app, 'T_B')).toMatchObject({ ok: true, entries: 25 });
  });

  it('appends many entries in one transaction from the rows their INSERTs returned; a rolled-back one leaves the chain as it was', async () => {
    const app = instance();
    const insert = (c: PgClient, control: string) => c.query<{ id: number }>(
      `INSERT INTO decisions (workspace, control_id, applicable, reasons, status, owner, evidence, proposed_by, proposed_at, source)
       VALUES ('T_C', $1, 1, '["risk"]', 'implemented', 'UALICE', '[]', 'UALICE', '2026-11-29T00:00:00.000Z', 'slack') RETURNING *`, [control]);
    const entry = (id: number, control: string) => ({ at: '2026-11-29T00:00:00.000Z', actor: 'UALICE', action: 'decision.recorded', subject: control, table: 'decisions' as const, row: id });
    await workspaceTransaction(app, 'T_C', async (c) => {
      for (let i = 1; i <= 20; i++) {
        const { rows } = await insert(c, `5.${i}`);
        await appendEntry(c, 'T_C', entry(rows[0]!.id, `5.${i}`), rows[0]);
      }
    });
    expect(await verifyWorkspace(app, 'T_C')).toMatchObject({ ok: true, entries: 20 });
    // Appended, then rolled back: the next transaction (on the same pooled client) starts from the committed head.
    await expect(workspaceTransaction(app, 'T_C', async (c) => {
      const { rows } = await insert(c, '5.21');
      await appendEntry(c, 'T_C', entry(rows[0]!.id, '5.21'), rows[0]);
      throw new Error('changed my mind');
    })).rejects.toThrow('changed my mind');
    await workspaceTransaction(app, 'T_C', async (c) => {
      const { rows } = await insert(c, '5.22');
      await appendEntry(c, 'T_C', entry(rows[0]!.id, '5.22'), rows[0]);
    });
    expect(await verifyWorkspace(app, 'T_C')).toMatchObject({ ok: true, entries: 21 });
    // A returned row of another workspace is refused like a read one.
    const other = (await admin.query<Record<string, unknown>>("SELECT * FROM decisions WHERE workspace = 'T_B' LIMIT 1")).rows[0]!;
    await expect(transaction(app, (c) => appendEntry(c, 'T_C', entry(other.id as number, '8.1'), other))).rejects.toThrow(/is not in workspace "T_C"/);
  });

  it("will not record one workspace's row in another workspace's chain", async () => {
    const app = instance();
    const { rows } = await admin.query<{ id: number }>("SELECT id FROM decisions WHERE workspace = 'T_B' LIMIT 1");
    await expect(transaction(app, (c) => appendEntry(c, 'T_A', { at: '2026-11-29T00:00:00.000Z', actor: 'UALICE', action: 'decision.recorded', subject: '8.1', table: 'decisions', row: rows[0]!.id })))
      .rejects.toThrow(/is not in workspace "T_A"/);
  });
});
