// The Bolt app: Socket Mode or HTTP, a thin adapter over the channel-neutral core.
import { App, LogLevel, type Logger as BoltLogger } from '@slack/bolt';
import type { Core } from '../core.js';
import { redact, type Logger } from '../log.js';
import type { SlackDeps } from './context.js';
import { registerActions } from './listeners/actions.js';
import { registerAssessment } from './listeners/assessment.js';
import { registerCommands } from './listeners/commands.js';
import { registerEvents } from './listeners/events.js';
import { registerShortcuts } from './listeners/shortcuts.js';
import { registerViews } from './listeners/views.js';
import { checkPayload } from './payload.js';
import { gatedReceiver } from './receiver.js';
import { learnNames } from './web.js';

export interface SlackSettings {
  mode: 'socket' | 'http';
  botToken: string;
  appToken?: string;
  signingSecret?: string;
  port: number;
  apiUrl?: string;
  allowBots: boolean;
  /** Tests: retries off so a failing fake never hangs. */
  retries?: number;
}

/** Bolt's own log lines go through our logger, so tokens are masked there too. */
function boltLogger(log: Logger): BoltLogger {
  let level = LogLevel.INFO;
  const line = (args: unknown[]) => redact(args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' '));
  return {
    debug: (...a) => log.debug(line(a)),
    info: (...a) => log.info(line(a)),
    warn: (...a) => log.warn(line(a)),
    error: (...a) => log.error(line(a)),
    setLevel: (l) => { level = l; },
    getLevel: () => level,
    setName: () => {},
  };
}

export function createSlackApp(core: Core, s: SlackSettings): App {
  const log = core.ctx.log;
  const clientOptions = { ...(s.apiUrl ? { slackApiUrl: s.apiUrl } : {}), ...(s.retries !== undefined ? { retryConfig: { retries: s.retries } } : {}) };
  const logger = boltLogger(log);
  const app = s.mode === 'socket'
    ? new App({ token: s.botToken, appToken: s.appToken, socketMode: true, clientOptions, logger })
    : new App({
      token: s.botToken, clientOptions, logger,
      // The gate in front of Bolt: signature, timestamp (±5 min), replays, body size and shape (src/slack/receiver.ts).
      receiver: gatedReceiver({ signingSecret: s.signingSecret!, port: s.port, firstSeen: (sig, ts) => core.state.firstRequest(sig, ts), log, boltLogger: logger }),
    });
  // In Socket Mode nothing passes the HTTP gate: the same shape check runs as the first middleware (a no-op over HTTP).
  app.use(async ({ body, ack, next }) => {
    const verdict = checkPayload(body);
    if (verdict.ok) return next();
    log.warn('slack payload ignored', { reason: verdict.reason });
    if (ack) await (ack as () => Promise<void>)().catch(() => undefined);
  });
  // Names before writes: the people a payload names are looked up (cached), so the store records display names.
  app.use(async ({ body, client, next }) => {
    await learnNames(client, body);
    await next();
  });
  const deps: SlackDeps = { core, log, allowBots: s.allowBots, metaKey: core.state.secret('modal-metadata') };
  registerEvents(app, deps);
  registerCommands(app, deps);
  registerActions(app, deps);
  registerViews(app, deps);
  registerShortcuts(app, deps);
  registerAssessment(app, deps);
  app.error(async (e) => {
    log.error('bolt error', { error: redact(e.message) });
  });
  return app;
}
