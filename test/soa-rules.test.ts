// Rules of the SoA store that the mutation check (npm run test:mutation) found untested: the approved version must be
// the pending one, risk levels at their bounds, an unchanged profile, internal-audit dates, and the move to 2022 once.
import { afterAll, describe, expect, it } from 'vitest';
import { StoreError } from '../src/soa/index.js';
import { closeEngines, engines, engineStore } from './helpers/stores.js';

afterAll(closeEngines);

/** Runs fn, expects a StoreError, and returns its first issue. */
async function issue(fn: () => unknown) {
  return (await storeError(fn)).issues[0]!;
}

async function storeError(fn: () => unknown): Promise<StoreError> {
  try {
    await fn();
  } catch (e) {
    if (e instanceof StoreError) return e;
    throw e;
  }
  throw new Error('expected a StoreError');
}

describe.each(engines)('SoA rules (%s)', (engine) => {
  it('approves only the version the approver saw: a proposal replaced since is refused, the new one can be approved', async () => {
    const { store, count } = engineStore(engine);
    await store.soa.set({ control: '12.3.1', applicable: 'yes', status: 'planned', by: 'bob' });
    await store.soa.set({ control: '12.3.1', applicable: 'yes', status: 'implemented', by: 'bob' });
    const entries = await count('audit_log');
    const e = await issue(async () => await store.soa.approve('12.3.1', 'alice', 1));
    expect(e.field).toBe('version');
    expect(e.message).toContain('is version 2, not 1');
    expect(await store.soa.state('12.3.1')).toMatchObject({ current: null, pending: { version: 2 } });
    expect(await count('audit_log')).toBe(entries);
    expect(await store.soa.approve('12.3.1', 'alice', 2)).toMatchObject({ version: 2, state: 'approved' });
  });

  it('refuses an excluded control marked implemented', async () => {
    const { store, count } = engineStore(engine);
    const e = await storeError(async () => await store.soa.set({ control: '11.1.1', applicable: 'no', status: 'implemented', justification: 'no premises', by: 'alice' }));
    expect(e.issues.map((i) => i.field)).toContain('status');
    expect(await count('decisions')).toBe(0);
  });

  it('gives a risk the level whose band holds its score, bounds included', async () => {
    const { store } = engineStore(engine);
    const add = async (likelihood: number, impact: number) => await store.risks.add({ by: 'alice', title: `L${likelihood}xI${impact}`, owner: 'ops', likelihood, impact, cia: 'A' });
    expect((await Promise.all([add(1, 1), add(2, 3), add(2, 4), add(3, 5), add(5, 5)])).map((r) => [r.score, r.level])).toEqual([[1, 'low'], [6, 'low'], [8, 'medium'], [15, 'high'], [25, 'high']]);
  });

  it('refuses a profile that changes nothing, and writes nothing', async () => {
    const { store, count } = engineStore(engine);
    const profile = { scope: 'Acme Portal on AWS', services: [{ name: 'Acme Portal', role: 'provider', model: 'SaaS', runsOn: 'AWS' }], by: 'alice' };
    await store.profile.set(profile);
    const entries = await count('audit_log');
    expect((await issue(async () => await store.profile.set(profile))).message).toBe('nothing changed');
    expect(await count('profile')).toBe(1);
    expect(await count('audit_log')).toBe(entries);
  });

  it('records an internal audit only after it took place, with the next one due after it', async () => {
    const { store, count } = engineStore(engine); // the clock starts at 2025-04-01
    expect((await issue(async () => await store.internalAudits.record({ date: '2025-04-03', auditor: 'dave', by: 'alice' }))).message).toBe('2025-04-03 is in the future');
    expect((await issue(async () => await store.internalAudits.record({ date: '2025-03-14', nextDue: '2025-03-14', auditor: 'dave', by: 'alice' }))).message).toBe('2025-03-14 is not after the audit date 2025-03-14');
    expect(await store.internalAudits.record({ date: '2025-03-14', nextDue: '2025-03-15', auditor: 'dave', by: 'alice' })).toMatchObject({ date: '2025-03-14', nextDue: '2025-03-15' });
    expect(await count('internal_audits')).toBe(1);
  });

  it('moves the SoA to the 2022 edition once', async () => {
    const { store, count } = engineStore(engine);
    await store.soa.set({ control: '12.3.1', applicable: 'yes', status: 'implemented', by: 'alice' });
    await store.transition('alice');
    const decisions = await count('decisions');
    expect((await issue(async () => await store.transition('alice'))).message).toMatch(/^the SoA is already in the 2022 edition/);
    expect(await count('decisions')).toBe(decisions);
  });
});
