// ISO/IEC 27001:2022 Annex A in answers: the 2022 number next to a 2013 or CLD control, and a 2022 control
// explained through its 2013 sources and the ISO/IEC 27017 items it maps to.
import { ids2022, type Catalog, type CatalogEntry } from '../catalog/catalog.js';
import { related2022 } from '../search/annex2022.js';
import type { Lang } from '../search/text.js';
import type { AnswerRole } from './extractive.js';
import { part, type Block, type Line } from './compose.js';
import type { Scored } from './sentences.js';
import { roleName, T } from './text.js';

/** " (2022: 8.15)" / "（2022年版: 8.15）" for a 2013 or CLD control; '' when it has none besides `except`. */
export function label2022(e: CatalogEntry, lang: Lang, except?: string): string {
  const ids = ids2022(e).filter((id) => id !== except);
  return ids.length ? T[lang].in2022(ids.join(', ')) : '';
}

/**
 * A 2022 control: its summary, its 2013 sources (when not new), then the guidance of its 27017 items for the role
 * asked, each text as sentences to choose from (`score`). Items already in `shown` get a line without their guidance;
 * the IDs written are added to `shown`. A control with no 27017 item shows the purpose of its 2013 sources instead.
 */
export function explain2022(catalog: Catalog, e: CatalogEntry, lang: Lang, role: AnswerRole, shown: Set<string>, score: (text: string) => Scored[]): Block {
  const t = T[lang];
  const a = e.annex2022!;
  const citations = [e.id];
  const lines: Line[] = [`*${e.id} ${e.title[lang]}*${t.annex2022(a.isNew)}`, part(`  ${t.control}: `, score(e.summary[lang]), true)];
  const sources = a.from2013.map((id) => catalog.get(id)).filter((s) => s !== undefined);
  if (sources.length) {
    lines.push(`  ${t.from2013}: ${sources.map((s) => `${s.id} ${s.title[lang]}`).join(t.listSep)}`);
    citations.push(...sources.map((s) => s.id));
  }
  const items = a.cloud.map((id) => catalog.get(id)).filter((i) => i !== undefined);
  if (!items.length) {
    lines.push(`  ${t.noCloudItems}`);
    for (const s of sources.filter((x) => !shown.has(x.id))) lines.push(part(`  • ${s.id}: `, score(s.summary[lang])));
  } else lines.push(`  ${t.cloudItems}:`);
  const roles = role === 'both' ? (['customer', 'provider'] as const) : ([role] as const);
  for (const item of items) {
    const head = `  • ${item.id} ${item.title[lang]}${label2022(item, lang, e.id)}`;
    if (!citations.includes(item.id)) citations.push(item.id);
    if (shown.has(item.id)) {
      lines.push(head);
      continue;
    }
    shown.add(item.id);
    const guided = roles.filter((r) => item.guidance[r]);
    if (!guided.length) {
      lines.push(role === 'both' ? head : `${head} ${t.noGuidanceFor(roleName(lang, role))}`);
      if (role === 'both') lines.push(part(`      ${t.purpose}: `, score(item.summary[lang])));
      continue;
    }
    lines.push(head);
    for (const r of guided) lines.push(part(`      ${t[r]}: `, score(item.guidance[r]![lang]), false, r));
  }
  for (const s of sources) shown.add(s.id);
  shown.add(e.id);
  return { id: e.id, lines, cites: citations };
}

/** The controls retrieved, each 2022 control followed by its 2013 sources and 27017 items (for the LLM context). */
export function withMapped(catalog: Catalog, ids: string[]): CatalogEntry[] {
  const out: CatalogEntry[] = [];
  const add = (id: string) => {
    const e = catalog.get(id);
    if (e && !out.includes(e)) out.push(e);
  };
  for (const id of ids) {
    add(id);
    const e = catalog.get(id);
    if (e) related2022(e).forEach(add);
  }
  return out;
}

/** The label of a context block: "[12.4.1] Event logging / イベントログ取得 (ISO/IEC 27001:2022: 8.15)". */
export function contextLabel(e: CatalogEntry): string {
  const head = `[${e.id}] ${e.title.en} / ${e.title.ja}`;
  const a = e.annex2022;
  if (a) return `${head} (ISO/IEC 27001:2022 Annex A; ${a.isNew ? 'new in 2022' : `2013 edition: ${a.from2013.join(', ')}`})`;
  const ids = ids2022(e);
  return ids.length ? `${head} (ISO/IEC 27001:2022: ${ids.join(', ')})` : head;
}

/** The 2022 numbers that context labels show next to 2013 and CLD controls. */
export function labelIds(entries: CatalogEntry[]): Set<string> {
  return new Set(entries.flatMap((e) => ids2022(e)));
}
