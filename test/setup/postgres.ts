// Vitest global setup: one throwaway PostgreSQL server for the whole run (test/helpers/postgres.ts, fsync off), with
// one database migrated as the superuser for the application's role isms_app, so that the store tests run on both
// engines (test/helpers/stores.ts). Each store there is a new workspace of that one database: row-level security makes
// a fresh workspace an empty store, so no database per test (or per file) is needed.
//
// The URLs reach the test workers (started after this) through the environment:
//   ISMS_TEST_PG_URL      the superuser (postgres): counts and tampering, scoped to a store's workspace by the helper;
//   ISMS_TEST_PG_APP_URL  the application's role (isms_app): what the store itself connects as.
// A role isms_owner (no login, not a superuser, subject to row-level security) may do anything to every table: the
// helpers SET ROLE to it to change one workspace's rows the way a database owner could, without reaching others.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { migrate, pool } from '../../src/soa/pg/db.js';
import { postgresAvailable, startPostgres } from '../helpers/postgres.js';

/** initdb's cluster is kept here and copied at the next run's start (test/helpers/postgres.ts). */
const cache = join(fileURLToPath(new URL('../..', import.meta.url)), 'node_modules', '.cache', 'isms-test-pg');

export const missingPostgres = 'PostgreSQL server binaries (initdb, pg_ctl) not found: apt-get install postgresql, or set PG_BIN (.ci/run installs it)';

export default async function setup(): Promise<() => void> {
  if (!postgresAvailable()) throw new Error(missingPostgres);
  const t = performance.now();
  const server = await startPostgres({ cache });
  const started = performance.now() - t;
  const admin = pool(server.url, 1);
  try {
    await admin.query('CREATE ROLE isms_app LOGIN');
    await migrate(admin, { appRole: 'isms_app' });
    await admin.query('CREATE ROLE isms_owner NOLOGIN');
    await admin.query('GRANT USAGE ON SCHEMA public TO isms_owner');
    await admin.query('GRANT ALL ON ALL TABLES IN SCHEMA public TO isms_owner');
  } catch (e) {
    server.stop();
    throw e;
  } finally {
    await admin.end();
  }
  process.env.ISMS_TEST_PG_URL = server.url;
  process.env.ISMS_TEST_PG_APP_URL = server.url.replace('postgres@', 'isms_app@');
  process.stderr.write(`test PostgreSQL: started on port ${server.port} in ${started.toFixed(0)} ms, migrated in ${(performance.now() - t - started).toFixed(0)} ms\n`);
  return () => server.stop();
}
