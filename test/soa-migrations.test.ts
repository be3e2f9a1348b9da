import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { latestVersion, migrations, openDb, schemaVersion } from '../src/soa/db.js';
import { Store, StoreError } from '../src/soa/index.js';
import { cli, root } from './helpers/cli.js';
import { catalog, count, tempDir, tempStore } from './fixtures/soa-helpers.js';

const fixture = readFileSync(join(root, 'test/fixtures/soa-v1.sql'), 'utf8');

const columns = (db: Database.Database, table: string) => (db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).map((c) => c.name);
const schema = (db: Database.Database) =>
  db.prepare("SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name").all();

describe('schema migrations', () => {
  it('creates the latest schema in an empty file, with WAL, foreign keys and a busy timeout', async () => {
    const { store, file } = tempStore();
    expect(latestVersion).toBe(6);
    expect(schemaVersion(store.db)).toBe(latestVersion);
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(store.db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(store.db.pragma('busy_timeout', { simple: true })).toBeGreaterThan(0);
    expect(columns(store.db, 'reviews')).toContain('reason');
    expect(await store.verifyAudit()).toEqual({ ok: true, entries: 0, head: '0'.repeat(64) });
    await store.close();
    // Opening again changes nothing.
    const again = new Store(file, { catalog });
    expect(schemaVersion(again.db)).toBe(latestVersion);
    await again.close();
  });

  it('migrates a file created by the truncated migration list (version 1) forward, keeping its data', async () => {
    const dir = tempDir();
    const file = join(dir, 'isms.sqlite');
    const v1 = openDb(file, { target: 1 });
    expect(schemaVersion(v1)).toBe(1);
    expect(columns(v1, 'reviews')).not.toContain('reason');
    v1.prepare(`INSERT INTO decisions (control_id, applicable, reasons, status, justification, owner, evidence, proposed_by, proposed_at, source)
      VALUES ('12.3.1', 1, '[]', 'planned', NULL, NULL, '[]', 'bob', '2025-01-01T00:00:00.000Z', 'cli')`).run();
    v1.close();
    const store = new Store(file, { catalog, approvers: ['alice'] });
    expect(schemaVersion(store.db)).toBe(latestVersion);
    expect(columns(store.db, 'reviews')).toContain('reason');
    expect((await store.soa.state('12.3.1')).pending).toMatchObject({ proposedBy: 'bob', state: 'proposed' });
  });

  it('migrates the shipped version-1 fixture: data, history and audit chain survive', async () => {
    const dir = tempDir();
    const file = join(dir, 'isms.sqlite');
    const raw = new Database(file);
    raw.exec(fixture);
    expect(schemaVersion(raw)).toBe(1);
    // The fixture is what migration 1 creates: a shipped step was never edited in place.
    const fresh = new Database(':memory:');
    fresh.exec(migrations[0]!);
    expect(schema(raw)).toEqual(schema(fresh));
    raw.close();

    const store = new Store(file, { catalog, approvers: ['alice'] });
    expect(schemaVersion(store.db)).toBe(latestVersion);
    expect(await store.verifyAudit()).toMatchObject({ ok: true, entries: 7 });
    expect(await store.profile.get()).toMatchObject({
      scope: 'Development and operation of Acme Portal (SaaS) on AWS',
      services: [{ name: 'Acme Portal', role: 'provider', model: 'SaaS', runsOn: 'other cloud services' }],
    });
    expect(await store.profileRoles()).toEqual(['customer', 'provider']);
    expect(await store.risks.get('R-1')).toMatchObject({ owner: 'ops-lead', score: 15, level: 'high', controls: ['12.3.1'], residual: 6 });
    expect((await store.soa.state('12.3.1')).current).toMatchObject({ version: 1, status: 'partial', proposedBy: 'bob', approvedBy: 'alice', reasons: ['risk:R-1', 'contractual:SLA 4.2'] });
    expect((await store.soa.state('11.1.1')).current).toMatchObject({ applicable: false, justification: expect.stringContaining('AWS SOC 2') });
    expect(await store.soa.state('CLD.9.5.1')).toMatchObject({ current: null, pending: { proposedBy: 'bob' } });

    // Version 2 features work on the migrated data, and the chain goes on.
    expect(await store.soa.reject('CLD.9.5.1', 'alice', 'tenant isolation is implemented, not planned')).toMatchObject({ state: 'rejected', rejectReason: 'tenant isolation is implemented, not planned' });
    await store.profile.set({ services: [{ name: 'Acme Portal', role: 'provider', model: 'SaaS', runsOn: 'AWS' }], by: 'alice' });
    expect((await store.profile.get())!.services[0]!.runsOn).toBe('AWS');
    expect(await store.verifyAudit()).toMatchObject({ ok: true, entries: 9 });
    expect(count(store, 'decisions')).toBe(3);

    // A store from before editions stays in the 2013 edition, whatever the default for new stores, until it moves.
    expect(await store.edition()).toMatchObject({ edition: '2013', from: 'decisions' });
    expect(await store.soaRows()).toHaveLength(121);
    const plan = await store.transition('alice');
    expect(plan.proposals.map((p) => p.key)).toEqual(expect.arrayContaining(['8.13', '7.1', '12.3.1@customer', '12.3.1@provider']));
    expect(await store.edition()).toMatchObject({ edition: '2022', from: 'recorded' });
    expect((await store.soa.state('12.3.1')).current).toMatchObject({ version: 1, status: 'partial', approvedBy: 'alice' });
    expect((await store.soaRows()).find((r) => r.key === '8.13')).toMatchObject({ current: null, pending: { status: 'partial', proposedBy: 'alice' } });
    expect(await store.verifyAudit()).toMatchObject({ ok: true, entries: 9 + 1 + plan.proposals.length });
    await store.close();
    expect(cli(['audit', 'verify'], { ISMS_DATA_DIR: dir }).stdout).toMatch(/^audit chain ok \(\d+ entries\)/);
  });

  it('refuses a file from a newer version with a clear message and leaves it alone', async () => {
    const { store, file, dir } = tempStore();
    await store.soa.set({ control: '5.1.1', applicable: 'yes', status: 'planned', by: 'alice' });
    store.db.pragma('user_version = 7');
    await store.close();
    let error: unknown;
    try {
      new Store(file, { catalog });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).field).toBe('database');
    expect((error as StoreError).message).toContain(`has schema version 7, but this build of ISMS Cloud Assistant knows versions up to ${latestVersion}`);
    const check = new Database(file, { readonly: true });
    expect(schemaVersion(check)).toBe(7);
    check.close();
    const r = cli(['soa', 'list', '--json'], { ISMS_DATA_DIR: dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('has schema version 7');
    expect(r.stderr).toContain('Upgrade ISMS Cloud Assistant');
  });

  it('says so when the file is not a database', () => {
    const dir = tempDir();
    const file = join(dir, 'isms.sqlite');
    writeFileSync(file, 'not a database, just text that is long enough to have a header'.repeat(20));
    expect(() => new Store(file, { catalog })).toThrow(/is not an SQLite database/);
  });
});
