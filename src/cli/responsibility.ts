// `responsibility export`: the 責任分界表 (responsibility split) of one cloud service of the profile, in the SoA's edition.
import { extname } from 'node:path';
import type { AppContext } from '../app.js';
import { storageError } from '../soa/db.js';
import { checkOutputFile, exportFormats, storeFile, StoreError, writeOutput, type ExportFormat, type Store } from '../soa/index.js';
import { connectStore } from '../soa/connect.js';
import { findService, responsibilityLines, sentenceLangs, writeResponsibility, type SentenceLang } from '../soa/responsibility-export.js';
import { oneOf, parse, UserError, type Out } from './args.js';

import { responsibilityHelp } from './usage.js';
export { responsibilityHelp };

const usage = 'responsibility export --service NAME --format xlsx|csv|md --out FILE [--lang both|ja|en]';

export async function responsibilityCommand(ctx: AppContext, argv: string[], out: Out): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'help' || sub === '--help' || sub === '-h') {
    out(responsibilityHelp);
    return 0;
  }
  if (sub !== 'export') throw new UserError(`unknown responsibility command "${sub ?? ''}"\nUsage: ${usage}`, 2);
  const { values: v } = parse(rest, { service: { type: 'string' }, format: { type: 'string' }, out: { type: 'string' }, lang: { type: 'string' } }, usage);
  if (!v.service) throw new UserError(`responsibility export needs --service NAME (a cloud service of the profile)\nUsage: ${usage}`, 2);
  if (!v.out) throw new UserError(`responsibility export needs --out FILE\nUsage: ${usage}`, 2);
  const format = oneOf(v.format ?? extname(v.out).slice(1).toLowerCase(), exportFormats, '--format') as ExportFormat;
  const lang: SentenceLang = oneOf(v.lang, sentenceLangs, '--lang') ?? 'both';
  let store: Store | undefined;
  try {
    store = await connectStore(ctx.config, ctx.catalog);
    const soa = await store.exportData();
    const service = findService(soa.profile, v.service);
    const lines = responsibilityLines(ctx.catalog, soa.rows);
    const target = checkOutputFile(v.out, [store.file]);
    await writeOutput(target, v.out, (path) => writeResponsibility({ soa, service, lines, lang }, format, path));
    out(`wrote the 責任分界表 of ${service.name} (${service.model}, ISO/IEC 27001:${soa.edition}, ${lines.length} lines, `
      + `${lines.filter((l) => l.sources.length).length} with a matrix row) as ${format} to ${v.out}`);
    return 0;
  } catch (e) {
    if (e instanceof StoreError) throw new UserError(e.message, 1);
    const storage = storageError(e, storeFile(ctx.config));
    if (storage) throw new UserError(storage.message, 1);
    throw e;
  } finally {
    await store?.close();
  }
}
