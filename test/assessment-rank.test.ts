// Ranked risk proposals and suggested values: what fits a service comes first, each with a reason; likelihood × impact
// and owners are suggested with theirs.
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRiskFit } from '../src/assessment/library.js';
import { rankRisks, TOP } from '../src/assessment/rank.js';
import { suggestedRisks } from '../src/assessment/steps/risks.js';
import { suggest } from '../src/assessment/suggest.js';
import type { AssessmentState, DraftRisk } from '../src/assessment/types.js';
import { CorpusError, defaultCorpusDir, loadCatalog, readCorpus } from '../src/catalog/loader.js';
import { loadConfig } from '../src/config.js';

const catalog = loadCatalog();
const fit = loadRiskFit(catalog);
const levels = loadConfig({}).riskLevels;

function state(scope: Partial<AssessmentState['scope']>, extra: Partial<AssessmentState> = {}): AssessmentState {
  return {
    version: 2, id: 'A-test', thread: 'T', startedBy: 'alice', startedAt: '', updatedAt: '', lang: 'en', step: 'risks',
    scope: { assets: [], ...scope }, offered: [], risks: [], cursor: 0, missed: [], decisions: [], answers: [], ...extra,
  };
}

const saasOnAws = state({
  service: 'Acme Portal', role: 'both', model: 'SaaS', runsOn: 'AWS',
  assets: [{ name: 'customer records', classification: 'confidential' }, { name: 'invoices', classification: 'internal' }],
});

describe('ranked risk proposals', () => {
  it('puts the peer-provider and tenant-isolation risks in the top 8 of a SaaS on IaaS with confidential data, each with its reason', () => {
    const top = rankRisks(saasOnAws, catalog, fit).slice(0, TOP);
    expect(top).toHaveLength(8);
    const byId = new Map(top.map((r) => [r.id, r]));
    // RL-14: a failure at the provider the SaaS runs on (its peer provider); RL-02: one tenant's data reaching another.
    expect(byId.get('RL-14')?.reason.en).toMatch(/^runs on AWS → .*peer provider/);
    expect(byId.get('RL-02')?.reason.en).toMatch(/^SaaS provider: many customers share one system → .*tenant/);
    expect(byId.get('RL-14')?.reason.ja).toMatch(/^AWS 上で稼働 → .*ピアクラウドサービスプロバイダ/);
    // Every proposal says why, in both languages: the fact about the service, then what goes wrong.
    for (const r of top) for (const lang of ['en', 'ja'] as const) expect(r.reason[lang], r.id).toMatch(/^.+ → .+$/);
    // The hypervisor risk belongs to an IaaS or PaaS provider: not proposed to a SaaS on AWS at all.
    expect(rankRisks(saasOnAws, catalog, fit).map((r) => r.id)).not.toContain('RL-03');
  });

  it('suggests the strongest fits (at least 3 of the top 8) for "ok"', () => {
    const ranked = rankRisks(saasOnAws, catalog, fit);
    const suggested = suggestedRisks(ranked);
    expect(suggested.length).toBeGreaterThanOrEqual(3);
    expect(suggested.length).toBeLessThanOrEqual(TOP);
    expect(suggested).toEqual(ranked.slice(0, suggested.length).map((r) => r.id));
    expect(suggested).toEqual(expect.arrayContaining(['RL-02', 'RL-14']));
  });

  it('ranks by what the service is: a customer of a SaaS is not told about tenants it does not run', () => {
    const m365 = state({ service: 'M365', role: 'customer', model: 'SaaS', runsOn: null, assets: [{ name: 'mail', classification: 'internal' }] });
    const ranked = rankRisks(m365, catalog, fit);
    const top = ranked.slice(0, TOP);
    // "M365" is Microsoft 365 in the product vocabulary: its own risks (misconfiguration, weak sign-in) lead.
    expect(top[0]!).toMatchObject({ id: 'RL-08', reason: { en: expect.stringMatching(/^uses Microsoft 365 → /) } });
    expect(top.find((r) => r.id === 'RL-18')?.reason.en).toMatch(/^uses Microsoft 365 → /);
    expect(top.find((r) => r.id === 'RL-14')?.reason.en).toMatch(/^you use M365 → /);
    expect(ranked.findIndex((r) => r.id === 'RL-02')).toBeGreaterThan(ranked.findIndex((r) => r.id === 'RL-08'));
    // Risks of a provider only (an insider at the provider) do not fit a customer.
    expect(ranked.map((r) => r.id)).not.toContain('RL-26');
  });

  it('weighs the classification: confidentiality risks drop when every asset is public', () => {
    const open = state({ ...saasOnAws.scope, assets: [{ name: 'product catalogue', classification: 'public' }] });
    const position = (s: AssessmentState, id: string) => rankRisks(s, catalog, fit).findIndex((r) => r.id === id);
    expect(position(open, 'RL-02')).toBeGreaterThan(position(saasOnAws, 'RL-02'));
    expect(rankRisks(open, catalog, fit).find((r) => r.id === 'RL-02')!.score).toBeLessThan(rankRisks(saasOnAws, catalog, fit).find((r) => r.id === 'RL-02')!.score);
  });

  it('raises the risks of the products named: code on GitHub brings leaked cloud secrets into the top 8', () => {
    const withGitHub = state({ ...saasOnAws.scope, runsOn: 'AWS, GitHub' });
    const before = rankRisks(saasOnAws, catalog, fit).slice(0, TOP).map((r) => r.id);
    const top = rankRisks(withGitHub, catalog, fit).slice(0, TOP);
    expect(before).not.toContain('RL-38');
    expect(top.find((r) => r.id === 'RL-38')?.reason.en).toMatch(/uses GitHub|runs on AWS, GitHub/);
  });

  it('checks corpus/risk-fit.json: every library risk has an entry, and only products the vocabulary knows', () => {
    expect([...fit.keys()].sort()).toEqual(catalog.risks.map((r) => r.id).sort());
    const dir = mkdtempSync(join(tmpdir(), 'risk-fit-'));
    cpSync(defaultCorpusDir, dir, { recursive: true });
    const broken = [...fit.values()].filter((f) => f.id !== 'RL-14').map((f) => (f.id === 'RL-08' ? { ...f, products: ['Amazon S4'] } : f));
    writeFileSync(join(dir, 'risk-fit.json'), JSON.stringify(broken));
    let error: unknown;
    try {
      readCorpus(dir);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CorpusError);
    expect(String((error as Error).message)).toMatch(/RL-14 has no entry/);
    expect(String((error as Error).message)).toMatch(/"Amazon S4" is not a product in products\.json/);
  });
});

describe('suggested values', () => {
  const draft = (id: string): DraftRisk => {
    const r = catalog.risks.find((x) => x.id === id)!;
    return { libraryId: id, title: r.title.en, cia: `${r.cia.confidentiality ? 'C' : ''}${r.cia.integrity ? 'I' : ''}${r.cia.availability ? 'A' : ''}`, controls: [] };
  };
  const titles = (id: string) => { const r = catalog.risks.find((x) => x.id === id)!; return [r.title.en, r.title.ja]; };

  it('takes likelihood × impact from the library and raises the impact for strictly confidential assets, saying why', () => {
    const s = suggest(saasOnAws, draft('RL-14'), fit.get('RL-14'), titles('RL-14'), { earlier: [] }, levels);
    expect([s.likelihood, s.impact, s.treatment]).toEqual([fit.get('RL-14')!.likelihood, fit.get('RL-14')!.impact, 'modify']);
    expect(s.why.score).toBe(`library typical ${fit.get('RL-14')!.likelihood}×${fit.get('RL-14')!.impact}`);
    const secret = state({ ...saasOnAws.scope, assets: [{ name: 'payroll data', classification: 'strictly confidential' }] });
    const raised = suggest(secret, draft('RL-14'), fit.get('RL-14'), titles('RL-14'), { earlier: [] }, levels);
    expect(raised.impact).toBe(Math.min(5, fit.get('RL-14')!.impact + 1));
    expect(raised.why.score).toContain('impact +1: payroll data is strictly confidential');
  });

  it('proposes to retain a risk whose suggested level is the lowest band', () => {
    const s = suggest(saasOnAws, draft('RL-10'), fit.get('RL-10'), titles('RL-10'), { earlier: [] }, levels);
    expect(s.likelihood * s.impact).toBeLessThanOrEqual(6);
    expect([s.treatment, s.why.treatment]).toEqual(['retain', 'level low: retaining is proposed']);
  });

  it('suggests the owner of the same risk in an earlier assessment of the service, then the previous risk here, then the service, then the profile', () => {
    const earlier = [
      { service: 'Acme Portal', title: 'Supply-chain failure of a sub-provider', owner: 'dave' },
      { service: 'Acme Portal', title: 'Insecure APIs', owner: 'erin' },
      { service: 'Acme Portal', title: 'Missing or insufficient logs', owner: 'erin' },
      { service: 'Other', title: 'Unintended data sharing between tenants', owner: 'zed' },
    ];
    const s = (st: AssessmentState, id: string, profileBy?: string) => suggest(st, draft(id), fit.get(id), titles(id), { earlier, profileBy }, levels);
    expect([s(saasOnAws, 'RL-14').owner, s(saasOnAws, 'RL-14').why.owner]).toEqual(['dave', 'owned this risk in the last assessment of Acme Portal']);
    const second = state(saasOnAws.scope, { risks: [{ ...draft('RL-17'), owner: 'frank' }, draft('RL-02')], cursor: 1 });
    expect([s(second, 'RL-02').owner, s(second, 'RL-02').why.owner]).toEqual(['frank', 'as for the previous risk']);
    expect([s(saasOnAws, 'RL-02').owner, s(saasOnAws, 'RL-02').why.owner]).toEqual(['erin', 'owns 2 risk(s) of Acme Portal']);
    const fresh = state({ ...saasOnAws.scope, service: 'New Service' });
    expect([s(fresh, 'RL-02', 'grace').owner, s(fresh, 'RL-02', 'grace').why.owner]).toEqual(['grace', 'recorded the scope profile']);
    expect(s(fresh, 'RL-02').owner).toBeUndefined();
  });
});
