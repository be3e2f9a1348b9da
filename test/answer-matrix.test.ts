// Answers that answer: the responsibility matrix in the corpus, who is asking in which model, and how an
// extractive answer is composed (direct sentence first, relevant guidance, nothing unrelated).
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { AnswerEngine } from '../src/answer/engine.js';
import { detectHats } from '../src/answer/hats.js';
import { relevantSentences, questionTerms } from '../src/answer/sentences.js';
import { CorpusError, defaultCorpusDir, loadCatalog, readCorpus } from '../src/catalog/loader.js';
import { SearchEngine } from '../src/search/engine.js';

const catalog = loadCatalog();
let engine: AnswerEngine;
beforeAll(async () => {
  const search = await SearchEngine.open({ catalog, dataDir: mkdtempSync(join(tmpdir(), 'isms-matrix-')) });
  engine = new AnswerEngine(catalog, search);
});

function problemsAfter(file: string, edit: (data: any) => unknown): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'corpus-'));
  cpSync(defaultCorpusDir, dir, { recursive: true });
  const path = join(dir, file);
  writeFileSync(path, JSON.stringify(edit(JSON.parse(readFileSync(path, 'utf8')))));
  try {
    readCorpus(dir);
  } catch (e) {
    expect(e).toBeInstanceOf(CorpusError);
    return (e as CorpusError).problems.map((p) => `${p.file} ${p.path}: ${p.reason}`);
  }
  throw new Error('expected the corpus to be rejected');
}

describe('the responsibility matrix', () => {
  it('covers every 27017 item in IaaS, PaaS and SaaS', () => {
    for (const e of catalog.cloudItems()) {
      const row = catalog.responsibility(e.id);
      expect(row, e.id).toBeDefined();
      for (const m of ['IaaS', 'PaaS', 'SaaS'] as const) expect(row!.models[m].customer.ja.length, `${e.id} ${m}`).toBeGreaterThan(10);
    }
    expect(catalog.responsibility('12.6.1')!.models.IaaS.actor).toBe('customer');
  });

  it('refuses a missing row for a 27017 item, an unknown control, a duplicate and a bad actor', () => {
    expect(problemsAfter('responsibility/clauses-12-18.json', (d) => d.filter((r: any) => r.control !== '12.3.1')))
      .toContainEqual(expect.stringMatching(/no row for the 27017 item\(s\) 12\.3\.1/));
    expect(problemsAfter('responsibility/clauses-12-18.json', (d) => [...d, { ...d[0], control: '99.1.1' }]))
      .toContainEqual(expect.stringMatching(/responsibility\/clauses-12-18\.json \[\d+ control=99\.1\.1\]: unknown control 99\.1\.1/));
    expect(problemsAfter('responsibility/clauses-12-18.json', (d) => [...d, { ...d[0], control: '9.2.3' }]))
      .toContainEqual(expect.stringMatching(/duplicate row for 9\.2\.3 \(also in responsibility\/clauses-05-11\.json\)/));
    expect(problemsAfter('responsibility/clauses-05-11.json', (d) => { d[0].models.IaaS.actor = 'nobody'; return d; }))
      .toContainEqual(expect.stringMatching(/models\.IaaS\.actor: /));
  });
});

describe('who is asking, in which model', () => {
  const hats = (q: string) => detectHats(q, catalog.products);
  it.each([
    ['EC2 patching: us or AWS?', 'both', 'IaaS'],
    ['Do we have to monitor AWS for suspicious activity?', 'customer', 'IaaS'],
    ['we use AWS for our data warehouse', 'customer', 'IaaS'],
    ['M365 を利用していますがバックアップは必要？', 'customer', 'SaaS'],
    ['customers keep asking whether our SaaS admin console supports MFA', 'provider', 'SaaS'],
    ['当社のサービスを提供している立場で、ログは何を残す？', 'provider', null],
    ['インシデント調査のために、SaaSベンダーにログを出してもらいたい', 'customer', 'SaaS'],
    ['Can we ask our provider for its SOC 2 report?', 'customer', null],
  ])('%s → %s in %s', (q, role, model) => {
    expect(hats(q)).toMatchObject({ role, model });
  });

  it('sees a SaaS built on IaaS as both hats', () => {
    const h = hats('うちのSaaS（AWS上で運用）の責任分界表って作らなきゃダメ？');
    expect(h.role).toBe('both');
    expect(h.both).toMatchObject({ service: 'SaaS', platform: { name: 'AWS', model: 'IaaS' } });
  });
});

describe('composing an extractive answer', () => {
  it('starts with a direct sentence from the matrix for the role and model asked, then cites', async () => {
    const a = await engine.ask('EC2 patching: us or AWS?');
    const first = a.answer.split('\n')[0]!;
    expect(first).toMatch(/^In IaaS \(Amazon EC2\): The customer patches the guest operating system.*The provider patches the hypervisor.* \[12\.6\.1\]$/);
    expect(a.citations[0]).toBe('12.6.1');
  });

  it('explains both hats for a SaaS on IaaS', async () => {
    const a = await engine.ask('our SaaS runs on AWS: who isolates one tenant from another?');
    expect(a.role).toBe('both');
    expect(a.answer.split('\n')[0]).toMatch(/^You wear two hats\. As the SaaS provider: .* As a customer of AWS \(IaaS\): /);
  });

  it('picks the guidance sentences that bear on the question, not the first ones', () => {
    const g = catalog.get('12.3.1')!.guidance.customer!.en;
    const first = relevantSentences(g, new Set(), 1, 'en')[0]!;
    const chosen = relevantSentences(g, questionTerms('how long is our backup retention and do we test restores?'), 1, 'en')[0]!;
    expect(chosen).not.toBe(first);
    expect(chosen).toMatch(/restor|retention/i);
  });

  it.each(['clear', 'exit'])('answers "%s" (one word, no question) in one line, with no titles and a low confidence', async (q) => {
    const a = await engine.ask(q);
    expect(a.answer.split('\n')).toHaveLength(1);
    expect(a.citations).toEqual([]);
    expect(a.confidence).toBeLessThan(0.3);
    if (!a.outOfScope) expect(a.answer).toMatch(/could not find a control .* Try naming/);
  });

  it('keeps the thread\'s role and model in a follow-up', async () => {
    const history = [{ role: 'user' as const, text: 'We use AWS EC2 for the payroll servers. Who patches them?' }, { role: 'assistant' as const, text: '…' }];
    const a = await engine.ask('and backups?', { history });
    expect(a.role).toBe('customer');
    expect(a.answer.split('\n')[0]).toMatch(/^In IaaS/);
  });

  it('carries an everyday Japanese word to the corpus\'s word through the Sudachi synonyms (見張る → 監視)', async () => {
    const a = await engine.ask('クラウドサービスの動きを見張るには何が必要？');
    expect(a.citations[0]).toBe('CLD.12.4.5');
    expect(catalog.synonyms.some((g) => g.includes('見張る') && g.includes('監視'))).toBe(true);
  });

  it('gives CLD controls no "27002 applies as it is" line', async () => {
    const a = await engine.ask('CLD.9.5.1 from the customer side?', { role: 'customer' });
    expect(a.answer).not.toMatch(/27002 applies as it is|そのまま適用/);
  });
});
