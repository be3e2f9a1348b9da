import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Store } from '../src/soa/index.js';
import { cli } from './helpers/cli.js';
import { catalog, count, tempDir, writer } from './fixtures/soa-helpers.js';

const owners = (store: Store, like: string) =>
  (store.db.prepare('SELECT owner FROM decisions WHERE owner LIKE ? ORDER BY id').all(like) as { owner: string }[]).map((r) => r.owner);

describe('several processes on one database', () => {
  it('loses no write when two processes write at once', async () => {
    const dir = tempDir();
    const n = 300;
    // Both writers are approvers: each decision is a decision row, a review row and two audit entries in one transaction.
    const go = join(dir, 'go');
    const env = { ISMS_APPROVERS: 'w1,w2', SOA_GO_FILE: go };
    const a = writer(dir, ['write', 'w1', String(n)], env);
    const b = writer(dir, ['write', 'w2', String(n)], env);
    await Promise.all([a.printed('ready'), b.printed('ready')]);
    writeFileSync(go, '');
    const [ra, rb] = await Promise.all([a.exited, b.exited]);
    const span = (stdout: string) => (/^ready\ndone (\d+) (\d+)\n$/.exec(stdout) ?? []).slice(1).map(Number);
    const [aStart, aEnd] = span(ra.stdout);
    const [bStart, bEnd] = span(rb.stdout);
    expect([ra.code, rb.code]).toEqual([0, 0]);
    // The two write loops ran at the same time.
    expect(aStart! < bEnd! && bStart! < aEnd!).toBe(true);

    const store = new Store(join(dir, 'isms.sqlite'), { catalog });
    expect(count(store, 'decisions')).toBe(2 * n);
    expect(count(store, 'reviews')).toBe(2 * n);
    expect(await store.verifyAudit()).toMatchObject({ ok: true, entries: 4 * n });
    for (const w of ['w1', 'w2']) {
      expect(owners(store, `${w}-%`).sort()).toEqual(Array.from({ length: n }, (_, i) => `${w}-${i}`).sort());
    }
    await store.close();
  }, 60_000);

  it('survives SIGKILL in the middle of a batch: opens, verifies, keeps every committed decision and none of the half batch', async () => {
    const dir = tempDir();
    const n = 300;
    const w = writer(dir, ['crash', 'k', String(n)], { ISMS_APPROVERS: 'k' });
    await w.printed('mid-batch');
    expect(w.child.kill('SIGKILL')).toBe(true);
    const exit = await w.exited;
    expect(exit.signal).toBe('SIGKILL');
    const [, walAtCommit] = /^committed, WAL (\d+) bytes\nmid-batch\n$/.exec(exit.stdout) ?? [];
    // The open transaction had spilled pages into the WAL; SQLite must ignore them.
    expect(statSync(join(dir, 'isms.sqlite-wal')).size).toBeGreaterThan(Number(walAtCommit));

    const store = new Store(join(dir, 'isms.sqlite'), { catalog, approvers: ['alice'] });
    expect(store.db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(await store.verifyAudit()).toMatchObject({ ok: true, entries: 2 * n });
    expect(owners(store, 'k-committed-%')).toEqual(Array.from({ length: n }, (_, i) => `k-committed-${i}`));
    expect(owners(store, 'k-half-%')).toEqual([]);
    expect(count(store, 'decisions')).toBe(n);
    // And it takes new writes.
    await store.soa.set({ control: '12.3.1', applicable: 'yes', status: 'implemented', by: 'alice' });
    expect(await store.verifyAudit()).toMatchObject({ ok: true, entries: 2 * n + 2 });
    await store.close();
  }, 60_000);

  it('`db backup` copies a consistent database while other processes hold it open and write', async () => {
    const dir = tempDir();
    const holder = new Store(join(dir, 'isms.sqlite'), { catalog, approvers: ['alice'], defaultEdition: '2013' });
    await holder.soa.set({ control: '5.1.1', applicable: 'yes', status: 'implemented', by: 'alice' });
    const n = 1000;
    const w = writer(dir, ['write', 'bw', String(n)], { ISMS_APPROVERS: 'bw' });
    await w.printed('ready');
    const target = join(tempDir(), 'backup.sqlite');
    const r = cli(['db', 'backup', target], { ISMS_DATA_DIR: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^backup written to .*backup\.sqlite \(\d+ pages\)\n$/);
    expect((await w.exited).code).toBe(0);

    const copy = new Store(target, { catalog });
    expect(await copy.verifyAudit()).toMatchObject({ ok: true });
    expect(await copy.soa.get(1)).toMatchObject({ controlId: '5.1.1', approvedBy: 'alice' });
    const copied = count(copy, 'decisions');
    expect(copied).toBeGreaterThanOrEqual(1);
    expect(copied).toBeLessThanOrEqual(n + 1);
    await copy.close();
    expect(count(holder, 'decisions')).toBe(n + 1);
    await holder.close();

    const again = cli(['db', 'backup', target], { ISMS_DATA_DIR: dir });
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('already exists');
  }, 60_000);
});
