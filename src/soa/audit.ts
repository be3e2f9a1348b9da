// Append-only, hash-chained audit log. Each entry stores the SHA-256 of the previous entry and of its own content,
// and the SHA-256 of the row it wrote, so that a changed, deleted or smuggled-in row is found by verify().
import { createHash } from 'node:crypto';
import type { Db, Statement } from './db.js';

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

/** JSON with sorted keys; null and undefined fields are left out, so adding a nullable column keeps old hashes. */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => canonical(v ?? null)).join(',')}]`;
  if (value && typeof value === 'object') {
    const keys = Object.keys(value).filter((k) => (value as Row)[k] != null).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical((value as Row)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function entryHash(e: Omit<AuditEntry, 'hash'>): string {
  return sha256(canonical({ seq: e.seq, at: e.at, actor: e.actor, action: e.action, subject: e.subject, data: e.data, prev: e.prevHash }));
}

function rowHash(table: AuditedTable, row: Row, services: Row[] = []): string {
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
  extra?: Record<string, unknown>;
}

export class AuditLog {
  private readonly last;
  private readonly insert;
  private readonly rowOf: Record<AuditedTable, Statement>;
  private readonly servicesOf;

  /** The audited tables this file has (internal_audits arrived with schema version 3, soa_editions with 4, soa_publications with 5). */
  private readonly audited: AuditedTable[];

  constructor(private readonly db: Db) {
    const tables = new Set((db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((t) => t.name));
    this.audited = allAudited.filter((t) => tables.has(t));
    this.last = db.prepare('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1');
    this.insert = db.prepare('INSERT INTO audit_log (seq, at, actor, action, subject, data, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
    this.rowOf = Object.fromEntries(this.audited.map((t) => [t, db.prepare(`SELECT * FROM ${t} WHERE id = ?`)])) as Record<AuditedTable, Statement>;
    this.servicesOf = db.prepare('SELECT * FROM services WHERE profile_id = ? ORDER BY id');
  }

  /** Records a row just written. Call inside the transaction that wrote it (an immediate one, so the chain stays linear). */
  append(input: AppendInput): AuditEntry {
    let data: Record<string, unknown> = { ...input.extra };
    if (input.table && input.row !== undefined) {
      const row = this.rowOf[input.table].get(input.row) as Row;
      const services = input.table === 'profile' ? (this.servicesOf.all(input.row) as Row[]) : [];
      data = { ...data, table: input.table, row: input.row, rowHash: rowHash(input.table, row, services) };
    }
    const last = this.last.get() as { seq: number; hash: string } | undefined;
    const base = { seq: (last?.seq ?? 0) + 1, at: input.at, actor: input.actor, action: input.action, subject: input.subject, data, prevHash: last?.hash ?? genesisHash };
    const entry = { ...base, hash: entryHash(base) };
    this.insert.run(entry.seq, entry.at, entry.actor, entry.action, entry.subject, canonical(entry.data), entry.prevHash, entry.hash);
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
    const seen = new Set<string>();
    let prev = genesisHash;
    let count = 0;
    const broken = (seq: number | null, problem: string): VerifyResult => ({ ok: false, entries: count, seq, problem });
    for (const raw of this.db.prepare('SELECT * FROM audit_log ORDER BY seq').iterate() as Iterable<DbEntry>) {
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
}

interface DbEntry { seq: number; at: string; actor: string; action: string; subject: string; data: string; prev_hash: string; hash: string }

function toEntry(r: DbEntry): AuditEntry {
  return { seq: r.seq, at: r.at, actor: r.actor, action: r.action, subject: r.subject, data: JSON.parse(r.data) as Record<string, unknown>, prevHash: r.prev_hash, hash: r.hash };
}
