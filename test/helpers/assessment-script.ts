// Assessments as the inputs a participant types, shared by the console, core and Slack tests, and the check of what an
// approval must have written.
import { expect } from 'vitest';
import { loadCatalog } from '../../src/catalog/loader.js';
import { loadConfig } from '../../src/config.js';
import { openStore } from '../../src/soa/index.js';

export const store = (dataDir: string) => openStore(loadConfig({ ISMS_SOA_EDITION: '2013', ISMS_DATA_DIR: dataDir, ISMS_APPROVERS: 'carol' }), loadCatalog());
/** PayCloud: a SaaS we provide, on AWS (so both roles are in scope), with two assets. */
export const scope = ['provider', 'SaaS', 'AWS', 'customer records: confidential, payroll data: strictly confidential'];
/** The two best-fitting library risks and one of our own. */
export const pickRisks = ['1,2', '+ Payroll export emailed to the wrong customer', 'next'];
/** One message per risk: changes to the suggestion, the rest accepted. */
export const analysis = [
  // risk 1: owner alice, 3 × 5 = 15 (high), modify with the proposed controls
  'owner alice 3x5',
  // risk 2: CI, owner bob, 2 × 4 = 8 (medium), modify, 12.3.1 added to the proposal
  'CI owner bob 2x4 +12.3.1',
  // risk 3 (our own): CIA, owner alice, 2 × 2 = 4 (low), retain
  'CIA 2x2 retain owner alice',
];
export const missed = ['exclude 11.1.1 SaaS only: no premises of our own in scope', 'include 12.4.1 audit trail for payroll changes', 'next'];

/**
 * The standard assessment of the issue: a SaaS on AWS with two assets, from start to approval. Each entry is one typed
 * message: [who, text].
 */
export const standard: [string, string][] = [
  ['alice', 'assess Acme Portal'],
  ['alice', 'provider'],
  ['alice', 'SaaS'],
  ['alice', 'AWS'],
  ['alice', 'customer records: confidential, invoices: internal'],
  ['alice', 'ok'], // the suggested risks
  ['alice', 'owner alice'], // risk 1: the suggestion, with an owner
  ['alice', '4x5'], // risk 2: likelihood 4 × impact 5
  ['alice', 'ok'], // risk 3
  ['alice', 'ok all'], // risks 4–6
  ['alice', 'apply 1'], // the 27017 cloud items, one reason for the group
  ['alice', 'exclude 7.1 SaaS on AWS: no premises of our own in scope'],
  ['alice', 'submit'],
  ['carol', 'approve'],
];

/** Today's count before this work, measured on the step-per-question flow with the same outcome (README). */
export const TYPED_BEFORE = 41;

export async function checkWrittenAssessment(dataDir: string, approver: string, source: RegExp, owners = { alice: 'alice', bob: 'bob' }) {
  const s = store(dataDir);
  try {
    const risks = await s.risks.list();
    expect(risks.map((r) => [r.id, r.owner, r.score, r.level, r.treatment])).toEqual([
      ['R-1', owners.alice, 15, 'high', 'modify'],
      ['R-2', owners.bob, 8, 'medium', 'modify'],
      ['R-3', owners.alice, 4, 'low', 'retain'],
    ]);
    for (const r of risks) {
      expect(r.service).toBe('PayCloud');
      expect(r.source).toMatch(source);
      expect(r.recordedBy).toBe(approver);
    }
    expect(risks[1]!.cia).toEqual({ confidentiality: true, integrity: true, availability: false });
    // Every control a risk chose is applicable, approved, with the risks that chose it as reasons.
    for (const r of risks.filter((x) => x.treatment === 'modify')) {
      expect(r.controls.length).toBeGreaterThan(0);
      for (const id of r.controls) {
        const d = (await s.soa.state(id)).current!;
        expect(d, id).toMatchObject({ applicable: true, approvedBy: approver });
        expect(d.reasons).toContain(`risk:${r.id}`);
      }
    }
    expect(risks[2]!.controls).toEqual([]);
    expect((await s.soa.state('12.3.1')).current!.reasons).toEqual(expect.arrayContaining(['risk:R-2']));
    expect((await s.soa.state('11.1.1')).current).toMatchObject({ applicable: false, justification: 'SaaS only: no premises of our own in scope' });
    expect((await s.soa.state('12.4.1')).current).toMatchObject({ applicable: true, reasons: ['business:audit trail for payroll changes'] });
    expect((await s.profile.get())!.services).toEqual([expect.objectContaining({ name: 'PayCloud', role: 'both', model: 'SaaS', runsOn: 'AWS' })]);
    expect(await s.verifyAudit()).toMatchObject({ ok: true });
  } finally {
    await s.close();
  }
}
