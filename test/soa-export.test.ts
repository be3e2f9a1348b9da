import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from './helpers/cli.js';
import { closeEngines, engines, engineStore, type Engine } from './helpers/stores.js';

afterAll(closeEngines);

/** The folder of each engine's exports (on SQLite, also the store's ISMS_DATA_DIR). */
const dirs: Partial<Record<Engine, string>> = {};

beforeAll(async () => {
  for (const engine of engines) dirs[engine] = await exported(engine);
});

/** A store with a profile, a risk and decisions in every state, exported in each format. */
async function exported(engine: Engine): Promise<string> {
  const t = engineStore(engine);
  const { dir, store } = t;
  await store.profile.set({ scope: 'Acme Portal (SaaS) on AWS', services: [{ name: 'Acme Portal', role: 'provider', model: 'SaaS', runsOn: 'AWS' }], by: 'alice' });
  await store.risks.add({ by: 'tester', title: 'Restore fails', owner: 'ops', likelihood: 3, impact: 5, cia: 'IA', treatment: 'modify', controls: ['12.3.1'] });
  await store.soa.set({ control: '12.3.1', applicable: 'yes', status: 'planned', by: 'alice' });
  await store.soa.set({ control: '12.3.1', applicable: 'yes', status: 'partial', by: 'alice' });
  await store.soa.set({ control: '12.3.1', applicable: 'yes', status: 'implemented', reasons: ['risk:R-1', 'contractual:SLA, section "4.2"'], owner: 'SRE team', evidence: ['restore-test-2025-03', 'backup-policy v2'], by: 'bob' });
  await store.soa.approve('12.3.1', 'alice');
  await store.soa.set({ control: '11.1.1', applicable: 'no', status: 'not-implemented', justification: 'No own premises | AWS data centres\n(see the AWS SOC 2 report)', by: 'alice' });
  await store.soa.set({ control: 'CLD.9.5.1', applicable: 'yes', status: 'implemented', by: 'U0APPROVER' });
  await store.soa.set({ control: 'CLD.9.5.1', applicable: 'yes', status: 'partial', by: 'bob' }); // pending
  for (const format of ['xlsx', 'csv', 'md'] as const) await store.exportSoa(format, join(dir, `soa.${format}`));
  await store.close();
  return dir;
}

describe.each(engines)('SoA exports (%s)', (engine) => {
  const folder = () => dirs[engine]!;

  it('writes a 適用宣言書 workbook that exceljs reads back: cover, bilingual header, frozen panes, filters, decisions and dates', async () => {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(join(folder(), 'soa.xlsx'));
    expect(wb.worksheets.map((w) => w.name)).toEqual(['適用宣言書 SoA', '詳細 Detail', '改訂履歴 History', 'リスク Risks']);
    const ws = wb.getWorksheet('適用宣言書 SoA')!;
    expect(ws.getCell('A1').text).toContain('適用宣言書 / Statement of Applicability');
    // The table starts below the cover block, at the header row that prints on every page.
    const headerAt = (sheet: ExcelJS.Worksheet) => Number(sheet.pageSetup.printTitlesRow!.split(':')[0]);
    const h = headerAt(ws);
    const coverValue = (label: string) => {
      for (let r = 2; r < h; r++) {
        const row = ws.getRow(r);
        if (row.getCell(1).value !== label) continue;
        for (let c = 2; c <= ws.columnCount; c++) if (row.getCell(c).value !== label) return row.getCell(c).value;
      }
      throw new Error(`no cover line ${label}`);
    };
    expect(coverValue('適用範囲 / Scope')).toBe('Acme Portal (SaaS) on AWS');
    const header = (ws.getRow(h).values as string[]).slice(1);
    expect(header.slice(0, 3)).toEqual(['管理策番号\nControl ID', '管理策名\nControl (Japanese)', '管理策名（英語）\nControl']);
    expect(header).toEqual(expect.arrayContaining(['適用\nApplicable', '採用理由・除外理由\nReasons for inclusion or justification for exclusion', '承認日\nApproved on', 'カスタマ\nCustomer', 'プロバイダ\nProvider', 'ISO/IEC 27001:2022\n2022 mapping']));
    // What the auditor does not read is on the detail sheet, not the printed SoA.
    expect(header.join(' ')).not.toMatch(/Proposed by|Evidence|Source|Pending proposal/);
    expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: h, xSplit: 1 });
    expect(ws.autoFilter).toBeTruthy();
    const idRows = (sheet: ExcelJS.Worksheet, from: number) => {
      const rows: ExcelJS.Row[] = [];
      for (let r = from + 1; r <= sheet.rowCount; r++) if (/^(\d|CLD)/.test(sheet.getCell(r, 1).text)) rows.push(sheet.getRow(r));
      return rows;
    };
    expect(idRows(ws, h)).toHaveLength(121);

    const col = (sheet: ExcelJS.Worksheet, name: string) => (sheet.getRow(headerAt(sheet)).values as string[]).slice(1).findIndex((x) => x === name || x.endsWith(`\n${name}`)) + 1;
    const rowOf = (sheet: ExcelJS.Worksheet, id: string) => {
      const row = idRows(sheet, headerAt(sheet)).find((r) => r.getCell(1).value === id);
      if (!row) throw new Error(`no row for ${id}`);
      return row;
    };
    const v = (id: string, name: string, sheet = ws) => rowOf(sheet, id).getCell(col(sheet, name)).value;
    expect(v('12.3.1', 'Control (Japanese)')).toBe('情報のバックアップ');
    expect(v('12.3.1', 'Control')).toBe('Information backup');
    expect(v('12.3.1', 'Applicable')).toBe('適用 yes');
    expect(v('12.3.1', 'Status')).toBe('実施済 Implemented');
    expect(v('12.3.1', 'Approved on')).toBeInstanceOf(Date);
    expect(v('12.3.1', 'Approved by')).toBe('alice');
    expect(v('12.3.1', 'Reasons for inclusion or justification for exclusion')).toBe('risk:R-1; contractual:SLA, section "4.2"');
    expect(v('12.3.1', '27017')).toBe('拡張 extended');
    expect([v('12.3.1', 'Customer'), v('12.3.1', 'Provider')]).toEqual(['○', '○']);
    expect(v('12.3.1', '2022 mapping')).toBe('8.13');
    expect(v('11.1.1', 'Applicable')).toBe('除外 no');
    expect(v('11.1.1', 'Reasons for inclusion or justification for exclusion')).toContain('No own premises');
    expect([v('CLD.9.5.1', '27017'), v('CLD.9.5.1', 'Customer'), v('CLD.9.5.1', 'Provider')]).toEqual(['追加 added (CLD)', null, '○']);
    expect(v('5.1.1', 'Applicable')).toBe('未決定 undecided');

    const detail = wb.getWorksheet('詳細 Detail')!;
    expect(idRows(detail, headerAt(detail))).toHaveLength(121);
    expect(v('12.3.1', 'Version', detail)).toBe(3);
    expect(v('12.3.1', 'Proposed by', detail)).toBe('bob');
    expect(v('12.3.1', 'Evidence', detail)).toBe('restore-test-2025-03; backup-policy v2');
    expect(v('CLD.9.5.1', 'Pending proposal', detail)).toMatch(/^v2 applicable, partial, by bob /);

    const history = wb.getWorksheet('改訂履歴 History')!;
    const hh = headerAt(history);
    expect(history.rowCount).toBe(hh + 6);
    expect(history.views[0]).toMatchObject({ state: 'frozen', ySplit: hh });
    expect((history.getRow(hh + 1).values as unknown[]).slice(1, 5)).toEqual(['12.3.1', 1, 'approved', 'yes']);
    const risks = wb.getWorksheet('リスク Risks')!;
    expect((risks.getRow(headerAt(risks) + 1).values as unknown[]).slice(1, 3)).toEqual(['R-1', 'Restore fails']);
  });

  it('writes CSV as UTF-8 with a BOM that parses to one record per control', () => {
    const bytes = readFileSync(join(folder(), 'soa.csv'));
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const records = parse<Record<string, string>>(bytes, { bom: true, columns: true });
    expect(records).toHaveLength(121);
    const [header] = parse(bytes, { bom: true, to_line: 1 });
    expect(header!.slice(0, 4)).toEqual(['管理策番号 / Control ID', '管理策名 / Control (Japanese)', '管理策名（英語） / Control', '27017']);
    const backup = records.find((r) => r['管理策番号 / Control ID'] === '12.3.1')!;
    expect(backup).toMatchObject({
      '管理策名 / Control (Japanese)': '情報のバックアップ',
      '適用 / Applicable': '適用 yes',
      '採用理由・除外理由 / Reasons for inclusion or justification for exclusion': 'risk:R-1; contractual:SLA, section "4.2"',
      '決定の版 / Version': '3',
      '提案者 / Proposed by': 'bob',
      '承認者 / Approved by': 'alice',
      'カスタマ / Customer': '○',
      '27017': '拡張 extended',
      'ISO/IEC 27001:2022 / 2022 mapping': '8.13',
    });
    expect(backup['承認日 / Approved on']).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d$/);
    const excluded = records.find((r) => r['管理策番号 / Control ID'] === '11.1.1')!;
    expect(excluded['採用理由・除外理由 / Reasons for inclusion or justification for exclusion']).toBe('No own premises | AWS data centres\n(see the AWS SOC 2 report)');
    expect(records.filter((r) => r['27017'] === '追加 added (CLD)')).toHaveLength(7);
  });

  it('writes Markdown with one table row per control and escaped cells', () => {
    const md = readFileSync(join(folder(), 'soa.md'), 'utf8');
    expect(md).toMatch(/^# 適用宣言書 \/ Statement of Applicability\n/);
    expect(md).toContain('- 適用範囲 / Scope: Acme Portal (SaaS) on AWS');
    expect(md).toContain('クラウドサービスカスタマ (cloud service customer), クラウドサービスプロバイダ (cloud service provider)');
    const rows = md.split('\n').filter((l) => /^\| (\d|CLD)/.test(l));
    expect(rows).toHaveLength(121);
    const excluded = rows.find((l) => l.startsWith('| 11.1.1 |'))!;
    expect(excluded).toContain('No own premises \\| AWS data centres<br>(see the AWS SOC 2 report)');
    expect(excluded.split(/(?<!\\)\|/).length).toBe(rows[0]!.split(/(?<!\\)\|/).length);
  });

});

describe('soa export in the CLI (SQLite: the CLI opens ISMS_DATA_DIR)', () => {
  it('`soa export` writes the file named by --out and rejects an unknown format', () => {
    const dir = dirs.sqlite!;
    const out = join(dir, 'cli.csv');
    let r = cli(['soa', 'export', '--format', 'csv', '--out', out], { ISMS_DATA_DIR: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`wrote the SoA (ISO/IEC 27001:2013, 121 lines, 3 with an approved decision) as csv to ${out}\n`);
    expect(parse(readFileSync(out), { bom: true, columns: true })).toHaveLength(121);
    r = cli(['soa', 'export', '--format', 'pdf', '--out', join(dir, 'x.pdf')], { ISMS_DATA_DIR: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--format must be one of xlsx, csv, md');
  });
});
