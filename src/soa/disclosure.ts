// The provider's disclosure pack (issue 13, item 5): the ISO/IEC 27017 provider items that ask a cloud service provider
// to give its customers information (corpus/disclosure.json, in our own words), each with the organisation's approved
// SoA decision on its controls. Controls without an approved decision are listed as gaps, never filled in.
// Printed with the SoA's layout (print.ts).
import { personLabel } from './people.js';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type ExcelJS from 'exceljs';
import { z } from 'zod';
import type { Catalog } from '../catalog/catalog.js';
import { CorpusError, defaultCorpusDir } from '../catalog/loader.js';
import type { SoaRow } from './decisions.js';
import { fail } from './errors.js';
import { editionTitle, generatedText, localText, type SoaExport } from './export.js';
import { statusLabel } from './format.js';
import { addPrintSheet, markdownTable, versionText, type PrintColumn } from './print.js';
import type { Profile, Service } from './profile.js';
import { findService } from './responsibility-export.js';

export type DisclosureLang = 'ja' | 'en';
export const disclosureLangs: DisclosureLang[] = ['ja', 'en'];
export const disclosureFormats = ['md', 'xlsx'] as const;
export type DisclosureFormat = (typeof disclosureFormats)[number];

const text = z.object({ en: z.string().trim().min(1), ja: z.string().trim().min(1) }).strict();
const disclosureFile = z.array(z.object({
  id: z.string().regex(/^DISC-[a-z0-9-]+$/, 'an ID like DISC-backup'),
  topic: text,
  controls: z.array(z.string().min(1)).min(1),
  asks: text,
}).strict()).min(1);
export type DisclosureItem = z.infer<typeof disclosureFile>[number];

/** corpus/disclosure.json, checked: unique IDs, and every control a 27017 item that gives the provider guidance. */
export function loadDisclosure(catalog: Catalog, dir = defaultCorpusDir): DisclosureItem[] {
  const rel = 'disclosure.json';
  const file = join(dir, rel);
  if (!existsSync(file)) throw new CorpusError([{ file: rel, path: '', reason: 'file is missing: the disclosure list is part of the corpus' }]);
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new CorpusError([{ file: rel, path: '', reason: `not valid JSON: ${(e as Error).message}` }]);
  }
  const parsed = disclosureFile.safeParse(data);
  if (!parsed.success) throw new CorpusError(parsed.error.issues.map((i) => ({ file: rel, path: i.path.join('.'), reason: i.message })));
  const problems: { file: string; path: string; reason: string }[] = [];
  const seen = new Set<string>();
  parsed.data.forEach((item, n) => {
    if (seen.has(item.id)) problems.push({ file: rel, path: `[${n}].id`, reason: `duplicate ID ${item.id}` });
    seen.add(item.id);
    for (const c of item.controls) {
      const e = catalog.get(c);
      const cloud = e && (e.kind === 'cld' || (e.kind === 'control' && e.extended));
      if (!cloud) problems.push({ file: rel, path: `${item.id}.controls`, reason: `${c} is not an ISO/IEC 27017 item of the catalogue` });
    }
  });
  if (problems.length) throw new CorpusError(problems);
  return parsed.data;
}

/** The profile's service `name`, which must be run as a provider (role provider or both). */
export function providerService(profile: Profile | null, name: string): Service {
  const service = findService(profile, name);
  if (service.role !== 'customer') return service;
  const providers = (profile?.services ?? []).filter((s) => s.role !== 'customer').map((s) => s.name);
  fail('service', `"${service.name}" is a customer-only service: the disclosure pack is for a service the organisation provides; `
    + (providers.length ? `the provider services are: ${providers.join(', ')}` : 'the profile names no provider service'),
  'Give a provider service with --service, or set its role with: profile set --service "name=...,role=provider,..." --by NAME');
}

/** One control of an item and its SoA line (2022: `${id}@provider`; 2013: the control's own line). */
export interface DisclosureControl { control: string; row: SoaRow }
/** An item with some of its controls: the decided ones (section items) or the undecided ones (section gaps). */
export interface DisclosureEntry { item: DisclosureItem; controls: DisclosureControl[]; gap: boolean }

export interface DisclosureExport {
  soa: SoaExport;
  service: Service;
  lang: DisclosureLang;
  items: DisclosureEntry[];
  gaps: DisclosureEntry[];
}

/** Splits the controls of every item into approved decisions and gaps. A control with no provider line in the edition (10.1.2 in 2022) is left out. */
export function disclosureExport(soa: SoaExport, service: Service, list: DisclosureItem[], lang: DisclosureLang = 'ja'): DisclosureExport {
  const byKey = new Map(soa.rows.map((r) => [r.key, r]));
  const items: DisclosureEntry[] = [];
  const gaps: DisclosureEntry[] = [];
  for (const item of list) {
    const lines = item.controls.flatMap((control) => {
      const row = byKey.get(soa.edition === '2022' ? `${control}@provider` : control);
      return row ? [{ control, row }] : [];
    });
    const decided = lines.filter((l) => l.row.current);
    const open = lines.filter((l) => !l.row.current);
    if (decided.length) items.push({ item, controls: decided, gap: false });
    if (open.length) gaps.push({ item, controls: open, gap: true });
  }
  return { soa, service, lang, items, gaps };
}

const L = {
  title: { ja: '顧客への開示事項', en: 'Disclosure pack for customers' },
  items: { ja: '開示項目', en: 'Items' },
  gaps: { ja: '未決定の項目', en: 'Gaps' },
  applicable: { ja: '適用', en: 'applicable' },
  excluded: { ja: '除外', en: 'excluded' },
  undecided: { ja: '未決定（承認済みの決定なし）', en: 'undecided (no approved decision)' },
  pending: { ja: '承認待ちの提案', en: 'proposal pending' },
  none: { ja: 'なし', en: 'none' },
} as const;

function decision(r: SoaRow, lang: DisclosureLang): string {
  const d = r.current;
  const pending = r.pending ? ` (${L.pending[lang]} v${r.pending.version})` : '';
  if (!d) return `${L.undecided[lang]}${pending}`;
  return `${d.applicable ? `${L.applicable[lang]} · ${statusLabel[d.status][lang]}` : L.excluded[lang]}${pending}`;
}
const reasons = (r: SoaRow) => (r.current ? (r.current.applicable ? r.current.reasons.join('; ') : r.current.justification ?? '') : '') || null;

function controlColumns(lang: DisclosureLang): PrintColumn<DisclosureControl>[] {
  return [
    { ja: '管理策', en: 'Control', width: 10, value: (c) => c.control },
    { ja: '決定', en: 'Decision', width: 18, value: (c) => decision(c.row, lang) },
    { ja: '責任者', en: 'Owner', width: 12, value: (c) => (c.row.current?.owner ? personLabel(c.row.current.owner, c.row.current.ownerName) : null) },
    { ja: '証跡', en: 'Evidence', width: 22, value: (c) => c.row.current?.evidence.join('; ') || null },
    { ja: '理由・除外の根拠', en: 'Reasons / justification', width: 30, value: (c) => reasons(c.row) },
  ];
}

function sheetColumns(lang: DisclosureLang): PrintColumn<DisclosureEntry>[] {
  const per = (col: PrintColumn<DisclosureControl>): PrintColumn<DisclosureEntry> => ({
    ja: col.ja, en: col.en, width: col.width,
    value: (e) => e.controls.map((c) => col.value(c) ?? '—').join('\n'),
    line: (e, i) => (e.controls[i] ? col.value(e.controls[i]) : null),
  });
  return [
    { ja: '項目', en: 'Item', width: 13, repeat: true, value: (e) => e.item.id },
    { ja: 'テーマ', en: 'Topic', width: 16, value: (e) => e.item.topic[lang] },
    { ja: '顧客に伝えること', en: 'What customers are told', width: 40, value: (e) => e.item.asks[lang] },
    ...controlColumns(lang).map(per),
  ];
}

const title = (x: DisclosureExport) => `${L.title[x.lang]} — ${x.service.name}`;

function cover(x: DisclosureExport): [string, string][] {
  const tz = x.soa.timezone ?? 'Asia/Tokyo';
  return [
    ['クラウドサービス / Cloud service', `${x.service.name} (${x.service.role}, ${x.service.model})`],
    ['適用範囲 / Scope', x.soa.profile?.scope ?? '(no profile set)'],
    ['規格の版 / Edition', editionTitle(x.soa.edition)],
    ['文書の版 / Document version', versionText(x.soa.publication)],
    ['作成日時 / Generated', generatedText(x.soa.generatedAt, tz)],
    ['項目 / Items', `${x.items.length} (${L.gaps[x.lang]}: ${x.gaps.length})`],
  ];
}

export function disclosureMarkdown(x: DisclosureExport): string {
  const cols = controlColumns(x.lang);
  const section = (e: DisclosureEntry) => [`### ${e.item.id} — ${e.item.topic[x.lang]}`, '', e.item.asks[x.lang], '', ...markdownTable(cols, e.controls), ''];
  return `${[
    `# ${title(x)}`,
    '',
    ...cover(x).map(([label, value]) => `- ${label}: ${value.replace(/\n/g, ' ')}`),
    '',
    `## ${L.items.ja} / ${L.items.en}`,
    '',
    ...(x.items.length ? x.items.flatMap(section) : [`(${L.none[x.lang]})`, '']),
    `## ${L.gaps.ja} / ${L.gaps.en}`,
    '',
    ...(x.gaps.length ? x.gaps.flatMap(section) : [`(${L.none[x.lang]})`, '']),
  ].join('\n').trimEnd()}\n`;
}

export async function disclosureXlsx(x: DisclosureExport): Promise<ExcelJS.Workbook> {
  const { default: Excel } = await import('exceljs');
  const wb = new Excel.Workbook();
  wb.creator = 'ISMS Cloud Assistant';
  wb.created = x.soa.generatedAt;
  addPrintSheet(wb, {
    name: '開示事項 Disclosure', title: title(x), cover: cover(x), columns: sheetColumns(x.lang), rows: [...x.items, ...x.gaps],
    section: (e) => (e.gap ? `${L.gaps.ja} / ${L.gaps.en}` : `${L.items.ja} / ${L.items.en}`),
    lines: (e) => Math.max(1, e.controls.length),
    footer: `${L.title[x.lang]} — ${x.service.name} · ${versionText(x.soa.publication)} · ${localText(x.soa.generatedAt.toISOString(), x.soa.timezone ?? 'Asia/Tokyo')}`,
    freeze: 1, tabColor: 'FF1F4E78',
  });
  return wb;
}

export async function writeDisclosure(x: DisclosureExport, format: DisclosureFormat, file: string): Promise<void> {
  if (format === 'xlsx') return (await disclosureXlsx(x)).xlsx.writeFile(file);
  writeFileSync(file, disclosureMarkdown(x), 'utf8');
}
