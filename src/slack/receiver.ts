// HTTP mode: Bolt's HTTPReceiver behind a gate that every request to /slack/events passes first.
//
// Bolt 5.1 alone dies on a correctly signed body of `null` (an uncaught TypeError in its receiver), accepts timestamps
// in the future and replays inside its 5-minute window, and leaves a request no listener acks hanging for 3 s.
// The gate reads the body (at most bodyLimit bytes), checks the signature and the timestamp (at most 5 minutes away,
// either side), refuses a signature it has seen before (a replay), parses the body and checks it is a request the app
// handles (src/slack/payload.ts); only then does Bolt see it, already buffered. /healthz never waits for any of this.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseQuery } from 'node:querystring';
import { HTTPModuleFunctions, HTTPReceiver, type InstallationStore, type Logger as BoltLogger } from '@slack/bolt';
import type { Logger } from '../log.js';
import { checkPayload } from './payload.js';

export interface GateOptions {
  signingSecret: string;
  /** The port app.start() listens on when given none. */
  port?: number;
  /** True the first time a signature is seen (replay memory shared by the processes on one data folder). */
  firstSeen: (signature: string, ts: number) => boolean | Promise<boolean>;
  log: Logger;
  boltLogger: BoltLogger;
  /** Largest body accepted, in bytes (default 4 MB, as Bolt's): larger ones get 413 without being read further. */
  bodyLimit?: number;
  /** How long a client may take to send its body (default 10 s): slower ones get 408. */
  readTimeoutMs?: number;
  now?: () => number;
  /** Tests: the HTTP response waits until the listener has finished (Bolt's processBeforeResponse). */
  processBeforeResponse?: boolean;
  /**
   * Several workspaces: Slack's OAuth install flow. Bolt serves GET /slack/install (the "Add to Slack" page, with a
   * signed state in a cookie) and GET /slack/oauth_redirect (exchanges the code through oauth.v2.access and stores the
   * installation); neither is a POST to /slack/events, so the gate lets them through to Bolt as they are.
   */
  oauth?: {
    clientId: string;
    clientSecret: string;
    stateSecret: string;
    redirectUri?: string;
    scopes: string[];
    installationStore: InstallationStore;
    /** The Web API client settings of the install flow (slackApiUrl in tests). */
    clientOptions?: Record<string, unknown>;
  };
}

/** Slack's window for a request timestamp, in seconds, applied both ways. */
export const maxSkewSec = 300;

type Gated = IncomingMessage & { rawBody?: Buffer };

function reply(res: ServerResponse, status: number, body = ''): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, body ? { 'content-type': 'text/plain; charset=utf-8' } : {});
  res.end(body);
}

function readBody(req: IncomingMessage, limit: number, timeoutMs: number): Promise<Buffer | 413 | 408 | 400> {
  return new Promise((resolve) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      resolve(413);
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (v: Buffer | 413 | 408 | 400) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve(v);
    };
    const timer = setTimeout(() => { finish(408); req.destroy(); }, timeoutMs);
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        finish(413);
        req.removeAllListeners('data');
        req.resume();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => finish(Buffer.concat(chunks)));
    req.on('error', () => finish(400));
    req.on('aborted', () => finish(400));
  });
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return typeof v === 'string' ? v : undefined;
}

/** Bolt's HTTP receiver with the gate in front of /slack/events, and GET /healthz. */
export function gatedReceiver(o: GateOptions): HTTPReceiver {
  const receiver = new HTTPReceiver({
    signingSecret: o.signingSecret,
    endpoints: '/slack/events',
    // The gate checks every signature (and more strictly); Bolt's own check would hash each body a second time.
    signatureVerification: false,
    port: o.port,
    logger: o.boltLogger,
    bodyLimit: o.bodyLimit ?? 4 * 1024 * 1024,
    processBeforeResponse: o.processBeforeResponse ?? false,
    customRoutes: [{ path: '/healthz', method: ['GET'], handler: (_req, res) => { res.writeHead(200, { 'content-type': 'text/plain' }); res.end('ok'); } }],
    ...(o.oauth ? {
      clientId: o.oauth.clientId, clientSecret: o.oauth.clientSecret, stateSecret: o.oauth.stateSecret, redirectUri: o.oauth.redirectUri,
      scopes: o.oauth.scopes, installationStore: o.oauth.installationStore,
      installerOptions: {
        clientOptions: o.oauth.clientOptions, installPath: '/slack/install', redirectUriPath: '/slack/oauth_redirect',
        // The install page is shown first (with its "Add to Slack" button), so the state cookie is set before Slack is asked.
        directInstall: false,
      },
    } : {}),
  });
  const bolt = receiver.requestListener;
  const limit = o.bodyLimit ?? 4 * 1024 * 1024;
  const now = o.now ?? (() => Date.now());

  const gate = async (req: Gated, res: ServerResponse): Promise<void> => {
    const body = await readBody(req, limit, o.readTimeoutMs ?? 10_000);
    if (typeof body === 'number') {
      o.log.warn('slack request refused', { status: body, reason: body === 413 ? `body over ${limit} bytes` : body === 408 ? 'body not sent in time' : 'body not readable' });
      return reply(res, body);
    }
    // Read exactly as Bolt reads it (same string, same parser), so that what is checked here is what Bolt routes.
    const raw = body.toString();
    req.rawBody = body;
    // Slack's SSL check carries no signature; Bolt answers it.
    const isSslCheck = req.headers['content-type'] === 'application/x-www-form-urlencoded' && parseQuery(raw).ssl_check === '1';
    if (!isSslCheck) {
      const signature = header(req, 'x-slack-signature') ?? '';
      const tsText = header(req, 'x-slack-request-timestamp') ?? '';
      const ts = /^\d{1,12}$/.test(tsText) ? Number(tsText) : NaN;
      const nowSec = Math.floor(now() / 1000);
      const refuse = (reason: string) => {
        o.log.warn('slack request refused', { status: 401, reason });
        reply(res, 401);
      };
      if (!/^v0=[0-9a-f]{64}$/.test(signature)) return refuse('no v0 signature');
      if (!Number.isFinite(ts) || Math.abs(nowSec - ts) > maxSkewSec) return refuse(`timestamp ${tsText.slice(0, 20)} is more than ${maxSkewSec / 60} minutes away from now`);
      const want = Buffer.from(`v0=${createHmac('sha256', o.signingSecret).update(`v0:${tsText}:${raw}`).digest('hex')}`);
      if (!timingSafeEqual(want, Buffer.from(signature))) return refuse('signature mismatch');
      if (!(await o.firstSeen(signature, ts))) return refuse('replay: this signed request was already received');
    }
    if (isSslCheck) {
      // Nothing smuggled beside ssl_check=1 reaches Bolt (an unsigned payload must never be routed).
      req.rawBody = Buffer.from('ssl_check=1');
      return bolt(req, res);
    }
    let parsed: unknown;
    try {
      parsed = HTTPModuleFunctions.parseHTTPRequestBody(req as Gated & { rawBody: Buffer });
    } catch {
      o.log.warn('slack request refused', { status: 400, reason: 'body is not JSON or a form' });
      return reply(res, 400);
    }
    const verdict = checkPayload(parsed);
    if (!verdict.ok) {
      if (verdict.status === 400) o.log.warn('slack request refused', { status: 400, reason: verdict.reason });
      else o.log.debug('slack request ignored', { reason: verdict.reason });
      return reply(res, verdict.status);
    }
    bolt(req, res);
  };

  receiver.requestListener = (req, res) => {
    // The route as Bolt computes it, so that no spelling of the URL reaches Bolt's /slack/events past the gate.
    let path: string;
    try {
      path = new URL(req.url ?? '', 'http://localhost').pathname;
    } catch {
      reply(res, 400);
      return;
    }
    if ((req.method ?? '').toUpperCase() !== 'POST' || path !== '/slack/events') {
      bolt(req, res);
      return;
    }
    gate(req, res).catch((e: unknown) => {
      o.log.error('slack request failed in the gate', { error: (e as Error).message });
      reply(res, 500);
    });
  };
  return receiver;
}
