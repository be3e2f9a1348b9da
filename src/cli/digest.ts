// `digest --preview [--json] [--lang ja|en] [--chart FILE]`: the weekly readiness digest as it would be posted now.
import { writeFileSync } from 'node:fs';
import type { AppContext } from '../app.js';
import { renderTrendChart } from '../digest/chart.js';
import { digestData } from '../digest/data.js';
import { weights } from '../digest/metrics.js';
import { digestText } from '../digest/render.js';
import { checkOutputFile, storeFile, StoreError, writeOutput } from '../soa/index.js';
import { connectStore } from '../soa/connect.js';
import { oneOf, parse, UserError, type Out } from './args.js';

export { digestHelp } from './usage.js';

const usage = 'digest --preview [--json] [--lang ja|en] [--chart FILE]';

export async function digestCommand(ctx: AppContext, argv: string[], out: Out): Promise<void> {
  const { values: v } = parse(argv, { preview: { type: 'boolean' }, json: { type: 'boolean' }, lang: { type: 'string' }, chart: { type: 'string' } }, usage);
  if (!v.preview) throw new UserError(`digest needs --preview: the Slack app posts the digest on its schedule (ISMS_DIGEST_CRON)\nUsage: ${usage}`, 2);
  const lang = oneOf(v.lang, ['ja', 'en'] as const, '--lang') ?? ctx.config.digest.lang;
  const store = await connectStore(ctx.config, ctx.catalog);
  try {
    const { metrics, trend } = await digestData(store, { timezone: ctx.config.timezone });
    if (v.chart) {
      // Never over the store or any other database (the same check as soa export).
      const target = checkOutputFile(v.chart, [storeFile(ctx.config)]);
      const png = await renderTrendChart(trend.points, { lang });
      await writeOutput(target, v.chart, (path) => writeFileSync(path, png));
      if (!v.json) out(`trend chart written to ${v.chart}`);
    }
    if (v.json) out(JSON.stringify({ metrics, weights, trend }, null, 2));
    else out(digestText(metrics, trend, lang, { preview: true }));
  } catch (e) {
    if (e instanceof StoreError) throw new UserError(e.message, 1);
    throw e;
  } finally {
    await store.close();
  }
}
