// Self-test of test/helpers/fake-slack.ts (test tooling, not the product) against a real Bolt App (HTTP receiver and Socket Mode), all on 127.0.0.1.
import { App, LogLevel } from '@slack/bolt';
import { WebClient } from '@slack/web-api';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  appMention, blockAction, boltUrl, eventEnvelope, postToBolt, signSlackRequest, slashCommand, startFakeSlack,
  startFakeSocketModeServer, viewSubmission, type FakeSlack,
} from '../helpers/fake-slack.js';

const SECRET = 'test-signing-secret';

describe('fake Slack Web API', () => {
  let fake: FakeSlack;
  beforeAll(async () => { fake = await startFakeSlack({ users: { U2: { locale: 'ja-JP', name: 'taro' } } }); });
  afterAll(async () => { await fake.close(); });

  it('answers the common methods and decodes JSON fields', async () => {
    const client = new WebClient('xoxb-test', { slackApiUrl: fake.apiUrl, retryConfig: { retries: 0 } });
    const auth = await client.auth.test();
    expect(auth).toMatchObject({ ok: true, user_id: 'UBOT', bot_id: 'BBOT', team_id: 'T1' });
    const a = await client.chat.postMessage({ channel: 'C1', text: 'hi', blocks: [{ type: 'divider' }] });
    const b = await client.chat.postMessage({ channel: 'C1', text: 'again' });
    expect(a.ts).toBe('1700000000.000100');
    expect(b.ts).toBe('1700000000.000200');
    const post = await fake.waitFor('chat.postMessage', (x) => x.text === 'hi');
    expect(post.args.blocks).toEqual([{ type: 'divider' }]);
    const link = await client.chat.getPermalink({ channel: 'C1', message_ts: a.ts! });
    expect(link.permalink).toBe('https://example.slack.com/archives/C1/p1700000000000100');
    const u = await client.users.info({ user: 'U2', include_locale: true });
    expect(u.user).toMatchObject({ id: 'U2', locale: 'ja-JP', name: 'taro' });
    expect((await client.users.info({ user: 'U3' })).user?.locale).toBe('en-US');
    expect((await client.conversations.open({ users: 'U2' })).channel?.id).toBe('DU2');
    const v = await client.views.open({ trigger_id: 't', view: { type: 'modal', callback_id: 'cb', title: { type: 'plain_text', text: 'x' }, blocks: [] } });
    expect(v.view?.callback_id).toBe('cb');
    expect((await fake.waitFor('views.open')).args.view.callback_id).toBe('cb');

    fake.failNext('reactions.add', 'already_reacted');
    await expect(client.reactions.add({ channel: 'C1', timestamp: a.ts!, name: 'eyes' })).rejects.toThrow(/already_reacted/);
    await expect(client.reactions.add({ channel: 'C1', timestamp: a.ts!, name: 'eyes' })).resolves.toMatchObject({ ok: true });
    await expect(client.apiCall('no.such.method')).rejects.toThrow(/unknown_method/);
    expect(fake.callsOf('no.such.method')).toHaveLength(1);
  });

  it('waitFor rejects with the methods seen so far', async () => {
    await expect(fake.waitFor('pins.add', undefined, 50)).rejects.toThrow(/no pins\.add call within 50 ms; calls seen: .*chat\.postMessage x2/);
  });

  it('signs requests the way Slack does', () => {
    const h = signSlackRequest('s', 'body', 1700000000, 'application/json');
    expect(h['x-slack-request-timestamp']).toBe('1700000000');
    expect(h['x-slack-signature']).toMatch(/^v0=[0-9a-f]{64}$/);
    expect(h['content-type']).toBe('application/json');
  });
});

describe('Bolt HTTP receiver against the fake', () => {
  let fake: FakeSlack;
  let app: App;
  let url: string;
  let viewSubmitted: any;

  beforeAll(async () => {
    fake = await startFakeSlack();
    app = new App({
      signingSecret: SECRET,
      token: 'xoxb-test',
      clientOptions: { slackApiUrl: fake.apiUrl, retryConfig: { retries: 0 } },
      processBeforeResponse: true,
      logLevel: LogLevel.ERROR,
    });
    app.event('app_mention', async ({ event, say, context }) => {
      await say({ text: `echo: ${event.text} retry=${context.retryNum ?? 0}`, thread_ts: event.thread_ts ?? event.ts });
    });
    app.command('/isms', async ({ ack, respond, command }) => {
      await ack();
      await respond({ response_type: 'ephemeral', text: `got ${command.text}` });
    });
    app.action('approve', async ({ ack, body, client }) => {
      await ack();
      const b = body as any;
      await client.reactions.add({ channel: b.channel.id, timestamp: b.message.ts, name: 'white_check_mark' });
    });
    app.view('soa_edit', async ({ ack, view }) => {
      viewSubmitted = { meta: view.private_metadata, values: view.state.values };
      await ack();
    });
    url = boltUrl((await app.start({ port: 0, host: '127.0.0.1' })));
  });
  afterAll(async () => {
    await app.stop();
    await fake.close();
  });
  afterEach(() => fake.reset());

  it('delivers a signed app_mention and say() posts in the thread', async () => {
    const ev = eventEnvelope(appMention('<@UBOT> A.5.1?', { user: 'U1', channel: 'C1', ts: '1700000001.000100', threadTs: '1700000000.000001' }));
    const r = await postToBolt(url, SECRET, 'event', ev, { headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' } });
    expect(r.status).toBe(200);
    const post = await fake.waitFor('chat.postMessage');
    expect(post.args).toMatchObject({ channel: 'C1', thread_ts: '1700000000.000001', text: 'echo: <@UBOT> A.5.1? retry=1' });
    expect(post.headers.authorization).toBe('Bearer xoxb-test');
  });

  it('rejects a forged signature or a stale timestamp with 401', async () => {
    const ev = eventEnvelope(appMention('x', { user: 'U1', channel: 'C1', ts: '1700000002.000100' }));
    expect((await postToBolt(url, SECRET, 'event', ev, { forgeSignature: true })).status).toBe(401);
    expect((await postToBolt(url, SECRET, 'event', ev, { ts: Math.floor(Date.now() / 1000) - 600 })).status).toBe(401);
    expect(fake.callsOf('chat.postMessage')).toHaveLength(0);
  });

  it('runs a slash command whose respond() reaches response_url', async () => {
    const r = await postToBolt(url, SECRET, 'command', slashCommand('A.5.1', { user: 'U1', channel: 'C1', responseUrl: fake.responseUrl }));
    expect(r.status).toBe(200);
    const resp = await fake.waitFor('response_url');
    expect(resp.args).toMatchObject({ response_type: 'ephemeral', text: 'got A.5.1' });
  });

  it('handles block_actions and view_submission', async () => {
    const act = blockAction({ user: 'U1', actionId: 'approve', value: 'yes', channel: 'C1', messageTs: '1700000003.000100' });
    expect((await postToBolt(url, SECRET, 'interactive', act)).status).toBe(200);
    expect((await fake.waitFor('reactions.add')).args).toMatchObject({ channel: 'C1', timestamp: '1700000003.000100' });

    const sub = viewSubmission({
      user: 'U1', callbackId: 'soa_edit', privateMetadata: '{"id":"A.5.1"}',
      values: { status: { pick: { type: 'static_select', selected_option: { text: { type: 'plain_text', text: 'Yes' }, value: 'yes' } } } },
    });
    expect((await postToBolt(url, SECRET, 'interactive', sub)).status).toBe(200);
    expect(viewSubmitted).toEqual({ meta: '{"id":"A.5.1"}', values: sub.view.state.values });
  });

  it('files.uploadV2 goes through getUploadURLExternal, the upload POST and completeUploadExternal', async () => {
    const res: any = await app.client.files.uploadV2({ channel_id: 'C1', file: Buffer.from('hello,csv\n'), filename: 'soa.csv', thread_ts: '1700000000.000001' });
    expect(res.ok).toBe(true);
    const up = await fake.waitFor('file_upload');
    expect(up.args).toMatchObject({ bytes: 10, filename: 'soa.csv' });
    expect(up.args.body.toString()).toBe('hello,csv\n');
    const done = await fake.waitFor('files.completeUploadExternal');
    expect(done.args).toMatchObject({ channel_id: 'C1', thread_ts: '1700000000.000001', files: [{ id: up.args.file_id, title: 'soa.csv' }] });
    expect(res.files[0].files[0]).toMatchObject({ id: up.args.file_id, title: 'soa.csv' });
  });
});

describe('Bolt Socket Mode against the fake', () => {
  it('connects, receives an events_api envelope and acks it', async () => {
    const fake = await startFakeSlack();
    const sm = await startFakeSocketModeServer(fake);
    const app = new App({
      token: 'xoxb-test',
      appToken: 'xapp-test',
      socketMode: true,
      clientOptions: { slackApiUrl: fake.apiUrl, retryConfig: { retries: 0 } },
      logLevel: LogLevel.ERROR,
    });
    app.event('app_mention', async ({ event, say }) => {
      await say({ text: 'pong', thread_ts: event.ts });
    });
    try {
      await app.start();
      await sm.connected;
      const open = await fake.waitFor('apps.connections.open');
      expect(open.headers.authorization).toBe('Bearer xapp-test');
      sm.send({
        type: 'events_api', envelope_id: 'e1', accepts_response_payload: false,
        payload: eventEnvelope(appMention('<@UBOT> ping', { user: 'U1', channel: 'C9', ts: '1700000005.000100' })),
      });
      expect(await sm.waitForAck('e1')).toMatchObject({ envelope_id: 'e1' });
      const post = await fake.waitFor('chat.postMessage');
      expect(post.args).toMatchObject({ channel: 'C9', text: 'pong', thread_ts: '1700000005.000100' });
    } finally {
      await app.stop();
      await sm.close();
      await fake.close();
    }
  });
});
