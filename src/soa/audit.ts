// Append-only, hash-chained audit log. Each entry stores the SHA-256 of the previous entry and of its own content,
// and the SHA-256 of the row it wrote, so that a changed, deleted or smuggled-in row is found by verify().
import * as crypto from 'node:crypto';
import { transactionToken, type Db, type Statement } from './db.js';

export const genesisHash = '0'.repeat(64);

/** The tables whose rows the log vouches for. A profile row is hashed together with its services. */
export type AuditedTable = 'profile' | 'risks' | 'decisions' | 'reviews' | 'internal_audits' | 'soa_editions' | 'soa_publications';
const allAudited: AuditedTable[] = ['profile', 'risks', 'decisions', 'reviews', 'internal_audits', 'soa_editions', 'soa_publications'];

export interface AuditEntry {
  seq: number;
  at: string;
  actor: string;
  action: string;
  subject: string;
  data: Record<string, unknown>;
  prevHash: string;
  hash: string;
}

export type VerifyResult =
  | { ok: true; entries: number; head: string }
  | { ok: false; entries: number; seq: number | null; problem: string };

type Row = Record<string, unknown>;

/** JSON.stringify of each key seen, so that rows of the same table do not quote their column names again. */
const quotedKeys = new Map<string, string>();
function quoteKey(k: string): string {
  let q = quotedKeys.get(k);
  if (q === undefined) {
    q = JSON.stringify(k);
    if (quotedKeys.size < 4096) quotedKeys.set(k, q);
  }
  return q;
}

/** JSON with sorted keys; null and undefined fields are left out, so adding a nullable column keeps old hashes. */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => canonical(v ?? null)).join(',')}]`;
  if (value && typeof value === 'object') {
    const keys = Object.keys(value).filter((k) => (value as Row)[k] != null).sort();
    // The same text as keys.map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`).join(','), built in one pass.
    let out = '{';
    for (let i = 0; i < keys.length; i++) out += `${i ? ',' : ''}${quoteKey(keys[i]!)}:${canonical((value as Row)[keys[i]!])}`;
    return `${out}}`;
  }
  return JSON.stringify(value);
}

/** crypto.hash (Node 20.12+, about 3 times faster for short texts), else a Hash object. */
const oneShot = (crypto as { hash?: (algorithm: string, data: string, encoding: 'hex') => string }).hash;

export function sha256(text: string): string {
  return oneShot ? oneShot('sha256', text, 'hex') : crypto.createHash('sha256').update(text).digest('hex');
}

/** The fields of an entry's hash in canonical() order. */
const entryKeys = ['action', 'actor', 'at', 'data', 'prev', 'seq', 'subject'] as const;

/**
 * The hashed text of an entry: canonical({seq, at, actor, action, subject, data, prev}), given canonical(data) when the
 * caller has it already (append stores that same text).
 */
function entryText(e: Omit<AuditEntry, 'hash'>, dataText?: string): string {
  const fields: Record<(typeof entryKeys)[number], unknown> = { seq: e.seq, at: e.at, actor: e.actor, action: e.action, subject: e.subject, data: e.data, prev: e.prevHash };
  let out = '{';
  for (const k of entryKeys) {
    const v = fields[k];
    if (v == null) continue;
    out += `${out.length > 1 ? ',' : ''}"${k}":${k === 'data' && dataText !== undefined ? dataText : canonical(v)}`;
  }
  return `${out}}`;
}

export function entryHash(e: Omit<AuditEntry, 'hash'>, dataText?: string): string {
  return sha256(entryText(e, dataText));
}

export function rowHash(table: AuditedTable, row: Row, services: Row[] = []): string {
  return sha256(canonical(table === 'profile' ? { ...row, services } : row));
}

const describe = (e: { seq: number; action: string; subject: string; actor: string; at: string }) =>
  `entry #${e.seq} (${e.action} ${e.subject} by ${e.actor} at ${e.at})`;

export interface AppendInput {
  at: string;
  actor: string;
  action: string;
  subject: string;
  /** The row just written; absent for an event that writes no row of its own (e.g. an assessment approval). */
  table?: AuditedTable;
  row?: number;
  /**
   * The values the INSERT of `row` bound, by column name (without id): its row hash is worked out from them instead of
   * reading the row back. Only text and integer values of columns with that affinity are trusted to read back the same;
   * anything else (and a profile, hashed with its services) is read back as before.
   */
  values?: Row;
  extra?: Record<string, unknown>;
}

/** The last entry appended inside the current write transaction of a database (see transactionToken in db.ts). */
const lastWritten = new WeakMap<Db, { token: object; seq: number; hash: string }>();

/** Whether a string reads back from SQLite as the same string: no unpaired surrogate (SQLite stores UTF-8). */
const wellFormed = (s: string) => (s as { isWellFormed?: () => boolean }).isWellFormed?.() ?? !/[\uD800-\uDFFF]/.test(s);

/** Whether values bound to an INSERT read back as the same values: text without unpaired surrogates, safe integers, null. */
export function readsBackSame(values: Row): boolean {
  for (const k in values) {
    const v = values[k];
    if (v != null && (typeof v === 'string' ? !wellFormed(v) : typeof v !== 'number' || !Number.isSafeInteger(v))) return false;
  }
  return true;
}

export class AuditLog {
  private readonly last;
  private readonly insert;
  private readonly rowOf: Record<AuditedTable, Statement>;
  private readonly servicesOf;
  /**
   * The columns of each table in canonical() order, with their quoted names and affinity: 'int' (INTEGER), 'text'
   * (TEXT), 'other'. Absent for a table whose rows are always read back (profile, or a column with a default).
   */
  private readonly columns: Partial<Record<AuditedTable, { name: string; quoted: string; affinity: 'int' | 'text' | 'other' }[]>>;

  /** The audited tables this file has (internal_audits arrived with schema version 3, soa_editions with 4, soa_publications with 5). */
  private readonly audited: AuditedTable[];

  constructor(private readonly db: Db) {
    const tables = new Set((db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((t) => t.name));
    this.audited = allAudited.filter((t) => tables.has(t));
    this.last = db.prepare('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1');
    this.insert = db.prepare('INSERT INTO audit_log (seq, at, actor, action, subject, data, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
    this.rowOf = Object.fromEntries(this.audited.map((t) => [t, db.prepare(`SELECT * FROM ${t} WHERE id = ?`)])) as Record<AuditedTable, Statement>;
    this.servicesOf = db.prepare('SELECT * FROM services WHERE profile_id = ? ORDER BY id');
    // SQLite's affinity rules ("Datatypes In SQLite", 3.1): INT anywhere in the declared type is INTEGER; else CHAR, CLOB or TEXT is TEXT.
    const affinityOf = (type: string) => (/INT/i.test(type) ? 'int' as const : /CHAR|CLOB|TEXT/i.test(type) ? 'text' as const : 'other' as const);
    this.columns = {};
    for (const t of this.audited) {
      const info = db.pragma(`table_info(${t})`) as { name: string; type: string; dflt_value: unknown }[];
      if (t === 'profile' || info.some((c) => c.dflt_value != null)) continue;
      this.columns[t] = info.map((c) => c.name).sort().map((name) => ({ name, quoted: JSON.stringify(name), affinity: affinityOf(info.find((c) => c.name === name)!.type) }));
    }
  }

  /**
   * canonical() of the row as SQLite stores it, from the id and the values its INSERT bound; undefined when a value
   * might read back otherwise (a number in a text column, a float, a blob, a string that SQLite would change) or a key
   * is no column of this file.
   */
  private writtenText(table: AuditedTable, id: number, values: Row): string | undefined {
    const columns = this.columns[table];
    if (!columns || !Number.isSafeInteger(id) || values.id != null) return undefined;
    let known = 0;
    let out = '{';
    for (const c of columns) {
      const v = c.name === 'id' ? id : values[c.name];
      if (c.name !== 'id' && c.name in values) known++;
      if (v == null) continue;
      if (typeof v === 'string' ? c.affinity !== 'text' || !wellFormed(v) : typeof v !== 'number' || c.affinity !== 'int' || !Number.isSafeInteger(v)) return undefined;
      out += `${out.length > 1 ? ',' : ''}${c.quoted}:${JSON.stringify(v)}`;
    }
    // A key that is no column was not inserted (a column of a later schema step): only an empty one is fine.
    if (known !== Object.keys(values).length) {
      for (const k in values) if (values[k] != null && !columns.some((c) => c.name === k)) return undefined;
    }
    return `${out}}`;
  }

  /** Records a row just written. Call inside the transaction that wrote it (an immediate one, so the chain stays linear). */
  append(input: AppendInput): AuditEntry {
    // Built by assignment, not by spreading: a spread into a literal is the slowest part of a batch write.
    const data: Record<string, unknown> = Object.assign({}, input.extra);
    if (input.table && input.row !== undefined) {
      const text = input.values && this.writtenText(input.table, input.row, input.values);
      data.table = input.table;
      data.row = input.row;
      data.rowHash = text !== undefined ? sha256(text) : rowHash(input.table, this.rowOf[input.table].get(input.row) as Row,
        input.table === 'profile' ? (this.servicesOf.all(input.row) as Row[]) : []);
    }
    // Inside one write transaction nobody else appends: the entry this transaction wrote last is the last one.
    const token = transactionToken(this.db);
    const cached = token && lastWritten.get(this.db);
    const last = cached && cached.token === token ? cached : (this.last.get() as { seq: number; hash: string } | undefined);
    const entry: AuditEntry = {
      seq: (last?.seq ?? 0) + 1, at: input.at, actor: input.actor, action: input.action, subject: input.subject, data, prevHash: last?.hash ?? genesisHash, hash: '',
    };
    const dataText = canonical(data);
    entry.hash = entryHash(entry, dataText);
    this.insert.run(entry.seq, entry.at, entry.actor, entry.action, entry.subject, dataText, entry.prevHash, entry.hash);
    if (token) lastWritten.set(this.db, { token, seq: entry.seq, hash: entry.hash });
    return entry;
  }

  /** Whether an event was already recorded, e.g. that an assessment was approved. */
  recorded(action: string, subject: string): boolean {
    return !!this.db.prepare('SELECT 1 FROM audit_log WHERE action = ? AND subject = ? LIMIT 1').get(action, subject);
  }

  entries(limit = 50): AuditEntry[] {
    const rows = this.db.prepare('SELECT * FROM audit_log ORDER BY seq DESC LIMIT ?').all(limit) as DbEntry[];
    return rows.reverse().map(toEntry);
  }

  /** Walks the whole chain and the audited rows; names the first entry (or row) that does not check out. */
  verify(): VerifyResult {
    const rows = new Map<AuditedTable, Map<number, Row>>(
      this.audited.map((t) => [t, new Map((this.db.prepare(`SELECT * FROM ${t}`).all() as Row[]).map((r) => [r.id as number, r]))]),
    );
    const services = new Map<number, Row[]>();
    for (const s of this.db.prepare('SELECT * FROM services ORDER BY id').all() as Row[]) {
      const list = services.get(s.profile_id as number) ?? [];
      list.push(s);
      services.set(s.profile_id as number, list);
    }
    return walkChain(this.db.prepare('SELECT * FROM audit_log ORDER BY seq').iterate() as Iterable<DbEntry>, rows, services);
  }
}

/**
 * Checks a chain, whichever engine holds it: entries in seq order from 1, each linked to the one before and matching
 * its own hash; each audited row recorded once and unchanged; no audited row without an entry. Names the first entry
 * (or row) that does not check out.
 */
export function walkChain(entries: Iterable<DbEntry>, rows: Map<AuditedTable, Map<number, Row>>, services: Map<number, Row[]> = new Map()): VerifyResult {
  const seen = new Set<string>();
  let prev = genesisHash;
  let count = 0;
  const broken = (seq: number | null, problem: string): VerifyResult => ({ ok: false, entries: count, seq, problem });
  for (const raw of entries) {
    const expected = count + 1;
    count++;
    if (raw.seq !== expected) return broken(expected, `entry #${expected} is missing: the log goes from #${expected - 1} to #${raw.seq}`);
    if (raw.prev_hash !== prev) return broken(raw.seq, `${describe(raw)} does not link to entry #${raw.seq - 1}: its previous-entry hash differs`);
    let entry: AuditEntry;
    try {
      entry = toEntry(raw);
    } catch {
      return broken(raw.seq, `${describe(raw)} holds data that is not JSON`);
    }
    if (entryHash(entry) !== raw.hash) return broken(raw.seq, `${describe(raw)} was changed after it was written: its content no longer matches its hash`);
    const table = entry.data.table as AuditedTable | undefined;
    if (table) {
      const id = entry.data.row as number;
      const key = `${table}:${id}`;
      const row = rows.get(table)?.get(id);
      if (!row) return broken(raw.seq, `${describe(raw)}: ${table} row ${id} that it recorded is gone`);
      if (seen.has(key)) return broken(raw.seq, `${describe(raw)}: ${table} row ${id} is recorded twice`);
      seen.add(key);
      if (rowHash(table, row, services.get(id)) !== entry.data.rowHash) {
        return broken(raw.seq, `${describe(raw)}: ${table} row ${id} was changed after it was recorded (its content no longer matches the hash in the log)`);
      }
    }
    prev = raw.hash;
  }
  for (const [table, byId] of rows) {
    for (const id of byId.keys()) {
      if (!seen.has(`${table}:${id}`)) return broken(null, `${table} row ${id} has no audit entry: it was written outside the store`);
    }
  }
  return { ok: true, entries: count, head: prev };
}

/**
 * A chain that verifies, checked against a head hash recorded earlier (a digest post, a backup note): if no entry has
 * it, entries were removed from the end of the log, or this is another log.
 */
export function checkHead(r: VerifyResult, expectHead: string | undefined, has: (hash: string) => boolean): VerifyResult {
  if (!r.ok || !expectHead || has(expectHead)) return r;
  return { ok: false, entries: r.entries, seq: null, problem: `no entry has the recorded head hash ${expectHead.slice(0, 16)}…: entries were removed from the end of the log, or this is another database` };
}

/** An audit entry as stored: data as its canonical JSON text. */
export interface DbEntry { seq: number; at: string; actor: string; action: string; subject: string; data: string; prev_hash: string; hash: string }

function toEntry(r: DbEntry): AuditEntry {
  return { seq: r.seq, at: r.at, actor: r.actor, action: r.action, subject: r.subject, data: JSON.parse(r.data) as Record<string, unknown>, prevHash: r.prev_hash, hash: r.hash };
}
