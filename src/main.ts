// `npm start`: Socket Mode or HTTP mode when Slack is configured, otherwise the local console chat.
//
// Signals: `npm start` execs node itself (package.json) and the Docker image runs node under tini, so SIGTERM from a
// supervisor, `docker stop` or Ctrl-C reaches this process; it stops taking requests, finishes what it can within
// 10 s, closes the databases and exits 0.
//
// Logs: stderr only. JSON lines in Slack mode (unless stderr is a terminal or LOG_FORMAT says otherwise), text in the
// console chat, whose stdout carries nothing but the conversation.
import type { Server } from 'node:http';
import { ConfigError, loadConfig, startMode } from './config.js';
import { CorpusError } from './catalog/corpus-copy.js';
import { createCore, type Core } from './core.js';
import { captureConsole, createLogger, logFormatFor } from './log.js';
import { StoreError } from './soa/index.js';

/** After a stop signal, whatever is still running gets this long before the process exits anyway. */
const stopGraceMs = 10_000;

let core: Core | undefined;
let stopping = false;
let format = logFormatFor(process.env.LOG_FORMAT === 'json' || process.env.LOG_FORMAT === 'pretty' ? process.env.LOG_FORMAT : 'auto', !!process.env.SLACK_BOT_TOKEN);
let log = createLogger(undefined, undefined, format);

function onSignals(stop: (signal: string) => Promise<void>): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      const force = setTimeout(() => {
        log.error(`${signal}: not stopped after ${stopGraceMs / 1000} s; exiting`);
        process.exit(1);
      }, stopGraceMs);
      force.unref();
      stop(signal).catch(() => undefined).finally(() => process.exit(0));
    });
  }
}

try {
  const config = loadConfig();
  const mode = startMode(config);
  if (mode.mode === 'invalid') throw new ConfigError(mode.message);
  format = logFormatFor(config.logFormat, mode.mode !== 'console');
  log = createLogger(config.logLevel, undefined, format);
  // Libraries that print (transformers.js, Node's warnings) go through the logger: one format on stderr, clean stdout.
  captureConsole(log);
  core = await createCore(config, log);
  const c = core;
  if (mode.mode === 'console') {
    onSignals(() => c.close());
    const { runConsole } = await import('./cli/console.js');
    await runConsole(c);
    await c.close();
  } else {
    // A promise nobody awaited must not end the bot (Bolt's receiver once died that way on a signed `null` body).
    process.on('unhandledRejection', (e) => log.error('unhandled rejection (the bot keeps running)', { error: (e as Error)?.message ?? String(e) }));
    const { createSlackApp, installationStore } = await import('./slack/app.js');
    const s = config.slack;
    let connected = false;
    // Several workspaces: installations in PostgreSQL, and the scheduled work runs for each of them.
    const installations = s.oauth ? installationStore(c) : undefined;
    const app = await createSlackApp(c, {
      mode: mode.mode, botToken: s.botToken, appToken: s.appToken, signingSecret: s.signingSecret, port: s.port, apiUrl: s.apiUrl, allowBots: s.allowBots,
      oauth: s.oauth, installations, onConnection: (up) => { connected = up; },
    });
    let health: Server | undefined;
    if (s.healthPort) {
      const { startHealthServer } = await import('./slack/health.js');
      health = await startHealthServer(s.healthPort, () => connected && !stopping);
    }
    let stopDigest = () => {};
    let stopReminders = () => {};
    onSignals(async (signal) => {
      log.info(`${signal}: stopping`);
      connected = false;
      stopDigest();
      stopReminders();
      await app.stop().catch(() => undefined);
      health?.close();
      await c.close();
      log.info('stopped');
    });
    // The first question after a start is answered as fast as the next ones (about 0.3 s of work done now).
    c.answers.warm();
    await app.start();
    if (mode.mode === 'http') connected = true;
    const where = mode.mode === 'socket' ? 'Socket Mode'
      : `HTTP mode on port ${s.port} (/slack/events, /healthz${installations ? ', /slack/install, /slack/oauth_redirect: several workspaces' : ''})`;
    log.info(`Slack app running in ${where}${s.healthPort ? `; health on port ${s.healthPort} (/healthz)` : ''}`, { mode: mode.mode, ...(s.healthPort ? { healthPort: s.healthPort } : {}) });
    if (installations) {
      // Each workspace chooses its digest channel ("digest here"); ISMS_DIGEST_CHANNEL names a channel of one workspace.
      const { startWorkspaceJobs } = await import('./slack/workspaces.js');
      const stop = await startWorkspaceJobs({ core: c, installations, config, clientOptions: s.apiUrl ? { slackApiUrl: s.apiUrl } : undefined });
      stopDigest = stop;
    } else if (config.digest.channel) {
      // The weekly readiness digest, when ISMS_DIGEST_CHANNEL is set; a run missed while the bot was down is posted now.
      const { startDigestScheduler } = await import('./slack/digest.js');
      stopDigest = await startDigestScheduler(c, app.client, config);
    }
    if (!installations) {
      const { startReminders } = await import('./slack/reminders.js');
      stopReminders = startReminders(c, app.client);
    }
  }
} catch (e) {
  await core?.close();
  if (e instanceof ConfigError || e instanceof CorpusError || e instanceof StoreError) {
    // Text: the message as it is, for the person who set the variable; JSON: one line for the collector.
    if (format === 'json') log.error(e.message);
    else process.stderr.write(`${e.message}\n`);
  } else {
    // One line, never a stack trace (LOG_LEVEL=debug adds it).
    const code = (e as { code?: unknown })?.code;
    log.error(`cannot start: ${(e as Error)?.message ?? String(e)}${typeof code === 'string' || typeof code === 'number' ? ` (${code})` : ''}`, process.env.LOG_LEVEL === 'debug' ? { stack: (e as Error)?.stack } : undefined);
  }
  process.exitCode = 1;
  // Whatever a half-started Slack client left running (a retrying socket) does not keep a failed start alive.
  setTimeout(() => process.exit(1), 1000).unref();
}
