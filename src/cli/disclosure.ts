// `disclosure export`: the provider's disclosure pack of a cloud service of the profile (ISO/IEC 27017 items that ask
// the provider to inform its customers, with the SoA decisions and the gaps).
import { extname } from 'node:path';
import type { AppContext } from '../app.js';
import { storageError } from '../soa/db.js';
import { disclosureExport, disclosureFormats, disclosureLangs, loadDisclosure, providerService, writeDisclosure, type DisclosureFormat, type DisclosureLang } from '../soa/disclosure.js';
import { checkOutputFile, storeFile, StoreError, writeOutput, type Store } from '../soa/index.js';
import { connectStore } from '../soa/connect.js';
import { oneOf, parse, UserError, type Out } from './args.js';

import { disclosureHelp } from './usage.js';
export { disclosureHelp };

const usage = 'disclosure export --service NAME --format md|xlsx --out FILE [--lang ja|en]';

export async function disclosureCommand(ctx: AppContext, argv: string[], out: Out): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'help' || sub === '--help' || sub === '-h') {
    out(disclosureHelp);
    return 0;
  }
  if (sub !== 'export') throw new UserError(`unknown disclosure command "${sub ?? ''}"\nUsage: ${usage}`, 2);
  const { values: v } = parse(rest, { service: { type: 'string' }, format: { type: 'string' }, out: { type: 'string' }, lang: { type: 'string' } }, usage);
  if (!v.service) throw new UserError(`disclosure export needs --service NAME (a provider service of the profile)\nUsage: ${usage}`, 2);
  if (!v.out) throw new UserError(`disclosure export needs --out FILE\nUsage: ${usage}`, 2);
  const format = oneOf(v.format ?? extname(v.out).slice(1).toLowerCase(), disclosureFormats, '--format') as DisclosureFormat;
  const lang: DisclosureLang = oneOf(v.lang, disclosureLangs, '--lang') ?? 'ja';
  const list = loadDisclosure(ctx.catalog, ctx.config.corpusDir);
  let store: Store | undefined;
  try {
    store = await connectStore(ctx.config, ctx.catalog);
    const soa = await store.exportData();
    const x = disclosureExport(soa, providerService(soa.profile, v.service), list, lang);
    const target = checkOutputFile(v.out, [store.file]);
    await writeOutput(target, v.out, (path) => writeDisclosure(x, format, path));
    out(`wrote the disclosure pack of ${x.service.name} (ISO/IEC 27001:${soa.edition}, ${x.items.length} items with decisions, ${x.gaps.length} with gaps) as ${format} to ${v.out}`);
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
