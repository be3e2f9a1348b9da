// `catalog list` and `catalog show`.
import { renderCard } from '../catalog/card.js';
import type { Catalog, CatalogEntry } from '../catalog/catalog.js';
import { oneOf, parse, UserError, type Out } from './args.js';

const usage = 'catalog list [--json] [--edition 2022|2013] [--kind control|cld|requirement|annex2022] | catalog show <id> [--lang ja|en] [--json]';

export function listItem(e: CatalogEntry) {
  if (e.annex2022) {
    const a = e.annex2022;
    return { id: e.id, kind: e.kind, title: e.title, theme: a.theme, attributes: a.attributes, from2013: a.from2013, isNew: a.isNew, cloud: a.cloud };
  }
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
    json: { type: 'boolean' }, lang: { type: 'string' }, kind: { type: 'string' }, edition: { type: 'string' },
  }, usage);
  if (sub === 'list') {
    const kind = oneOf(values.kind, ['control', 'cld', 'requirement', 'annex2022'] as const, '--kind');
    const edition = oneOf(values.edition, ['2022', '2013'] as const, '--edition');
    // --edition 2022: the 93 Annex A controls; --edition 2013: the 114 27002:2013 controls and the 7 CLD controls.
    const inEdition = (e: CatalogEntry) => !edition || (edition === '2022' ? e.kind === 'annex2022' : e.kind === 'control' || e.kind === 'cld');
    const entries = catalog.entries.filter((e) => (!kind || e.kind === kind) && inEdition(e));
    if (values.json) return out(JSON.stringify(entries.map(listItem), null, 2));
    const lang = oneOf(values.lang, ['ja', 'en'] as const, '--lang') ?? 'en';
    for (const e of entries) {
      const flags = e.kind === 'requirement' ? '   ' : e.annex2022 ? (e.annex2022.isNew ? 'new' : '   ') : `${e.cloudGuidance.customer ? 'C' : '-'}${e.cloudGuidance.provider ? 'P' : '-'}${e.extended ? '*' : ' '}`;
      out(`${e.id.padEnd(18)} ${flags} ${e.title[lang]}`);
    }
    out(`\n${entries.length} entries. C/P: 27017 guidance for customer/provider; *: 27002 control extended by 27017; new: ISO/IEC 27001:2022 control with no 2013 predecessor.`);
    return;
  }
  if (sub === 'show') {
    const raw = positionals[0];
    if (!raw) throw new UserError(`catalog show needs a control ID, e.g. catalog show 12.3.1\nUsage: ${usage}`, 2);
    const r = catalog.resolve(raw);
    if (!r.ok) throw new UserError(r.message);
    const lang = oneOf(values.lang, ['ja', 'en'] as const, '--lang') ?? 'ja';
    if (values.json) return out(JSON.stringify(r.entry.annex2022 ? { ...listItem(r.entry), summary: r.entry.summary, keywords: r.entry.keywords } : r.entry, null, 2));
    return out(renderCard(r.entry, lang));
  }
  throw new UserError(`unknown catalog command "${sub ?? ''}"\nUsage: ${usage}`, 2);
}
