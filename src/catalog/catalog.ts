// The catalogue: one view over the 27002:2013 controls, the 27017 CLD controls and the JIP-ISMS517 requirements.
import { canonicalId, compareIds, nearestIds } from './ids.js';
import { readCorpus, type RawCorpus } from './loader.js';
import type { Bilingual, GlossaryEntry, Mapping2022, RiskScenario, Topic } from './schema.js';

export type Lang = 'en' | 'ja';
export type Role = 'customer' | 'provider';
export type EntryKind = 'control' | 'cld' | 'requirement';

export interface CatalogEntry {
  id: string;
  kind: EntryKind;
  title: Bilingual;
  /** Clause (e.g. "12") and category (e.g. "12.3") for 27002 and CLD controls. */
  clause?: { id: string; title: Bilingual };
  category?: { id: string; title: Bilingual; objective: Bilingual };
  summary: Bilingual;
  /** True where ISO/IEC 27017 gives that role guidance. */
  cloudGuidance: { customer: boolean; provider: boolean };
  guidance: { customer: Bilingual | null; provider: Bilingual | null; note?: Bilingual };
  /** 27002 controls that ISO/IEC 27017 extends with cloud guidance. */
  extended: boolean;
  keywords: { en: string[]; ja: string[] };
  iso27001_2022: Mapping2022[];
  /** For CLD controls: the seed's related 27001 / 27002 / METI items. For requirements: JIS clause, items, evidence. */
  cld?: { control: Bilingual; related: { iso27001_2013: string[]; iso27002_2013: string[]; meti2011: string[] } };
  requirement?: { jisQ27001: string; items: { id: string; text: Bilingual }[]; evidence: { en: string[]; ja: string[] }; relatedControls: string[] };
  titleJaSource?: 'seed' | 'jis';
}

export type Resolved = { ok: true; id: string; entry: CatalogEntry } | { ok: false; message: string; suggestions: string[] };

export class Catalog {
  readonly entries: CatalogEntry[];
  private readonly byId: Map<string, CatalogEntry>;

  constructor(readonly raw: RawCorpus) {
    this.entries = buildEntries(raw).sort((a, b) => compareIds(a.id, b.id));
    this.byId = new Map(this.entries.map((e) => [e.id, e]));
  }

  get contentHash(): string { return this.raw.contentHash; }
  get topics(): Topic[] { return this.raw.topics; }
  get glossary(): GlossaryEntry[] { return this.raw.glossary; }
  get risks(): RiskScenario[] { return this.raw.risks; }

  get(id: string): CatalogEntry | undefined {
    return this.byId.get(id);
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  /** 27002 controls (114) and CLD controls (7): the SoA rows. */
  controls(): CatalogEntry[] {
    return this.entries.filter((e) => e.kind !== 'requirement');
  }

  /** Resolves any accepted spelling of an ID; an unknown one gets the nearest known IDs. */
  resolve(raw: string): Resolved {
    const id = canonicalId(raw);
    const entry = id ? this.byId.get(id) : undefined;
    if (id && entry) return { ok: true, id, entry };
    const suggestions = nearestIds(raw, [...this.byId.keys()]);
    const what = id ? `no control ${id} in the catalogue` : `"${raw}" is not a control ID`;
    return {
      ok: false,
      suggestions,
      message: `${what}. Did you mean ${suggestions.join(', ')}? IDs look like 12.3.1, CLD.9.5.1 or JIP-ISMS517-4.2.2.`,
    };
  }
}

function buildEntries(raw: RawCorpus): CatalogEntry[] {
  const out: CatalogEntry[] = [];
  for (const clause of raw.clauses) {
    const cats = new Map(clause.categories.map((c) => [c.id, c]));
    for (const c of clause.controls) {
      const g = c.cloudGuidance;
      out.push({
        id: c.id,
        kind: 'control',
        title: c.title,
        clause: { id: clause.clause, title: clause.title },
        category: cats.get(c.category)!,
        summary: c.summary,
        cloudGuidance: { customer: !!g?.customer, provider: !!g?.provider },
        guidance: { customer: g?.customer ?? null, provider: g?.provider ?? null, ...(g?.note ? { note: g.note } : {}) },
        extended: !!g,
        keywords: c.keywords,
        iso27001_2022: c.iso27001_2022,
        titleJaSource: c.titleJaSource,
      });
    }
  }
  const clauseTitles = new Map(raw.clauses.map((c) => [c.clause, c.title]));
  for (const c of raw.cld) {
    const clauseId = c.id.split('.')[1]!;
    out.push({
      id: c.id,
      kind: 'cld',
      title: c.title,
      clause: { id: clauseId, title: clauseTitles.get(clauseId)! },
      category: c.category,
      summary: c.control,
      cloudGuidance: { ...c.roles },
      guidance: { ...c.guidance },
      extended: false,
      keywords: c.keywords,
      iso27001_2022: c.iso27001_2022,
      cld: { control: c.control, related: c.related },
    });
  }
  for (const r of raw.requirements) {
    out.push({
      id: r.id,
      kind: 'requirement',
      title: r.title,
      summary: r.demands,
      cloudGuidance: { customer: false, provider: false },
      guidance: { customer: null, provider: null },
      extended: false,
      keywords: r.keywords,
      iso27001_2022: [],
      requirement: { jisQ27001: r.jisQ27001, items: r.items, evidence: r.evidence, relatedControls: r.relatedControls },
    });
  }
  return out;
}

let cached: { dir: string | undefined; catalog: Catalog } | undefined;

/** Loads and validates the corpus once per process (per folder). */
export function loadCatalog(dir?: string): Catalog {
  if (cached && cached.dir === dir) return cached.catalog;
  const catalog = new Catalog(readCorpus(dir));
  cached = { dir, catalog };
  return catalog;
}
