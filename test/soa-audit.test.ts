import { describe, expect, it } from 'vitest';
import { canonical, genesisHash, sha256 } from '../src/soa/audit.js';
import type { Store } from '../src/soa/index.js';
import { cli } from './helpers/cli.js';
import { tempStore } from './fixtures/soa-helpers.js';

/** A store with a profile, a risk and a few decisions: 9 audit entries. */
async function populated() {
  const t = tempStore();
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
async function rehash(store: Store, seq: number) {
  const e = (await store.audit.entries(1000)).find((x) => x.seq === seq)!;
  const hash = sha256(canonical({ seq: e.seq, at: e.at, actor: e.actor, action: e.action, subject: e.subject, data: e.data, prev: e.prevHash }));
  store.db.prepare('UPDATE audit_log SET hash = ? WHERE seq = ?').run(hash, seq);
}

describe('audit trail', () => {
  it('chains each entry to the previous one with SHA-256 over canonical JSON', async () => {
    const { store } = await populated();
    const entries = await store.audit.entries(100);
    expect(entries.map((e) => e.action)).toEqual([
      'profile.set', 'risk.add', 'soa.propose', 'soa.approve', 'soa.set', 'soa.approve', 'soa.set', 'soa.approve', 'soa.propose',
    ]);
    expect(entries[0]!.prevHash).toBe(genesisHash);
    for (let i = 1; i < entries.length; i++) expect(entries[i]!.prevHash).toBe(entries[i - 1]!.hash);
    const e = entries[2]!;
    expect(e.hash).toBe(sha256(canonical({ seq: e.seq, at: e.at, actor: e.actor, action: e.action, subject: e.subject, data: e.data, prev: e.prevHash })));
    const row = store.db.prepare('SELECT * FROM decisions WHERE id = ?').get(e.data.row);
    expect(e.data).toMatchObject({ table: 'decisions', rowHash: sha256(canonical(row)) });
    expect(canonical({ b: 1, a: [null, 'x'], n: null })).toBe('{"a":[null,"x"],"b":1}');
    expect(await store.verifyAudit()).toEqual({ ok: true, entries: 9, head: entries[8]!.hash });
  });

  it('detects an old decision changed with raw SQL and names its entry', async () => {
    const { store } = await populated();
    tamper(store, 'decisions', "UPDATE decisions SET status = 'implemented' WHERE id = 1");
    expect(await store.verifyAudit()).toEqual({
      ok: false, entries: 3, seq: 3,
      problem: expect.stringMatching(/^entry #3 \(soa\.propose 12\.3\.1 by bob at .*\): decisions row 1 was changed after it was recorded/),
    });
  });

  it('detects changed approvals, risks and profile services', async () => {
    let t = await populated();
    tamper(t.store, 'reviews', "UPDATE reviews SET reviewed_by = 'mallory' WHERE id = 1");
    expect(await t.store.verifyAudit()).toMatchObject({ ok: false, seq: 4, problem: expect.stringContaining('reviews row 1 was changed') });
    t = await populated();
    tamper(t.store, 'risks', 'UPDATE risks SET impact = 1, score = 3 WHERE id = 1');
    expect(await t.store.verifyAudit()).toMatchObject({ ok: false, seq: 2, problem: expect.stringContaining('risks row 1 was changed') });
    t = await populated();
    tamper(t.store, 'services', "UPDATE services SET role = 'customer', runs_on = NULL WHERE id = 1");
    expect(await t.store.verifyAudit()).toMatchObject({ ok: false, seq: 1, problem: expect.stringContaining('profile row 1 was changed') });
  });

  it('detects edited, removed and re-linked log entries and rows written around the store', async () => {
    let t = await populated();
    tamper(t.store, 'audit_log', `UPDATE audit_log SET actor = 'carol' WHERE seq = 4`);
    expect(await t.store.verifyAudit()).toMatchObject({ ok: false, seq: 4, problem: expect.stringContaining('was changed after it was written') });
    t = await populated();
    tamper(t.store, 'audit_log', `UPDATE audit_log SET actor = 'carol' WHERE seq = 4`);
    await rehash(t.store, 4);
    expect(await t.store.verifyAudit()).toMatchObject({ ok: false, seq: 5, problem: expect.stringMatching(/^entry #5 .* does not link to entry #4/) });
    t = await populated();
    tamper(t.store, 'audit_log', 'DELETE FROM audit_log WHERE seq = 6');
    expect(await t.store.verifyAudit()).toMatchObject({ ok: false, seq: 6, problem: 'entry #6 is missing: the log goes from #5 to #7' });
    t = await populated();
    tamper(t.store, 'decisions', 'DELETE FROM decisions WHERE id = 4');
    expect(await t.store.verifyAudit()).toMatchObject({ ok: false, seq: 9, problem: expect.stringContaining('decisions row 4 that it recorded is gone') });
    t = await populated();
    t.store.db.prepare(`INSERT INTO decisions (control_id, applicable, reasons, status, justification, owner, evidence, proposed_by, proposed_at, source)
      VALUES ('9.1.1', 0, '[]', 'not-implemented', 'slipped in', NULL, '[]', 'mallory', '2025-04-01T00:00:00Z', 'cli')`).run();
    expect(await t.store.verifyAudit()).toMatchObject({ ok: false, seq: null, problem: 'decisions row 5 has no audit entry: it was written outside the store' });
  });

  it('detects a re-linked chain: an entry rewritten with its own hash and the next entry pointed at it', async () => {
    const { store } = await populated();
    tamper(store, 'audit_log', `UPDATE audit_log SET actor = 'mallory' WHERE seq = 4`);
    await rehash(store, 4);
    const four = (await store.audit.entries(1000)).find((e) => e.seq === 4)!;
    store.db.prepare('UPDATE audit_log SET prev_hash = ? WHERE seq = 5').run(four.hash);
    // Entry #4 now checks out on its own and #5 links to it, but #5's hash covered the old link.
    expect(await store.verifyAudit()).toMatchObject({ ok: false, seq: 5, problem: expect.stringContaining('entry #5 (soa.set 11.1.1 by alice at') });
    expect(await store.verifyAudit()).toMatchObject({ problem: expect.stringContaining('was changed after it was written') });
  });

  it('detects a row recorded twice in the log', async () => {
    const { store } = await populated();
    // A second, well-chained entry that vouches for a row another entry already recorded (an approval replayed).
    await store.batch((tx) => tx.audit.append({ at: '2025-04-02T00:00:00Z', actor: 'alice', action: 'soa.approve', subject: '12.3.1', table: 'reviews', row: 1 }));
    expect(await store.verifyAudit()).toEqual({ ok: false, entries: 10, seq: 10, problem: expect.stringMatching(/^entry #10 \(soa\.approve 12\.3\.1 by alice at .*\): reviews row 1 is recorded twice$/) });
  });

  it('`audit verify` prints the entry count, or exits 1 naming the first broken entry', async () => {
    const { store, dir } = await populated();
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
