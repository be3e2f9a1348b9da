// Several Slack workspaces from one deployment (issue 17): Slack's OAuth install flow against the fake Web API
// (oauth.v2.access), installations kept encrypted in PostgreSQL, and then, for every path a Slack request can take into
// the app (each command, action, view, shortcut, event and middleware that registerListeners registers, listed from it),
// a user of workspace B trying to read or change workspace A's records: every path is refused or sees B's own records
// only, no reply carries A's data or is sent with A's token, and A's records and audit chain stay exactly as they were.
import { hkdfSync, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { App } from '@slack/bolt';
import ExcelJS from 'exceljs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCommand, type Command } from '../src/chat/commands.js';
import { loadConfig, startMode, type Config } from '../src/config.js';
import { createCore, type Core } from '../src/core.js';
import { blockId } from '../src/slack/assessment.js';
import { createSlackApp, installationStore, registerListeners } from '../src/slack/app.js';
import { runWorkspaceDigests } from '../src/slack/workspaces.js';
import { unseal } from '../src/slack/installations.js';
import { seal } from '../src/slack/meta.js';
import { SOA_MODAL } from '../src/slack/modal.js';
import { ANALYSIS_MODAL } from '../src/slack/assessment.js';
import {
  appMention, blockAction, boltUrl, eventEnvelope, messageShortcut, postToBolt, slashCommand, startFakeSlack, viewSubmission,
  type FakeSlack, type FakeSlackCall,
} from './helpers/fake-slack.js';

const SECRET = 'workspaces-signing-secret';
const STATE_SECRET = 'workspaces-state-secret-0123456789';
const run = randomBytes(3).toString('hex').toUpperCase();
// The fake's oauth.v2.access installs team T<code> by user U<code> with token xoxb-<code>.
const codeA = `A${run}`;
const codeB = `B${run}`;
const A = { team: `T${codeA}`, installer: `U${codeA}`, token: `xoxb-${codeA.toLowerCase()}`, staff: `UAS${run}`, channel: `CA${run}` };
const B = { team: `T${codeB}`, installer: `U${codeB}`, token: `xoxb-${codeB.toLowerCase()}`, staff: `UBS${run}`, channel: `CB${run}` };
/** Text that only A's records hold: none of it may reach anything B is shown. */
const marks = { just: `ALPHA${run}JUSTIFICATION`, pending: `ALPHA${run}PENDING`, risk: `ALPHA${run}RISK`, question: `ALPHA${run}QUESTION` };
const aThread = `${A.channel}:1700000001.000100`;

let fake: FakeSlack;
let core: Core;
let config: Config;
let app: App;
let base = '';
let url = '';
let admin: pg.Pool;
let dataDir = '';
const logged: { msg: string; data?: Record<string, unknown> }[] = [];

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'isms-workspaces-'));
  fake = await startFakeSlack({ users: { [A.installer]: { name: 'anna' }, [B.installer]: { name: 'bert' } } });
  config = loadConfig({
    DATABASE_URL: process.env.ISMS_TEST_PG_APP_URL, DATABASE_ADMIN_URL: process.env.ISMS_TEST_PG_URL,
    SLACK_CLIENT_ID: '1111.2222', SLACK_CLIENT_SECRET: 'client-secret-x', SLACK_STATE_SECRET: STATE_SECRET, SLACK_SIGNING_SECRET: SECRET,
    ISMS_DATA_DIR: dataDir, ISMS_SOA_EDITION: '2022', ISMS_LANG: 'en', EMBEDDINGS: 'off', LOG_LEVEL: 'error',
  });
  expect(startMode(config)).toEqual({ mode: 'http' });
  // Log lines kept for the test (warnings and errors still printed): each names its workspace.
  const keep = (level: string) => (msg: string, data?: Record<string, unknown>) => {
    logged.push({ msg, data });
    if (level === 'error') process.stderr.write(`${msg} ${JSON.stringify(data ?? {})}\n`);
  };
  core = await createCore(config, { debug: () => undefined, info: keep('info'), warn: keep('warn'), error: keep('error') });
  // Each POST returns once its listener has finished: what an attempt caused is all in the fake when it returns.
  app = await createSlackApp(core, { mode: 'http', signingSecret: SECRET, port: 0, apiUrl: fake.apiUrl, allowBots: false, retries: 0, oauth: config.slack.oauth, processBeforeResponse: true });
  const server = (await app.start({ port: 0, host: '127.0.0.1' })) as unknown as Server;
  url = boltUrl(server);
  base = url.replace('/slack/events', '');
  admin = new pg.Pool({ connectionString: process.env.ISMS_TEST_PG_URL, max: 2 });
}, 60_000);

afterAll(async () => {
  await app?.stop();
  await core?.close();
  await fake?.close();
  await admin?.query('DELETE FROM slack_installations WHERE workspace = ANY($1)', [[A.team, B.team]]).catch(() => undefined);
  await admin?.end();
  rmSync(dataDir, { recursive: true, force: true });
});

/** The browser's part of an install: the install page sets the state cookie; Slack sends the browser back with a code. */
async function install(code: string, o: { state?: string; cookie?: boolean } = {}): Promise<{ status: number; body: string }> {
  const page = await fetch(`${base}/slack/install`);
  const html = await page.text();
  expect(page.status).toBe(200);
  const state = /[?&]state=([^&"']+)/.exec(html)?.[1];
  expect(state, html).toBeTruthy();
  const cookie = page.headers.get('set-cookie')?.split(';')[0] ?? '';
  const res = await fetch(`${base}/slack/oauth_redirect?code=${code}&state=${o.state ?? state}`, { headers: o.cookie === false ? {} : { cookie } });
  return { status: res.status, body: await res.text() };
}

const installed = async (team: string) => (await admin.query<{ installation: string; installed_by: string }>('SELECT installation, installed_by FROM slack_installations WHERE workspace = $1', [team])).rows[0];

describe('OAuth install flow (fake oauth.v2.access)', () => {
  it('names what is missing when several-workspace settings are half given, or given without PostgreSQL', () => {
    const mode = (env: Record<string, string>) => startMode(loadConfig({ ISMS_DATA_DIR: dataDir, ...env }));
    expect(mode({ SLACK_CLIENT_ID: '1.2', SLACK_SIGNING_SECRET: 's' })).toMatchObject({ mode: 'invalid', message: expect.stringMatching(/SLACK_CLIENT_SECRET and SLACK_STATE_SECRET are not/) });
    expect(mode({ SLACK_CLIENT_ID: '1.2', SLACK_CLIENT_SECRET: 'c', SLACK_STATE_SECRET: STATE_SECRET, SLACK_SIGNING_SECRET: 's' })).toMatchObject({ mode: 'invalid', message: expect.stringMatching(/DATABASE_URL is not/) });
    expect(mode({ SLACK_CLIENT_ID: '1.2', SLACK_CLIENT_SECRET: 'c', SLACK_STATE_SECRET: STATE_SECRET, SLACK_SIGNING_SECRET: 's', SLACK_BOT_TOKEN: 'xoxb-1', DATABASE_URL: 'postgres://x@127.0.0.1/x' }))
      .toMatchObject({ mode: 'invalid', message: expect.stringMatching(/SLACK_BOT_TOKEN \(one workspace\) are both set/) });
    expect(() => loadConfig({ SLACK_STATE_SECRET: 'short' })).toThrow(/SLACK_STATE_SECRET=.*at least 16/);
  });

  it('refuses to serve several workspaces as a database role that bypasses row-level security (a superuser)', async () => {
    const superuser = loadConfig({
      DATABASE_URL: process.env.ISMS_TEST_PG_URL, SLACK_CLIENT_ID: '1111.2222', SLACK_CLIENT_SECRET: 'c', SLACK_STATE_SECRET: STATE_SECRET, SLACK_SIGNING_SECRET: SECRET,
      ISMS_DATA_DIR: dataDir, EMBEDDINGS: 'off', LOG_LEVEL: 'error',
    });
    await expect(createCore(superuser)).rejects.toThrow(/connects as postgres, a superuser or a role with BYPASSRLS: row-level security does not hold for it, so the records of several workspaces would mix/);
  });

  it('refuses a redirect whose state was not issued to this browser, or whose code Slack refuses, and stores nothing', async () => {
    const forged = await install(codeA, { state: 'forged-state' });
    expect(forged.status).toBeGreaterThanOrEqual(400);
    const noCookie = await install(codeA, { cookie: false });
    expect(noCookie.status).toBeGreaterThanOrEqual(400);
    expect(fake.callsOf('oauth.v2.access')).toHaveLength(0);
    // A code Slack does not accept (expired, used twice): oauth.v2.access answers invalid_code.
    const badCode = await install('bad-code');
    expect(badCode.status).toBeGreaterThanOrEqual(400);
    expect(fake.callsOf('oauth.v2.access').map((c) => c.args.code)).toEqual(['bad-code']);
    expect(await installed(A.team)).toBeUndefined();
    fake.reset();
  });

  it('installs two workspaces: the code is exchanged through oauth.v2.access, the installation stored encrypted, the installer made first approver', async () => {
    for (const [code, w] of [[codeA, A], [codeB, B]] as const) {
      const r = await install(code);
      expect(r.status, r.body).toBe(200);
      const exchange = fake.callsOf('oauth.v2.access').find((c) => c.args.code === code)!;
      expect(exchange.args).toMatchObject({ client_id: '1111.2222', client_secret: 'client-secret-x', code });
      const row = (await installed(w.team))!;
      expect(row.installed_by).toBe(w.installer);
      // Encrypted at rest: neither the token nor the team's name is readable in the database.
      expect(row.installation).toMatch(/^v1:/);
      expect(row.installation).not.toContain(w.token);
      const opened = JSON.parse(unsealWith(row.installation, w.team)) as { bot: { token: string; userId: string }; team: { id: string } };
      expect(opened).toMatchObject({ bot: { token: w.token, userId: 'UBOT' }, team: { id: w.team } });
      expect(await core.within(w.team, async () => [...await core.store.refreshApprovers()])).toEqual([w.installer]);
    }
    // Each workspace's chain records who became its approver, by the install.
    const entries = await core.within(A.team, () => core.store.audit.entries());
    expect(entries.map((e) => [e.action, e.actor, e.data.value])).toEqual([['setting approvers', A.installer, [A.installer]]]);
  });

  it('a reinstall by someone else keeps the workspace\'s approvers (an install grants nothing)', async () => {
    fake.on('oauth.v2.access', (a) => ({
      ok: true, app_id: 'A1', access_token: A.token, token_type: 'bot', scope: 'chat:write', bot_user_id: 'UBOT',
      team: { id: A.team, name: 'A' }, enterprise: null, is_enterprise_install: false, authed_user: { id: `UINTRUDER${run}` }, code: a.code,
    }));
    try {
      expect((await install(codeA)).status).toBe(200);
    } finally {
      fake.on('oauth.v2.access', undefined);
    }
    expect(await core.within(A.team, async () => [...await core.store.refreshApprovers()])).toEqual([A.installer]);
  });

  it('answers a workspace with its own token, and refuses a workspace that never installed the app', async () => {
    const seen = fake.calls.length;
    const ts = '1700000100.000100';
    const r = await postToBolt(url, SECRET, 'event', eventEnvelope(appMention('<@UBOT> help', { user: A.staff, channel: A.channel, ts, team: A.team }), { teamId: A.team }));
    expect(r.status).toBe(200);
    await expect.poll(() => fake.calls.slice(seen).find((c) => c.method === 'chat.postMessage' && c.args.thread_ts === ts), { timeout: 10_000 }).toBeTruthy();
    expect(fake.calls.slice(seen).filter(isWebApi).map((c) => c.headers.authorization)).toEqual(fake.calls.slice(seen).filter(isWebApi).map(() => `Bearer ${A.token}`));

    const stranger = fake.calls.length;
    const s = await postToBolt(url, SECRET, 'event', eventEnvelope(appMention('<@UBOT> help', { user: 'UZ1', channel: 'CZ1', ts: '1700000101.000100', team: 'TNEVER' }), { teamId: 'TNEVER' }));
    expect(s.status).toBe(200);
    await new Promise((res) => setTimeout(res, 400));
    expect(fake.calls.slice(stranger).filter((c) => c.method === 'chat.postMessage')).toEqual([]);
  });
});

/** The key the app derives from SLACK_STATE_SECRET, through the module's own unseal (a wrong key opens nothing). */
function unsealWith(sealed: string, team: string): string {
  const key = Buffer.from(hkdfSync('sha256', STATE_SECRET, 'isms-cloud-assistant', 'slack installations v1', 32));
  expect(unseal(Buffer.alloc(32), sealed, `slack-installation:${team}`)).toBeUndefined();
  return unseal(key, sealed, `slack-installation:${team}`)!;
}

const isWebApi = (c: FakeSlackCall) => c.method !== 'response_url' && c.method !== 'file_upload';

// ---------------------------------------------------------------------------------------------------------------------
// Every path, as workspace B

/** Every listener registerListeners registers, as "<kind> <id>" ("use <name>" for a middleware). */
function listenerPaths(): string[] {
  const paths: string[] = [];
  const rec = (kind: string) => (id: unknown) => {
    const name = id instanceof RegExp ? id.source : typeof id === 'function' ? id.name || '(anonymous)' : typeof id === 'string' ? id : JSON.stringify(id);
    paths.push(`${kind} ${name}`);
  };
  const recorder = new Proxy({}, { get: (_t, kind: string) => rec(kind) });
  registerListeners(recorder as App, { core, log: core.ctx.log, allowBots: false, metaKey: Buffer.alloc(32) });
  return paths;
}

/** A's records as the database holds them, with its superuser's powers: what no request of B may change. */
async function snapshotA(): Promise<string> {
  const parts: string[] = [];
  const tables = ['decisions', 'reviews', 'risks', 'profile', 'audit_log', 'turns', 'feedback', 'thread_langs', 'answers', 'assessments', 'assistant_threads', 'digest_runs', 'readiness_snapshots', 'soa_publications'];
  for (const t of tables) {
    const { rows } = await admin.query(`SELECT * FROM ${t} WHERE workspace = $1`, [A.team]);
    const sorted = rows.map((r) => JSON.stringify(r, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v))).sort();
    parts.push(`${t}:${sorted.join('\n')}`);
  }
  const installation = await admin.query('SELECT installation, updated_at FROM slack_installations WHERE workspace = $1', [A.team]);
  parts.push(`slack_installations:${JSON.stringify(installation.rows)}`);
  return parts.join('\n---\n');
}

/** Every text a set of calls carries to B: arguments, response_url bodies, and uploaded files (an XLSX read cell by cell). */
async function shown(calls: FakeSlackCall[]): Promise<string> {
  const out: string[] = [];
  for (const c of calls) {
    if (c.method === 'file_upload' && Buffer.isBuffer(c.args.body)) {
      const body = c.args.body;
      if (body.subarray(0, 2).toString() === 'PK') {
        const wb = new ExcelJS.Workbook();
        await wb.xlsx.load(body as unknown as ArrayBuffer);
        wb.eachSheet((ws) => ws.eachRow((row) => out.push(JSON.stringify(row.values))));
      } else {
        out.push(body.toString('utf8'));
      }
      continue;
    }
    out.push(JSON.stringify(c.args));
  }
  return out.join('\n');
}

/**
 * The app answers each POST after its listener has finished (processBeforeResponse), so an attempt's calls are in the
 * fake when the POST returns; a short pause catches anything a listener left running, which the next attempt's checks
 * (and A's snapshot, compared after every attempt) would catch otherwise.
 */
async function settle(): Promise<void> {
  await new Promise((r) => setTimeout(r, 40));
}

interface Attempt {
  /** What B tries. */
  what: string;
  send: () => Promise<{ status: number; body: string }>;
  /** What B must be shown (checked on everything sent to B), besides "none of A's records". */
  expect?: RegExp;
  /** Tokens its Web API calls may use (default: B's only). */
  tokens?: string[];
}

const inB = <T extends Record<string, any>>(p: T): T => {
  const q = p as Record<string, any>;
  if (q.team && typeof q.team === 'object') q.team = { id: B.team, domain: 'bravo' };
  if (q.user && typeof q.user === 'object') q.user = { ...q.user, team_id: B.team };
  if (q.view && typeof q.view === 'object') q.view = { ...q.view, team_id: B.team };
  if (typeof q.team_id === 'string') q.team_id = B.team;
  return p;
};
let n = 0;
const nextTs = () => `1800${run.length}${String(++n).padStart(5, '0')}.000100`;
const event = (ev: Record<string, unknown>) => postToBolt(url, SECRET, 'event', eventEnvelope({ team: B.team, ...ev }, { teamId: B.team }));
const command = (text: string) => postToBolt(url, SECRET, 'command', slashCommand(text, { user: B.installer, channel: B.channel, responseUrl: `${fake.responseUrl}/b${++n}`, teamId: B.team }));
const action = (actionId: string, value: string, extra: Record<string, unknown> = {}) =>
  postToBolt(url, SECRET, 'interactive', inB(blockAction({ user: B.installer, actionId, value, channel: B.channel, messageTs: nextTs(), responseUrl: `${fake.responseUrl}/b${++n}`, ...extra })));
const commandCase = (text: string, expectShown?: RegExp): Attempt => ({ what: `/isms ${text}`, send: () => command(text), expect: expectShown });

describe('one deployment, two workspaces: B never reaches A\'s records', () => {
  let pendingId = 0;
  let answerRef = '';

  beforeAll(async () => {
    // A's records, written as A's people would: an approved decision, a pending proposal, a risk, a question, an
    // assessment under way, a digest channel.
    await core.within(A.team, async () => {
      await core.store.soa.set({ control: '5.1', applicable: 'no', status: 'not-implemented', justification: marks.just, by: A.installer, source: 'cli' });
      const p = await core.store.soa.set({ control: '5.2', applicable: 'no', status: 'not-implemented', justification: marks.pending, by: A.staff, source: 'cli' });
      pendingId = p.id;
      await core.store.risks.add({ title: marks.risk, cia: 'C', likelihood: 3, impact: 4, owner: A.installer, treatment: 'modify', controls: ['8.13'], by: A.installer, source: 'cli' });
      const reply = await core.chat.ask(`${marks.question} who takes backups in SaaS?`, { thread: `${A.channel}:1700000000.000100` });
      answerRef = (reply as { ref: string }).ref;
      await core.chat.feedback(answerRef, A.staff, 'up', 'en');
      await core.assessments.begin(aThread, A.installer, 'en', `${marks.risk} service`);
      await core.store.settings.setDigestChannel(A.channel, A.installer, 'cli');
    });
  });

  it('every command, action, view, shortcut, event and middleware is tried, and each is refused or shows B its own records only', async () => {
    const pending = JSON.stringify({ decision: pendingId, control: '5.2' });
    const metaKey = await core.shared.secret('modal-metadata');
    const dm = `D${B.installer}`;
    const assistantTs = nextTs();
    const soaForm = (privateMetadata: string) => postToBolt(url, SECRET, 'interactive', inB(viewSubmission({
      user: B.installer, callbackId: SOA_MODAL, privateMetadata,
      values: { applicable: { value: { type: 'static_select', selected_option: { value: 'yes' } } }, status: { value: { type: 'static_select', selected_option: { value: 'planned' } } } },
    })));
    const attempts: Record<string, Attempt[]> = {
      'command /isms': [
        commandCase('help'), commandCase('ask who takes backups in SaaS?'), commandCase('soa 5.1', /5\.1/), commandCase('soa history 5.2'),
        commandCase('soa set 5.2'), commandCase('soa set 5.3 applicable=no status=not-implemented justification="bravo own"'),
        commandCase('soa approve 5.2', /no pending proposal/), commandCase('soa reject 5.2', /no pending proposal/),
        commandCase('missing'), commandCase('export csv'), commandCase('lang ja'), commandCase('assess'), commandCase('digest'),
        commandCase('approvers', new RegExp(`"type":"mrkdwn","text":"[^"]*<@${B.installer}>`)), commandCase(`approvers add <@UBNEW${run}>`), commandCase('digest here', new RegExp(`"type":"mrkdwn","text":"[^"]*<#${B.channel}>`)),
      ],
      'event app_mention': [{ what: 'mention: soa 5.1', send: () => event(appMention('<@UBOT> soa 5.1', { user: B.installer, channel: B.channel, ts: nextTs(), team: B.team })) },
        { what: 'mention: soa approve 5.2', send: () => event(appMention('<@UBOT> soa approve 5.2', { user: B.installer, channel: B.channel, ts: nextTs(), team: B.team })), expect: /no pending proposal/ },
        // A channel shared by A and B (Slack Connect): Slack delivers B's user's mention under A's installation. The bot
        // must not act on A's records for B's user; it tells them, ephemerally, with A's token (the only one it has).
        {
          what: 'mention by B\'s user in a channel shared with A, delivered under A\'s installation', expect: /shared with another workspace/, tokens: [`Bearer ${A.token}`],
          send: () => postToBolt(url, SECRET, 'event', eventEnvelope({ ...appMention('<@UBOT> soa 5.1', { user: B.installer, channel: `CSHARED${run}`, ts: nextTs(), team: B.team }), user_team: B.team }, { teamId: A.team })),
        }],
      'event message': [
        { what: 'DM: soa 5.2', send: () => event({ type: 'message', channel_type: 'im', channel: dm, user: B.installer, text: 'soa 5.2', ts: nextTs() }) },
        // A reply in A's assessment thread, as if B's user could post there: B has no assessment in it, so it is not read.
        { what: 'reply in A\'s assessment thread', send: () => event({ type: 'message', channel_type: 'channel', channel: A.channel, user: B.installer, text: 'cancel', ts: nextTs(), thread_ts: aThread.split(':')[1] }) },
      ],
      'event app_home_opened': [{ what: 'App Home', send: () => event({ type: 'app_home_opened', user: B.installer, channel: dm, tab: 'home', event_ts: nextTs() }) }],
      'action feedback_up': [{ what: '👍 on A\'s answer', send: () => action('feedback_up', answerRef) }],
      'action feedback_down': [{ what: '👎 on A\'s answer', send: () => action('feedback_down', answerRef) }],
      'action soa_approve': [{ what: 'Approve A\'s pending proposal', send: () => action('soa_approve', pending), expect: /already reviewed or replaced/ }],
      'action soa_reject': [{ what: 'Reject A\'s pending proposal', send: () => action('soa_reject', pending), expect: /already reviewed or replaced/ }],
      'action soa_open_form': [{ what: 'open the form of 5.2', send: () => action('soa_open_form', '5.2') }],
      'action home_missing': [{ what: 'App Home: missing', send: () => action('home_missing', '') }],
      'action home_export': [{ what: 'App Home: export xlsx', send: () => action('home_export', '') }],
      'action home_help': [{ what: 'App Home: help', send: () => action('home_help', '') }],
      'action home_assess': [{ what: 'App Home: start an assessment', send: () => action('home_assess', '') }],
      'action ^assess_(choice_.+|ok|cancel)$': [{ what: 'cancel A\'s assessment by its button', send: () => action('assess_cancel', 'cancel', { blockId: blockId(aThread, 'nav') }), expect: /No assessment is running in this thread/ }],
      'action assess_multi': [{ what: 'pick risks in A\'s assessment', send: () => postToBolt(url, SECRET, 'interactive', inB({ ...blockAction({ user: B.installer, actionId: 'assess_multi', channel: A.channel, messageTs: nextTs(), blockId: blockId(aThread, 'multi'), type: 'multi_static_select' }), actions: [{ type: 'multi_static_select', action_id: 'assess_multi', block_id: blockId(aThread, 'multi'), selected_options: [{ value: '1', text: { type: 'plain_text', text: '1' } }], action_ts: '1' }] })) }],
      'action assess_owner': [{ what: 'pick an owner in A\'s assessment', send: () => postToBolt(url, SECRET, 'interactive', inB({ ...blockAction({ user: B.installer, actionId: 'assess_owner', channel: A.channel, messageTs: nextTs(), blockId: blockId(aThread, 'owner') }), actions: [{ type: 'users_select', action_id: 'assess_owner', block_id: blockId(aThread, 'owner'), selected_user: B.installer, action_ts: '1' }] })) }],
      'action assess_form': [{ what: 'open A\'s risk-analysis form', send: () => action('assess_form', '', { blockId: blockId(aThread, 'form') }) }],
      [`view ${SOA_MODAL}`]: [
        // A's SoA form (sealed in A) submitted from B: its seal names A, so B refuses it.
        { what: 'submit A\'s SoA form of 5.2', expect: /Form not verified/, send: () => soaForm(seal(metaKey, { control: '5.2', channel: A.channel, source: 'https://slack.com/app_redirect?channel=CA', lang: 'en' }, A.team)) },
        { what: 'submit B\'s own SoA form of 5.2', send: () => soaForm(seal(metaKey, { control: '5.2', channel: B.channel, source: 'https://slack.com/app_redirect?channel=CB', lang: 'en' }, B.team)) },
      ],
      [`view ${ANALYSIS_MODAL}`]: [{
        what: 'submit the risk-analysis form of A\'s assessment', expect: /Form not verified or the assessment has ended/,
        send: () => postToBolt(url, SECRET, 'interactive', inB(viewSubmission({
          user: B.installer, callbackId: ANALYSIS_MODAL, privateMetadata: seal(metaKey, { thread: aThread }, A.team),
          values: { cia: { value: { type: 'checkboxes', selected_options: [{ value: 'C' }] } }, owner: { value: { type: 'users_select', selected_user: B.installer } }, likelihood: { value: { type: 'static_select', selected_option: { value: '3' } } }, impact: { value: { type: 'static_select', selected_option: { value: '3' } } }, treatment: { value: { type: 'static_select', selected_option: { value: 'modify' } } } },
        }))),
      }],
      'shortcut ask_isms': [{ what: 'Ask ISMS about a message', send: () => postToBolt(url, SECRET, 'interactive', inB(messageShortcut({ user: B.installer, callbackId: 'ask_isms', channel: B.channel, messageText: 'Who takes backups in SaaS?', messageTs: nextTs(), responseUrl: `${fake.responseUrl}/b${++n}` }))) }],
      'use assistantThreads': [
        { what: 'assistant thread started', send: () => event({ type: 'assistant_thread_started', assistant_thread: { user_id: B.installer, channel_id: dm, thread_ts: assistantTs, context: {} }, event_ts: nextTs() }) },
        { what: 'assistant thread context changed', send: () => event({ type: 'assistant_thread_context_changed', assistant_thread: { user_id: B.installer, channel_id: dm, thread_ts: assistantTs, context: { channel_id: A.channel } }, event_ts: nextTs() }) },
        { what: 'assistant thread question: soa 5.1', send: () => event({ type: 'message', channel_type: 'im', channel: dm, user: B.installer, text: 'soa 5.1', ts: nextTs(), thread_ts: assistantTs }) },
      ],
      // Last: B removes the app. Only B's installation goes; A's stays (it is part of A's snapshot).
      'event tokens_revoked': [{ what: 'B revokes its bot token', send: () => event({ type: 'tokens_revoked', tokens: { bot: ['UBOT'] }, event_ts: nextTs() }) }],
      'event app_uninstalled': [{ what: 'B uninstalls the app', send: () => event({ type: 'app_uninstalled', event_ts: nextTs() }) }],
    };

    // Every registered path has attempts, and every attempt names a registered path.
    const paths = listenerPaths();
    console.log(`listener paths (${paths.length}): ${paths.join(', ')}`);
    expect(paths.filter((p) => !attempts[p]), 'paths with no cross-workspace attempt').toEqual([]);
    expect(Object.keys(attempts).filter((p) => !paths.includes(p)), 'attempts for paths that are not registered').toEqual([]);
    // And /isms is tried with every command the parser knows (a new one fails to compile here until it is listed).
    const kinds: Record<Command['kind'], true> = {
      help: true, ask: true, 'soa-show': true, 'soa-set': true, 'soa-approve': true, 'soa-reject': true, missing: true, export: true, lang: true,
      assess: true, digest: true, approvers: true, 'digest-channel': true, usage: true,
    };
    const tried = new Set(attempts['command /isms']!.map((a) => parseCommand(a.what.replace('/isms ', '')).kind));
    expect(Object.keys(kinds).filter((k) => k !== 'usage' && !tried.has(k as Command['kind'])), '/isms commands not tried').toEqual([]);

    const before = await snapshotA();
    expect(before).toContain(marks.just);
    const results: string[] = [];
    for (const [path, list] of Object.entries(attempts)) {
      for (const a of list) {
        const seen = fake.calls.length;
        const r = await a.send();
        expect(r.status, `${path}: ${a.what}`).toBe(200);
        await settle();
        const calls = fake.calls.slice(seen);
        const text = `${r.body}\n${await shown(calls)}`;
        for (const [name, mark] of Object.entries({ ...marks, 'A\'s approver': A.installer, 'A\'s token': A.token })) {
          expect(text.includes(mark), `${path} (${a.what}) showed B ${name}: ${text.slice(Math.max(0, text.indexOf(mark) - 200), text.indexOf(mark) + 100)}`).toBe(false);
        }
        const tokens = [...new Set(calls.filter(isWebApi).map((c) => c.headers.authorization))];
        expect(tokens.filter((t) => !(a.tokens ?? [`Bearer ${B.token}`]).includes(t!)), `${path} (${a.what}): Web API calls not made with B's token`).toEqual([]);
        if (a.expect) expect(text, `${path} (${a.what})`).toMatch(a.expect);
        expect(await snapshotA(), `${path} (${a.what}) changed A's records`).toBe(before);
        results.push(`${path} — ${a.what}: ${calls.length} calls`);
      }
    }
    console.log(`cross-workspace attempts (${results.length}, over ${paths.length} paths):\n  ${results.join('\n  ')}`);

    // B's uninstall deleted B's installation only; B installs again (its approvers are kept: a reinstall grants nothing).
    expect(await installed(B.team)).toBeUndefined();
    expect(await installed(A.team)).toBeTruthy();
    expect((await install(codeB)).status).toBe(200);

    // Every log line of a request names its workspace: B's decisions are logged as B's.
    const recorded = logged.filter((l) => l.msg === 'soa decision recorded');
    expect(recorded.length).toBeGreaterThan(0);
    expect(recorded.map((l) => l.data?.workspace)).toEqual(recorded.map(() => B.team));

    // B's own writes landed in B: its decision on 5.3, its proposal on 5.2 from the form, its digest channel, its new approver.
    await core.within(B.team, async () => {
      expect((await core.store.soa.state('5.3')).current?.justification).toBe('bravo own');
      expect((await core.store.soa.state('5.2')).current?.status).toBe('planned');
      expect(await core.store.settings.get('digest-channel')).toBe(B.channel);
      expect([...await core.store.refreshApprovers()]).toEqual([B.installer, `UBNEW${run}`]);
    });
    // A's pending proposal is still pending, and each chain verifies on its own.
    await core.within(A.team, async () => {
      expect((await core.store.soa.state('5.2')).pending?.id).toBe(pendingId);
      expect([...await core.store.refreshApprovers()]).toEqual([A.installer]);
    });
    for (const w of [A.team, B.team]) expect(await core.within(w, () => core.store.verifyAudit()), w).toMatchObject({ ok: true });
  }, 120_000);

  it('a display name learned in A never lands in B\'s records (each workspace keeps its own directory)', async () => {
    // Slack tells B's token nothing about A's member; A's token knows her as "anna".
    fake.on('users.info', (a, call) => (call.headers.authorization === `Bearer ${B.token}` && a.user === A.installer
      ? { ok: false, error: 'user_not_found' }
      : { ok: true, user: { id: a.user, name: 'anna', real_name: 'anna', locale: 'en-US', profile: { display_name: a.user === A.installer ? 'anna' : 'someone' } } }));
    try {
      const ts = nextTs();
      await postToBolt(url, SECRET, 'event', eventEnvelope(appMention(`<@UBOT> soa 5.1 owner <@${A.installer}>`, { user: A.installer, channel: A.channel, ts, team: A.team }), { teamId: A.team }));
      expect(await core.within(A.team, () => Promise.resolve(core.store.people.nameOf(A.installer)))).toBe('anna');
      const r = await postToBolt(url, SECRET, 'command', slashCommand(`soa set 5.5 applicable=no status=not-implemented justification="bravo" owner=<@${A.installer}>`, { user: B.installer, channel: B.channel, responseUrl: `${fake.responseUrl}/names`, teamId: B.team }));
      expect(r.status).toBe(200);
    } finally {
      fake.on('users.info', undefined);
    }
    const decision = await core.within(B.team, async () => (await core.store.soa.state('5.5')).current);
    expect(decision?.owner).toBe(`<@${A.installer}>`);
    expect(decision?.ownerName ?? null).toBeNull();
  });

  it('"digest here" in a channel the bot may not post in is refused with the fix, and changes nothing', async () => {
    fake.failNext('chat.postMessage', 'not_in_channel');
    const r = await postToBolt(url, SECRET, 'command', slashCommand('digest here', { user: B.installer, channel: `CNOTIN${run}`, responseUrl: `${fake.responseUrl}/notin`, teamId: B.team }));
    expect(r.status).toBe(200);
    await expect.poll(() => fake.callsOf('response_url').find((c) => c.path.endsWith('/notin')), { timeout: 10_000 }).toBeTruthy();
    expect(fake.callsOf('response_url').find((c) => c.path.endsWith('/notin'))!.args.text).toMatch(/not_in_channel.*\/invite.*Nothing was changed|not_in_channel.*招待.*何も変更していません/);
    expect(await core.within(B.team, () => core.store.settings.get('digest-channel'))).toBe(B.channel);
  });

  it('posts the weekly digest once per workspace, to the channel each chose, with its own token and its own figures', async () => {
    const installations = installationStore(core);
    const jobs = { core, installations, config, clientOptions: { slackApiUrl: fake.apiUrl, retryConfig: { retries: 0 } }, process: 'test' };
    const at = new Date('2026-11-30T00:00:30Z'); // Monday 09:00:30 in Asia/Tokyo: the slot of ISMS_DIGEST_CRON's default
    const seen = fake.calls.length;
    const first = await runWorkspaceDigests(jobs, at);
    expect(first.get(A.team)).toMatchObject({ outcome: 'posted' });
    expect(first.get(B.team)).toMatchObject({ outcome: 'posted' });
    const posts = fake.calls.slice(seen).filter((c) => c.method === 'chat.postMessage');
    const to = (w: typeof A) => posts.filter((c) => c.args.channel === w.channel);
    expect(to(A)).toHaveLength(1);
    expect(to(B)).toHaveLength(1);
    expect(to(A)[0]!.headers.authorization).toBe(`Bearer ${A.token}`);
    expect(to(B)[0]!.headers.authorization).toBe(`Bearer ${B.token}`);
    // The same slot again (another instance, a restart): each workspace's run log has it already.
    const again = await runWorkspaceDigests(jobs, at);
    expect([again.get(A.team)?.outcome, again.get(B.team)?.outcome]).toEqual(['taken', 'taken']);
    expect(fake.calls.slice(seen).filter((c) => c.method === 'chat.postMessage')).toHaveLength(2);
  });

  it('a store of one workspace cannot read another\'s rows whatever its SQL says (row-level security, the second wall)', async () => {
    const rows = await core.within(B.team, () => core.store.sql.read(() => core.store.sql.all<{ justification: string }>('SELECT justification FROM decisions')));
    expect(rows.map((r) => r.justification)).not.toContain(marks.just);
    expect(rows.length).toBeGreaterThan(0);
  });

  it('outside a request no workspace is in scope: core.store refuses rather than guess one', () => {
    expect(() => core.store).toThrow(/no workspace in scope/);
  });
});
