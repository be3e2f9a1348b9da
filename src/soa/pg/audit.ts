// The hash-chained audit log on PostgreSQL: the same entries and hashes as SQLite's (src/soa/audit.ts), one chain per
// workspace. Appends of one workspace are serialised by a transaction-level advisory lock, so several writers (two
// app instances) still append in one order; verify() walks the chain with the same checks as SQLite's.
import { canonical, checkHead, entryHash, genesisHash, rowHash, walkChain, type AppendInput, type AuditEntry, type AuditedTable, type DbEntry, type VerifyResult } from '../audit.js';
import { txState, type PgClient } from './db.js';
import type pg from 'pg';

type Row = Record<string, unknown>;

/** The tables this engine audits: all of SQLite's (schema step 2). A profile row is hashed with its services. */
const audited: AuditedTable[] = ['profile', 'risks', 'decisions', 'reviews', 'internal_audits', 'soa_editions', 'soa_publications'];

/** A row as it is hashed: without its workspace, which the chain it is recorded in already names. */
function hashed(row: Row): Row {
  const { workspace: _, ...rest } = row;
  return rest;
}

/** Locks the workspace's chain for the rest of the transaction: appends of one workspace run one after another. */
async function lockChain(c: PgClient, workspace: string): Promise<void> {
  await c.query({ name: 'isms-audit-lock', text: "SELECT pg_advisory_xact_lock(hashtextextended('isms-audit:' || $1, 0))", values: [workspace] });
}

/**
 * Records a row just written, inside the transaction that wrote it (c). `written` is that row as its INSERT returned it
 * (`RETURNING *`): the same tuple a read would give, so it is hashed without reading it back. Within transaction(),
 * the chain is locked and its head read once; later appends of the transaction continue from what it appended.
 */
export async function appendEntry(c: PgClient, workspace: string, input: AppendInput, written?: Row): Promise<AuditEntry> {
  const data: Record<string, unknown> = Object.assign({}, input.extra);
  if (input.table && input.row !== undefined) {
    if (!audited.includes(input.table)) throw new Error(`the PostgreSQL store does not hold ${input.table} yet`);
    const row = written && Number(written.id) === input.row ? written
      : (await c.query<Row>(`SELECT * FROM ${input.table} WHERE id = $1 AND workspace = $2`, [input.row, workspace])).rows[0];
    if (!row || row.workspace !== workspace) throw new Error(`${input.table} row ${input.row} is not in workspace "${workspace}"`);
    const services = input.table !== 'profile' ? []
      : input.services ?? (await c.query<Row>('SELECT * FROM services WHERE profile_id = $1 AND workspace = $2 ORDER BY id', [input.row, workspace])).rows;
    data.table = input.table;
    data.row = input.row;
    data.rowHash = rowHash(input.table, hashed(row), services.map(hashed));
  }
  const tx = txState(c);
  let last = tx?.heads.get(workspace);
  if (!last) {
    await lockChain(c, workspace);
    last = (await c.query<{ seq: number; hash: string }>({ name: 'isms-audit-head', text: 'SELECT seq, hash FROM audit_log WHERE workspace = $1 ORDER BY seq DESC LIMIT 1', values: [workspace] })).rows[0];
  }
  const entry: AuditEntry = {
    seq: (last?.seq ?? 0) + 1, at: input.at, actor: input.actor, action: input.action, subject: input.subject, data, prevHash: last?.hash ?? genesisHash, hash: '',
  };
  const dataText = canonical(data);
  entry.hash = entryHash(entry, dataText);
  // Named: each pooled connection parses and plans the statement once.
  await c.query({
    name: 'isms-audit-append',
    text: 'INSERT INTO audit_log (workspace, seq, at, actor, action, subject, data, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)',
    values: [workspace, entry.seq, entry.at, entry.actor, entry.action, entry.subject, dataText, entry.prevHash, entry.hash],
  });
  tx?.heads.set(workspace, { seq: entry.seq, hash: entry.hash });
  return entry;
}

/**
 * Walks one workspace's chain and its audited rows, read in one snapshot; expectHead as for SQLite (checkHead). Run as
 * that workspace (app.workspace), so the application's role, under row-level security, reads its rows.
 */
export async function verifyWorkspace(p: pg.Pool, workspace: string, o: { expectHead?: string } = {}): Promise<VerifyResult> {
  const c = await p.connect();
  try {
    await c.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    await c.query({ name: 'isms-workspace', text: "SELECT set_config('app.workspace', $1, true)", values: [workspace] });
    const entries = (await c.query<DbEntry>('SELECT seq, at, actor, action, subject, data, prev_hash, hash FROM audit_log WHERE workspace = $1 ORDER BY seq', [workspace])).rows;
    const rows = new Map<AuditedTable, Map<number, Row>>();
    for (const t of audited) {
      const found = (await c.query<Row>(`SELECT * FROM ${t} WHERE workspace = $1`, [workspace])).rows;
      rows.set(t, new Map(found.map((r) => [r.id as number, hashed(r)])));
    }
    const services = new Map<number, Row[]>();
    for (const s of (await c.query<Row>('SELECT * FROM services WHERE workspace = $1 ORDER BY id', [workspace])).rows) {
      const list = services.get(s.profile_id as number) ?? [];
      list.push(hashed(s));
      services.set(s.profile_id as number, list);
    }
    await c.query('COMMIT');
    return checkHead(walkChain(entries, rows, services), o.expectHead, (hash) => entries.some((e) => e.hash === hash));
  } finally {
    c.release();
  }
}
