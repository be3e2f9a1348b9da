// People, not IDs (issue 13 item 3): a write keeps the display name beside the Slack user ID, documents name people,
// Slack messages mention them, and an approved assessment keeps who entered each item apart from who approved it.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { App } from '@slack/bolt';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { createCore, type Core } from '../src/core.js';
import { createSlackApp } from '../src/slack/app.js';
import { SOA_MODAL } from '../src/slack/modal.js';
import { seal } from '../src/slack/meta.js';
import { createLogger } from '../src/log.js';
import { mentionedUsers } from '../src/slack/web.js';
import { PeopleDirectory, people, personLabel, personMention, slackUserId } from '../src/soa/people.js';
import { blockAction, boltUrl, postToBolt, startFakeSlack, viewSubmission, type FakeSlack } from './helpers/fake-slack.js';
import { analysis, missed, pickRisks, scope } from './helpers/assessment-script.js';
import { closeEngines, engines, engineStore } from './helpers/stores.js';

afterAll(closeEngines);

const SECRET = 'people-signing-secret';

/** Every non-empty cell value of a sheet, as text. */
async function sheetTexts(file: string, sheet: string): Promise<string[]> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(file);
  const ws = wb.getWorksheet(sheet)!;
  const out: string[] = [];
  ws.eachRow((row) => row.eachCell((c) => { if (c.value != null) out.push(c.text); }));
  return out;
}

describe('naming people', () => {
  it('reads Slack user IDs and mentions, and leaves CLI names and free text alone', () => {
    expect(['UCAROL', '<@UCAROL>', '<@UCAROL|carol>', 'W0ABC12'].map(slackUserId)).toEqual(['UCAROL', 'UCAROL', 'UCAROL', 'W0ABC12']);
    expect(['alice', 'IT team', '<@UCAROL', 'UCAROL>', '', null].map(slackUserId)).toEqual([null, null, null, null, null, null]);
    expect(personLabel('UCAROL', 'Carol Tanaka')).toBe('Carol Tanaka (UCAROL)');
    expect(personLabel('<@UBOB>', null)).toBe('UBOB');
    expect(personLabel('alice', null)).toBe('alice');
    expect(personMention('UCAROL')).toBe('<@UCAROL>');
    expect(personMention('alice')).toBe('alice');
  });
});

describe.each(engines)('naming people in the store (%s)', (engine) => {
  it('keeps the name a write saw: a later rename changes new rows only, and rows written without a name keep the ID', async () => {
    const dir = new PeopleDirectory();
    const { store, tamper } = engineStore(engine, { defaultEdition: '2022', approvers: ['UCAROL'], people: dir });
    await store.soa.set({ control: '5.23', applicable: 'yes', status: 'planned', reasons: ['business:cloud use'], by: 'UALICE' });
    dir.note('UALICE', '  Alice   Sato ');
    dir.note('UCAROL', 'Carol Tanaka');
    await store.soa.set({ control: '5.23', applicable: 'yes', status: 'partial', reasons: ['business:cloud use'], owner: '<@UALICE>', by: 'UALICE' });
    dir.note('UALICE', 'Alice Suzuki');
    const approved = await store.soa.approve('5.23', 'UCAROL');
    const [v1, v2] = await store.soa.history('5.23');
    expect(v1).toMatchObject({ proposedBy: 'UALICE', proposedByName: null });
    expect(v2).toMatchObject({ proposedBy: 'UALICE', proposedByName: 'Alice Sato', owner: '<@UALICE>', ownerName: 'Alice Sato' });
    expect(approved).toMatchObject({ approvedBy: 'UCAROL', approvedByName: 'Carol Tanaka' });
    // The names are part of the hashed rows: the chain vouches for them.
    expect(await store.verifyAudit()).toMatchObject({ ok: true });
    await tamper('UPDATE decisions SET proposed_by_name = ? WHERE id = ?', ['Mallory', v2!.id]);
    expect(await store.verifyAudit()).toMatchObject({ ok: false });
    await store.close();
  });
});

describe('an assessment started by one person and approved by another', () => {
  let core: Core;
  let file: string;
  beforeAll(async () => {
    people.note('UALICE', 'Alice Sato');
    people.note('UCAROL', 'Carol Tanaka');
    core = await createCore(loadConfig({ ISMS_SOA_EDITION: '2013', ISMS_DATA_DIR: mkdtempSync(join(tmpdir(), 'isms-people-')), EMBEDDINGS: 'off', ISMS_APPROVERS: 'UCAROL', ISMS_LANG: 'en', LOG_LEVEL: 'silent' }));
    const say = (user: string, text: string) => core.chat.handle({ text, user, thread: 'T1', source: 'console' });
    for (const line of ['assess PayCloud', ...scope, ...pickRisks, ...analysis.flat().filter(Boolean), ...missed, 'submit']) await say('UALICE', line);
    await say('UCAROL', 'approve');
    file = join(mkdtempSync(join(tmpdir(), 'isms-people-x-')), 'soa.xlsx');
    await core.store.exportSoa('xlsx', file, { draft: true });
  });
  afterAll(() => core.close());

  it('keeps both names on every decision it writes', async () => {
    const written = (await core.store.soa.snapshot(await core.store.profileRoles())).history;
    expect(written.length).toBeGreaterThan(3);
    for (const d of written) {
      expect(d).toMatchObject({ proposedBy: 'UALICE', proposedByName: 'Alice Sato', approvedBy: 'UCAROL', approvedByName: 'Carol Tanaka', state: 'approved' });
    }
    for (const r of await core.store.risks.list()) expect(r).toMatchObject({ recordedBy: 'UCAROL', recordedByName: 'Carol Tanaka' });
  });

  it('prints display names in the XLSX: the approver on the SoA, the proposer on the detail sheet', async () => {
    const main = await sheetTexts(file, '適用宣言書 SoA');
    expect(main).toContain('Carol Tanaka (UCAROL)');
    expect(main.some((v) => /^UCAROL$/.test(v))).toBe(false);
    const detail = await sheetTexts(file, '詳細 Detail');
    expect(detail).toContain('Alice Sato (UALICE)');
    const history = await sheetTexts(file, '改訂履歴 History');
    expect(history).toEqual(expect.arrayContaining(['Alice Sato (UALICE)', 'Carol Tanaka (UCAROL)']));
  });
});

describe('over Slack', () => {
  let fake: FakeSlack;
  let core: Core;
  let app: App;
  let url: string;
  beforeAll(async () => {
    fake = await startFakeSlack({ users: { UDANA: { name: 'Dana Mori' }, UERIN: { name: 'Erin Abe' }, UFRED: { name: 'Fred Ono' } } });
    core = await createCore(loadConfig({ ISMS_SOA_EDITION: '2022', ISMS_DATA_DIR: mkdtempSync(join(tmpdir(), 'isms-people-s-')), EMBEDDINGS: 'off', ISMS_APPROVERS: 'UERIN', ISMS_LANG: 'en' }), createLogger('silent'));
    app = await createSlackApp(core, { mode: 'http', botToken: 'xoxb-test', signingSecret: SECRET, port: 0, apiUrl: fake.apiUrl, allowBots: false, retries: 0 });
    url = boltUrl(await app.start({ port: 0, host: '127.0.0.1' }));
  });
  afterAll(async () => {
    await app.stop();
    await core.close();
    await fake.close();
  });

  it('finds the people a payload names: who acts, users picked, users mentioned', () => {
    const ids = mentionedUsers({ user: { id: 'UDANA' }, view: { state: { values: { o: { v: { selected_user: 'UFRED', value: 'see <@UERIN|erin>' } } } } }, channel: { id: 'C1' } });
    expect([...ids].sort()).toEqual(['UDANA', 'UERIN', 'UFRED']);
  });

  it('records the proposer and owner names from users.info, mentions the proposer in the approver DM, and the approver name on approval', async () => {
    const meta = seal(await core.state.secret('modal-metadata'), { control: '5.23', channel: 'C7', source: 'https://slack.com/app_redirect?channel=C7', lang: 'en' });
    const r = await postToBolt(url, SECRET, 'interactive', viewSubmission({
      user: 'UDANA', callbackId: SOA_MODAL, privateMetadata: meta,
      values: {
        applicable: { value: { type: 'static_select', selected_option: { value: 'yes' } } },
        status: { value: { type: 'static_select', selected_option: { value: 'planned' } } },
        reason: { value: { type: 'plain_text_input', value: 'business:cloud services policy' } },
        owner: { value: { type: 'plain_text_input', value: '<@UFRED>' } },
      },
    }));
    expect(r.status).toBe(200);
    const pending = (await core.store.soa.state('5.23')).pending!;
    expect(pending).toMatchObject({ proposedBy: 'UDANA', proposedByName: 'Dana Mori', owner: '<@UFRED>', ownerName: 'Fred Ono' });
    const dm = await fake.waitFor('chat.postMessage', (a) => a.channel === 'DUERIN' && /soa_approve/.test(JSON.stringify(a.blocks)));
    const shown = JSON.stringify(dm.args.blocks);
    expect(shown).toContain('<@UDANA>');
    expect(shown).toContain('<@UFRED>');
    expect(shown).not.toContain('&lt;@');

    const value = JSON.stringify({ decision: pending.id, control: '5.23' });
    await postToBolt(url, SECRET, 'interactive', blockAction({ user: 'UERIN', actionId: 'soa_approve', value, channel: 'DUERIN', responseUrl: `${fake.responseUrl}/approve` }));
    await fake.waitFor('response_url', (a) => a.replace_original === true || a.replace_original === 'true');
    expect((await core.store.soa.state('5.23')).current).toMatchObject({ approvedBy: 'UERIN', approvedByName: 'Erin Abe' });
    // One users.info call per person, however many payloads named them.
    const lookups = fake.calls.filter((c) => c.method === 'users.info').map((c) => String(c.args.user));
    expect(lookups.length).toBe(new Set(lookups).size);
  });
});
