// One assessment, as the inputs a participant gives, shared by the console and the Slack tests, and the check of
// what an approval must have written.
import { expect } from 'vitest';
import { loadCatalog } from '../../src/catalog/catalog.js';
import { loadConfig } from '../../src/config.js';
import { openStore } from '../../src/soa/index.js';

export const store = (dataDir: string) => openStore(loadConfig({ ISMS_SOA_EDITION: '2013', ISMS_DATA_DIR: dataDir, ISMS_APPROVERS: 'carol' }), loadCatalog());
export const scope = ['provider', 'SaaS', 'yes AWS', 'customer records: confidential, payroll data: strictly confidential'];
/** Two library risks (the first two offered) and one of our own. */
export const pickRisks = ['1,2', '+ Payroll export emailed to the wrong customer', 'next'];
export const analysis = [
  // risk 1: accept the library CIA, owner alice, 3 × 5 = 15 (high), modify with the proposed controls
  ['ok', 'alice', '3', '5', 'modify', 'ok'],
  // risk 2: CI, owner bob, 2 × 4 = 8 (medium), modify, add 12.3.1
  ['CI', 'bob', '2', '4', 'modify', '+12.3.1', 'ok'],
  // risk 3: CIA, owner alice, 2 × 2 = 4 (low), retain, no controls
  ['CIA', 'alice', '2', '2', 'retain', '', 'ok'],
];
export const missed = ['exclude 11.1.1 SaaS only: no premises of our own in scope', 'include 12.4.1 audit trail for payroll changes', 'next'];

export function checkWrittenAssessment(dataDir: string, approver: string, source: RegExp, owners = { alice: 'alice', bob: 'bob' }) {
  const s = store(dataDir);
  try {
    const risks = s.risks.list();
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
      for (const id of r.controls) {
        const d = s.soa.state(id).current!;
        expect(d, id).toMatchObject({ applicable: true, approvedBy: approver });
        expect(d.reasons).toContain(`risk:${r.id}`);
      }
    }
    expect(s.soa.state('12.3.1').current!.reasons).toEqual(expect.arrayContaining(['risk:R-2']));
    expect(s.soa.state('11.1.1').current).toMatchObject({ applicable: false, justification: 'SaaS only: no premises of our own in scope' });
    expect(s.soa.state('12.4.1').current).toMatchObject({ applicable: true, reasons: ['business:audit trail for payroll changes'] });
    expect(s.profile.get()!.services).toEqual([expect.objectContaining({ name: 'PayCloud', role: 'both', model: 'SaaS', runsOn: 'AWS' })]);
    expect(s.verifyAudit()).toMatchObject({ ok: true });
  } finally {
    s.close();
  }
}

