// The digest's data, channel-neutral: live metrics and the trend up to them (Slack, the chat service and the CLI).
import type { Lang } from '../search/text.js';
import type { Store } from '../soa/index.js';
import { DigestLog, type Trend } from './log.js';
import { readinessMetrics, type ReadinessMetrics } from './metrics.js';
import { digestText } from './render.js';

export interface DigestData { metrics: ReadinessMetrics; trend: Trend }

/** Live metrics and the trend up to them; `record` first appends them as this week's snapshot (the scheduled post). */
export async function digestData(store: Store, opts: { timezone: string; now?: Date; record?: boolean }): Promise<DigestData> {
  const now = opts.now ?? new Date();
  const metrics = await readinessMetrics(store, { now, timezone: opts.timezone });
  const log = new DigestLog(store);
  if (opts.record) await log.addSnapshot(metrics, now);
  return { metrics, trend: await log.trend({ week: metrics.week, score: metrics.score.value }) };
}

/** The digest preview as plain text, for any channel. Records nothing. */
export async function previewText(store: Store, lang: Lang, opts: { timezone: string; now?: Date }): Promise<string> {
  const { metrics, trend } = await digestData(store, opts);
  return digestText(metrics, trend, lang, { preview: true });
}
