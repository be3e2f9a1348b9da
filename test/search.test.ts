import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../src/catalog/loader.js';
import { SearchEngine } from '../src/search/engine.js';
import { Glossary } from '../src/search/expand.js';
import { detectRole } from '../src/search/query.js';
import { asciiTokens, detectLang, normalise, segmentedTokens, tokenize } from '../src/search/text.js';
import { cli } from './helpers/cli.js';

const catalog = loadCatalog();
const tmp = () => mkdtempSync(join(tmpdir(), 'isms-search-'));

describe('tokenisation', () => {
  it('segments Japanese into words and kanji/katakana bigrams, without particles', () => {
    const t = tokenize('仮想マシンの要塞化は誰が行うのか');
    expect(t).toEqual(expect.arrayContaining(['仮想', 'マシン', '要塞', '要塞化'.slice(0, 2), '塞化']));
    expect(t).not.toContain('の');
    expect(t).not.toContain('は');
  });

  it('stems English and drops stop words', () => {
    expect(tokenize('Who takes the backups of our virtual machines?')).toEqual(['take', 'backup', 'virtual', 'machin']);
  });

  it('gives ASCII text the same tokens without the word segmenter as with it, over every English string of the corpus', () => {
    const texts: string[] = [];
    const walk = (v: unknown): void => {
      if (typeof v === 'string') texts.push(v);
      else if (v && typeof v === 'object') for (const x of Object.values(v)) walk(x);
    };
    for (const dir of ['corpus', 'corpus/controls', 'corpus/responsibility']) {
      for (const f of readdirSync(dir).filter((n) => n.endsWith('.json'))) walk(JSON.parse(readFileSync(join(dir, f), 'utf8')));
    }
    const ascii = texts.map(normalise).filter((t) => [...t].every((c) => c.charCodeAt(0) < 128));
    expect(ascii.length).toBeGreaterThan(1000);
    ascii.push("it's e-mail: a_b 1.5 x/y (ISO/IEC 27017:2015) don't", '  ', '');
    const differ = ascii.filter((t) => asciiTokens(t).join(' ') !== segmentedTokens(t).join(' '));
    expect(differ).toEqual([]);
  });

  it('detects the language and the role a question speaks for', () => {
    expect(detectLang('バックアップは誰の責任？')).toBe('ja');
    expect(detectLang('Who owns backups in SaaS?')).toBe('en');
    expect(detectRole('利用者としてのログ取得の責任')).toBe('customer');
    expect(detectRole('We offer a SaaS product: what must we log for our customers?')).toBe('provider');
    expect(detectRole('事業者と利用者のどちらがバックアップを取るのか')).toBe(null);
  });
});

describe('cross-language expansion', () => {
  const glossary = new Glossary(catalog.glossary);
  it('adds the English forms of a Japanese term, with a lower weight than typed words', () => {
    const e = glossary.expand('鍵管理の責任');
    expect(e.matched.map((m) => m.en)).toContain('key management');
    expect(e.terms.get('kei')).toBeGreaterThan(0);
    expect(e.terms.get('kei')).toBeLessThan(1);
    expect(e.terms.get('鍵')).toBe(1);
  });

  it('adds the Japanese forms of an English term', () => {
    const e = glossary.expand('virtual machine hardening');
    expect(e.matched.map((m) => m.ja)).toContain('要塞化');
    expect([...e.terms.keys()]).toContain('要塞');
  });
});

describe('search over the catalogue (lexical)', () => {
  let engine: SearchEngine;
  const open = async () => (engine ??= await SearchEngine.open({ catalog, dataDir: tmp() }));

  it('finds the backup control across phrasings and languages', async () => {
    const e = await open();
    for (const q of ['who takes backups in SaaS', 'バックアップの取得は誰の責任か', 'restore testing of snapshots']) {
      const r = await e.search(q, { top: 3 });
      expect(r.hits.map((h) => h.controlId), q).toContain('12.3.1');
    }
  });

  it('puts a typed control ID first, in any accepted spelling', async () => {
    const e = await open();
    for (const [q, id] of [['what does A.12.4.1 require', '12.4.1'], ['cld9.5.2 について', 'CLD.9.5.2'], ['１０．１．２の要点', '10.1.2']] as const) {
      const r = await e.search(q, { top: 5 });
      expect(r.hits[0]!.controlId, q).toBe(id);
      expect(r.hits[0]!.via).toContain('id');
    }
  });

  it('returns one hit per control', async () => {
    const e = await open();
    const r = await e.search('ログ 監視 イベントログ logging monitoring', { top: 20 });
    const ids = r.hits.map((h) => h.controlId);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('ranks customer guidance higher when the question is about the customer, and filters by --role', async () => {
    const e = await open();
    const r = await e.search('利用者はバックアップについて何をすべきか', { top: 3 });
    const backup = r.hits.find((h) => h.controlId === '12.3.1')!;
    expect(backup.role).toBe('customer');
    const p = await e.search('backup duties', { top: 10, role: 'provider' });
    expect(p.hits.every((h) => h.role !== 'customer')).toBe(true);
    expect(p.hits.find((h) => h.controlId === '12.3.1')?.role).toBe('provider');
  });
});

describe("the organisation's own documents", () => {
  it('finds an English-only policy from a Japanese question, and a Japanese one from an English question, citing file and heading', async () => {
    const docs = tmp();
    writeFileSync(join(docs, 'backup-policy.md'), '# Backup policy\n\n## Retention\n\nNightly snapshots of every production database are kept for 35 days and restored quarterly as a test.\n\n## Scope\n\nApplies to all workloads.\n');
    mkdirSync(join(docs, 'ja'));
    writeFileSync(join(docs, 'ja', 'encryption.txt'), '暗号鍵の管理手順\n\n暗号鍵は鍵管理サービスで生成し、年に一度ローテーションする。鍵の削除は二名の承認を要する。\n');
    const engine = await SearchEngine.open({ catalog, dataDir: tmp(), docsDir: docs });
    const ja = await engine.search('バックアップの保管期間とリストア試験の方針', { top: 5 });
    expect(ja.documents[0]?.source).toEqual({ file: 'backup-policy.md', heading: 'Backup policy > Retention' });
    expect(ja.hits.map((h) => h.controlId)).toContain('12.3.1');
    const en = await engine.search('how often are encryption keys rotated', { top: 5 });
    expect(en.documents[0]?.source).toEqual({ file: join('ja', 'encryption.txt'), heading: '暗号鍵の管理手順' });
    const off = await engine.search('physical entry controls for the data centre', { top: 5 });
    expect(off.documents).toEqual([]);
  });
});

describe('index lifecycle', () => {
  it('reloads a persisted index, and rebuilds when the documents change', async () => {
    const dataDir = tmp();
    const docs = tmp();
    writeFileSync(join(docs, 'a.md'), '# Access\n\nAccess reviews run every quarter.\n');
    const first = await SearchEngine.open({ catalog, dataDir, docsDir: docs });
    expect(first.report.lexical).toBe('built');
    const again = await SearchEngine.open({ catalog, dataDir, docsDir: docs });
    expect(again.report.lexical).toBe('loaded');
    expect(again.chunkCount).toBe(first.chunkCount);
    writeFileSync(join(docs, 'b.md'), '# Clocks\n\nAll servers use the provider NTP service.\n');
    const changed = await SearchEngine.open({ catalog, dataDir, docsDir: docs });
    expect(changed.report.lexical).toBe('built');
    expect(changed.report.reasons).toEqual(['lexical: corpus or documents changed']);
    expect(changed.chunkCount).toBe(first.chunkCount + 1);
  });

  it('detects a corrupt index file and rebuilds instead of trusting it', async () => {
    const dataDir = tmp();
    await SearchEngine.open({ catalog, dataDir });
    const file = join(dataDir, 'index', 'lexical.json');
    writeFileSync(file, readFileSync(file, 'utf8').replace('"12.3.1', '"99.9.9'));
    const e = await SearchEngine.open({ catalog, dataDir });
    expect(e.report.lexical).toBe('built');
    expect(e.report.reasons[0]).toMatch(/does not match its manifest/);
    writeFileSync(join(dataDir, 'index', 'manifest.json'), '{not json');
    expect((await SearchEngine.open({ catalog, dataDir })).report.lexical).toBe('built');
  });
});

describe('cli search', () => {
  it('answers a batch as JSONL, one line per input, with malformed lines reported and the rest answered', () => {
    const dir = tmp();
    const file = join(dir, 'q.jsonl');
    writeFileSync(file, '\uFEFF' + [
      '{"id": "q1", "query": "deletion of customer data when the contract ends"}',
      '{"id": "q2", "query": ',
      '{"id": "q3"}',
      '',
      '{"id": "q4", "query": "仮想マシンの要塞化"}',
    ].join('\n'));
    const r = cli(['search', '--batch', file, '--top', '3', '--json'], { ISMS_DATA_DIR: dir, EMBEDDINGS: 'off' });
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(4);
    expect(lines[0].id).toBe('q1');
    expect(lines[0].hits.map((h: { controlId: string }) => h.controlId)).toContain('CLD.8.1.5');
    expect(lines[0].hits[0]).toEqual({ controlId: expect.any(String), score: expect.any(Number), facet: expect.any(String), lang: expect.stringMatching(/^(en|ja)$/) });
    expect(lines[1]).toEqual({ id: null, error: expect.stringMatching(/^line 2: not valid JSON/) });
    expect(lines[2]).toEqual({ id: null, error: 'line 3: needs a non-empty string "query" (id "q3")' });
    expect(lines[3].hits[0].controlId).toBe('CLD.9.5.2');
  });

  it('prints recall@K as the last line of eval', () => {
    const dir = tmp();
    const file = join(dir, 'e.jsonl');
    writeFileSync(file, '{"id":"a","lang":"en","query":"information backup","expected":["A.12.3.1"]}\n{"id":"b","lang":"ja","query":"クロックの同期","expected":["12.4.4"]}\n{"id":"c","lang":"en","query":"tea ceremony etiquette","expected":["5.1.2"]}\n');
    const r = cli(['eval', '--file', file, '--top', '5'], { ISMS_DATA_DIR: dir, EMBEDDINGS: 'off' });
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines.at(-1)).toBe('recall@5 0.667 (2/3)');
    expect(r.stdout).toContain('c [en] tea ceremony etiquette');
  });
});
