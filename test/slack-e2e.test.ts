// The Slack app end to end: Bolt over HTTP with Slack-signed requests, and a fake Slack Web API on 127.0.0.1.
import type { Server } from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { App } from '@slack/bolt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { createCore, type Core } from '../src/core.js';
import { createSlackApp } from '../src/slack/app.js';
import { MAX_REACTING } from '../src/slack/listeners/events.js';
import { SOA_MODAL } from '../src/slack/modal.js';
import { seal } from '../src/slack/meta.js';
import { createLogger } from '../src/log.js';
import { startFakeOpenAI, type FakeOpenAI } from './helpers/fake-openai.js';
import {
  appMention, blockAction, boltUrl, eventEnvelope, postToBolt, slashCommand, startFakeSlack, startFakeSocketModeServer, viewSubmission, type FakeSlack,
} from './helpers/fake-slack.js';

const SECRET = 'test-signing-secret';
const ALICE = 'UALICE'; // staff, Japanese locale
const CAROL = 'UCAROL'; // approver

interface Bot { core: Core; app: App; url: string; logs: string[] }

async function startBot(fake: FakeSlack, env: Record<string, string> = {}): Promise<Bot> {
  // 👀 on every message (ISMS_SLACK_PROGRESS_MS=0): the tests watch the reaction as the sign that the bot is working.
  const config = loadConfig({ ISMS_SOA_EDITION: '2013', ISMS_DATA_DIR: mkdtempSync(join(tmpdir(), 'isms-slack-')), EMBEDDINGS: 'off', ISMS_APPROVERS: CAROL, ISMS_LANG: 'en', ISMS_SLACK_PROGRESS_MS: '0', ...env });
  const logs: string[] = [];
  const core = await createCore(config, createLogger('info', (l) => logs.push(l)));
  const app = await createSlackApp(core, { mode: 'http', botToken: 'xoxb-test-TOKEN123456', signingSecret: SECRET, port: 0, apiUrl: fake.apiUrl, allowBots: false, retries: 0 });
  const server = (await app.start({ port: 0, host: '127.0.0.1' })) as unknown as Server;
  return { core, app, url: boltUrl(server), logs };
}

let fake: FakeSlack;
let bot: Bot;

/**
 * Sends a mention that the bot must answer and waits for the answer: the positive signal that the bot has handled
 * what was sent before it, after which "nothing else happened" can be asserted without sleeping.
 */
async function answeredMention(channel: string, ts: string, eventId: string, user = CAROL) {
  const ev = appMention('<@UBOT> backup', { user, channel, ts });
  expect((await postToBolt(bot.url, SECRET, 'event', eventEnvelope(ev, { eventId }))).status).toBe(200);
  return fake.waitFor('chat.postMessage', (a) => a.channel === channel && a.thread_ts === ts);
}

/** Whether a Web API call concerns the message with this ts (a reply in its thread, a reaction, a permalink). */
const about = (c: { args: Record<string, any> }, ts: string) => [c.args.thread_ts, c.args.timestamp, c.args.message_ts, c.args.ts].includes(ts);

beforeAll(async () => {
  fake = await startFakeSlack({ users: { [ALICE]: { locale: 'ja-JP' }, [CAROL]: { locale: 'en-US' } } });
  bot = await startBot(fake);
});
afterAll(async () => {
  await bot.app.stop();
  await bot.core.close();
  await fake.close();
});

describe('mentions', () => {
  it('answers a Japanese mention in its thread, citing the backup control', async () => {
    const ev = appMention('<@UBOT> バックアップは誰の責任？', { user: ALICE, channel: 'C1', ts: '1700000001.000100' });
    const r = await postToBolt(bot.url, SECRET, 'event', eventEnvelope(ev, { eventId: 'Ev-ja-1' }));
    expect(r.status).toBe(200);
    const working = await fake.waitFor('reactions.add', (a) => a.channel === 'C1');
    expect(working.args).toMatchObject({ name: 'eyes', timestamp: '1700000001.000100' });
    const answer = await fake.waitFor('chat.postMessage', (a) => a.channel === 'C1' && a.thread_ts === '1700000001.000100');
    expect(answer.args.text).toContain('12.3.1 情報のバックアップ');
    expect(JSON.stringify(answer.args.blocks)).toContain('feedback_up');
    await fake.waitFor('reactions.remove', (a) => a.channel === 'C1');
  });

  it('rejects a forged signature with 401 and does nothing', async () => {
    const before = fake.calls.length;
    const ev = appMention('<@UBOT> backup', { user: ALICE, channel: 'C2', ts: '1700000002.000100' });
    const r = await postToBolt(bot.url, SECRET, 'event', eventEnvelope(ev, { eventId: 'Ev-forged' }), { forgeSignature: true });
    expect(r.status).toBe(401);
    const stale = await postToBolt(bot.url, SECRET, 'event', eventEnvelope(ev, { eventId: 'Ev-stale' }), { ts: Math.floor(Date.now() / 1000) - 600 });
    expect(stale.status).toBe(401);
    await answeredMention('C2', '1700000002.000200', 'Ev-signal-2');
    expect(fake.calls.slice(before).filter((c) => c.method.startsWith('chat.') && !about(c, '1700000002.000200'))).toEqual([]);
  });

  it('answers a retried delivery only once', async () => {
    const ev = appMention('<@UBOT> key management in the cloud', { user: CAROL, channel: 'C3', ts: '1700000003.000100' });
    const env = eventEnvelope(ev, { eventId: 'Ev-retry' });
    await postToBolt(bot.url, SECRET, 'event', env);
    await fake.waitFor('chat.postMessage', (a) => a.channel === 'C3');
    // Slack signs each delivery afresh: a retry carries a later timestamp (the same bytes and timestamp are a replay, 401).
    const retry = await postToBolt(bot.url, SECRET, 'event', env, { ts: Math.floor(Date.now() / 1000) + 1, headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' } });
    expect(retry.status).toBe(200);
    // A later event in the same channel is answered: by then the retry has been handled, and it produced nothing.
    await answeredMention('C3', '1700000003.000200', 'Ev-signal-3');
    expect(fake.callsOf('chat.postMessage').filter((c) => c.args.thread_ts === '1700000003.000100')).toHaveLength(1);
    expect(fake.callsOf('reactions.add').filter((c) => c.args.timestamp === '1700000003.000100')).toHaveLength(1);
  });

  it('ignores its own messages and other bots', async () => {
    const own = appMention('<@UBOT> backup', { user: 'UBOT', channel: 'C4', ts: '1700000004.000100' });
    await postToBolt(bot.url, SECRET, 'event', eventEnvelope(own, { eventId: 'Ev-own' }));
    const other = { ...appMention('<@UBOT> backup', { user: 'UOTHER', channel: 'C4', ts: '1700000004.000200' }), bot_id: 'B9' };
    await postToBolt(bot.url, SECRET, 'event', eventEnvelope(other, { eventId: 'Ev-bot' }));
    await answeredMention('C4', '1700000004.000300', 'Ev-signal-4', ALICE);
    expect(fake.calls.filter((c) => c.args.channel === 'C4' && !about(c, '1700000004.000300'))).toEqual([]);
  });
});

describe('a burst of mentions', () => {
  it(`answers every mention but shows 👀 on at most ${MAX_REACTING} at once, sparing the rate-limited reactions API`, async () => {
    // reactions.add takes a while, so every reaction of the burst is still showing when the last mention arrives.
    fake.on('reactions.add', async () => { await new Promise((r) => setTimeout(r, 1500)); return { ok: true }; });
    try {
      const before = fake.calls.length;
      const n = MAX_REACTING + 10;
      const tss = Array.from({ length: n }, (_, i) => `1700000500.${String(i).padStart(6, '0')}`);
      await Promise.all(tss.map((ts, i) => postToBolt(bot.url, SECRET, 'event', eventEnvelope(appMention('<@UBOT> backup', { user: CAROL, channel: 'CBURST', ts }), { eventId: `EvBurst${i}` }))));
      await Promise.all(tss.map((ts) => fake.waitFor('chat.postMessage', (a) => a.channel === 'CBURST' && a.thread_ts === ts)));
      await Promise.all(tss.slice(0, MAX_REACTING).map(() => fake.waitFor('reactions.remove', (a) => a.channel === 'CBURST')));
      const calls = fake.calls.slice(before).filter((c) => c.args.channel === 'CBURST');
      expect(calls.filter((c) => c.method === 'chat.postMessage')).toHaveLength(n);
      expect(calls.filter((c) => c.method === 'reactions.add')).toHaveLength(MAX_REACTING);
    } finally {
      fake.on('reactions.add', undefined);
    }
  });
});

describe('/isms', () => {
  it('acks a slash command in under 3 s even when the LLM takes 10 s', async () => {
    const llm: FakeOpenAI = await startFakeOpenAI();
    llm.reply = () => ({ delayMs: 10_000, content: 'late [12.3.1]' });
    const slowFake = await startFakeSlack();
    const slow = await startBot(slowFake, { OPENAI_BASE_URL: llm.baseURL, OPENAI_API_KEY: 'sk-test-0123456789', OPENAI_TIMEOUT_MS: '15000' });
    try {
      const r = await postToBolt(slow.url, SECRET, 'command', slashCommand('ask Who takes backups of our VMs in IaaS?', { user: CAROL, channel: 'C5', responseUrl: slowFake.responseUrl }));
      expect(r.status).toBe(200);
      expect(r.ms).toBeLessThan(3000);
      await expect.poll(() => llm.requests.length, { timeout: 5000 }).toBe(1);
    } finally {
      await slow.app.stop();
      await slow.core.close();
      await slowFake.close();
      await llm.close();
    }
  });

  it('shows an SoA decision and its history to the caller only', async () => {
    await bot.core.store.soa.set({ control: '12.3.1', applicable: true, status: 'implemented', by: CAROL, source: 'cli' });
    await postToBolt(bot.url, SECRET, 'command', slashCommand('soa 12.3.1', { user: CAROL, channel: 'C6', responseUrl: `${fake.responseUrl}/soa` }));
    const r = await fake.waitFor('response_url', (a) => /12\.3\.1/.test(a.text ?? ''));
    expect(r.args.response_type).toBe('ephemeral');
    expect(r.args.text).toMatch(/Decision in force/);
  });

  it('opens the SoA modal, and a submission shows its validation errors inline and writes nothing', async () => {
    await postToBolt(bot.url, SECRET, 'command', slashCommand('soa set A.11.1.1', { user: ALICE, channel: 'C7', responseUrl: fake.responseUrl, triggerId: 'T-modal' }));
    const open = await fake.waitFor('views.open', (a) => a.trigger_id === 'T-modal');
    expect(open.args.view.callback_id).toBe(SOA_MODAL);
    const meta = open.args.view.private_metadata;
    const r = await postToBolt(bot.url, SECRET, 'interactive', viewSubmission({
      user: ALICE, callbackId: SOA_MODAL, privateMetadata: meta,
      values: {
        applicable: { value: { type: 'static_select', selected_option: { value: 'no' } } },
        status: { value: { type: 'static_select', selected_option: { value: 'not-implemented' } } },
        justification: { value: { type: 'plain_text_input', value: null } },
        reason: { value: { type: 'plain_text_input', value: 'risk:R-99' } },
      },
    }));
    expect(r.status).toBe(200);
    const body = JSON.parse(r.body);
    expect(body.response_action).toBe('errors');
    expect(body.errors.justification).toMatch(/needs an exclusion justification/);
    expect(await bot.core.store.soa.history('11.1.1')).toEqual([]);
  });

  it('records a valid submission as a proposal with the Slack user and the channel link, and tells the approver', async () => {
    // The metadata the bot seals into the form it opens (a form opened by /isms soa set 11.1.1 in C7).
    const meta = seal(await bot.core.state.secret('modal-metadata'), { control: '11.1.1', channel: 'C7', source: 'https://slack.com/app_redirect?channel=C7', lang: 'en' });
    const r = await postToBolt(bot.url, SECRET, 'interactive', viewSubmission({
      user: ALICE, callbackId: SOA_MODAL, privateMetadata: meta,
      values: {
        applicable: { value: { type: 'static_select', selected_option: { value: 'no' } } },
        status: { value: { type: 'static_select', selected_option: { value: 'not-implemented' } } },
        justification: { value: { type: 'plain_text_input', value: 'SaaS only: no own premises in scope' } },
      },
    }));
    expect(r.status).toBe(200);
    const pending = (await bot.core.store.soa.state('11.1.1')).pending!;
    expect(pending).toMatchObject({ proposedBy: ALICE, source: 'https://slack.com/app_redirect?channel=C7', state: 'proposed', applicable: false });
    const dm = await fake.waitFor('chat.postMessage', (a) => a.channel === `D${CAROL}` && /soa_approve/.test(JSON.stringify(a.blocks)));
    expect(dm.args.text).toContain('11.1.1');
  });

  it('refuses an approval from a non-approver and leaves the store unchanged; the approver can approve', async () => {
    const pending = await bot.core.store.soa.set({ control: '11.1.3', applicable: false, status: 'not-implemented', justification: 'no offices of our own', by: ALICE, source: 'cli' });
    expect(pending.state).toBe('proposed');
    const value = JSON.stringify({ decision: pending.id, control: '11.1.3' });
    const auditBefore = await bot.core.store.verifyAudit();
    await postToBolt(bot.url, SECRET, 'interactive', blockAction({ user: ALICE, actionId: 'soa_approve', value, channel: `D${CAROL}`, responseUrl: `${fake.responseUrl}/refuse` }));
    const refusal = await fake.waitFor('response_url', (a) => /Only approvers|承認者/.test(a.text ?? ''));
    expect(refusal.args.response_type).toBe('ephemeral');
    expect(await bot.core.store.soa.state('11.1.3')).toMatchObject({ current: null, pending: { id: pending.id } });
    expect(await bot.core.store.verifyAudit()).toEqual(auditBefore);

    await postToBolt(bot.url, SECRET, 'interactive', blockAction({ user: CAROL, actionId: 'soa_approve', value, channel: `D${CAROL}`, responseUrl: `${fake.responseUrl}/approve` }));
    await fake.waitFor('response_url', (a) => (a.replace_original === true || a.replace_original === 'true') && /11\.1\.3/.test(a.text ?? ''));
    expect((await bot.core.store.soa.state('11.1.3')).current).toMatchObject({ id: pending.id, approvedBy: CAROL });
  });

  it('uploads the XLSX SoA on /isms export to the approver\'s DM, not the channel', async () => {
    await postToBolt(bot.url, SECRET, 'command', slashCommand('export', { user: CAROL, channel: 'C8', responseUrl: `${fake.responseUrl}/export` }));
    const done = await fake.waitFor('files.completeUploadExternal', undefined, 15_000);
    expect(done.args.channel_id).toBe(`D${CAROL}`);
    const note = await fake.waitFor('response_url', (a) => /Sent .* to your DM/.test(a.text ?? ''));
    expect(note.args.response_type).toBe('ephemeral');
    const upload = fake.callsOf('file_upload').at(-1)!;
    expect(upload.args.bytes).toBeGreaterThan(5000);
    expect(upload.args.body.subarray(0, 2).toString()).toBe('PK'); // a zip: XLSX
  });

  it('answers /isms help in both languages', async () => {
    await postToBolt(bot.url, SECRET, 'command', slashCommand('help', { user: ALICE, channel: 'C9', responseUrl: `${fake.responseUrl}/help` }));
    const r = await fake.waitFor('response_url', (a) => /ISMS Cloud Assistant の使い方/.test(a.text ?? ''));
    expect(r.args.response_type).toBe('ephemeral');
  });
});

describe('escaping', () => {
  it('shows user text as text: a justification cannot ping a channel or disguise a link', async () => {
    const meta = seal(await bot.core.state.secret('modal-metadata'), { control: '11.1.2', channel: 'C12', source: 'https://slack.com/app_redirect?channel=C12', lang: 'en' });
    await postToBolt(bot.url, SECRET, 'interactive', viewSubmission({
      user: ALICE, callbackId: SOA_MODAL, privateMetadata: meta,
      values: {
        applicable: { value: { type: 'static_select', selected_option: { value: 'no' } } },
        status: { value: { type: 'static_select', selected_option: { value: 'not-implemented' } } },
        justification: { value: { type: 'plain_text_input', value: '<!channel> no premises, see <https://evil.example|the contract>' } },
      },
    }));
    const dm = await fake.waitFor('chat.postMessage', (a) => a.channel === `D${CAROL}` && /11\.1\.2/.test(a.text));
    const shown = JSON.stringify(dm.args.blocks);
    expect(shown).toContain('&lt;!channel&gt;');
    expect(shown).not.toContain('<!channel>');
    expect(shown).not.toContain('<https://evil.example|');
  });
});

describe('App Home and feedback', () => {
  it('publishes the App Home with coverage and pending proposals', async () => {
    await bot.core.store.soa.set({ control: '9.4.1', applicable: true, status: 'implemented', by: CAROL, source: 'cli' });
    await bot.core.store.soa.set({ control: '9.4.2', applicable: true, status: 'planned', by: ALICE, source: 'cli' });
    const rows = await bot.core.store.soaRows();
    const approved = rows.filter((r) => r.relevant && r.current).length;
    expect(approved).toBeGreaterThan(0);
    await postToBolt(bot.url, SECRET, 'event', eventEnvelope({ type: 'app_home_opened', user: CAROL, channel: 'DHOME', tab: 'home' }, { eventId: 'Ev-home' }));
    const pub = await fake.waitFor('views.publish', (a) => a.user_id === CAROL);
    const text = JSON.stringify(pub.args.view.blocks);
    expect(text).toContain('SoA coverage');
    expect(text).toContain(`${approved} / 121`);
    // The pending proposal is listed with Approve / Reject for the approver.
    expect(text).toMatch(/9\.4\.2/);
    expect(text).toContain('soa_approve');
  });

  it('stores 👍 feedback on an answer', async () => {
    const answer = await answeredMention('CFB', '1700000013.000100', 'Ev-feedback');
    const ref = (answer.args.blocks as any[]).find((b) => b.type === 'actions').elements[0].value as string;
    await postToBolt(bot.url, SECRET, 'interactive', blockAction({ user: ALICE, actionId: 'feedback_up', value: ref, channel: 'C1', responseUrl: `${fake.responseUrl}/fb` }));
    await expect.poll(async () => await bot.core.state.feedbackFor(ref), { timeout: 3000 }).toEqual([{ user: ALICE, vote: 'up' }]);
  });

  it('never writes the bot token to the log', () => {
    expect(bot.logs.join('\n')).not.toContain('TOKEN123456');
  });
});

describe('Socket Mode', () => {
  it('connects to a local WebSocket server, acks an event and answers it', async () => {
    const f = await startFakeSlack();
    const sm = await startFakeSocketModeServer(f);
    const config = loadConfig({ ISMS_SOA_EDITION: '2013', ISMS_DATA_DIR: mkdtempSync(join(tmpdir(), 'isms-sm-')), EMBEDDINGS: 'off', LOG_LEVEL: 'warn' });
    const core = await createCore(config);
    const app = await createSlackApp(core, { mode: 'socket', botToken: 'xoxb-test', appToken: 'xapp-test', port: 0, apiUrl: f.apiUrl, allowBots: false, retries: 0 });
    try {
      await app.start();
      sm.send({ type: 'events_api', envelope_id: 'env-1', accepts_response_payload: false, payload: eventEnvelope(appMention('<@UBOT> clock synchronization', { user: 'U1', channel: 'CS', ts: '1700000009.000100' }), { eventId: 'Ev-sm' }) });
      await sm.waitForAck('env-1');
      const update = await f.waitFor('chat.postMessage', (a) => a.channel === 'CS');
      expect(JSON.stringify(update.args.blocks)).toContain('12.4.4');
    } finally {
      await app.stop();
      await sm.close();
      await core.close();
      await f.close();
    }
  });
});

describe('message shortcut', () => {
  it('answers "Ask ISMS about this message" in the message thread', async () => {
    const { messageShortcut } = await import('./helpers/fake-slack.js');
    const r = await postToBolt(bot.url, SECRET, 'interactive', messageShortcut({
      user: CAROL, callbackId: 'ask_isms', channel: 'C10', messageText: 'Does the provider have to notify us before it changes the cloud service?',
      messageTs: '1700000010.000100', responseUrl: fake.responseUrl,
    }));
    expect(r.status).toBe(200);
    const answer = await fake.waitFor('chat.postMessage', (a) => a.channel === 'C10' && a.thread_ts === '1700000010.000100');
    expect(answer.args.text).toMatch(/12\.1\.2 Change management/);
  });
});

describe('/isms digest and the App Home assessment button', () => {
  it('shows the readiness digest preview to the caller only', async () => {
    await postToBolt(bot.url, SECRET, 'command', slashCommand('digest', { user: CAROL, channel: 'C11', responseUrl: `${fake.responseUrl}/digest` }));
    const r = await fake.waitFor('response_url', (a) => /readiness/i.test(a.text ?? ''));
    expect(r.args.response_type).toBe('ephemeral');
    expect(JSON.stringify(r.args.blocks)).toMatch(/coverage/i);
  });

  it('starts an assessment in a DM thread from the App Home', async () => {
    await postToBolt(bot.url, SECRET, 'interactive', blockAction({ user: CAROL, actionId: 'home_assess', value: 'assess', responseUrl: `${fake.responseUrl}/home` }));
    const opening = await fake.waitFor('chat.postMessage', (a) => a.channel === `D${CAROL}` && /started a risk assessment/.test(a.text));
    const question = await fake.waitFor('chat.postMessage', (a) => a.channel === `D${CAROL}` && !!a.thread_ts && /Which cloud service/.test(a.text));
    expect(question.args.thread_ts).toBeDefined();
    expect(opening.args.thread_ts).toBeUndefined();
    expect(await bot.core.assessments.active(`D${CAROL}:${question.args.thread_ts}`)).toMatchObject({ step: 'service', startedBy: CAROL });
  });
});

it('made no Web API call that Slack would refuse (a scope the manifest lacks, or blocks over Block Kit\'s limits)', () => {
  expect(fake.refused().map((c) => `${c.method}: ${c.error}`)).toEqual([]);
});
