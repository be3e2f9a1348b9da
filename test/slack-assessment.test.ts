// The same assessment as test/assessment.test.ts, through Slack: signed block_actions, view_submission and
// thread replies against the fake Web API; the store ends up the same.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { App } from '@slack/bolt';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { createCore, type Core } from '../src/core.js';
import { ANALYSIS_MODAL } from '../src/slack/assessment.js';
import { seal } from '../src/slack/meta.js';
import { checkWrittenAssessment, scope, store } from './helpers/assessment-script.js';
import { blockAction, eventEnvelope, postToBolt, slashCommand, startFakeSlack, viewSubmission, type FakeSlack } from './helpers/fake-slack.js';
import { startHttpBot } from './helpers/bot.js';

const SECRET = 'secret-assess';
const ALICE = 'UALICE';
const BOB = 'UBOB';
const CAROL = 'UCAROL';
let fake: FakeSlack;
let core: Core;
let app: App;
let url: string;
let dataDir: string;

beforeAll(async () => {
  fake = await startFakeSlack();
  dataDir = mkdtempSync(join(tmpdir(), 'isms-slack-assess-'));
  core = await createCore(loadConfig({ ISMS_SOA_EDITION: '2013', ISMS_DATA_DIR: dataDir, EMBEDDINGS: 'off', ISMS_APPROVERS: CAROL, ISMS_LANG: 'en', LOG_LEVEL: 'warn' }));
  ({ app, url } = await startHttpBot(core, fake, SECRET));
});
afterAll(async () => {
  await app.stop();
  await core.close();
  await fake.close();
});

let channel = '';
let threadTs = '';
let eventN = 0;
const thread = () => `${channel}:${threadTs}`;
const block = (part = 'actions') => `assess|${thread()}|${part}`;
/** The metadata the bot seals into the analysis form it opens for the thread. */
const formMeta = async () => seal(await core.state.secret('modal-metadata'), { thread: thread() });

/** Sends one input and waits until the bot has posted its next message (or ephemeral) in the thread. */
async function send(kind: 'reply' | 'button' | 'multi' | 'owner' | 'form', user: string, value: string | string[] | Record<string, string>) {
  const seen = fake.calls.length;
  if (kind === 'reply') {
    const ev = { type: 'message', channel, user, text: value as string, ts: `1800000000.${String(++eventN).padStart(6, '0')}`, thread_ts: threadTs, channel_type: 'channel' };
    expect((await postToBolt(url, SECRET, 'event', eventEnvelope(ev, { eventId: `Ev-a-${eventN}` }))).status).toBe(200);
  } else if (kind === 'form') {
    const f = value as Record<string, string>;
    const r = await postToBolt(url, SECRET, 'interactive', viewSubmission({
      user, callbackId: ANALYSIS_MODAL, privateMetadata: await formMeta(),
      values: {
        cia: { value: { type: 'checkboxes', selected_options: f.cia!.split('').map((v) => ({ value: v })) } },
        owner: { value: { type: 'users_select', selected_user: f.owner } },
        likelihood: { value: { type: 'static_select', selected_option: { value: f.likelihood } } },
        impact: { value: { type: 'static_select', selected_option: { value: f.impact } } },
        treatment: { value: { type: 'static_select', selected_option: f.treatment ? { value: f.treatment } : null } },
      },
    }));
    expect(r.status).toBe(200);
  } else {
    const action = kind === 'button'
      ? { actionId: value === 'ok' ? 'assess_ok' : 'assess_choice_0', value: value as string, blockId: block() }
      : kind === 'multi'
        ? { actionId: 'assess_multi', blockId: block('multi'), type: 'multi_static_select', selectedOptions: (value as string[]).map((v) => ({ value: v, text: { type: 'plain_text', text: v } })) }
        : { actionId: 'assess_owner', blockId: block('owner'), type: 'users_select', selectedUser: value as string };
    const payload = blockAction({ user, channel, messageTs: threadTs, threadTs, ...action }) as any;
    // Pickers carry their selection in the action itself.
    if (kind === 'multi') payload.actions[0] = { ...payload.actions[0], type: 'multi_static_select', selected_options: (value as string[]).map((v) => ({ value: v, text: { type: 'plain_text', text: v } })) };
    if (kind === 'owner') payload.actions[0] = { ...payload.actions[0], type: 'users_select', selected_user: value };
    expect((await postToBolt(url, SECRET, 'interactive', payload)).status).toBe(200);
  }
  await expect.poll(() => fake.calls.slice(seen).find((c) => (c.method === 'chat.postMessage' || c.method === 'chat.postEphemeral') && c.args.thread_ts === threadTs), { timeout: 5000 }).toBeTruthy();
  return fake.calls.slice(seen).find((c) => (c.method === 'chat.postMessage' || c.method === 'chat.postEphemeral') && c.args.thread_ts === threadTs)!;
}

it('runs the assessment through Slack interactions and writes the same result as the console', async () => {
  await postToBolt(url, SECRET, 'command', slashCommand('assess PayCloud', { user: ALICE, channel: 'CASSESS', responseUrl: fake.responseUrl }));
  channel = 'CASSESS';
  const opening = await fake.waitFor('chat.postMessage', (a) => a.channel === channel && !a.thread_ts);
  threadTs = (await fake.waitFor('chat.postMessage', (a) => a.channel === channel && !!a.thread_ts)).args.thread_ts;
  expect(opening.args.text).toContain('started a risk assessment');
  await fake.waitFor('pins.add', (a) => a.channel === channel && a.timestamp === threadTs);

  await send('button', ALICE, scope[0]!); // provider
  await send('button', BOB, scope[1]!); // SaaS — another participant answers
  const assets = await send('reply', ALICE, 'AWS'); // the product name alone means "yes, on AWS"
  expect(assets.args.text).toContain('both the provider and the customer role are in scope');
  const risks = await send('reply', ALICE, scope[3]!);
  // The ranked proposals, each with its reason, are in the message; the select picks from them.
  expect(JSON.stringify(risks.args.blocks)).toMatch(/runs on AWS → /);
  const select = (risks.args.blocks as any[]).find((b) => b.accessory?.type === 'multi_static_select');
  const offered = select.accessory.options.map((o: { value: string }) => o.value);
  expect(offered).toHaveLength(8);
  await send('multi', ALICE, offered.slice(0, 2));
  await send('reply', ALICE, '+ Payroll export emailed to the wrong customer');
  await send('button', ALICE, 'next');

  // Risk 1 through the analysis form, which opens prefilled with the suggestion.
  await postToBolt(url, SECRET, 'interactive', blockAction({ user: ALICE, channel, messageTs: threadTs, threadTs, actionId: 'assess_form', value: 'form', blockId: block(), triggerId: 'trig-1' }));
  const opened = await fake.waitFor('views.open', (a) => a.trigger_id === 'trig-1');
  const fields = (opened.args.view.blocks as any[]);
  const risk1 = (await core.assessments.active(thread()))!.risks[0]!;
  expect(fields.find((b) => b.block_id === 'likelihood').element.initial_option.value).toBe(String((await core.assessments.formDefaults(thread()))!.likelihood));
  expect(fields.find((b) => b.block_id === 'cia').element.initial_options.map((o: { value: string }) => o.value).join('')).toBe(risk1.cia);
  const badForm = await postToBolt(url, SECRET, 'interactive', viewSubmission({
    user: ALICE, callbackId: ANALYSIS_MODAL, privateMetadata: await formMeta(),
    values: { cia: { value: { type: 'checkboxes', selected_options: [] } }, owner: { value: { type: 'users_select', selected_user: null } }, likelihood: { value: { type: 'static_select', selected_option: { value: '3' } } }, impact: { value: { type: 'static_select', selected_option: { value: '5' } } } },
  }));
  expect(JSON.parse(badForm.body)).toMatchObject({ response_action: 'errors', errors: { owner: expect.stringMatching(/risk owner is required/), cia: expect.any(String) } });
  await send('form', ALICE, { cia: risk1.cia!, owner: ALICE, likelihood: '3', impact: '5', treatment: 'modify' });
  // Risk 2: the owner from the picker (the step waits), then the rest in one reply.
  const picked = await send('owner', BOB, BOB);
  expect(picked.args.text).toMatch(/\[2\/3\]/);
  await send('reply', BOB, 'CI 2x4 +12.3.1');
  // Risk 3 through the form, retained.
  const missedStep = await send('form', ALICE, { cia: 'CIA', owner: ALICE, likelihood: '2', impact: '2', treatment: 'retain' });
  // The 27017 group decided at once with its button; single lines by thread replies.
  const applyButton = (missedStep.args.blocks as any[]).flatMap((b) => b.elements ?? []).find((e: any) => e.value === 'apply 1');
  expect(applyButton.text.text).toMatch(/^Apply group 1 \(\d+\)$/);
  const applied = await send('button', ALICE, 'apply 1');
  expect(applied.args.text).toMatch(/^Group 1: \d+ lines recorded applicable\./);
  await send('reply', ALICE, 'exclude 11.1.1 SaaS only: no premises of our own in scope');
  await send('reply', ALICE, 'include 12.4.1 audit trail for payroll changes');
  const review = await send('reply', ALICE, 'next');
  expect(review.args.text).toMatch(/\*Risk assessment A-[0-9a-f]{6}\* — PayCloud/);
  // The details behind the summary are a reply in the thread.
  await fake.waitFor('chat.postMessage', (a) => a.channel === channel && a.thread_ts === threadTs && /^\*Details of A-/.test(a.text));

  // A non-approver cannot approve: refused to them only, and nothing is written.
  const refused = await send('button', ALICE, 'approve');
  expect(refused.method).toBe('chat.postEphemeral');
  expect(refused.args.text).toMatch(/Only approvers can approve/);
  expect(await core.store.risks.list()).toEqual([]);

  await send('button', ALICE, 'submit');
  // The approver gets one message (the one-screen summary and Approve), with the details in its thread.
  const dm = await fake.waitFor('chat.postMessage', (a) => a.channel === `D${CAROL}` && /waiting for your approval/.test(a.text));
  const dmText = (dm.args.blocks as any[]).filter((b) => b.type === 'section').map((b) => b.text.text).join('\n');
  expect(dmText).toMatch(/Payroll export emailed to the wrong customer — 2×2=4 low · UALICE · retain/);
  expect(dmText.split('\n').length).toBeLessThanOrEqual(20);
  expect(JSON.stringify(dm.args.blocks)).toContain(`assess|${thread()}|approve`);
  const dmDetails = await fake.waitFor('chat.postMessage', (a) => a.channel === `D${CAROL}` && !!a.thread_ts && /^\*Details of A-/.test(a.text));
  expect(dmDetails.args.text).toContain('Excluded, each with its justification:\n• 11.1.1 — SaaS only: no premises of our own in scope');
  const done = await send('button', CAROL, 'approve');
  expect(done.args.text).toContain('Approved and written.');

  // The pinned summary was kept up to date.
  const summary = fake.callsOf('chat.update').filter((c) => c.args.channel === channel).at(-1)!;
  expect(summary.args.text).toMatch(/^\*Risk assessment A-[0-9a-f]{6}\* — PayCloud\n/);
  expect(summary.args.text).toContain('3. Payroll export emailed to the wrong customer');
  await checkWrittenAssessment(dataDir, CAROL, /^https:\/\/example\.slack\.com\/archives\/CASSESS\/p\d+$/, { alice: ALICE, bob: BOB });
  // The group's lines were written one decision each, with the group's reason.
  const s = store(dataDir);
  try {
    const grouped = (await s.soaRows()).filter((r) => r.current?.reasons.some((x) => x.startsWith('business:ISO/IEC 27017 cloud guidance for our roles')));
    expect(grouped.length).toBeGreaterThan(20);
  } finally {
    await s.close();
  }
});

it('reminds the starter once about an assessment idle for 3 days', async () => {
  const { sendReminders } = await import('../src/slack/reminders.js');
  const started = await core.assessments.begin('CIDLE:1700000000.000100', ALICE, 'en', 'IdleSvc');
  const later = Date.parse(started.state.updatedAt) + 3 * 24 * 3600 * 1000 + 1000;
  expect(await sendReminders(core, app.client, later - 2000 * 1000)).toBe(0);
  expect(await sendReminders(core, app.client, later)).toBe(1);
  const dm = await fake.waitFor('chat.postMessage', (a) => a.channel === `D${ALICE}` && /idle for 3 days/.test(a.text));
  expect(dm.args.text).toContain(started.state.id);
  expect(await sendReminders(core, app.client, later + 3600 * 1000)).toBe(0);
});

it('made no Web API call that Slack would refuse (a scope the manifest lacks, or blocks over Block Kit\'s limits)', () => {
  expect(fake.refused().map((c) => `${c.method}: ${c.error}`)).toEqual([]);
});
