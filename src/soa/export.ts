// Auditor-ready exports of the SoA (適用宣言書): XLSX (Japanese and English columns), CSV (UTF-8 with BOM) and Markdown.
// Every export shows, for each control, the 27017 role flags, whether 27017 extends or adds it, and the 2022 mapping.
import { writeFileSync } from 'node:fs';
import type ExcelJS from 'exceljs';
import { ids2022, type Edition } from '../catalog/catalog.js';
import type { Decision, SoaRow } from './decisions.js';
import { mapping2022, roleLabel, statusLabel } from './format.js';
import type { Profile } from './profile.js';
import type { Risk } from './risks.js';
import type { Role } from './context.js';

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
}

type Cell = string | number | Date | null;
interface Column { ja: string; en: string; width: number; value: (r: SoaRow) => Cell }

const mark = (b: boolean) => (b ? '○' : null);
const joinList = (xs: string[] | undefined) => (xs?.length ? xs.join('; ') : null);

/** The time zone of every date in an export (ISMS_TIMEZONE), set by writeExport before anything is formatted. */
let zone = 'Asia/Tokyo';

/**
 * Wall-clock time in the export's time zone (not the host's: a container runs in UTC), as a Date whose UTC fields
 * hold that time, which is how Excel and the text exports show it.
 */
export function localDate(iso: string, timeZone = zone): Date {
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-US', {
    timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
  }).formatToParts(new Date(iso)).map((p) => [p.type, Number(p.value)]));
  return new Date(Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!));
}
const localText = (iso: string | null | undefined) => (iso ? localDate(iso).toISOString().slice(0, 16).replace('T', ' ') : null);

/** What was decided: the same columns in both editions. */
const decisionColumns: Column[] = [
  { ja: '適用', en: 'Applicable', width: 12, value: (r) => (!r.current ? '未決定 undecided' : r.current.applicable ? '適用 yes' : '除外 no') },
  { ja: '採用理由', en: 'Reasons for inclusion', width: 28, value: (r) => joinList(r.current?.reasons) },
  { ja: '除外理由', en: 'Justification for exclusion', width: 36, value: (r) => r.current?.justification ?? null },
  { ja: '実施状況', en: 'Implementation status', width: 18, value: (r) => (r.current ? `${statusLabel[r.current.status].ja} ${statusLabel[r.current.status].en}` : null) },
  { ja: '責任者', en: 'Owner', width: 14, value: (r) => r.current?.owner ?? null },
  { ja: '証跡', en: 'Evidence', width: 24, value: (r) => joinList(r.current?.evidence) },
  { ja: '版', en: 'Version', width: 7, value: (r) => r.current?.version ?? null },
  { ja: '決定日', en: 'Decision date', width: 17, value: (r) => (r.current?.approvedAt ? localDate(r.current.approvedAt) : null) },
  { ja: '承認者', en: 'Approved by', width: 14, value: (r) => r.current?.approvedBy ?? null },
  { ja: '提案者', en: 'Proposed by', width: 14, value: (r) => r.current?.proposedBy ?? null },
  { ja: '出典', en: 'Source', width: 20, value: (r) => r.current?.source ?? null },
  { ja: '承認待ちの提案', en: 'Pending proposal', width: 26, value: (r) => (r.pending ? pendingText(r.pending) : null) },
];

const kind27017 = (r: SoaRow) => (r.entry.kind === 'cld' ? '追加 added (CLD)' : r.entry.extended ? '拡張 extended' : '');

/** The 2013 edition: 114 Annex A controls and 7 CLD controls, with the 2022 mapping as a column. */
export const columns2013: Column[] = [
  { ja: '管理策番号', en: 'Control ID', width: 12, value: (r) => r.entry.id },
  { ja: '管理策名', en: 'Control (Japanese)', width: 30, value: (r) => r.entry.title.ja },
  { ja: '管理策名（英語）', en: 'Control', width: 34, value: (r) => r.entry.title.en },
  { ja: '27017', en: '27017', width: 14, value: kind27017 },
  { ja: 'カスタマ', en: 'Customer', width: 10, value: (r) => mark(r.entry.cloudGuidance.customer) },
  { ja: 'プロバイダ', en: 'Provider', width: 10, value: (r) => mark(r.entry.cloudGuidance.provider) },
  { ja: '自組織の役割に関係', en: 'Relevant to our roles', width: 12, value: (r) => (r.relevant ? '○' : '－') },
  { ja: 'ISO/IEC 27001:2022', en: '2022 mapping', width: 16, value: (r) => mapping2022(r.entry) },
  ...decisionColumns,
];

/**
 * The 2022 edition: the 93 Annex A controls, then each ISO/IEC 27017 cloud item once per role in scope. The 2022,
 * 2013 and 27017 columns cross-reference both ways: an Annex A row names its 2013 sources and the 27017 items that
 * bear on it; a 27017 row names the 2022 controls it maps to.
 */
export const columns2022: Column[] = [
  { ja: '区分', en: 'Section', width: 14, value: (r) => (r.role ? 'ISO/IEC 27017' : 'ISO/IEC 27001:2022') },
  { ja: '管理策番号', en: 'Control ID', width: 11, value: (r) => r.entry.id },
  { ja: '役割', en: 'Role', width: 12, value: (r) => (r.role ? `${r.role === 'customer' ? 'カスタマ' : 'プロバイダ'} ${r.role}` : null) },
  { ja: '管理策名', en: 'Control (Japanese)', width: 30, value: (r) => r.entry.title.ja },
  { ja: '管理策名（英語）', en: 'Control', width: 34, value: (r) => r.entry.title.en },
  { ja: 'テーマ・種別', en: 'Theme or 27017 kind', width: 14, value: (r) => (r.role ? kind27017(r) : r.entry.clause?.title.ja ?? null) },
  { ja: '2022', en: '2022', width: 10, value: (r) => (r.role ? ids2022(r.entry).join(', ') : r.entry.id) },
  { ja: '2013', en: '2013', width: 16, value: (r) => (r.role ? (r.entry.kind === 'control' ? r.entry.id : null) : r.entry.annex2022?.isNew ? '新規 new' : r.entry.annex2022?.from2013.join(', ') ?? null) },
  { ja: '27017', en: '27017', width: 18, value: (r) => (r.role ? null : r.entry.annex2022?.cloud.join(', ') || null) },
  ...decisionColumns,
];

export const columnsOf = (edition: Edition) => (edition === '2022' ? columns2022 : columns2013);
/** The 2013 layout, kept under its old name for readers of earlier exports. */
export const columns = columns2013;

const editionTitle = (e: Edition) => (e === '2022' ? 'ISO/IEC 27001:2022 附属書A・ISO/IEC 27017:2015 / Annex A and cloud items' : 'ISO/IEC 27001:2013 附属書A・ISO/IEC 27017:2015');

function pendingText(d: Decision): string {
  return `v${d.version} ${d.applicable ? 'applicable' : 'not applicable'}, ${d.status}, by ${d.proposedBy} ${localText(d.proposedAt)}`;
}

export const headerText = (c: Column) => (c.ja === c.en ? c.ja : `${c.ja} / ${c.en}`);

function textOf(v: Cell): string {
  if (v == null) return '';
  if (v instanceof Date) return v.toISOString().slice(0, 16).replace('T', ' ');
  return String(v);
}

function rolesText(roles: Role[]): string {
  return roles.map((r) => `${roleLabel[r].ja} (${roleLabel[r].en})`).join(', ');
}

export function toCsv(data: SoaExport): string {
  const quote = (s: string) => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const cols = columnsOf(data.edition);
  const lines = [cols.map((c) => quote(headerText(c))), ...data.rows.map((r) => cols.map((c) => quote(textOf(c.value(r)))))];
  return `\uFEFF${lines.map((l) => l.join(',')).join('\r\n')}\r\n`;
}

export function toMarkdown(data: SoaExport): string {
  const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\r?\n/g, '<br>');
  const decided = data.rows.filter((r) => r.current).length;
  const head = [
    '# 適用宣言書 / Statement of Applicability',
    '',
    `- 適用範囲 / Scope: ${data.profile?.scope ?? '(no profile set)'}`,
    ...(data.profile?.services.map((s) => `  - ${s.name}: ${s.role}, ${s.model}${s.runsOn ? `, runs on ${s.runsOn}` : ''}`) ?? []),
    `- 対象の役割 / Roles in scope: ${rolesText(data.roles)}`,
    `- 版 / Edition: ${editionTitle(data.edition)}`,
    `- 作成日時 / Generated: ${localText(data.generatedAt.toISOString())} (${zone}; every date in this file is in this time zone)`,
    `- 承認済みの決定 / Approved decisions: ${decided} of ${data.rows.length}`,
    '',
    '27017: 拡張 extended = 27002 control with ISO/IEC 27017 guidance; 追加 added = ISO/IEC 27017 CLD control. ○ = 27017 gives guidance for that role.',
    '',
  ];
  const cols = columnsOf(data.edition);
  const table = (rows: SoaRow[]) => [
    `| ${cols.map((c) => cell(headerText(c))).join(' | ')} |`,
    `|${cols.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${cols.map((c) => cell(textOf(c.value(r)))).join(' | ')} |`),
  ];
  if (data.edition === '2013') return `${[...head, ...table(data.rows)].join('\n')}\n`;
  const annex = data.rows.filter((r) => !r.role);
  const cloud = data.rows.filter((r) => r.role);
  return `${[
    ...head,
    `## ISO/IEC 27001:2022 附属書A / Annex A (${annex.length})`, '', ...table(annex), '',
    `## ISO/IEC 27017:2015 クラウド項目（役割ごと） / Cloud items per role (${cloud.length})`, '',
    '27017 の拡張管理策と CLD 管理策を、適用範囲の役割（カスタマ・プロバイダ）ごとに 1 行ずつ。 / Each 27017 extended or CLD control once per role in scope.', '',
    ...table(cloud),
  ].join('\n')}\n`;
}

const headerStyle: Partial<ExcelJS.Style> = {
  font: { bold: true, color: { argb: 'FFFFFFFF' } },
  fill: { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FF1F4E78' } },
  alignment: { wrapText: true, vertical: 'middle', horizontal: 'center' },
};

/** Adds a sheet whose table starts at `headerRow`, with that row frozen and filters on it. */
function addTable(ws: ExcelJS.Worksheet, headerRow: number, cols: { header: string; width: number }[], rows: Cell[][], xSplit = 0): void {
  cols.forEach((c, i) => (ws.getColumn(i + 1).width = c.width));
  const header = ws.getRow(headerRow);
  header.values = cols.map((c) => c.header);
  header.height = 32;
  header.eachCell((cell) => (cell.style = headerStyle));
  for (const values of rows) {
    const row = ws.addRow(values);
    row.alignment = { wrapText: true, vertical: 'top' };
    row.eachCell((cell) => {
      if (cell.value instanceof Date) cell.numFmt = 'yyyy-mm-dd hh:mm';
    });
  }
  const topLeftCell = ws.getCell(headerRow + 1, xSplit + 1).address;
  ws.views = [{ state: 'frozen', xSplit, ySplit: headerRow, topLeftCell, activeCell: topLeftCell }];
  ws.autoFilter = { from: { row: headerRow, column: 1 }, to: { row: headerRow + Math.max(rows.length, 1), column: cols.length } };
}

export async function toXlsx(data: SoaExport): Promise<ExcelJS.Workbook> {
  // Loaded here, not at start-up: exceljs takes about 0.7 s to load, and only an XLSX export needs it.
  const { default: Excel } = await import('exceljs');
  const wb = new Excel.Workbook();
  wb.creator = 'ISMS Cloud Assistant';
  wb.created = data.generatedAt;

  const soa = wb.addWorksheet('適用宣言書 SoA', { properties: { tabColor: { argb: 'FF1F4E78' } } });
  const cols = columnsOf(data.edition);
  soa.getCell('A1').value = `適用宣言書 / Statement of Applicability (${editionTitle(data.edition)})`;
  soa.getCell('A1').font = { bold: true, size: 14 };
  soa.getCell('A2').value = `適用範囲 / Scope: ${data.profile?.scope ?? '(no profile set)'}`;
  const decided = data.rows.filter((r) => r.current).length;
  soa.getCell('A3').value = `対象の役割 / Roles in scope: ${rolesText(data.roles)}    作成日時 / Generated: ${localText(data.generatedAt.toISOString())} (${zone})`
    + `    承認済み / Approved: ${decided} / ${data.rows.length}`;
  for (const r of [1, 2, 3]) soa.mergeCells(r, 1, r, cols.length);
  addTable(soa, 4, cols.map((c) => ({ header: `${c.ja}\n${c.en}`, width: c.width })), data.rows.map((r) => cols.map((c) => c.value(r))), data.edition === '2022' ? 3 : 1);

  const history = wb.addWorksheet('改訂履歴 History');
  const historyCols: { header: string; width: number; value: (d: Decision) => Cell }[] = [
    { header: '管理策番号\nControl ID', width: 12, value: (d) => d.controlId },
    { header: '版\nVersion', width: 8, value: (d) => d.version },
    { header: '状態\nState', width: 12, value: (d) => d.state },
    { header: '適用\nApplicable', width: 10, value: (d) => (d.applicable ? 'yes' : 'no') },
    { header: '実施状況\nStatus', width: 16, value: (d) => d.status },
    { header: '採用理由\nReasons', width: 24, value: (d) => joinList(d.reasons) },
    { header: '除外理由\nJustification', width: 30, value: (d) => d.justification },
    { header: '責任者\nOwner', width: 14, value: (d) => d.owner },
    { header: '証跡\nEvidence', width: 20, value: (d) => joinList(d.evidence) },
    { header: '提案者\nProposed by', width: 14, value: (d) => d.proposedBy },
    { header: '提案日時\nProposed at', width: 17, value: (d) => localDate(d.proposedAt) },
    { header: '承認・却下者\nReviewed by', width: 14, value: (d) => d.approvedBy ?? d.rejectedBy },
    { header: '承認・却下日時\nReviewed at', width: 17, value: (d) => { const at = d.approvedAt ?? d.rejectedAt; return at ? localDate(at) : null; } },
    { header: '却下理由\nRejection reason', width: 24, value: (d) => d.rejectReason },
    { header: '出典\nSource', width: 20, value: (d) => d.source },
  ];
  addTable(history, 1, historyCols, data.history.map((d) => historyCols.map((c) => c.value(d))));

  const risks = wb.addWorksheet('リスク Risks');
  const riskCols: { header: string; width: number; value: (r: Risk) => Cell }[] = [
    { header: 'リスクID\nRisk ID', width: 9, value: (r) => r.id },
    { header: 'リスク\nTitle', width: 30, value: (r) => r.title },
    { header: 'クラウドサービス\nCloud service', width: 18, value: (r) => r.service },
    { header: '資産\nAsset', width: 18, value: (r) => r.asset },
    { header: 'CIA', width: 6, value: (r) => `${r.cia.confidentiality ? 'C' : ''}${r.cia.integrity ? 'I' : ''}${r.cia.availability ? 'A' : ''}` },
    { header: '脅威\nThreat', width: 22, value: (r) => r.threat },
    { header: 'ぜい弱性\nVulnerability', width: 22, value: (r) => r.vulnerability },
    { header: 'リスク所有者\nRisk owner', width: 14, value: (r) => r.owner },
    { header: '起こりやすさ\nLikelihood', width: 10, value: (r) => r.likelihood },
    { header: '影響\nImpact', width: 8, value: (r) => r.impact },
    { header: 'リスク値\nScore', width: 8, value: (r) => r.score },
    { header: 'レベル\nLevel', width: 9, value: (r) => r.level },
    { header: '対応\nTreatment', width: 10, value: (r) => r.treatment },
    { header: '管理策\nControls', width: 18, value: (r) => joinList(r.controls) },
    { header: '残留リスク\nResidual', width: 10, value: (r) => r.residual },
    { header: '状態\nStatus', width: 10, value: (r) => r.status },
    { header: '次回見直し\nNext review', width: 12, value: (r) => r.nextReview },
    { header: '版\nVersion', width: 7, value: (r) => r.version },
  ];
  addTable(risks, 1, riskCols, data.risks.map((r) => riskCols.map((c) => c.value(r))));
  return wb;
}

export async function writeExport(data: SoaExport, format: ExportFormat, file: string): Promise<void> {
  zone = data.timezone ?? 'Asia/Tokyo';
  if (format === 'xlsx') return (await toXlsx(data)).xlsx.writeFile(file);
  writeFileSync(file, format === 'csv' ? toCsv(data) : toMarkdown(data), 'utf8');
}
