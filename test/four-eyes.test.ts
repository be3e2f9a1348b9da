// Four-eyes (ISMS_FOUR_EYES=true): nobody approves their own proposal: a decision, an assessment, or an SoA version
// whose changes they proposed. A refusal writes nothing; a second approver's approval is accepted.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { createCore, type Core } from '../src/core.js';
import { StoreError } from '../src/soa/index.js';
import { analysis, missed, pickRisks, scope } from './helpers/assessment-script.js';
import { closeEngines, engines, engineStore } from './helpers/stores.js';

afterAll(closeEngines);

const refusedOwn = /four-eyes is on \(ISMS_FOUR_EYES=true\): nobody approves their own proposal/;

describe.each(engines)('decisions and publishing (%s)', (engine) => {
  const { store } = engineStore(engine, { defaultEdition: '2022', approvers: ['alice', 'carol'], fourEyes: true });
  afterAll(async () => await store.close());

  it('records an approver\'s own decision as a proposal, refuses their approval of it, and accepts a second approver', async () => {
    const d = await store.soa.set({ control: '5.23', applicable: 'yes', status: 'planned', reasons: ['business:cloud policy'], by: 'alice' });
    expect(d.state).toBe('proposed');
    const entries = (await store.audit.entries(1000)).length;
    await expect(async () => await store.soa.approve('5.23', 'alice')).rejects.toThrow(refusedOwn);
    expect((await store.audit.entries(1000)).length).toBe(entries);
    expect(await store.soa.state('5.23')).toMatchObject({ current: null, pending: { id: d.id } });
    expect(await store.soa.approve('5.23', 'carol')).toMatchObject({ state: 'approved', proposedBy: 'alice', approvedBy: 'carol' });
  });

  it('refuses a publish by the person who proposed a change in the version, and accepts one by the other approver', async () => {
    await expect(async () => await store.publish({ by: 'alice' })).rejects.toThrow(refusedOwn);
    await expect(async () => await store.publish({ by: 'alice' })).rejects.toThrow(/proposed 1 of the changes in this version \(5\.23\)/);
    expect(await store.publications.list()).toEqual([]);
    expect(await store.publish({ by: 'carol' })).toMatchObject({ version: 1, by: 'carol' });
    expect(await store.verifyAudit()).toMatchObject({ ok: true });
  });

  it('says to add a second approver when there is only one', async () => {
    const solo = engineStore(engine, { defaultEdition: '2022', approvers: ['alice'], fourEyes: true }).store;
    await solo.soa.set({ control: '8.13', applicable: 'yes', status: 'implemented', reasons: ['business:backups'], by: 'alice' });
    try {
      await solo.soa.approve('8.13', 'alice');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(StoreError);
      expect((e as StoreError).issues[0]!.hint).toMatch(/Add a second approver to ISMS_APPROVERS/);
    }
    await solo.close();
  });

  it('is off by default: an approver\'s own decision is approved at once', async () => {
    const plain = engineStore(engine, { defaultEdition: '2022', approvers: ['alice'] }).store;
    expect((await plain.soa.set({ control: '8.13', applicable: 'yes', status: 'implemented', reasons: ['business:backups'], by: 'alice' })).state).toBe('approved');
    await plain.close();
  });
});

// Through the core (createCore), which opens the store of ISMS_DATA_DIR: SQLite only (on PostgreSQL the core opens the
// one workspace of DATABASE_URL, not a fresh one per test).
describe('an assessment', () => {
  let core: Core;
  beforeAll(async () => {
    core = await createCore(loadConfig({
      ISMS_SOA_EDITION: '2013', ISMS_DATA_DIR: mkdtempSync(join(tmpdir(), 'isms-4eyes-')), EMBEDDINGS: 'off', ISMS_APPROVERS: 'carol,dave',
      ISMS_FOUR_EYES: 'true', ISMS_LANG: 'en', LOG_LEVEL: 'silent',
    }));
  });
  afterAll(() => core.close());

  it('is not approved by the approver who entered it, and is by another approver', async () => {
    const say = (user: string, text: string) => core.chat.handle({ text, user, thread: 'T4', source: 'console' });
    for (const line of ['assess PayCloud', ...scope, ...pickRisks, ...analysis.flat().filter(Boolean), ...missed, 'submit']) await say('carol', line);
    const entries = (await core.store.audit.entries(1000)).length;
    const refused = JSON.stringify(await say('carol', 'approve'));
    expect(refused).toMatch(refusedOwn);
    expect(await core.store.risks.list()).toEqual([]);
    expect((await core.store.audit.entries(1000)).length).toBe(entries);
    const accepted = JSON.stringify(await say('dave', 'approve'));
    expect(accepted).toContain('Approved and written');
    const written = (await core.store.soa.snapshot(await core.store.profileRoles())).history;
    expect(written.length).toBeGreaterThan(0);
    for (const d of written) expect(d).toMatchObject({ proposedBy: 'carol', approvedBy: 'dave' });
  });
});
