// The PostgreSQL schema at its latest step, against a real throwaway server (test/helpers/postgres.ts): every table of
// the SQLite store and of the chat state, with the same columns; workspace isolation by row-level security for the
// application's role; append-only records by permission; a digest run claimed once per workspace and finished once.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChatState } from '../src/chat/state.js';
import { migrations as sqliteMigrations } from '../src/soa/db.js';
import { PgDb } from '../src/soa/pg/engine.js';
import { Store } from '../src/soa/index.js';
import { catalog } from './fixtures/soa-helpers.js';
import { migrate, pool, workspaceTransaction, type PgClient } from '../src/soa/pg/db.js';
import { appendOnlyTables, chatTables, globalChatTables, pgMigrations, workspaceTables } from '../src/soa/pg/schema.js';
import { postgresAvailable, startPostgres, type PgServer } from './helpers/postgres.js';

let server: PgServer;
let admin: pg.Pool;
let app: pg.Pool;
let app2: pg.Pool;
const pools: pg.Pool[] = [];

const at = '2026-11-30T09:00:00.000Z';

beforeAll(async () => {
  if (!postgresAvailable()) throw new Error('PostgreSQL server binaries (initdb, pg_ctl) not found: apt-get install postgresql, or set PG_BIN (.ci/run installs it)');
  server = await startPostgres();
  admin = pool(server.url);
  await admin.query('CREATE ROLE isms_app LOGIN');
  // Twice: the second run has no step left and grants again (every start does).
  expect(await migrate(admin, { appRole: 'isms_app' })).toBe(pgMigrations.length);
  expect(await migrate(admin, { appRole: 'isms_app' })).toBe(pgMigrations.length);
  app = instance();
  app2 = instance();
}, 60_000);

afterAll(async () => {
  await Promise.all([admin, ...pools].map((p) => p?.end()));
  server?.stop();
});

/** A connection pool of the application's role: one per simulated app instance. */
function instance(): pg.Pool {
  const p = pool(server.url.replace('postgres@', 'isms_app@'), 4);
  pools.push(p);
  return p;
}

const ws = <T>(workspace: string, fn: (c: PgClient) => Promise<T>, p = app) => workspaceTransaction(p, workspace, fn);

/** INSERT … RETURNING * of the given columns (quoted: feedback has a column "user"). */
async function insert(c: PgClient, table: string, values: Record<string, unknown>): Promise<Record<string, unknown>> {
  const cols = Object.keys(values);
  const { rows } = await c.query(`INSERT INTO ${table} (${cols.map((k) => `"${k}"`).join(', ')}) VALUES (${cols.map((_, i) => `$${i + 1}`).join(', ')}) RETURNING *`, Object.values(values));
  return rows[0] as Record<string, unknown>;
}

const count = async (c: PgClient | pg.Pool, table: string) => (await c.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`)).rows[0]!.n;

/** A valid row for each per-workspace table; `ids` are rows it refers to (profile, decision) in the same workspace. */
function sample(table: string, ids: { profile: number; decision: number }, n = 1): Record<string, unknown> {
  const by = { recorded_by: 'UALICE', recorded_at: at, source: 'slack' };
  switch (table) {
    case 'decisions': return { control_id: `5.${n}`, applicable: 1, reasons: '["risk"]', status: 'implemented', evidence: '[]', proposed_by: 'UALICE', proposed_at: at, source: 'slack' };
    case 'reviews': return { decision_id: ids.decision, verdict: 'approved', reviewed_by: 'UBOB', reviewed_at: at };
    case 'audit_log': return { seq: n, at, actor: 'UALICE', action: 'test', subject: 'x', data: '{}', prev_hash: '0'.repeat(64), hash: 'f'.repeat(64) };
    case 'profile': return { scope: 'All cloud services', set_by: 'UALICE', set_at: at, source: 'slack' };
    case 'services': return { profile_id: ids.profile, name: `Portal ${n}`, role: 'provider', model: 'SaaS', on_other_cloud: 1, runs_on: '["AWS"]' };
    case 'risks': return { risk_id: `R-${n}`, title: 'Leak', confidentiality: 1, integrity: 0, availability: 0, owner: 'UALICE', likelihood: 3, impact: 4, score: 12, controls: '[]', status: 'open', ...by };
    case 'internal_audits': return { audit_date: '2026-11-01', auditor: 'UBOB', next_due: '2027-11-01', ...by };
    case 'readiness_snapshots': return { week: '2026-W48', score: 70, metrics: '{}', taken_at: at };
    case 'digest_runs': return { scheduled_for: `2026-11-${String(n).padStart(2, '0')}T00:00:00.000Z`, started_at: at, process: 'host:1' };
    case 'soa_editions': return { edition: '2022', set_by: 'UALICE', set_at: at, source: 'slack' };
    case 'soa_publications': return { version: n, edition: '2022', roles: '["provider"]', decisions: '{}', changes: '[]', published_by: 'UALICE', published_at: at, source: 'slack' };
    case 'turns': return { thread: 'C1:1', role: 'user', text: 'hello', at };
    case 'feedback': return { answer_ref: 'ans-1', user: `U${n}`, vote: 'up', at };
    case 'thread_langs': return { thread: `C1:${n}`, lang: 'ja', at };
    case 'answers': return { ref: `ans-${n}`, thread: 'C1:1', question: 'q', citations: '[]', at };
    case 'assessments': return { thread: `C1:${n}`, state: '{}', updated_at: at };
    case 'assistant_threads': return { thread: `D1:${n}`, context: '{}', at };
    default: throw new Error(`no sample for ${table}`);
  }
}

/** Writes one row of every per-workspace table in `workspace`, in the order their references need. */
async function fill(workspace: string, n = 1): Promise<Record<string, Record<string, unknown>>> {
  return ws(workspace, async (c) => {
    const out: Record<string, Record<string, unknown>> = {};
    const ids = { profile: 0, decision: 0 };
    for (const t of workspaceTables) {
      out[t] = await insert(c, t, sample(t, ids, n));
      if (t === 'profile') ids.profile = out[t].id as number;
      if (t === 'decisions') ids.decision = out[t].id as number;
    }
    return out;
  });
}

/** Resolves to the SQLSTATE of the error `p` fails with ('' when it succeeds). */
const sqlstate = (p: Promise<unknown>) => p.then(() => '', (e: Error & { code?: string }) => e.code ?? e.message);

describe('PostgreSQL schema: the tables', () => {
  it('holds every table of the SQLite store and chat state, with the same columns in the same order (plus workspace where per workspace)', async () => {
    const lite = new Database(':memory:');
    for (const step of sqliteMigrations) lite.exec(step);
    const dir = mkdtempSync(join(tmpdir(), 'isms-pg-schema-'));
    await new ChatState(dir).close();
    const chat = new Database(join(dir, 'chat.sqlite'), { readonly: true });
    type Col = { name: string; type: string; notnull: number; pk: number };
    const sqlite = new Map<string, Col[]>();
    for (const db of [lite, chat]) {
      for (const { name } of db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all() as { name: string }[]) {
        sqlite.set(name, db.pragma(`table_info(${name})`) as Col[]);
      }
    }
    lite.close();
    chat.close();

    const { rows } = await admin.query<{ table_name: string; column_name: string; data_type: string; is_nullable: string; column_default: string | null }>(
      `SELECT table_name, column_name, data_type, is_nullable, column_default FROM information_schema.columns
       WHERE table_schema = 'public' AND table_name <> 'schema_migrations' ORDER BY table_name, ordinal_position`);
    const pgTables = new Map<string, typeof rows>();
    for (const r of rows) pgTables.set(r.table_name, [...pgTables.get(r.table_name) ?? [], r]);
    // Only PostgreSQL serves several workspaces, so only it keeps their Slack installations.
    const pgOnly = ['slack_installations'];
    expect([...pgTables.keys()].filter((t) => !pgOnly.includes(t)).sort()).toEqual([...sqlite.keys()].sort());
    expect(pgOnly.every((t) => pgTables.has(t))).toBe(true);
    expect([...workspaceTables, ...Object.keys(globalChatTables)].filter((t) => !pgOnly.includes(t)).sort()).toEqual([...sqlite.keys()].sort());

    const pgType: Record<string, string> = { INTEGER: 'integer', TEXT: 'text', BLOB: 'bytea' };
    for (const [table, cols] of sqlite) {
      const got = pgTables.get(table)!;
      const workspace = got.filter((c) => c.column_name === 'workspace');
      const perWorkspace = (workspaceTables as string[]).includes(table);
      expect(workspace.length, table).toBe(perWorkspace ? 1 : 0);
      if (perWorkspace) expect(workspace[0], table).toMatchObject({ data_type: 'text', is_nullable: 'NO', column_default: "current_setting('app.workspace'::text)" });
      // The Unix time of a signed request is a bigint: an integer would overflow in 2038.
      const want = cols.map((c) => [c.name, table === 'requests' && c.name === 'ts' ? 'bigint' : pgType[c.type], c.notnull || c.pk ? 'NO' : 'YES']);
      expect(got.filter((c) => c.column_name !== 'workspace').map((c) => [c.column_name, c.data_type, c.is_nullable]), table).toEqual(want);
    }
  });

  it('enables and forces row-level security with one workspace policy on every per-workspace table; the app role owns none and does not bypass it', async () => {
    const { rows } = await admin.query<{ relname: string; relrowsecurity: boolean; relforcerowsecurity: boolean; owner: string }>(
      "SELECT relname, relrowsecurity, relforcerowsecurity, pg_get_userbyid(relowner) AS owner FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace ORDER BY relname");
    const secured = rows.filter((r) => r.relrowsecurity).map((r) => r.relname).sort();
    expect(secured).toEqual([...workspaceTables].sort());
    // Forced (step 3): a deployment whose application role owns the tables (no DATABASE_ADMIN_URL) is isolated too.
    expect(rows.filter((r) => r.relforcerowsecurity).map((r) => r.relname).sort()).toEqual([...workspaceTables].sort());
    expect(rows.every((r) => r.owner === 'postgres')).toBe(true);
    const policies = await admin.query<{ tablename: string; policyname: string; cmd: string; qual: string; with_check: string }>('SELECT tablename, policyname, cmd, qual, with_check FROM pg_policies ORDER BY tablename');
    expect(policies.rows.map((p) => p.tablename).sort()).toEqual([...workspaceTables].sort());
    for (const p of policies.rows) {
      expect(p, p.tablename).toMatchObject({ policyname: `${p.tablename}_workspace`, cmd: 'ALL', qual: "(workspace = current_setting('app.workspace'::text, true))", with_check: "(workspace = current_setting('app.workspace'::text, true))" });
    }
    const role = await admin.query<{ rolsuper: boolean; rolbypassrls: boolean }>("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = 'isms_app'");
    expect(role.rows[0]).toEqual({ rolsuper: false, rolbypassrls: false });
    // Identity columns take their next value with the table's INSERT privilege: no grant on a sequence (the inserts below).
    const sequences = await admin.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM pg_class WHERE relkind = 'S' AND (has_sequence_privilege('isms_app', oid, 'USAGE') OR has_sequence_privilege('isms_app', oid, 'UPDATE'))");
    expect(sequences.rows[0]!.n).toBe(0);
  });
});

describe('PostgreSQL schema: workspace isolation for the application role', () => {
  let a: Record<string, Record<string, unknown>>;

  it('shows a workspace its own rows of every table and none of another workspace; the default fills the workspace; identity IDs come back', async () => {
    a = await fill('T_A');
    for (const [t, row] of Object.entries(a)) {
      expect(row.workspace, t).toBe('T_A');
      if ('id' in row) expect(typeof row.id, t).toBe('number');
    }
    await ws('T_B', async (c) => {
      for (const t of workspaceTables) expect(await count(c, t), t).toBe(0);
    });
    const b = await fill('T_B');
    // The same unique values (thread, ref, version, scheduled_for, …) in another workspace are no conflict.
    expect(b.soa_publications!.version).toBe(a.soa_publications!.version);
    for (const workspace of ['T_A', 'T_B']) {
      await ws(workspace, async (c) => {
        for (const t of workspaceTables) {
          expect(await count(c, t), `${workspace} ${t}`).toBe(1);
          expect((await c.query(`SELECT DISTINCT workspace FROM ${t}`)).rows, t).toEqual([{ workspace }]);
        }
      }, app2);
    }
    // The admin role (the tables' owner; here a superuser) reads every workspace.
    for (const t of workspaceTables) expect(await count(admin, t), t).toBe(2);
  });

  it("refuses a row of another workspace (the policy's WITH CHECK), even written with an explicit workspace", async () => {
    const ids = { profile: a.profile!.id as number, decision: a.decisions!.id as number };
    for (const t of workspaceTables) {
      expect(await sqlstate(ws('T_B', (c) => insert(c, t, { ...sample(t, ids, 7), workspace: 'T_A' }))), t).toBe('42501');
    }
    // An update cannot move a row into another workspace either.
    expect(await sqlstate(ws('T_B', (c) => c.query("UPDATE turns SET workspace = 'T_A'")))).toBe('42501');
  });

  it("does not let a row of one workspace refer to another workspace's row (a foreign key check bypasses the policy)", async () => {
    expect(await sqlstate(ws('T_B', (c) => insert(c, 'services', sample('services', { profile: a.profile!.id as number, decision: 0 }, 8))))).toBe('23503');
    const unreviewed = (await ws('T_A', (c) => insert(c, 'decisions', sample('decisions', { profile: 0, decision: 0 }, 9)))).id as number;
    expect(await sqlstate(ws('T_B', (c) => insert(c, 'reviews', sample('reviews', { profile: 0, decision: unreviewed }))))).toBe('23503');
  });

  it('sees nothing and writes nothing outside a workspace transaction', async () => {
    const fresh = instance();
    for (const t of ['risks', 'decisions', 'turns']) expect(await count(fresh, t), t).toBe(0);
    // No app.workspace on this connection: the workspace column has no default.
    expect(await sqlstate(fresh.query("INSERT INTO risks (risk_id, title, confidentiality, integrity, availability, owner, likelihood, impact, score, controls, status, source, recorded_by, recorded_at) VALUES ('R-9', 't', 1, 0, 0, 'U', 1, 1, 1, '[]', 'open', 's', 'U', 'now')"))).toBe('42704');
  });

  it('keeps the CHECK constraints of SQLite (GLOB as regular expressions) and per-workspace UNIQUE constraints', async () => {
    const ids = { profile: a.profile!.id as number, decision: a.decisions!.id as number };
    const bad: [string, Record<string, unknown>][] = [
      ['risks', { ...sample('risks', ids, 2), risk_id: 'X-2' }],
      ['risks', { ...sample('risks', ids, 2), risk_id: 'R-0' }],
      ['risks', { ...sample('risks', ids, 2), score: 11 }],
      ['risks', { ...sample('risks', ids, 2), owner: '  ' }],
      ['internal_audits', { ...sample('internal_audits', ids), next_due: '2026-11-01' }],
      ['internal_audits', { ...sample('internal_audits', ids), audit_date: '2026-11-1' }],
      ['internal_audits', { ...sample('internal_audits', ids), next_due: '2027-11-01\n' }],
      ['readiness_snapshots', { ...sample('readiness_snapshots', ids), week: '2026-48' }],
      ['readiness_snapshots', { ...sample('readiness_snapshots', ids), score: 101 }],
      ['soa_publications', { ...sample('soa_publications', ids, 0) }],
      ['profile', { ...sample('profile', ids), scope: ' ' }],
      ['services', { ...sample('services', ids, 3), model: 'FaaS' }],
      ['decisions', { ...sample('decisions', ids), applicable: 0, justification: ' ' }],
      ['thread_langs', { ...sample('thread_langs', ids, 3), lang: 'fr' }],
      ['turns', { ...sample('turns', ids), role: 'system' }],
    ];
    for (const [t, row] of bad) expect(await sqlstate(ws('T_A', (c) => insert(c, t, row))), `${t} ${JSON.stringify(row)}`).toBe('23514');
    expect(await sqlstate(ws('T_A', (c) => insert(c, 'risks', { ...sample('risks', ids, 12), risk_id: 'R-12a' })))).toBe('');
    for (const t of ['soa_publications', 'digest_runs', 'thread_langs', 'answers', 'assessments', 'assistant_threads', 'feedback', 'services']) {
      expect(await sqlstate(ws('T_A', (c) => insert(c, t, sample(t, ids)))), t).toBe('23505');
    }
    // The application never picks an ID.
    expect(await sqlstate(ws('T_A', (c) => insert(c, 'risks', { ...sample('risks', ids, 13), id: 999 })))).toBe('428C9');
  });
});

describe('PostgreSQL schema: what the application role may do', () => {
  it('may only read and append the records: UPDATE, DELETE and TRUNCATE fail with 42501, also inside its own workspace', async () => {
    for (const t of appendOnlyTables) {
      for (const sql of [`UPDATE ${t} SET workspace = workspace`, `DELETE FROM ${t}`, `TRUNCATE ${t}`]) {
        expect(await sqlstate(ws('T_A', (c) => c.query(sql))), sql).toBe('42501');
      }
    }
    // Nothing changed.
    for (const t of appendOnlyTables) expect(await count(admin, t), t).toBeGreaterThanOrEqual(2);
  });

  it('claims a digest run once per workspace, finishes it once, never changes the claim and never deletes it', async () => {
    const when = '2026-12-07T00:00:00.000Z';
    const claim = (workspace: string, p: pg.Pool, process = 'host:1') => ws(workspace, async (c) => (await c.query<{ id: number }>(
      'INSERT INTO digest_runs (scheduled_for, started_at, process) VALUES ($1, $2, $3) ON CONFLICT (workspace, scheduled_for) DO NOTHING RETURNING id', [when, at, process])).rows.length, p);
    // Two instances race for the run in each of two workspaces: one claim per workspace.
    const claims = await Promise.all(Array.from({ length: 20 }, (_, i) => claim(i % 4 < 2 ? 'T_A' : 'T_B', i % 2 ? app : app2, `host:${i}`)));
    expect(claims.filter((n) => n === 1)).toHaveLength(2);
    expect((await admin.query('SELECT workspace FROM digest_runs WHERE scheduled_for = $1 ORDER BY workspace', [when])).rows).toEqual([{ workspace: 'T_A' }, { workspace: 'T_B' }]);

    const post = (workspace: string) => ws(workspace, async (c) => (await c.query("UPDATE digest_runs SET posted_at = $2, channel = 'C1', message_ts = '1.2' WHERE scheduled_for = $1", [when, at])).rowCount);
    expect(await post('T_A')).toBe(1);
    await expect(post('T_A')).rejects.toMatchObject({ code: '23000', message: 'a digest run is finished once and its claim never changes' });
    // A failed run is finished too.
    expect(await ws('T_B', async (c) => (await c.query("UPDATE digest_runs SET error = 'Slack said no' WHERE scheduled_for = $1", [when])).rowCount)).toBe(1);
    expect(await sqlstate(post('T_B'))).toBe('23000');
    // Another workspace's run is not there to finish.
    const other = '2026-12-14T00:00:00.000Z';
    await ws('T_A', (c) => c.query('INSERT INTO digest_runs (scheduled_for, started_at, process) VALUES ($1, $2, $3)', [other, at, 'host:1']));
    expect(await ws('T_B', async (c) => (await c.query("UPDATE digest_runs SET error = 'x' WHERE scheduled_for = $1", [other])).rowCount)).toBe(0);
    // The claim's columns are not the application's to change (column privileges), and the trigger refuses even the owner.
    for (const set of ["process = 'host:2'", "started_at = 'x'", "scheduled_for = 'x'", "workspace = 'T_Z'", 'id = DEFAULT']) {
      expect(await sqlstate(ws('T_A', (c) => c.query(`UPDATE digest_runs SET ${set} WHERE scheduled_for = $1`, [other]))), set).toBe('42501');
      expect(await sqlstate(admin.query(`UPDATE digest_runs SET ${set} WHERE scheduled_for = $1 AND workspace = 'T_A'`, [other])), set).toBe('23000');
    }
    expect(await sqlstate(ws('T_A', (c) => c.query('DELETE FROM digest_runs')))).toBe('42501');
    expect(await ws('T_A', async (c) => (await c.query("UPDATE digest_runs SET posted_at = $2, channel = 'C1', message_ts = '1.3' WHERE scheduled_for = $1", [other, at])).rowCount)).toBe(1);
  });

  it("changes and deletes conversation state of its own workspace only; events and requests are shared; a secret is never changed", async () => {
    await ws('T_A', (c) => insert(c, 'turns', sample('turns', { profile: 0, decision: 0 })));
    expect(await ws('T_B', async (c) => (await c.query("UPDATE turns SET text = 'changed'")).rowCount)).toBe(1);
    expect(await ws('T_B', async (c) => (await c.query('DELETE FROM turns')).rowCount)).toBe(1);
    expect((await admin.query<{ text: string }>("SELECT text FROM turns WHERE workspace = 'T_A'")).rows.map((r) => r.text)).toEqual(['hello', 'hello']);
    for (const t of chatTables) expect(await sqlstate(ws('T_A', (c) => c.query(`DELETE FROM ${t}`))), t).toBe('');

    await app.query("INSERT INTO events (event_id, at) VALUES ('Ev1', $1)", [at]);
    await app2.query("INSERT INTO requests (signature, ts) VALUES ('v0=1', 4102444800)");
    expect(await ws('T_B', (c) => count(c, 'events'))).toBe(1);
    expect(await count(app, 'requests')).toBe(1);
    expect((await app.query('DELETE FROM events')).rowCount).toBe(1);

    await app.query("INSERT INTO secrets (name, value) VALUES ('k', '\\x00ff')");
    expect(await sqlstate(app.query("UPDATE secrets SET value = '\\x01'"))).toBe('42501');
    expect(await sqlstate(app.query('DELETE FROM secrets'))).toBe('42501');
    expect((await app2.query<{ value: Buffer }>("SELECT value FROM secrets WHERE name = 'k'")).rows[0]!.value).toEqual(Buffer.from([0, 255]));
  });
});

describe('PostgreSQL schema: the audit chain over the new tables', () => {
  it('records a profile with its services and a risk in a workspace chain; verify, as the application role, names a service changed behind it', async () => {
    const storeOf = (p: pg.Pool, workspace: string) => new Store(new PgDb(p, workspace), { catalog, approvers: ['UALICE'], defaultEdition: '2022' });
    for (const [p, workspace] of [[app, 'T_X'], [app2, 'T_Y']] as const) {
      const store = storeOf(p, workspace);
      await store.profile.set({ scope: 'Portal 1 and Portal 2 (SaaS)', services: [{ name: 'Portal 1', role: 'provider', model: 'SaaS' }, { name: 'Portal 2', role: 'provider', model: 'SaaS', runsOn: 'AWS' }], by: 'UALICE' });
      await store.risks.add({ title: 'Tenant data exposed', owner: 'UBOB', likelihood: 3, impact: 4, cia: 'C', by: 'UALICE' });
    }
    expect(await storeOf(app, 'T_X').verifyAudit()).toMatchObject({ ok: true, entries: 2 });
    expect(await storeOf(app2, 'T_Y').verifyAudit()).toMatchObject({ ok: true, entries: 2 });
    await admin.query("UPDATE services SET runs_on = 'GCP' WHERE workspace = 'T_X' AND name = 'Portal 2'");
    expect(await storeOf(app, 'T_X').verifyAudit()).toMatchObject({ ok: false, seq: 1, problem: expect.stringMatching(/profile row \d+ was changed after it was recorded/) });
    expect(await storeOf(app, 'T_Y').verifyAudit()).toMatchObject({ ok: true, entries: 2 });
  });
});
