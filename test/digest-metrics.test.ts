// Readiness metrics on a seeded store, checked against counts worked out by hand (see the comments).
import { afterAll, describe, expect, it } from 'vitest';
import { DigestLog } from '../src/digest/log.js';
import { isPlaceholder, justificationProblem, readinessMetrics, textWidth, weights } from '../src/digest/metrics.js';
import { digestBlocks, digestText } from '../src/digest/render.js';
import { isoWeek, localDay, weekOf } from '../src/digest/time.js';
import { closeEngines, engines, engineStore, type Engine } from './helpers/stores.js';

afterAll(closeEngines);

const NOW = new Date('2026-11-30T00:00:00Z'); // Monday 09:00 in Tokyo, ISO week 2026-W49
const OLD = '2026-11-01T00:00:00Z'; // 29 days before NOW: outside the 7-day change window
const RECENT = Date.parse('2026-11-25T00:00:00Z'); // 5 days before NOW: inside it

/**
 * The seed. Profile: one service used as a customer, so the roles are [customer] and the relevant controls are
 * the 114 Annex A controls plus the 5 CLD controls with customer guidance (CLD.9.5.1 and CLD.13.1.4 are the
 * provider's): 119.
 */
async function seeded(engine: Engine) {
  let t = Date.parse(OLD);
  const seed = engineStore(engine, { approvers: ['carol'], now: () => new Date(t) });
  const { store } = seed;
  const at = async (iso: number | string, fn: () => Promise<unknown>) => {
    t = typeof iso === 'string' ? Date.parse(iso) : iso;
    await fn();
  };
  await at(OLD, async () => {
    await store.profile.set({ scope: 'Use of Acme Mail (SaaS)', services: [{ name: 'Acme Mail', role: 'customer', model: 'SaaS' }], by: 'carol' });
    // Risks: R-4 is closed and so left out; the other five are active.
    await store.risks.add({ title: 'Mail data exposed', owner: 'bob', likelihood: 4, impact: 5, cia: 'C', nextReview: '2026-12-15', by: 'carol' }); // R-1 high 20, no treatment
    await store.risks.add({ title: 'Vendor lock-in', owner: 'n/a', likelihood: 2, impact: 3, cia: 'A', treatment: 'retain', status: 'accepted', nextReview: '2026-11-01', by: 'carol' }); // R-2 low, placeholder owner, review overdue
    await store.risks.add({ title: 'Backups lost', owner: 'dave', likelihood: 3, impact: 5, cia: 'IA', treatment: 'modify', controls: ['12.3.1'], status: 'treating', nextReview: '2027-01-01', by: 'carol' }); // R-3 high 15, treated
    await store.risks.add({ title: 'Old VPN', owner: 'erin', likelihood: 5, impact: 5, cia: 'CIA', treatment: 'avoid', status: 'closed', nextReview: '2026-01-01', by: 'carol' }); // R-4 closed
    await store.risks.add({ title: 'Shadow IT', owner: '未定', likelihood: 3, impact: 3, cia: 'C', by: 'carol' }); // R-5 medium, placeholder owner, no review date
    await store.risks.add({ title: 'Account takeover', owner: 'frank', likelihood: 4, impact: 4, cia: 'CI', treatment: 'share', nextReview: '2027-02-01', by: 'carol' }); // R-6 high 16, open without controls
    // Approved at once (carol approves): 4 implemented, 1 partial, 1 planned, 5 exclusions, and CLD.9.5.1 (not relevant).
    for (const id of ['5.1.1', '5.1.2', '12.3.1', 'CLD.6.3.1']) await store.soa.set({ control: id, applicable: true, status: 'implemented', by: 'carol' });
    await store.soa.set({ control: '6.1.1', applicable: true, status: 'partial', by: 'carol' });
    await store.soa.set({ control: 'CLD.8.1.5', applicable: true, status: 'planned', by: 'carol' });
    await store.soa.set({ control: '11.1.1', applicable: false, status: 'not-implemented', justification: 'SaaS only: no premises of our own in scope', by: 'carol' }); // adequate
    await store.soa.set({ control: '11.1.2', applicable: false, status: 'not-implemented', justification: 'n/a', by: 'carol' }); // placeholder
    await store.soa.set({ control: '11.1.3', applicable: false, status: 'not-implemented', justification: '対象外', by: 'carol' }); // placeholder
    await store.soa.set({ control: '11.1.4', applicable: false, status: 'not-implemented', justification: 'データセンターなし', by: 'carol' }); // 9 wide chars = 18 < 20: too short
    await store.soa.set({ control: '11.1.5', applicable: false, status: 'not-implemented', justification: '自社のデータセンターを保有しないため', by: 'carol' }); // 18 wide = 36: adequate
    await store.soa.set({ control: 'CLD.9.5.1', applicable: true, status: 'implemented', by: 'carol' });
    await store.soa.set({ control: '7.1.1', applicable: true, status: 'planned', by: 'bob' }); // pending, 29 days old
    await store.internalAudits.record({ date: '2026-06-15', auditor: 'dave', scope: 'Acme Mail use', result: 'no findings', by: 'carol' }); // next due 2027-06-15
    await store.internalAudits.record({ date: '2025-06-10', auditor: 'erin', by: 'carol' }); // backfilled, older
  });
  // This week: six changes.
  await at(RECENT, async () => await store.soa.set({ control: 'CLD.9.5.2', applicable: true, status: 'planned', by: 'bob' })); // proposed, 5 days
  await at(RECENT + 60_000, async () => await store.soa.set({ control: '8.1.1', applicable: true, status: 'implemented', by: 'carol' })); // set
  await at(RECENT + 120_000, async () => await store.soa.set({ control: '9.1.1', applicable: true, status: 'planned', by: 'bob' })); // proposed
  await at(RECENT + 180_000, async () => await store.soa.approve('9.1.1', 'carol')); // approved
  await at(RECENT + 240_000, async () => await store.soa.set({ control: '9.1.2', applicable: true, status: 'planned', by: 'bob' })); // proposed
  await at(RECENT + 300_000, async () => await store.soa.reject('9.1.2', 'carol', 'not yet')); // rejected
  return seed;
}

describe.each(engines)('readiness metrics on a seeded store (%s)', async (engine) => {
  const { store, rowId } = await seeded(engine);
  const m = await readinessMetrics(store, { now: NOW, timezone: 'Asia/Tokyo' });
  // The two internal audits' row IDs (1 and 2 in an SQLite file; IDs are per database on PostgreSQL).
  const audits = [await rowId('internal_audits', 1), await rowId('internal_audits', 2)];

  it('dates the metrics in the configured time zone', () => {
    expect(m).toMatchObject({ at: NOW.toISOString(), day: '2026-11-30', week: '2026-W49', timezone: 'Asia/Tokyo', roles: ['customer'] });
  });

  it('counts SoA coverage over the controls relevant to the roles (Annex A + customer CLD)', () => {
    // 4 implemented + 6.1.1 + CLD.8.1.5 + 5 exclusions + 8.1.1 + 9.1.1 = 13 of 114 + 5 = 119; CLD.9.5.1 is not relevant.
    expect(m.coverage.approved).toBe(13);
    expect(m.coverage.relevant).toBe(119);
    expect(m.coverage.missingIds).toHaveLength(106);
    expect(m.coverage.missingIds).toEqual(expect.arrayContaining(['7.1.1', '9.1.2', 'CLD.9.5.2', 'CLD.12.1.5']));
    expect(m.coverage.missingIds).not.toContain('CLD.9.5.1');
    expect(m.coverage.missingIds).not.toContain('12.3.1');
  });

  it('computes implemented of applicable approved decisions', () => {
    expect(m.implemented).toEqual({
      implemented: 5, applicable: 8,
      implementedIds: ['5.1.1', '5.1.2', '8.1.1', '12.3.1', 'CLD.6.3.1'],
      notImplemented: [{ id: '6.1.1', status: 'partial' }, { id: '9.1.1', status: 'planned' }, { id: 'CLD.8.1.5', status: 'planned' }],
    });
  });

  it('finds exclusions without an adequate justification', () => {
    expect(m.exclusions.total).toBe(5);
    expect(m.exclusions.excludedIds).toEqual(['11.1.1', '11.1.2', '11.1.3', '11.1.4', '11.1.5']);
    expect(m.exclusions.inadequate.map((x) => [x.id, x.problem])).toEqual([['11.1.2', 'placeholder'], ['11.1.3', 'placeholder'], ['11.1.4', 'too short']]);
  });

  it('lists pending proposals with their age in days, oldest first', () => {
    expect(m.pending.count).toBe(2);
    expect(m.pending.oldestDays).toBe(29);
    expect(m.pending.staleIds).toEqual(['7.1.1']);
    expect(m.pending.proposals.map((p) => [p.id, p.proposedBy, p.ageDays])).toEqual([['7.1.1', 'bob', 29], ['CLD.9.5.2', 'bob', 5]]);
  });

  it('lists the relevant CLD controls with no approved decision', () => {
    expect(m.cld.relevant).toBe(5);
    expect(m.cld.decided).toBe(2);
    expect([...m.cld.undecidedIds].sort()).toEqual(['CLD.12.1.5', 'CLD.12.4.5', 'CLD.9.5.2']);
  });

  it('checks risk owners, untreated high risks and overdue reviews over the active risks', () => {
    expect(m.risks).toMatchObject({ total: 6, active: 5, highLevel: 'high', highIds: ['R-1', 'R-3', 'R-6'], withoutReviewDate: ['R-5'] });
    expect(m.risks.withoutOwner).toEqual([{ id: 'R-2', owner: 'n/a' }, { id: 'R-5', owner: '未定' }]);
    expect(m.risks.highUntreated.map((r) => r.id)).toEqual(['R-1', 'R-6']);
    expect(m.risks.reviewOverdue).toEqual([{ id: 'R-2', nextReview: '2026-11-01', daysOverdue: 29 }]);
  });

  it('names who changed which decision in the last 7 days', () => {
    expect(m.changes.since).toBe('2026-11-23T00:00:00.000Z');
    expect(m.changes.events.map((e) => [e.controlId, e.kind, e.by])).toEqual([
      ['CLD.9.5.2', 'proposed', 'bob'], ['8.1.1', 'set', 'carol'], ['9.1.1', 'proposed', 'bob'],
      ['9.1.1', 'approved', 'carol'], ['9.1.2', 'proposed', 'bob'], ['9.1.2', 'rejected', 'carol'],
    ]);
  });

  it('takes the latest internal audit by its date and its next due date', () => {
    expect(m.internalAudit.last).toMatchObject({ date: '2026-06-15', auditor: 'dave', nextDue: '2027-06-15' });
    expect(m.internalAudit).toMatchObject({ nextDue: '2027-06-15', overdue: false, auditIds: [audits[1], audits[0]] }); // by audit date: [2, 1]
  });

  it('reports the audit-chain verification', () => {
    expect(m.auditChain).toMatchObject({ ok: true });
  });

  it('adds the score up from the documented weights', () => {
    expect(Object.values(weights).reduce((a, b) => a + b, 0)).toBe(100);
    const parts = Object.fromEntries(m.score.parts.map((p) => [p.key, [p.points, p.basis]]));
    expect(parts).toEqual({
      coverage: [3.3, '13/119'], // 30 x 13/119 = 3.277
      implemented: [12.5, '5/8'], // 20 x 5/8
      exclusions: [4, '2/5'], // 10 x (1 - 3/5)
      pending: [2.5, '1/2'], // 5 x (1 - 1/2)
      cld: [4, '2/5'], // 10 x 2/5
      riskOwners: [3, '3/5'], // 5 x (1 - 2/5)
      highRisks: [1.7, '1/3'], // 5 x (1 - 2/3)
      riskReviews: [4, '4/5'], // 5 x (1 - 1/5)
      internalAudit: [5, 'current'],
      auditChain: [5, 'ok'],
    });
    // 3.277 + 12.5 + 4 + 2.5 + 4 + 3 + 1.667 + 4 + 5 + 5 = 44.94
    expect(m.score.value).toBe(45);
  });

  it('shows each number with its basis and the IDs behind it, in English and Japanese', () => {
    const trend = { points: [{ week: '2026-W48', score: 40 }, { week: '2026-W49', score: 45 }], previous: { week: '2026-W48', score: 40 }, delta: 5 };
    const en = digestText(m, trend, 'en');
    expect(en).toContain('Readiness score: 45/100 ▲ +5 (vs 2026-W48)');
    expect(en).toContain('SoA coverage: 13/119 (11%) — missing: 6.1.2, 6.1.3,');
    expect(en).toContain('Exclusions without an adequate justification: 3/5 — 11.1.2 (placeholder), 11.1.3 (placeholder), 11.1.4 (too short)');
    expect(en).toContain('Pending proposals: 2 (oldest 29 days) — 7.1.1 (bob, 29d), CLD.9.5.2 (bob, 5d)');
    expect(en).toContain('High risks untreated: 2/3 high risks — R-1, R-6');
    expect(en).toContain('Risk reviews overdue: 1/5 active risks — R-2 (due 2026-11-01)');
    expect(en).toContain('9.1.2 rejected by carol (11-25)');
    expect(en).toContain('Internal audit (JIP-ISMS517 4.3): last 2026-06-15 by dave · next due 2027-06-15');
    const ja = digestBlocks(m, trend, 'ja', { chart: true });
    const text = JSON.stringify(ja.blocks);
    expect(ja.blocks[0]).toMatchObject({ type: 'header', text: { text: '週次 監査準備ダイジェスト · 2026-W49' } });
    expect(text).toContain('準備度スコア: 45/100');
    expect(text).toContain('適用宣言書の網羅率');
    expect(text).toContain('推移グラフはスレッドに添付しています');
    for (const b of ja.blocks) if (b.type === 'section') expect(JSON.stringify(b).length).toBeLessThan(3100);
  });
  await store.close();
});

describe.each(engines)('score edge cases (%s)', (engine) => {
  it('gives an empty store only the parts that nothing can be wrong with', async () => {
    const { store } = engineStore(engine);
    const m = await readinessMetrics(store, { now: NOW, timezone: 'UTC' });
    // No decisions, risks or audits: exclusions 10 + pending 5 + audit chain 5 = 20.
    expect(m.score.value).toBe(20);
    expect(m.internalAudit).toMatchObject({ last: null, nextDue: null, overdue: false });
    expect(m.score.parts.find((p) => p.key === 'riskOwners')).toMatchObject({ ratio: 0, basis: '0/0' });
    await store.close();
  });

  it('marks an internal audit overdue after its next due date, with the configured interval', async () => {
    const { store } = engineStore(engine, { auditIntervalMonths: 6, now: () => new Date('2026-01-10T00:00:00Z') });
    expect((await store.internalAudits.record({ date: '2025-05-31', auditor: 'dave', by: 'alice' })).nextDue).toBe('2025-11-30');
    const m = await readinessMetrics(store, { now: NOW, timezone: 'Asia/Tokyo' });
    expect(m.internalAudit).toMatchObject({ nextDue: '2025-11-30', overdue: true });
    expect(m.score.parts.find((p) => p.key === 'internalAudit')).toMatchObject({ points: 0, basis: 'overdue' });
    await store.close();
  });

  it('scores a broken audit chain 0 and names the entry', async () => {
    const { store, tamper } = engineStore(engine);
    await store.soa.set({ control: '5.1.1', applicable: true, status: 'implemented', by: 'alice' });
    await tamper('UPDATE audit_log SET actor = \'mallory\' WHERE seq = 1');
    const m = await readinessMetrics(store, { now: NOW });
    expect(m.auditChain).toMatchObject({ ok: false, seq: 1 });
    expect(m.score.parts.find((p) => p.key === 'auditChain')).toMatchObject({ points: 0, basis: 'broken' });
    expect(digestText(m, { points: [], previous: null, delta: null }, 'en')).toMatch(/Audit chain: ⚠ BROKEN \(#1\)/);
    await store.close();
  });
});

describe('adequate justification', () => {
  it('needs text that is not a placeholder and at least 20 characters (full-width counts two)', () => {
    expect(justificationProblem(null)).toBe('missing');
    for (const p of ['n/a', 'N/A', '-', 'なし', 'TBD.', '該当なし', '－']) expect(justificationProblem(p)).toBe('placeholder');
    expect(justificationProblem('not needed')).toBe('too short');
    expect(justificationProblem('No premises of our own')).toBeNull();
    expect(textWidth('物理的な拠点なし')).toBe(16);
    expect(justificationProblem('自社の物理的な拠点はない')).toBeNull();
    expect(isPlaceholder('  unknown ')).toBe(true);
    expect(isPlaceholder('bob')).toBe(false);
  });
});

describe('weeks', () => {
  it('computes ISO weeks in a time zone', () => {
    expect(isoWeek('2026-11-30')).toBe('2026-W49');
    expect(isoWeek('2026-01-01')).toBe('2026-W01');
    expect(isoWeek('2027-01-01')).toBe('2026-W53');
    expect(isoWeek('2024-12-30')).toBe('2025-W01');
    // Sunday 20:00 UTC is already Monday in Tokyo.
    expect(localDay(new Date('2026-11-29T20:00:00Z'), 'Asia/Tokyo')).toBe('2026-11-30');
    expect(weekOf(new Date('2026-11-29T20:00:00Z'), 'Asia/Tokyo')).toBe('2026-W49');
    expect(weekOf(new Date('2026-11-29T20:00:00Z'), 'UTC')).toBe('2026-W48');
  });
});

describe.each(engines)('trend (%s)', (engine) => {
  it('keeps the latest snapshot per week and compares with the previous week', async () => {
    const { store, asApp, refusal } = engineStore(engine);
    const log = new DigestLog(store);
    const snap = (week: string, value: number) => ({ week, score: { value, parts: [] } }) as never;
    await log.addSnapshot(snap('2026-W46', 40), new Date('2026-11-09T00:00:00Z'));
    await log.addSnapshot(snap('2026-W47', 50), new Date('2026-11-16T00:00:00Z'));
    await log.addSnapshot(snap('2026-W47', 52), new Date('2026-11-16T01:00:00Z'));
    expect((await log.weekly()).map((s) => [s.week, s.score])).toEqual([['2026-W46', 40], ['2026-W47', 52]]);
    expect(await log.trend({ week: '2026-W48', score: 49 })).toEqual({
      points: [{ week: '2026-W46', score: 40 }, { week: '2026-W47', score: 52 }, { week: '2026-W48', score: 49 }],
      previous: { week: '2026-W47', score: 52 }, delta: -3,
    });
    expect(await log.trend({ week: '2026-W47', score: 60 }, 12)).toMatchObject({ previous: { week: '2026-W46' }, delta: 20 });
    await expect(asApp('DELETE FROM readiness_snapshots')).rejects.toMatchObject(refusal(/append-only/));
    await store.close();
  });
});
