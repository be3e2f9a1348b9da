// The 適用宣言書 prints as an auditor expects: A4 landscape, one page wide, header rows repeated, borders, row heights
// that show the text, a cover block with the edition and the document version, and a footer with the page number.
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { beforeAll, describe, expect, it } from 'vitest';
import { toXlsx } from '../src/soa/export.js';
import { rowHeight, wrappedLines } from '../src/soa/print.js';
import type { SoaExport } from '../src/soa/index.js';
import { tempStore } from './fixtures/soa-helpers.js';

const longJa = '当社は自社のデータセンタ及びサーバ室を保有しておらず、本番環境は全て AWS の東京リージョン上で稼働している。'
  + '物理的セキュリティ境界は AWS の責任範囲であり、AWS の SOC 2 Type II 報告書で確認している。';

let wb: ExcelJS.Workbook;
let data: SoaExport;

beforeAll(async () => {
  const { store, dir } = tempStore({ defaultEdition: '2022', approvers: ['carol'] });
  await store.profile.set({ scope: 'PayCloud (payroll SaaS) on AWS', services: [{ name: 'PayCloud', role: 'provider', model: 'SaaS', runsOn: 'AWS' }], by: 'alice' });
  await store.soa.set({ control: '7.1', applicable: 'no', status: 'not-implemented', justification: longJa, by: 'carol' });
  await store.soa.set({ control: '8.13', applicable: 'yes', status: 'implemented', reasons: ['business:backups of payroll data'], owner: 'SRE', by: 'carol' });
  const file = join(dir, 'soa.xlsx');
  await store.exportSoa('xlsx', file);
  data = await store.exportData();
  await store.close();
  wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(file);
});

const headerAt = (ws: ExcelJS.Worksheet) => Number(/^(\d+):\1$/.exec(ws.pageSetup.printTitlesRow ?? '')?.[1]);
const coverText = (ws: ExcelJS.Worksheet) => {
  const lines: string[] = [];
  for (let r = 1; r < headerAt(ws); r++) lines.push([...new Set((ws.getRow(r).values as unknown[]).filter((v) => v != null).map(String))].join(' | '));
  return lines.join('\n');
};

describe('the printed 適用宣言書', () => {
  it('prints every sheet on A4 landscape, one page wide, with the header row repeated and a footer', () => {
    expect(wb.worksheets.map((w) => w.name)).toEqual(['適用宣言書 SoA', '詳細 Detail', '改訂履歴 History', 'リスク Risks']);
    for (const ws of wb.worksheets) {
      expect(ws.pageSetup).toMatchObject({ orientation: 'landscape', paperSize: 9, fitToPage: true, fitToWidth: 1, fitToHeight: 0 });
      expect(headerAt(ws)).toBeGreaterThan(1);
      expect(ws.getCell(headerAt(ws), 1).text).toMatch(/\n(Control ID|Risk ID)$/);
      expect(ws.headerFooter.oddFooter).toMatch(/草案（未発行） \/ draft — not published .*&P \/ &N$/);
    }
  });

  it('has a cover block naming the scope, the edition, the draft version, the date and the roles', () => {
    const ws = wb.getWorksheet('適用宣言書 SoA')!;
    const cover = coverText(ws);
    expect(cover).toContain('適用範囲 / Scope | PayCloud (payroll SaaS) on AWS');
    expect(cover).toContain('規格の版 / Edition | ISO/IEC 27001:2022 附属書A・ISO/IEC 27017:2015');
    expect(cover).toContain('文書の版 / Document version | 草案（未発行） / draft — not published');
    expect(cover).toContain('承認者・承認日 / Approved by, on | 未承認');
    expect(cover).toMatch(/作成日時 \/ Generated \| \d{4}-\d\d-\d\d \d\d:\d\d \(Asia\/Tokyo\)/);
    expect(cover).toContain('クラウドサービスカスタマ (cloud service customer), クラウドサービスプロバイダ (cloud service provider)');
    expect(cover).toContain('承認済みの決定 / Approved decisions | 2 of 172');
  });

  it('shows only the columns an auditor reads, with borders on every table cell and rows tall enough for their text', () => {
    const ws = wb.getWorksheet('適用宣言書 SoA')!;
    const h = headerAt(ws);
    const header = (ws.getRow(h).values as string[]).slice(1);
    expect(header.map((x) => x.split('\n').pop())).toEqual([
      'Control ID', 'Role', 'Control (Japanese)', 'Control', '2022', '2013', '27017', 'Applicable',
      'Reasons for inclusion or justification for exclusion', 'Status', 'Owner', 'Approved by', 'Approved on',
    ]);
    const n = header.length;
    let tableRows = 0;
    for (let r = h; r <= ws.rowCount; r++) {
      const row = ws.getRow(r);
      for (let c = 1; c <= n; c++) {
        const b = row.getCell(c).border;
        expect(b?.top?.style && b?.bottom?.style, `border of ${row.getCell(c).address}`).toBe('thin');
        if (ws.getCell(r, 1).value && /^\d/.test(ws.getCell(r, 1).text)) expect(b?.left?.style && b?.right?.style).toBe('thin');
      }
      if (/^(\d|CLD)/.test(ws.getCell(r, 1).text)) tableRows++;
    }
    expect(tableRows).toBe(172);
    expect(ws.getCell(h + 1, 1).value).toBe('ISO/IEC 27001:2022 附属書A 5 組織的管理策 / Organizational controls');
    const rowOf = (id: string) => { for (let r = h; r <= ws.rowCount; r++) if (ws.getCell(r, 1).value === id) return ws.getRow(r); throw new Error(id); };
    const long = rowOf('7.1');
    expect(long.getCell(9).value).toBe(longJa);
    expect(long.getCell(9).alignment).toMatchObject({ wrapText: true });
    expect(long.getCell(9).font).toMatchObject({ name: 'MS PGothic' });
    // 7.1's justification wraps to several lines; its row is as tall as they need, and taller than a one-line row.
    expect(long.height).toBeGreaterThanOrEqual(rowHeight(wrappedLines(longJa, ws.getColumn(9).width!)));
    expect(long.height).toBeGreaterThan(rowOf('5.1').height);
  });

  it('estimates wrapped lines with Japanese characters counted double width', () => {
    expect(wrappedLines('Information backup', 30)).toBe(1);
    expect(wrappedLines('情報のバックアップ', 10)).toBe(2); // 9 wide characters in a 10-character column
    expect(wrappedLines('abcdefghi', 10)).toBe(1);
    expect(wrappedLines('one\ntwo', 30)).toBe(2);
    expect(wrappedLines('情'.repeat(40), 20)).toBeGreaterThan(wrappedLines('a'.repeat(40), 20));
  });

  it('prints a published version on the cover and in the footer when there is one', async () => {
    const published = await toXlsx({ ...data, publication: { version: 3, by: 'carol', at: '2025-04-01T03:00:00Z', note: 'annual review' } });
    const ws = published.getWorksheet('適用宣言書 SoA')!;
    expect(coverText(ws)).toContain('文書の版 / Document version | 第3版 / version 3');
    expect(coverText(ws)).toContain('承認者・承認日 / Approved by, on | carol, 2025-04-01 12:00 (annual review)');
    expect(ws.headerFooter.oddFooter).toContain('第3版 / version 3');
    expect(ws.headerFooter.oddFooter).not.toContain('draft');
  });
});
