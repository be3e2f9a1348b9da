import { afterAll, describe, expect, it } from 'vitest';
import { StoreError } from '../src/soa/index.js';
import { catalog } from './fixtures/soa-helpers.js';
import { closeEngines, engines, engineStore, type EngineStore } from './helpers/stores.js';

afterAll(closeEngines);

/** Runs fn, expects a StoreError, and returns it. */
async function storeError(fn: () => unknown): Promise<StoreError> {
  try {
    await fn();
  } catch (e) {
    if (e instanceof StoreError) return e;
    throw e;
  }
  throw new Error('expected a StoreError');
}

const nothingWritten = async (s: EngineStore) => {
  for (const t of ['decisions', 'reviews', 'risks', 'profile', 'audit_log']) expect(await s.count(t), t).toBe(0);
};

describe.each(engines)('SoA decision validation (%s)', (engine) => {
  it('refuses a non-applicable control without an exclusion justification, naming the field and the fix', async () => {
    const s = engineStore(engine);
    const { store } = s;
    const e = await storeError(async () => await store.soa.set({ control: '11.1.1', applicable: 'no', status: 'not-implemented', by: 'alice' }));
    expect(e.field).toBe('justification');
    expect(e.message).toContain('not applicable needs an exclusion justification');
    expect(e.hint).toContain('--justification "');
    await nothingWritten(s);
  });

  it('refuses an unknown control ID with the nearest SoA controls as suggestions', async () => {
    const s = engineStore(engine);
    const { store } = s;
    const e = await storeError(async () => await store.soa.set({ control: 'CLD.9.5.3', applicable: 'yes', status: 'planned', by: 'alice' }));
    expect(e.issues).toEqual([expect.objectContaining({ field: 'control', message: 'no control "CLD.9.5.3" in the catalogue' })]);
    expect(e.hint).toMatch(/^Did you mean CLD\.9\.5\.[12], CLD\.9\.5\.[12]/);
    const req = await storeError(async () => await store.soa.set({ control: 'JIP-ISMS517-4.2.2', applicable: 'yes', status: 'planned', by: 'alice' }));
    expect(req.message).toContain('JIP-ISMS517-4.2.2 is a JIP-ISMS517 requirement, not an SoA control');
    await nothingWritten(s);
  });

  it('reports every problem at once and writes nothing', async () => {
    const s = engineStore(engine);
    const { store } = s;
    const e = await storeError(async () => await store.soa.set({ control: '12.3.1', applicable: 'maybe', status: 'done', by: ' ', source: 'email' }));
    expect(e.issues.map((i) => i.field)).toEqual(['applicable', 'status', 'by', 'source']);
    expect(e.issues[0]!.hint).toBe('Say whether the control is applicable: --applicable yes or --applicable no');
    expect(e.issues[1]!.hint).toContain('implemented, partial, planned, not-implemented');
    expect(e.message.split('\n')).toHaveLength(4);
    await nothingWritten(s);
  });

  it('checks reasons: known kinds, risks that exist, and no inclusion reasons on an excluded control', async () => {
    const s = engineStore(engine);
    const { store } = s;
    let e = await storeError(async () => await store.soa.set({ control: '12.3.1', applicable: 'yes', status: 'planned', reasons: ['risk:R-3'], by: 'alice' }));
    expect(e.issues).toEqual([{ field: 'reason', message: 'R-3 is not a risk in the register', hint: 'The register is empty: add the risk first with "risk add"' }]);
    e = await storeError(async () => await store.soa.set({ control: '12.3.1', applicable: 'yes', status: 'planned', reasons: ['because'], by: 'alice' }));
    expect(e.hint).toContain('risk:R-3, legal:<law>, contractual:<contract> or business:<need>');
    e = await storeError(async () => await store.soa.set({ control: '11.1.1', applicable: 'no', status: 'planned', justification: 'x', reasons: ['business:y'], by: 'alice' }));
    expect(e.field).toBe('reason');
    e = await storeError(async () => await store.soa.set({ control: '12.3.1', applicable: 'yes', status: 'planned', justification: 'not needed', by: 'alice' }));
    expect(e.field).toBe('justification');
    await nothingWritten(s);

    await store.risks.add({ by: 'tester', title: 'Restore fails', owner: 'ops', likelihood: 3, impact: 4, cia: 'A' });
    const d = await store.soa.set({ control: 'a.12.3.1', applicable: 'yes', status: 'implemented', reasons: ['risk:r1', 'legal: 個人情報保護法', 'risk:R-1'], by: 'alice' });
    expect(d).toMatchObject({ controlId: '12.3.1', reasons: ['risk:R-1', 'legal:個人情報保護法'] });
  });

  it('accepts the spellings people type: full-width IDs, A. prefixes, yes/no and booleans', async () => {
    const s = engineStore(engine);
    const { store } = s;
    expect((await store.soa.set({ control: '１２．３．１', applicable: 'YES', status: 'Planned', by: 'alice' })).controlId).toBe('12.3.1');
    expect((await store.soa.set({ control: 'cld9.5.1', applicable: true, status: 'partial', by: 'alice' })).controlId).toBe('CLD.9.5.1');
    expect(await store.soa.set({ control: 'A.5.1.1', applicable: false, status: 'not-implemented', justification: 'covered by group policy', by: 'alice' }))
      .toMatchObject({ controlId: '5.1.1', applicable: false, justification: 'covered by group policy' });
  });
});

describe.each(engines)('SoA history (%s)', (engine) => {
  it('keeps every version of a decision that changed three times, and the latest approved one is current', async () => {
    const s = engineStore(engine);
    const { store } = s;
    await store.soa.set({ control: '12.3.1', applicable: 'yes', status: 'planned', owner: 'ops', by: 'alice' });
    await store.soa.set({ control: '12.3.1', applicable: 'yes', status: 'partial', owner: 'ops', evidence: ['backup-policy v1'], by: 'alice' });
    await store.soa.set({ control: '12.3.1', applicable: 'no', status: 'not-implemented', justification: 'backups are the provider\'s (contract 7.2)', by: 'alice' });
    await store.soa.set({ control: '12.3.1', applicable: 'yes', status: 'implemented', owner: 'sre', evidence: ['restore-test 2025-04'], by: 'alice' });
    await store.soa.set({ control: '5.1.1', applicable: 'yes', status: 'implemented', by: 'alice' });

    const history = await store.soa.history('12.3.1');
    expect(history.map((d) => [d.version, d.applicable, d.status, d.state])).toEqual([
      [1, true, 'planned', 'approved'],
      [2, true, 'partial', 'approved'],
      [3, false, 'not-implemented', 'approved'],
      [4, true, 'implemented', 'approved'],
    ]);
    expect(history.map((d) => d.proposedAt)).toEqual([...history.map((d) => d.proposedAt)].sort());
    expect(history[2]!.justification).toBe('backups are the provider\'s (contract 7.2)');
    expect((await store.soa.state('12.3.1')).current).toMatchObject({ version: 4, owner: 'sre', evidence: ['restore-test 2025-04'], approvedBy: 'alice' });
    // Four rows, none changed in place: the first still reads as written.
    expect(await s.count('decisions')).toBe(5);
    expect(await s.query("SELECT status, owner FROM decisions WHERE control_id = '12.3.1' ORDER BY id LIMIT 1")).toEqual([{ status: 'planned', owner: 'ops' }]);
    // The application cannot change it either: SQLite's trigger refuses, PostgreSQL's grants (permission denied, 42501).
    const first = await s.rowId('decisions', 1);
    await expect(s.asApp(`UPDATE decisions SET status = 'implemented' WHERE id = ${first}`)).rejects.toMatchObject(s.refusal(/decisions is append-only/));
    await expect(s.asApp(`DELETE FROM decisions WHERE id = ${first}`)).rejects.toMatchObject(s.refusal(/append-only/));
  });
});

describe.each(engines)('SoA proposals and approvals (%s)', (engine) => {
  it('stores a non-approver\'s decision as a proposal that an approver then approves', async () => {
    const s = engineStore(engine);
    const { store } = s;
    const proposed = await store.soa.set({ control: '12.3.1', applicable: 'yes', status: 'implemented', by: 'bob' });
    expect(proposed).toMatchObject({ state: 'proposed', proposedBy: 'bob', approvedBy: null, approvedAt: null });
    expect(await store.soa.state('12.3.1')).toEqual({ current: null, pending: proposed });
    expect((await store.missing()).map((r) => r.entry.id)).toContain('12.3.1');

    const approved = await store.soa.approve('12.3.1', 'alice');
    expect(approved).toMatchObject({ id: proposed.id, state: 'approved', proposedBy: 'bob', approvedBy: 'alice' });
    expect(approved.approvedAt! > approved.proposedAt).toBe(true);
    expect(await store.soa.state('12.3.1')).toEqual({ current: approved, pending: null });
    expect((await store.missing()).map((r) => r.entry.id)).not.toContain('12.3.1');
  });

  it('does not let a non-approver approve or reject, and leaves the store unchanged', async () => {
    const s = engineStore(engine);
    const { store } = s;
    await store.soa.set({ control: '12.3.1', applicable: 'yes', status: 'planned', by: 'alice' });
    await store.soa.set({ control: '12.3.1', applicable: 'yes', status: 'implemented', by: 'bob' });
    const counts = () => Promise.all(['decisions', 'reviews', 'audit_log'].map((t) => s.count(t)));
    const before = await counts();
    for (const act of [async () => await store.soa.approve('12.3.1', 'bob'), async () => await store.soa.reject('12.3.1', 'mallory', 'no')]) {
      const e = await storeError(act);
      expect(e.field).toBe('by');
      expect(e.message).toMatch(/(bob|mallory) is not an approver, so cannot (approve|reject)/);
      expect(e.hint).toBe('Ask one of alice, U0APPROVER (ISMS_APPROVERS)');
    }
    expect(await counts()).toEqual(before);
    expect(await store.soa.state('12.3.1')).toMatchObject({ current: { version: 1, status: 'planned' }, pending: { version: 2, state: 'proposed' } });
  });

  it('approves an approver\'s own decision at once, recording them as approver', async () => {
    const s = engineStore(engine);
    const { store } = s;
    const d = await store.soa.set({ control: 'CLD.9.5.1', applicable: 'yes', status: 'implemented', by: 'U0APPROVER', source: 'https://acme.slack.com/archives/C1/p1' });
    expect(d).toMatchObject({ state: 'approved', proposedBy: 'U0APPROVER', approvedBy: 'U0APPROVER', approvedAt: d.proposedAt, source: 'https://acme.slack.com/archives/C1/p1' });
    expect((await store.audit.entries()).map((e) => e.action)).toEqual(['soa.set', 'soa.approve']);
  });

  it('rejects with a reason, keeping the approved decision in force', async () => {
    const s = engineStore(engine);
    const { store } = s;
    await store.soa.set({ control: '9.4.1', applicable: 'yes', status: 'implemented', by: 'alice' });
    await store.soa.set({ control: '9.4.1', applicable: 'no', status: 'not-implemented', justification: 'not needed', by: 'bob' });
    const rejected = await store.soa.reject('9.4.1', 'alice', 'access control is needed for the admin console');
    expect(rejected).toMatchObject({ version: 2, state: 'rejected', rejectedBy: 'alice', rejectReason: 'access control is needed for the admin console' });
    expect(await store.soa.state('9.4.1')).toMatchObject({ current: { version: 1, applicable: true }, pending: null });
    const e = await storeError(async () => await store.soa.approve('9.4.1', 'alice'));
    expect(e).toMatchObject({ field: 'control', message: expect.stringContaining('9.4.1 has no pending proposal to approve') });
  });

  it('marks a proposal superseded when a later decision replaces it before review', async () => {
    const s = engineStore(engine);
    const { store } = s;
    await store.soa.set({ control: '6.1.1', applicable: 'yes', status: 'planned', by: 'bob' });
    await store.soa.set({ control: '6.1.1', applicable: 'yes', status: 'implemented', by: 'alice' });
    expect((await store.soa.history('6.1.1')).map((d) => d.state)).toEqual(['superseded', 'approved']);
    expect((await storeError(async () => await store.soa.approve('6.1.1', 'alice'))).field).toBe('control');
  });

  it('says how to configure approvers when there are none', async () => {
    const s = engineStore(engine, { approvers: [] });
    const { store } = s;
    expect((await store.soa.set({ control: '6.1.1', applicable: 'yes', status: 'planned', by: 'alice' })).state).toBe('proposed');
    expect((await storeError(async () => await store.soa.approve('6.1.1', 'alice'))).hint).toContain('set ISMS_APPROVERS');
  });

  it('writes a batch all together or not at all', async () => {
    const s = engineStore(engine);
    const { store } = s;
    const e = await storeError(async () => await store.soa.setMany([
      { control: '5.1.1', applicable: 'yes', status: 'planned', by: 'alice' },
      { control: '5.1.2', applicable: 'no', status: 'planned', by: 'alice' },
    ]));
    expect(e.field).toBe('#2 justification');
    await expect(store.batch(async (tx) => {
      await tx.soa.set({ control: '5.1.1', applicable: 'yes', status: 'planned', by: 'alice' });
      await tx.soa.set({ control: '5.1.2', applicable: 'yes', status: 'bogus', by: 'alice' });
    })).rejects.toThrow(StoreError);
    await nothingWritten(s);
    expect((await store.soa.setMany([
      { control: '5.1.1', applicable: 'yes', status: 'planned', by: 'alice' },
      { control: '5.1.2', applicable: 'yes', status: 'planned', by: 'bob' },
    ])).map((d) => d.state)).toEqual(['approved', 'proposed']);
  });

  it('a call on the store inside its batch joins the batch', async () => {
    const s = engineStore(engine);
    const { store } = s;
    await expect(store.batch(async () => {
      await store.soa.set({ control: '5.1.1', applicable: 'yes', status: 'planned', by: 'alice' });
      throw new Error('changed my mind');
    })).rejects.toThrow('changed my mind');
    await nothingWritten(s);
  });

  // Writes from elsewhere wait for a batch on both engines. A read from elsewhere waits on SQLite (one connection) and
  // on PostgreSQL runs at once in its own snapshot: it sees what was committed before the batch, never a part of it.
  it('calls from elsewhere never see a batch half done: a write waits for it, a read sees the state before or after it', async () => {
    const { store } = engineStore(engine);
    let inside = false;
    const outside: { read?: Promise<{ inside: boolean; versions: number }> } = {};
    const batch = store.batch(async (tx) => {
      inside = true;
      // A read that does not wait (PostgreSQL) is given up to a second to finish first, so the outcome does not depend on timing.
      await (engine === 'sqlite' ? new Promise((r) => setTimeout(r, 20)) : Promise.race([outside.read, new Promise((r) => setTimeout(r, 1000))]));
      await tx.soa.set({ control: '5.1.1', applicable: 'yes', status: 'planned', by: 'alice' });
      await tx.soa.set({ control: '5.1.1', applicable: 'yes', status: 'implemented', by: 'alice' });
      inside = false;
    });
    outside.read = store.soa.history('5.1.1').then((h) => ({ inside, versions: h.length }));
    const write = store.soa.set({ control: '5.1.1', applicable: 'yes', status: 'partial', by: 'alice' });
    await batch;
    expect(await outside.read).toEqual(engine === 'sqlite' ? { inside: false, versions: 2 } : { inside: true, versions: 0 });
    // The outside write came after the whole batch: version 3.
    expect((await write).version).toBe(3);
  });
});

describe.each(engines)('risk register (%s)', (engine) => {
  it('requires a risk owner and checks scores, CIA, treatment and controls', async () => {
    const s = engineStore(engine);
    const { store } = s;
    const e = await storeError(async () => await store.risks.add({ by: 'tester', title: 'x', likelihood: 6, impact: '0', cia: 'CX', treatment: 'modify', controls: ['12.3.9'] }));
    expect(e.issues.map((i) => i.field)).toEqual(['owner', 'likelihood', 'impact', 'cia', 'control']);
    expect(e.issues[0]).toEqual({ field: 'owner', message: 'is required', hint: 'Every risk needs a risk owner (JIP-ISMS517 4.2.1): add --owner NAME' });
    expect(e.issues[1]!.message).toBe('"6" is not a whole number from 1 to 5');
    expect(e.issues[4]!.hint).toMatch(/^Did you mean 12\.3\.1/);
    expect((await storeError(async () => await store.risks.add({ by: 'tester', title: 'x', owner: 'o', likelihood: 2, impact: 2, cia: 'C', treatment: 'modify' }))).issues)
      .toEqual([expect.objectContaining({ field: 'control', message: 'treatment "modify" needs the controls that modify the risk' })]);
    expect((await storeError(async () => await store.risks.add({ by: 'tester', title: 'x', owner: 'o', likelihood: 2, impact: 2, cia: 'C', nextReview: '2025-02-30' }))).field).toBe('review');
    await nothingWritten(s);
  });

  it('numbers risks R-1, R-2, scores them on the configured matrix and canonicalises controls', async () => {
    const s = engineStore(engine, { riskLevels: [{ name: 'low', min: 1, max: 4 }, { name: 'high', min: 5, max: 25 }] });
    const { store } = s;
    const r1 = await store.risks.add({ by: 'tester',
      title: 'Customer data lost after a failed restore', description: 'restores never tested', asset: 'customer DB', cia: 'ia',
      threat: 'operator error', vulnerability: 'no restore test', owner: 'ops-lead', likelihood: '3', impact: 5, treatment: 'Modify',
      controls: ['A.12.3.1', '１２．３．１', 'cld12.4.5'], residual: 4, status: 'treating', nextReview: '2025-10-01',
      source: 'https://acme.slack.com/archives/C01/p123',
    });
    expect(r1).toMatchObject({
      id: 'R-1', version: 1, score: 15, level: 'high', treatment: 'modify', controls: ['12.3.1', 'CLD.12.4.5'], residual: 4, residualLevel: 'low',
      cia: { confidentiality: false, integrity: true, availability: true }, recordedBy: 'tester', source: 'https://acme.slack.com/archives/C01/p123',
    });
    const r2 = await store.risks.add({ title: 'Admin phishing', owner: 'ciso', likelihood: 1, impact: 2, cia: 'C', treatment: 'retain', by: 'bob' });
    expect(r2).toMatchObject({ id: 'R-2', score: 2, level: 'low', recordedBy: 'bob', status: 'open' });
    expect((await store.risks.list()).map((r) => r.id)).toEqual(['R-1', 'R-2']);
  });

  it('records an update as a new version and keeps the old one', async () => {
    const s = engineStore(engine);
    const { store } = s;
    await store.risks.add({ by: 'tester', title: 'Key leak', owner: 'sec', likelihood: 4, impact: 4, cia: 'C' });
    const v2 = await store.risks.update('r1', { likelihood: 2, treatment: 'share', threat: 'stolen laptop', by: 'alice' });
    expect(v2).toMatchObject({ id: 'R-1', version: 2, likelihood: 2, impact: 4, score: 8, level: 'medium', treatment: 'share', owner: 'sec' });
    expect((await store.risks.history('R-1')).map((r) => [r.version, r.score])).toEqual([[1, 16], [2, 8]]);
    expect((await storeError(async () => await store.risks.update('R-1', { by: 'tester', owner: '' }))).field).toBe('owner');
    expect((await storeError(async () => await store.risks.update('R-9', { by: 'tester',}))).issues[0]).toMatchObject({ field: 'risk', message: 'no risk R-9 in the register', hint: expect.stringContaining('R-1') });
    expect(await s.count('risks')).toBe(2);
  });

  it('checks the cloud service against the profile', async () => {
    const s = engineStore(engine);
    const { store } = s;
    await store.profile.set({ scope: 'Acme Portal and Acme API', services: [{ name: 'Acme Portal', role: 'provider', model: 'SaaS' }, { name: 'Acme API', role: 'provider', model: 'PaaS' }], by: 'alice' });
    expect((await storeError(async () => await store.risks.add({ by: 'tester', title: 'x', owner: 'o', likelihood: 1, impact: 1, cia: 'A', service: 'Acme Mail' }))).hint)
      .toBe('Use one of "Acme Portal", "Acme API", or add it with "profile set"');
    expect((await store.risks.add({ by: 'tester', title: 'x', owner: 'o', likelihood: 1, impact: 1, cia: 'A', service: 'acme api' })).service).toBe('Acme API');
  });
});

describe.each(engines)('organisation profile and missed controls (%s)', (engine) => {
  const cldFor = (role: 'customer' | 'provider') => catalog.controls().filter((c) => c.kind === 'cld' && c.cloudGuidance[role]).length;

  it('derives the roles in scope from the services (4.1)', async () => {
    const s = engineStore(engine, { fallbackRole: 'customer' });
    const { store } = s;
    expect(await store.profile.roles()).toEqual({ roles: ['customer'], from: 'ISMS_ROLE' });
    await store.profile.set({ scope: 'Use of Office Suite', services: [{ name: 'Office Suite', role: 'customer', model: 'SaaS' }], by: 'alice' });
    expect(await store.profileRoles()).toEqual(['customer']);
    await store.profile.set({ services: [{ name: 'Office Suite', role: 'provider', model: 'SaaS' }], by: 'alice' });
    expect(await store.profileRoles()).toEqual(['provider']);
    const p = await store.profile.set({ services: [{ name: 'Office Suite', role: 'provider', model: 'SaaS', runsOn: 'AWS' }], by: 'alice' });
    expect(p.services).toEqual([{ name: 'Office Suite', role: 'provider', model: 'SaaS', runsOn: 'AWS' }]);
    expect(await store.profileRoles()).toEqual(['customer', 'provider']);
    expect(await s.count('profile')).toBe(3);
  });

  it('requires the scope to name each service and checks roles and models', async () => {
    const s = engineStore(engine);
    const { store } = s;
    const e = await storeError(async () => await store.profile.set({
      scope: 'Our SaaS', services: [{ name: 'Acme Portal', role: 'seller', model: 'FaaS' }, { name: 'Mail', role: 'customer', model: 'SaaS', runsOn: 'GCP' }], by: 'alice',
    }));
    expect(e.issues.map((i) => i.message)).toEqual([
      'Acme Portal: role "seller" is not customer, provider or both',
      'Acme Portal: model "FaaS" is not IaaS, PaaS or SaaS',
      'Mail: runs-on is for a service you provide',
      'the scope statement does not name "Mail"',
    ]);
    expect((await storeError(async () => await store.profile.set({ scope: 'x', by: 'alice' }))).field).toBe('service');
    await nothingWritten(s);
  });

  it('lists the relevant controls with no approved decision (4.2.2 c)', async () => {
    const s = engineStore(engine);
    const { store } = s;
    await store.profile.set({ scope: 'Use of Office Suite', services: [{ name: 'Office Suite', role: 'customer', model: 'SaaS' }], by: 'alice' });
    const relevant = 114 + cldFor('customer');
    expect(await store.missing()).toHaveLength(relevant);
    expect((await store.missing()).map((r) => r.entry.id)).not.toContain('CLD.9.5.1'); // provider-only
    await store.soa.set({ control: '12.3.1', applicable: 'yes', status: 'implemented', by: 'alice' });
    await store.soa.set({ control: '11.1.1', applicable: 'no', status: 'not-implemented', justification: 'no premises', by: 'alice' });
    await store.soa.set({ control: '5.1.1', applicable: 'yes', status: 'implemented', by: 'bob' }); // only proposed
    await store.soa.set({ control: 'CLD.9.5.1', applicable: 'yes', status: 'implemented', by: 'alice' }); // not relevant anyway
    const missing = await store.missing();
    expect(missing).toHaveLength(relevant - 2);
    expect(missing.find((r) => r.entry.id === '5.1.1')!.pending).toMatchObject({ proposedBy: 'bob' });
    await store.profile.set({ services: [{ name: 'Office Suite', role: 'both', model: 'SaaS' }], by: 'alice' });
    expect(await store.missing()).toHaveLength(114 + 7 - 3);
  });
});
