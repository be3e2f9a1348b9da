import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Catalog } from '../src/catalog/catalog.js';
import { validatedCopy } from '../src/catalog/corpus-copy.js';
import { canonicalId, idsInText } from '../src/catalog/ids.js';
import { CorpusError, defaultCorpusDir, loadCatalog, readCorpus } from '../src/catalog/loader.js';

const seed = JSON.parse(readFileSync(new URL('./fixtures/seed-facts.json', import.meta.url), 'utf8')) as {
  roleTable: Record<string, string[]>;
  cldProviderOnly: string[];
  jaTitles: Record<string, string>;
};
const catalog = loadCatalog();

describe('catalogue counts', () => {
  it('has 114 controls, 37 extended, 7 CLD and 4 JIP-ISMS517 requirements', () => {
    const count = (k: string) => catalog.entries.filter((e) => e.kind === k).length;
    expect(count('control')).toBe(114);
    expect(catalog.entries.filter((e) => e.extended).length).toBe(37);
    expect(count('cld')).toBe(7);
    expect(count('requirement')).toBe(4);
    expect(catalog.entries.filter((e) => e.kind === 'requirement').map((e) => e.id)).toEqual([
      'JIP-ISMS517-4.1', 'JIP-ISMS517-4.2.1', 'JIP-ISMS517-4.2.2', 'JIP-ISMS517-4.3',
    ]);
  });

  it('has each category of 27002:2013 with the right number of controls', () => {
    const perClause: Record<string, number> = {};
    for (const e of catalog.entries.filter((x) => x.kind === 'control')) perClause[e.clause!.id] = (perClause[e.clause!.id] ?? 0) + 1;
    expect(perClause).toEqual({ 5: 2, 6: 7, 7: 6, 8: 10, 9: 14, 10: 2, 11: 15, 12: 14, 13: 7, 14: 13, 15: 5, 16: 7, 17: 4, 18: 8 });
  });

  it('has no duplicate IDs', () => {
    const ids = catalog.entries.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('has a glossary of at least 150 terms and a risk library of at least 30 scenarios', () => {
    expect(catalog.glossary.length).toBeGreaterThanOrEqual(150);
    expect(catalog.risks.length).toBeGreaterThanOrEqual(30);
    expect(catalog.topics.length).toBeGreaterThanOrEqual(3);
  });
});

describe('role flags', () => {
  it('equal the seed table for the 37 extended controls', () => {
    const extended = catalog.entries.filter((e) => e.extended).map((e) => e.id).sort();
    expect(extended).toEqual(Object.keys(seed.roleTable).sort());
    for (const [id, marks] of Object.entries(seed.roleTable)) {
      const e = catalog.get(id)!;
      if (marks.length === 2) {
        expect({ id, ...e.cloudGuidance }).toEqual({ id, customer: marks[0] === '○', provider: marks[1] === '○' });
      }
      expect(e.guidance.customer !== null).toBe(e.cloudGuidance.customer);
      expect(e.guidance.provider !== null).toBe(e.cloudGuidance.provider);
    }
  });

  it('records a reasoned decision for 16.1.7, which the seed marks only once', () => {
    const e = catalog.get('16.1.7')!;
    expect(e.cloudGuidance.customer || e.cloudGuidance.provider).toBe(true);
    expect(e.guidance.note?.en).toMatch(/single|one mark|only one/i);
    expect(e.cloudGuidance).toEqual({ customer: true, provider: true });
    expect(e.guidance.note?.ja.length).toBeGreaterThan(20);
  });

  it('gives CLD.9.5.1 and CLD.13.1.4 to the provider only, the other CLD controls to both', () => {
    for (const e of catalog.entries.filter((x) => x.kind === 'cld')) {
      const providerOnly = seed.cldProviderOnly.includes(e.id);
      expect({ id: e.id, ...e.cloudGuidance }).toEqual({ id: e.id, customer: !providerOnly, provider: true });
    }
  });

  it('gives no cloud guidance to controls that 27017 does not extend', () => {
    const plain = catalog.entries.filter((e) => e.kind === 'control' && !e.extended);
    expect(plain.length).toBe(77);
    for (const e of plain) expect(e.cloudGuidance).toEqual({ customer: false, provider: false });
  });
});

describe('bilingual content', () => {
  it('has every bilingual field non-empty in both languages', () => {
    let pairs = 0;
    const walk = (node: unknown, path: string): void => {
      if (Array.isArray(node)) return node.forEach((x, i) => walk(x, `${path}[${i}]`));
      if (!node || typeof node !== 'object') return;
      const o = node as Record<string, unknown>;
      if ('en' in o && 'ja' in o) {
        pairs++;
        for (const lang of ['en', 'ja']) {
          const v = o[lang];
          const ok = typeof v === 'string' ? v.trim().length > 0 : Array.isArray(v) && v.length > 0 && v.every((s) => typeof s === 'string' && s.trim());
          expect(ok, `${path}.${lang}`).toBe(true);
        }
      }
      for (const [k, v] of Object.entries(o)) walk(v, `${path}.${k}`);
    };
    walk(catalog.raw, 'corpus');
    expect(pairs).toBeGreaterThan(1000);
  });

  it('writes Japanese text in Japanese and English text in English', () => {
    const jaScript = /[\u3040-\u30ff\u4e00-\u9fff]/;
    for (const e of catalog.entries) {
      expect(jaScript.test(e.summary.ja), `${e.id} summary.ja`).toBe(true);
      expect(jaScript.test(e.summary.en), `${e.id} summary.en`).toBe(false);
      for (const g of [e.guidance.customer, e.guidance.provider]) {
        if (!g) continue;
        expect(jaScript.test(g.ja), `${e.id} guidance ja`).toBe(true);
        expect(jaScript.test(g.en), `${e.id} guidance en`).toBe(false);
      }
    }
  });

  it('uses the Japanese titles the seed shows (JIS Q 27002:2014 terms)', () => {
    const norm = (s: string) => s.normalize('NFKC').replace(/[、,，]/g, '、');
    for (const [id, title] of Object.entries(seed.jaTitles)) {
      expect(norm(catalog.get(id)!.title.ja), id).toBe(norm(title));
    }
    const seedMarked = catalog.entries.filter((e) => e.titleJaSource === 'seed').map((e) => e.id);
    for (const id of seedMarked) expect(seed.jaTitles[id], `${id} is marked titleJaSource=seed`).toBeDefined();
  });

  it('gives cloud guidance of 3 sentences or more per role and language', () => {
    const sentences = (s: string, lang: 'en' | 'ja') => s.split(lang === 'ja' ? /。/ : /[.!?](?:\s|$)/).filter((x) => x.trim()).length;
    for (const e of catalog.entries) {
      for (const g of [e.guidance.customer, e.guidance.provider]) {
        if (!g) continue;
        expect(sentences(g.en, 'en'), `${e.id} en`).toBeGreaterThanOrEqual(3);
        expect(sentences(g.ja, 'ja'), `${e.id} ja`).toBeGreaterThanOrEqual(3);
      }
    }
  });
});

describe('references', () => {
  it('maps every 27002:2013 control to at least one valid ISO/IEC 27001:2022 control', () => {
    const size: Record<string, number> = { 5: 37, 6: 8, 7: 14, 8: 34 };
    for (const e of catalog.controls()) {
      expect(e.iso27001_2022.length, e.id).toBeGreaterThan(0);
      for (const m of e.iso27001_2022) {
        const [, theme, num] = /^2022:A\.(\d)\.(\d+)$/.exec(m.id)!;
        expect(Number(num)).toBeLessThanOrEqual(size[theme!]!);
      }
    }
    // Spot checks against the published correspondence.
    expect(catalog.get('12.3.1')!.iso27001_2022.map((m) => m.id)).toEqual(['2022:A.8.13']);
    expect(catalog.get('5.1.1')!.iso27001_2022).toEqual([{ id: '2022:A.5.1', relation: 'merged' }]);
  });

  it('resolves every control cited by risks, topics, requirements and the glossary', () => {
    const cited = [
      ...catalog.risks.flatMap((r) => r.controls),
      ...catalog.topics.flatMap((t) => t.controls),
      ...catalog.glossary.flatMap((g) => g.controls),
      ...catalog.entries.flatMap((e) => e.requirement?.relatedControls ?? []),
    ];
    expect(cited.length).toBeGreaterThan(100);
    for (const id of cited) expect(catalog.has(id), id).toBe(true);
  });
});

describe('broken corpus files', () => {
  function brokenCopy(file: string, edit: (data: any) => unknown): string {
    const dir = mkdtempSync(join(tmpdir(), 'corpus-'));
    cpSync(defaultCorpusDir, dir, { recursive: true });
    const path = join(dir, file);
    const edited = edit(JSON.parse(readFileSync(path, 'utf8')));
    writeFileSync(path, typeof edited === 'string' ? edited : JSON.stringify(edited));
    return dir;
  }
  const problems = (dir: string) => {
    try {
      readCorpus(dir);
    } catch (e) {
      expect(e).toBeInstanceOf(CorpusError);
      return (e as CorpusError).problems;
    }
    throw new Error('expected the corpus to be rejected');
  };

  it('names the file, the path and the reason for an empty Japanese summary', () => {
    const dir = brokenCopy('controls/clause-12.json', (d) => {
      d.controls.find((c: any) => c.id === '12.3.1').summary.ja = '';
      return d;
    });
    const p = problems(dir);
    expect(p).toEqual([{ file: 'controls/clause-12.json', path: expect.stringMatching(/controls\[\d+ id=12\.3\.1\]\.summary\.ja$/), reason: 'must not be empty' }]);
  });

  it('rejects a risk that cites an unknown control, naming it', () => {
    const dir = brokenCopy('risks.json', (d) => {
      d[0].controls.push('99.9.9');
      return d;
    });
    const [p] = problems(dir);
    expect(p!.file).toBe('risks.json');
    expect(p!.reason).toBe('cites unknown control 99.9.9');
  });

  it('rejects invalid JSON and never returns a partial catalogue', () => {
    const dir = brokenCopy('glossary.json', () => '[{"ja": "鍵管理",');
    const p = problems(dir);
    expect(p[0]!.file).toBe('glossary.json');
    expect(p[0]!.reason).toMatch(/not valid JSON/);
  });

  it('rejects a duplicated control ID', () => {
    const dir = brokenCopy('controls/clause-05.json', (d) => {
      d.controls[1].id = '5.1.1';
      return d;
    });
    expect(problems(dir).map((p) => p.reason)).toContain('duplicate ID 5.1.1');
  });

  it('rejects a 2022 mapping that does not exist', () => {
    const dir = brokenCopy('controls/clause-05.json', (d) => {
      d.controls[0].iso27001_2022 = [{ id: '2022:A.5.99', relation: 'same' }];
      return d;
    });
    expect(problems(dir)[0]!.reason).toMatch(/2022:A\.5\.99 is not an ISO\/IEC 27001:2022 Annex A control/);
  });

describe('ISO/IEC 27001:2022 Annex A against the 2013 mappings, both ways', () => {
  const reasons = (dir: string) => problems(dir).map((p) => `${p.file} ${p.path}: ${p.reason}`);

  it('refuses a 2013 control whose mapping points at a 2022 control that does not list it', () => {
    // 12.3.1 maps to 8.13; pointing it at 8.14 leaves 8.13 listing a stranger and 8.14 missing a source.
    const dir = brokenCopy('controls/clause-12.json', (d) => {
      d.controls.find((c: any) => c.id === '12.3.1').iso27001_2022 = [{ id: '2022:A.8.14', relation: 'same' }];
      return d;
    });
    const r = reasons(dir);
    expect(r).toContainEqual(expect.stringMatching(/annex-2022\.json \[\d+ id=8\.13\]\.from2013: lists 12\.3\.1, but 12\.3\.1 does not map to 8\.13/));
    expect(r).toContainEqual(expect.stringMatching(/id=8\.14\]\.from2013: misses 12\.3\.1, whose iso27001_2022 field maps it to 8\.14/));
  });

  it('refuses a 2022 control with no 2013 sources that is not marked new, and a new one that has sources', () => {
    const dir = brokenCopy('annex-2022.json', (d) => {
      d.find((a: any) => a.id === '5.23').isNew = false;
      d.find((a: any) => a.id === '5.1').isNew = true;
      return d;
    });
    const r = reasons(dir);
    expect(r).toContainEqual(expect.stringMatching(/id=5\.23\]\.isNew: is false, but no 2013 control maps to 5\.23: mark it new/));
    expect(r).toContainEqual(expect.stringMatching(/id=5\.1\]\.isNew: is true, but 2013 controls map to 5\.1/));
  });

  it('refuses a missing control, a 27017 item dropped from cloud, and a cloud entry that is not a 27017 item', () => {
    const dir = brokenCopy('annex-2022.json', (d) => {
      const a523 = d.find((a: any) => a.id === '5.23');
      a523.cloud = a523.cloud.filter((id: string) => id !== 'CLD.6.3.1').concat(['11.1.1']);
      return d.filter((a: any) => a.id !== '8.34');
    });
    const r = reasons(dir);
    expect(r).toContainEqual(expect.stringMatching(/id=5\.23\]\.cloud: misses CLD\.6\.3\.1, a 27017 item mapped to 5\.23/));
    expect(r).toContainEqual(expect.stringMatching(/id=5\.23\]\.cloud: 11\.1\.1 is not a 27017 cloud item/));
    expect(r).toContainEqual(expect.stringMatching(/control 8\.34 is missing: the file needs all 93 Annex A controls/));
  });

  it('refuses an unknown attribute value, naming the allowed ones', () => {
    const dir = brokenCopy('annex-2022.json', (d) => {
      d[0].attributes.concepts = ['Protekt'];
      return d;
    });
    expect(problems(dir)[0]).toMatchObject({ file: 'annex-2022.json', path: expect.stringMatching(/^\[0 id=5\.1\]\.attributes\.concepts\[0\]$/) });
  });
});
});

describe('the 2022 catalogue', () => {
  const titles = (JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures/iso27001-2022-titles.json'), 'utf8')) as { titles: Record<string, string> }).titles;

  it('holds the 93 controls with the official English titles, themes and the 11 new ones', () => {
    const annex = catalog.annex2022();
    expect(annex.map((e) => e.id)).toEqual(Object.keys(titles));
    for (const e of annex) expect(`${e.id} ${e.title.en}`).toBe(`${e.id} ${titles[e.id]}`);
    expect(annex.filter((e) => e.annex2022!.isNew).map((e) => e.id)).toEqual(['5.7', '5.23', '5.30', '7.4', '8.9', '8.10', '8.11', '8.12', '8.16', '8.23', '8.28']);
    const perTheme = Object.fromEntries(['organizational', 'people', 'physical', 'technological'].map((t) => [t, annex.filter((e) => e.annex2022!.theme === t).length]));
    expect(perTheme).toEqual({ organizational: 37, people: 8, physical: 14, technological: 34 });
  });

  it('maps every 2013 control to at least one of the 93, and each 2022 control names the 27017 items that bear on it', () => {
    const annexIds = new Set(catalog.annex2022().map((e) => e.id));
    for (const e of catalog.controls()) for (const m of e.iso27001_2022) expect(annexIds.has(m.id.slice('2022:A.'.length))).toBe(true);
    expect(catalog.get('5.23')!.annex2022!.cloud).toEqual(expect.arrayContaining(['CLD.6.3.1', 'CLD.8.1.5', '15.1.1', '15.1.2', '15.1.3', '6.1.1']));
    expect(catalog.get('8.16')!.annex2022!.cloud).toContain('CLD.12.4.5');
    expect(catalog.get('8.13')!.annex2022!.from2013).toEqual(['12.3.1']);
  });
});

describe('ID normalisation', () => {
  it.each([
    ['A.12.3.1', '12.3.1'], ['a.12.3.1', '12.3.1'], ['12.3.1', '12.3.1'], ['１２．３．１', '12.3.1'],
    ['CLD9.5.1', 'CLD.9.5.1'], ['cld.9.5.1', 'CLD.9.5.1'], ['ＣＬＤ．９．５．１', 'CLD.9.5.1'],
    ['JIP-ISMS517-4.2.2', 'JIP-ISMS517-4.2.2'], ['4.2.2', 'JIP-ISMS517-4.2.2'], ['2022:A.8.13', '8.13'], ['A.5.23', '5.23'], ['５．２３', '5.23'], ['A 8.16', '8.16'], ['2022:5.23', '5.23'],
  ])('%s resolves to %s', (raw, id) => {
    expect(canonicalId(raw)).toBe(id);
    if (!id.startsWith('2022')) expect(catalog.resolve(raw)).toMatchObject({ ok: true, id });
  });

  it('suggests the nearest IDs for an unknown one', () => {
    const r = catalog.resolve('12.3.9');
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.suggestions).toContain('12.3.1');
      expect(r.message).toMatch(/no control 12\.3\.9 in the catalogue\. Did you mean 12\.3\.1/);
    }
    const bad = catalog.resolve('backup');
    expect(bad.ok).toBe(false);
  });

  it('finds IDs written inside a sentence', () => {
    expect(idsInText('What does A.12.3.1 add to cld 9.5.1? また１２．４．１は？')).toEqual(['12.3.1', 'CLD.9.5.1', '12.4.1']);
    // 2022 IDs, but never the tail of a 2013 ID (12.5.1 holds "5.1").
    expect(idsInText('5.23 の要求事項は？ 12.5.1 と A.8.16、2022:A.5.7、８．１０')).toEqual(['5.23', '12.5.1', '8.16', '5.7', '8.10']);
  });
});

it('builds the same catalogue from the same files (content hash is stable)', () => {
  expect(new Catalog(readCorpus()).contentHash).toBe(catalog.contentHash);
});

describe('the validated copy kept between starts', () => {
  const copyOf = () => {
    const dir = mkdtempSync(join(tmpdir(), 'corpus-copy-'));
    cpSync(defaultCorpusDir, join(dir, 'corpus'), { recursive: true });
    mkdirSync(join(dir, 'data'));
    return { corpus: join(dir, 'corpus'), cache: join(dir, 'data', 'cache'), root: dir };
  };

  it('is written after a validation, read back equal, and replaced when a corpus file changes', () => {
    const d = copyOf();
    const fresh = readCorpus(d.corpus, { cacheDir: d.cache });
    expect(existsSync(join(d.cache, 'corpus.json'))).toBe(true);
    const copy = validatedCopy(d.corpus, d.cache).corpus;
    expect(copy).toEqual(fresh);
    // An edit that breaks the corpus is validated, not taken from the old copy.
    const file = join(d.corpus, 'risk-fit.json');
    const fit = JSON.parse(readFileSync(file, 'utf8')) as { id: string }[];
    writeFileSync(file, JSON.stringify(fit.slice(1)));
    expect(validatedCopy(d.corpus, d.cache).corpus).toBeUndefined();
    expect(() => readCorpus(d.corpus, { cacheDir: d.cache })).toThrow(CorpusError);
  });

  it('ignores a corrupt copy and replaces it', () => {
    const d = copyOf();
    readCorpus(d.corpus, { cacheDir: d.cache });
    writeFileSync(join(d.cache, 'corpus.json'), '{"key": "x", "corp');
    expect(validatedCopy(d.corpus, d.cache).corpus).toBeUndefined();
    readCorpus(d.corpus, { cacheDir: d.cache });
    expect(validatedCopy(d.corpus, d.cache).corpus?.contentHash).toBe(catalog.contentHash);
  });

  it('creates no data folder that does not exist', () => {
    const d = copyOf();
    const missing = join(d.root, 'nowhere', 'cache');
    readCorpus(d.corpus, { cacheDir: missing });
    expect(existsSync(join(d.root, 'nowhere'))).toBe(false);
  });
});
