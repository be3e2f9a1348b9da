// Auditor-ready exports of the SoA (適用宣言書): XLSX laid out for printing (src/soa/print.ts), CSV (UTF-8 with BOM)
// and Markdown, in the same row order. The XLSX main sheet holds only what an auditor reads; who proposed, evidence,
// source and pending proposals are on the detail sheet (and in the CSV), every version of every decision on History.
import { writeFileSync } from 'node:fs';
import type ExcelJS from 'exceljs';
import { ids2022, type Edition } from '../catalog/catalog.js';
import type { Decision, SoaRow } from './decisions.js';
import { mapping2022, roleLabel, statusLabel } from './format.js';
import { addPrintSheet, csvTable, headerText, markdownTable, streamingWorkbook, versionText, type PrintColumn, type Publication } from './print.js';
import type { Profile } from './profile.js';
import type { Risk } from './risks.js';
import type { Role } from './context.js';
import { personLabel } from './people.js';

export { headerText, type Publication };

export const exportFormats = ['xlsx', 'csv', 'md'] as const;
export type ExportFormat = (typeof exportFormats)[number];

export interface SoaExport {
  /** 2022: the 93 Annex A rows, then the 27017 cloud items per role; 2013: the 114 + 7 CLD rows. */
  edition: Edition;
  rows: SoaRow[];
  profile: Profile | null;
  roles: Role[];
  risks: Risk[];
  /** Every decision ever recorded, oldest first (the XLSX history sheet). */
  history: Decision[];
  generatedAt: Date;
  /** ISMS_TIMEZONE: every date in the export is shown in this zone. */
  timezone?: string;
  /** The published SoA version this export prints; none yet: the export is a draft and says so on every page. */
  publication?: Publication | null;
}

type Column = PrintColumn<SoaRow>;

const mark = (b: boolean) => (b ? '○' : null);
const joinList = (xs: string[] | undefined) => (xs?.length ? xs.join('; ') : null);

/** The time zone of every date in an export (ISMS_TIMEZONE), set by writeExport before anything is formatted. */
let zone = 'Asia/Tokyo';

/** One formatter per time zone: making one costs about 0.5 ms, and an export formats thousands of dates. */
const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/**
 * Wall-clock time in the export's time zone (not the host's: a container runs in UTC), as a Date whose UTC fields
 * hold that time, which is how Excel and the text exports show it.
 */
export function localDate(iso: string, timeZone = zone): Date {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return wallClock(new Date(iso), timeZone);
  // The zone's offset is looked up once per UTC hour: when it is the same at both ends of the hour, it holds for every
  // instant inside (a time-zone change happens at most once in an hour), else each instant is worked out on its own.
  const hour = Math.floor(t / hourMs);
  const key = `${timeZone}|${hour}`;
  let offset = offsets.get(key);
  if (offset === undefined) {
    const start = offsetAt(hour * hourMs, timeZone);
    offset = start === offsetAt(hour * hourMs + hourMs - 1000, timeZone) ? start : null;
    if (offsets.size >= 10_000) offsets.clear();
    offsets.set(key, offset);
  }
  return offset === null ? wallClock(new Date(t), timeZone) : new Date(floorSecond(t) + offset);
}

const hourMs = 3_600_000;
/** UTC offset in milliseconds by time zone and UTC hour; null for an hour in which the offset changes. */
const offsets = new Map<string, number | null>();
const floorSecond = (t: number) => t - (((t % 1000) + 1000) % 1000);
/** Wall-clock time of `d` in `timeZone`, to the second, as a Date whose UTC fields hold it. */
function wallClock(d: Date, timeZone: string): Date {
  const parts = Object.fromEntries(formatter(timeZone).formatToParts(d).map((p) => [p.type, Number(p.value)]));
  return new Date(Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!));
}
const offsetAt = (t: number, timeZone: string) => wallClock(new Date(t), timeZone).getTime() - floorSecond(t);
export const localText = (iso: string | null | undefined, timeZone = zone) => (iso ? localDate(iso, timeZone).toISOString().slice(0, 16).replace('T', ' ') : null);

export const applicableText = (r: SoaRow) => (!r.current ? '未決定 undecided' : r.current.applicable ? '適用 yes' : '除外 no');
export const statusText = (d: Decision) => `${statusLabel[d.status].ja} ${statusLabel[d.status].en}`;

/** Reasons for inclusion of an applicable control, the justification of an excluded one. */
function reasonsOrJustification(d: Decision | null): string | null {
  if (!d) return null;
  if (!d.applicable) return d.justification;
  return [joinList(d.reasons), d.justification].filter(Boolean).join('\n') || null;
}

/** What was decided, as an auditor reads it: the same columns in both editions. */
const decisionColumns: Column[] = [
  { ja: '適用', en: 'Applicable', width: 12, center: true, value: applicableText },
  { ja: '採用理由・除外理由', en: 'Reasons for inclusion or justification for exclusion', width: 32, value: (r) => reasonsOrJustification(r.current) },
  { ja: '実施状況', en: 'Status', width: 13, value: (r) => (r.current ? statusText(r.current) : null) },
  { ja: '責任者', en: 'Owner', width: 12, value: (r) => (r.current?.owner ? personLabel(r.current.owner, r.current.ownerName) : null) },
  { ja: '承認者', en: 'Approved by', width: 12, value: (r) => (r.current?.approvedBy ? personLabel(r.current.approvedBy, r.current.approvedByName) : null) },
  { ja: '承認日', en: 'Approved on', width: 11, numFmt: 'yyyy-mm-dd', value: (r) => (r.current?.approvedAt ? localDate(r.current.approvedAt) : null) },
];

/** The rest: on the detail sheet and in the CSV, not on the printed SoA. */
const detailColumns: Column[] = [
  { ja: '決定の版', en: 'Version', width: 9, center: true, value: (r) => r.current?.version ?? null },
  { ja: '証跡', en: 'Evidence', width: 30, value: (r) => joinList(r.current?.evidence) },
  { ja: '提案者', en: 'Proposed by', width: 13, value: (r) => (r.current ? personLabel(r.current.proposedBy, r.current.proposedByName) : null) },
  { ja: '提案日時', en: 'Proposed at', width: 15, value: (r) => (r.current ? localDate(r.current.proposedAt) : null) },
  { ja: '出典', en: 'Source', width: 34, value: (r) => r.current?.source ?? null },
  { ja: '承認待ちの提案', en: 'Pending proposal', width: 44, value: (r) => (r.pending ? pendingText(r.pending) : null) },
];

const kind27017 = (r: SoaRow) => (r.entry.kind === 'cld' ? '追加 added (CLD)' : r.entry.extended ? '拡張 extended' : '');
const idColumn: Column = { ja: '管理策番号', en: 'Control ID', width: 9, value: (r) => r.entry.id };
const roleColumn: Column = { ja: '役割', en: 'Role', width: 10, value: (r) => (r.role ? `${r.role === 'customer' ? 'カスタマ' : 'プロバイダ'} ${r.role}` : null) };

/** The 2013 edition: 114 Annex A controls and 7 CLD controls, with the 2022 mapping as a column. */
export const columns2013: Column[] = [
  idColumn,
  { ja: '管理策名', en: 'Control (Japanese)', width: 22, value: (r) => r.entry.title.ja },
  { ja: '管理策名（英語）', en: 'Control', width: 24, value: (r) => r.entry.title.en },
  { ja: '27017', en: '27017', width: 10, value: kind27017 },
  { ja: 'カスタマ', en: 'Customer', width: 10, center: true, value: (r) => mark(r.entry.cloudGuidance.customer) },
  { ja: 'プロバイダ', en: 'Provider', width: 10, center: true, value: (r) => mark(r.entry.cloudGuidance.provider) },
  { ja: 'ISO/IEC 27001:2022', en: '2022 mapping', width: 12, value: (r) => mapping2022(r.entry) },
  ...decisionColumns,
];

/**
 * The 2022 edition: the 93 Annex A controls, then each ISO/IEC 27017 cloud item once per role in scope. The 2022,
 * 2013 and 27017 columns cross-reference both ways: an Annex A row names its 2013 sources and the 27017 items that
 * bear on it; a 27017 row names the 2022 controls it maps to, its 2013 control and its 27017 kind.
 */
export const columns2022: Column[] = [
  idColumn,
  roleColumn,
  { ja: '管理策名', en: 'Control (Japanese)', width: 22, value: (r) => r.entry.title.ja },
  { ja: '管理策名（英語）', en: 'Control', width: 24, value: (r) => r.entry.title.en },
  { ja: '2022', en: '2022', width: 8, value: (r) => (r.role ? ids2022(r.entry).join(', ') : r.entry.id) },
  { ja: '2013', en: '2013', width: 10, value: (r) => (r.role ? (r.entry.kind === 'control' ? r.entry.id : null) : r.entry.annex2022?.isNew ? '新規 new' : r.entry.annex2022?.from2013.join(', ') ?? null) },
  { ja: '27017', en: '27017', width: 13, value: (r) => (r.role ? kind27017(r) : r.entry.annex2022?.cloud.join(', ') || null) },
  ...decisionColumns,
];

export const columnsOf = (edition: Edition) => (edition === '2022' ? columns2022 : columns2013);
/** The 2013 layout, kept under its old name for readers of earlier exports. */
export const columns = columns2013;

/** The columns of the detail sheet: which line, then what the printed SoA leaves out. */
function detailSheetColumns(edition: Edition): Column[] {
  const relevant: Column = { ja: '自組織の役割に関係', en: 'Relevant to our roles', width: 10, center: true, value: (r) => (r.relevant ? '○' : '－') };
  return [idColumn, ...(edition === '2022' ? [roleColumn] : [relevant]), ...detailColumns];
}

/** The CSV holds everything: the printed columns, then the detail columns. */
function csvColumns(edition: Edition): Column[] {
  const section: Column = { ja: '区分', en: 'Section', width: 14, value: (r) => (r.role ? 'ISO/IEC 27017' : 'ISO/IEC 27001:2022') };
  const relevant: Column = { ja: '自組織の役割に関係', en: 'Relevant to our roles', width: 10, value: (r) => (r.relevant ? '○' : '－') };
  return edition === '2022' ? [section, ...columns2022, ...detailColumns] : [...columns2013, relevant, ...detailColumns];
}

/** The banner above each part of the printed SoA: the 2022 themes or 2013 clauses, then the 27017 part. */
export function sectionOf(r: SoaRow): string {
  if (r.role) return 'ISO/IEC 27017:2015 クラウドサービス固有の管理策（役割ごと） / Cloud items per role in scope';
  if (r.entry.kind === 'cld') return 'ISO/IEC 27017:2015 CLD 管理策（追加） / CLD controls added by ISO/IEC 27017';
  const c = r.entry.clause;
  return c ? `${r.edition === '2022' ? 'ISO/IEC 27001:2022 附属書A ' : 'A.'}${c.id} ${c.title.ja} / ${c.title.en}` : '';
}

export const editionTitle = (e: Edition) => (e === '2022' ? 'ISO/IEC 27001:2022 附属書A・ISO/IEC 27017:2015 / Annex A and cloud items' : 'ISO/IEC 27001:2013 附属書A・ISO/IEC 27017:2015');

function pendingText(d: Decision): string {
  return `v${d.version} ${d.applicable ? 'applicable' : 'not applicable'}, ${d.status}, by ${personLabel(d.proposedBy, d.proposedByName)} ${localText(d.proposedAt)}`;
}

export function rolesText(roles: Role[]): string {
  return roles.map((r) => `${roleLabel[r].ja} (${roleLabel[r].en})`).join(', ');
}

/** "PayCloud: provider, SaaS, runs on AWS" for each service of the profile. */
export function servicesText(p: Profile | null): string {
  return p?.services.map((s) => `${s.name}: ${s.role}, ${s.model}${s.runsOn ? `, runs on ${s.runsOn}` : ''}`).join('\n') || '(none)';
}

/** Who approved the published version, and when; a draft says it is not approved as a document yet. */
export function approvalText(p: Publication | null | undefined, timeZone = zone): string {
  return p ? `${personLabel(p.by, p.byName)}, ${localText(p.at, timeZone)}${p.note ? ` (${p.note})` : ''}` : '未承認（発行時に記入） / not approved: filled in when a version is published';
}

export const generatedText = (d: Date, timeZone = zone) => `${localText(d.toISOString(), timeZone)} (${timeZone})`;

/** The cover block of the SoA, the same in every format. */
function cover(data: SoaExport): [string, string][] {
  const decided = data.rows.filter((r) => r.current).length;
  return [
    ['適用範囲 / Scope', data.profile?.scope ?? '(no profile set)'],
    ['クラウドサービス / Cloud services', servicesText(data.profile)],
    ['対象の役割 / Roles in scope', rolesText(data.roles)],
    ['規格の版 / Edition', editionTitle(data.edition)],
    ['文書の版 / Document version', versionText(data.publication)],
    ['承認者・承認日 / Approved by, on', approvalText(data.publication)],
    ['作成日時 / Generated', generatedText(data.generatedAt)],
    ['承認済みの決定 / Approved decisions', `${decided} of ${data.rows.length}`],
  ];
}

const footer = (data: SoaExport, sheet: string) =>
  `適用宣言書 / Statement of Applicability — ${sheet} · ${versionText(data.publication)} · ${localText(data.generatedAt.toISOString())}`;

export function toCsv(data: SoaExport): string {
  return csvTable(csvColumns(data.edition), data.rows);
}

export function toMarkdown(data: SoaExport): string {
  const head = [
    '# 適用宣言書 / Statement of Applicability',
    '',
    ...cover(data).map(([label, value]) => {
      if (label.startsWith('作成日時')) return `- ${label}: ${localText(data.generatedAt.toISOString())} (${zone}; every date in this file is in this time zone)`;
      if (label.startsWith('クラウドサービス')) return `- ${label}:${data.profile?.services.length ? '' : ' (none)'}${(data.profile?.services ?? []).map((s) => `\n  - ${s.name}: ${s.role}, ${s.model}${s.runsOn ? `, runs on ${s.runsOn}` : ''}`).join('')}`;
      return `- ${label}: ${value}`;
    }),
    '',
    '27017: 拡張 extended = 27002 control with ISO/IEC 27017 guidance; 追加 added = ISO/IEC 27017 CLD control. ○ = 27017 gives guidance for that role.',
    '',
  ];
  const cols = columnsOf(data.edition);
  if (data.edition === '2013') return `${[...head, ...markdownTable(cols, data.rows)].join('\n')}\n`;
  const annex = data.rows.filter((r) => !r.role);
  const cloud = data.rows.filter((r) => r.role);
  return `${[
    ...head,
    `## ISO/IEC 27001:2022 附属書A / Annex A (${annex.length})`, '', ...markdownTable(cols, annex), '',
    `## ISO/IEC 27017:2015 クラウド項目（役割ごと） / Cloud items per role (${cloud.length})`, '',
    '27017 の拡張管理策と CLD 管理策を、適用範囲の役割（カスタマ・プロバイダ）ごとに 1 行ずつ。 / Each 27017 extended or CLD control once per role in scope.', '',
    ...markdownTable(cols, cloud),
  ].join('\n')}\n`;
}

const historyColumns: PrintColumn<Decision>[] = [
  { ja: '管理策番号', en: 'Control ID', width: 16, value: (d) => d.controlId },
  { ja: '版', en: 'Version', width: 5, center: true, value: (d) => d.version },
  { ja: '状態', en: 'State', width: 9, value: (d) => d.state },
  { ja: '適用', en: 'Applicable', width: 7, center: true, value: (d) => (d.applicable ? 'yes' : 'no') },
  { ja: '実施状況', en: 'Status', width: 11, value: (d) => d.status },
  { ja: '採用理由', en: 'Reasons', width: 20, value: (d) => joinList(d.reasons) },
  { ja: '除外理由', en: 'Justification', width: 24, value: (d) => d.justification },
  { ja: '責任者', en: 'Owner', width: 10, value: (d) => (d.owner ? personLabel(d.owner, d.ownerName) : null) },
  { ja: '証跡', en: 'Evidence', width: 16, value: (d) => joinList(d.evidence) },
  { ja: '提案者', en: 'Proposed by', width: 10, value: (d) => personLabel(d.proposedBy, d.proposedByName) },
  { ja: '提案日時', en: 'Proposed at', width: 15, value: (d) => localDate(d.proposedAt) },
  { ja: '承認・却下者', en: 'Reviewed by', width: 10, value: (d) => (d.approvedBy ? personLabel(d.approvedBy, d.approvedByName) : d.rejectedBy ? personLabel(d.rejectedBy, d.rejectedByName) : null) },
  { ja: '承認・却下日時', en: 'Reviewed at', width: 15, value: (d) => { const at = d.approvedAt ?? d.rejectedAt; return at ? localDate(at) : null; } },
  { ja: '却下理由', en: 'Rejection reason', width: 14, value: (d) => d.rejectReason },
  { ja: '出典', en: 'Source', width: 14, value: (d) => d.source },
];

const riskColumns: PrintColumn<Risk>[] = [
  { ja: 'リスクID', en: 'Risk ID', width: 7, value: (r) => r.id },
  { ja: 'リスク', en: 'Title', width: 24, value: (r) => r.title },
  { ja: 'クラウドサービス', en: 'Cloud service', width: 13, value: (r) => r.service },
  { ja: '資産', en: 'Asset', width: 13, value: (r) => r.asset },
  { ja: 'CIA', en: 'CIA', width: 5, center: true, value: (r) => `${r.cia.confidentiality ? 'C' : ''}${r.cia.integrity ? 'I' : ''}${r.cia.availability ? 'A' : ''}` },
  { ja: '脅威', en: 'Threat', width: 18, value: (r) => r.threat },
  { ja: 'ぜい弱性', en: 'Vulnerability', width: 18, value: (r) => r.vulnerability },
  { ja: 'リスク所有者', en: 'Risk owner', width: 11, value: (r) => personLabel(r.owner, r.ownerName) },
  { ja: '起こりやすさ', en: 'Likelihood', width: 9, center: true, value: (r) => r.likelihood },
  { ja: '影響', en: 'Impact', width: 7, center: true, value: (r) => r.impact },
  { ja: 'リスク値', en: 'Score', width: 7, center: true, value: (r) => r.score },
  { ja: 'レベル', en: 'Level', width: 8, value: (r) => r.level },
  { ja: '対応', en: 'Treatment', width: 9, value: (r) => r.treatment },
  { ja: '管理策', en: 'Controls', width: 14, value: (r) => joinList(r.controls) },
  { ja: '残留リスク', en: 'Residual', width: 8, center: true, value: (r) => r.residual },
  { ja: '状態', en: 'Status', width: 9, value: (r) => r.status },
  { ja: '次回見直し', en: 'Next review', width: 11, value: (r) => r.nextReview },
  { ja: '版', en: 'Version', width: 5, center: true, value: (r) => r.version },
];

/** The SoA workbook in memory. */
export async function toXlsx(data: SoaExport): Promise<ExcelJS.Workbook> {
  // Loaded here, not at start-up: exceljs takes about 0.7 s to load, and only an XLSX export needs it.
  const { default: Excel } = await import('exceljs');
  const wb = new Excel.Workbook();
  addSheets(wb, data);
  return wb;
}

/** The SoA workbook streamed to `file`: each sheet's rows go out as they are made. */
async function writeXlsx(data: SoaExport, file: string): Promise<void> {
  const wb = streamingWorkbook(file);
  addSheets(wb, data);
  await wb.commit();
}

function addSheets(wb: ExcelJS.Workbook, data: SoaExport): void {
  wb.creator = 'ISMS Cloud Assistant';
  wb.created = data.generatedAt;
  const title = `適用宣言書 / Statement of Applicability — ${editionTitle(data.edition)}`;
  const short = [
    ['文書の版 / Document version', versionText(data.publication)],
    ['作成日時 / Generated', generatedText(data.generatedAt)],
  ] as [string, string][];

  addPrintSheet(wb, {
    name: '適用宣言書 SoA', title, cover: cover(data), columns: columnsOf(data.edition), rows: data.rows, section: sectionOf,
    footer: footer(data, data.edition === '2022' ? 'ISO/IEC 27001:2022' : 'ISO/IEC 27001:2013'), freeze: data.edition === '2022' ? 2 : 1, tabColor: 'FF1F4E78',
  });
  addPrintSheet(wb, {
    name: '詳細 Detail', title: '適用宣言書 詳細 / SoA detail: evidence, proposers, sources, pending proposals', cover: short,
    columns: detailSheetColumns(data.edition), rows: data.rows, section: sectionOf, footer: footer(data, '詳細 Detail'), freeze: data.edition === '2022' ? 2 : 1,
  });
  addPrintSheet(wb, {
    name: '改訂履歴 History', title: '改訂履歴 / History of decisions (every version, oldest first)', cover: short,
    columns: historyColumns, rows: data.history, footer: footer(data, '改訂履歴 History'), freeze: 1,
  });
  addPrintSheet(wb, {
    name: 'リスク Risks', title: 'リスク登録簿 / Risk register (JIP-ISMS517 4.2.1)', cover: short,
    columns: riskColumns, rows: data.risks, footer: footer(data, 'リスク Risks'), freeze: 2,
  });
}

export async function writeExport(data: SoaExport, format: ExportFormat, file: string): Promise<void> {
  zone = data.timezone ?? 'Asia/Tokyo';
  if (format === 'xlsx') return writeXlsx(data, file);
  writeFileSync(file, format === 'csv' ? toCsv(data) : toMarkdown(data), 'utf8');
}
