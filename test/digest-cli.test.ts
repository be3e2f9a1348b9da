// Internal audits (4.3) in the store and the CLI, schema version 3, and `digest --preview [--json]`.
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { latestVersion, openDb, schemaVersion } from '../src/soa/db.js';
import { addMonths } from '../src/soa/internal-audits.js';
import { Store, StoreError } from '../src/soa/index.js';
import { cli } from './helpers/cli.js';
import { catalog, tempDir } from './fixtures/soa-helpers.js';
import { closeEngines, engines, engineStore } from './helpers/stores.js';

afterAll(closeEngines);

describe.each(engines)('internal audits in the store (%s)', (engine) => {
  it('records an audit in the audit chain with the next due date 12 months on', async () => {
    const { store, asApp, refusal, tamper, rowId } = engineStore(engine);
    const a = await store.internalAudits.record({ date: '2025-03-14', auditor: 'dave', scope: 'PayCloud', result: '1 minor finding', by: 'alice' });
    expect(a).toMatchObject({ id: await rowId('internal_audits', 1), date: '2025-03-14', nextDue: '2026-03-14', auditor: 'dave', scope: 'PayCloud', result: '1 minor finding', recordedBy: 'alice', source: 'cli' });
    expect((await store.audit.entries(1))[0]).toMatchObject({ action: 'internal-audit.record', subject: '2025-03-14', actor: 'alice' });
    expect(await store.verifyAudit()).toMatchObject({ ok: true, entries: 1 });
    await expect(asApp('DELETE FROM internal_audits')).rejects.toMatchObject(refusal(/append-only/));
    // A changed record is caught by the chain.
    await tamper("UPDATE internal_audits SET auditor = 'mallory'");
    expect(await store.verifyAudit()).toMatchObject({ ok: false, seq: 1, problem: expect.stringContaining(`internal_audits row ${a.id} was changed`) });
    await store.close();
  });

  it('refuses bad input with the field and the fix, and writes nothing', async () => {
    const { store } = engineStore(engine);
    const issues = async (input: Parameters<Store['internalAudits']['record']>[0]) => {
      try {
        await store.internalAudits.record(input);
      } catch (e) {
        return (e as StoreError).issues.map((i) => `${i.field}: ${i.message}`);
      }
      return [];
    };
    expect(await issues({ by: 'alice' })).toEqual(['date: is required', 'auditor: is required']);
    expect(await issues({ date: '2025-02-30', auditor: 'dave', by: 'alice' })).toEqual(['date: "2025-02-30" is not a date']);
    expect(await issues({ date: '2099-01-01', auditor: 'dave', by: 'alice' })).toEqual(['date: 2099-01-01 is in the future']);
    expect(await issues({ date: '2025-03-01', auditor: 'dave', nextDue: '2025-02-01', by: 'alice' })).toEqual(['next: 2025-02-01 is not after the audit date 2025-03-01']);
    expect(await store.internalAudits.list()).toEqual([]);
    await store.close();
  });
});

describe('internal audits: dates and the SQLite schema', () => {
  it('adds months to the last day of a shorter month', () => {
    expect(addMonths('2024-02-29', 12)).toBe('2025-02-28');
    expect(addMonths('2025-08-31', 6)).toBe('2026-02-28');
    expect(addMonths('2025-01-15', 12)).toBe('2026-01-15');
  });

  it('migrates a version-2 file to the latest version, keeping its data and its audit chain', async () => {
    const dir = tempDir();
    const file = join(dir, 'isms.sqlite');
    const v2 = new Store(file, { catalog, approvers: ['alice'], schemaVersion: 2, defaultEdition: '2013' });
    expect(schemaVersion(v2.db)).toBe(2);
    await v2.soa.set({ control: '12.3.1', applicable: 'yes', status: 'implemented', by: 'alice' });
    expect(await v2.verifyAudit()).toMatchObject({ ok: true, entries: 2 });
    await v2.close();
    const store = new Store(file, { catalog, approvers: ['alice'] });
    expect(schemaVersion(store.db)).toBe(latestVersion);
    expect(await store.edition()).toMatchObject({ edition: '2013', from: 'decisions' });
    expect((await store.soa.state('12.3.1')).current).toMatchObject({ status: 'implemented' });
    await store.internalAudits.record({ date: '2025-03-14', auditor: 'dave', by: 'alice' });
    expect(await store.verifyAudit()).toMatchObject({ ok: true, entries: 3 });
    await store.close();
    const raw = openDb(file);
    const tables = (raw.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((t) => t.name);
    expect(tables).toEqual(expect.arrayContaining(['internal_audits', 'readiness_snapshots', 'digest_runs']));
    raw.close();
    const check = new Database(file, { readonly: true });
    expect(check.pragma('user_version', { simple: true })).toBe(latestVersion);
    check.close();
  });
});

describe('CLI', () => {
  it('records and lists internal audits', () => {
    const dir = tempDir();
    const env = { ISMS_DATA_DIR: dir, ISMS_AUDIT_INTERVAL_MONTHS: '6' };
    const r = cli(['audit', 'record', '--date', '2025-10-01', '--auditor', 'Audit Partners KK', '--scope', 'PayCloud', '--by', 'alice'], env);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('internal audit #1 recorded: 2025-10-01 by Audit Partners KK (scope: PayCloud); next due 2026-04-01');
    const json = cli(['audit', 'record', '--date', '2026-04-02', '--auditor', 'dave', '--next', '2027-01-31', '--result', 'no findings', '--by', 'alice', '--json'], env);
    expect(JSON.parse(json.stdout)).toMatchObject({ id: 2, nextDue: '2027-01-31', result: 'no findings' });
    const list = cli(['audit', 'list'], env);
    expect(list.stdout).toContain('#2 2026-04-02 by dave · next due 2027-01-31 · result: no findings');
    expect(list.stdout).toContain('2 internal audits recorded.');
    expect(cli(['audit', 'verify'], env).stdout.trim()).toBe('audit chain ok (2 entries)');
    const bad = cli(['audit', 'record', '--date', '1st of May', '--by', 'alice'], env);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('date: "1st of May" is not a date. Write the audit date as YYYY-MM-DD');
    expect(bad.stderr).toContain('auditor: is required');
  });

  it('previews the digest as text and as JSON with every metric and the IDs behind it', () => {
    const dir = tempDir();
    const env = { ISMS_DATA_DIR: dir, ISMS_APPROVERS: 'carol', ISMS_LANG: 'en', ISMS_TIMEZONE: 'UTC' };
    cli(['risk', 'add', '--title', 'Tenant data exposed', '--owner', 'bob', '--likelihood', '4', '--impact', '5', '--cia', 'C', '--by', 'carol'], env);
    cli(['soa', 'set', '11.1.1', '--applicable', 'no', '--status', 'not-implemented', '--justification', '-', '--by', 'carol'], env);
    cli(['soa', 'set', '12.3.1', '--applicable', 'yes', '--status', 'planned', '--by', 'bob'], env);
    const text = cli(['digest', '--preview'], env);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^Preview: Weekly audit-readiness digest · \d{4}-W\d{2}\nReadiness score: \d+\/100 \(first week\)/);
    expect(text.stdout).toContain('- Exclusions without an adequate justification: 1/1 — 11.1.1 (placeholder)');
    expect(text.stdout).toContain('- High risks untreated: 1/1 high risks — R-1');
    const ja = cli(['digest', '--preview', '--lang', 'ja'], env);
    expect(ja.stdout).toContain('未対応の高リスク: 1/1 件（高リスク） — R-1');
    const out = JSON.parse(cli(['digest', '--preview', '--json'], env).stdout);
    expect(Object.keys(out)).toEqual(['metrics', 'weights', 'trend']);
    const m = out.metrics;
    expect(m.timezone).toBe('UTC');
    expect(m.coverage).toMatchObject({ approved: 1, relevant: 121 });
    expect(m.coverage.missingIds).toHaveLength(120);
    expect(m.exclusions.inadequate).toEqual([{ id: '11.1.1', decisionId: 1, justification: '-', problem: 'placeholder' }]);
    expect(m.pending.proposals).toMatchObject([{ id: '12.3.1', decisionId: 2, proposedBy: 'bob' }]);
    expect(m.cld.undecidedIds).toHaveLength(7);
    expect(m.risks.highUntreated).toMatchObject([{ id: 'R-1', score: 20 }]);
    expect(m.changes.events.map((e: { controlId: string; kind: string }) => `${e.controlId} ${e.kind}`)).toEqual(['11.1.1 set', '12.3.1 proposed']);
    expect(m.internalAudit).toMatchObject({ last: null, nextDue: null });
    expect(m.auditChain).toMatchObject({ ok: true, entries: 4 }); // risk add, soa set + its approval, soa propose
    expect(m.score.parts).toHaveLength(10);
    expect(out.weights.coverage).toBe(30);
    expect(out.trend).toMatchObject({ previous: null, delta: null, points: [{ week: m.week, score: m.score.value }] });
  });

  it('asks for --preview', () => {
    const r = cli(['digest'], { ISMS_DATA_DIR: tempDir() });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('digest needs --preview');
  });
});
