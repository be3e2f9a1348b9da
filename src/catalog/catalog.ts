// The catalogue: one view over the 27002:2013 controls, the 27017 CLD controls and the JIP-ISMS517 requirements.
import { canonicalId, compareIds, nearestIds } from './ids.js';
import type { RawCorpus } from './corpus-copy.js';
import type { Annex2022Control, Bilingual, GlossaryEntry, Mapping2022, Product, ResponsibilityRow, RiskFit, RiskScenario, Topic } from './schema.js';

export type Lang = 'en' | 'ja';
export type Role = 'customer' | 'provider';
export type EntryKind = 'control' | 'cld' | 'requirement' | 'annex2022';
/** The edition of ISO/IEC 27001 Annex A that an SoA is written against. */
export type Edition = '2013' | '2022';
export const editions: Edition[] = ['2022', '2013'];

/** The four themes of ISO/IEC 27001:2022 Annex A, by the first number of a control ID. */
export const themes: Record<string, { key: string; title: Bilingual }> = {
  '5': { key: 'organizational', title: { en: 'Organizational controls', ja: '組織的管理策' } },
  '6': { key: 'people', title: { en: 'People controls', ja: '人的管理策' } },
  '7': { key: 'physical', title: { en: 'Physical controls', ja: '物理的管理策' } },
  '8': { key: 'technological', title: { en: 'Technological controls', ja: '技術的管理策' } },
};

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
  /** For ISO/IEC 27001:2022 Annex A controls: theme, 27002:2022 attributes, 2013 sources, new or not, 27017 items. */
  annex2022?: Pick<Annex2022Control, 'theme' | 'attributes' | 'from2013' | 'isNew' | 'cloud'>;
}

/** The 2022 Annex A IDs a 2013 or CLD entry maps to ("8.13"), in mapping order. */
export function ids2022(e: CatalogEntry): string[] {
  return e.iso27001_2022.map((m) => m.id.slice('2022:A.'.length));
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
  get products(): Product[] { return this.raw.products; }
  /** How each library risk fits a service (risk-fit.json). */
  get riskFit(): RiskFit[] { return this.raw.riskFit; }
  get synonyms(): string[][] { return this.raw.synonyms; }

  /** The responsibility-matrix row of a 2013 or CLD control, if it has one. */
  responsibility(id: string): ResponsibilityRow | undefined {
    return this.raw.responsibility.find((r) => r.control === id);
  }

  get(id: string): CatalogEntry | undefined {
    return this.byId.get(id);
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  /** 27002:2013 controls (114) and CLD controls (7): the rows of a 2013-edition SoA. */
  controls(): CatalogEntry[] {
    return this.entries.filter((e) => e.kind === 'control' || e.kind === 'cld');
  }

  /** The 93 ISO/IEC 27001:2022 Annex A controls. */
  annex2022(): CatalogEntry[] {
    return this.entries.filter((e) => e.kind === 'annex2022');
  }

  /** The ISO/IEC 27017 cloud items: the 37 extended 27002 controls and the 7 CLD controls. */
  cloudItems(): CatalogEntry[] {
    return this.entries.filter((e) => e.kind === 'cld' || (e.kind === 'control' && e.extended));
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
      message: `${what}. Did you mean ${suggestions.join(', ')}? IDs look like 5.23 (ISO/IEC 27001:2022), 12.3.1 (27002:2013), CLD.9.5.1 or JIP-ISMS517-4.2.2.`,
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
  for (const a of raw.annex2022) {
    const theme = themes[a.id.split('.')[0]!]!;
    out.push({
      id: a.id,
      kind: 'annex2022',
      title: a.title,
      clause: { id: a.id.split('.')[0]!, title: theme.title },
      summary: a.summary,
      cloudGuidance: { customer: false, provider: false },
      guidance: { customer: null, provider: null },
      extended: false,
      keywords: a.keywords,
      iso27001_2022: [],
      annex2022: { theme: a.theme, attributes: a.attributes, from2013: a.from2013, isNew: a.isNew, cloud: a.cloud },
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

/** The catalogue of `dir` if this process has made it already. */
export function madeCatalog(dir: string | undefined): Catalog | undefined {
  return cached && cached.dir === dir ? cached.catalog : undefined;
}

/** The catalogue of `dir`, made once per process (per folder). */
export function catalogOnce(dir: string | undefined, make: () => Catalog): Catalog {
  const made = madeCatalog(dir);
  if (made) return made;
  const catalog = make();
  cached = { dir, catalog };
  return catalog;
}
