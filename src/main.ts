// `npm start`: Socket Mode or HTTP mode when Slack is configured, otherwise the local console chat.
//
// Signals: `npm start` execs node itself (package.json), so SIGTERM from a supervisor, `docker stop` or Ctrl-C reaches
// this process; it stops taking requests, finishes what it can within 10 s, closes the databases and exits 0.
import { ConfigError, loadConfig, startMode } from './config.js';
import { CorpusError } from './catalog/loader.js';
import { createCore, type Core } from './core.js';
import { runConsole } from './cli/console.js';
import { createLogger } from './log.js';
import { StoreError } from './soa/index.js';

/** After a stop signal, whatever is still running gets this long before the process exits anyway. */
const stopGraceMs = 10_000;

let core: Core | undefined;
let stopping = false;

function onSignals(stop: (signal: string) => Promise<void>): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      const force = setTimeout(() => {
        process.stderr.write(`${signal}: not stopped after ${stopGraceMs / 1000} s; exiting\n`);
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
  core = await createCore(config);
  const c = core;
  const log = c.ctx.log;
  if (mode.mode === 'console') {
    onSignals(async () => c.close());
    await runConsole(c);
    c.close();
  } else {
    // A promise nobody awaited must not end the bot (Bolt's receiver once died that way on a signed `null` body).
    process.on('unhandledRejection', (e) => log.error('unhandled rejection (the bot keeps running)', { error: (e as Error)?.message ?? String(e) }));
    const { createSlackApp } = await import('./slack/app.js');
    const s = config.slack;
    const app = createSlackApp(c, { mode: mode.mode, botToken: s.botToken!, appToken: s.appToken, signingSecret: s.signingSecret, port: s.port, apiUrl: s.apiUrl, allowBots: s.allowBots });
    let stopDigest = () => {};
    let stopReminders = () => {};
    onSignals(async (signal) => {
      log.info(`${signal}: stopping`);
      stopDigest();
      stopReminders();
      await app.stop().catch(() => undefined);
      c.close();
      log.info('stopped');
    });
    await app.start();
    log.info(`Slack app running in ${mode.mode === 'socket' ? 'Socket Mode' : `HTTP mode on port ${s.port} (/slack/events, /healthz)`}`);
    // The weekly readiness digest, when ISMS_DIGEST_CHANNEL is set; a run missed while the bot was down is posted now.
    if (config.digest.channel) {
      const { startDigestScheduler } = await import('./slack/digest.js');
      stopDigest = await startDigestScheduler(c, app.client, config);
    }
    const { startReminders } = await import('./slack/reminders.js');
    stopReminders = startReminders(c, app.client);
  }
} catch (e) {
  core?.close();
  if (e instanceof ConfigError || e instanceof CorpusError || e instanceof StoreError) {
    process.stderr.write(`${e.message}\n`);
  } else {
    // One line, never a stack trace (LOG_LEVEL=debug adds it).
    const code = (e as { code?: unknown })?.code;
    createLogger().error(`cannot start: ${(e as Error)?.message ?? String(e)}${code ? ` (${String(code)})` : ''}`);
    if (process.env.LOG_LEVEL === 'debug') process.stderr.write(`${(e as Error)?.stack ?? ''}\n`);
  }
  process.exitCode = 1;
  // Whatever a half-started Slack client left running (a retrying socket) does not keep a failed start alive.
  setTimeout(() => process.exit(1), 1000).unref();
}
