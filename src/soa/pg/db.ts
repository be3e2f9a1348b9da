// PostgreSQL connections for the store: `pg` (node-postgres), the ecosystem's standard client, with plain SQL per
// engine. Migrations run as an admin role (the tables' owner); the application connects as its own role, which may
// only read and append the append-only tables. A transaction runs on one pooled client.
import pg from 'pg';
import { appendOnlyTables, chatTables, finishOnceTables, globalChatTables, pgMigrations } from './schema.js';

export type PgClient = pg.PoolClient;

/**
 * A pool of connections. A server that does not answer fails a request after 10 s instead of holding it for ever, and a
 * pooled connection that breaks while idle (a server restart) is reported through `onError` and replaced on next use;
 * without a listener, pg's 'error' event would end the process.
 */
export function pool(url: string, max = 10, onError: (e: Error) => void = (e) => process.stderr.write(`PostgreSQL connection lost: ${e.message}\n`)): pg.Pool {
  const p = new pg.Pool({ connectionString: url, max, connectionTimeoutMillis: 10_000 });
  p.on('error', onError);
  return p;
}

/**
 * Runs fn in one transaction on one client: committed when it returns, rolled back when it throws. `readOnly`: one
 * consistent snapshot for every read of fn (REPEATABLE READ READ ONLY). `begin`: more statements sent with BEGIN in the
 * same round trip (simple protocol, so only text that was built safely).
 */
export async function transaction<T>(p: pg.Pool, fn: (c: PgClient) => Promise<T>, o: { readOnly?: boolean; begin?: string } = {}): Promise<T> {
  const c = await p.connect();
  try {
    await c.query(`${o.readOnly ? 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY' : 'BEGIN'}${o.begin ? `; ${o.begin}` : ''}`);
    const out = await fn(c);
    await c.query('COMMIT');
    return out;
  } catch (e) {
    await c.query('ROLLBACK').catch(() => undefined);
    throw e;
  } finally {
    c.release();
  }
}

/** Workspace IDs written into SQL text as they are: Slack team and enterprise IDs, 'default', test workspaces. */
const plainWorkspace = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * One transaction of one workspace (a Slack team or enterprise ID; '' in single-workspace mode): it sets
 * app.workspace for the transaction, which row-level security and the workspace columns' defaults read, so fn sees and
 * writes that workspace's rows only, whatever its SQL says. `lock`: the transaction first takes the advisory lock
 * named `lock` + workspace (the writers of one workspace take turns). BEGIN, the setting and the lock go in one round
 * trip when the workspace ID is plain (always, for Slack IDs); otherwise as parameters, one statement each.
 */
export async function workspaceTransaction<T>(p: pg.Pool, workspace: string, fn: (c: PgClient) => Promise<T>, o: { readOnly?: boolean; lock?: string } = {}): Promise<T> {
  const lockSql = (ws: string) => `SELECT pg_advisory_xact_lock(hashtextextended(${ws}, 0))`;
  if (plainWorkspace.test(workspace) && (!o.lock || /^[A-Za-z0-9_:-]+$/.test(o.lock))) {
    const begin = `SELECT set_config('app.workspace', '${workspace}', true)${o.lock ? `; ${lockSql(`'${o.lock}${workspace}'`)}` : ''}`;
    return transaction(p, fn, { readOnly: o.readOnly, begin });
  }
  return transaction(p, async (c) => {
    await c.query({ name: 'isms-workspace', text: "SELECT set_config('app.workspace', $1, true)", values: [workspace] });
    if (o.lock) await c.query({ text: lockSql('$1'), values: [`${o.lock}${workspace}`] });
    return fn(c);
  }, o);
}

const ident = (name: string) => {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`not a plain PostgreSQL role name: "${name}" (use lower-case letters, digits and _)`);
  return name;
};

/**
 * Brings the schema to the newest step, one transaction per step, under an advisory lock so that two instances
 * starting together migrate once. With `appRole`, that role may use the schema and, table by table, only what the
 * application does there (schema.ts): SELECT and INSERT the append-only records; finish a digest run once (UPDATE of
 * its outcome columns); read and write the conversation state. It owns no table, so row-level security applies to it.
 * Returns the version reached.
 */
export async function migrate(admin: pg.Pool, o: { appRole?: string } = {}): Promise<number> {
  return transaction(admin, async (c) => {
    await c.query("SELECT pg_advisory_xact_lock(hashtextextended('isms-migrate', 0))");
    // Created only when missing: a role that may not create tables (the bot's own) can still open an up-to-date database.
    const exists = (await c.query<{ t: string | null }>("SELECT to_regclass('schema_migrations')::text AS t")).rows[0]?.t;
    if (!exists) await c.query('CREATE TABLE schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())');
    const { rows } = await c.query<{ v: number | null }>('SELECT max(version) AS v FROM schema_migrations');
    const from = rows[0]?.v ?? 0;
    if (from > pgMigrations.length) {
      throw new Error(`the database has schema version ${from}, but this build knows versions up to ${pgMigrations.length}: update ISMS Cloud Assistant (never run an older build on a newer database)`);
    }
    for (let v = from + 1; v <= pgMigrations.length; v++) {
      await c.query(pgMigrations[v - 1]!);
      await c.query('INSERT INTO schema_migrations (version) VALUES ($1)', [v]);
    }
    if (o.appRole) {
      const role = ident(o.appRole);
      await c.query(`GRANT USAGE ON SCHEMA public TO ${role}`);
      await c.query(`GRANT SELECT ON schema_migrations TO ${role}`);
      // Identity columns need no grant on their sequences: an INSERT takes the next value with the table's privilege.
      const grant = async (table: string, rights: string) => {
        await c.query(`REVOKE ALL ON ${table} FROM ${role}`);
        await c.query(`GRANT ${rights} ON ${table} TO ${role}`);
      };
      for (const t of appendOnlyTables) await grant(t, 'SELECT, INSERT');
      for (const [t, columns] of Object.entries(finishOnceTables)) await grant(t, `SELECT, INSERT, UPDATE (${columns.join(', ')})`);
      for (const t of chatTables) await grant(t, 'SELECT, INSERT, UPDATE, DELETE');
      for (const [t, rights] of Object.entries(globalChatTables)) await grant(t, rights);
    }
    return pgMigrations.length;
  });
}
