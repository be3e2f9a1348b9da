// Append-only, hash-chained audit log. Each entry stores the SHA-256 of the previous entry and of its own content,
// and the SHA-256 of the row it wrote, so that a changed, deleted or smuggled-in row is found by verify().
import * as crypto from 'node:crypto';
import type { StoreDb } from './sql.js';

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
  return sha256(table === 'profile' ? canonical({ ...row, services }) : rowText(table, row));
}

/** Per table, the key order its rows come in and those keys sorted: rows of one table share them. */
const rowShapes = new Map<string, { order: string[]; sorted: string[]; quoted: string[] }>();

/** Whether `row`'s own keys are `order`, in that order. */
function keysAre(row: Row, order: string[]): boolean {
  let i = 0;
  for (const k in row) if (order[i++] !== k) return false;
  return i === order.length;
}

/**
 * canonical(row) for a flat row, its keys sorted once per table and key order instead of once per row (the write path
 * and verify hash every row). A nested value takes the general path.
 */
export function rowText(table: string, row: Row): string {
  let shape = rowShapes.get(table);
  if (!shape || !keysAre(row, shape.order)) {
    const order = Object.keys(row);
    const sorted = [...order].sort();
    shape = { order, sorted, quoted: sorted.map(quoteKey) };
    rowShapes.set(table, shape);
  }
  let out = '{';
  for (let i = 0; i < shape.sorted.length; i++) {
    const v = row[shape.sorted[i]!];
    if (v == null) continue;
    if (typeof v === 'object') return canonical(row);
    out += `${out.length > 1 ? ',' : ''}${shape.quoted[i]!}:${JSON.stringify(v)}`;
  }
  return `${out}}`;
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
   * That row as its INSERT returned it (RETURNING *): the same values a read gives, so it is hashed without reading it
   * back. A profile row is hashed with its services, `services` (as their INSERTs returned them).
   */
  written?: Row;
  services?: Row[];
  extra?: Record<string, unknown>;
}

const allTables = (db: StoreDb) => allAudited.filter((t) => db.hasTable(t));

/** The hash-chained log of one store (one workspace), on either engine. */
export class AuditLog {
  constructor(private readonly db: StoreDb) {}

  /** Records a row just written. Call inside the write() that wrote it, so that the chain stays linear. */
  async append(input: AppendInput): Promise<AuditEntry> {
    const { db } = this;
    // Built by assignment, not by spreading: a spread into a literal is the slowest part of a batch write.
    const data: Record<string, unknown> = Object.assign({}, input.extra);
    if (input.table) {
      const id = input.row ?? (input.written?.id as number | undefined);
      if (id === undefined) throw new Error(`audit entry for ${input.table} names no row`);
      const row = input.written && Number(input.written.id) === id ? input.written : await db.get<Row>(`SELECT * FROM ${input.table} WHERE id = ?`, [id]);
      if (!row) throw new Error(`${input.table} row ${id} is not in this store`);
      const services = input.table !== 'profile' ? [] : input.services ?? await db.all<Row>('SELECT * FROM services WHERE profile_id = ? ORDER BY id', [id]);
      data.table = input.table;
      data.row = id;
      data.rowHash = rowHash(input.table, db.hashable(row), services.map((r) => db.hashable(r)));
    }
    // Inside one write transaction nobody else appends: the entry this transaction wrote last is the last one.
    const memo = db.memo();
    if (!memo) throw new Error('an audit entry is appended inside write()');
    const last = (memo.get('audit.head') as { seq: number; hash: string } | undefined)
      ?? await db.get<{ seq: number; hash: string }>('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1');
    const entry: AuditEntry = {
      seq: (last?.seq ?? 0) + 1, at: input.at, actor: input.actor, action: input.action, subject: input.subject, data, prevHash: last?.hash ?? genesisHash, hash: '',
    };
    const dataText = canonical(data);
    entry.hash = entryHash(entry, dataText);
    await db.run('INSERT INTO audit_log (seq, at, actor, action, subject, data, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      [entry.seq, entry.at, entry.actor, entry.action, entry.subject, dataText, entry.prevHash, entry.hash]);
    memo.set('audit.head', { seq: entry.seq, hash: entry.hash });
    return entry;
  }

  /** Whether an event was already recorded, e.g. that an assessment was approved. */
  async recorded(action: string, subject: string): Promise<boolean> {
    return await this.db.read(async () => !!await this.db.get('SELECT 1 FROM audit_log WHERE action = ? AND subject = ? LIMIT 1', [action, subject]));
  }

  async entries(limit = 50): Promise<AuditEntry[]> {
    return await this.db.read(async () => (await this.db.all<DbEntry>('SELECT * FROM audit_log ORDER BY seq DESC LIMIT ?', [limit])).reverse().map(toEntry));
  }

  /** Whether an entry has this hash (checkHead). */
  async hasHash(hash: string): Promise<boolean> {
    return await this.db.read(async () => !!await this.db.get('SELECT 1 FROM audit_log WHERE hash = ?', [hash]));
  }

  /** Walks the whole chain and the audited rows, read in one snapshot; names the first entry (or row) that does not check out. */
  async verify(): Promise<VerifyResult> {
    const { db } = this;
    return await db.read(async () => {
      const rows = new Map<AuditedTable, Map<number, Row>>();
      for (const t of allTables(db)) rows.set(t, new Map((await db.all<Row>(`SELECT * FROM ${t}`)).map((r) => [r.id as number, db.hashable(r)])));
      const services = new Map<number, Row[]>();
      for (const s of await db.all<Row>('SELECT * FROM services ORDER BY id')) {
        const list = services.get(s.profile_id as number) ?? [];
        list.push(db.hashable(s));
        services.set(s.profile_id as number, list);
      }
      return walkChain(await db.all<DbEntry>('SELECT * FROM audit_log ORDER BY seq'), rows, services);
    });
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
