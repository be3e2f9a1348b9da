// `audit verify` checks evidence as it is: read-only, never creating or migrating the file, and able to detect
// entries removed from the end of the log when given a head hash recorded earlier.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { expect, it } from 'vitest';
import { cli, root } from './helpers/cli.js';
import { tempDir, tempStore } from './fixtures/soa-helpers.js';

const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

it('fails on a missing database and creates nothing', () => {
  const dir = join(tempDir(), 'typo');
  const r = cli(['audit', 'verify'], { ISMS_DATA_DIR: dir });
  expect(r.code).toBe(1);
  expect(r.stderr).toMatch(/no database at .*isms\.sqlite/);
  expect(existsSync(dir)).toBe(false);
});

it('verifies an old-version file without migrating or changing it', () => {
  const dir = tempDir();
  const file = join(dir, 'isms.sqlite');
  const db = new Database(file);
  db.exec(readFileSync(join(root, 'test/fixtures/soa-v1.sql'), 'utf8'));
  db.close();
  const before = sha(file);
  const r = cli(['audit', 'verify'], { ISMS_DATA_DIR: dir });
  expect(r.stdout).toBe('audit chain ok (7 entries)\n');
  expect(JSON.parse(cli(['audit', 'verify', '--json'], { ISMS_DATA_DIR: dir }).stdout)).toMatchObject({ ok: true, entries: 7, head: expect.stringMatching(/^[0-9a-f]{64}$/) });
  expect(sha(file)).toBe(before);
  const check = new Database(file, { readonly: true });
  expect(check.pragma('user_version', { simple: true })).toBe(1);
  check.close();
});

it('detects entries removed from the end of the log against a recorded head hash', async () => {
  const { store, dir, file } = tempStore({ approvers: ['carol'] });
  await store.soa.set({ control: '12.3.1', applicable: true, status: 'implemented', by: 'alice' });
  await store.soa.approve('12.3.1', 'carol');
  const head = await store.verifyAudit();
  await store.close();
  expect(head.ok).toBe(true);
  const recorded = (head as { head: string }).head;
  expect(cli(['audit', 'verify', '--expect-head', recorded], { ISMS_DATA_DIR: dir }).code).toBe(0);
  // Someone with file access drops the triggers and removes the approval and its audit entry.
  const db = new Database(file);
  db.exec('DROP TRIGGER reviews_no_delete; DROP TRIGGER audit_log_no_delete; DELETE FROM reviews; DELETE FROM audit_log WHERE seq = (SELECT max(seq) FROM audit_log);');
  db.close();
  expect(cli(['audit', 'verify'], { ISMS_DATA_DIR: dir }).code).toBe(0); // the rest of the chain is consistent…
  const r = cli(['audit', 'verify', '--expect-head', recorded], { ISMS_DATA_DIR: dir });
  expect(r.code).toBe(1); // …but the recorded head is gone
  expect(r.stderr).toMatch(/no entry has the recorded head hash .*entries were removed from the end of the log/);
});
