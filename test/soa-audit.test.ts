import { afterAll, describe, expect, it } from 'vitest';
import { canonical, genesisHash, rowText, sha256 } from '../src/soa/audit.js';
import type { Store } from '../src/soa/index.js';
import { cli } from './helpers/cli.js';
import { tempStore } from './fixtures/soa-helpers.js';
import { closeEngines, engines, engineStore, type Engine, type EngineStore } from './helpers/stores.js';

afterAll(closeEngines);

/** A store with a profile, a risk and a few decisions: 9 audit entries. */
async function populated(engine: Engine) {
  const t = engineStore(engine);
  const { store } = t;
  await store.profile.set({ scope: 'Acme Portal on AWS', services: [{ name: 'Acme Portal', role: 'provider', model: 'SaaS', runsOn: 'AWS' }], by: 'alice' });
  await store.risks.add({ by: 'tester', title: 'Restore fails', owner: 'ops', likelihood: 3, impact: 4, cia: 'A' });
  await store.soa.set({ control: '12.3.1', applicable: 'yes', status: 'planned', reasons: ['risk:R-1'], by: 'bob' }); // #3
  await store.soa.approve('12.3.1', 'alice'); // #4
  await store.soa.set({ control: '11.1.1', applicable: 'no', status: 'not-implemented', justification: 'no premises', by: 'alice' }); // #5, #6
  await store.soa.set({ control: '12.3.1', applicable: 'yes', status: 'implemented', by: 'alice' }); // #7, #8
  await store.soa.set({ control: '5.1.1', applicable: 'yes', status: 'planned', by: 'bob' }); // #9
  return t;
}

/** Changes a row the way someone with the file and the sqlite3 shell would: drop the guard trigger, then UPDATE. */
function tamper(store: Store, table: string, sql: string) {
  store.db.exec(`DROP TRIGGER ${table}_no_update; DROP TRIGGER IF EXISTS ${table}_no_delete; ${sql}`);
}

/** Recomputes one log entry's own hash after its content was changed: the entry checks out, its link to the next does not. */
async function rehash(t: EngineStore, seq: number) {
  const e = (await t.store.audit.entries(1000)).find((x) => x.seq === seq)!;
  const hash = sha256(canonical({ seq: e.seq, at: e.at, actor: e.actor, action: e.action, subject: e.subject, data: e.data, prev: e.prevHash }));
  await t.tamper('UPDATE audit_log SET hash = ? WHERE seq = ?', [hash, seq]);
}

describe.each(engines)('audit trail (%s)', (engine) => {
  it('chains each entry to the previous one with SHA-256 over canonical JSON', async () => {
    const t = await populated(engine);
    const { store } = t;
    const entries = await store.audit.entries(100);
    expect(entries.map((e) => e.action)).toEqual([
      'profile.set', 'risk.add', 'soa.propose', 'soa.approve', 'soa.set', 'soa.approve', 'soa.set', 'soa.approve', 'soa.propose',
    ]);
    expect(entries[0]!.prevHash).toBe(genesisHash);
    for (let i = 1; i < entries.length; i++) expect(entries[i]!.prevHash).toBe(entries[i - 1]!.hash);
    const e = entries[2]!;
    expect(e.hash).toBe(sha256(canonical({ seq: e.seq, at: e.at, actor: e.actor, action: e.action, subject: e.subject, data: e.data, prev: e.prevHash })));
    // The row as stored; a PostgreSQL row's workspace column is not hashed (it is the chain's, not the row's).
    const [row] = await t.query<Record<string, unknown>>('SELECT * FROM decisions WHERE id = ?', [e.data.row]);
    expect(e.data).toMatchObject({ table: 'decisions', rowHash: sha256(canonical(store.sql.hashable(row!))) });
    expect(canonical({ b: 1, a: [null, 'x'], n: null })).toBe('{"a":[null,"x"],"b":1}');
    expect(await store.verifyAudit()).toEqual({ ok: true, entries: 9, head: entries[8]!.hash });
  });

  it('detects an old decision changed with raw SQL and names its entry', async () => {
    const t = await populated(engine);
    const first = await t.rowId('decisions', 1);
    expect(await t.tamper(`UPDATE decisions SET status = 'implemented' WHERE id = ${first}`)).toBe(1);
    expect(await t.store.verifyAudit()).toEqual({
      ok: false, entries: 3, seq: 3,
      problem: expect.stringMatching(new RegExp(`^entry #3 \\(soa\\.propose 12\\.3\\.1 by bob at .*\\): decisions row ${first} was changed after it was recorded`)),
    });
  });

  it('detects changed approvals, risks and profile services', async () => {
    let t = await populated(engine);
    let id = await t.rowId('reviews', 1);
    await t.tamper(`UPDATE reviews SET reviewed_by = 'mallory' WHERE id = ${id}`);
    expect(await t.store.verifyAudit()).toMatchObject({ ok: false, seq: 4, problem: expect.stringContaining(`reviews row ${id} was changed`) });
    t = await populated(engine);
    id = await t.rowId('risks', 1);
    await t.tamper(`UPDATE risks SET impact = 1, score = 3 WHERE id = ${id}`);
    expect(await t.store.verifyAudit()).toMatchObject({ ok: false, seq: 2, problem: expect.stringContaining(`risks row ${id} was changed`) });
    t = await populated(engine);
    await t.tamper(`UPDATE services SET role = 'customer', runs_on = NULL WHERE id = ${await t.rowId('services', 1)}`);
    expect(await t.store.verifyAudit()).toMatchObject({ ok: false, seq: 1, problem: expect.stringContaining(`profile row ${await t.rowId('profile', 1)} was changed`) });
  });

  it('detects edited, removed and re-linked log entries and rows written around the store', async () => {
    let t = await populated(engine);
    await t.tamper(`UPDATE audit_log SET actor = 'carol' WHERE seq = 4`);
    expect(await t.store.verifyAudit()).toMatchObject({ ok: false, seq: 4, problem: expect.stringContaining('was changed after it was written') });
    t = await populated(engine);
    await t.tamper(`UPDATE audit_log SET actor = 'carol' WHERE seq = 4`);
    await rehash(t, 4);
    expect(await t.store.verifyAudit()).toMatchObject({ ok: false, seq: 5, problem: expect.stringMatching(/^entry #5 .* does not link to entry #4/) });
    t = await populated(engine);
    await t.tamper('DELETE FROM audit_log WHERE seq = 6');
    expect(await t.store.verifyAudit()).toMatchObject({ ok: false, seq: 6, problem: 'entry #6 is missing: the log goes from #5 to #7' });
    t = await populated(engine);
    const fourth = await t.rowId('decisions', 4);
    await t.tamper(`DELETE FROM decisions WHERE id = ${fourth}`);
    expect(await t.store.verifyAudit()).toMatchObject({ ok: false, seq: 9, problem: expect.stringContaining(`decisions row ${fourth} that it recorded is gone`) });
    t = await populated(engine);
    await t.tamper(`INSERT INTO decisions (control_id, applicable, reasons, status, justification, owner, evidence, proposed_by, proposed_at, source)
      VALUES ('9.1.1', 0, '[]', 'not-implemented', 'slipped in', NULL, '[]', 'mallory', '2025-04-01T00:00:00Z', 'cli')`);
    expect(await t.store.verifyAudit()).toMatchObject({ ok: false, seq: null, problem: `decisions row ${await t.rowId('decisions', 5)} has no audit entry: it was written outside the store` });
  });

  it('detects a re-linked chain: an entry rewritten with its own hash and the next entry pointed at it', async () => {
    const t = await populated(engine);
    const { store } = t;
    await t.tamper(`UPDATE audit_log SET actor = 'mallory' WHERE seq = 4`);
    await rehash(t, 4);
    const four = (await store.audit.entries(1000)).find((e) => e.seq === 4)!;
    await t.tamper('UPDATE audit_log SET prev_hash = ? WHERE seq = 5', [four.hash]);
    // Entry #4 now checks out on its own and #5 links to it, but #5's hash covered the old link.
    expect(await store.verifyAudit()).toMatchObject({ ok: false, seq: 5, problem: expect.stringContaining('entry #5 (soa.set 11.1.1 by alice at') });
    expect(await store.verifyAudit()).toMatchObject({ problem: expect.stringContaining('was changed after it was written') });
  });

  it('detects a row recorded twice in the log', async () => {
    const t = await populated(engine);
    const { store } = t;
    const review = await t.rowId('reviews', 1);
    // A second, well-chained entry that vouches for a row another entry already recorded (an approval replayed).
    await store.batch((tx) => tx.audit.append({ at: '2025-04-02T00:00:00Z', actor: 'alice', action: 'soa.approve', subject: '12.3.1', table: 'reviews', row: review }));
    expect(await store.verifyAudit()).toEqual({ ok: false, entries: 10, seq: 10, problem: expect.stringMatching(new RegExp(`^entry #10 \\(soa\\.approve 12\\.3\\.1 by alice at .*\\): reviews row ${review} is recorded twice$`)) });
  });
});

it('hashes a row as canonical() does, whatever its keys, values or key order (the per-table fast path)', () => {
  const rows: Record<string, unknown>[] = [
    { id: 1, control_id: '5.1', applicable: 1, reasons: '["business:x"]', status: 'implemented', justification: null, owner: 'ann' },
    { id: 2, control_id: '5.2', applicable: 0, reasons: '[]', status: 'not-implemented', justification: 'なし "quoted" \\ \u2028', owner: null },
    { owner: 'bob', id: 3, control_id: '5.3', applicable: 1, reasons: '[]', status: 'partial', justification: undefined },
    { id: 4, control_id: '5.4', extra: 1.5, big: 2 ** 53, flag: true },
    { id: 5, nested: { b: 1, a: [null, 'x'] } },
    {},
  ];
  for (const table of ['decisions', 'reviews']) {
    for (const row of [...rows, ...rows]) expect(rowText(table, row), JSON.stringify(row)).toBe(canonical(row));
  }
});

describe('audit verify in the CLI (SQLite: the CLI opens ISMS_DATA_DIR)', () => {
  it('`audit verify` prints the entry count, or exits 1 naming the first broken entry', async () => {
    const { store, dir } = await populated('sqlite');
    await store.close();
    const env = { ISMS_DATA_DIR: dir, ISMS_APPROVERS: 'alice' };
    let r = cli(['audit', 'verify'], env);
    expect(r).toMatchObject({ code: 0, stdout: 'audit chain ok (9 entries)\n' });
    const again = tempStore({}, dir).store;
    tamper(again, 'decisions', "UPDATE decisions SET justification = 'changed later' WHERE id = 2");
    await again.close();
    r = cli(['audit', 'verify'], env);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^error: audit chain broken: entry #5 \(soa\.set 11\.1\.1 by alice at [^)]+\): decisions row 2 was changed after it was recorded/);
  });
});
