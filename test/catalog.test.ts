import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Catalog, loadCatalog } from '../src/catalog/catalog.js';
import { canonicalId, idsInText } from '../src/catalog/ids.js';
import { CorpusError, defaultCorpusDir, readCorpus } from '../src/catalog/loader.js';

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
});

describe('ID normalisation', () => {
  it.each([
    ['A.12.3.1', '12.3.1'], ['a.12.3.1', '12.3.1'], ['12.3.1', '12.3.1'], ['１２．３．１', '12.3.1'],
    ['CLD9.5.1', 'CLD.9.5.1'], ['cld.9.5.1', 'CLD.9.5.1'], ['ＣＬＤ．９．５．１', 'CLD.9.5.1'],
    ['JIP-ISMS517-4.2.2', 'JIP-ISMS517-4.2.2'], ['4.2.2', 'JIP-ISMS517-4.2.2'], ['2022:A.8.13', '2022:A.8.13'],
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
  });
});

it('builds the same catalogue from the same files (content hash is stable)', () => {
  expect(new Catalog(readCorpus()).contentHash).toBe(catalog.contentHash);
});
