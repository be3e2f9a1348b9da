// The print layout shared by the documents an auditor receives (適用宣言書, 責任分界表): A4 landscape, one page wide,
// the header row repeated on every page, borders, wrapped text in rows tall enough to show all of it, a Japanese
// font, a cover block above the table and a footer with the document version and "page x / y". Also the CSV and
// Markdown forms of the same tables, so every format lists the same rows in the same order.
import type ExcelJS from 'exceljs';

export type Cell = string | number | Date | null;

export interface PrintColumn<T> {
  ja: string;
  en: string;
  /** Excel column width (characters of the default font). */
  width: number;
  /** The value of the row: CSV, Markdown, and the XLSX cell of a row drawn on one line. */
  value: (r: T) => Cell;
  /** XLSX only: the value on physical line i of a row drawn on several lines. Columns without it are merged down. */
  line?: (r: T, i: number) => Cell;
  /** XLSX only: on a row drawn on several lines, repeat the value on each line (the ID, so a page break loses none). */
  repeat?: boolean;
  /** Excel number format of dates or numbers in this column. */
  numFmt?: string;
  center?: boolean;
}

/**
 * A published version of a document (issue 13, item 2: `soa publish`). Until one exists every document is a draft and
 * says so on its cover and on every page footer.
 */
export interface Publication {
  version: number;
  by: string;
  /** The publisher's display name when published (a Slack user). */
  byName?: string | null;
  /** ISO time of publication. */
  at: string;
  note?: string | null;
}

/**
 * MS PGothic (ＭＳ Ｐゴシック): on every Windows and in Office for Mac, with compact line spacing (Yu Gothic's is about
 * 1.7 em in Excel, which wastes a third of every row). LibreOffice without it draws the Japanese text in a CJK font it
 * has (Noto Sans CJK JP from fonts-noto-cjk) and the Latin text in its default sans. Charset 128 (Shift_JIS) tells
 * Excel to choose another Japanese font if MS PGothic is missing.
 */
export const printFont: Partial<ExcelJS.Font> = { name: 'MS PGothic', charset: 128, family: 2, size: 9 };
const fontSize = printFont.size!;
/**
 * Line height in points: the taller of MS PGothic in Excel (1.2 em) and Noto Sans CJK JP in LibreOffice (1.45 em), so
 * that no renderer cuts the last line.
 */
const lineHeight = fontSize * 1.45;
/** Excel refuses rows taller than this. */
const maxRowHeight = 409;

const thin: Partial<ExcelJS.Borders> = {
  top: { style: 'thin' }, left: { style: 'thin' }, bottom: { style: 'thin' }, right: { style: 'thin' },
};
const headerFill: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FF1F4E78' } };
const labelFill: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFE7EEF6' } };
const bannerFill: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFD6E2F0' } };

/** Width of a character in half-width cells of the print font: Japanese (and other wide) characters count double. */
function charWidth(ch: string): number {
  const cp = ch.codePointAt(0)!;
  if (cp >= 0xff61 && cp <= 0xff9f) return 1; // half-width katakana
  if (cp >= 0x2000) return 2; // CJK, full-width forms, and the dashes, arrows and symbols CJK fonts draw full-width
  if (ch === ' ') return 0.6;
  if (/[A-Z@#%&MW]/.test(ch)) return 1.35;
  if (/[a-z0-9]/.test(ch)) return 1.1;
  return 0.8;
}

/** Lines a paragraph takes when wrapped into `capacity` half-width cells: Latin wraps at spaces, Japanese anywhere. */
function paragraphLines(text: string, capacity: number): number {
  let lines = 1;
  let pos = 0;
  let word = 0;
  const place = (w: number) => {
    if (pos > 0 && pos + w > capacity) {
      lines++;
      pos = 0;
    }
    while (w > capacity) { // a word longer than the line breaks inside
      lines++;
      w -= capacity;
    }
    pos += w;
  };
  for (const ch of text) {
    const w = charWidth(ch);
    if (w === 2) {
      if (word) place(word);
      word = 0;
      place(2);
    } else if (ch === ' ') {
      if (word) place(word);
      word = 0;
      pos += w;
    } else {
      word += w;
    }
  }
  if (word) place(word);
  return lines;
}

/** Lines the text of a cell takes in a column `width` characters wide at the print font size (bold: a little wider). */
export function wrappedLines(text: string, width: number, bold = false): number {
  const px = width * 7 - 5; // Excel: 7 px per character of the default font (Calibri 11), minus the cell padding
  const half = ((fontSize * 96) / 72 / 2) * (bold ? 1.08 : 1);
  const capacity = Math.max(1, Math.floor(px / half));
  return text.split(/\r?\n/).reduce((n, p) => n + paragraphLines(p, capacity), 0);
}

/** The row height in points that shows `lines` lines of text. */
export const rowHeight = (lines: number) => Math.min(maxRowHeight, Math.ceil(lines * lineHeight + 4));

export function cellText(v: Cell): string {
  if (v == null) return '';
  if (v instanceof Date) return v.toISOString().slice(0, 16).replace('T', ' ');
  return String(v);
}

export const headerText = (c: { ja: string; en: string }) => (c.ja === c.en ? c.ja : `${c.ja} / ${c.en}`);

/** The document version as printed on the cover and the footer. */
export function versionText(p: Publication | null | undefined): string {
  return p ? `第${p.version}版 / version ${p.version}` : '草案（未発行） / draft — not published';
}

export interface PrintSheet<T> {
  name: string;
  /** The document title, the first line of the cover. */
  title: string;
  /** The cover block: label and value, one line each, above the table. */
  cover?: [label: string, value: string][];
  columns: PrintColumn<T>[];
  rows: T[];
  /** A banner row is printed wherever this changes (themes, clauses, the 27017 part). */
  section?: (r: T) => string | null;
  /** Physical lines of a row; columns with `line` vary per line, `repeat` ones repeat, the others are merged down. */
  lines?: (r: T) => number;
  /** Left part of the footer; "page &P / &N" is added on the right. */
  footer: string;
  /** Columns frozen at the left when the sheet is viewed. */
  freeze?: number;
  tabColor?: string;
}

const escapeHeaderFooter = (s: string) => s.replace(/&/g, '&&');

/**
 * Adds a sheet laid out for printing: cover block, bilingual header row (repeated on every printed page), bordered
 * table with wrapped text and row heights estimated from the text, A4 landscape fitted to one page wide.
 * Returns the row number of the header.
 */
export function addPrintSheet<T>(wb: ExcelJS.Workbook, s: PrintSheet<T>): number {
  const n = s.columns.length;
  const widths = s.columns.map((c) => c.width);
  const span = (from: number, to: number) => widths.slice(from - 1, to).reduce((a, b) => a + b, 0);
  const ws = wb.addWorksheet(s.name, { properties: s.tabColor ? { tabColor: { argb: s.tabColor } } : {} });
  s.columns.forEach((c, i) => (ws.getColumn(i + 1).width = c.width));

  const title = ws.getRow(1);
  title.getCell(1).value = s.title;
  title.getCell(1).font = { ...printFont, size: 13, bold: true };
  title.getCell(1).alignment = { vertical: 'middle' };
  title.height = 24;
  ws.mergeCells(1, 1, 1, n);

  // Cover block: the label spans the first columns (at least 18 characters wide), the value the rest.
  let labelTo = 1;
  while (labelTo < n - 1 && span(1, labelTo) < 18) labelTo++;
  let r = 2;
  for (const [label, value] of s.cover ?? []) {
    const row = ws.getRow(r);
    row.getCell(1).value = label;
    row.getCell(labelTo + 1).value = value;
    for (let c = 1; c <= n; c++) {
      const cell = row.getCell(c);
      cell.border = thin;
      cell.alignment = { wrapText: true, vertical: 'top' };
      cell.font = c <= labelTo ? { ...printFont, bold: true } : printFont;
      if (c <= labelTo) cell.fill = labelFill;
    }
    row.height = rowHeight(Math.max(wrappedLines(label, span(1, labelTo), true), wrappedLines(value, span(labelTo + 1, n))));
    ws.mergeCells(r, 1, r, labelTo);
    ws.mergeCells(r, labelTo + 1, r, n);
    r++;
  }
  ws.getRow(r).height = 8; // a gap between the cover and the table
  const headerRow = r + 1;

  const header = ws.getRow(headerRow);
  s.columns.forEach((c, i) => {
    const cell = header.getCell(i + 1);
    cell.value = c.ja === c.en ? c.ja : `${c.ja}\n${c.en}`;
    cell.font = { ...printFont, bold: true, color: { argb: 'FFFFFFFF' } };
    cell.fill = headerFill;
    cell.border = thin;
    cell.alignment = { wrapText: true, vertical: 'middle', horizontal: 'center' };
  });
  header.height = rowHeight(Math.max(...s.columns.map((c) => wrappedLines(c.ja === c.en ? c.ja : `${c.ja}\n${c.en}`, c.width, true))));

  const style = (cell: ExcelJS.Cell, c: PrintColumn<T>) => {
    cell.font = printFont;
    cell.border = thin;
    cell.alignment = { wrapText: true, vertical: 'top', horizontal: c.center ? 'center' : 'left' };
    if (c.numFmt) cell.numFmt = c.numFmt;
    else if (cell.value instanceof Date) cell.numFmt = 'yyyy-mm-dd hh:mm';
  };
  const need = (v: Cell, c: PrintColumn<T>) => (v == null ? 1 : wrappedLines(c.numFmt && v instanceof Date ? c.numFmt : cellText(v), c.width));

  let section: string | null = null;
  r = headerRow + 1;
  for (const item of s.rows) {
    const next = s.section?.(item) ?? null;
    if (next !== null && next !== section) {
      const banner = ws.getRow(r++);
      banner.getCell(1).value = next;
      for (let c = 1; c <= n; c++) {
        const cell = banner.getCell(c);
        cell.font = { ...printFont, bold: true };
        cell.fill = bannerFill;
        cell.border = { top: { style: 'thin' }, bottom: { style: 'thin' }, ...(c === 1 ? { left: { style: 'thin' } } : {}), ...(c === n ? { right: { style: 'thin' } } : {}) };
        cell.alignment = { vertical: 'middle' };
      }
      banner.height = rowHeight(1);
    }
    section = next;
    const k = Math.max(1, s.lines?.(item) ?? 1);
    const heights: number[] = [];
    for (let i = 0; i < k; i++) {
      const row = ws.getRow(r + i);
      let lines = 1;
      s.columns.forEach((c, j) => {
        const v = c.line ? c.line(item, i) : i === 0 || c.repeat ? c.value(item) : null;
        const cell = row.getCell(j + 1);
        cell.value = v;
        style(cell, c);
        if (c.line || k === 1) lines = Math.max(lines, need(v, c));
      });
      heights.push(rowHeight(lines));
    }
    if (k > 1) {
      // Merged cells must fit in the lines they span together; any shortfall goes to the last line.
      const merged = Math.max(1, ...s.columns.filter((c) => !c.line && !c.repeat).map((c) => need(c.value(item), c)));
      const short = rowHeight(merged) - heights.reduce((a, b) => a + b, 0);
      if (short > 0) heights[k - 1] = Math.min(maxRowHeight, heights[k - 1]! + short);
      s.columns.forEach((c, j) => {
        if (!c.line && !c.repeat) ws.mergeCells(r, j + 1, r + k - 1, j + 1);
      });
    }
    heights.forEach((h, i) => (ws.getRow(r + i).height = h));
    r += k;
  }

  const last = Math.max(r - 1, headerRow + 1);
  ws.autoFilter = { from: { row: headerRow, column: 1 }, to: { row: last, column: n } };
  const topLeftCell = ws.getCell(headerRow + 1, (s.freeze ?? 0) + 1).address;
  ws.views = [{ state: 'frozen', xSplit: s.freeze ?? 0, ySplit: headerRow, topLeftCell, activeCell: topLeftCell }];
  ws.pageSetup = {
    paperSize: 9, // A4
    orientation: 'landscape',
    fitToPage: true,
    fitToWidth: 1,
    fitToHeight: 0, // as many pages down as it takes
    horizontalCentered: true,
    printTitlesRow: `${headerRow}:${headerRow}`,
    margins: { left: 0.4, right: 0.4, top: 0.5, bottom: 0.6, header: 0.25, footer: 0.3 },
  } as Partial<ExcelJS.PageSetup> as ExcelJS.PageSetup;
  ws.headerFooter = {
    oddFooter: `&L&8${escapeHeaderFooter(s.footer)}&R&8page &P / &N`,
  } as ExcelJS.HeaderFooter;
  return headerRow;
}

/** CSV (UTF-8 with a BOM, so Excel in Japan opens it as UTF-8): one record per row, bilingual headers. */
export function csvTable<T>(columns: PrintColumn<T>[], rows: T[]): string {
  const quote = (s: string) => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const lines = [columns.map((c) => quote(headerText(c))), ...rows.map((r) => columns.map((c) => quote(cellText(c.value(r)))))];
  return `\uFEFF${lines.map((l) => l.join(',')).join('\r\n')}\r\n`;
}

/** A Markdown table: one line per row, pipes escaped, line breaks as <br>. */
export function markdownTable<T>(columns: PrintColumn<T>[], rows: T[]): string[] {
  const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\r?\n/g, '<br>');
  return [
    `| ${columns.map((c) => cell(headerText(c))).join(' | ')} |`,
    `|${columns.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${columns.map((c) => cell(cellText(c.value(r)))).join(' | ')} |`),
  ];
}
