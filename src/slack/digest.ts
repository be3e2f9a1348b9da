// The weekly readiness digest in Slack: the scheduled post (blocks, then the trend chart in its thread), the
// scheduler with its start-up catch-up, and the preview for `/isms digest`.
import type { FilesUploadV2Arguments, WebClient } from '@slack/web-api';
import type { Config } from '../config.js';
import type { Core } from '../core.js';
import type { Lang } from '../search/text.js';
import { renderTrendChart } from '../digest/chart.js';
import { digestData, previewText, type DigestData } from '../digest/data.js';
import { DigestLog } from '../digest/log.js';
import { digestBlocks, type Block } from '../digest/render.js';
import { DigestScheduler } from '../digest/schedule.js';
import { slackText } from './messages.js';

/** Live metrics and the trend, in the configured time zone; `record` appends this week's snapshot first. */
export async function coreDigestData(core: Core, opts: { now?: Date; record?: boolean } = {}): Promise<DigestData> {
  return await digestData(core.store, { timezone: core.ctx.config.timezone, ...opts });
}

export interface Posted { ts?: string; fileId?: string; score: number; week: string }

/**
 * Posts the digest to a channel and uploads the trend chart (PNG) into its thread. Records this week's snapshot.
 * A failed chart upload is logged and does not undo the post.
 */
export async function postDigest(core: Core, client: WebClient, channel: string, lang: Lang, opts: { now?: Date } = {}): Promise<Posted> {
  const { metrics, trend } = await coreDigestData(core, { now: opts.now, record: true });
  const view = digestBlocks(metrics, trend, lang, { chart: true });
  const msg = await client.chat.postMessage({ channel, text: view.text, blocks: view.blocks });
  let fileId: string | undefined;
  try {
    const png = await renderTrendChart(trend.points, { lang });
    const up = await client.files.uploadV2({
      channel_id: channel, thread_ts: msg.ts, file: png, filename: `readiness-${metrics.week}.png`,
      title: slackText[lang].trendTitle(metrics.week),
    } as FilesUploadV2Arguments);
    fileId = (up as { files?: { files?: { id?: string }[] }[] }).files?.[0]?.files?.[0]?.id;
  } catch (e) {
    core.ctx.log.warn('readiness chart upload failed; the digest was posted without it', { error: (e as Error).message });
  }
  return { ts: msg.ts, fileId, score: metrics.score.value, week: metrics.week };
}

export interface SchedulerStart {
  now?: () => Date;
  /** Names this process in the run log (default host:pid). */
  process?: string;
}

/**
 * Starts the weekly digest on ISMS_DIGEST_CRON in ISMS_TIMEZONE, posting to ISMS_DIGEST_CHANNEL. A run missed while
 * the bot was down is posted once now. Resolves after that catch-up with the function that stops the schedule.
 */
export async function startDigestScheduler(core: Core, client: WebClient, config: Config, opts: SchedulerStart = {}): Promise<() => void> {
  const channel = config.digest.channel;
  if (!channel) throw new Error('ISMS_DIGEST_CHANNEL is not set');
  const now = opts.now ?? (() => new Date());
  const scheduler = new DigestScheduler({
    log: new DigestLog(core.store), cron: config.digest.cron, timezone: config.timezone, now, process: opts.process, logger: core.ctx.log,
    post: async () => {
      const r = await postDigest(core, client, channel, config.digest.lang, { now: now() });
      return { channel, messageTs: r.ts };
    },
  });
  await scheduler.start();
  core.ctx.log.info('readiness digest scheduled', { cron: config.digest.cron, timezone: config.timezone, channel, next: scheduler.next()?.toISOString() });
  return () => scheduler.stop();
}

/** The digest as it would be posted now, for `/isms digest` (ephemeral to the caller). Records nothing. */
export async function digestPreviewBlocks(core: Core, lang: Lang, now?: Date): Promise<Block[]> {
  const { metrics, trend } = await coreDigestData(core, { now });
  return digestBlocks(metrics, trend, lang, { preview: true }).blocks;
}

/** The preview's plain text (notification fallback, console). */
export async function digestPreviewText(core: Core, lang: Lang, now?: Date): Promise<string> {
  return await previewText(core.store, lang, { timezone: core.ctx.config.timezone, now });
}
