// Every listener runs its work inside the error guard: a failure after the ack reaches the user who acted as a short
// message with a reference (ephemeral in the channel, a DM for App Home buttons, the App Home itself when it fails to
// open), never as silence. Over signed HTTP against the fake Web API; the failures are injected into the chat core or
// the fake.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { App } from '@slack/bolt';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import type { ChatService } from '../src/chat/service.js';
import { loadConfig } from '../src/config.js';
import { createCore, type Core } from '../src/core.js';
import { startHttpBot } from './helpers/bot.js';
import { blockAction, eventEnvelope, postToBolt, startFakeSlack, type FakeSlack } from './helpers/fake-slack.js';

const SECRET = 'secret-guard';
const CAROL = 'UCAROL'; // approver

let fake: FakeSlack;
let core: Core;
let app: App;
let url: string;
const restore: (() => void)[] = [];

beforeAll(async () => {
  fake = await startFakeSlack();
  core = await createCore(loadConfig({ ISMS_SOA_EDITION: '2013', ISMS_DATA_DIR: mkdtempSync(join(tmpdir(), 'isms-guard-')), EMBEDDINGS: 'off', ISMS_APPROVERS: CAROL, ISMS_LANG: 'en', LOG_LEVEL: 'error' }));
  ({ app, url } = await startHttpBot(core, fake, SECRET));
});
afterEach(() => restore.splice(0).forEach((f) => f()));
afterAll(async () => {
  await app.stop();
  await core.close();
  await fake.close();
});

/** Makes one chat-core method throw until the test ends. */
function breakChat(method: keyof ChatService) {
  const chat = core.chat as unknown as Record<string, unknown>;
  const original = chat[method];
  chat[method] = () => {
    throw new Error(`${method} broke`);
  };
  restore.push(() => { chat[method] = original; });
}

const failure = /^:warning: Something went wrong \(ref: err-[0-9a-f]{8}\)/;

it('a failing 👍 button tells the user in the channel', async () => {
  breakChat('feedback');
  await postToBolt(url, SECRET, 'interactive', blockAction({ user: CAROL, actionId: 'feedback_up', value: 'ans-1', channel: 'CG1', responseUrl: `${fake.responseUrl}/fb` }));
  const told = await fake.waitFor('chat.postEphemeral', (a) => a.channel === 'CG1' && a.user === CAROL);
  expect(told.args.text).toMatch(failure);
});

it('a failing Approve button tells the approver in the channel', async () => {
  breakChat('reviewButton');
  const value = JSON.stringify({ decision: 1, control: '12.3.1' });
  await postToBolt(url, SECRET, 'interactive', blockAction({ user: CAROL, actionId: 'soa_approve', value, channel: 'CG2', responseUrl: `${fake.responseUrl}/approve` }));
  const told = await fake.waitFor('chat.postEphemeral', (a) => a.channel === 'CG2' && a.user === CAROL);
  expect(told.args.text).toMatch(failure);
});

it('an Open form button whose modal Slack refuses tells the user in the channel', async () => {
  fake.failNext('views.open', 'expired_trigger_id');
  await postToBolt(url, SECRET, 'interactive', blockAction({ user: CAROL, actionId: 'soa_open_form', value: '12.3.1', channel: 'CG3', messageTs: '1700000020.000100', responseUrl: `${fake.responseUrl}/form` }));
  const told = await fake.waitFor('chat.postEphemeral', (a) => a.channel === 'CG3' && a.user === CAROL);
  expect(told.args.text).toMatch(failure);
});

it('a failing App Home quick action answers in the user\'s DM', async () => {
  breakChat('handle');
  await postToBolt(url, SECRET, 'interactive', blockAction({ user: CAROL, actionId: 'home_missing', value: 'missing', view: { type: 'home' } }));
  const told = await fake.waitFor('chat.postMessage', (a) => a.channel === `D${CAROL}` && failure.test(a.text ?? ''));
  expect(told.args.text).toMatch(failure);
});

it('an App Home that fails to build is published with the message instead', async () => {
  breakChat('isApprover');
  await postToBolt(url, SECRET, 'event', eventEnvelope({ type: 'app_home_opened', user: CAROL, channel: 'DHOME', tab: 'home' }, { eventId: 'Ev-guard-home' }));
  const shown = await fake.waitFor('views.publish', (a) => a.user_id === CAROL);
  expect(JSON.stringify(shown.args.view.blocks)).toMatch(/Something went wrong \(ref: err-[0-9a-f]{8}\)/);
});
