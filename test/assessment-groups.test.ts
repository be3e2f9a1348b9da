// The missed-control step in groups: 27017 cloud items for the roles in scope first, then the controls the treatments
// touch, then the rest; a group decided at once with one reason, single lines still decidable, every exclusion with
// its own justification, and a template sentence for one-sided 27017 items.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openGroups } from '../src/assessment/groups.js';
import type { AssessmentReply } from '../src/assessment/session.js';
import { splitKey } from '../src/soa/index.js';
import { loadConfig } from '../src/config.js';
import { createCore, type Core } from '../src/core.js';

const cores: Core[] = [];
afterAll(async () => { for (const c of cores) await c.close(); });

async function open(edition: '2013' | '2022') {
  const core = await createCore(loadConfig({ ISMS_SOA_EDITION: edition, ISMS_DATA_DIR: mkdtempSync(join(tmpdir(), 'isms-groups-')), EMBEDDINGS: 'off', ISMS_APPROVERS: 'carol', ISMS_LANG: 'en', LOG_LEVEL: 'silent' }));
  cores.push(core);
  const say = async (text: string, user = 'alice') => (await core.chat.handle({ text, user, thread: 'T', source: 'console' }))[0] as AssessmentReply;
  return { core, say, groups: async () => openGroups((await core.assessments.active('T'))!, await core.assessments.deps()) };
}

describe('a 2022-edition SoA, SaaS on AWS', () => {
  it('orders the groups, decides a group at once with one reason, keeps single decisions, and the audit chain records each decision', async () => {
    const { core, say, groups } = await open('2022');
    for (const line of ['assess Acme Portal', 'provider', 'SaaS', 'AWS', 'customer records: confidential', 'ok', 'owner alice', 'ok all']) await say(line);
    const state = (await core.assessments.active('T'))!;
    expect(state.step).toBe('missing');
    const [cloud, touched, rest] = await groups();
    // 1: the 27017 lines of both roles in scope, CLD items first; 2: Annex A controls beside the chosen ones; 3: the rest.
    expect([cloud!.n, cloud!.kind, touched!.n, touched!.kind, rest!.n, rest!.kind]).toEqual([1, 'cloud', 2, 'touched', 3, 'rest']);
    expect(cloud!.keys.every((k) => /@(customer|provider)$/.test(k))).toBe(true);
    expect(new Set(cloud!.keys.map((k) => splitKey(k).role))).toEqual(new Set(['customer', 'provider']));
    expect(cloud!.keys[0]).toMatch(/^CLD\./);
    // 15.1.3 was chosen for RL-14 (supply chain): 5.19, the Annex A home of its sibling 15.1.1, is touched.
    expect(state.risks.some((r) => r.controls.includes('15.1.3'))).toBe(true);
    expect(touched!.keys).toContain('5.19');
    expect(rest!.keys).toContain('7.1');

    // A group at once, with the reason offered for it.
    const applied = await say('apply 1');
    expect(applied.notes[0]).toBe(`Group 1: ${cloud!.keys.length} lines recorded applicable.`);
    // Any single line still, from any group, also one the group just decided; an exclusion always with its own justification.
    const changed = cloud!.keys.find((k) => k === 'CLD.13.1.4@provider')!;
    expect((await say(`exclude ${changed} only AWS runs physical networks for Acme Portal`)).error).toBeUndefined();
    expect((await say('include 5.4 we keep in touch with the authorities')).error).toBeUndefined();
    expect((await say('exclude 3 not needed')).error).toMatch(/^Each exclusion needs its own justification \(JIP-ISMS517 4\.2\.2 d\)/);
    expect((await say('exclude 7.1')).error).toBe('An exclusion needs its justification (JIP-ISMS517 4.2.2 d): "exclude 7.1 <why>".');
    expect((await say('apply 3')).error).toBe('Group 3 has no proposed reason: write one, e.g. "apply 3 required by our customer contracts".');
    expect((await say('exclude 7.1 SaaS on AWS: no premises of our own in scope')).error).toBeUndefined();
    expect((await say('submit')).state.submittedBy).toBe('alice');
    expect((await say('approve', 'carol')).notes.join('\n')).toContain('Approved and written.');

    const { store } = core;
    expect((await store.soa.state(changed)).current).toMatchObject({ applicable: false, justification: 'only AWS runs physical networks for Acme Portal' });
    for (const key of cloud!.keys.filter((k) => k !== changed)) {
      const d = (await store.soa.state(key)).current;
      expect(d, key).toMatchObject({ applicable: true, reasons: ['business:ISO/IEC 27017 cloud guidance for our roles (provider of Acme Portal, customer of AWS)'], proposedBy: 'alice', approvedBy: 'carol' });
    }
    expect((await store.soa.state('5.4')).current).toMatchObject({ applicable: true, reasons: ['business:we keep in touch with the authorities'] });
    expect((await store.soa.state('7.1')).current).toMatchObject({ applicable: false, justification: 'SaaS on AWS: no premises of our own in scope' });
    expect((await store.soa.state('5.7')).current).toBeNull();
    // The audit chain: one proposal and one approval per line of the group, each its own entry, and the chain holds.
    const entries = await store.audit.entries(5000);
    for (const key of cloud!.keys) {
      expect(entries.filter((e) => e.subject === key).map((e) => e.action), key).toEqual(['soa.propose', 'soa.approve']);
    }
    const seqs = entries.filter((e) => cloud!.keys.includes(e.subject)).map((e) => e.seq);
    expect(new Set(seqs).size).toBe(cloud!.keys.length * 2);
    expect(await store.verifyAudit()).toMatchObject({ ok: true });
  });
});

describe('a 2013-edition SoA, a customer-only service', () => {
  it('offers a template sentence for one-sided 27017 items, for one at a time or the group, each with its own sentence', async () => {
    const { core, say, groups } = await open('2013');
    for (const line of ['assess M365', 'customer', 'SaaS', 'mail: internal', 'ok', 'owner alice', 'ok all']) await say(line);
    const oneSided = (await groups()).find((g) => g.kind === 'oneSided')!;
    expect(oneSided.n).toBe(4);
    expect(oneSided.keys).toEqual(expect.arrayContaining(['CLD.9.5.1', 'CLD.13.1.4']));
    const state = (await core.assessments.active('T'))!;
    expect((await say('exclude CLD.9.5.1')).error).toBe('An exclusion needs its justification (JIP-ISMS517 4.2.2 d). For CLD.9.5.1 you can use the template: "exclude CLD.9.5.1 template" records "Provider-only ISO/IEC 27017 item (Segregation in virtual computing environments); we are only a customer of M365.".');
    expect((await say('exclude 12.3.1 template')).error).toMatch(/^12\.3\.1 is not a one-sided 27017 item for a role this service lacks/);
    expect((await say('exclude CLD.9.5.1 template')).error).toBeUndefined();
    expect((await say('除外 4 定型文')).error).toBeUndefined();
    const decided = (await core.assessments.active('T'))!.decisions;
    expect(decided.filter((d) => !d.applicable).map((d) => [d.controlId, d.justification])).toEqual(oneSided.keys.map((k) => [
      k, `Provider-only ISO/IEC 27017 item (${core.ctx.catalog.get(k)!.title.en}); we are only a customer of M365.`,
    ]));
    expect(state.missed.length).toBeGreaterThan(decided.length);
  });
});
