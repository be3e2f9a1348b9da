// Issue 14, item 5: storage faults are one line that names the file and what to do, never a stack trace; a damaged
// database takes no write; `audit verify` works on a read-only folder and reports damage (exit 1) instead of crashing.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, closeSync, copyFileSync, mkdirSync, openSync, readFileSync, rmSync, statSync, truncateSync, utimesSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StoreError, Store, verifyFile } from '../src/soa/index.js';
import { catalog } from './fixtures/soa-helpers.js';
import { root, nodeArgs } from './helpers/cli.js';
import { count, tempDir, tempStore } from './fixtures/soa-helpers.js';

const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

/** Runs the CLI; as root, as the user nobody, so that a read-only folder is read-only for it too. */
function cli(args: string[], env: Record<string, string>, opts: { otherUser?: boolean } = {}) {
  const asNobody = opts.otherUser && process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
  const r = spawnSync(process.execPath, [...nodeArgs('src/cli/main.ts'), ...args], {
    cwd: root, env: { ...process.env, LOG_LEVEL: 'warn', HOME: '/tmp', ...env }, encoding: 'utf8', timeout: 60_000, ...asNobody,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** One line on stderr, and nothing that looks like a stack trace or a raw SQLite error. */
function oneLine(stderr: string): string {
  expect(stderr.trim().split('\n')).toHaveLength(1);
  expect(stderr).not.toMatch(/\n\s+at |SqliteError|SQLITE_[A-Z]+(?!\))|node:internal/);
  return stderr.trim();
}

/** A small real store: decisions, approvals, a risk; closed, so that everything is in the main file. */
async function seededStore() {
  const t = tempStore({ approvers: ['carol'] });
  const ids = t.store.catalog.controls().map((c) => c.id).slice(0, 40);
  for (const id of ids) {
    await t.store.soa.set({ control: id, applicable: true, status: 'implemented', owner: `owner of ${id} `.repeat(20), by: 'alice' });
    await t.store.soa.approve(id, 'carol');
  }
  await t.store.risks.add({ title: 'Tenant data exposed', owner: 'bob', likelihood: '3', impact: '5', cia: 'C', by: 'alice' });
  expect((await t.store.verifyAudit()).ok).toBe(true);
  await t.store.close();
  return t;
}

/** Overwrites `bytes` random-looking (seeded) bytes at the start of the root page of each table. */
function corruptPages(file: string, tables: string[], bytes = 2048): void {
  const db = new Database(file, { readonly: true });
  const pageSize = db.pragma('page_size', { simple: true }) as number;
  const roots = tables.map((t) => (db.prepare('SELECT rootpage FROM sqlite_master WHERE name = ?').get(t) as { rootpage: number }).rootpage);
  db.close();
  let seed = 14;
  const noise = Buffer.alloc(bytes, 0).map(() => (seed = (seed * 1103515245 + 12345) % 2 ** 31) & 0xff);
  const fd = openSync(file, 'r+');
  for (const page of roots) writeSync(fd, noise, 0, bytes, (page - 1) * pageSize);
  closeSync(fd);
}

/**
 * As root, the read-only check runs the CLI as the user nobody (root ignores file modes). That needs a checkout that
 * nobody can read; .ci/run makes the clone readable, and elsewhere the test says why it cannot run.
 */
const nobodyCanRun = process.getuid?.() !== 0
  || spawnSync(process.execPath, ['-e', `require('fs').accessSync(${JSON.stringify(join(root, 'src/cli/main.ts'))})`], { uid: 65534, gid: 65534 }).status === 0;
if (!nobodyCanRun) console.warn(`skipped: the read-only folder test runs the CLI as the user nobody, who cannot read ${root}; make the checkout world-readable (as .ci/run does) to run it`);

describe('a read-only data folder', () => {
  const made: string[] = [];
  afterAll(() => made.forEach((d) => chmodSync(d, 0o700)));

  it.runIf(nobodyCanRun)('audit verify prints its result from a read-only folder (ok, then broken), and writes refuse with one line', async () => {
    const { dir, file } = await seededStore();
    chmodSync(file, 0o444);
    chmodSync(dir, 0o555);
    made.push(dir);
    const before = sha(file);

    const ok = cli(['audit', 'verify'], { ISMS_DATA_DIR: dir }, { otherUser: true });
    expect(ok.stdout).toBe('audit chain ok (81 entries)\n');
    expect(ok.code).toBe(0);
    expect(ok.stderr).toMatch(/^note: .* cannot be written by this user, so a copy .* was verified; the original was not changed\n$/);

    const write = cli(['soa', 'set', '5.1.1', '--applicable', 'yes', '--status', 'partial', '--by', 'alice'], { ISMS_DATA_DIR: dir }, { otherUser: true });
    expect(write.code).toBe(1);
    expect(oneLine(write.stderr)).toMatch(/^error: database: .*isms\.sqlite cannot be written: it or its folder is read-only\. Make ISMS_DATA_DIR writable .*"audit verify" works on a read-only folder/);
    expect(sha(file)).toBe(before);

    // Evidence changed behind the store's back is reported from the read-only folder too.
    chmodSync(dir, 0o700);
    chmodSync(file, 0o644);
    const db = new Database(file);
    db.exec("DROP TRIGGER decisions_no_update; UPDATE decisions SET status = 'planned' WHERE id = 3;");
    db.close();
    chmodSync(file, 0o444);
    chmodSync(dir, 0o555);
    const broken = cli(['audit', 'verify'], { ISMS_DATA_DIR: dir }, { otherUser: true });
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(/audit chain broken: entry #5 .*decisions row 3 was changed after it was recorded/);
  });
});

describe('a damaged database file', () => {
  it('with 2 KB of noise in its pages: soa set refuses with one line and writes nothing; audit verify reports the damage and exits 1', async () => {
    const { dir, file } = await seededStore();
    corruptPages(file, ['decisions', 'audit_log']);
    const before = sha(file);

    const set = cli(['soa', 'set', '5.1.1', '--applicable', 'yes', '--status', 'partial', '--by', 'carol'], { ISMS_DATA_DIR: dir, ISMS_APPROVERS: 'carol' });
    expect(set.code).toBe(1);
    expect(oneLine(set.stderr)).toMatch(/^error: database: .*isms\.sqlite is damaged \(.+\)\. Nothing was written\. .*restore the latest backup/);
    expect(sha(file)).toBe(before);

    const verify = cli(['audit', 'verify'], { ISMS_DATA_DIR: dir });
    expect(verify.code).toBe(1);
    expect(oneLine(verify.stderr)).toMatch(/^error: audit chain broken: .*isms\.sqlite is damaged: .+restore the latest backup/);
    expect(sha(file)).toBe(before);
  });

  it('truncated: not an SQLite database any more, or cut in half: one line each, nothing written', async () => {
    const { dir, file } = await seededStore();
    const half = join(tempDir(), 'isms.sqlite');
    copyFileSync(file, half);
    truncateSync(half, Math.floor(statSync(half).size / 2));
    truncateSync(file, 50);

    const list = cli(['soa', 'list'], { ISMS_DATA_DIR: dir });
    expect(list.code).toBe(1);
    expect(oneLine(list.stderr)).toMatch(/^error: database: .*isms\.sqlite (is damaged \(.+\)|is not an SQLite database .*)\. Nothing was written/);
    // audit verify reads it with the same code in this process: a result, not an exception.
    expect(await verifyFile(file)).toMatchObject({ ok: false, entries: 0, seq: null, problem: expect.stringMatching(/isms\.sqlite is damaged: .+restore the latest backup/) });
    expect(statSync(file).size).toBe(50);

    // Cut in half (in-process: the same store code the CLI runs).
    const before = sha(half);
    expect(() => tempStore({}, join(half, '..'))).toThrow(StoreError);
    expect(() => tempStore({}, join(half, '..'))).toThrow(/isms\.sqlite is damaged \(.*malformed.*\)\. Nothing was written/);
    expect(sha(half)).toBe(before);
  });

  it('damaged while a process holds it open: the next write checks the file first and refuses', async () => {
    const t = tempStore({ approvers: ['carol'] });
    for (const id of t.store.catalog.controls().map((c) => c.id).slice(0, 30)) await t.store.soa.set({ control: id, applicable: true, status: 'implemented', owner: 'x'.repeat(400), by: 'alice' });
    t.store.db.pragma('wal_checkpoint(TRUNCATE)');
    corruptPages(t.file, ['decisions']);
    await expect(async () => await t.store.soa.set({ control: '18.1.1', applicable: true, status: 'implemented', by: 'carol' })).rejects.toThrow(/isms\.sqlite is damaged .*Nothing was written/);
    await t.store.close();
  });

  it('a checkpoint at our own commit is not checked again; a change by another connection is', async () => {
    const t = tempStore({ approvers: ['carol'] });
    const checks: string[] = [];
    const pragma = t.store.db.pragma.bind(t.store.db);
    t.store.db.pragma = (src: string, o?: Database.PragmaOptions) => {
      if (src === 'quick_check') checks.push(src);
      return pragma(src, o);
    };
    // Every commit now copies the WAL into the main file.
    t.store.db.pragma('wal_autocheckpoint = 1');
    const ids = t.store.catalog.controls().map((c) => c.id);
    await t.store.soa.set({ control: ids[0]!, applicable: true, status: 'implemented', by: 'alice' });
    const first = checks.length;
    for (const id of ids.slice(1, 6)) await t.store.soa.set({ control: id, applicable: true, status: 'implemented', by: 'alice' });
    expect(checks.length).toBe(first);
    // Another writer changes the main file (here only its time, as a checkpoint elsewhere would change it).
    const later = new Date(Date.now() + 5000);
    utimesSync(t.file, later, later);
    await t.store.soa.set({ control: ids[7]!, applicable: true, status: 'implemented', by: 'alice' });
    expect(checks.length).toBe(first + 1);
    await t.store.close();
  });
});

describe('a full disk', () => {
  it('a write that does not fit is one StoreError naming the file; the transaction is rolled back and the chain verifies', async () => {
    const { store, file } = tempStore({ approvers: ['carol'] });
    await store.soa.set({ control: '12.3.1', applicable: true, status: 'implemented', by: 'carol' });
    const decisions = count(store, 'decisions');
    // SQLite reports a full disk and a database at its page limit with the same error (SQLITE_FULL).
    store.db.pragma(`max_page_count = ${store.db.pragma('page_count', { simple: true }) as number}`);
    const many = store.catalog.controls().slice(0, 60).map((c) => ({ control: c.id, applicable: true, status: 'implemented', owner: 'o'.repeat(3000), by: 'carol' }));
    let error: unknown;
    try {
      await store.soa.setMany(many);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).message).toBe(`database: ${file} cannot be written: the disk is full. Free space on the disk that holds ISMS_DATA_DIR, then try again. Nothing was written`);
    expect(count(store, 'decisions')).toBe(decisions);
    expect((await store.verifyAudit()).ok).toBe(true);
    await store.close();
  });

  it('an export to a full disk is one line that names the file, and leaves nothing behind', async () => {
    const { store } = tempStore();
    await expect(store.exportSoa('csv', '/dev/full')).rejects.toThrow(/^out: \/dev\/full cannot be written: the disk is full\. Free space there or choose another folder\. Nothing was exported$/);
    await store.close();
  });

  // A real full file system, when this machine lets the test mount a small tmpfs (root with CAP_SYS_ADMIN).
  let mnt: string | undefined;
  beforeAll(() => {
    const dir = tempDir();
    const r = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', dir], { encoding: 'utf8' });
    if (r.status === 0) mnt = dir;
    else console.log(`(tmpfs not mountable here: ${(r.stderr || r.error?.message || '').trim()}; the real-disk case is skipped)`);
  });
  afterAll(() => {
    if (mnt) spawnSync('umount', [mnt]);
  });

  it('the CLI on a really full file system: one line, no stack trace, the store unchanged', async (ctx) => {
    if (!mnt) return ctx.skip();
    const dir = join(mnt, 'data');
    mkdirSync(dir);
    const store = new Store(join(dir, 'isms.sqlite'), { catalog, defaultEdition: '2013' });
    await store.soa.set({ control: '12.3.1', applicable: true, status: 'implemented', by: 'alice' });
    await store.close();
    const fill = join(mnt, 'fill');
    const fd = openSync(fill, 'w');
    try {
      for (;;) writeSync(fd, Buffer.alloc(4096));
    } catch {
      // ENOSPC: the disk is full now
    }
    closeSync(fd);
    const before = sha(join(dir, 'isms.sqlite'));
    const set = cli(['soa', 'set', '12.3.2', '--applicable', 'yes', '--status', 'implemented', '--owner', 'o'.repeat(3000), '--by', 'alice'], { ISMS_DATA_DIR: dir });
    expect(set.code).toBe(1);
    expect(oneLine(set.stderr)).toMatch(/^error: database: .*isms\.sqlite cannot be written: the disk is full\. Free space/);
    rmSync(fill);
    expect(sha(join(dir, 'isms.sqlite'))).toBe(before);
    expect(await verifyFile(join(dir, 'isms.sqlite'))).toMatchObject({ ok: true, entries: 1 });
  });
});
