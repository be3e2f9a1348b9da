// How an extractive answer picks its sentences: relevance weighted by how rare a term is, the glossary's other forms,
// the service model asked about, a shared length budget across controls, topics the question names, and the scope.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { layout, part, seed, type Block } from '../src/answer/compose.js';
import { AnswerEngine } from '../src/answer/engine.js';
import { ANSWER_BUDGET } from '../src/answer/extractive.js';
import { modelFocus, scoreSentences, splitSentences, warmSentences, weightedTerms } from '../src/answer/sentences.js';
import { Catalog } from '../src/catalog/catalog.js';
import { topicsNamed } from '../src/answer/topics.js';
import { loadCatalog } from '../src/catalog/loader.js';
import { SearchEngine } from '../src/search/engine.js';

const catalog = loadCatalog();
let engine: AnswerEngine;
beforeAll(async () => {
  const search = await SearchEngine.open({ catalog, dataDir: mkdtempSync(join(tmpdir(), 'isms-compose-')) });
  engine = new AnswerEngine(catalog, search);
});

const scored = (q: string, text: string, lang: 'en' | 'ja' = 'en', models: string[] = []) => {
  const { terms, rarity } = weightedTerms(catalog, q, lang);
  return scoreSentences(text, terms, lang, rarity, modelFocus(models));
};

describe('choosing sentences', () => {
  it('weighs a rare word of the question above a word every guidance uses', () => {
    const [common, rare] = scored('cloud snapshot', 'Cloud services differ. Snapshots are kept for a week.');
    expect(rare!.r).toBeGreaterThan(common!.r);
  });

  it('matches English words whose stems differ by a letter (cryptography, cryptographic)', () => {
    const [s] = scored('use of cryptography', 'Set rules for cryptographic controls.');
    expect(s!.r).toBeGreaterThan(0);
  });

  it('finds a sentence through the glossary when the question uses another form (pentest → penetration test)', () => {
    const [s] = scored('can a customer pentest us?', 'Publish the rules for penetration tests by customers.');
    expect(s!.r).toBeGreaterThan(0);
  });

  it('adds only forms in the answer language: an English question gets no Japanese terms', () => {
    const { terms } = weightedTerms(catalog, 'encryption key rotation', 'en');
    expect([...terms.keys()].some((t) => /[\u3040-\u30ff\u3400-\u9fff]/.test(t))).toBe(false);
  });

  it('reads a sentence about another service model at half weight when the question names one', () => {
    const text = 'In IaaS you back up your virtual machines. In SaaS check the retention of deleted items.';
    const [iaas, saas] = scored('back up deleted items', text, 'en', ['SaaS']);
    const [iaasFree] = scored('back up deleted items', text, 'en');
    expect(iaas!.r).toBeCloseTo(iaasFree!.r / 2, 5);
    expect(saas!.r).toBeGreaterThan(iaas!.r);
  });
});

describe('laying out an answer within its budget', () => {
  const block = (id: string, sentences: { s: string; r: number }[], optional = false): Block =>
    ({ id, lines: [`*${id}*`, part('  ', sentences.map((x, i) => ({ ...x, i })))], cites: [id], ...(optional ? { optional } : {}) });
  const text = (blocks: Block[], shown: Set<Block>) => blocks.filter((b) => shown.has(b)).flatMap((b) => b.lines.map((l) => (typeof l === 'string' ? l : [...l.chosen].map((i) => l.sentences[i]!.s).join(' '))));

  it('takes the most relevant sentences of any control, best first, and leaves out what does not fit', () => {
    const lead = block('A', [{ s: 'a1 '.repeat(10), r: 0.5 }, { s: 'a2 '.repeat(10), r: 0 }]);
    const second = block('B', [{ s: 'b1 '.repeat(10), r: 0.6 }, { s: 'b2 '.repeat(40), r: 0.3 }]);
    const blocks = [lead, second];
    seed(lead.lines[1] as never, 1);
    const shown = new Set([lead]);
    const size = () => text(blocks, shown).join('\n').length;
    const left = layout(blocks, shown, size, 100);
    expect(left).toEqual([]);
    expect(text(blocks, shown).join(' ')).toContain('b1');
    // b2 would pass the budget; a2 does not bear on the question at all.
    expect(text(blocks, shown).join(' ')).not.toMatch(/b2|a2/);
    expect(size()).toBeLessThanOrEqual(100);
  });

  it('names a relevant control that does not fit under See also, but never a topic or an unrelated control', () => {
    const lead = block('A', [{ s: 'a'.repeat(80), r: 0.5, typed: 2 }] as never);
    const big = block('B', [{ s: 'b'.repeat(200), r: 0.5, typed: 2 }] as never);
    const stray = block('C', [{ s: 'c'.repeat(200), r: 0.4, typed: 1 }] as never);
    const topic = block('TOPIC-x', [{ s: 't'.repeat(200), r: 0.4, typed: 2 }] as never, true);
    const blocks = [lead, topic, big, stray];
    seed(lead.lines[1] as never, 1);
    const shown = new Set([lead]);
    const left = layout(blocks, shown, () => text(blocks, shown).join('\n').length, 120);
    expect(left.map((b) => b.id)).toEqual(['B']);
    expect(shown.has(topic)).toBe(false);
    // Ranked nearly as high as the best by retrieval, the stray one is named after all.
    expect(layout([lead, { ...stray, strong: true }], new Set([lead]), () => 200, 120).map((b) => b.id)).toEqual(['C']);
  });
});

describe('answers', () => {
  it('keep within the budget of their language, the See also line included', async () => {
    for (const q of ['Do we back up Microsoft 365 ourselves?', 'AWSでIAMポリシーの変更みたいな特権操作のログって、CloudTrailだけで足りる？', 'Customers of our SaaS want to restore their own data from snapshots. Anything to watch?']) {
      const a = await engine.ask(q);
      expect(a.answer.length, q).toBeLessThanOrEqual(ANSWER_BUDGET[a.language]);
    }
  });

  it('name under See also no control that only shares a stray word with the question', async () => {
    // "patch panels" (11.2.3 cabling security) shares one word with "EC2 patching": not an answer, not named.
    const a = await engine.ask('EC2 patching: us or AWS?');
    expect(a.citations[0]).toBe('12.6.1');
    expect(a.citations).not.toContain('11.2.3');
    expect(a.answer).not.toMatch(/Cabling/);
  });

  it('show a sentence from deep in a guidance text when it is the one that answers', async () => {
    const a = await engine.ask('Customers of our SaaS want to restore their own data from snapshots. Anything to watch?');
    // The tenant-confinement sentence comes after the first two of 12.3.1's provider guidance.
    const g = catalog.get('12.3.1')!.guidance.provider!.en;
    const deep = splitSentences(g, 'en').find((s) => /never another tenant/.test(s))!;
    expect(splitSentences(g, 'en').indexOf(deep)).toBeGreaterThan(1);
    expect(a.answer).toContain(deep);
  });

  it('open with the most relevant guidance sentence when no service model is named, then say who acts', async () => {
    const a = await engine.ask('customers want our procedures for dangerous admin operations like deleting a tenant. do we hand them over?', { role: 'provider' });
    const [first, second] = a.answer.split('\n');
    // The sentence says whose guidance it is, then cites the control.
    expect(first).toMatch(/^Provider: .* \[CLD\.12\.1\.5\]$/);
    expect(catalog.get('CLD.12.1.5')!.guidance.provider!.en).toContain(first!.replace(/^Provider: /, '').replace(/ \[CLD\.12\.1\.5\]$/, ''));
    expect(second).toMatch(/^Who acts — IaaS: \w+ · PaaS: \w+ · SaaS: \w+\.$/);
  });

  it('name the role of an opening sentence taken from one role\'s guidance when both roles are answered', async () => {
    const a = await engine.ask('Do we need to patch the hypervisor ourselves?', { role: 'both' });
    expect(a.answer.split('\n')[0]).toMatch(/^(Customer|Provider): /);
  });

  it('bring in a topic the question names (CMDB) and not one it does not', async () => {
    expect(topicsNamed(catalog, 'Do we need a CMDB for our private cloud?').map((t) => t.id)).toEqual(['TOPIC-virtualisation-cmdb']);
    expect(topicsNamed(catalog, 'Who patches EC2?')).toEqual([]);
    const a = await engine.ask('Our IT team runs a VMware private cloud. Do we really need a CMDB, and what goes in it?', { role: 'provider' });
    expect(a.citations[0]).toBe('8.1.1');
    expect(a.answer).toContain('*Topic: Virtualisation and configuration management (CMDB)*');
    expect(a.answer).toMatch(/configuration management database \(CMDB\)/);
  });

  it('explain what the ISMS cloud security certification is from its topic, which opens the answer', async () => {
    const a = await engine.ask('Is JIP-ISMS517 a certification? What is the ISMS cloud security certification exactly?');
    expect(a.citations[0]).toMatch(/^JIP-ISMS517-/);
    const topic = catalog.topics.find((t) => t.id === 'TOPIC-isms-cloud-certification')!;
    const first = a.answer.split('\n')[0]!;
    expect(topic.sections.some((s) => splitSentences(s.body.en, 'en').includes(first))).toBe(true);
    expect(a.answer).toMatch(/JIPDEC/);
    expect(a.answer).toMatch(/ISO\/IEC 27001/);
    // Asked about something else, the topic only supplements: the control's own sentence opens.
    const b = await engine.ask('For the cloud certification, does the scope have to name each cloud service?');
    expect(b.answer.split('\n')[0]).toMatch(/\[JIP-ISMS517-4\.1\]$/);
  });

  it('treat a question about security as in scope even without a glossary term, and a lunch question as out', async () => {
    const a = await engine.ask('Where does Salesforce keep our data, and why should the security team care?');
    expect(a.outOfScope).toBeFalsy();
    expect(a.citations).toContain('18.1.1');
    const b = await engine.ask("what's the best pizza place near the office?");
    expect(b.outOfScope).toBe(true);
    expect(b.citations).toEqual([]);
  });
});

describe('term statistics kept between starts', () => {
  const questions: [string, 'en' | 'ja'][] = [
    ['EC2 のパッチは誰が当てる？', 'ja'], ['Do we back up Microsoft 365 ourselves?', 'en'], ['SoA statement of applicability for a pentest', 'en'],
    ['クラウドの暗号鍵の管理は誰が行う？', 'ja'], ['What must a provider tell customers about data location?', 'en'], ['適用宣言書とリスクアセスメントの関係', 'ja'],
  ];
  const weights = (c: Catalog) => questions.map(([q, lang]) => {
    const { terms, rarity } = weightedTerms(c, q, lang);
    return [...terms].map(([t, w]) => [t, w, rarity(t)]);
  });

  it('are written once to the cache folder and read back the same; a corrupt file is worked out again', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'isms-stats-')), 'cache');
    const built = new Catalog(catalog.raw);
    warmSentences(built, dir);
    const file = join(dir, 'sentence-stats.json');
    expect(existsSync(file)).toBe(true);
    const stored = readFileSync(file, 'utf8');

    const read = new Catalog(catalog.raw);
    warmSentences(read, dir);
    expect(weights(read)).toEqual(weights(built));
    // Nothing was worked out again: the file is as it was written.
    expect(readFileSync(file, 'utf8')).toBe(stored);

    // It is what the next start reads: the same key with another sentence count changes every rarity.
    const parsed = JSON.parse(stored) as { key: string; value: { n: number } };
    writeFileSync(file, JSON.stringify({ key: parsed.key, value: { ...parsed.value, n: 1 } }));
    const altered = new Catalog(catalog.raw);
    warmSentences(altered, dir);
    expect(weights(altered)).not.toEqual(weights(built));

    writeFileSync(file, stored.slice(0, stored.length / 2));
    const again = new Catalog(catalog.raw);
    warmSentences(again, dir);
    expect(weights(again)).toEqual(weights(built));
    expect(readFileSync(file, 'utf8')).toBe(stored);
  });

  it('a stored file under another key (another corpus or tokeniser) is not used', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'isms-stats-')), 'cache');
    warmSentences(new Catalog(catalog.raw), dir);
    const file = join(dir, 'sentence-stats.json');
    const stored = JSON.parse(readFileSync(file, 'utf8')) as { key: string; value: { n: number } };
    // The same key with a changed count would change every rarity: a wrong key must be ignored instead.
    writeFileSync(file, JSON.stringify({ key: 'another', value: { ...stored.value, n: 1 } }));
    const fresh = new Catalog(catalog.raw);
    warmSentences(fresh, dir);
    expect(weights(fresh)).toEqual(weights(new Catalog(catalog.raw)));
    expect(JSON.parse(readFileSync(file, 'utf8')).key).toBe(stored.key);
  });
});
