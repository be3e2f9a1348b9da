// Scheduled work for several workspaces (OAuth): the weekly digest and the assessment reminders run for each installed
// workspace, inside its own scope (core.within) and with its own bot token.
import { webApi } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { Config } from '../config.js';
import type { Core } from '../core.js';
import { DigestLog } from '../digest/log.js';
import { cronOf, DigestScheduler, type RunOutcome } from '../digest/schedule.js';
import { postDigest } from './digest.js';
import type { PgInstallationStore } from './installations.js';
import { sendReminders } from './reminders.js';

const HOUR = 3600 * 1000;

export interface WorkspaceJobs {
  core: Core;
  installations: PgInstallationStore;
  config: Config;
  /** Web API client settings (slackApiUrl in tests). */
  clientOptions?: Record<string, unknown>;
  now?: () => Date;
  process?: string;
}

/** Runs fn for each installed workspace, in its scope, with a client on its bot token; one failure does not stop the rest. */
export async function eachWorkspace(j: WorkspaceJobs, what: string, fn: (workspace: string, client: WebClient) => Promise<void>): Promise<void> {
  for (const { workspace, installation } of await j.installations.list()) {
    const token = installation.bot?.token;
    if (!token) continue;
    const client = new webApi.WebClient(token, j.clientOptions);
    await j.core.within(workspace, () => fn(workspace, client)).catch((e: unknown) =>
      j.core.ctx.log.warn(`${what} failed for a workspace`, { workspace, error: (e as Error).message }));
  }
}

/**
 * Posts the digest of the latest slot at or before `at` in every workspace that chose a channel ("digest here") and
 * has not had it yet; each workspace's run log claims the slot once, whichever instance runs this.
 */
export async function runWorkspaceDigests(j: WorkspaceJobs, at: Date): Promise<Map<string, RunOutcome>> {
  const outcomes = new Map<string, RunOutcome>();
  const now = j.now ?? (() => new Date());
  await eachWorkspace(j, 'readiness digest', async (workspace, client) => {
    const channel = await j.core.store.settings.get<string>('digest-channel');
    if (!channel) return;
    const store = j.core.store;
    const scheduler = new DigestScheduler({
      log: new DigestLog(store), cron: j.config.digest.cron, timezone: j.config.timezone, now, process: j.process, logger: j.core.ctx.log,
      post: async () => {
        const r = await postDigest(j.core, client, channel, j.config.digest.lang, { now: now() });
        return { channel, messageTs: r.ts };
      },
    });
    outcomes.set(workspace, await scheduler.runDue(at));
  });
  return outcomes;
}

/** Starts the digest (catch-up now, then on ISMS_DIGEST_CRON) and the hourly reminders for every workspace. */
export async function startWorkspaceJobs(j: WorkspaceJobs): Promise<() => void> {
  const now = j.now ?? (() => new Date());
  const log = j.core.ctx.log;
  await runWorkspaceDigests(j, now());
  const job = cronOf(j.config.digest.cron, j.config.timezone, () => {
    runWorkspaceDigests(j, new Date(now().getTime() + 1000)).catch((e: Error) => log.error('readiness digests failed', { error: e.message }));
  });
  const remind = () => void eachWorkspace(j, 'assessment reminders', async (_w, client) => { await sendReminders(j.core, client); })
    .catch((e: Error) => log.warn('assessment reminders failed', { error: e.message }));
  const timer = setInterval(remind, HOUR);
  timer.unref();
  remind();
  log.info('readiness digest scheduled for each workspace that chose a channel', { cron: j.config.digest.cron, timezone: j.config.timezone });
  return () => {
    job.stop();
    clearInterval(timer);
  };
}
