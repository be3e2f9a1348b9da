// The Bolt app: Socket Mode or HTTP, a thin adapter over the channel-neutral core.
import { App, LogLevel, SocketModeReceiver, webApi, type Logger as BoltLogger } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { Core } from '../core.js';
import { redact, type Logger } from '../log.js';
import type { SlackDeps } from './context.js';
import { registerActions } from './listeners/actions.js';
import { registerAssistant } from './listeners/assistant.js';
import { registerAssessment } from './listeners/assessment.js';
import { registerCommands } from './listeners/commands.js';
import { registerEvents } from './listeners/events.js';
import { registerShortcuts } from './listeners/shortcuts.js';
import { registerViews } from './listeners/views.js';
import { registerInstallEvents } from './listeners/install.js';
import { checkPayload } from './payload.js';
import { gatedReceiver } from './receiver.js';
import { foreignSpeaker, PgInstallationStore, workspaceOf } from './installations.js';
import { learnNames, namesGoTo } from './web.js';

/** The bot scopes an install asks for: those of slack/manifest.yml (a test keeps the two the same). */
export const botScopes = ['app_mentions:read', 'assistant:write', 'channels:history', 'chat:write', 'commands', 'files:write', 'groups:history', 'im:history', 'im:write', 'pins:write', 'reactions:write', 'users:read'];

export interface SlackSettings {
  mode: 'socket' | 'http';
  /** One workspace: its bot token. Unset with `oauth` (each installed workspace has its own). */
  botToken?: string;
  /** Several workspaces (HTTP mode, PostgreSQL): Slack's OAuth install flow. */
  oauth?: { clientId: string; clientSecret: string; stateSecret: string; redirectUri?: string };
  /** With `oauth`: where installations are kept (default: installationStore(core)). */
  installations?: PgInstallationStore;
  appToken?: string;
  signingSecret?: string;
  port: number;
  apiUrl?: string;
  allowBots: boolean;
  /** Tests: retries off so a failing fake never hangs. */
  retries?: number;
  /** Tests (HTTP mode): each HTTP response waits until its listener has finished, so a test needs no waiting. */
  processBeforeResponse?: boolean;
  /** Socket Mode: told true when the WebSocket is connected, false when it is lost or closed (HEALTH_PORT). */
  onConnection?: (connected: boolean) => void;
}

/**
 * Bolt's own log lines go through our logger, so tokens are masked there too. Bolt and web-api log at debug level
 * for every request and call: unless LOG_LEVEL is debug, those lines are not even formatted.
 */
function boltLogger(log: Logger, debugOn: boolean): BoltLogger {
  let level = debugOn ? LogLevel.DEBUG : LogLevel.INFO;
  const line = (args: unknown[]) => redact(args.map((a) => (typeof a === 'string' ? a : a instanceof Error ? `${a.name}: ${a.message}` : JSON.stringify(a))).join(' '));
  const debug = (a: unknown[]) => {
    if (level === LogLevel.DEBUG) log.debug(line(a));
  };
  return {
    // web-api's own 'http request failed' names no method; watchWebApi logs the failure with its method instead.
    debug: (...a) => debug(a),
    info: (...a) => log.info(line(a)),
    warn: (...a) => (a[0] === 'http request failed' ? debug(a) : log.warn(line(a))),
    error: (...a) => log.error(line(a)),
    setLevel: (l) => { level = l; },
    getLevel: () => level,
    setName: () => {},
  };
}

/** The logger of each Web API client (Bolt makes one per token); a client not seen yet uses the last app's logger. */
const clientLogs = new WeakMap<WebClient, Logger>();
let lastLog: Logger | undefined;
let patched = false;

/**
 * Every failed Web API call is logged once with its method and Slack's error code (missing_scope, channel_not_found,
 * ratelimited, http_500, or the network error), whether or not the caller goes on without it. The client's methods
 * (client.chat.postMessage, ...) are bound to WebClient.prototype.apiCall when a client is made, so the hook sits there.
 */
export function watchWebApi(log: Logger, client?: WebClient): void {
  lastLog = log;
  if (client) clientLogs.set(client, log);
  if (patched) return;
  patched = true;
  const proto = webApi.WebClient.prototype;
  // Called below with .call(this): the method is wrapped, not detached.
  // eslint-disable-next-line @typescript-eslint/unbound-method
  const original = proto.apiCall;
  proto.apiCall = async function apiCall(this: WebClient, method: string, options?: Record<string, unknown>) {
    try {
      return await original.call(this, method, options);
    } catch (e) {
      const err = e as { code?: string; data?: { error?: string }; original?: Error; statusCode?: number; retryAfter?: number; message?: string };
      const error = err.data?.error ?? (err.statusCode ? `http_${err.statusCode}` : err.retryAfter !== undefined ? 'ratelimited' : err.original?.message ?? err.message ?? String(e));
      (clientLogs.get(this) ?? lastLog)?.warn(`slack web api ${method} failed: ${error}`, { method, error, code: err.code });
      throw e;
    }
  };
}

export async function createSlackApp(core: Core, s: SlackSettings): Promise<App> {
  const log = core.ctx.log;
  const clientOptions = { ...(s.apiUrl ? { slackApiUrl: s.apiUrl } : {}), ...(s.retries !== undefined ? { retryConfig: { retries: s.retries } } : {}) };
  const logger = boltLogger(log, core.ctx.config.logLevel === 'debug');
  const installations = s.oauth ? s.installations ?? installationStore(core) : undefined;
  const app = s.mode === 'socket'
    ? new App({ token: s.botToken, clientOptions, logger, logLevel: logger.getLevel(), receiver: socketReceiver(s, clientOptions, logger, log) })
    : new App({
      // Several workspaces: no token here; Bolt authorizes each request with its workspace's installation.
      ...(installations ? {} : { token: s.botToken }), clientOptions, logger, logLevel: logger.getLevel(),
      // The gate in front of Bolt: signature, timestamp (±5 min), replays, body size and shape (src/slack/receiver.ts).
      receiver: gatedReceiver({
        signingSecret: s.signingSecret!, port: s.port, firstSeen: async (sig, ts) => await core.shared.firstRequest(sig, ts), log, boltLogger: logger,
        processBeforeResponse: s.processBeforeResponse,
        ...(installations ? { oauth: { ...s.oauth!, scopes: botScopes, installationStore: installations, clientOptions } } : {}),
      }),
    });
  watchWebApi(log, app.client);
  // One middleware before every listener (each one more is a hop through Bolt's chain for every request).
  app.use(async ({ body, ack, client, context, next }) => {
    clientLogs.set(client, log);
    // In Socket Mode nothing passes the HTTP gate, which checks every request's shape: the same check runs here.
    if (s.mode === 'socket') {
      const verdict = checkPayload(body);
      if (!verdict.ok) {
        log.warn('slack payload ignored', { reason: verdict.reason });
        if (ack) await ack().catch(() => undefined);
        return;
      }
    }
    // The rest of the request sees its own workspace's store, state and approvers only (src/core.ts).
    const workspace = core.severalWorkspaces ? workspaceOf(context) : 'default';
    if (!workspace) {
      log.warn('slack request without a workspace ignored', { team: context.teamId, enterprise: context.enterpriseId });
      if (ack) await ack().catch(() => undefined);
      return;
    }
    // A user of another workspace in a channel shared with this one must not act on this workspace's records.
    const foreign = core.severalWorkspaces ? foreignSpeaker(body, context) : undefined;
    if (foreign) {
      log.warn('slack request from a user of another workspace refused (shared channel)', { workspace, userTeam: foreign });
      if (ack) await ack().catch(() => undefined);
      await tellForeign(client, body).catch(() => undefined);
      return;
    }
    await core.within(workspace, async () => {
      await core.store.refreshApprovers();
      // Names before writes: the people a payload names are looked up (cached), so the store records display names.
      // Not for the events Bolt delivers without a token (app_uninstalled, tokens_revoked): nothing to look up with.
      // With several workspaces the names go to this workspace's own directory.
      if (core.severalWorkspaces) namesGoTo(client, core.store.people);
      if (context.botToken) await learnNames(client, body);
      await next();
    });
  });
  const deps: SlackDeps = { core, log, allowBots: s.allowBots, metaKey: await core.shared.secret('modal-metadata'), installations };
  registerListeners(app, deps);
  app.error((e) => {
    log.error('bolt error', { error: redact(e.message) });
    return Promise.resolve();
  });
  return app;
}

/** Tells a user of another workspace (in a shared channel) why the bot does not act, in both languages. */
async function tellForeign(client: WebClient, body: unknown): Promise<void> {
  const b = body as { event?: { channel?: unknown; user?: unknown; thread_ts?: unknown; ts?: unknown }; channel?: { id?: unknown }; user?: { id?: unknown } };
  const channel = b.event?.channel ?? b.channel?.id;
  const user = b.event?.user ?? b.user?.id;
  if (typeof channel !== 'string' || typeof user !== 'string') return;
  const thread = typeof b.event?.thread_ts === 'string' ? { thread_ts: b.event.thread_ts } : {};
  await client.chat.postEphemeral({ channel, user, ...thread, text: 'This channel is shared with another workspace: I keep each workspace\'s ISMS records apart, so ask me in your own workspace (install: /slack/install). / このチャンネルは別のワークスペースと共有されています。ワークスペースごとに記録を分けているため、ご自身のワークスペースで質問してください。' });
}

/** Every listener of the app: each command, action, view, shortcut and event it answers (a test lists them from here). */
export function registerListeners(app: App, deps: SlackDeps): void {
  registerEvents(app, deps);
  registerCommands(app, deps);
  registerActions(app, deps);
  registerViews(app, deps);
  registerShortcuts(app, deps);
  registerAssessment(app, deps);
  // The Agents & AI Apps surface: assistant threads (DM threads too) answer through the same chat core.
  registerAssistant(app, deps);
  registerInstallEvents(app, deps);
}

/**
 * The installations of several workspaces, in the PostgreSQL database. A new install records its installing user as
 * the workspace's first approver (unless it has approvers already: a reinstall by someone else grants nothing).
 */
export function installationStore(core: Core): PgInstallationStore {
  const { pool } = core.storage;
  const oauth = core.ctx.config.slack.oauth;
  if (!pool || !oauth) throw new Error('several workspaces need DATABASE_URL and SLACK_CLIENT_ID, SLACK_CLIENT_SECRET, SLACK_STATE_SECRET');
  return new PgInstallationStore(pool, oauth.stateSecret, async (workspace, installation) => {
    const user = installation.user?.id;
    const seeded = user ? await core.within(workspace, () => core.store.settings.seedApprover(user, 'slack-install')) : false;
    core.ctx.log.info('slack workspace installed', { workspace, by: user, firstApprover: seeded ? user : undefined });
  });
}

/** Socket Mode's receiver, built here so that its connection state can be watched (HEALTH_PORT). */
function socketReceiver(s: SlackSettings, clientOptions: Record<string, unknown>, logger: BoltLogger, log: Logger): SocketModeReceiver {
  const receiver = new SocketModeReceiver({ appToken: s.appToken!, logger, installerOptions: { clientOptions } });
  const tell = (up: boolean, state: string) => () => {
    log.info(`socket mode ${state}`);
    s.onConnection?.(up);
  };
  receiver.client.on('connected', tell(true, 'connected'));
  receiver.client.on('reconnecting', tell(false, 'reconnecting'));
  receiver.client.on('disconnected', tell(false, 'disconnected'));
  return receiver;
}
