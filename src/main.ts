// `npm start`: Socket Mode or HTTP mode when Slack is configured, otherwise the local console chat.
import { ConfigError, loadConfig, startMode } from './config.js';
import { CorpusError } from './catalog/loader.js';
import { createCore } from './core.js';
import { runConsole } from './cli/console.js';
import { StoreError } from './soa/index.js';

try {
  const config = loadConfig();
  const mode = startMode(config);
  if (mode.mode === 'invalid') throw new ConfigError(mode.message);
  const core = await createCore(config);
  if (mode.mode === 'console') {
    await runConsole(core);
    core.close();
  } else {
    const { createSlackApp } = await import('./slack/app.js');
    const s = config.slack;
    const app = createSlackApp(core, { mode: mode.mode, botToken: s.botToken!, appToken: s.appToken, signingSecret: s.signingSecret, port: s.port, apiUrl: s.apiUrl, allowBots: s.allowBots });
    await app.start();
    core.ctx.log.info(`Slack app running in ${mode.mode === 'socket' ? 'Socket Mode' : `HTTP mode on port ${s.port} (/slack/events, /healthz)`}`);
    // The weekly readiness digest, when ISMS_DIGEST_CHANNEL is set; a run missed while the bot was down is posted now.
    let stopDigest = () => {};
    if (config.digest.channel) {
      const { startDigestScheduler } = await import('./slack/digest.js');
      stopDigest = await startDigestScheduler(core, app.client, config);
    }
    const { startReminders } = await import('./slack/reminders.js');
    const stopReminders = startReminders(core, app.client);
    const stop = async () => {
      stopDigest();
      stopReminders();
      await app.stop().catch(() => undefined);
      core.close();
      process.exit(0);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  }
} catch (e) {
  if (e instanceof ConfigError || e instanceof CorpusError || e instanceof StoreError) {
    process.stderr.write(`${e.message}\n`);
    process.exitCode = 1;
  } else throw e;
}
