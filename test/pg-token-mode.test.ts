// One workspace (a bot token) on PostgreSQL, as before several workspaces existed: no OAuth, approvers from
// ISMS_APPROVERS, records in the workspace `default`, and the commands of several workspaces say where the setting lives.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { App } from '@slack/bolt';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig, startMode } from '../src/config.js';
import { createCore, type Core } from '../src/core.js';
import { startHttpBot } from './helpers/bot.js';
import { appMention, eventEnvelope, postToBolt, slashCommand, startFakeSlack, type FakeSlack } from './helpers/fake-slack.js';

const SECRET = 'token-mode-secret';
const database = `isms_token_${process.pid}_${Date.now().toString(36)}`;
let admin: pg.Pool;
let fake: FakeSlack;
let core: Core;
let app: App;
let url = '';
let dataDir = '';

beforeAll(async () => {
  const superUrl = process.env.ISMS_TEST_PG_URL!;
  const boot = new pg.Pool({ connectionString: superUrl, max: 1 });
  await boot.query(`CREATE DATABASE ${database}`);
  await boot.end();
  const adminUrl = superUrl.replace(/\/[^/]*$/, `/${database}`);
  admin = new pg.Pool({ connectionString: adminUrl, max: 1 });
  dataDir = mkdtempSync(join(tmpdir(), 'isms-token-pg-'));
  fake = await startFakeSlack();
  const config = loadConfig({
    DATABASE_URL: adminUrl.replace(/\/\/[^@]*@/, '//isms_app@'), DATABASE_ADMIN_URL: adminUrl, SLACK_BOT_TOKEN: 'xoxb-test', SLACK_SIGNING_SECRET: SECRET,
    ISMS_APPROVERS: 'UALICE', ISMS_DATA_DIR: dataDir, ISMS_SOA_EDITION: '2022', ISMS_LANG: 'en', EMBEDDINGS: 'off', LOG_LEVEL: 'error',
  });
  expect(startMode(config)).toEqual({ mode: 'http' });
  core = await createCore(config);
  ({ app, url } = await startHttpBot(core, fake, SECRET));
}, 60_000);

afterAll(async () => {
  await app?.stop();
  await core?.close();
  await fake?.close();
  await admin?.end();
  const boot = new pg.Pool({ connectionString: process.env.ISMS_TEST_PG_URL, max: 1 });
  await boot.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).catch(() => undefined);
  await boot.end();
  rmSync(dataDir, { recursive: true, force: true });
});

it('records an approver\'s decision in the workspace `default`, answers with the one token, and keeps ISMS_APPROVERS', async () => {
  const ts = '1700000300.000100';
  await postToBolt(url, SECRET, 'event', eventEnvelope(appMention('<@UBOT> soa set 5.1 applicable=yes status=implemented reason=business:policy', { user: 'UALICE', channel: 'C0TOKEN', ts })));
  await expect.poll(() => fake.callsOf('chat.postMessage').find((c) => c.args.thread_ts === ts), { timeout: 10_000 }).toBeTruthy();
  expect(fake.callsOf('chat.postMessage').find((c) => c.args.thread_ts === ts)!.headers.authorization).toBe('Bearer xoxb-test');
  const { rows } = await admin.query<{ workspace: string; control_id: string; verdict: string }>(
    'SELECT d.workspace, d.control_id, r.verdict FROM decisions d JOIN reviews r ON r.workspace = d.workspace AND r.decision_id = d.id');
  expect(rows).toEqual([{ workspace: 'default', control_id: '5.1', verdict: 'approved' }]);
  expect(await core.store.verifyAudit()).toMatchObject({ ok: true, entries: 2 });

  const r = await postToBolt(url, SECRET, 'command', slashCommand('approvers add <@UBOB>', { user: 'UALICE', channel: 'C0TOKEN', responseUrl: `${fake.responseUrl}/t1` }));
  expect(r.status).toBe(200);
  await expect.poll(() => fake.callsOf('response_url').find((c) => c.path.endsWith('/t1')), { timeout: 10_000 }).toBeTruthy();
  expect(fake.callsOf('response_url').find((c) => c.path.endsWith('/t1'))!.args.text).toMatch(/approvers are set by ISMS_APPROVERS in this deployment/);
  expect([...core.store.approvers]).toEqual(['UALICE']);
  expect(core.severalWorkspaces).toBe(false);
});
