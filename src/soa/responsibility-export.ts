// The 責任分界表 (responsibility split) of one cloud service of the profile: for each line of the SoA in the store's
// edition, who acts in the service's model (customer, provider or shared), what each side does (the bundled
// responsibility matrix) and the organisation's own decision from the SoA. Printed with the SoA's layout (print.ts).
import { writeFileSync } from 'node:fs';
import type ExcelJS from 'exceljs';
import type { Catalog } from '../catalog/catalog.js';
import type { Actor, ResponsibilityRow } from '../catalog/schema.js';
import type { SoaRow } from './decisions.js';
import { fail } from './errors.js';
import { applicableText, approvalText, editionTitle, generatedText, localText, sectionOf, statusText, type ExportFormat, type SoaExport } from './export.js';
import { addPrintSheet, csvTable, markdownTable, streamingWorkbook, versionText, type PrintColumn } from './print.js';
import type { Profile, Service } from './profile.js';

export type SentenceLang = 'ja' | 'en' | 'both';
export const sentenceLangs: SentenceLang[] = ['both', 'ja', 'en'];

export interface ResponsibilityLine {
  row: SoaRow;
  /** The ISO/IEC 27017 items of the line: an Annex A control's cloud items, or the 27017 item itself. */
  items: string[];
  /** The matrix rows found for the line (its own ID, or a 2022 control's 2013 sources and cloud items). */
  sources: { control: string; matrix: ResponsibilityRow }[];
}

export interface ResponsibilityExport {
  soa: SoaExport;
  service: Service;
  lines: ResponsibilityLine[];
  lang: SentenceLang;
}

export const actorLabel: Record<Actor, string> = {
  customer: 'カスタマ customer',
  provider: 'プロバイダ provider',
  shared: '分担 shared',
};
export const noMatrixRow = '分界表の記載なし / no matrix row';

/** The profile's service called `name` (any case); an unknown name is an error that lists the services there are. */
export function findService(profile: Profile | null, name: string): Service {
  const services = profile?.services ?? [];
  const found = services.find((s) => s.name.toLowerCase() === name.trim().toLowerCase());
  if (found) return found;
  if (!services.length) fail('service', `no cloud service "${name}": the profile names no cloud services`, 'Set them with: profile set --scope "..." --service "name=...,role=provider,model=SaaS" --by NAME');
  fail('service', `no cloud service "${name}" in the profile; the services are: ${services.map((s) => s.name).join(', ')}`, 'Give one of those names with --service');
}

/** The matrix rows and 27017 items of every SoA line, in the SoA's order. */
export function responsibilityLines(catalog: Catalog, rows: SoaRow[]): ResponsibilityLine[] {
  return rows.map((row) => {
    const e = row.entry;
    const is27017 = e.kind === 'cld' || (e.kind === 'control' && e.extended);
    const items = e.annex2022 ? e.annex2022.cloud : is27017 ? [e.id] : [];
    const candidates = e.annex2022 ? [...new Set([...e.annex2022.from2013, ...e.annex2022.cloud])] : [e.id];
    const sources = candidates.flatMap((control) => {
      const matrix = catalog.responsibility(control);
      return matrix ? [{ control, matrix }] : [];
    });
    return { row, items, sources };
  });
}

/** The organisation's decision on the line: approved applicable (with its status) or excluded, or undecided. */
export function decisionText(r: SoaRow): string {
  const pending = r.pending ? `\n提案 v${r.pending.version} 承認待ち / proposal v${r.pending.version} pending` : '';
  if (!r.current) return `${applicableText(r)}${pending}`;
  return `${r.current.applicable ? `適用 applicable · ${statusText(r.current)}` : '除外 excluded'}${pending}`;
}

function columnsFor(x: ResponsibilityExport): PrintColumn<ResponsibilityLine>[] {
  const model = x.service.model;
  const sentence = (m: ResponsibilityRow, side: 'customer' | 'provider') => {
    const s = m.models[model][side];
    return x.lang === 'both' ? `${s.ja}\n${s.en}` : s[x.lang];
  };
  /** One matrix row: its text; several: each prefixed with its control ID (CSV and Markdown). */
  const perSource = (l: ResponsibilityLine, text: (m: ResponsibilityRow) => string, none: string) =>
    !l.sources.length ? none : l.sources.length === 1 ? text(l.sources[0]!.matrix) : l.sources.map((s) => `[${s.control}] ${text(s.matrix)}`).join('\n');
  const atLine = (l: ResponsibilityLine, i: number, text: (m: ResponsibilityRow) => string, none: string) => {
    const s = l.sources[i];
    return s ? text(s.matrix) : i === 0 ? none : null;
  };
  const who = (m: ResponsibilityRow) => actorLabel[m.models[model].actor];
  const noRow = '分界表の記載なし\nno matrix row';
  return [
    { ja: '管理策番号', en: 'Control ID', width: 9, repeat: true, value: (l) => l.row.entry.id },
    ...(x.soa.edition === '2022' ? [{ ja: '役割', en: 'Role', width: 10, repeat: true, value: (l: ResponsibilityLine) => (l.row.role ? `${l.row.role === 'customer' ? 'カスタマ' : 'プロバイダ'} ${l.row.role}` : null) }] : []),
    { ja: '管理策名', en: 'Control', width: 20, value: (l) => `${l.row.entry.title.ja}\n${l.row.entry.title.en}` },
    { ja: '27017 項目', en: '27017 items', width: 11, value: (l) => l.items.join(', ') || null },
    { ja: '分界表の行', en: 'Matrix row', width: 11, value: (l) => l.sources.map((s) => s.control).join('\n') || '—', line: (l, i) => l.sources[i]?.control ?? (i === 0 ? '—' : null) },
    { ja: '実施主体', en: `Who acts (${model})`, width: 15, value: (l) => perSource(l, who, noRow), line: (l, i) => atLine(l, i, who, noRow) },
    { ja: 'カスタマ側', en: 'Customer side', width: 44, value: (l) => perSource(l, (m) => sentence(m, 'customer'), '—'), line: (l, i) => atLine(l, i, (m) => sentence(m, 'customer'), '—') },
    { ja: 'プロバイダ側', en: 'Provider side', width: 44, value: (l) => perSource(l, (m) => sentence(m, 'provider'), '—'), line: (l, i) => atLine(l, i, (m) => sentence(m, 'provider'), '—') },
    { ja: '自組織の決定', en: 'Our decision (SoA)', width: 15, value: (l) => decisionText(l.row) },
  ];
}

function serviceText(s: Service): string {
  const role = { customer: 'カスタマ customer', provider: 'プロバイダ provider', both: 'カスタマ・プロバイダ customer and provider' }[s.role];
  return `${s.name} — ${role} · ${s.model}${s.runsOn ? ` · ${s.runsOn} 上で稼働 / runs on ${s.runsOn}` : ''}`;
}

function cover(x: ResponsibilityExport): [string, string][] {
  const tz = x.soa.timezone ?? 'Asia/Tokyo';
  const withRow = x.lines.filter((l) => l.sources.length).length;
  return [
    ['クラウドサービス / Cloud service', serviceText(x.service)],
    ['適用範囲 / Scope', x.soa.profile?.scope ?? '(no profile set)'],
    ['規格の版 / Edition', editionTitle(x.soa.edition)],
    ['文書の版 / Document version', versionText(x.soa.publication)],
    ['承認者・承認日 / Approved by, on', approvalText(x.soa.publication, tz)],
    ['作成日時 / Generated', generatedText(x.soa.generatedAt, tz)],
    ['出典 / Sources', `実施主体と各側の記述: 責任分界マトリクスの ${x.service.model} 列（ISO/IEC 27017 に基づく）。自組織の決定: 適用宣言書の承認済みの決定。\n`
      + `Who acts and each side's sentence: the responsibility matrix, ${x.service.model} column (after ISO/IEC 27017). Our decision: the SoA's approved decisions.`],
    ['行数 / Lines', `${x.lines.length} (分界表の記載あり / with a matrix row: ${withRow})`],
  ];
}

const title = (x: ResponsibilityExport) => `責任分界表 / Responsibility split — ${x.service.name} (${x.service.model})`;

export function responsibilityCsv(x: ResponsibilityExport): string {
  return csvTable(columnsFor(x), x.lines);
}

export function responsibilityMarkdown(x: ResponsibilityExport): string {
  return `${[
    `# ${title(x)}`,
    '',
    ...cover(x).map(([label, value]) => `- ${label}: ${value.replace(/\n/g, ' ')}`),
    '',
    ...markdownTable(columnsFor(x), x.lines),
  ].join('\n')}\n`;
}

/** The responsibility split workbook in memory. */
export async function responsibilityXlsx(x: ResponsibilityExport): Promise<ExcelJS.Workbook> {
  const { default: Excel } = await import('exceljs');
  const wb = new Excel.Workbook();
  addSheet(wb, x);
  return wb;
}

function addSheet(wb: ExcelJS.Workbook, x: ResponsibilityExport): void {
  wb.creator = 'ISMS Cloud Assistant';
  wb.created = x.soa.generatedAt;
  addPrintSheet(wb, {
    name: '責任分界表 Responsibility', title: title(x), cover: cover(x), columns: columnsFor(x), rows: x.lines,
    section: (l) => sectionOf(l.row), lines: (l) => Math.max(1, l.sources.length),
    footer: `責任分界表 / Responsibility split — ${x.service.name} · ${versionText(x.soa.publication)} · ${localText(x.soa.generatedAt.toISOString(), x.soa.timezone ?? 'Asia/Tokyo')}`,
    freeze: x.soa.edition === '2022' ? 2 : 1, tabColor: 'FF1F4E78',
  });
}

export async function writeResponsibility(x: ResponsibilityExport, format: ExportFormat, file: string): Promise<void> {
  if (format === 'xlsx') {
    // Streamed to the file: the same sheet as responsibilityXlsx, without holding it in memory.
    const wb = streamingWorkbook(file);
    addSheet(wb, x);
    return wb.commit();
  }
  writeFileSync(file, format === 'csv' ? responsibilityCsv(x) : responsibilityMarkdown(x), 'utf8');
}
