// Splits the catalogue (and the organisation's own documents) into searchable chunks,
// one per facet and language, each carrying the control it belongs to.
import type { Catalog, CatalogEntry } from '../catalog/catalog.js';
import { related2022 } from './annex2022.js';
import type { Lang } from './text.js';

export type Facet = 'summary' | 'guidance' | 'cld' | 'requirement' | 'annex2022' | 'topic' | 'risk' | 'doc';
export type ChunkRole = 'customer' | 'provider' | null;

export interface Chunk {
  /** Stable key, e.g. "12.3.1/guidance/customer/ja". */
  key: string;
  /** The catalogue ID the chunk belongs to; topic, risk and doc chunks carry their own ID here. */
  controlId: string | null;
  /**
   * Catalogue controls that this chunk speaks for: itself for control chunks, the cited ones for topics and risks;
   * for a 2022 Annex A control, itself first, then its 2013 sources and 27017 items.
   */
  cites: string[];
  facet: Facet;
  role: ChunkRole;
  lang: Lang;
  title: string;
  text: string;
  /** For user documents: the file and heading the chunk comes from. */
  source?: { file: string; heading: string };
}

const langs: Lang[] = ['en', 'ja'];

function controlChunks(e: CatalogEntry): Chunk[] {
  const out: Chunk[] = [];
  for (const lang of langs) {
    const head = `${e.id} ${e.title[lang]}`;
    const cat = e.category ? `${e.category.title[lang]}. ` : '';
    const facet: Facet = e.kind === 'cld' || e.kind === 'requirement' || e.kind === 'annex2022' ? e.kind : 'summary';
    const cites = [e.id, ...related2022(e)];
    let body = `${cat}${e.summary[lang]} ${e.keywords[lang].join(', ')}`;
    if (e.kind === 'cld' && e.category) body += ` ${e.category.objective[lang]}`;
    if (e.requirement) {
      body += ` ${e.requirement.items.map((i) => i.text[lang]).join(' ')} ${e.requirement.evidence[lang].join(' ')}`;
    }
    out.push({ key: `${e.id}/${facet}/${lang}`, controlId: e.id, cites, facet, role: null, lang, title: head, text: `${head}. ${body}` });
    for (const role of ['customer', 'provider'] as const) {
      const g = e.guidance[role];
      if (!g) continue;
      out.push({
        key: `${e.id}/guidance/${role}/${lang}`, controlId: e.id, cites: [e.id], facet: 'guidance', role, lang,
        title: head, text: `${head}. ${g[lang]}`,
      });
    }
  }
  return out;
}

/** All chunks of the bundled corpus. */
export function catalogChunks(catalog: Catalog): Chunk[] {
  const out = catalog.entries.flatMap(controlChunks);
  for (const t of catalog.topics) {
    for (const lang of langs) {
      t.sections.forEach((s, i) => {
        out.push({
          key: `${t.id}/${i}/${lang}`, controlId: t.id, cites: t.controls, facet: 'topic', role: null, lang,
          title: `${t.title[lang]} — ${s.heading[lang]}`, text: `${t.title[lang]}. ${s.heading[lang]}. ${s.body[lang]} ${t.keywords[lang].join(', ')}`,
        });
      });
    }
  }
  for (const r of catalog.risks) {
    const role: ChunkRole = r.roles.length === 1 ? r.roles[0]! : null;
    for (const lang of langs) {
      out.push({
        key: `${r.id}/${lang}`, controlId: r.id, cites: r.controls, facet: 'risk', role, lang,
        title: r.title[lang], text: `${r.title[lang]}. ${r.description[lang]}`,
      });
    }
  }
  return out;
}
