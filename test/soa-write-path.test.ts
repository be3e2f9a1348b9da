// The store's write path works out row hashes from the values it bound and remembers the last audit entry inside a
// transaction (issue 15, item 4). These tests hold it to what reading the rows back gives.
import { afterAll, describe, expect, it } from 'vitest';
import { canonical, sha256 } from '../src/soa/audit.js';
import { PeopleDirectory } from '../src/soa/people.js';
import type { Decision } from '../src/soa/index.js';
import { tempStore } from './fixtures/soa-helpers.js';
import { closeEngines, engines, engineStore } from './helpers/stores.js';

afterAll(closeEngines);

type Row = Record<string, unknown>;

/** canonical() as it was first written: the stored hashes were made with it. */
function reference(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => reference(v ?? null)).join(',')}]`;
  if (value && typeof value === 'object') {
    const keys = Object.keys(value).filter((k) => (value as Row)[k] != null).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${reference((value as Row)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

const texts = ['plain', 'バックアップは誰の責任？', 'emoji 🔐 ok', 'line\nbreak\ttab', 'quote " and \\ backslash', 'nul \u0000 inside', 'lone \uD800 surrogate', '', ' '.repeat(3)];

describe('store write path: canonical text, and an SQLite file at an old schema step', () => {
  it('canonical() writes the same text as the original implementation', () => {
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const value = (depth: number): unknown => {
      const r = rand();
      if (depth > 3 || r < 0.3) return [null, undefined, 0, -1, 1.5, 2 ** 53, true, false, ...texts][Math.floor(rand() * 17)];
      if (r < 0.5) return Array.from({ length: Math.floor(rand() * 4) }, () => value(depth + 1));
      return Object.fromEntries(Array.from({ length: Math.floor(rand() * 6) }, () => [texts[Math.floor(rand() * texts.length)]! + Math.floor(rand() * 3), value(depth + 1)]));
    };
    for (let i = 0; i < 2000; i++) {
      const v = value(0);
      expect(canonical(v)).toBe(reference(v));
    }
  });

  it('a file at schema step 5 (no display names) gets the same hashes and decisions as read back', async () => {
    const people = new PeopleDirectory();
    people.note('U0NAMED', 'Named Person');
    const { store } = tempStore({ people, schemaVersion: 5, approvers: ['U0NAMED'] });
    const d = await store.soa.set({ control: '12.3.1', applicable: 'yes', status: 'planned', owner: 'U0NAMED', by: 'U0NAMED' });
    expect(d).toEqual(await store.soa.get(d.id));
    expect(d.ownerName).toBeNull();
    expect(await store.verifyAudit()).toMatchObject({ ok: true });
  });

});

describe.each(engines)('store write path (%s)', (engine) => {
  it('records the hash of each row as read back, for any text, and returns what get() reads', async () => {
    const people = new PeopleDirectory();
    people.note('U0NAMED', 'Tanaka 田中 🔐');
    const s = engineStore(engine, { people, approvers: ['alice', 'U0NAMED'] });
    const { store } = s;
    // Each decision as returned, against get() right after it was written (a later one may supersede it).
    const same = async (ds: Decision[]) => {
      for (const d of ds) expect(d).toEqual(await store.soa.get(d.id));
    };
    for (const [i, t] of texts.entries()) {
      await same([await store.soa.set({ control: '12.3.1', applicable: 'yes', status: 'planned', owner: t || undefined, evidence: [t, `doc-${i}`], reasons: [`business:${t.replace(/\s/g, ' ').trim() || 'x'}`], by: i % 2 ? 'U0NAMED' : 'bob' })]);
      await same([await store.soa.set({ control: '11.1.1', applicable: 'no', status: 'not-implemented', justification: `${t} no premises`, owner: 'U0NAMED', by: 'alice' })]);
    }
    await same([await store.soa.approve('12.3.1', 'U0NAMED')]);
    const batch = await store.soa.setMany(texts.map((t, i) => ({ control: `5.1.${1 + (i % 2)}`, applicable: 'yes', status: 'partial', evidence: [t], by: 'U0NAMED' })));
    await same(batch.slice(-2));
    // Versions count up within one transaction as get() counts them.
    expect(batch.map((d) => d.version)).toEqual(await Promise.all(batch.map(async (d) => (await store.soa.get(d.id))!.version)));
    expect(batch.map((d) => d.version)).toEqual([1, 1, 2, 2, 3, 3, 4, 4, 5]);

    for (const e of await store.audit.entries(1000)) {
      if (!e.data.table) continue;
      const [row] = await s.query<Row>(`SELECT * FROM ${e.data.table as string} WHERE id = ?`, [e.data.row]);
      // (a PostgreSQL row's workspace column is the chain's, and not hashed)
      expect(e.data.rowHash, `${e.action} #${e.seq}`).toBe(sha256(reference(store.sql.hashable(row!))));
    }
    expect(await store.verifyAudit()).toMatchObject({ ok: true });
  });

  it('an assessment approval returns the approved decisions as get() reads them', async () => {
    const { store } = engineStore(engine, { approvers: ['alice'] });
    const out = await store.batch((tx) => tx.soa.proposeAndApprove([
      { control: '12.3.1', applicable: 'yes', status: 'planned', by: 'bob' },
      { control: '11.1.1', applicable: 'no', status: 'not-implemented', justification: 'no premises', by: 'carol' },
    ], 'alice', { assessment: 'A-1' }));
    for (const d of out) expect(d).toEqual(await store.soa.get(d.id));
    expect(await store.verifyAudit()).toMatchObject({ ok: true });
  });

  it('keeps the chain linear when a batch is rolled back and the writes go on', async () => {
    const { store } = engineStore(engine);
    await store.batch(async (tx) => {
      await tx.soa.set({ control: '12.3.1', applicable: 'yes', status: 'planned', by: 'alice' });
      // Versions count up inside one transaction, and a call on the store itself joins the batch.
      expect((await tx.soa.set({ control: '11.1.1', applicable: 'yes', status: 'planned', by: 'alice' })).version).toBe(1);
      expect((await store.soa.set({ control: '11.1.1', applicable: 'yes', status: 'implemented', by: 'alice' })).version).toBe(2);
    });
    // A failed batch leaves nothing behind either.
    await expect(store.batch(async (tx) => {
      await tx.soa.set({ control: '5.1.2', applicable: 'yes', status: 'planned', by: 'alice' });
      throw new Error('no');
    })).rejects.toThrow('no');
    await store.soa.set({ control: '5.1.2', applicable: 'yes', status: 'planned', by: 'alice' });
    expect((await store.audit.entries(100)).map((e) => `${e.seq} ${e.subject}`)).toEqual(['1 12.3.1', '2 12.3.1', '3 11.1.1', '4 11.1.1', '5 11.1.1', '6 11.1.1', '7 5.1.2', '8 5.1.2']);
    expect((await store.soa.history('11.1.1')).map((d) => [d.version, d.status])).toEqual([[1, 'planned'], [2, 'implemented']]);
    expect(await store.verifyAudit()).toMatchObject({ ok: true, entries: 8 });
  });

  it('two connections writing in turn keep one chain', async () => {
    const t = engineStore(engine);
    const other = t.reopen();
    for (let i = 0; i < 4; i++) {
      await (i % 2 ? other : t.store).soa.setMany([
        { control: '12.3.1', applicable: 'yes', status: 'planned', by: 'alice' },
        { control: '11.1.1', applicable: 'yes', status: 'planned', by: 'bob' },
      ]);
    }
    expect(await t.store.verifyAudit()).toMatchObject({ ok: true, entries: 12 });
    await other.close();
  });
});
