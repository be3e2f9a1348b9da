// `db copy-to-postgres`: an SQLite store's records moved into an empty PostgreSQL database (the run's server, a new
// database per test), row IDs and audit chain as they were: the chain verifies there with the same head, the store
// goes on from there, and a second copy, or a copy of a store that does not verify, is refused with nothing copied.
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { copyToPostgres } from '../src/soa/pg/copy.js';
import { migrate, pool } from '../src/soa/pg/db.js';
import { PgDb } from '../src/soa/pg/engine.js';
import { Store } from '../src/soa/index.js';
import { catalog, tempStore } from './fixtures/soa-helpers.js';

const serverUrl = () => {
  const u = process.env.ISMS_TEST_PG_URL;
  if (!u) throw new Error('ISMS_TEST_PG_URL is not set: the PostgreSQL global setup (test/setup/postgres.ts) did not run');
  return u;
};
const pools: pg.Pool[] = [];
afterAll(async () => {
  await Promise.all(pools.map((p) => p.end()));
});

let n = 0;
/** A new, migrated database on the run's server: its owner's pool, and the app role's. */
async function emptyDatabase(): Promise<{ admin: pg.Pool; app: pg.Pool }> {
  const name = `isms_copy_${process.pid}_${++n}`;
  const root = new pg.Client({ connectionString: serverUrl() });
  await root.connect();
  await root.query(`CREATE DATABASE ${name}`);
  await root.end();
  const url = serverUrl().replace(/\/[^/]*$/, `/${name}`);
  const admin = pool(url, 2);
  const app = pool(url.replace('postgres@', 'isms_app@'), 2);
  pools.push(admin, app);
  await migrate(admin, { appRole: 'isms_app' });
  return { admin, app };
}

async function filledSqlite() {
  const { store } = tempStore({ approvers: ['alice'] });
  await store.profile.set({ scope: 'Acme Portal (SaaS) on AWS', services: [{ name: 'Acme Portal', role: 'provider', model: 'SaaS', runsOn: 'AWS' }], by: 'alice' });
  await store.risks.add({ title: 'Backups lost', owner: 'bob', likelihood: 3, impact: 4, cia: 'A', by: 'alice' });
  await store.soa.set({ control: '12.3.1', applicable: 'yes', status: 'implemented', reasons: ['risk:R-1'], by: 'alice' });
  await store.soa.set({ control: '11.1.1', applicable: 'no', status: 'not-implemented', justification: 'no premises of our own', by: 'bob' });
  await store.publish({ by: 'alice', note: 'first issue' });
  await store.internalAudits.record({ date: '2025-03-14', auditor: 'dave', by: 'alice' });
  return store;
}

describe('db copy-to-postgres', () => {
  it('copies every record with its ID; the chain verifies in PostgreSQL with the same head, and the store goes on from there', async () => {
    const source = await filledSqlite();
    const sourceChain = await source.verifyAudit();
    const { admin, app } = await emptyDatabase();
    const lines: string[] = [];
    const r = await copyToPostgres(source, admin, 'default', (l) => lines.push(l));
    expect(r).toMatchObject({ entries: sourceChain.entries, head: sourceChain.ok ? sourceChain.head : '' });
    expect(r.rows).toMatchObject({ profile: 1, services: 1, risks: 1, decisions: 2, reviews: 1, internal_audits: 1, soa_publications: 1, audit_log: sourceChain.entries });
    expect(lines).toContain('decisions: 2 rows');
    const target = new Store(new PgDb(app, 'default'), { catalog, approvers: ['alice'], defaultEdition: '2013' });
    expect(await target.verifyAudit()).toEqual(sourceChain);
    // The same records, read through the store on each engine.
    for (const read of [(s: Store) => s.soa.history('12.3.1'), (s: Store) => s.soa.history('11.1.1'), (s: Store) => s.risks.list(), (s: Store) => s.profile.get(),
      (s: Store) => s.publications.list(), (s: Store) => s.internalAudits.list()]) {
      expect(await read(target)).toEqual(await read(source));
    }
    // New writes continue the IDs and the chain.
    const next = await target.risks.add({ title: 'After the move', owner: 'bob', likelihood: 1, impact: 1, cia: 'C', by: 'alice' });
    expect(next.id).toBe('R-2');
    expect(await target.verifyAudit()).toMatchObject({ ok: true, entries: sourceChain.entries + 1 });
    // A second copy into the same database is refused, and changes nothing.
    await expect(copyToPostgres(source, admin, 'default')).rejects.toThrow(/the PostgreSQL database already holds records .*Copy into a new, empty database.*Nothing was copied/);
    expect(await target.verifyAudit()).toMatchObject({ ok: true, entries: sourceChain.entries + 1 });
    await source.close();
  });

  it('refuses a store whose chain does not verify, copying nothing', async () => {
    const source = await filledSqlite();
    source.db.exec('DROP TRIGGER decisions_no_update');
    source.db.prepare("UPDATE decisions SET justification = 'changed later' WHERE control_id = '11.1.1'").run();
    const { admin } = await emptyDatabase();
    await expect(copyToPostgres(source, admin, 'default')).rejects.toThrow(/the SQLite store does not verify \(entry #\d+ .*decisions row \d+ was changed after it was recorded.*\)\. Copy only a store whose chain verifies.*Nothing was copied/);
    const c = await admin.connect();
    try {
      expect((await c.query('SELECT count(*)::int AS n FROM decisions')).rows[0]).toEqual({ n: 0 });
    } finally {
      c.release();
    }
    await source.close();
  });
});
