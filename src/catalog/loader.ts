// Reads corpus/, validates every file against its schema and checks cross-references.
// A bad corpus fails as a whole with the file, the path inside it and the reason: never a half-valid catalogue.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ZodType } from 'zod';
import { Catalog, catalogOnce } from './catalog.js';
import { CorpusError, defaultCorpusDir, validatedCopy, type CorpusProblem, type RawCorpus, type ReadOptions } from './corpus-copy.js';

import {
  annex2022File, clauseFile, cldFile, glossaryFile, productsFile, requirementsFile, responsibilityFile, riskFitFile, risksFile, synonymsFile, topicsFile,
  type ClauseFile, type ResponsibilityRow,
} from './schema.js';

export { CorpusError, defaultCorpusDir, type CorpusProblem, type RawCorpus };

/** Which file each responsibility row came from, for the reference checks' messages. */
const responsibilityFiles = new WeakMap<ResponsibilityRow, string>();

/** Expected clause files: one per 27002 clause, 5 to 18. */
const clauseNumbers = Array.from({ length: 14 }, (_, i) => String(i + 5).padStart(2, '0'));

/** Reads and validates corpus/, or takes the copy that last passed when nothing has changed since (see cacheDir). */
export function readCorpus(dir = defaultCorpusDir, o: ReadOptions = {}): RawCorpus {
  if (!o.cacheDir || !existsSync(dir)) return validateCorpus(dir);
  const copy = validatedCopy(dir, o.cacheDir);
  if (copy.corpus) return copy.corpus;
  const corpus = validateCorpus(dir);
  copy.save(corpus);
  return corpus;
}

/** The catalogue of corpus/ (dir), validated, read once per process; `o.cacheDir` keeps a validated copy. */
export function loadCatalog(dir?: string, o: ReadOptions = {}): Catalog {
  return catalogOnce(dir, () => new Catalog(readCorpus(dir, o)));
}

function validateCorpus(dir: string): RawCorpus {
  const problems: CorpusProblem[] = [];
  const hash = createHash('sha256');

  function parse<T>(rel: string, schema: ZodType<T>): T | undefined {
    const file = join(dir, rel);
    if (!existsSync(file)) {
      problems.push({ file: rel, path: '', reason: 'file is missing' });
      return undefined;
    }
    const text = readFileSync(file, 'utf8');
    hash.update(rel).update('\0').update(text).update('\0');
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (e) {
      problems.push({ file: rel, path: '', reason: `not valid JSON: ${(e as Error).message}` });
      return undefined;
    }
    const result = schema.safeParse(data);
    if (!result.success) {
      for (const issue of result.error.issues) {
        problems.push({ file: rel, path: formatPath(issue.path, data), reason: issue.message });
      }
      return undefined;
    }
    return result.data;
  }

  if (!existsSync(dir)) throw new CorpusError([{ file: dir, path: '', reason: 'corpus folder not found (set ISMS_CORPUS_DIR?)' }]);

  /** responsibility/*.json, in name order; each row names the file it came from for error messages. */
  function readResponsibility(): ResponsibilityRow[] {
    const folder = join(dir, 'responsibility');
    if (!existsSync(folder)) {
      problems.push({ file: 'responsibility/', path: '', reason: 'folder is missing: the responsibility matrix is part of the corpus' });
      return [];
    }
    const rows: ResponsibilityRow[] = [];
    for (const f of readdirSync(folder).filter((x) => x.endsWith('.json')).sort()) {
      for (const row of parse(`responsibility/${f}`, responsibilityFile) ?? []) {
        rows.push(row);
        responsibilityFiles.set(row, `responsibility/${f}`);
      }
    }
    return rows;
  }
  const clauseDir = join(dir, 'controls');
  const extra = existsSync(clauseDir)
    ? readdirSync(clauseDir).filter((f) => f.endsWith('.json') && !clauseNumbers.some((n) => f === `clause-${n}.json`))
    : [];
  for (const f of extra) problems.push({ file: `controls/${f}`, path: '', reason: 'unexpected file: clause files are clause-05.json … clause-18.json' });

  const clauses = clauseNumbers.map((n) => parse(`controls/clause-${n}.json`, clauseFile));
  const corpus = {
    dir,
    clauses: clauses.filter((c): c is ClauseFile => c !== undefined),
    cld: parse('cld.json', cldFile) ?? [],
    annex2022: parse('annex-2022.json', annex2022File) ?? [],
    responsibility: readResponsibility(),
    products: parse('products.json', productsFile) ?? [],
    synonyms: parse('synonyms.json', synonymsFile) ?? [],
    requirements: parse('requirements.json', requirementsFile) ?? [],
    topics: parse('topics.json', topicsFile) ?? [],
    glossary: parse('glossary.json', glossaryFile) ?? [],
    risks: parse('risks.json', risksFile) ?? [],
    riskFit: parse('risk-fit.json', riskFitFile) ?? [],
    contentHash: '',
  };
  if (problems.length) throw new CorpusError(problems);
  corpus.contentHash = hash.digest('hex');
  checkReferences(corpus, problems);
  if (problems.length) throw new CorpusError(problems);
  return corpus;
}

/** Renders a zod path as JSON-ish text, naming array items by their id where they have one. */
function formatPath(path: PropertyKey[], data: unknown): string {
  let node: unknown = data;
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') {
      const item: unknown = Array.isArray(node) ? node[key] : undefined;
      const id = item && typeof item === 'object' && 'id' in item ? item.id : undefined;
      out += typeof id === 'string' ? `[${key} id=${id}]` : `[${key}]`;
    } else {
      out += out ? `.${String(key)}` : String(key);
    }
    node = node && typeof node === 'object' ? (node as Record<PropertyKey, unknown>)[key] : undefined;
  }
  return out;
}

/** Valid ISO/IEC 27001:2022 Annex A numbers per theme. */
const annex2022Size: Record<string, number> = { '5': 37, '6': 8, '7': 14, '8': 34 };

function checkReferences(c: RawCorpus, problems: CorpusProblem[]): void {
  const ids = new Set<string>();
  const categories = new Set<string>();
  const dup = (file: string, path: string, id: string) => {
    if (ids.has(id)) problems.push({ file, path, reason: `duplicate ID ${id}` });
    ids.add(id);
  };
  const check2022 = (file: string, path: string, mapped: { id: string }[]) => {
    for (const m of mapped) {
      const [theme, num] = m.id.slice('2022:A.'.length).split('.');
      if (!theme || !num || Number(num) > (annex2022Size[theme] ?? 0) || Number(num) < 1)
        problems.push({ file, path, reason: `${m.id} is not an ISO/IEC 27001:2022 Annex A control` });
    }
  };

  for (const clause of c.clauses) {
    const file = `controls/clause-${clause.clause.padStart(2, '0')}.json`;
    const own = new Set(clause.categories.map((k) => k.id));
    clause.categories.forEach((k, i) => {
      if (!k.id.startsWith(`${clause.clause}.`)) problems.push({ file, path: `categories[${i}]`, reason: `category ${k.id} is not in clause ${clause.clause}` });
      categories.add(k.id);
    });
    clause.controls.forEach((ctl, i) => {
      const path = `controls[${i} id=${ctl.id}]`;
      dup(file, path, ctl.id);
      if (!ctl.id.startsWith(`${ctl.category}.`)) problems.push({ file, path, reason: `ID ${ctl.id} does not belong to category ${ctl.category}` });
      if (!own.has(ctl.category)) problems.push({ file, path: `${path}.category`, reason: `category ${ctl.category} is not defined in this file` });
      if (ctl.cloudGuidance && !ctl.cloudGuidance.customer && !ctl.cloudGuidance.provider)
        problems.push({ file, path: `${path}.cloudGuidance`, reason: 'cloud guidance must give at least one role text, or be left out' });
      check2022(file, `${path}.iso27001_2022`, ctl.iso27001_2022);
    });
  }
  c.cld.forEach((ctl, i) => {
    const path = `[${i} id=${ctl.id}]`;
    dup('cld.json', path, ctl.id);
    for (const role of ['customer', 'provider'] as const) {
      if (ctl.roles[role] !== (ctl.guidance[role] !== null))
        problems.push({ file: 'cld.json', path: `${path}.guidance.${role}`, reason: `roles.${role} is ${ctl.roles[role]}, so guidance.${role} must be ${ctl.roles[role] ? 'given' : 'null'}` });
    }
    for (const cat of [...ctl.related.iso27002_2013, ...ctl.related.iso27001_2013.map((a) => a.slice(2))])
      if (!categories.has(cat)) problems.push({ file: 'cld.json', path: `${path}.related`, reason: `unknown 27002:2013 category ${cat}` });
    check2022('cld.json', `${path}.iso27001_2022`, ctl.iso27001_2022);
  });
  c.requirements.forEach((r, i) => dup('requirements.json', `[${i} id=${r.id}]`, r.id));
  checkAnnex2022(c, problems);
  checkResponsibility(c, ids, problems);
  checkProducts(c, problems);

  const cite = (file: string, path: string, list: string[]) => {
    for (const id of list) if (!ids.has(id)) problems.push({ file, path, reason: `cites unknown control ${id}` });
  };
  c.requirements.forEach((r, i) => cite('requirements.json', `[${i} id=${r.id}].relatedControls`, r.relatedControls));
  const known2022 = new Set(c.annex2022.map((a) => a.id));
  const citeAny = (file: string, path: string, list: string[]) => cite(file, path, list.filter((id) => !known2022.has(id)));
  c.topics.forEach((t, i) => cite('topics.json', `[${i} id=${t.id}].controls`, t.controls));
  c.risks.forEach((r, i) => citeAny('risks.json', `[${i} id=${r.id}].controls`, r.controls));
  c.glossary.forEach((g, i) => citeAny('glossary.json', `[${i} ja=${g.ja}].controls`, g.controls));

  const uniq = (file: string, label: string, values: { key: string; path: string }[]) => {
    const seen = new Set<string>();
    for (const v of values) {
      const k = v.key.toLowerCase();
      if (seen.has(k)) problems.push({ file, path: v.path, reason: `duplicate ${label} ${v.key}` });
      seen.add(k);
    }
  };
  uniq('topics.json', 'ID', c.topics.map((t, i) => ({ key: t.id, path: `[${i}]` })));
  uniq('risks.json', 'ID', c.risks.map((r, i) => ({ key: r.id, path: `[${i}]` })));
  uniq('glossary.json', 'Japanese headword', c.glossary.map((g, i) => ({ key: g.ja, path: `[${i}].ja` })));
  uniq('glossary.json', 'English headword', c.glossary.map((g, i) => ({ key: g.en, path: `[${i}].en` })));
  checkRiskFit(c, problems);
}

/** risk-fit.json: one entry for every library risk and no other, naming only products of products.json. */
function checkRiskFit(c: RawCorpus, problems: CorpusProblem[]): void {
  const file = 'risk-fit.json';
  const risks = new Set(c.risks.map((r) => r.id));
  const products = new Set(c.products.map((p) => p.name));
  const seen = new Set<string>();
  c.riskFit.forEach((f, n) => {
    if (seen.has(f.id)) problems.push({ file, path: `[${n}].id`, reason: `duplicate ID ${f.id}` });
    if (!risks.has(f.id)) problems.push({ file, path: `[${n}].id`, reason: `${f.id} is not in risks.json` });
    for (const p of f.products) if (!products.has(p)) problems.push({ file, path: `${f.id}.products`, reason: `"${p}" is not a product in products.json` });
    seen.add(f.id);
  });
  for (const r of c.risks) if (!seen.has(r.id)) problems.push({ file, path: '', reason: `${r.id} has no entry` });
}

/**
 * The 2022 Annex A file against the 2013 mappings, both ways: each of the 93 controls appears once; its from2013 list
 * is exactly the 2013 controls whose iso27001_2022 field names it; it is marked new exactly when that list is empty;
 * its cloud list holds every 27017 item mapped onto it and nothing that is not a 27017 item.
 */
function checkAnnex2022(c: RawCorpus, problems: CorpusProblem[]): void {
  const file = 'annex-2022.json';
  const expected = Object.entries(annex2022Size).flatMap(([theme, n]) => Array.from({ length: n }, (_, i) => `${theme}.${i + 1}`));
  const themes: Record<string, string> = { '5': 'organizational', '6': 'people', '7': 'physical', '8': 'technological' };
  const reverse = new Map<string, string[]>();
  const cloudMapped = new Map<string, string[]>();
  const cloudItems = new Set<string>();
  const add = (m: Map<string, string[]>, key: string, id: string) => m.set(key, [...(m.get(key) ?? []), id]);
  for (const clause of c.clauses) {
    for (const ctl of clause.controls) {
      if (ctl.cloudGuidance) cloudItems.add(ctl.id);
      for (const m of ctl.iso27001_2022) {
        add(reverse, m.id.slice('2022:A.'.length), ctl.id);
        if (ctl.cloudGuidance) add(cloudMapped, m.id.slice('2022:A.'.length), ctl.id);
      }
    }
  }
  for (const ctl of c.cld) {
    cloudItems.add(ctl.id);
    for (const m of ctl.iso27001_2022) add(cloudMapped, m.id.slice('2022:A.'.length), ctl.id);
  }
  const seen = new Set<string>();
  c.annex2022.forEach((a, i) => {
    const path = `[${i} id=${a.id}]`;
    if (seen.has(a.id)) problems.push({ file, path, reason: `duplicate ID ${a.id}` });
    seen.add(a.id);
    if (!expected.includes(a.id)) {
      problems.push({ file, path, reason: `${a.id} is not an ISO/IEC 27001:2022 Annex A control (5.1-5.37, 6.1-6.8, 7.1-7.14, 8.1-8.34)` });
      return;
    }
    const theme = themes[a.id.split('.')[0]!];
    if (a.theme !== theme) problems.push({ file, path: `${path}.theme`, reason: `${a.id} is in the ${theme} theme, not ${a.theme}` });
    const want = new Set(reverse.get(a.id) ?? []);
    const have = new Set(a.from2013);
    for (const id of want) if (!have.has(id)) problems.push({ file, path: `${path}.from2013`, reason: `misses ${id}, whose iso27001_2022 field maps it to ${a.id}` });
    for (const id of have) if (!want.has(id)) problems.push({ file, path: `${path}.from2013`, reason: `lists ${id}, but ${id} does not map to ${a.id} (fix one of the two)` });
    if (a.isNew !== (want.size === 0)) {
      problems.push({ file, path: `${path}.isNew`, reason: want.size ? `is true, but 2013 controls map to ${a.id}` : `is false, but no 2013 control maps to ${a.id}: mark it new` });
    }
    for (const id of cloudMapped.get(a.id) ?? []) if (!a.cloud.includes(id)) problems.push({ file, path: `${path}.cloud`, reason: `misses ${id}, a 27017 item mapped to ${a.id}` });
    for (const id of a.cloud) if (!cloudItems.has(id)) problems.push({ file, path: `${path}.cloud`, reason: `${id} is not a 27017 cloud item (an extended 27002 control or a CLD control)` });
  });
  for (const id of expected) if (!seen.has(id)) problems.push({ file, path: '', reason: `control ${id} is missing: the file needs all 93 Annex A controls` });
  for (const [id, from] of reverse) {
    if (!expected.includes(id)) continue;
    if (!seen.has(id)) problems.push({ file, path: '', reason: `${from.join(', ')} map to ${id}, which the file does not define` });
  }
}

/** Every row names a known control once; every 27017 item (the 37 extended and the 7 CLD controls) has a row. */
function checkResponsibility(c: RawCorpus, ids: Set<string>, problems: CorpusProblem[]): void {
  const seen = new Map<string, string>();
  c.responsibility.forEach((row, i) => {
    const file = responsibilityFiles.get(row) ?? 'responsibility/';
    const path = `[${i} control=${row.control}]`;
    if (!ids.has(row.control)) problems.push({ file, path, reason: `unknown control ${row.control}` });
    const before = seen.get(row.control);
    if (before) problems.push({ file, path, reason: `duplicate row for ${row.control} (also in ${before})` });
    seen.set(row.control, file);
  });
  const items = [...c.clauses.flatMap((k) => k.controls.filter((x) => x.cloudGuidance).map((x) => x.id)), ...c.cld.map((x) => x.id)];
  const missing = items.filter((id) => !seen.has(id));
  if (missing.length) problems.push({ file: 'responsibility/', path: '', reason: `no row for the 27017 item(s) ${missing.join(', ')}: every extended and CLD control needs one` });
}

/** A product alias names one product only. */
function checkProducts(c: RawCorpus, problems: CorpusProblem[]): void {
  const owner = new Map<string, string>();
  c.products.forEach((p, i) => {
    for (const a of p.aliases) {
      const key = a.toLowerCase();
      const other = owner.get(key);
      if (other && other !== p.name) problems.push({ file: 'products.json', path: `[${i} ${p.name}].aliases`, reason: `alias "${a}" also names ${other}` });
      owner.set(key, p.name);
    }
  });
}
