// Offline Slack for tests: a fake Web API, a fake Socket Mode server, request signing and payload builders.
// Everything listens on 127.0.0.1; nothing reaches slack.com.
//
// How to point Bolt (@slack/bolt 5.1, @slack/web-api 8, @slack/socket-mode 3) at the fake:
//
//   HTTP receiver (the default HTTPReceiver, which App builds when socketMode is not set):
//     const fake = await startFakeSlack();               // start it BEFORE new App(): App calls auth.test at once
//     const app = new App({
//       signingSecret: SECRET, token: 'xoxb-test',
//       clientOptions: { slackApiUrl: fake.apiUrl, retryConfig: { retries: 0 } }, // apiUrl ends with '/api/'
//       processBeforeResponse: true,                      // the HTTP response waits for the listener to finish
//       logLevel: LogLevel.ERROR,                         // optional: silence the 401 warnings of forged requests
//     });
//     const server = await app.start({ port: 0, host: '127.0.0.1' }) as Server; // HTTPReceiver.start takes listen options
//     const url = boltUrl(server);                        // http://127.0.0.1:PORT/slack/events
//     await postToBolt(url, SECRET, 'event', eventEnvelope(appMention(...)));
//     await app.stop();                                   // closes the server (Node closes idle keep-alive sockets)
//
//   Socket Mode:
//     const fake = await startFakeSlack();
//     const sm = await startFakeSocketModeServer(fake);  // makes the fake answer apps.connections.open with sm.url
//     const app = new App({
//       token: 'xoxb-test', appToken: 'xapp-test', socketMode: true,
//       clientOptions: { slackApiUrl: fake.apiUrl, retryConfig: { retries: 0 } },
//     });
//     await app.start();                                  // resolves once the fake has sent { type: 'hello' }
//     sm.send({ type: 'events_api', envelope_id: 'e1', payload: eventEnvelope(...), accepts_response_payload: false });
//     await sm.waitForAck('e1');                          // Bolt acks with { envelope_id: 'e1', payload: {} }
//     await app.stop(); await sm.close(); await fake.close();
//   No separate Socket Mode option is needed: App copies clientOptions into installerOptions.clientOptions, and
//   SocketModeReceiver hands that to SocketModeClient, whose own WebClient (token = the xapp token) calls
//   apps.connections.open at `${slackApiUrl}apps.connections.open`. Pass `installerOptions.clientOptions` only if you
//   want different settings for that client. Without a retryConfig SocketModeClient uses { retries: 100 }, so always
//   pass retryConfig in tests. The WebSocket client is undici's (not `ws`); it pings the server every ~1.7 s and
//   `ws` answers pongs by itself. app.stop() does not wait for the close handshake: close the fake server after it.
//
// Quirks worth knowing (Bolt 5.1 HTTPReceiver):
// - Signature check: `v0=` + HMAC-SHA256(secret, `v0:${ts}:${rawBody}`); bad signature or ts older than 5 min -> 401
//   with an empty body.
// - Ack timeout: a listener that never calls ack() gets a 404 after unhandledRequestTimeoutMillis (3001 ms by default,
//   5001 ms for function_executed). Events are acked by Bolt itself; commands/actions/views must ack().
// - `x-slack-retry-num` / `x-slack-retry-reason` headers become `context.retryNum` / `context.retryReason`; Bolt does NOT
//   deduplicate retries itself. In Socket Mode the same values come from the envelope's `retry_attempt`/`retry_reason`.
// - processBeforeResponse: true stores ack()'s body and sends it only after the listener resolves (the test's POST
//   therefore waits for the whole listener); with false the response goes out at ack() time.
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, WebSocket } from 'ws';

// ---------------------------------------------------------------------------------------------------------------------
// Fake Web API

export interface FakeSlackCall {
  /** Web API method ('chat.postMessage'), or 'file_upload' / 'response_url' for those endpoints. */
  method: string;
  /** Parsed body. Form fields stay strings except JSON fields (blocks, view, attachments, files, ...) which are decoded. */
  args: Record<string, any>;
  /** Date.now() when the request arrived. */
  at: number;
  path: string;
  headers: IncomingMessage['headers'];
}

export type FakeHandler = (args: Record<string, any>, call: FakeSlackCall) => Record<string, any> | Promise<Record<string, any>>;

export interface FakeUser {
  locale?: string;
  name?: string;
  is_bot?: boolean;
}

export interface FakeSlackOptions {
  botUserId?: string;
  users?: Record<string, FakeUser>;
  /**
   * The OAuth scopes the app was granted. Default: the bot scopes of slack/manifest.yml plus connections:write (the
   * app-level token of Socket Mode). A method whose scope is missing is refused as Slack refuses it (missing_scope).
   */
  scopes?: string[];
}

/**
 * The scopes each Web API method needs with a bot token (docs.slack.dev/reference/methods): any one of the list, or
 * null for none. A method the fake answers must be listed here, so that every call the app makes is checked against
 * the manifest and a scope the manifest lacks fails a test instead of failing silently in Slack.
 */
export const methodScopes: Record<string, string[] | null> = {
  'api.test': null,
  'auth.test': null,
  // The OAuth install flow (no token: client ID and secret).
  'oauth.v2.access': null,
  'apps.connections.open': ['connections:write'],
  'chat.postMessage': ['chat:write'],
  'chat.update': ['chat:write'],
  'chat.postEphemeral': ['chat:write'],
  'chat.delete': ['chat:write'],
  'chat.getPermalink': null,
  'reactions.add': ['reactions:write'],
  'reactions.remove': ['reactions:write'],
  'pins.add': ['pins:write'],
  'pins.remove': ['pins:write'],
  'views.open': null,
  'views.update': null,
  'views.push': null,
  'views.publish': null,
  'users.info': ['users:read'],
  'conversations.open': ['im:write', 'mpim:write', 'channels:manage', 'groups:write'],
  'conversations.replies': ['channels:history', 'groups:history', 'im:history', 'mpim:history'],
  'files.getUploadURLExternal': ['files:write'],
  'files.completeUploadExternal': ['files:write'],
  // The Agents & AI Apps surface (Bolt's Assistant class calls these).
  'assistant.threads.setStatus': ['assistant:write'],
  'assistant.threads.setSuggestedPrompts': ['assistant:write'],
  'assistant.threads.setTitle': ['assistant:write'],
};

// ---------------------------------------------------------------------------------------------------------------------
// Block Kit limits, as Slack enforces them (docs.slack.dev/reference/block-kit): Slack refuses the whole message or view
// (invalid_blocks) when one field is too long, so the fake refuses it too.

type Json = Record<string, any>;

function textLen(t: unknown): number {
  return t && typeof t === 'object' && typeof (t as Json).text === 'string' ? (t as Json).text.length : 0;
}

function elementProblems(e: Json, where: string): string[] {
  const p: string[] = [];
  if (!e || typeof e !== 'object') return p;
  if (e.type === 'button') {
    if (textLen(e.text) > 75) p.push(`${where}: button text ${textLen(e.text)} > 75`);
    if (typeof e.value === 'string' && e.value.length > 2000) p.push(`${where}: button value ${e.value.length} > 2000`);
  }
  if (e.placeholder && textLen(e.placeholder) > 150) p.push(`${where}: placeholder > 150`);
  for (const o of [...(Array.isArray(e.options) ? e.options : []), ...(e.initial_option ? [e.initial_option] : [])]) {
    if (textLen(o.text) > 75) p.push(`${where}: option text ${textLen(o.text)} > 75`);
    if (typeof o.value === 'string' && o.value.length > 150) p.push(`${where}: option value ${o.value.length} > 150`);
  }
  if (Array.isArray(e.options) && e.options.length > 100) p.push(`${where}: ${e.options.length} options > 100`);
  if (e.type === 'plain_text_input') {
    const max = typeof e.max_length === 'number' ? e.max_length : 3000;
    if (max > 3000) p.push(`${where}: max_length ${max} > 3000`);
    if (typeof e.initial_value === 'string' && e.initial_value.length > Math.min(max, 3000)) p.push(`${where}: initial_value ${e.initial_value.length} > ${Math.min(max, 3000)}`);
  }
  return p;
}

/** What Slack would refuse in a list of blocks (empty when it is valid as far as these limits go). */
export function blockKitProblems(blocks: unknown, maxBlocks = 50): string[] {
  if (blocks === undefined) return [];
  if (!Array.isArray(blocks)) return ['blocks is not an array'];
  const p: string[] = [];
  if (blocks.length > maxBlocks) p.push(`${blocks.length} blocks > ${maxBlocks}`);
  blocks.forEach((b: Json, i: number) => {
    const at = `blocks[${i}] (${b?.type})`;
    if (typeof b?.block_id === 'string' && b.block_id.length > 255) p.push(`${at}: block_id > 255`);
    if (b?.type === 'section') {
      if (textLen(b.text) > 3000) p.push(`${at}: section text ${textLen(b.text)} > 3000`);
      if (Array.isArray(b.fields)) {
        if (b.fields.length > 10) p.push(`${at}: ${b.fields.length} fields > 10`);
        b.fields.forEach((f: Json) => { if (textLen(f) > 2000) p.push(`${at}: field text ${textLen(f)} > 2000`); });
      }
      if (!b.text && !b.fields) p.push(`${at}: a section needs text or fields`);
      if (b.accessory) p.push(...elementProblems(b.accessory, at));
    }
    if (b?.type === 'header' && textLen(b.text) > 150) p.push(`${at}: header text ${textLen(b.text)} > 150`);
    if (b?.type === 'context') {
      if (!Array.isArray(b.elements) || b.elements.length > 10) p.push(`${at}: context needs 1-10 elements`);
      else b.elements.forEach((e: Json) => { if (textLen(e) > 2000) p.push(`${at}: context text ${textLen(e)} > 2000`); });
    }
    if (b?.type === 'actions') {
      if (!Array.isArray(b.elements) || b.elements.length > 25) p.push(`${at}: actions needs 1-25 elements`);
      else b.elements.forEach((e: Json) => p.push(...elementProblems(e, at)));
    }
    if (b?.type === 'input') {
      if (textLen(b.label) > 2000) p.push(`${at}: label > 2000`);
      if (b.hint && textLen(b.hint) > 2000) p.push(`${at}: hint > 2000`);
      p.push(...elementProblems(b.element, at));
    }
  });
  return p;
}

/** What Slack would refuse in a modal or App Home view. */
export function viewProblems(view: unknown): string[] {
  if (!view || typeof view !== 'object') return ['view is missing'];
  const v = view as Json;
  const p = blockKitProblems(v.blocks ?? [], 100);
  for (const k of ['title', 'submit', 'close']) if (v[k] && textLen(v[k]) > 24) p.push(`${k} ${textLen(v[k])} > 24`);
  if (typeof v.private_metadata === 'string' && v.private_metadata.length > 3000) p.push(`private_metadata ${v.private_metadata.length} > 3000`);
  return p;
}

/** The Block Kit problems of one Web API call or response_url post (blocks, view, text). */
function callProblems(method: string, args: Json): string[] {
  if (method.startsWith('views.')) return method === 'views.publish' || method === 'views.open' || method === 'views.update' || method === 'views.push' ? viewProblems(args.view) : [];
  if (['chat.postMessage', 'chat.postEphemeral', 'chat.update', 'response_url'].includes(method)) {
    const p = blockKitProblems(args.blocks, 50);
    if (typeof args.text === 'string' && args.text.length > 40000) p.push(`text ${args.text.length} > 40000`);
    return p;
  }
  return [];
}

/** The bot scopes that slack/manifest.yml requests (oauth_config.scopes.bot). */
export function manifestBotScopes(file = new URL('../../slack/manifest.yml', import.meta.url)): string[] {
  const lines = readFileSync(file, 'utf8').split('\n');
  const at = lines.findIndex((l, i) => /^\s+bot:\s*$/.test(l) && lines.slice(0, i).some((x) => /^\s+scopes:\s*$/.test(x)));
  if (at < 0) throw new Error('slack/manifest.yml has no oauth_config.scopes.bot list');
  const indent = lines[at]!.search(/\S/);
  const scopes: string[] = [];
  for (const l of lines.slice(at + 1)) {
    if (!l.trim() || l.trim().startsWith('#')) continue;
    if (l.search(/\S/) <= indent) break;
    const m = /^\s*-\s*([a-z:._]+)\s*$/.exec(l);
    if (m) scopes.push(m[1]!);
  }
  return scopes;
}

export interface FakeSlack {
  /** e.g. http://127.0.0.1:PORT/api/ — use as clientOptions.slackApiUrl */
  apiUrl: string;
  /** http://127.0.0.1:PORT */
  baseUrl: string;
  /** POSTs here are recorded as method 'response_url' (args = the JSON body). Any path under it works too. */
  responseUrl: string;
  botUserId: string;
  calls: FakeSlackCall[];
  /** Resolves with the first recorded call (already recorded ones included) of `method` matching `pred`. */
  waitFor(method: string, pred?: (args: Record<string, any>) => boolean, timeoutMs?: number): Promise<FakeSlackCall>;
  /** Recorded calls of one method. */
  callsOf(method: string): FakeSlackCall[];
  /**
   * Calls refused as Slack would refuse them: the granted scopes lack the method's scope (missing_scope; or the method
   * has no entry in methodScopes), or its blocks break a Block Kit limit (invalid_blocks).
   */
  refused(): (FakeSlackCall & { error: string })[];
  /** The next call of `method` answers { ok: false, error } (queued: call twice to fail two calls). */
  failNext(method: string, error: string): void;
  /** Replace the answer of a method (return value is sent as JSON; include ok yourself). Pass undefined to reset. */
  on(method: string, handler: FakeHandler | undefined): void;
  /** Forget recorded calls. */
  reset(): void;
  close(): Promise<void>;
}

/** Form fields Slack clients send as JSON strings; decoded into objects in `call.args`. */
const JSON_FIELDS = new Set([
  'blocks', 'attachments', 'view', 'files', 'metadata', 'unfurls', 'user_auth_blocks', 'options', 'option_groups',
  'chunks', 'payload',
]);

function decodeJsonFields(args: Record<string, any>): Record<string, any> {
  for (const [k, v] of Object.entries(args)) {
    if (JSON_FIELDS.has(k) && typeof v === 'string' && /^\s*[[{]/.test(v)) {
      try { args[k] = JSON.parse(v); } catch { /* keep the string */ }
    }
  }
  return args;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Parses JSON, form-urlencoded or multipart bodies. Multipart file parts become Buffers (with `<field>_filename`). */
async function parseBody(raw: Buffer, contentType: string): Promise<Record<string, any>> {
  const ct = contentType.toLowerCase();
  if (raw.length === 0) return {};
  if (ct.includes('application/json')) {
    try {
      const v = JSON.parse(raw.toString('utf8'));
      return v && typeof v === 'object' && !Array.isArray(v) ? v : { _json: v };
    } catch {
      return { _raw: raw.toString('utf8') };
    }
  }
  if (ct.includes('multipart/form-data')) {
    const form = await new Response(new Uint8Array(raw), { headers: { 'content-type': contentType } }).formData();
    const out: Record<string, any> = {};
    for (const [k, v] of form.entries()) {
      if (typeof v === 'string') out[k] = v;
      else {
        out[k] = Buffer.from(await v.arrayBuffer());
        out[`${k}_filename`] = v.name;
      }
    }
    return out;
  }
  if (ct.includes('application/x-www-form-urlencoded') || ct === '') {
    return Object.fromEntries(new URLSearchParams(raw.toString('utf8')));
  }
  return { _raw: raw };
}

const TS_BASE = 1_700_000_000;

export async function startFakeSlack(opts: FakeSlackOptions = {}): Promise<FakeSlack> {
  const botUserId = opts.botUserId ?? 'UBOT';
  const users = opts.users ?? {};
  const granted = new Set(opts.scopes ?? [...manifestBotScopes(), 'connections:write']);
  const refusals: (FakeSlackCall & { error: string })[] = [];
  const calls: FakeSlackCall[] = [];
  const failures = new Map<string, string[]>();
  const overrides = new Map<string, FakeHandler>();
  const uploads = new Map<string, { filename?: string; length?: number }>();
  type Waiter = { method: string; pred?: (a: Record<string, any>) => boolean; resolve: (c: FakeSlackCall) => void; reject: (e: Error) => void; timer: NodeJS.Timeout };
  let waiters: Waiter[] = [];
  let tsCounter = 0;
  let fileCounter = 0;
  let viewCounter = 0;
  let baseUrl = '';

  const nextTs = () => {
    tsCounter += 1;
    return `${TS_BASE}.${String(tsCounter * 100).padStart(6, '0')}`;
  };

  const record = (call: FakeSlackCall) => {
    calls.push(call);
    for (const w of [...waiters]) {
      let hit = false;
      try { hit = w.method === call.method && (!w.pred || w.pred(call.args)); } catch { hit = false; }
      if (hit) {
        clearTimeout(w.timer);
        waiters = waiters.filter((x) => x !== w);
        w.resolve(call);
      }
    }
  };

  const user = (id: string) => {
    const u = users[id] ?? {};
    const name = u.name ?? id.toLowerCase();
    return {
      id, team_id: 'T1', name, real_name: name, deleted: false, is_bot: u.is_bot ?? false, is_admin: false,
      is_app_user: false, tz: 'Asia/Tokyo', tz_offset: 32400, locale: u.locale ?? 'en-US',
      profile: { display_name: name, real_name: name, team: 'T1' },
    };
  };

  const view = (args: Record<string, any>) => {
    const v = (typeof args.view === 'object' && args.view) || {};
    viewCounter += 1;
    const id = args.view_id ?? `V${String(viewCounter).padStart(4, '0')}`;
    return {
      id, team_id: 'T1', app_id: 'A1', bot_id: 'BBOT', type: v.type ?? 'modal', callback_id: v.callback_id ?? '',
      private_metadata: v.private_metadata ?? '', external_id: v.external_id ?? args.external_id ?? '',
      title: v.title, submit: v.submit, close: v.close, blocks: v.blocks ?? [], state: { values: {} },
      hash: `${Date.now()}.hash${viewCounter}`, root_view_id: id, previous_view_id: null,
      ...(args.user_id ? { user_id: args.user_id } : {}),
    };
  };

  const message = (args: Record<string, any>, ts: string) => ({
    type: 'message', subtype: undefined, user: botUserId, bot_id: 'BBOT', app_id: 'A1', team: 'T1',
    text: args.text ?? '', blocks: args.blocks, attachments: args.attachments, ts,
    ...(args.thread_ts ? { thread_ts: args.thread_ts } : {}),
    ...(args.metadata ? { metadata: args.metadata } : {}),
  });

  const builtIn: Record<string, FakeHandler> = {
    'api.test': (a) => ({ ok: true, args: a }),
    'auth.test': () => ({
      ok: true, url: 'https://example.slack.com/', team: 'Example', user: 'isms', team_id: 'T1', user_id: botUserId,
      bot_id: 'BBOT', is_enterprise_install: false,
    }),
    // An install of team T<code> by user U<code>: the code names the workspace, so a test installs several.
    'oauth.v2.access': (a) => {
      const code = String(a.code ?? '');
      if (!/^[A-Z0-9]{2,20}$/.test(code)) return { ok: false, error: 'invalid_code' };
      return {
        ok: true, app_id: 'A1', access_token: `xoxb-${code.toLowerCase()}`, token_type: 'bot', scope: [...granted].join(','),
        bot_user_id: botUserId, team: { id: `T${code}`, name: `Team ${code}` }, enterprise: null, is_enterprise_install: false,
        authed_user: { id: `U${code}`, scope: '', token_type: 'user' },
      };
    },
    'chat.postMessage': (a) => {
      const ts = nextTs();
      return { ok: true, channel: a.channel, ts, message: message(a, ts) };
    },
    'chat.update': (a) => ({ ok: true, channel: a.channel, ts: a.ts, text: a.text ?? '', message: message(a, a.ts) }),
    'chat.postEphemeral': () => ({ ok: true, message_ts: nextTs() }),
    'chat.delete': (a) => ({ ok: true, channel: a.channel, ts: a.ts }),
    'chat.getPermalink': (a) => ({
      ok: true, channel: a.channel,
      permalink: `https://example.slack.com/archives/${a.channel}/p${String(a.message_ts ?? a.ts ?? '').replace('.', '')}`,
    }),
    'reactions.add': () => ({ ok: true }),
    'reactions.remove': () => ({ ok: true }),
    'pins.add': () => ({ ok: true }),
    'pins.remove': () => ({ ok: true }),
    'views.open': (a) => ({ ok: true, view: view(a) }),
    'views.update': (a) => ({ ok: true, view: view(a) }),
    'views.push': (a) => ({ ok: true, view: view(a) }),
    'views.publish': (a) => ({ ok: true, view: { ...view(a), type: 'home' } }),
    'users.info': (a) => ({ ok: true, user: user(String(a.user)) }),
    'conversations.open': (a) => {
      const first = String(a.users ?? '').split(',')[0] ?? '';
      return { ok: true, channel: { id: a.channel ?? `D${first}` } };
    },
    'conversations.replies': (a) => ({ ok: true, messages: [], has_more: false, channel: a.channel }),
    // The Agents & AI Apps surface: a status, suggested prompts (at most 4, each with a title and a message) and a title.
    'assistant.threads.setStatus': (a) => (a.channel_id && a.thread_ts && typeof a.status === 'string' ? { ok: true } : { ok: false, error: 'invalid_arguments' }),
    'assistant.threads.setTitle': (a) => (a.channel_id && a.thread_ts && a.title ? { ok: true } : { ok: false, error: 'invalid_arguments' }),
    'assistant.threads.setSuggestedPrompts': (a) => {
      let prompts: { title?: unknown; message?: unknown }[] = [];
      try { prompts = typeof a.prompts === 'string' ? JSON.parse(a.prompts) : a.prompts; } catch { return { ok: false, error: 'invalid_arguments' }; }
      const valid = Array.isArray(prompts) && prompts.length >= 1 && prompts.length <= 4 && prompts.every((p) => typeof p.title === 'string' && typeof p.message === 'string');
      return a.channel_id && a.thread_ts && valid ? { ok: true } : { ok: false, error: 'invalid_arguments' };
    },
    'files.getUploadURLExternal': (a) => {
      fileCounter += 1;
      const file_id = `F${String(fileCounter).padStart(4, '0')}`;
      uploads.set(file_id, { filename: a.filename, length: a.length === undefined ? undefined : Number(a.length) });
      return { ok: true, upload_url: `${baseUrl}/upload/${file_id}`, file_id };
    },
    'files.completeUploadExternal': (a) => {
      const files = Array.isArray(a.files) ? a.files : [];
      return {
        ok: true,
        files: files.map((f: { id: string; title?: string }) => {
          const u = uploads.get(f.id) ?? {};
          return {
            id: f.id, name: u.filename, title: f.title ?? u.filename, size: u.length,
            permalink: `https://example.slack.com/files/${botUserId}/${f.id}/${u.filename ?? 'file'}`,
          };
        }),
      };
    },
  };

  const send = (res: ServerResponse, status: number, body: unknown) => {
    if (res.destroyed) return;
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify(body));
  };

  const server: Server = createServer((req, res) => {
    (async () => {
      const raw = await readBody(req);
      const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
      const contentType = String(req.headers['content-type'] ?? '');
      const base = { at: Date.now(), path, headers: req.headers };

      if (path.startsWith('/upload/')) {
        // files.uploadV2 step 2: @slack/web-api 8 POSTs multipart/form-data with one file field named `body`.
        const file_id = decodeURIComponent(path.slice('/upload/'.length));
        let body = raw;
        let filename: string | undefined;
        if (contentType.toLowerCase().includes('multipart/form-data')) {
          const parsed = await parseBody(raw, contentType);
          const field = Object.keys(parsed).find((k) => Buffer.isBuffer(parsed[k]));
          if (field) {
            body = parsed[field];
            filename = parsed[`${field}_filename`];
          }
        }
        // The multipart part is named 'Untitled' by web-api; report the filename given to getUploadURLExternal.
        filename = uploads.get(file_id)?.filename ?? filename;
        record({ ...base, method: 'file_upload', args: { file_id, bytes: body.length, body, filename } });
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end(`OK - ${body.length}`);
        return;
      }

      if (path === '/response_url' || path.startsWith('/response_url/')) {
        const args = decodeJsonFields(await parseBody(raw, contentType));
        const call = { ...base, method: 'response_url', args };
        record(call);
        const problems = callProblems('response_url', args);
        if (problems.length) {
          refusals.push({ ...call, error: `invalid_blocks: ${problems.join('; ')}` });
          send(res, 400, { ok: false, error: 'invalid_blocks', errors: problems });
          return;
        }
        send(res, 200, { ok: true });
        return;
      }

      if (path.startsWith('/api/')) {
        const method = path.slice('/api/'.length);
        const args = decodeJsonFields(await parseBody(raw, contentType));
        const call: FakeSlackCall = { ...base, method, args };
        record(call);
        const queued = failures.get(method);
        if (queued && queued.length > 0) {
          send(res, 200, { ok: false, error: queued.shift() });
          return;
        }
        const handler = overrides.get(method) ?? builtIn[method];
        if (!handler) {
          send(res, 200, { ok: false, error: 'unknown_method' });
          return;
        }
        const needed = methodScopes[method];
        if (needed === undefined || (needed && !needed.some((x) => granted.has(x)))) {
          const error = needed === undefined ? 'fake_slack_unknown_scope' : 'missing_scope';
          refusals.push({ ...call, error });
          send(res, 200, { ok: false, error, needed: needed?.join(',') ?? `(add ${method} to methodScopes)`, provided: [...granted].join(',') });
          return;
        }
        const problems = callProblems(method, args);
        if (problems.length) {
          refusals.push({ ...call, error: `invalid_blocks: ${problems.join('; ')}` });
          send(res, 200, { ok: false, error: 'invalid_blocks', errors: problems });
          return;
        }
        send(res, 200, await handler(args, call));
        return;
      }

      send(res, 404, { ok: false, error: 'not_found' });
    })().catch((err: unknown) => send(res, 500, { ok: false, error: `fake_slack_error: ${String(err)}` }));
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const summary = () => {
    const counts = new Map<string, number>();
    for (const c of calls) counts.set(c.method, (counts.get(c.method) ?? 0) + 1);
    return counts.size === 0 ? '(none)' : [...counts].map(([m, n]) => (n > 1 ? `${m} x${n}` : m)).join(', ');
  };

  let closed = false;
  return {
    apiUrl: `${baseUrl}/api/`,
    baseUrl,
    responseUrl: `${baseUrl}/response_url`,
    botUserId,
    calls,
    callsOf: (method) => calls.filter((c) => c.method === method),
    refused: () => [...refusals],
    waitFor(method, pred, timeoutMs = 5000) {
      const found = calls.find((c) => c.method === method && (!pred || pred(c.args)));
      if (found) return Promise.resolve(found);
      return new Promise<FakeSlackCall>((resolve, reject) => {
        const w: Waiter = {
          method, pred, resolve, reject,
          timer: setTimeout(() => {
            waiters = waiters.filter((x) => x !== w);
            reject(new Error(
              `fake-slack: no ${method} call${pred ? ' matching the predicate' : ''} within ${timeoutMs} ms; ` +
              `calls seen: ${summary()}`,
            ));
          }, timeoutMs),
        };
        waiters.push(w);
      });
    },
    failNext(method, error) {
      const q = failures.get(method) ?? [];
      q.push(error);
      failures.set(method, q);
    },
    on(method, handler) {
      if (handler) overrides.set(method, handler);
      else overrides.delete(method);
    },
    reset() {
      calls.length = 0;
      refusals.length = 0;
    },
    close() {
      if (closed) return Promise.resolve();
      closed = true;
      for (const w of waiters) {
        clearTimeout(w.timer);
        w.reject(new Error(`fake-slack: closed while waiting for ${w.method}; calls seen: ${summary()}`));
      }
      waiters = [];
      return new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------------
// Signing and posting to a Bolt HTTP receiver

/** Slack's request signature headers. Pass `contentType` to get a `content-type` header too. */
export function signSlackRequest(
  signingSecret: string,
  body: string,
  ts: number = Math.floor(Date.now() / 1000),
  contentType?: string,
): Record<string, string> {
  const sig = createHmac('sha256', signingSecret).update(`v0:${ts}:${body}`).digest('hex');
  return {
    'x-slack-signature': `v0=${sig}`,
    'x-slack-request-timestamp': String(ts),
    ...(contentType ? { 'content-type': contentType } : {}),
  };
}

export type BoltRequestKind = 'event' | 'command' | 'interactive';

/** Encodes a payload the way Slack sends it: events as JSON, commands as form fields, interactions as payload=<json>. */
export function encodeSlackBody(kind: BoltRequestKind, payload: object): { body: string; contentType: string } {
  if (kind === 'event') return { body: JSON.stringify(payload), contentType: 'application/json' };
  if (kind === 'command') {
    const form = new URLSearchParams();
    for (const [k, v] of Object.entries(payload)) {
      if (v === undefined || v === null) continue;
      form.append(k, typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v));
    }
    return { body: form.toString(), contentType: 'application/x-www-form-urlencoded' };
  }
  return {
    body: new URLSearchParams({ payload: JSON.stringify(payload) }).toString(),
    contentType: 'application/x-www-form-urlencoded',
  };
}

export interface PostToBoltOptions {
  /** Extra headers, e.g. { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' }. */
  headers?: Record<string, string>;
  /** Request timestamp in seconds (default now); older than 5 minutes gets 401. */
  ts?: number;
  /** Sign with a wrong secret (expect 401). */
  forgeSignature?: boolean;
}

export async function postToBolt(
  url: string,
  secret: string,
  kind: BoltRequestKind,
  payload: object,
  opts: PostToBoltOptions = {},
): Promise<{ status: number; body: string; ms: number }> {
  const { body, contentType } = encodeSlackBody(kind, payload);
  const headers = {
    ...signSlackRequest(opts.forgeSignature ? `${secret}-forged` : secret, body, opts.ts, contentType),
    ...opts.headers,
  };
  const t0 = performance.now();
  const res = await fetch(url, { method: 'POST', headers, body });
  const text = await res.text();
  return { status: res.status, body: text, ms: Math.round(performance.now() - t0) };
}

/** URL of a started Bolt HTTP receiver: `boltUrl(await app.start({ port: 0, host: '127.0.0.1' }) as Server)`. */
export function boltUrl(server: Server, path = '/slack/events'): string {
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`;
}

// ---------------------------------------------------------------------------------------------------------------------
// Payload builders (shapes follow what Slack sends; only commonly read fields are filled in)

let seq = 0;
const nextId = (prefix: string) => `${prefix}${Date.now().toString(36)}${(++seq).toString(36)}`.toUpperCase();
const nowTs = () => `${Math.floor(Date.now() / 1000)}.${String(++seq).padStart(6, '0')}`;

export function eventEnvelope(
  event: object,
  opts: { eventId?: string; teamId?: string; botUserId?: string; appId?: string } = {},
): Record<string, any> {
  const teamId = opts.teamId ?? 'T1';
  return {
    token: 'verification-token',
    team_id: teamId,
    api_app_id: opts.appId ?? 'A1',
    event,
    type: 'event_callback',
    event_id: opts.eventId ?? nextId('Ev'),
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [{
      enterprise_id: null, team_id: teamId, user_id: opts.botUserId ?? 'UBOT', is_bot: true, is_enterprise_install: false,
    }],
    is_ext_shared_channel: false,
    event_context: nextId('EC'),
  };
}

export function appMention(
  text: string,
  o: { user: string; channel: string; ts: string; threadTs?: string; team?: string },
): Record<string, any> {
  return {
    type: 'app_mention',
    client_msg_id: nextId('msg-').toLowerCase(),
    user: o.user,
    text,
    ts: o.ts,
    team: o.team ?? 'T1',
    channel: o.channel,
    event_ts: o.ts,
    ...(o.threadTs ? { thread_ts: o.threadTs } : {}),
  };
}

/** Form fields of a slash command (post with kind 'command'). */
export function slashCommand(
  text: string,
  o: { user: string; channel: string; responseUrl: string; triggerId?: string; command?: string; teamId?: string },
): Record<string, string> {
  return {
    token: 'verification-token',
    team_id: o.teamId ?? 'T1',
    team_domain: 'example',
    channel_id: o.channel,
    channel_name: 'general',
    user_id: o.user,
    user_name: o.user.toLowerCase(),
    command: o.command ?? '/isms',
    text,
    api_app_id: 'A1',
    is_enterprise_install: 'false',
    response_url: o.responseUrl,
    trigger_id: o.triggerId ?? nextId('trig.'),
  };
}

const userObj = (id: string) => ({ id, username: id.toLowerCase(), name: id.toLowerCase(), team_id: 'T1' });
const team = { id: 'T1', domain: 'example' };

/** A block_actions payload (post with kind 'interactive'). A button unless `type`/`selectedOption` say otherwise. */
export function blockAction(o: {
  user: string;
  actionId: string;
  value?: string;
  blockId?: string;
  channel?: string;
  messageTs?: string;
  threadTs?: string;
  responseUrl?: string;
  triggerId?: string;
  view?: Record<string, any>;
  type?: string;
  selectedOption?: { text?: unknown; value: string };
}): Record<string, any> {
  const action: Record<string, any> = {
    type: o.type ?? (o.selectedOption ? 'static_select' : 'button'),
    action_id: o.actionId,
    block_id: o.blockId ?? 'b1',
    action_ts: nowTs(),
  };
  if (o.value !== undefined) action.value = o.value;
  if (o.selectedOption) {
    action.selected_option = { text: o.selectedOption.text ?? { type: 'plain_text', text: o.selectedOption.value }, value: o.selectedOption.value };
  }
  const payload: Record<string, any> = {
    type: 'block_actions',
    user: userObj(o.user),
    api_app_id: 'A1',
    token: 'verification-token',
    trigger_id: o.triggerId ?? nextId('trig.'),
    team,
    enterprise: null,
    is_enterprise_install: false,
    actions: [action],
  };
  if (o.view) {
    payload.container = { type: 'view', view_id: o.view.id ?? 'V1' };
    payload.view = { id: 'V1', team_id: 'T1', type: 'modal', state: { values: {} }, ...o.view };
  } else if (o.messageTs) {
    payload.container = {
      type: 'message', message_ts: o.messageTs, channel_id: o.channel, is_ephemeral: false,
      ...(o.threadTs ? { thread_ts: o.threadTs } : {}),
    };
    payload.message = {
      type: 'message', user: 'UBOT', bot_id: 'BBOT', text: '', ts: o.messageTs,
      ...(o.threadTs ? { thread_ts: o.threadTs } : {}),
    };
  }
  if (o.channel) payload.channel = { id: o.channel, name: 'general' };
  if (o.responseUrl) payload.response_url = o.responseUrl;
  payload.state = { values: {} };
  return payload;
}

/** A view_submission payload. `values` is view.state.values: block_id -> action_id -> { type, value | selected_... }. */
export function viewSubmission(o: {
  user: string;
  callbackId: string;
  privateMetadata?: string;
  values: Record<string, Record<string, Record<string, any>>>;
  viewId?: string;
}): Record<string, any> {
  const id = o.viewId ?? 'V1';
  return {
    type: 'view_submission',
    team,
    user: userObj(o.user),
    api_app_id: 'A1',
    token: 'verification-token',
    trigger_id: nextId('trig.'),
    view: {
      id, team_id: 'T1', type: 'modal', callback_id: o.callbackId, private_metadata: o.privateMetadata ?? '',
      title: { type: 'plain_text', text: 'Modal' }, blocks: [], state: { values: o.values },
      hash: `${Date.now()}.hash`, root_view_id: id, previous_view_id: null, app_id: 'A1', bot_id: 'BBOT',
    },
    response_urls: [],
    is_enterprise_install: false,
    enterprise: null,
  };
}

/** A message shortcut (message_action) payload (post with kind 'interactive'). */
export function messageShortcut(o: {
  user: string;
  callbackId: string;
  channel: string;
  messageText: string;
  messageTs: string;
  threadTs?: string;
  responseUrl: string;
  triggerId?: string;
  messageUser?: string;
}): Record<string, any> {
  return {
    type: 'message_action',
    token: 'verification-token',
    action_ts: nowTs(),
    team,
    user: userObj(o.user),
    channel: { id: o.channel, name: 'general' },
    is_enterprise_install: false,
    enterprise: null,
    callback_id: o.callbackId,
    trigger_id: o.triggerId ?? nextId('trig.'),
    response_url: o.responseUrl,
    message_ts: o.messageTs,
    message: {
      type: 'message', user: o.messageUser ?? o.user, text: o.messageText, ts: o.messageTs,
      ...(o.threadTs ? { thread_ts: o.threadTs } : {}),
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------------
// Fake Socket Mode server

export interface FakeSocketModeServer {
  /** ws://127.0.0.1:PORT/ — what the fake's apps.connections.open returns. */
  url: string;
  /** Sends an envelope (JSON) to every connected client. */
  send(envelope: object): void;
  /** Every message a client sent, JSON-parsed when possible (acks look like { envelope_id, payload }). */
  acks: any[];
  /** Resolves when the first client has connected and was sent `hello`. */
  connected: Promise<void>;
  /** Resolves with the ack for `envelopeId` (already received ones included). */
  waitForAck(envelopeId: string, timeoutMs?: number): Promise<any>;
  /** Number of open client connections. */
  readonly clients: number;
  close(): Promise<void>;
}

export async function startFakeSocketModeServer(fake: FakeSlack): Promise<FakeSocketModeServer> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve, reject) => {
    wss.once('listening', resolve);
    wss.once('error', reject);
  });
  const url = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/`;
  const acks: any[] = [];
  let ackWaiters: { id: string; resolve: (a: any) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }[] = [];
  let markConnected!: () => void;
  const connected = new Promise<void>((resolve) => (markConnected = resolve));

  fake.on('apps.connections.open', () => ({ ok: true, url }));

  wss.on('connection', (ws) => {
    ws.on('message', (data) => {
      const text = (Array.isArray(data) ? Buffer.concat(data) : data instanceof ArrayBuffer ? Buffer.from(data) : data).toString();
      let msg: any = text;
      try { msg = JSON.parse(text); } catch { /* keep text */ }
      acks.push(msg);
      for (const w of [...ackWaiters]) {
        if (msg && msg.envelope_id === w.id) {
          clearTimeout(w.timer);
          ackWaiters = ackWaiters.filter((x) => x !== w);
          w.resolve(msg);
        }
      }
    });
    ws.send(JSON.stringify({
      type: 'hello', num_connections: 1,
      debug_info: { host: 'fake-slack', build_number: 1, approximate_connection_time: 18060 },
      connection_info: { app_id: 'A1' },
    }));
    markConnected();
  });

  return {
    url,
    acks,
    connected,
    get clients() {
      return [...wss.clients].filter((c) => c.readyState === WebSocket.OPEN).length;
    },
    send(envelope) {
      const text = JSON.stringify(envelope);
      for (const c of wss.clients) if (c.readyState === WebSocket.OPEN) c.send(text);
    },
    waitForAck(envelopeId, timeoutMs = 5000) {
      const found = acks.find((a) => a && a.envelope_id === envelopeId);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const w = {
          id: envelopeId, resolve, reject,
          timer: setTimeout(() => {
            ackWaiters = ackWaiters.filter((x) => x !== w);
            reject(new Error(`fake-socket-mode: no ack for ${envelopeId} within ${timeoutMs} ms; got ${JSON.stringify(acks)}`));
          }, timeoutMs),
        };
        ackWaiters.push(w);
      });
    },
    close() {
      for (const w of ackWaiters) {
        clearTimeout(w.timer);
        w.reject(new Error(`fake-socket-mode: closed while waiting for the ack of ${w.id}`));
      }
      ackWaiters = [];
      fake.on('apps.connections.open', undefined);
      // Let clients finish the close handshake (after app.stop() the client has already sent its close frame), so
      // undici reports a clean close instead of an SMWebsocketError; terminate whatever is left after 1 s.
      const closing = [...wss.clients].map((c) => new Promise<void>((resolve) => {
        if (c.readyState === WebSocket.CLOSED) return resolve();
        const timer = setTimeout(() => { c.terminate(); resolve(); }, 1000);
        c.once('close', () => { clearTimeout(timer); resolve(); });
        if (c.readyState === WebSocket.OPEN) c.close(1000, 'fake server closing');
      }));
      return Promise.all(closing).then(() => new Promise<void>((resolve) => wss.close(() => resolve())));
    },
  };
}
