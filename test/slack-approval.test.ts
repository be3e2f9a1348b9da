// The Approve button in an approver's DM approves the proposal it shows, and no other: a proposal replaced by a newer
// one before review leaves the old button without effect. Over signed HTTP against the fake Web API.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { App } from '@slack/bolt';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { createCore, type Core } from '../src/core.js';
import { seal } from '../src/slack/meta.js';
import { SOA_MODAL } from '../src/slack/modal.js';
import { startHttpBot } from './helpers/bot.js';
import { blockAction, postToBolt, startFakeSlack, viewSubmission, type FakeSlack } from './helpers/fake-slack.js';

const SECRET = 'secret-approval';
const ALICE = 'UALICE'; // staff
const CAROL = 'UCAROL'; // approver

let fake: FakeSlack;
let core: Core;
let app: App;
let url: string;

beforeAll(async () => {
  fake = await startFakeSlack();
  core = await createCore(loadConfig({ ISMS_SOA_EDITION: '2013', ISMS_DATA_DIR: mkdtempSync(join(tmpdir(), 'isms-approval-')), EMBEDDINGS: 'off', ISMS_APPROVERS: CAROL, ISMS_LANG: 'en', LOG_LEVEL: 'warn' }));
  ({ app, url } = await startHttpBot(core, fake, SECRET));
});
afterAll(async () => {
  await app.stop();
  await core.close();
  await fake.close();
});

/** Alice proposes through the SoA form; resolves with the Approve button of the DM that reaches the approver. */
async function propose(control: string, status: string, evidence: string): Promise<{ value: string }> {
  const meta = seal(await core.state.secret('modal-metadata'), { control, channel: 'CAPPROVE', source: 'https://slack.com/app_redirect?channel=CAPPROVE', lang: 'en' });
  const seen = fake.calls.length;
  const r = await postToBolt(url, SECRET, 'interactive', viewSubmission({
    user: ALICE, callbackId: SOA_MODAL, privateMetadata: meta,
    values: {
      applicable: { value: { type: 'static_select', selected_option: { value: 'yes' } } },
      status: { value: { type: 'static_select', selected_option: { value: status } } },
      evidence: { value: { type: 'plain_text_input', value: evidence } },
    },
  }));
  expect(r.status).toBe(200);
  await expect.poll(() => fake.calls.slice(seen).find((c) => c.method === 'chat.postMessage' && c.args.channel === `D${CAROL}`), { timeout: 15_000 }).toBeTruthy();
  const dm = fake.calls.slice(seen).find((c) => c.method === 'chat.postMessage' && c.args.channel === `D${CAROL}`)!;
  const actions = (dm.args.blocks as { type: string; elements?: { action_id: string; value: string }[] }[]).find((b) => b.type === 'actions')!;
  return actions.elements!.find((e) => e.action_id === 'soa_approve')!;
}

/** The approver presses a button; resolves with what the bot answered through the button's response_url. */
async function press(button: { value: string }, path: string) {
  const r = await postToBolt(url, SECRET, 'interactive', blockAction({ user: CAROL, actionId: 'soa_approve', value: button.value, channel: `D${CAROL}`, responseUrl: `${fake.responseUrl}/${path}` }));
  expect(r.status).toBe(200);
  const answered = () => fake.callsOf('response_url').find((c) => c.path.endsWith(`/${path}`));
  await expect.poll(answered, { timeout: 15_000 }).toBeTruthy();
  return answered()!.args;
}

it('an old DM button does not approve the newer proposal that replaced it; the new button does', async () => {
  const first = await propose('12.1.2', 'planned', 'wiki/change-v1');
  const second = await propose('12.1.2', 'implemented', 'wiki/change-v2');
  const { pending } = await core.store.soa.state('12.1.2');
  expect(pending).toMatchObject({ version: 2, status: 'implemented' });
  expect(JSON.parse(first.value)).not.toEqual(JSON.parse(second.value));
  const before = (await core.store.audit.entries(1000)).length;

  // The approver presses the button of the first DM: it names a proposal that is no longer the pending one.
  expect(await press(first, 'old')).toMatchObject({ response_type: 'ephemeral', text: expect.stringMatching(/already reviewed or replaced by a newer one/) });
  expect(await core.store.soa.state('12.1.2')).toMatchObject({ current: null, pending: { id: pending!.id, version: 2 } });
  expect(await core.store.audit.entries(1000)).toHaveLength(before);

  // The button of the DM that shows the pending proposal approves exactly that one.
  expect(await press(second, 'new')).toMatchObject({ replace_original: true });
  expect((await core.store.soa.state('12.1.2')).current).toMatchObject({ id: pending!.id, version: 2, approvedBy: CAROL });
  expect((await core.store.soa.state('12.1.2')).pending).toBeNull();
});
