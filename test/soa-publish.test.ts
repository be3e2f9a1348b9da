// A published SoA version (issue 13, item 2): soa publish freezes the approved decisions, lists what changed since the
// previous version and enters the audit chain; exports print the latest published version, --draft the current state.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { SoaExport } from '../src/soa/index.js';
import { cli } from './helpers/cli.js';
import { tempStore } from './fixtures/soa-helpers.js';
import { closeEngines, engines, engineStore } from './helpers/stores.js';

afterAll(closeEngines);

const rowOf = (data: SoaExport, key: string) => data.rows.find((r) => r.key === key)!;

describe.each(engines)('soa publish (%s)', (engine) => {
  it('publishes version 1, prints it in exports, keeps later changes in the draft until version 2', async () => {
    const { store, dir, count } = engineStore(engine, { defaultEdition: '2022', approvers: ['carol'] });
    await store.soa.set({ control: '5.23', applicable: 'yes', status: 'partial', reasons: ['business:cloud services'], by: 'carol' });
    await store.soa.set({ control: '7.1', applicable: 'no', status: 'not-implemented', justification: 'No own premises', by: 'carol' });
    expect((await store.exportData()).publication).toBeUndefined();

    const v1 = await store.publish({ by: 'carol', note: 'first issue' });
    expect(v1).toMatchObject({ version: 1, edition: '2022', by: 'carol', note: 'first issue', counts: { added: 2, changed: 0, removed: 0 } });
    expect(Object.keys(v1.decisions).sort()).toEqual(['5.23', '7.1']);

    const md = join(dir, 'soa.md');
    await store.exportSoa('md', md);
    expect(readFileSync(md, 'utf8')).toContain('第1版 / version 1');
    expect(readFileSync(md, 'utf8')).not.toContain('draft — not published');

    // A change after publishing: in the draft, not in the published export.
    await store.soa.set({ control: '5.23', applicable: 'yes', status: 'implemented', reasons: ['business:cloud services'], by: 'carol' });
    await store.soa.set({ control: '8.13', applicable: 'yes', status: 'planned', by: 'dave' }); // a proposal only
    const published = await store.exportData();
    expect(published.publication).toMatchObject({ version: 1, by: 'carol', note: 'first issue' });
    expect(rowOf(published, '5.23').current).toMatchObject({ status: 'partial', version: 1 });
    expect(published.rows.every((r) => r.pending === null)).toBe(true);
    expect(published.history.map((d) => d.controlId)).toEqual(['5.23', '7.1']);
    const draft = await store.exportData({ draft: true });
    expect(draft.publication).toBeUndefined();
    expect(rowOf(draft, '5.23').current).toMatchObject({ status: 'implemented', version: 2 });
    expect(rowOf(draft, '8.13').pending).toMatchObject({ status: 'planned' });
    const draftMd = join(dir, 'draft.md');
    await store.exportSoa('md', draftMd, { draft: true });
    expect(readFileSync(draftMd, 'utf8')).toContain('draft — not published');
    const csv = join(dir, 'soa.csv');
    await store.exportSoa('csv', csv);
    const line523 = readFileSync(csv, 'utf8').split('\n').find((l) => l.includes(',5.23,'))!;
    expect(line523).toContain('一部実施');
    expect(line523).not.toContain('実施済');

    const v2 = await store.publish({ by: 'carol' });
    expect(v2.version).toBe(2);
    expect(v2.changes).toEqual([{
      key: '5.23', kind: 'changed',
      before: expect.objectContaining({ version: 1, applicable: true, status: 'partial' }),
      after: expect.objectContaining({ version: 2, applicable: true, status: 'implemented' }),
    }]);
    expect(rowOf(await store.exportData(), '5.23').current).toMatchObject({ status: 'implemented' });
    expect((await store.exportData()).publication).toMatchObject({ version: 2 });

    // Nothing changed since version 2: refused, nothing written.
    const before = await count('audit_log');
    await expect(async () => await store.publish({ by: 'carol' })).rejects.toThrow(/nothing changed since version 2 \(published at 2025-04-01T\S+ by carol\)/);
    expect(await count('audit_log')).toBe(before);
    expect((await store.publications.list()).map((p) => p.version)).toEqual([1, 2]);
    expect((await store.audit.entries(100)).filter((e) => e.action === 'soa.publish').map((e) => e.subject)).toEqual(['SoA version 1', 'SoA version 2']);
    expect(await store.verifyAudit()).toMatchObject({ ok: true });
    await store.close();
  });

  it('refuses a non-approver with one line and writes nothing', async () => {
    const { store, count } = engineStore(engine, { defaultEdition: '2022', approvers: ['carol'] });
    await store.soa.set({ control: '5.23', applicable: 'yes', status: 'partial', by: 'carol' });
    const entries = await count('audit_log');
    await expect(async () => await store.publish({ by: 'dave' })).rejects.toThrow(/^by: dave is not an approver, so cannot publish the SoA\. Ask one of carol \(ISMS_APPROVERS\)$/);
    await expect(async () => await store.publish({})).rejects.toThrow(/^by: is required/);
    expect(await count('soa_publications')).toBe(0);
    expect(await count('audit_log')).toBe(entries);
    await store.close();
  });

  it('works for a 2013-edition store, and rejects writes to the table outside the store', async () => {
    const { store, asApp, refusal } = engineStore(engine, { defaultEdition: '2013', approvers: ['alice'] });
    await store.soa.set({ control: '12.3.1', applicable: 'yes', status: 'implemented', by: 'alice' });
    const v1 = await store.publish({ by: 'alice' });
    expect(v1).toMatchObject({ version: 1, edition: '2013', counts: { added: 1 } });
    await store.soa.set({ control: 'CLD.9.5.1', applicable: 'yes', status: 'planned', by: 'alice' });
    expect((await store.exportData()).rows.find((r) => r.key === 'CLD.9.5.1')!.current).toBeNull();
    expect((await store.exportData({ draft: true })).rows.find((r) => r.key === 'CLD.9.5.1')!.current).toMatchObject({ status: 'planned' });
    const v2 = await store.publish({ by: 'alice' });
    expect(v2.changes.map((c) => [c.kind, c.key])).toEqual([['added', 'CLD.9.5.1']]);
    expect(await store.exportData()).toMatchObject({ edition: '2013', publication: { version: 2 } });
    await expect(asApp("UPDATE soa_publications SET note = 'x'")).rejects.toMatchObject(refusal(/append-only/));
    // After the move to 2022, the 2013 version no longer prints: exports are drafts until a 2022 version is published.
    await store.transition('alice');
    const after = await store.exportData();
    expect(after.edition).toBe('2022');
    expect(after.publication).toBeUndefined();
    expect(await store.verifyAudit()).toMatchObject({ ok: true });
    await store.close();
  });

});

describe('soa publish in the CLI (SQLite: the CLI opens ISMS_DATA_DIR)', () => {
  it('cli: soa publish --by an approver prints the new version number', async () => {
    const { store, dir } = tempStore({ defaultEdition: '2022', approvers: ['alice'] });
    await store.soa.set({ control: '5.23', applicable: 'yes', status: 'partial', by: 'alice' });
    await store.close();
    const r = cli(['soa', 'publish', '--by', 'alice', '--note', 'for the stage 1 audit'], { ISMS_DATA_DIR: dir, ISMS_APPROVERS: 'alice', ISMS_ROLE: 'both' });
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toMatch(/^published SoA version 1 \(ISO\/IEC 27001:2022, 1 approved decisions\) by alice at /);
    expect(r.stdout).toContain('1 added, 0 changed, 0 removed');
  });
});
