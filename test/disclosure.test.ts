// `disclosure export`: the provider's disclosure pack: the 27017 items that ask the provider to inform its customers,
// with the SoA's approved decisions, and the items without one listed as gaps.
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { disclosureExport, disclosureMarkdown, disclosureXlsx, loadDisclosure, providerService } from '../src/soa/disclosure.js';
import { StoreError } from '../src/soa/index.js';
import { catalog, tempDir, tempStore } from './fixtures/soa-helpers.js';
import { cli } from './helpers/cli.js';

const list = loadDisclosure(catalog);

async function providerSoa() {
  const { store } = tempStore({ defaultEdition: '2022', approvers: ['carol'] });
  await store.profile.set({ scope: 'PayCloud (payroll SaaS) on AWS', services: [{ name: 'PayCloud', role: 'provider', model: 'SaaS', runsOn: 'AWS' }, { name: 'AWS', role: 'customer', model: 'IaaS' }], by: 'alice' });
  await store.soa.set({ control: '12.3.1', role: 'provider', applicable: 'yes', status: 'implemented', owner: 'ops', evidence: ['backup-policy.pdf'], reasons: ['contractual:SLA'], by: 'carol' });
  const soa = await store.exportData();
  await store.close();
  return soa;
}

describe('disclosure export', () => {
  it('loads the corpus list covering the required provider items', () => {
    const controls = list.flatMap((i) => i.controls);
    for (const c of ['12.3.1', '18.1.1', 'CLD.8.1.5', '12.1.2', '16.1.1', '16.1.2', '12.4.1', 'CLD.12.4.5', '10.1.1', '10.1.2', 'CLD.9.5.1', '12.1.3', '12.6.1', '16.1.7', '15.1.3', '6.1.1', 'CLD.6.3.1']) expect(controls).toContain(c);
  });

  it('lists the approved decision of DISC-backup and the undecided items under the gaps', async () => {
    const soa = await providerSoa();
    const x = disclosureExport(soa, providerService(soa.profile, 'paycloud'), list);
    expect(x.items.map((e) => e.item.id)).toEqual(['DISC-backup']);
    const md = disclosureMarkdown(x);
    const [items, gaps] = md.split('## 未決定の項目 / Gaps');
    expect(md).toMatch(/^# 顧客への開示事項 — PayCloud\n/);
    expect(md).toContain('草案（未発行） / draft — not published');
    expect(items).toContain('### DISC-backup — バックアップの仕様');
    expect(items).toContain('| 12.3.1 | 適用 · 実施済 | ops | backup-policy.pdf | contractual:SLA |');
    expect(items).not.toContain('DISC-location');
    expect(gaps).toContain('### DISC-location — データの保存場所と準拠法');
    expect(gaps).toContain('| 18.1.1 | 未決定（承認済みの決定なし） |');
    expect(gaps).not.toContain('DISC-backup');

    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(await (await disclosureXlsx(x)).xlsx.writeBuffer());
    const ws = wb.worksheets[0]!;
    expect(ws.pageSetup).toMatchObject({ orientation: 'landscape', paperSize: 9, fitToPage: true, fitToWidth: 1 });
    const cells = ws.getSheetValues().flat().map(String);
    expect(cells).toContain('DISC-backup');
    expect(cells).toContain('未決定の項目 / Gaps');
  });

  it('refuses a customer-only service in one line naming the provider services', async () => {
    const soa = await providerSoa();
    expect(() => providerService(soa.profile, 'AWS')).toThrow(StoreError);
    const dir = tempDir();
    const { store } = tempStore({ defaultEdition: '2022', approvers: ['carol'] }, dir);
    await store.profile.set({ scope: 'PayCloud on AWS', services: [{ name: 'PayCloud', role: 'provider', model: 'SaaS' }, { name: 'AWS', role: 'customer', model: 'IaaS' }], by: 'alice' });
    await store.close();
    const r = cli(['disclosure', 'export', '--service', 'AWS', '--format', 'md', '--out', `${dir}/d.md`], { ISMS_DATA_DIR: dir, ISMS_APPROVERS: 'carol', ISMS_SOA_EDITION: '2022' });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^error: service: "AWS" is a customer-only service: .* the provider services are: PayCloud/);
  });
});
