// The print layout shared by the documents an auditor receives (適用宣言書, 責任分界表): A4 landscape, one page wide,
// the header row repeated on every page, borders, wrapped text in rows tall enough to show all of it, a Japanese
// font, a cover block above the table and a footer with the document version and "page x / y". Also the CSV and
// Markdown forms of the same tables, so every format lists the same rows in the same order.
import { createRequire } from 'node:module';
import type ExcelJS from 'exceljs';

export type Cell = string | number | Date | null;

/**
 * A workbook that streams to `file` as its sheets are added (exceljs's stream.xlsx.WorkbookWriter, with styles and
 * shared strings): only its writer is loaded (about a third of the time of all of exceljs), and a sheet's rows are
 * written out as soon as they are complete. Call commit() when every sheet is added.
 */
export function streamingWorkbook(file: string): ExcelJS.stream.xlsx.WorkbookWriter {
  const Writer = require('exceljs/lib/stream/xlsx/workbook-writer.js') as typeof ExcelJS.stream.xlsx.WorkbookWriter;
  return new Writer({ filename: file, useStyles: true, useSharedStrings: true });
}

const require = createRequire(import.meta.url);

interface PrintOptionsXform { toXml(model: Partial<ExcelJS.PageSetup>): string }

/**
 * exceljs's streaming sheet (4.4) writes no <printOptions>, so horizontal centring on the page would be lost: it is
 * written just before the page margins, where a sheet in memory writes it. A sheet in memory is left alone.
 */
function keepPrintOptions(ws: ExcelJS.Worksheet): void {
  const sheet = ws as unknown as { _writePageMargins?: () => void; stream: { write(xml: string): void }; pageSetup: Partial<ExcelJS.PageSetup> };
  const margins = sheet._writePageMargins;
  if (typeof margins !== 'function') return;
  const Xform = require('exceljs/lib/xlsx/xform/sheet/print-options-xform.js') as new () => PrintOptionsXform;
  sheet._writePageMargins = function (this: typeof sheet) {
    const { showRowColHeaders, showGridLines, horizontalCentered, verticalCentered } = this.pageSetup;
    this.stream.write(new Xform().toXml({ showRowColHeaders, showGridLines, horizontalCentered, verticalCentered }));
    margins.call(this);
  };
}

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

/** Width of a character (by code point) in half-width cells of the print font: Japanese (and other wide) characters count double. */
function charWidth(cp: number): number {
  if (cp >= 0xff61 && cp <= 0xff9f) return 1; // half-width katakana
  if (cp >= 0x2000) return 2; // CJK, full-width forms, and the dashes, arrows and symbols CJK fonts draw full-width
  if (cp === 0x20) return 0.6; // space
  if ((cp >= 0x41 && cp <= 0x5a) || cp === 0x40 || cp === 0x23 || cp === 0x25 || cp === 0x26) return 1.35; // A-Z @ # % &
  if ((cp >= 0x61 && cp <= 0x7a) || (cp >= 0x30 && cp <= 0x39)) return 1.1; // a-z 0-9
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
  for (let i = 0; i < text.length; i++) {
    let cp = text.charCodeAt(i);
    if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < text.length) {
      const low = text.charCodeAt(i + 1);
      if (low >= 0xdc00 && low <= 0xdfff) {
        cp = (cp - 0xd800) * 0x400 + (low - 0xdc00) + 0x10000;
        i++;
      }
    }
    const w = charWidth(cp);
    if (w === 2) {
      if (word) place(word);
      word = 0;
      place(2);
    } else if (cp === 0x20) {
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

/** Lines of texts already measured, by width and weight (an export measures the same few values many times). */
const measured = new Map<string, number>();

/** Lines the text of a cell takes in a column `width` characters wide at the print font size (bold: a little wider). */
export function wrappedLines(text: string, width: number, bold = false): number {
  const px = width * 7 - 5; // Excel: 7 px per character of the default font (Calibri 11), minus the cell padding
  const half = ((fontSize * 96) / 72 / 2) * (bold ? 1.08 : 1);
  const capacity = Math.max(1, Math.floor(px / half));
  // No character is wider than 2: a short paragraph fits on one line whatever it holds.
  if (text.length * 2 <= capacity && !text.includes('\n')) return 1;
  const key = text.length <= 200 ? `${width}${bold ? 'b' : ''}|${text}` : undefined;
  const known = key === undefined ? undefined : measured.get(key);
  if (known !== undefined) return known;
  const lines = text.split(/\r?\n/).reduce((n, p) => n + paragraphLines(p, capacity), 0);
  if (key !== undefined) {
    if (measured.size >= 50_000) measured.clear();
    measured.set(key, lines);
  }
  return lines;
}

/** The row height in points that shows `lines` lines of text. */
export const rowHeight = (lines: number) => Math.min(maxRowHeight, Math.ceil(lines * lineHeight + 4));

export function cellText(v: Cell): string {
  if (v == null) return '';
  if (v instanceof Date) return v.toISOString().slice(0, 16).replace('T', ' ');
  return String(v);
}

/** For measuring: a date prints as "yyyy-mm-dd hh:mm", and every such text of years 0-9999 is as wide as this one. */
const dateText = (d: Date) => {
  const y = d.getUTCFullYear();
  return y >= 0 && y <= 9999 ? '2000-01-01 00:00' : cellText(d);
};

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

/** The column letters of column `c` (1 = A). */
function columnLetters(c: number): string {
  let out = '';
  for (let n = c; n > 0; n = Math.floor((n - 1) / 26)) out = String.fromCharCode(65 + ((n - 1) % 26)) + out;
  return out;
}

/**
 * Style objects shared by every cell that looks the same. exceljs keeps the style id of a style object it has seen, so
 * a shared object is worked out once per workbook, not once per cell. Never change one after it is made.
 */
function styles<T>(columns: PrintColumn<T>[]) {
  const n = columns.length;
  const body = columns.map((c) => {
    const base: Partial<ExcelJS.Style> = { font: printFont, border: thin, alignment: { wrapText: true, vertical: 'top', horizontal: c.center ? 'center' : 'left' } };
    return {
      plain: c.numFmt ? { ...base, numFmt: c.numFmt } : base,
      // A date in a column without a number format of its own.
      date: { ...base, numFmt: c.numFmt ?? 'yyyy-mm-dd hh:mm' },
    };
  });
  const bannerFont = { ...printFont, bold: true };
  const banner = Array.from({ length: n }, (_, i): Partial<ExcelJS.Style> => ({
    font: bannerFont, fill: bannerFill, alignment: { vertical: 'middle' },
    border: { top: { style: 'thin' }, bottom: { style: 'thin' }, ...(i === 0 ? { left: { style: 'thin' } } : {}), ...(i === n - 1 ? { right: { style: 'thin' } } : {}) },
  }));
  return { body, banner };
}

/** A worksheet of a workbook kept in memory (exceljs Workbook) or of one streamed to a file (stream.xlsx.WorkbookWriter). */
type Sheet = ExcelJS.Worksheet & { commit?: () => void };

/**
 * Adds a sheet laid out for printing: cover block, bilingual header row (repeated on every printed page), bordered
 * table with wrapped text and row heights estimated from the text, A4 landscape fitted to one page wide.
 * Works on a workbook in memory and on a streaming writer (ExcelJS.stream.xlsx.WorkbookWriter): each row is committed
 * when it is complete and the sheet when it is done, so a streamed sheet never holds more than one table row.
 * Returns the row number of the header.
 */
export function addPrintSheet<T>(wb: ExcelJS.Workbook, s: PrintSheet<T>): number {
  const n = s.columns.length;
  const widths = s.columns.map((c) => c.width);
  const span = (from: number, to: number) => widths.slice(from - 1, to).reduce((a, b) => a + b, 0);
  const cover = s.cover ?? [];
  // Title, the cover lines, a gap, then the header.
  const headerRow = cover.length + 3;
  const freeze = s.freeze ?? 0;
  const topLeftCell = `${columnLetters(freeze + 1)}${headerRow + 1}`;
  const views: Partial<ExcelJS.WorksheetView>[] = [{ state: 'frozen', xSplit: freeze, ySplit: headerRow, topLeftCell, activeCell: topLeftCell }];
  const pageSetup = {
    paperSize: 9, // A4
    orientation: 'landscape',
    fitToPage: true,
    fitToWidth: 1,
    fitToHeight: 0, // as many pages down as it takes
    horizontalCentered: true,
    printTitlesRow: `${headerRow}:${headerRow}`,
    margins: { left: 0.4, right: 0.4, top: 0.5, bottom: 0.6, header: 0.25, footer: 0.3 },
  } as Partial<ExcelJS.PageSetup> as ExcelJS.PageSetup;
  // A streaming writer writes the sheet properties and views when the sheet is added: they are given here.
  const ws: Sheet = wb.addWorksheet(s.name, { properties: s.tabColor ? { tabColor: { argb: s.tabColor } } : {}, views, pageSetup });
  keepPrintOptions(ws);
  s.columns.forEach((c, i) => (ws.getColumn(i + 1).width = c.width));
  const { body, banner } = styles(s.columns);

  const title = ws.getRow(1);
  title.getCell(1).value = s.title;
  title.getCell(1).font = { ...printFont, size: 13, bold: true };
  title.getCell(1).alignment = { vertical: 'middle' };
  title.height = 24;
  ws.mergeCells(1, 1, 1, n);
  title.commit();

  // Cover block: the label spans the first columns (at least 18 characters wide), the value the rest.
  let labelTo = 1;
  while (labelTo < n - 1 && span(1, labelTo) < 18) labelTo++;
  const labelStyle: Partial<ExcelJS.Style> = { border: thin, alignment: { wrapText: true, vertical: 'top' }, font: { ...printFont, bold: true }, fill: labelFill };
  const valueStyle: Partial<ExcelJS.Style> = { border: thin, alignment: { wrapText: true, vertical: 'top' }, font: printFont };
  let r = 2;
  for (const [label, value] of cover) {
    const row = ws.getRow(r);
    row.getCell(1).value = label;
    row.getCell(labelTo + 1).value = value;
    for (let c = 1; c <= n; c++) row.getCell(c).style = c <= labelTo ? labelStyle : valueStyle;
    row.height = rowHeight(Math.max(wrappedLines(label, span(1, labelTo), true), wrappedLines(value, span(labelTo + 1, n))));
    ws.mergeCells(r, 1, r, labelTo);
    ws.mergeCells(r, labelTo + 1, r, n);
    row.commit();
    r++;
  }
  ws.getRow(r).height = 8; // a gap between the cover and the table
  ws.getRow(r).commit();

  const header = ws.getRow(headerRow);
  const headerStyle: Partial<ExcelJS.Style> = {
    font: { ...printFont, bold: true, color: { argb: 'FFFFFFFF' } }, fill: headerFill, border: thin, alignment: { wrapText: true, vertical: 'middle', horizontal: 'center' },
  };
  s.columns.forEach((c, i) => {
    const cell = header.getCell(i + 1);
    cell.value = c.ja === c.en ? c.ja : `${c.ja}\n${c.en}`;
    cell.style = headerStyle;
  });
  header.height = rowHeight(Math.max(...s.columns.map((c) => wrappedLines(c.ja === c.en ? c.ja : `${c.ja}\n${c.en}`, c.width, true))));
  header.commit();

  const need = (v: Cell, c: PrintColumn<T>) => (v == null ? 1 : wrappedLines(c.numFmt && v instanceof Date ? c.numFmt : v instanceof Date ? dateText(v) : cellText(v), c.width));

  let section: string | null = null;
  r = headerRow + 1;
  const heights: number[] = [];
  for (const item of s.rows) {
    const next = s.section?.(item) ?? null;
    if (next !== null && next !== section) {
      const row = ws.getRow(r++);
      row.getCell(1).value = next;
      for (let c = 1; c <= n; c++) row.getCell(c).style = banner[c - 1]!;
      row.height = rowHeight(1);
      row.commit();
    }
    section = next;
    const k = Math.max(1, s.lines?.(item) ?? 1);
    heights.length = 0;
    for (let i = 0; i < k; i++) {
      const row = ws.getRow(r + i);
      let lines = 1;
      for (let j = 0; j < n; j++) {
        const c = s.columns[j]!;
        const v = c.line ? c.line(item, i) : i === 0 || c.repeat ? c.value(item) : null;
        const cell = row.getCell(j + 1);
        cell.value = v;
        cell.style = !c.numFmt && v instanceof Date ? body[j]!.date : body[j]!.plain;
        if (c.line || k === 1) lines = Math.max(lines, need(v, c));
      }
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
    ws.getRow(r + k - 1).commit();
    r += k;
  }

  const last = Math.max(r - 1, headerRow + 1);
  // The row the frozen panes start at exists even under an empty table (a sheet in memory writes it as an empty <row>;
  // a streamed sheet leaves a row without cells out).
  if (r === headerRow + 1) ws.getCell(headerRow + 1, freeze + 1);
  ws.autoFilter = { from: { row: headerRow, column: 1 }, to: { row: last, column: n } };
  // The page setup exactly as given (a sheet in memory would otherwise add exceljs's defaults to it).
  ws.pageSetup = pageSetup;
  ws.headerFooter = {
    oddFooter: `&L&8${escapeHeaderFooter(s.footer)}&R&8page &P / &N`,
  } as ExcelJS.HeaderFooter;
  ws.commit?.();
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
