// Issue 17: two app processes (`node <build>/src/main.js`, HTTP mode serving several workspaces through OAuth, same
// signing secret and app credentials, each on its own port and with its own ISMS_DATA_DIR) on one PostgreSQL database,
// as isms_app (DATABASE_URL) with the superuser migrating (DATABASE_ADMIN_URL). Two workspaces install the app, one
// through each instance (the fake's oauth.v2.access). 200 signed Slack events, half from each workspace, go to both
// instances, duplicates
// included: Slack's retries of one event (X-Slack-Retry-Num) to the other instance at the same moment, to the same
// instance later, a second retry; the very same signed request sent to the other instance (a replay); a DM that arrives
// both as app_mention and as message.im. What the test shows: every distinct message answered exactly once across both
// instances (chat.postMessage in its thread, counted at the fake Web API), every `soa set` one approved decision in the
// database of its own workspace (0 lost writes, none twice), every reply sent with its workspace's token, and `audit
// verify` ok for each workspace. Then an assessment started on one instance is continued on the other (per-thread
// state in the database).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pool } from '../src/soa/pg/db.js';
import { messageLink } from '../src/slack/web.js';
import { cli, nodeArgs, root } from './helpers/cli.js';
import { appMention, eventEnvelope, signSlackRequest, startFakeSlack, type FakeSlack, type FakeSlackCall } from './helpers/fake-slack.js';
import { freePort } from './helpers/net.js';
import { postgresAvailable, startPostgres, type PgServer } from './helpers/postgres.js';

const SECRET = 'two-instances-signing-secret';
/** The two workspaces: the fake's oauth.v2.access installs team T<code> by user U<code> with token xoxb-<code>. */
const workspaces = ['ALPHA', 'BRAVO'].map((code) => ({ code, team: `T${code}`, token: `xoxb-${code.toLowerCase()}`, alice: `U${code}` }));
type Workspace = (typeof workspaces)[number];
const t0 = performance.now();

interface Instance {
  name: string;
  url: string;
  child: ChildProcess;
  log: string[];
  exited: Promise<number | null>;
  exitCode: number | null | undefined;
  dataDir: string;
}

let server: PgServer | undefined;
let admin: pg.Pool | undefined;
let fake: FakeSlack | undefined;
let appUrl = '';
let adminUrl = '';
const instances: Instance[] = [];

/** The process environment without any of the app's own settings (a developer's .env must not leak into the children). */
function cleanEnv(): Record<string, string> {
  const own = /^(SLACK_|DATABASE_|OPENAI_|ISMS_|EMBEDDING|HF_|HEALTH_PORT$|PORT$|LOG_)/;
  return Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined && !own.test(e[0])));
}

const tail = (i: Instance, n = 15) => `--- ${i.name} (exit ${i.exitCode === undefined ? 'running' : i.exitCode}), last log lines:\n${i.log.slice(-n).join('\n')}`;
const tails = () => instances.map((i) => tail(i)).join('\n');

async function startInstance(name: string): Promise<Instance> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), `isms-two-${name}-`));
  const child = spawn(process.execPath, nodeArgs('src/main.ts'), {
    cwd: root, stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...cleanEnv(),
      SLACK_CLIENT_ID: '1111.2222', SLACK_CLIENT_SECRET: 'client-secret', SLACK_STATE_SECRET: 'two-instances-state-secret',
      SLACK_SIGNING_SECRET: SECRET, SLACK_API_URL: fake!.apiUrl, PORT: String(port),
      DATABASE_URL: appUrl, DATABASE_ADMIN_URL: adminUrl, ISMS_DATA_DIR: dataDir,
      ISMS_SOA_EDITION: '2022', ISMS_LANG: 'en', EMBEDDINGS: 'off', LOG_LEVEL: 'info', LOG_FORMAT: 'json',
    },
  });
  const inst: Instance = { name, url: `http://127.0.0.1:${port}/slack/events`, child, log: [], exited: Promise.resolve(null), exitCode: undefined, dataDir };
  let partial = '';
  const take = (d: Buffer) => {
    const lines = (partial + d.toString()).split('\n');
    partial = lines.pop() ?? '';
    inst.log.push(...lines.filter((l) => l.trim()));
  };
  child.stderr.on('data', take);
  child.stdout.on('data', take);
  inst.exited = new Promise((resolve) => child.on('exit', (code) => {
    inst.exitCode = code;
    resolve(code);
  }));
  return inst;
}

/** Resolves when the instance answers GET /healthz with 200 (HTTP mode: listening); fails at once if it exits. */
async function ready(i: Instance, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const health = i.url.replace('/slack/events', '/healthz');
  while (Date.now() < deadline) {
    if (i.exitCode !== undefined) throw new Error(`${i.name} exited while starting\n${tail(i, 40)}`);
    const status = await fetch(health).then((r) => r.status, () => 0);
    if (status === 200) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${i.name} did not answer /healthz within ${timeoutMs} ms\n${tail(i, 40)}`);
}

beforeAll(async () => {
  if (!postgresAvailable()) throw new Error('PostgreSQL server binaries (initdb, pg_ctl) not found: apt-get install postgresql, or set PG_BIN (.ci/run installs it)');
  [server, fake] = await Promise.all([startPostgres(), startFakeSlack({ users: Object.fromEntries(workspaces.map((w) => [w.alice, { locale: 'en-US', name: `alice-${w.code.toLowerCase()}` }])) })]);
  const boot = pool(server.url, 1);
  try {
    await boot.query('CREATE ROLE isms_app LOGIN');
    await boot.query('CREATE DATABASE isms');
  } finally {
    await boot.end();
  }
  adminUrl = server.url.replace(/\/postgres$/, '/isms');
  appUrl = adminUrl.replace('postgres@', 'isms_app@');
  admin = pool(adminUrl, 2);
  // Both start at once: the migration runs once under its advisory lock, the shared secret is created once.
  instances.push(await startInstance('instance 1'), await startInstance('instance 2'));
  await Promise.all(instances.map((i) => ready(i)));
  // Workspace k installs the app through instance k: the install page's state cookie, then Slack's redirect with a code.
  for (const [k, w] of workspaces.entries()) {
    const base = instances[k]!.url.replace('/slack/events', '');
    const page = await fetch(`${base}/slack/install`);
    const state = /[?&]state=([^&"']+)/.exec(await page.text())?.[1];
    const res = await fetch(`${base}/slack/oauth_redirect?code=${w.code}&state=${state}`, { headers: { cookie: page.headers.get('set-cookie')?.split(';')[0] ?? '' } });
    expect(res.status, `install of ${w.team} through ${instances[k]!.name}: ${await res.text()}\n${tails()}`).toBe(200);
  }
  console.log(`two instances on PostgreSQL ready, two workspaces installed, in ${Math.round(performance.now() - t0)} ms`);
}, 90_000);

afterAll(async () => {
  await Promise.all(instances.map(async (i) => {
    if (i.exitCode === undefined) {
      i.child.kill('SIGTERM');
      const killer = setTimeout(() => i.child.kill('SIGKILL'), 12_000);
      await i.exited;
      clearTimeout(killer);
    }
    rmSync(i.dataDir, { recursive: true, force: true });
  }));
  await admin?.end();
  await fake?.close();
  server?.stop();
  console.log(`pg-two-instances: ${Math.round(performance.now() - t0)} ms in all`);
}, 60_000);

// ---------------------------------------------------------------------------------------------------------------------
// The load: 150 distinct messages, 200 deliveries

/** The 93 Annex A controls of ISO/IEC 27001:2022 (the SoA lines of a 2022-edition store without the 27017 items). */
const controls = [[5, 37], [6, 8], [7, 14], [8, 34]].flatMap(([clause, n]) => Array.from({ length: n! }, (_, k) => `${clause}.${k + 1}`));

type Kind = 'write' | 'question' | 'dm' | 'read';
interface Message {
  i: number;
  /** The workspace it comes from; its installer, the workspace's approver, writes it. */
  ws: Workspace;
  kind: Kind;
  channel: string;
  ts: string;
  eventId: string;
  text: string;
  /** The instance its first delivery goes to. */
  to: 0 | 1;
  control?: string;
}

const questions = [
  'Who takes backups in SaaS?', 'What does CLD.9.5.1 require?', 'How should we manage encryption keys in the cloud?',
  'Who patches the OS of EC2 instances?', 'What logging should a cloud service provider offer its customers?',
  'How do we segregate tenants in a multi-tenant environment?', 'What must a customer check when a cloud service is terminated?',
  'Who is responsible for access control to the cloud management console?', 'How should clock synchronisation be handled?',
  'What is the shared responsibility for vulnerability management?',
];
const reads = ['soa 5.1', 'soa history 5.2', 'missing', 'digest', 'help'];

const channels = ['CLOAD1', 'CLOAD2', 'CLOAD3'];
/** Pairs of messages alternate between the workspaces, so each workspace's messages reach both instances first. */
const wsOf = (i: number) => workspaces[Math.floor((i < 90 || i >= 100 ? i : i - 90) / 2) % 2]!;
const messages: Message[] = Array.from({ length: 150 }, (_, i): Message => {
  const to = (i % 2) as 0 | 1;
  const ts = `18${String(10_000_000 + i).padStart(8, '0')}.000100`;
  const ws = wsOf(i);
  const base = { i, ws, to, ts, eventId: `Ev2I${String(i).padStart(4, '0')}`, channel: `${channels[i % channels.length]!}${ws.code}` };
  // 90 first decisions on 90 controls, then 10 second decisions on the first 10 (sent at the same moment as the first,
  // to the other instance: two writes of one control racing).
  if (i < 90) return { ...base, kind: 'write', control: controls[i]!, text: `<@UBOT> soa set ${controls[i]} applicable=yes status=implemented` };
  if (i < 100) return { ...base, to: (1 - ((i - 90) % 2)) as 0 | 1, kind: 'write', control: controls[i - 90]!, text: `<@UBOT> soa set ${controls[i - 90]} applicable=yes status=partial` };
  if (i < 130) return { ...base, kind: 'question', text: `<@UBOT> ${questions[i % questions.length]}` };
  if (i < 135) return { ...base, kind: 'dm', channel: `D${ws.alice}`, text: `<@UBOT> ${questions[i % questions.length]}` };
  return { ...base, kind: 'read', text: `<@UBOT> ${reads[i % reads.length]}` };
});

interface Delivery {
  /** What it is, for messages and counts. */
  what: 'original' | 'retry 1, other instance, same moment' | 'retry 1, same instance, later' | 'retry 2, other instance, later' | 'replay, other instance' | 'DM twin (message.im), other instance';
  msg: Message;
  to: 0 | 1;
  body: string;
  headers: Record<string, string>;
}

const nowSec = () => Math.floor(Date.now() / 1000);

/** The event envelope of a message: app_mention, or for a DM's twin the message.im event Slack sends beside it. */
function envelope(m: Message, twin = false): string {
  const event = twin
    ? { type: 'message', channel_type: 'im', channel: m.channel, user: m.ws.alice, text: m.text, ts: m.ts, event_ts: m.ts, team: m.ws.team }
    : { ...appMention(m.text, { user: m.ws.alice, channel: m.channel, ts: m.ts, team: m.ws.team }), ...(m.kind === 'dm' ? { channel_type: 'im' } : {}) };
  return JSON.stringify(eventEnvelope(event, { eventId: twin ? `${m.eventId}-im` : m.eventId, teamId: m.ws.team }));
}

/**
 * Signed as Slack signs: a retry is a new request of the same body, with a later timestamp (so a new signature, which
 * passes the replay gate and meets the event dedupe); a replay is the same bytes with the same headers.
 */
function deliveries(): { now: Delivery[][]; later: Delivery[] } {
  const at = nowSec();
  const other = (m: Message) => (1 - m.to) as 0 | 1;
  const signed = (body: string, ts: number, retry?: number) => ({
    ...signSlackRequest(SECRET, body, ts, 'application/json'),
    ...(retry ? { 'x-slack-retry-num': String(retry), 'x-slack-retry-reason': 'http_timeout' } : {}),
  });
  const raceRetry = new Set(messages.filter((m) => m.i < 140 && m.i % 7 === 0).map((m) => m.i));
  const replay = new Set([4, 40, 80, 110, 140]);
  const lateRetry = new Set(Array.from({ length: 10 }, (_, k) => 3 + 15 * k));
  const secondRetry = new Set([...raceRetry].slice(0, 10));
  const groups = new Map<number, Delivery[]>();
  const later: Delivery[] = [];
  for (const m of messages) {
    const body = envelope(m);
    const original: Delivery = { what: 'original', msg: m, to: m.to, body, headers: signed(body, at) };
    // A second decision on a control goes in the first one's group (and to the other instance: see `messages`).
    const key = m.kind === 'write' && m.i >= 90 ? m.i - 90 : m.i;
    const group = groups.get(key) ?? [];
    group.push(original);
    if (raceRetry.has(m.i)) group.push({ what: 'retry 1, other instance, same moment', msg: m, to: other(m), body, headers: signed(body, at + 1, 1) });
    if (replay.has(m.i)) group.push({ what: 'replay, other instance', msg: m, to: other(m), body, headers: original.headers });
    if (m.kind === 'dm') {
      const twin = envelope(m, true);
      group.push({ what: 'DM twin (message.im), other instance', msg: m, to: other(m), body: twin, headers: signed(twin, at) });
    }
    if (lateRetry.has(m.i)) later.push({ what: 'retry 1, same instance, later', msg: m, to: m.to, body, headers: signed(body, at + 2, 1) });
    if (secondRetry.has(m.i)) later.push({ what: 'retry 2, other instance, later', msg: m, to: other(m), body, headers: signed(body, at + 3, 2) });
    groups.set(key, group);
  }
  return { now: [...groups.values()], later };
}

async function send(d: Delivery): Promise<number> {
  const res = await fetch(instances[d.to]!.url, { method: 'POST', headers: d.headers, body: d.body });
  await res.text();
  return res.status;
}

/** Runs `fn` on every item, at most `n` at once. */
async function pooled<T, R>(items: T[], n: number, fn: (x: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: n }, async () => {
    while (next < items.length) {
      const k = next++;
      out[k] = await fn(items[k]!);
    }
  }));
  return out;
}

/** The bot's replies in a message's thread: chat.postMessage (answers) and chat.postEphemeral (errors). */
const repliesTo = (m: Message, method = 'chat.postMessage') => fake!.callsOf(method).filter((c) => c.args.channel === m.channel && c.args.thread_ts === m.ts);

/** Waits until every message has a reply, or fails naming the ones without. */
async function allAnswered(timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let missing = messages;
  while (Date.now() < deadline) {
    missing = messages.filter((m) => repliesTo(m).length + repliesTo(m, 'chat.postEphemeral').length === 0);
    if (!missing.length) return;
    if (instances.some((i) => i.exitCode !== undefined)) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${missing.length} of ${messages.length} messages got no reply within ${timeoutMs} ms: ${missing.slice(0, 20)
    .map((m) => `#${m.i} ${m.kind} ${m.eventId} "${m.text}" (first sent to instance ${m.to + 1})`).join('; ')}${missing.length > 20 ? '; …' : ''}\n${tails()}`);
}

/** Waits until the fake Web API has seen no call for `quietMs` (a duplicate answered late would show up meanwhile). */
async function quiet(quietMs = 1000, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const last = (): number => fake!.calls.at(-1)?.at ?? 0;
  while (Date.now() < deadline) {
    if (Date.now() - last() >= quietMs) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the fake Slack Web API was still being called ${timeoutMs} ms after the last answer\n${tails()}`);
}

const count = async (sql: string, values: unknown[] = []) => (await admin!.query<{ n: number }>(sql, values)).rows[0]!.n;

describe('PostgreSQL, two instances', () => {
  const statuses: { d: Delivery; status: number }[] = [];
  let sendMs = 0;
  let answerMs = 0;

  it('answers 150 distinct messages of 200 signed deliveries (duplicates included) each exactly once across both instances', async () => {
    const { now, later } = deliveries();
    expect(now.flat().length + later.length).toBe(200);
    const t = performance.now();
    // Each group at once (an original and its racing duplicate hit both instances together), 6 groups at a time.
    await pooled(now, 6, async (group) => {
      const got = await Promise.all(group.map(send));
      group.forEach((d, k) => statuses.push({ d, status: got[k]! }));
    });
    await pooled(later, 6, async (d) => statuses.push({ d, status: await send(d) }));
    sendMs = performance.now() - t;
    await allAnswered(90_000);
    answerMs = performance.now() - t;
    await quiet();

    // Every delivery was accepted (200), except the replays of an identical signed request (401, whichever instance
    // saw it second: the request dedupe is shared in the database).
    const refusedAtGate = statuses.filter((s) => s.status === 401);
    expect(statuses.filter((s) => s.status !== 200 && s.status !== 401), 'unexpected HTTP statuses').toEqual([]);
    expect(refusedAtGate.length, 'replays refused by the signed-request gate').toBe(5);
    for (const r of refusedAtGate) expect(r.d.msg.i, `a 401 for a delivery of a message that was not replayed (${r.d.what})`).toSatisfy((i: number) => [4, 40, 80, 110, 140].includes(i));

    // One answer per distinct message, across both instances; no error reply.
    const twice = messages.filter((m) => repliesTo(m).length !== 1).map((m) => `#${m.i} ${m.kind} ${m.eventId}: ${repliesTo(m).length} chat.postMessage`);
    expect(twice, 'messages not answered exactly once').toEqual([]);
    const errors = messages.flatMap((m) => repliesTo(m, 'chat.postEphemeral').map((c: FakeSlackCall) => `#${m.i} "${m.text}": ${c.args.text}`));
    expect(errors, 'error replies').toEqual([]);
    expect(fake!.refused(), 'calls Slack would refuse').toEqual([]);
    for (const m of messages.filter((x) => x.kind === 'write')) {
      expect(repliesTo(m)[0]!.args.text, `#${m.i} ${m.text}`).toContain(m.control!);
    }
    // Each reply went out with the token of the message's own workspace.
    const wrongToken = messages.filter((m) => repliesTo(m)[0]!.headers.authorization !== `Bearer ${m.ws.token}`).map((m) => `#${m.i} (${m.ws.team}): ${repliesTo(m)[0]!.headers.authorization}`);
    expect(wrongToken, 'replies sent with another workspace\'s token').toEqual([]);
    // No instance crashed or logged an error.
    for (const i of instances) {
      expect(i.exitCode, tail(i)).toBeUndefined();
      expect(i.log.filter((l) => /"level":"error"/.test(l)), i.name).toEqual([]);
    }
    const kinds = new Map<string, number>();
    for (const { d } of statuses) kinds.set(d.what, (kinds.get(d.what) ?? 0) + 1);
    console.log(`deliveries: ${[...kinds].map(([k, n]) => `${n} ${k}`).join(', ')}`);
    const recordedBy = instances.map((i) => i.log.filter((l) => l.includes('"soa decision recorded"')).length);
    console.log(`${statuses.length} deliveries sent in ${Math.round(sendMs)} ms, all ${messages.length} distinct messages answered after ${Math.round(answerMs)} ms; `
      + `${statuses.length - messages.length} duplicates (${refusedAtGate.length} refused at the gate, the rest by the event/message dedupe); `
      + `decisions recorded by instance 1: ${recordedBy[0]}, instance 2: ${recordedBy[1]}`);
    expect(recordedBy[0]! + recordedBy[1]!).toBe(100);
    expect(Math.min(...recordedBy), 'both instances wrote').toBeGreaterThan(0);

    // The dedupe tables: every event ID once, every message once, every accepted signed request once.
    expect(await count("SELECT count(*)::int AS n FROM events WHERE event_id NOT LIKE 'msg:%'")).toBe(155);
    expect(await count("SELECT count(*)::int AS n FROM events WHERE event_id LIKE 'msg:%'")).toBe(150);
    expect(await count('SELECT count(*)::int AS n FROM requests')).toBe(195);
  }, 150_000);

  it.each(workspaces)('recorded every `soa set` of $team as exactly one approved decision in $team: 0 lost writes, none twice', async (w) => {
    const writes = messages.filter((m) => m.kind === 'write' && m.ws === w);
    expect(writes.length, 'writes from this workspace').toBeGreaterThan(40);
    const { rows } = await admin!.query<{ id: number; control_id: string; status: string; source: string; proposed_by: string; verdict: string | null; reviewed_by: string | null }>(
      `SELECT d.id, d.control_id, d.status, d.source, d.proposed_by, r.verdict, r.reviewed_by
         FROM decisions d LEFT JOIN reviews r ON r.workspace = d.workspace AND r.decision_id = d.id WHERE d.workspace = $1 ORDER BY d.id`, [w.team]);
    const bySource = new Map<string, typeof rows>();
    for (const r of rows) bySource.set(r.source, [...(bySource.get(r.source) ?? []), r]);
    const lost = writes.filter((m) => !bySource.has(messageLink(m.channel, m.ts))).map((m) => `#${m.i} ${m.text}`);
    const doubled = [...bySource].filter(([, rs]) => rs.length > 1).map(([s, rs]) => `${s}: ${rs.length} decisions`);
    expect(lost, 'lost writes').toEqual([]);
    expect(doubled, 'writes recorded twice').toEqual([]);
    expect(rows).toHaveLength(writes.length);
    for (const m of writes) {
      expect(bySource.get(messageLink(m.channel, m.ts))![0], `#${m.i}`).toMatchObject({
        control_id: m.control, status: m.i < 90 ? 'implemented' : 'partial', proposed_by: w.alice, verdict: 'approved', reviewed_by: w.alice,
      });
    }
    // The 10 controls written twice at the same moment on both instances have both versions.
    const perControl = new Map<string, number>();
    for (const r of rows) perControl.set(r.control_id, (perControl.get(r.control_id) ?? 0) + 1);
    expect([...perControl.values()].filter((n) => n === 2)).toHaveLength(writes.filter((m) => m.i >= 90).length);
    expect(await count('SELECT count(*)::int AS n FROM reviews WHERE workspace = $1', [w.team])).toBe(writes.length);
  });

  it.each(workspaces)('keeps one linear audit chain per workspace: `audit verify` ok for $team (its install, decisions and reviews), up to its head in the database', async (w) => {
    const decisions = await count('SELECT count(*)::int AS n FROM decisions WHERE workspace = $1', [w.team]);
    const reviews = await count('SELECT count(*)::int AS n FROM reviews WHERE workspace = $1', [w.team]);
    const { rows: [head] } = await admin!.query<{ seq: number; hash: string; n: number }>(
      'SELECT seq, hash, (SELECT count(*)::int FROM audit_log WHERE workspace = $1) AS n FROM audit_log WHERE workspace = $1 ORDER BY seq DESC LIMIT 1', [w.team]);
    // One entry names the installing user as the first approver, then one per decision and per review.
    expect(head!.n).toBe(1 + decisions + reviews);
    expect(head!.seq, 'no gap in the chain').toBe(head!.n);
    const dataDir = mkdtempSync(join(tmpdir(), 'isms-two-cli-'));
    try {
      // The CLI as the deployment runs it: the bot's environment (DATABASE_URL and DATABASE_ADMIN_URL, README).
      const r = cli(['audit', 'verify', '--expect-head', head!.hash], { ...cleanEnv(), DATABASE_URL: appUrl, DATABASE_ADMIN_URL: adminUrl, ISMS_WORKSPACE: w.team, ISMS_DATA_DIR: dataDir, ISMS_SOA_EDITION: '2022', EMBEDDINGS: 'off' });
      expect(r.stderr, r.stdout).toBe('');
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout.trim()).toBe(`audit chain ok (${1 + decisions + reviews} entries)`);
      console.log(`audit verify, ISMS_WORKSPACE=${w.team}: ${r.stdout.trim()} (1 approver setting + ${decisions} decisions + ${reviews} reviews)`);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('`db workspaces` lists both installed workspaces with their installer and chain', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'isms-two-cli-'));
    try {
      const r = cli(['db', 'workspaces'], { ...cleanEnv(), DATABASE_URL: appUrl, ISMS_DATA_DIR: dataDir, EMBEDDINGS: 'off' });
      expect(r.code, r.stderr).toBe(0);
      const lines = r.stdout.trim().split('\n');
      expect(lines).toHaveLength(2);
      for (const [k, w] of workspaces.entries()) expect(lines[k]).toMatch(new RegExp(`^${w.team}: installed by ${w.alice} at \\S+; audit chain \\d+ entries, the latest at \\S+ \\(check it: ISMS_WORKSPACE=${w.team} audit verify\\)$`));
      console.log(`db workspaces:\n${r.stdout.trim()}`);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  // Checking evidence is read-only on PostgreSQL too: the bot's role alone (no DATABASE_ADMIN_URL, no right to create
  // tables) verifies, and nothing is migrated or granted.
  it('`audit verify` with DATABASE_URL alone (the bot\'s role, no DATABASE_ADMIN_URL) exits 0', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'isms-two-cli-'));
    try {
      const r = cli(['audit', 'verify'], { ...cleanEnv(), DATABASE_URL: appUrl, ISMS_WORKSPACE: workspaces[0]!.team, ISMS_DATA_DIR: dataDir, ISMS_SOA_EDITION: '2022', EMBEDDINGS: 'off' });
      expect(r.stderr).not.toMatch(/permission denied for schema public/);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/^audit chain ok \(\d+ entries\)/);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('continues an assessment started on instance 1 on instance 2, and back: the thread\'s state is in the database', async () => {
    const channel = 'CASSESS';
    const thread = '1899000000.000100';
    const w = workspaces[1]!;
    let n = 0;
    const post = async (to: 0 | 1, event: Record<string, unknown>) => {
      const body = JSON.stringify(eventEnvelope(event, { eventId: `EvAssess${++n}`, teamId: w.team }));
      expect(await send({ what: 'original', msg: messages[0]!, to, body, headers: signSlackRequest(SECRET, body, nowSec(), 'application/json') })).toBe(200);
    };
    const inThread = () => fake!.callsOf('chat.postMessage').filter((c) => c.args.channel === channel && c.args.thread_ts === thread);
    const waitForMore = async (than: number, step: string) => {
      await expect.poll(() => inThread().length, { timeout: 20_000, interval: 50, message: `no reply in the assessment thread after "${step}"\n${tails()}` }).toBeGreaterThan(than);
    };
    await post(0, appMention('<@UBOT> assess Acme Portal', { user: w.alice, channel, ts: thread, team: w.team }));
    await waitForMore(0, 'assess Acme Portal (instance 1)');
    await quiet(500);
    const { rows: [started] } = await admin!.query<{ state: string }>('SELECT state FROM assessments WHERE workspace = $1 AND thread = $2', [w.team, `${channel}:${thread}`]);
    const first = JSON.parse(started!.state) as { step: string; summaryTs?: string };
    expect(first.summaryTs, 'the summary message was pinned and its ts saved').toBeTruthy();

    // A reply in the thread (no mention: a channel message in a thread with a running assessment) to instance 2.
    const steps: [0 | 1, string][] = [[1, 'provider'], [0, 'SaaS'], [1, 'AWS']];
    let k = 0;
    for (const [to, text] of steps) {
      const before = inThread().length;
      const updates = fake!.callsOf('chat.update').filter((c) => c.args.ts === first.summaryTs).length;
      await post(to, { type: 'message', channel, user: w.alice, text, ts: `1899000000.${String(200 + ++k).padStart(6, '0')}`, thread_ts: thread, team: w.team });
      await waitForMore(before, `${text} (instance ${to + 1})`);
      // The summary pinned by instance 1 is updated in place, whichever instance handles the step.
      await expect.poll(() => fake!.callsOf('chat.update').filter((c) => c.args.ts === first.summaryTs).length, { timeout: 10_000, message: `summary not updated after "${text}"` }).toBeGreaterThan(updates);
    }
    await quiet(500);
    const { rows: [now] } = await admin!.query<{ state: string }>('SELECT state FROM assessments WHERE workspace = $1 AND thread = $2', [w.team, `${channel}:${thread}`]);
    const state = JSON.parse(now!.state) as { step: string; summaryTs?: string };
    expect(state.summaryTs).toBe(first.summaryTs);
    expect(state.step).not.toBe(first.step);
    console.log(`assessment: steps ${first.step} → ${state.step} across both instances; ${inThread().length} messages in its thread`);
    expect(fake!.callsOf('chat.postEphemeral').filter((c) => c.args.channel === channel)).toEqual([]);
  }, 60_000);
});
