// `responsibility export`: the 責任分界表 of a cloud service, one row per SoA line, with who acts in the service's model,
// each side's sentence from the responsibility matrix and the organisation's decision; printed like the SoA.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { beforeAll, describe, expect, it } from 'vitest';
import { findService, responsibilityLines, responsibilityXlsx } from '../src/soa/responsibility-export.js';
import { catalog, tempDir, tempStore } from './fixtures/soa-helpers.js';
import { cli } from './helpers/cli.js';

const dir = tempDir();
const env = { ISMS_DATA_DIR: dir, ISMS_APPROVERS: 'carol', ISMS_SOA_EDITION: '2022' };
let lines = 0;

beforeAll(async () => {
  const { store } = tempStore({ defaultEdition: '2022', approvers: ['carol'] }, dir);
  await store.profile.set({ scope: 'PayCloud (payroll SaaS) on AWS', services: [{ name: 'PayCloud', role: 'provider', model: 'SaaS', runsOn: 'AWS' }], by: 'alice' });
  await store.soa.set({ control: '12.3.1', role: 'provider', applicable: 'yes', status: 'implemented', reasons: ['business:payroll data'], by: 'carol' });
  await store.soa.set({ control: '7.1', applicable: 'no', status: 'not-implemented', justification: 'No premises: AWS data centres', by: 'carol' });
  await store.soa.set({ control: '5.23', applicable: 'yes', status: 'planned', by: 'alice' }); // a proposal only
  lines = (await store.soaRows()).length;
  await store.close();
});

describe('responsibility export', () => {
  it('writes a CSV with one row per SoA line: who acts, each side and the decision status', () => {
    const out = join(dir, 'split.csv');
    const r = cli(['responsibility', 'export', '--service', 'paycloud', '--format', 'csv', '--out', out], env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^wrote the 責任分界表 of PayCloud \(SaaS, ISO\/IEC 27001:2022, 172 lines, \d+ with a matrix row\) as csv to /);
    const records = parse<Record<string, string>>(readFileSync(out), { bom: true, columns: true });
    expect(lines).toBe(172);
    expect(records).toHaveLength(lines);
    expect(records.filter((x) => !x['役割 / Role'])).toHaveLength(93);
    expect(records[0]!['管理策番号 / Control ID']).toBe('5.1');
    expect(records[93]!['管理策番号 / Control ID']).toBe('5.1.1'); // the 27017 lines follow Annex A, in the SoA's order

    const matrix = catalog.responsibility('12.3.1')!.models.SaaS;
    const backup = records.find((x) => x['管理策番号 / Control ID'] === '12.3.1' && x['役割 / Role'] === 'プロバイダ provider')!;
    expect(backup).toMatchObject({
      '27017 項目 / 27017 items': '12.3.1',
      '分界表の行 / Matrix row': '12.3.1',
      '実施主体 / Who acts (SaaS)': { customer: 'カスタマ customer', provider: 'プロバイダ provider', shared: '分担 shared' }[matrix.actor],
      'カスタマ側 / Customer side': `${matrix.customer.ja}\n${matrix.customer.en}`,
      'プロバイダ側 / Provider side': `${matrix.provider.ja}\n${matrix.provider.en}`,
      '自組織の決定 / Our decision (SoA)': '適用 applicable · 実施済 Implemented',
    });
    // Annex A 8.13 finds the matrix through its 2013 source 12.3.1.
    const a813 = records.find((x) => x['管理策番号 / Control ID'] === '8.13')!;
    expect(a813['分界表の行 / Matrix row']).toBe('12.3.1');
    expect(a813['自組織の決定 / Our decision (SoA)']).toBe('未決定 undecided');
    // 5.23 has several matrix rows: each sentence names the row it comes from.
    const a523 = records.find((x) => x['管理策番号 / Control ID'] === '5.23')!;
    expect(a523['分界表の行 / Matrix row']!.split('\n')).toEqual(expect.arrayContaining(['CLD.6.3.1', '15.1.1']));
    expect(a523['カスタマ側 / Customer side']).toContain(`[CLD.6.3.1] ${catalog.responsibility('CLD.6.3.1')!.models.SaaS.customer.ja}`);
    expect(a523['自組織の決定 / Our decision (SoA)']).toBe('未決定 undecided\n提案 v1 承認待ち / proposal v1 pending');
    // 5.7 (new in 2022) has no matrix row: it says so instead of inventing one.
    const a57 = records.find((x) => x['管理策番号 / Control ID'] === '5.7')!;
    expect(a57).toMatchObject({ '分界表の行 / Matrix row': '—', '実施主体 / Who acts (SaaS)': '分界表の記載なし\nno matrix row', 'カスタマ側 / Customer side': '—', 'プロバイダ側 / Provider side': '—' });
    expect(records.find((x) => x['管理策番号 / Control ID'] === '7.1')!['自組織の決定 / Our decision (SoA)']).toBe('除外 excluded');
  });

  it('refuses an unknown service in one line naming the services there are', () => {
    const r = cli(['responsibility', 'export', '--service', 'Nope', '--format', 'csv', '--out', join(dir, 'x.csv')], env);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('error: service: no cloud service "Nope" in the profile; the services are: PayCloud. Give one of those names with --service\n');
  });

  it('prints the XLSX with the SoA layout, a matrix row per line where a control has several', async () => {
    const { store } = tempStore({ defaultEdition: '2022' }, dir);
    const soa = await store.exportData();
    await store.close();
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(await (await responsibilityXlsx({ soa, service: findService(soa.profile, 'PayCloud'), lines: responsibilityLines(catalog, soa.rows), lang: 'ja' })).xlsx.writeBuffer());
    const ws = wb.worksheets[0]!;
    expect(ws.pageSetup).toMatchObject({ orientation: 'landscape', paperSize: 9, fitToPage: true, fitToWidth: 1 });
    const h = Number(ws.pageSetup.printTitlesRow!.split(':')[0]);
    expect(ws.getCell(h, 6).value).toBe('実施主体\nWho acts (SaaS)');
    expect(ws.headerFooter.oddFooter).toContain('草案（未発行） / draft — not published');
    let at = 0;
    for (let r = h + 1; r <= ws.rowCount && !at; r++) if (ws.getCell(r, 1).value === '5.23') at = r;
    const sources = catalog.get('5.23')!.annex2022!.cloud.filter((id) => catalog.responsibility(id)).length;
    expect(sources).toBeGreaterThan(1);
    // One physical line per matrix row: the ID repeats on each (a page break loses none), the title and decision are
    // merged down, the sentences are per line.
    expect(ws.getCell(at + sources - 1, 1).value).toBe('5.23');
    expect(ws.getCell(at + sources - 1, 3).isMerged).toBe(true);
    expect(ws.getCell(at + sources - 1, 9).isMerged).toBe(true);
    expect(ws.getCell(at + 1, 5).value).not.toBe(ws.getCell(at, 5).value);
    expect(ws.getCell(at, 7).value).toBe(catalog.responsibility(ws.getCell(at, 5).text)!.models.SaaS.customer.ja);
    expect(ws.getCell(at, 7).border?.left?.style).toBe('thin');
  });
});
