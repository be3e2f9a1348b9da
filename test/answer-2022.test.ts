// Search and answers know the ISO/IEC 27001:2022 Annex A IDs.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { checkCitations } from '../src/answer/citations.js';
import { AnswerEngine } from '../src/answer/engine.js';
import { OpenAIChat } from '../src/answer/llm.js';
import { splitSentences } from '../src/answer/sentences.js';
import { firstSentences } from '../src/answer/text.js';
import { loadCatalog } from '../src/catalog/loader.js';
import { SearchEngine } from '../src/search/engine.js';
import { cli } from './helpers/cli.js';
import { startFakeOpenAI, type FakeOpenAI } from './helpers/fake-openai.js';

const catalog = loadCatalog();
let search: SearchEngine;
let fake: FakeOpenAI;
const extractive = () => new AnswerEngine(catalog, search);
const llm = () => new AnswerEngine(catalog, search, { chat: new OpenAIChat({ apiKey: 'sk-test', baseURL: fake.baseURL, model: 'fake-model', timeoutMs: 2000, maxRetries: 0 }) });
/** The first sentence of a catalogue text, as the answer quotes it. */
const opening = (text: string, lang: 'en' | 'ja') => firstSentences(text, 1, lang);
/** Whether the first line of `text` after `label` holds only whole sentences of `guidance`, at least one. */
function guidanceLine(text: string, label: string, guidance: string, lang: 'en' | 'ja'): boolean {
  const at = text.indexOf(label);
  if (at < 0) return false;
  const line = text.slice(at + label.length).split('\n')[0]!;
  const own = splitSentences(guidance, lang);
  const shown = splitSentences(line, lang);
  return shown.length > 0 && shown.every((s) => own.includes(s));
}

beforeAll(async () => {
  search = await SearchEngine.open({ catalog, dataDir: mkdtempSync(join(tmpdir(), 'isms-2022-')) });
  fake = await startFakeOpenAI();
});
afterAll(() => fake.close());
beforeEach(() => {
  fake.requests.length = 0;
});

describe('search with 2022 IDs', () => {
  it('puts a typed 2022 ID first, in any accepted spelling, followed by the 27017 items it maps to', async () => {
    for (const q of ['8.16', 'A.8.16 について', '８．１６の要点']) {
      const r = await search.search(q, { top: 3 });
      expect(r.hits.map((h) => h.controlId), q).toEqual(['8.16', 'CLD.12.4.5', '12.4.1']);
      expect(r.hits[0]!.via).toContain('id');
      expect(r.hits[0]!.facet).toBe('annex2022');
      expect(r.hits[1]!.via).toContain('mapping');
    }
    const r = await search.search('5.23 の要求事項は？', { top: 5 });
    expect(r.hits[0]!.controlId).toBe('5.23');
    expect(r.hits.map((h) => h.controlId)).toContain('CLD.6.3.1');
    expect(r.hits.map((h) => h.controlId)).not.toContain('18.1.1');
  });

  it('keeps the 2013 and CLD controls first for ordinary questions', async () => {
    const r = await search.search('who takes backups in SaaS', { top: 5 });
    expect(r.hits[0]!.controlId).toBe('12.3.1');
    // 8.13 restates 12.3.1: it votes for it instead of taking a place of its own.
    expect(r.hits.map((h) => h.controlId)).not.toContain('8.13');
  });

  it('ranks a new 2022 control on its own words only when it clearly wins', async () => {
    const r = await search.search('web filtering', { top: 5 });
    expect(r.hits[0]!.controlId).toBe('8.23');
    expect(r.hits.filter((h) => catalog.get(h.controlId!)?.kind === 'annex2022')).toHaveLength(1);
  });
});

describe('extractive answers about 2022 controls', () => {
  it('answers "5.23 の要求事項は？" with the 5.23 summary and the guidance of its 27017 items, each cited', async () => {
    const a = await extractive().ask('5.23 の要求事項は？');
    expect(a).toMatchObject({ language: 'ja', role: 'both', mode: 'extractive' });
    expect(a.citations[0]).toBe('5.23');
    expect(a.citations).toEqual(expect.arrayContaining(['CLD.6.3.1', 'CLD.8.1.5', '15.1.1']));
    expect(a.citations).not.toContain('18.1.1');
    const e = catalog.get('5.23')!;
    expect(a.answer).toContain(`*5.23 ${e.title.ja}*`);
    expect(a.answer).toContain(opening(e.summary.ja, 'ja'));
    expect(a.answer).toContain('2022年版で新設');
    const cld = catalog.get('CLD.6.3.1')!;
    expect(a.answer).toContain(`• CLD.6.3.1 ${cld.title.ja}`);
    // Under the item, each role's line is made of sentences of that role's guidance (chosen by relevance).
    const item = a.answer.slice(a.answer.indexOf(`• CLD.6.3.1`));
    expect(guidanceLine(item, 'カスタマ（クラウドサービス利用者）: ', cld.guidance.customer!.ja, 'ja')).toBe(true);
    expect(guidanceLine(item, 'プロバイダ（クラウドサービス事業者）: ', cld.guidance.provider!.ja, 'ja')).toBe(true);
  });

  it('answers an English customer question about 8.16 with customer guidance of CLD.12.4.5', async () => {
    const a = await extractive().ask('What does 8.16 monitoring activities require from a cloud customer?');
    expect(a).toMatchObject({ language: 'en', role: 'customer' });
    expect(a.citations.slice(0, 2)).toEqual(['8.16', 'CLD.12.4.5']);
    expect(a.answer).toContain(opening(catalog.get('8.16')!.summary.en, 'en'));
    const item = a.answer.slice(a.answer.indexOf('• CLD.12.4.5'));
    expect(guidanceLine(item, 'Customer (cloud service customer): ', catalog.get('CLD.12.4.5')!.guidance.customer!.en, 'en')).toBe(true);
    expect(a.answer).not.toContain('Provider (cloud service provider):');
    // The 2013 item under it shows its own 2022 number.
    expect(a.answer).toContain('• 12.4.1 Event logging (2022: 8.15)');
  });

  it('names the 2013 sources of a 2022 control that is not new', async () => {
    const a = await extractive().ask('8.13 とは？');
    expect(a.citations).toEqual(['8.13', '12.3.1']);
    expect(a.answer).toContain('2013年版の対応管理策: 12.3.1 情報のバックアップ');
    expect(a.answer).not.toContain('2022年版で新設');
  });

  it('says when no 27017 guidance maps to a new control', async () => {
    const a = await extractive().ask('What is 8.23 web filtering?');
    expect(a.citations[0]).toBe('8.23');
    expect(a.answer).toContain('ISO/IEC 27017 maps no cloud guidance to this control');
  });

  it('shows the 2022 number next to a cited 2013 control, in both languages', async () => {
    const en = await extractive().ask('What does 12.4.1 require?');
    expect(en.citations[0]).toBe('12.4.1');
    expect(en.answer).toContain('*12.4.1 Event logging* (2022: 8.15)');
    const ja = await extractive().ask('12.4.1 の要求事項は？');
    expect(ja.answer).toContain('*12.4.1 イベントログ取得*（2022年版: 8.15）');
    // The citations stay the 2013 IDs the answer rests on.
    expect(ja.citations).not.toContain('8.15');
  });
});

describe('LLM mode with 2022 controls', () => {
  it('labels the context with 2022 numbers, accepts retrieved 2022 IDs and keeps label numbers in the text', async () => {
    fake.reply = () => ({ content: 'Watch for anomalies [8.16]. Use the provider feeds [CLD.12.4.5] and keep logs [12.4.1] (2022: 8.15). Also [5.7].' });
    const a = await llm().ask('What does 8.16 monitoring activities require from a cloud customer?');
    const user = fake.requests[0]!.body.messages[1].content as string;
    expect(user).toContain('[8.16] Monitoring activities / 監視活動 (ISO/IEC 27001:2022 Annex A; new in 2022)');
    expect(user).toContain('ISO/IEC 27017 items: CLD.12.4.5, 12.4.1');
    expect(user).toContain('[12.4.1] Event logging / イベントログ取得 (ISO/IEC 27001:2022: 8.15)');
    expect(a.mode).toBe('llm');
    expect(a.citations).toEqual(['8.16', 'CLD.12.4.5', '12.4.1']);
    expect(a.removedCitations).toEqual(['5.7']);
    expect(a.answer).toContain('[12.4.1] (2022: 8.15)');
    expect(a.answer).not.toContain('[5.7]');
  });
});

describe('the ask command', () => {
  it('keeps its JSON shape and cites 5.23 for a 5.23 question', () => {
    const env = { ISMS_DATA_DIR: mkdtempSync(join(tmpdir(), 'isms-2022-cli-')), EMBEDDINGS: 'off', OPENAI_API_KEY: '' };
    const r = cli(['ask', '5.23 の要求事項は？', '--json'], env);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(Object.keys(out)).toEqual(['answer', 'citations', 'language', 'role', 'mode', 'confidence']);
    expect(out).toMatchObject({ language: 'ja', mode: 'extractive' });
    expect((out.citations as string[])[0]).toBe('5.23');
    expect(out.citations).toContain('CLD.6.3.1');
  });
});

describe('citation check', () => {
  it('treats bare numbers outside the context as text, and bracketed unknown 2022 IDs as citations to remove', () => {
    const c = checkCitations('See [5.23] and A.8.16; version 5.1 of the agent logs 8.5% more. Not [7.4].', new Set(['5.23']));
    expect(c.cited).toEqual(['5.23']);
    expect(c.removed).toEqual(['8.16', '7.4']);
    expect(c.text).toContain('version 5.1 of the agent logs 8.5% more');
    expect(c.text).not.toContain('7.4');
  });
});
