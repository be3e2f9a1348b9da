// `catalog list` and `catalog show`.
import { renderCard } from '../catalog/card.js';
import type { Catalog, CatalogEntry } from '../catalog/catalog.js';
import { oneOf, parse, UserError, type Out } from './args.js';

const usage = 'catalog list [--json] [--kind control|cld|requirement] | catalog show <id> [--lang ja|en] [--json]';

export function listItem(e: CatalogEntry) {
  return {
    id: e.id,
    kind: e.kind,
    title: e.title,
    clause: e.clause?.id ?? null,
    category: e.category?.id ?? null,
    cloudGuidance: e.cloudGuidance,
    extended27017: e.extended,
    iso27001_2022: e.iso27001_2022,
  };
}

export function catalogCommand(catalog: Catalog, argv: string[], out: Out): void {
  const [sub, ...rest] = argv;
  const { values, positionals } = parse(rest, {
    json: { type: 'boolean' }, lang: { type: 'string' }, kind: { type: 'string' },
  }, usage);
  if (sub === 'list') {
    const kind = oneOf(values.kind, ['control', 'cld', 'requirement'] as const, '--kind');
    const entries = catalog.entries.filter((e) => !kind || e.kind === kind);
    if (values.json) return out(JSON.stringify(entries.map(listItem), null, 2));
    const lang = oneOf(values.lang, ['ja', 'en'] as const, '--lang') ?? 'en';
    for (const e of entries) {
      const flags = e.kind === 'requirement' ? '   ' : `${e.cloudGuidance.customer ? 'C' : '-'}${e.cloudGuidance.provider ? 'P' : '-'}${e.extended ? '*' : ' '}`;
      out(`${e.id.padEnd(18)} ${flags} ${e.title[lang]}`);
    }
    out(`\n${entries.length} entries. C/P: 27017 guidance for customer/provider; *: 27002 control extended by 27017.`);
    return;
  }
  if (sub === 'show') {
    const raw = positionals[0];
    if (!raw) throw new UserError(`catalog show needs a control ID, e.g. catalog show 12.3.1\nUsage: ${usage}`, 2);
    const r = catalog.resolve(raw);
    if (!r.ok) throw new UserError(r.message);
    const lang = oneOf(values.lang, ['ja', 'en'] as const, '--lang') ?? 'ja';
    if (values.json) return out(JSON.stringify(r.entry, null, 2));
    return out(renderCard(r.entry, lang));
  }
  throw new UserError(`unknown catalog command "${sub ?? ''}"\nUsage: ${usage}`, 2);
}
