// The store on both engines (issue 17): a recorded decision cannot be changed by the application itself (SQLite: the
// append-only trigger; PostgreSQL: the application's role has no UPDATE right, 42501), while someone with the
// database's powers can change it, and verify then names the entry. On PostgreSQL, two stores are two workspaces of
// one database: neither sees the other's records, and each has its own audit chain.
import { afterAll, describe, expect, it } from 'vitest';
import type { Store } from '../src/soa/index.js';
import { closeEngines, engines, engineStore, pgPools } from './helpers/stores.js';
import { tempDir, tempStore } from './fixtures/soa-helpers.js';
import { sqliteLeftBehind } from '../src/soa/connect.js';
import { loadConfig } from '../src/config.js';

afterAll(closeEngines);

/** A profile, a risk and two decisions (one approved after a proposal): 6 audit entries. */
async function fill(store: Store, by: string, scope: string) {
  await store.profile.set({ scope, services: [{ name: scope, role: 'provider', model: 'SaaS' }], by });
  await store.risks.add({ by, title: `${scope} restore fails`, owner: by, likelihood: 3, impact: 4, cia: 'A' });
  await store.soa.set({ control: '12.3.1', applicable: 'yes', status: 'planned', reasons: ['risk:R-1'], by: 'bob' });
  await store.soa.approve('12.3.1', by);
  await store.soa.set({ control: '11.1.1', applicable: 'no', status: 'not-implemented', justification: `${scope} has no premises`, by });
}

describe.each(engines)('a recorded decision on %s', (engine) => {
  it('cannot be changed by the application; changed with the database\'s powers, verify names the entry', async () => {
    const s = engineStore(engine);
    const { store } = s;
    await fill(store, 'alice', 'Acme Portal');
    const first = await s.rowId('decisions', 1);
    const update = 'UPDATE decisions SET status = ? WHERE id = ?';
    await expect(s.asApp(update, ['implemented', first])).rejects.toMatchObject(s.refusal(/decisions is append-only/));
    await expect(s.asApp('DELETE FROM decisions WHERE id = ?', [first])).rejects.toMatchObject(s.refusal(/decisions is append-only/));
    expect(await s.query('SELECT status FROM decisions WHERE id = ?', [first])).toEqual([{ status: 'planned' }]);
    expect(await store.verifyAudit()).toMatchObject({ ok: true, entries: 6 });

    if (engine === 'postgres') {
      // The superuser itself, as a DBA would: it is above row-level security, so the statement names the workspace.
      const r = await pgPools().admin.query('UPDATE decisions SET status = $1 WHERE workspace = $2 AND id = $3', ['implemented', s.workspace, first]);
      expect(r.rowCount).toBe(1);
    } else {
      expect(await s.tamper(update, ['implemented', first])).toBe(1);
    }
    expect(await store.verifyAudit()).toEqual({
      ok: false, entries: 3, seq: 3,
      problem: expect.stringMatching(new RegExp(`^entry #3 \\(soa\\.propose 12\\.3\\.1 by bob at .*\\): decisions row ${first} was changed after it was recorded`)),
    });
    await store.close();
  });
});

describe('two stores in one PostgreSQL database', () => {
  it('are two workspaces: neither sees the other\'s decisions, risks, profile or audit entries, and each chain verifies with its own head', async () => {
    const a = engineStore('postgres', { approvers: ['alice'] });
    const b = engineStore('postgres', { approvers: ['carol'] });
    await fill(a.store, 'alice', 'Acme Portal');
    await fill(b.store, 'carol', 'Beta Mail');
    await b.store.soa.set({ control: '5.1.1', applicable: 'yes', status: 'implemented', by: 'carol' });

    for (const [mine, theirs, me, them] of [[a, b, 'alice', 'carol'], [b, a, 'carol', 'alice']] as const) {
      const { store } = mine;
      expect((await store.profile.get())!.scope).toBe(me === 'alice' ? 'Acme Portal' : 'Beta Mail');
      expect((await store.risks.list()).map((r) => [r.id, r.owner])).toEqual([['R-1', me]]);
      const decided = (await store.soaRows()).filter((r) => r.current);
      expect(decided.every((r) => r.current!.approvedBy === me)).toBe(true);
      expect((await store.audit.entries(100)).map((e) => e.actor)).not.toContain(them);
      expect(await store.soa.history('11.1.1')).toHaveLength(1);
      // Every row this store can reach is its own, and each table's rows are exactly what its workspace holds.
      for (const table of ['decisions', 'reviews', 'risks', 'profile', 'services', 'audit_log']) {
        expect(await mine.count(table), table).toBe(Number((await pgPools().admin.query('SELECT count(*) AS n FROM ' + table + ' WHERE workspace = $1', [mine.workspace])).rows[0].n));
      }
      expect(await store.soa.get(await theirs.rowId('decisions', 1))).toBeNull();
    }
    expect(await b.store.soa.history('5.1.1')).toHaveLength(1);
    expect(await a.store.soa.history('5.1.1')).toEqual([]);
    expect(await a.count('decisions')).toBe(2);
    expect(await b.count('decisions')).toBe(3);

    // One chain per workspace, from #1, each with its own head.
    const va = await a.store.verifyAudit();
    const vb = await b.store.verifyAudit();
    expect(va).toMatchObject({ ok: true, entries: 6 });
    expect(vb).toMatchObject({ ok: true, entries: 8 });
    if (!va.ok || !vb.ok) throw new Error('chains do not verify');
    expect(va.head).not.toBe(vb.head);
    expect((await a.store.audit.entries(100)).map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect((await b.store.audit.entries(100)).map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);

    // A change to one workspace's row breaks that chain only.
    await b.tamper("UPDATE risks SET title = 'edited'");
    expect(await b.store.verifyAudit()).toMatchObject({ ok: false, seq: 2, problem: expect.stringContaining('risks row') });
    expect(await a.store.verifyAudit()).toEqual(va);
    expect((await a.store.risks.list())[0]!.title).toBe('Acme Portal restore fails');
  });
});

describe('DATABASE_URL beside an SQLite store', () => {
  it('says that the SQLite store in ISMS_DATA_DIR is not read, naming the file and the choice; nothing when there is none', async () => {
    const dir = tempDir();
    const pgConfig = loadConfig({ ISMS_DATA_DIR: dir, DATABASE_URL: 'postgres://isms_app@db/isms' });
    expect(sqliteLeftBehind(pgConfig)).toBeUndefined();
    const { store } = tempStore({}, dir);
    await store.soa.set({ control: '5.1.1', applicable: 'yes', status: 'planned', by: 'alice' });
    await store.close();
    expect(sqliteLeftBehind(pgConfig)).toMatch(new RegExp(`^DATABASE_URL selects PostgreSQL, but ${dir}/isms\\.sqlite holds an SQLite store, which is not read: .*Unset DATABASE_URL to keep using it`));
    expect(sqliteLeftBehind(loadConfig({ ISMS_DATA_DIR: dir }))).toBeUndefined();
  });
});
