// Socket Mode, as `npm start` runs it (node on the build): HEALTH_PORT answers 503 while the socket is not connected
// and 200 while it is; the log on stderr is JSON lines by default in Slack mode; a failed Web API call names its method
// and Slack's error code.
import { spawn } from 'node:child_process';
import { expect, it } from 'vitest';
import { root } from './helpers/cli.js';
import { appMention, eventEnvelope, startFakeSlack, startFakeSocketModeServer } from './helpers/fake-slack.js';
import { tempDir } from './fixtures/soa-helpers.js';
import { freePort } from './helpers/net.js';


interface LogEntry { level: string; time: string; msg: string; method?: string; error?: string }

it('HEALTH_PORT: 503 before the socket connects, 200 while connected, 503 when the socket is lost; JSON logs; failed calls named', async () => {
  const fake = await startFakeSlack();
  const sm = await startFakeSocketModeServer(fake);
  // Hold the connection back until the test lets it through, so that "not connected yet" can be seen.
  let letThrough!: () => void;
  const gate = new Promise<void>((r) => (letThrough = r));
  fake.on('apps.connections.open', async () => {
    await gate;
    return { ok: true, url: sm.url };
  });
  const port = await freePort();
  const child = spawn(process.execPath, ['dist/src/main.js'], {
    cwd: root, stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env, ISMS_DATA_DIR: tempDir(), EMBEDDINGS: 'off', LOG_LEVEL: 'info', LOG_FORMAT: '',
      SLACK_BOT_TOKEN: 'xoxb-test', SLACK_APP_TOKEN: 'xapp-test', SLACK_SIGNING_SECRET: '', SLACK_API_URL: fake.apiUrl, HEALTH_PORT: String(port),
    },
  });
  let stderr = '';
  let stdout = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  const health = async () => {
    try {
      const r = await fetch(`http://127.0.0.1:${port}/healthz`);
      return r.status;
    } catch {
      return 0;
    }
  };
  try {
    await expect.poll(health, { timeout: 30_000, interval: 100 }).toBe(503);
    expect(await (await fetch(`http://127.0.0.1:${port}/healthz`)).text()).toBe('not connected to Slack');

    letThrough();
    await sm.connected;
    await expect.poll(health, { timeout: 10_000, interval: 100 }).toBe(200);

    // A mention whose answer Slack refuses: the log names chat.postMessage and channel_not_found.
    fake.failNext('chat.postMessage', 'channel_not_found');
    sm.send({ type: 'events_api', envelope_id: 'env-1', accepts_response_payload: false, payload: eventEnvelope(appMention('<@UBOT> backups in SaaS?', { user: 'UALICE', channel: 'CGONE', ts: '1800000500.000100' }), { eventId: 'Ev-sock-1' }) });
    await sm.waitForAck('env-1');
    await expect.poll(() => stderr, { timeout: 10_000 }).toMatch(/chat\.postMessage failed: channel_not_found/);

    // The socket is lost (and Slack gives no new one): unhealthy.
    fake.on('apps.connections.open', () => ({ ok: false, error: 'invalid_auth' }));
    await sm.close();
    await expect.poll(health, { timeout: 10_000, interval: 100 }).toBe(503);
  } finally {
    child.kill('SIGTERM');
    await exited;
    await fake.close();
  }

  expect(stdout).toBe('');
  const entries = stderr.trim().split('\n').map((line) => JSON.parse(line) as LogEntry);
  for (const e of entries) {
    expect(e.level).toMatch(/^(debug|info|warn|error)$/);
    expect(e.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(typeof e.msg).toBe('string');
  }
  expect(entries.map((e) => e.msg)).toContain('socket mode connected');
  expect(entries.find((e) => e.method === 'chat.postMessage')).toMatchObject({ level: 'warn', error: 'channel_not_found' });
  expect(stderr).not.toContain('xoxb-test');
}, 90_000);
