// XLSX files are streamed to disk (exceljs's WorkbookWriter) sheet by sheet; the same sheets can be built in memory
// (toXlsx, responsibilityXlsx). Read back, both must be the same document: values, styles, merges, row heights, column
// widths, frozen panes, filters, page setup (with horizontal centring, which the streaming writer needs help with),
// print titles and footers.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { toXlsx, writeExport } from '../src/soa/export.js';
import { findService, responsibilityLines, responsibilityXlsx, writeResponsibility } from '../src/soa/responsibility-export.js';
import { PeopleDirectory } from '../src/soa/people.js';
import { catalog, tempStore } from './fixtures/soa-helpers.js';

const longJa = '当社は自社のデータセンタ及びサーバ室を保有しておらず、本番環境は全て AWS の東京リージョン上で稼働している。'
  + '物理的セキュリティ境界は AWS の責任範囲であり、AWS の SOC 2 Type II 報告書で確認している。';

async function read(buffer: Buffer | ArrayBuffer): Promise<ExcelJS.Workbook> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(buffer as ArrayBuffer);
  return wb;
}

/** Every difference between two workbooks as read back, as "where: a ≠ b" lines. */
function differences(a: ExcelJS.Workbook, b: ExcelJS.Workbook): string[] {
  const out: string[] = [];
  const same = (where: string, x: unknown, y: unknown) => {
    if (!isDeepStrictEqual(x, y)) out.push(`${where}: ${JSON.stringify(x)} ≠ ${JSON.stringify(y)}`);
  };
  same('sheets', a.worksheets.map((w) => w.name), b.worksheets.map((w) => w.name));
  same('defined names', (a as unknown as { definedNames: { model: unknown } }).definedNames.model, (b as unknown as { definedNames: { model: unknown } }).definedNames.model);
  for (const wa of a.worksheets) {
    const wb = b.getWorksheet(wa.name);
    if (!wb) continue;
    for (const k of ['pageSetup', 'headerFooter', 'views', 'autoFilter', 'properties'] as const) same(`${wa.name} ${k}`, wa[k], wb[k]);
    same(`${wa.name} merges`, wa.model.merges, wb.model.merges);
    same(`${wa.name} rows`, wa.rowCount, wb.rowCount);
    for (let c = 1; c <= Math.max(wa.columnCount, wb.columnCount); c++) same(`${wa.name} column ${c} width`, wa.getColumn(c).width, wb.getColumn(c).width);
    for (let r = 1; r <= Math.max(wa.rowCount, wb.rowCount); r++) {
      same(`${wa.name} row ${r} height`, wa.getRow(r).height, wb.getRow(r).height);
      for (let c = 1; c <= wa.columnCount; c++) {
        const x = wa.getCell(r, c);
        const y = wb.getCell(r, c);
        same(`${wa.name} ${x.address}`, [x.value, x.type, x.style, x.isMerged && x.master.address], [y.value, y.type, y.style, y.isMerged && y.master.address]);
      }
    }
  }
  return out;
}

describe('streamed XLSX exports', () => {
  it('write the same 適用宣言書 and 責任分界表 as the workbooks built in memory', async () => {
    const people = new PeopleDirectory();
    people.note('U0CAROL', 'Carol Tanaka 田中');
    const { store, dir } = tempStore({ defaultEdition: '2022', approvers: ['carol', 'U0CAROL'], people });
    await store.profile.set({ scope: 'PayCloud (payroll SaaS) on AWS & Mail', services: [{ name: 'PayCloud', role: 'provider', model: 'SaaS', runsOn: 'AWS' }, { name: 'Mail', role: 'customer', model: 'SaaS' }], by: 'alice' });
    await store.risks.add({ by: 'tester', title: 'Restore fails', owner: 'U0CAROL', likelihood: 3, impact: 4, cia: 'A', service: 'PayCloud' });
    await store.soa.set({ control: '7.1', applicable: 'no', status: 'not-implemented', justification: longJa, by: 'carol' });
    await store.soa.set({ control: '8.13', applicable: 'yes', status: 'implemented', reasons: ['business:backups of payroll data'], owner: 'U0CAROL', evidence: ['a\nb'], by: 'carol' });
    await store.soa.set({ control: '5.23', applicable: 'yes', status: 'planned', by: 'bob' });
    await store.soa.reject('5.23', 'carol', 'needs evidence');
    await store.soa.set({ control: '12.3.1', role: 'customer', applicable: 'yes', status: 'partial', by: 'bob' });
    const data = { ...await store.exportData(), timezone: 'America/New_York' };

    const soaFile = join(dir, 'soa.xlsx');
    await writeExport(data, 'xlsx', soaFile);
    const memory = await read(await (await toXlsx(data)).xlsx.writeBuffer());
    const streamed = await read(readFileSync(soaFile));
    expect(differences(memory, streamed)).toEqual([]);
    expect(streamed.worksheets.map((w) => w.pageSetup.horizontalCentered)).toEqual([true, true, true, true]);
    expect(streamed.getWorksheet('改訂履歴 History')!.rowCount).toBe(5 + data.history.length);

    const x = { soa: data, service: findService(data.profile, 'PayCloud'), lines: responsibilityLines(catalog, data.rows), lang: 'both' as const };
    const respFile = join(dir, 'resp.xlsx');
    await writeResponsibility(x, 'xlsx', respFile);
    expect(differences(await read(await (await responsibilityXlsx(x)).xlsx.writeBuffer()), await read(readFileSync(respFile)))).toEqual([]);
    await store.close();
  });
});
