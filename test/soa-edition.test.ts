// The 2022-edition SoA: Annex A lines, 27017 lines per role, the refusal of 2013 IDs, exports, and the move from 2013.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from './helpers/cli.js';
import { tempDir, tempStore } from './fixtures/soa-helpers.js';
import { closeEngines, engines, engineStore, type EngineStore } from './helpers/stores.js';
import { StoreError, verifyFile } from '../src/soa/index.js';

afterAll(closeEngines);

const provider = { scope: 'Acme Portal (SaaS) on AWS', services: [{ name: 'Acme Portal', role: 'provider' as const, model: 'SaaS' as const, runsOn: 'AWS' }], by: 'alice' };

async function refused(fn: () => unknown): Promise<StoreError> {
  try {
    await fn();
  } catch (e) {
    expect(e).toBeInstanceOf(StoreError);
    return e as StoreError;
  }
  throw new Error('expected a StoreError');
}

describe('the edition of a store (CLI, SQLite)', () => {
  it('is 2022 for a new store when ISMS_SOA_EDITION is unset, and the CLI says so', () => {
    const env = { ISMS_DATA_DIR: tempDir(), ISMS_SOA_EDITION: '' };
    const r = cli(['soa', 'edition', '--json'], env);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ edition: '2022', from: 'default' });
  });
});

describe.each(engines)('the edition of a store (%s)', (engine) => {
  it('follows the decisions a store holds, not a later ISMS_SOA_EDITION', async () => {
    const t = engineStore(engine, { defaultEdition: '2013' });
    await t.store.soa.set({ control: '12.3.1', applicable: 'yes', status: 'implemented', by: 'alice' });
    await t.store.close();
    const again = t.reopen({ defaultEdition: '2022' });
    expect(await again.edition()).toMatchObject({ edition: '2013', from: 'decisions' });
    expect(await again.soaRows()).toHaveLength(121);
    await again.close();
  });
});

describe.each(engines)('a 2022-edition SoA (%s)', (engine) => {
  const open = async (): Promise<EngineStore> => {
    const t = engineStore(engine, { defaultEdition: '2022' });
    await t.store.profile.set(provider);
    return t;
  };

  it('lists the 93 Annex A controls, then each 27017 item once per role in scope', async () => {
    const { store } = await open();
    const rows = await store.soaRows();
    expect(rows.filter((r) => !r.role)).toHaveLength(93);
    const cloud = rows.filter((r) => r.role);
    // A provider on AWS has both roles in scope: 37 extended controls and 7 CLD controls, each for every role with 27017 guidance.
    const expected = store.catalog.cloudItems().reduce((n, e) => n + Number(e.cloudGuidance.customer) + Number(e.cloudGuidance.provider), 0);
    expect(cloud).toHaveLength(expected);
    expect(cloud.map((r) => r.key)).toEqual(expect.arrayContaining(['12.3.1@customer', '12.3.1@provider', 'CLD.9.5.1@provider']));
    expect(cloud.map((r) => r.key)).not.toContain('CLD.9.5.1@customer');
    await store.profile.set({ scope: 'We use M365', services: [{ name: 'M365', role: 'customer', model: 'SaaS' }], by: 'alice' });
    expect((await store.soaRows()).filter((r) => r.role).every((r) => r.role === 'customer')).toBe(true);
    await store.close();
  });

  it('records 5.23 and a per-role CLD decision, and refuses a 2013 control naming the 2022 controls it maps to', async () => {
    const { store, count } = await open();
    const d = await store.soa.set({ control: 'A.5.23', applicable: 'yes', status: 'implemented', reasons: ['legal:個人情報保護法'], by: 'alice' });
    expect(d).toMatchObject({ controlId: '5.23', control: '5.23', role: null, edition: '2022', state: 'approved' });
    const p = await store.soa.set({ control: 'CLD.9.5.1', role: 'provider', applicable: 'yes', status: 'partial', by: 'bob' });
    expect(p).toMatchObject({ controlId: 'CLD.9.5.1@provider', role: 'provider', state: 'proposed' });
    expect(await store.soa.approve('CLD.9.5.1@provider', 'alice', 1)).toMatchObject({ state: 'approved', approvedBy: 'alice' });

    const before = await count('decisions');
    let e = await refused(async () => await store.soa.set({ control: '11.1.1', applicable: 'yes', status: 'implemented', by: 'alice' }));
    expect(e.message).toContain('11.1.1 is an ISO/IEC 27002:2013 control, and this SoA is in the 2022 edition: 11.1.1 maps to 7.1');
    expect(e.hint).toContain('Record the decision on 7.1');
    e = await refused(async () => await store.soa.set({ control: '12.3.1', applicable: 'yes', status: 'implemented', by: 'alice' }));
    expect(e.message).toContain('12.3.1 is an ISO/IEC 27017 cloud item with one decision per role');
    expect(e.hint).toContain('for the Annex A decision use 8.13');
    e = await refused(async () => await store.soa.set({ control: 'CLD.9.5.1', role: 'customer', applicable: 'yes', status: 'implemented', by: 'alice' }));
    expect(e.message).toContain('ISO/IEC 27017 gives CLD.9.5.1 no customer guidance');
    e = await refused(async () => await store.soa.set({ control: '5.23', role: 'provider', applicable: 'yes', status: 'implemented', by: 'alice' }));
    expect(e.message).toContain('5.23 is an ISO/IEC 27001:2022 Annex A control: one decision for the organisation');
    expect(await count('decisions')).toBe(before);

    const missing = (await store.missing()).map((r) => r.key);
    expect(missing).not.toContain('5.23');
    expect(missing).not.toContain('CLD.9.5.1@provider');
    expect(missing).toContain('12.3.1@customer');
    expect(await store.verifyAudit()).toMatchObject({ ok: true });
    await store.close();
  });

  it('takes the role from the only role in scope when a 27017 item has one line', async () => {
    const { store } = engineStore(engine, { defaultEdition: '2022' });
    await store.profile.set({ scope: 'We use AWS', services: [{ name: 'AWS', role: 'customer', model: 'IaaS' }], by: 'alice' });
    expect((await store.soa.set({ control: '12.3.1', applicable: 'yes', status: 'implemented', by: 'alice' })).controlId).toBe('12.3.1@customer');
    const e = await refused(async () => await store.soa.set({ control: 'CLD.9.5.1', applicable: 'yes', status: 'implemented', by: 'alice' }));
    expect(e.message).toContain('CLD.9.5.1 concerns no role in scope (customer)');
    await store.close();
  });
});

describe('the 2022 CLI', () => {
  const dir = tempDir();
  const env = { ISMS_DATA_DIR: dir, ISMS_APPROVERS: 'alice', ISMS_SOA_EDITION: '2022' };
  const run = (...args: string[]) => cli(args, env);

  it('sets, refuses, lists and exports in the 2022 structure', async () => {
    // The profile is set in-process (the CLI's profile command has its own tests): a provider on AWS, both roles.
    const { store } = tempStore({ defaultEdition: '2022' }, dir);
    await store.profile.set(provider);
    await store.close();
    let r = run('soa', 'set', '5.23', '--applicable', 'yes', '--status', 'implemented', '--reason', 'legal:個人情報保護法', '--by', 'alice');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('5.23 クラウドサービスの利用における情報セキュリティ / Information security for use of cloud services');
    r = run('soa', 'set', 'CLD.9.5.1', '--role', 'provider', '--applicable', 'yes', '--status', 'implemented', '--by', 'alice');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('CLD.9.5.1 (provider)');
    r = run('soa', 'set', '11.1.1', '--applicable', 'yes', '--status', 'implemented', '--by', 'alice');
    expect(r).toMatchObject({ code: 1, stdout: '' });
    expect(r.stderr).toContain('11.1.1 maps to 7.1');

    r = run('soa', 'list', '--json');
    const rows = JSON.parse(r.stdout) as { key: string; id: string; role: string | null; current: unknown }[];
    expect(rows.filter((x) => !x.role)).toHaveLength(93);
    expect(rows.find((x) => x.key === 'CLD.9.5.1@provider')!.current).toMatchObject({ applicable: true });
    expect(rows.filter((x) => x.role).map((x) => x.role)).toEqual(expect.arrayContaining(['customer', 'provider']));

    const out = join(dir, 'soa.csv');
    r = run('soa', 'export', '--format', 'csv', '--out', out);
    expect(r.code).toBe(0);
    const records = parse<Record<string, string>>(readFileSync(out), { bom: true, columns: true });
    expect(records).toHaveLength(rows.length);
    const a523 = records.find((x) => x['2022'] === '5.23')!;
    expect(a523).toMatchObject({ '区分 / Section': 'ISO/IEC 27001:2022', '2013': '新規 new', '適用 / Applicable': '適用 yes' });
    expect(a523['27017']).toContain('CLD.6.3.1');
    const backup = records.find((x) => x['管理策番号 / Control ID'] === '12.3.1' && x['役割 / Role']?.endsWith('customer'))!;
    expect(backup).toMatchObject({ '区分 / Section': 'ISO/IEC 27017', '2022': '8.13', '2013': '12.3.1' });
    const a813 = records.find((x) => x['2022'] === '8.13' && x['区分 / Section'] === 'ISO/IEC 27001:2022')!;
    expect(a813['2013']).toBe('12.3.1');

    const md = join(dir, 'soa.md');
    const again = tempStore({ defaultEdition: '2022' }, dir).store;
    await again.exportSoa('md', md);
    await again.close();
    const text = readFileSync(md, 'utf8');
    expect(text).toContain('## ISO/IEC 27001:2022 附属書A / Annex A (93)');
    expect(text.indexOf('## ISO/IEC 27017:2015')).toBeGreaterThan(text.indexOf('| 8.34 |'));
  });
});

describe.each(engines)('soa transition --to 2022 (%s)', (engine) => {
  /** A 2013 store with one decision for each case the move has to handle. */
  async function store2013() {
    const t = engineStore(engine, { defaultEdition: '2013' });
    const s = t.store;
    await s.profile.set(provider);
    const set = async (control: string, applicable: boolean, status: string, extra: Record<string, unknown> = {}) =>
      await s.soa.set({ control, applicable: applicable ? 'yes' : 'no', status, by: 'alice', ...(applicable ? {} : { justification: `${control} is out of scope` }), ...extra });
    await set('12.3.1', true, 'implemented', { owner: 'SRE', reasons: ['business:backups'] }); // same -> 8.13, and a 27017 item for both roles
    await set('5.1.1', true, 'implemented', { owner: 'CISO' }); // merged -> 5.1, agreeing
    await set('5.1.2', true, 'partial', { owner: 'ISMS team' });
    await set('13.2.1', true, 'implemented'); // merged -> 5.14, disagreeing
    await set('13.2.2', false, 'not-implemented');
    await set('18.2.3', true, 'planned'); // split -> 5.36 and 8.8
    await set('11.1.1', false, 'not-implemented'); // same -> 7.1, excluded
    await s.soa.set({ control: '11.1.2', applicable: 'yes', status: 'planned', by: 'bob' }); // pending: not carried over
    return t;
  }

  it('dry run: counts each case, lists conflicts and the 11 new controls, and writes nothing', async () => {
    const { store, count } = await store2013();
    const decisions = await count('decisions');
    const audit = await count('audit_log');
    const plan = await store.planTransition();
    expect(plan.new).toEqual(['5.7', '5.23', '5.30', '7.4', '8.9', '8.10', '8.11', '8.12', '8.16', '8.23', '8.28']);
    expect(plan.conflicts).toEqual(['5.14']);
    expect(plan.conflictDetails[0]!.sources).toEqual([
      { id: '13.2.1', applicable: true, status: 'implemented' }, { id: '13.2.2', applicable: false, status: 'not-implemented' },
    ]);
    const byKey = new Map(plan.proposals.map((p) => [p.key, p]));
    expect(byKey.get('8.13')).toMatchObject({ kind: 'copied', input: { applicable: true, status: 'implemented', owner: 'SRE', reasons: ['business:backups'] } });
    expect(byKey.get('7.1')).toMatchObject({ kind: 'copied', input: { applicable: false, justification: '11.1.1 is out of scope' } });
    expect(byKey.get('5.1')).toMatchObject({ kind: 'merged', input: { applicable: true, status: 'partial', owner: 'CISO; ISMS team' } });
    expect(byKey.get('5.1')!.from.map((f) => f.id)).toEqual(['5.1.1', '5.1.2']);
    expect(byKey.has('5.14')).toBe(false);
    // 18.2.3 became part of 5.36 and of 8.8: each part gets a proposal (the other 2013 sources are still undecided).
    expect(byKey.get('5.36')).toMatchObject({ kind: 'split', undecidedSources: ['18.2.2'], input: { status: 'planned' } });
    expect(byKey.get('8.8')).toMatchObject({ kind: 'split', undecidedSources: ['12.6.1'] });
    expect(byKey.get('12.3.1@customer')).toMatchObject({ kind: 'cloud', input: { status: 'implemented' } });
    expect(byKey.get('12.3.1@provider')).toMatchObject({ kind: 'cloud' });
    expect(plan.ignoredPending).toEqual(['11.1.2']);
    expect({ copied: plan.copied, merged: plan.merged, split: plan.split }).toEqual({ copied: 2, merged: 1, split: 2 });
    expect(await count('decisions')).toBe(decisions);
    expect(await count('audit_log')).toBe(audit);
    expect((await store.edition()).edition).toBe('2013');
    await store.close();
  });

  it('combines a split part with the other decided sources of its 2022 control', async () => {
    const { store } = engineStore(engine, { defaultEdition: '2013' });
    await store.profile.set(provider);
    await store.soa.set({ control: '18.2.3', applicable: 'yes', status: 'implemented', by: 'alice' });
    await store.soa.set({ control: '12.6.1', applicable: 'yes', status: 'partial', by: 'alice', owner: 'SRE' });
    const plan = await store.planTransition();
    expect(plan.proposals.find((p) => p.key === '8.8')).toMatchObject({ kind: 'merged', undecidedSources: [], input: { status: 'partial', owner: 'SRE' } });
    expect(plan.proposals.find((p) => p.key === '5.36')).toMatchObject({ kind: 'split' });
    expect(plan.proposals.find((p) => p.key === '12.6.1@provider')).toMatchObject({ kind: 'cloud', input: { status: 'partial' } });
    await store.close();
  });

  it('writes proposals only, names their 2013 sources in the audit chain, and keeps the 2013 decisions readable', async () => {
    const { store } = await store2013();
    const before = (await store.soaRows()).filter((r) => r.current).map((r) => ({ key: r.key, id: r.current!.id }));
    const e = await refused(async () => await store.transition(undefined));
    expect(e.field).toBe('by');
    const plan = await store.transition('carol');
    expect(plan.written).toBe(true);
    expect(await store.edition()).toMatchObject({ edition: '2022', from: 'recorded', setBy: 'carol' });
    const rows = await store.soaRows();
    expect(rows.filter((r) => r.current)).toHaveLength(0);
    expect(rows.filter((r) => r.pending)).toHaveLength(plan.proposals.length);
    const entry = (await store.audit.entries(500)).find((x) => x.action === 'soa.propose' && x.subject === '5.1')!;
    expect(entry.data).toMatchObject({ transition: '2013->2022', basis: 'merged', from2013: [expect.stringMatching(/^5\.1\.1 v1 \(decision #\d+\)$/), expect.stringMatching(/^5\.1\.2 v1/)] });
    // alice is an approver, yet nothing was approved on her behalf or carol's.
    expect((await store.audit.entries(500)).filter((x) => x.action === 'soa.approve' && x.at > entry.at)).toHaveLength(0);
    const old = (await store.soaRows('2013')).filter((r) => r.current).map((r) => ({ key: r.key, id: r.current!.id }));
    expect(old).toEqual(before);
    expect(await store.verifyAudit()).toMatchObject({ ok: true });
    expect((await refused(async () => await store.planTransition())).message).toContain('already in the 2022 edition');
    await store.soa.approve('8.13', 'alice');
    expect((await store.soaRows()).find((r) => r.key === '8.13')!.current).toMatchObject({ approvedBy: 'alice', proposedBy: 'carol' });
    await store.close();
  });

});

describe('soa transition in the CLI (SQLite: the CLI opens ISMS_DATA_DIR)', () => {
  it('CLI: --dry-run --json prints the counts and writes nothing; without it the store moves', async () => {
    const dir = tempDir();
    const env = { ISMS_DATA_DIR: dir, ISMS_APPROVERS: 'alice', ISMS_SOA_EDITION: '2013' };
    expect(cli(['soa', 'set', '12.3.1', '--applicable', 'yes', '--status', 'implemented', '--by', 'alice'], env).code).toBe(0);
    let r = cli(['soa', 'transition', '--to', '2022', '--dry-run', '--json'], env);
    expect(r.code).toBe(0);
    const plan = JSON.parse(r.stdout);
    expect(plan).toMatchObject({ copied: 1, merged: 0, split: 0, conflicts: [], written: false });
    expect(plan.new).toHaveLength(11);
    expect(await verifyFile(join(dir, 'isms.sqlite'))).toMatchObject({ ok: true, entries: 2 });
    r = cli(['soa', 'transition', '--to', '2013', '--by', 'alice'], env);
    expect(r).toMatchObject({ code: 2 });
    expect(r.stderr).toContain('soa transition needs --to 2022');
    r = cli(['soa', 'transition', '--to', '2022', '--by', 'alice'], { ...env, ISMS_SOA_EDITION: '2022' });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('The SoA is now in the 2022 edition.');
    r = cli(['soa', 'list', '--edition', '2013', '--json'], env);
    expect(JSON.parse(r.stdout).find((x: { key: string }) => x.key === '12.3.1').current).toMatchObject({ approvedBy: 'alice' });
    r = cli(['soa', 'show', '12.3.1', '--edition', '2013', '--json'], env);
    expect(JSON.parse(r.stdout)).toMatchObject({ key: '12.3.1', edition: '2013', current: { status: 'implemented' } });
    expect(await verifyFile(join(dir, 'isms.sqlite'))).toMatchObject({ ok: true, entries: 2 + 1 + plan.copied + plan.cloud });
  });
});
