// The SQLite file: pragmas and versioned, forward-only migrations (schema version in PRAGMA user_version).
import Database from 'better-sqlite3';
import { statfsSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { StoreError } from './errors.js';

export type Db = Database.Database;
export type Statement = Database.Statement;

const appendOnly = (table: string) => `
CREATE TRIGGER ${table}_no_update BEFORE UPDATE ON ${table} BEGIN SELECT RAISE(ABORT, '${table} is append-only'); END;
CREATE TRIGGER ${table}_no_delete BEFORE DELETE ON ${table} BEGIN SELECT RAISE(ABORT, '${table} is append-only'); END;`;

/**
 * Schema history. Never edit a shipped step: add a new one. New columns must be nullable with no default,
 * so that the row hashes already recorded in the audit log stay valid (null fields are left out of hashes).
 */
export const migrations: string[] = [
  // 1: profile, risk register, SoA decisions and reviews, hash-chained audit log. Every table is append-only.
  `
CREATE TABLE profile (
  id INTEGER PRIMARY KEY,
  scope TEXT NOT NULL CHECK (length(trim(scope)) > 0),
  set_by TEXT NOT NULL,
  set_at TEXT NOT NULL,
  source TEXT NOT NULL
);
CREATE TABLE services (
  id INTEGER PRIMARY KEY,
  profile_id INTEGER NOT NULL REFERENCES profile (id),
  name TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('customer', 'provider', 'both')),
  model TEXT NOT NULL CHECK (model IN ('IaaS', 'PaaS', 'SaaS')),
  on_other_cloud INTEGER NOT NULL CHECK (on_other_cloud IN (0, 1)),
  UNIQUE (profile_id, name)
);
CREATE TABLE risks (
  id INTEGER PRIMARY KEY,
  risk_id TEXT NOT NULL CHECK (risk_id GLOB 'R-[1-9]*'),
  title TEXT NOT NULL,
  description TEXT,
  service TEXT,
  asset TEXT,
  confidentiality INTEGER NOT NULL CHECK (confidentiality IN (0, 1)),
  integrity INTEGER NOT NULL CHECK (integrity IN (0, 1)),
  availability INTEGER NOT NULL CHECK (availability IN (0, 1)),
  threat TEXT,
  vulnerability TEXT,
  owner TEXT NOT NULL CHECK (length(trim(owner)) > 0),
  likelihood INTEGER NOT NULL CHECK (likelihood BETWEEN 1 AND 5),
  impact INTEGER NOT NULL CHECK (impact BETWEEN 1 AND 5),
  score INTEGER NOT NULL CHECK (score = likelihood * impact),
  treatment TEXT CHECK (treatment IN ('modify', 'retain', 'avoid', 'share')),
  controls TEXT NOT NULL,
  residual INTEGER CHECK (residual BETWEEN 1 AND 25),
  status TEXT NOT NULL CHECK (status IN ('open', 'treating', 'accepted', 'closed')),
  next_review TEXT,
  source TEXT NOT NULL,
  recorded_by TEXT NOT NULL,
  recorded_at TEXT NOT NULL
);
CREATE TABLE decisions (
  id INTEGER PRIMARY KEY,
  control_id TEXT NOT NULL,
  applicable INTEGER NOT NULL CHECK (applicable IN (0, 1)),
  reasons TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('implemented', 'partial', 'planned', 'not-implemented')),
  justification TEXT,
  owner TEXT,
  evidence TEXT NOT NULL,
  proposed_by TEXT NOT NULL,
  proposed_at TEXT NOT NULL,
  source TEXT NOT NULL,
  CHECK (applicable = 1 OR length(trim(coalesce(justification, ''))) > 0)
);
CREATE TABLE reviews (
  id INTEGER PRIMARY KEY,
  decision_id INTEGER NOT NULL UNIQUE REFERENCES decisions (id),
  verdict TEXT NOT NULL CHECK (verdict IN ('approved', 'rejected')),
  reviewed_by TEXT NOT NULL,
  reviewed_at TEXT NOT NULL
);
CREATE TABLE audit_log (
  seq INTEGER PRIMARY KEY,
  at TEXT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  subject TEXT NOT NULL,
  data TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
${['profile', 'services', 'risks', 'decisions', 'reviews', 'audit_log'].map(appendOnly).join('\n')}
`,
  // 2: reasons for rejections, the cloud services a provider service runs on, indexes for history look-ups.
  `
ALTER TABLE reviews ADD COLUMN reason TEXT;
ALTER TABLE services ADD COLUMN runs_on TEXT;
CREATE INDEX decisions_by_control ON decisions (control_id, id);
CREATE INDEX risks_by_risk_id ON risks (risk_id, id);
`,
  // 3: internal audits (JIP-ISMS517 4.3), weekly readiness snapshots, and the digest run log. Internal audits and
  // snapshots are append-only records. A digest run is claimed once (scheduled_for is unique) and finished once.
  `
CREATE TABLE internal_audits (
  id INTEGER PRIMARY KEY,
  audit_date TEXT NOT NULL CHECK (audit_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
  scope TEXT,
  auditor TEXT NOT NULL CHECK (length(trim(auditor)) > 0),
  result TEXT,
  next_due TEXT NOT NULL CHECK (next_due GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]' AND next_due > audit_date),
  recorded_by TEXT NOT NULL,
  recorded_at TEXT NOT NULL,
  source TEXT NOT NULL
);
CREATE TABLE readiness_snapshots (
  id INTEGER PRIMARY KEY,
  week TEXT NOT NULL CHECK (week GLOB '[0-9][0-9][0-9][0-9]-W[0-9][0-9]'),
  score INTEGER NOT NULL CHECK (score BETWEEN 0 AND 100),
  metrics TEXT NOT NULL,
  taken_at TEXT NOT NULL
);
CREATE INDEX readiness_snapshots_by_week ON readiness_snapshots (week, id);
CREATE TABLE digest_runs (
  id INTEGER PRIMARY KEY,
  scheduled_for TEXT NOT NULL UNIQUE,
  started_at TEXT NOT NULL,
  process TEXT NOT NULL,
  posted_at TEXT,
  channel TEXT,
  message_ts TEXT,
  error TEXT
);
${['internal_audits', 'readiness_snapshots'].map(appendOnly).join('\n')}
CREATE TRIGGER digest_runs_no_delete BEFORE DELETE ON digest_runs BEGIN SELECT RAISE(ABORT, 'digest_runs is append-only'); END;
CREATE TRIGGER digest_runs_finish_once BEFORE UPDATE ON digest_runs
  WHEN OLD.posted_at IS NOT NULL OR OLD.error IS NOT NULL OR NEW.id IS NOT OLD.id OR NEW.scheduled_for IS NOT OLD.scheduled_for
    OR NEW.started_at IS NOT OLD.started_at OR NEW.process IS NOT OLD.process
  BEGIN SELECT RAISE(ABORT, 'a digest run is finished once and its claim never changes'); END;
`,
  // 4: the Annex A edition of the SoA (2013 or 2022). The latest row is in force; a store without one is 2013 when it
  // already holds decisions (written before editions existed), otherwise ISMS_SOA_EDITION (default 2022).
  // 2022 decisions use the control_id column as the SoA item key: "5.23" for Annex A, "12.3.1@customer" or
  // "CLD.9.5.1@provider" for an ISO/IEC 27017 cloud item per role; 2013 decisions keep "12.3.1" and "CLD.9.5.1".
  `
CREATE TABLE soa_editions (
  id INTEGER PRIMARY KEY,
  edition TEXT NOT NULL CHECK (edition IN ('2013', '2022')),
  set_by TEXT NOT NULL,
  set_at TEXT NOT NULL,
  source TEXT NOT NULL,
  note TEXT
);
${appendOnly('soa_editions')}
`,
  // 5: published versions of the SoA document (soa publish). A version freezes the approved decision (row ID) of each
  // SoA key of its edition, as JSON {key: decision id}, and lists what changed since the previous version.
  `
CREATE TABLE soa_publications (
  id INTEGER PRIMARY KEY,
  version INTEGER NOT NULL UNIQUE CHECK (version >= 1),
  edition TEXT NOT NULL CHECK (edition IN ('2013', '2022')),
  roles TEXT NOT NULL,
  decisions TEXT NOT NULL,
  changes TEXT NOT NULL,
  last_decision INTEGER,
  published_by TEXT NOT NULL CHECK (length(trim(published_by)) > 0),
  published_at TEXT NOT NULL,
  note TEXT,
  source TEXT NOT NULL
);
${appendOnly('soa_publications')}
`,
  // 6: display names beside the user IDs, as known when the row was written (Slack users.info), so that documents name
  // people; null for a CLI user name (its own name) and for rows written before this step.
  `
ALTER TABLE decisions ADD COLUMN proposed_by_name TEXT;
ALTER TABLE decisions ADD COLUMN owner_name TEXT;
ALTER TABLE reviews ADD COLUMN reviewed_by_name TEXT;
ALTER TABLE risks ADD COLUMN recorded_by_name TEXT;
ALTER TABLE risks ADD COLUMN owner_name TEXT;
ALTER TABLE soa_publications ADD COLUMN published_by_name TEXT;
`,
];

export const latestVersion = migrations.length;

export function hasColumn(db: Db, table: string, column: string): boolean {
  return (db.pragma(`table_info(${table})`) as { name: string }[]).some((c) => c.name === column);
}

export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}

export function tooNew(file: string, version: number): StoreError {
  return new StoreError([{
    field: 'database',
    message: `${file} has schema version ${version}, but this build of ISMS Cloud Assistant knows versions up to ${latestVersion}`,
    hint: 'Upgrade ISMS Cloud Assistant to the version that wrote this file, or restore a backup made by this version. The file was not changed',
  }]);
}

/** Applies the missing steps up to `target` in one immediate transaction, so that two processes never migrate twice. */
export function migrate(db: Db, target = latestVersion): void {
  const step = db.transaction(() => {
    const from = schemaVersion(db);
    if (from > latestVersion) throw tooNew(db.name, from);
    for (let v = from; v < target; v++) db.exec(migrations[v]!);
    if (target > from) db.pragma(`user_version = ${target}`);
  });
  step.immediate();
}

/** Opens (creating if needed) and migrates the database: WAL, foreign keys, a busy timeout and full fsync on commit. */
export function openDb(file: string, opts: { target?: number } = {}): Db {
  let db: Db | undefined;
  try {
    db = new Database(file);
    db.pragma('busy_timeout = 10000');
    const version = schemaVersion(db);
    if (version > latestVersion) throw tooNew(file, version);
    // Before anything writes to it (even the journal mode): a damaged file takes no write.
    checkIntegrity(db, file);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    migrate(db, opts.target);
    guardWrites(db, file);
    return db;
  } catch (e) {
    db?.close();
    throw storageError(e, file) ?? e;
  }
}

/**
 * SQLite's `PRAGMA quick_check` (the b-tree structure of every page, about 2 ms for a 2 MB store): a damaged file is
 * refused with one line that says what to do.
 */
export function checkIntegrity(db: Db, file: string): void {
  // Drop cached pages first, so that the check reads the file as it is on disk now.
  db.pragma('shrink_memory');
  const rows = db.pragma('quick_check') as { quick_check: string }[];
  if (rows.length === 1 && rows[0]!.quick_check === 'ok') return;
  throw damaged(file, rows.slice(0, 2).map((r) => r.quick_check).join('; '));
}

function damaged(file: string, detail: string): StoreError {
  return new StoreError([{
    field: 'database',
    message: `${file} is damaged (${detail.slice(0, 200)})`,
    hint: 'Nothing was written. Stop the bot, keep a copy of the damaged file, and restore the latest backup (db backup) into ISMS_DATA_DIR; "audit verify" on the copy shows what it still proves',
  }]);
}

const asyncGuards = new WeakMap<Db, <T>(fn: () => Promise<T>) => Promise<T>>();

/**
 * Runs `fn`, which may await, in one immediate transaction of a guarded database: committed when it resolves, rolled
 * back when it rejects. The caller makes sure nothing else uses the connection meanwhile (Store.batch holds its gate).
 * Inside, the store's own transactions become savepoints.
 */
export function asyncTransaction<T>(db: Db, fn: () => Promise<T>): Promise<T> {
  const run = asyncGuards.get(db);
  if (!run) throw new Error('asyncTransaction needs a database opened with openDb');
  return run(fn);
}

/** The current write transaction of each guarded database: a new object per outermost transaction, renewed when any part of one fails. */
const transactions = new WeakMap<Db, { token: object | undefined }>();

/**
 * Every write of the store runs in a transaction (the audit chain needs it). Each outermost transaction checks the
 * file's integrity first, so a file damaged while a process holds it open takes no write either, and a storage
 * failure inside it (disk full, read-only, damaged) becomes one StoreError that names the file.
 */
function guardWrites(db: Db, file: string): void {
  const original = db.transaction.bind(db);
  let depth = 0;
  const state: { token: object | undefined } = { token: undefined };
  transactions.set(db, state);
  // The main file changes only at a checkpoint (WAL mode), so an unchanged file was checked already: a stat, not a
  // check, per write. A file changed by anything else (another process's checkpoint, damage) is checked again; our
  // own checkpoint at a commit is not, as the stamp is taken again after each outermost transaction.
  const stamp = () => {
    try {
      const st = statSync(file);
      return `${st.ino}:${st.size}:${st.mtimeMs}`;
    } catch {
      return '';
    }
  };
  let checked = stamp();
  const convert = <F extends (...a: never[]) => unknown>(f: F): F => ((...args: never[]) => {
    try {
      const out = f(...args);
      // A commit may checkpoint the WAL into the main file: our own pages, written under the lock, after a check.
      if (depth === 0) checked = stamp();
      return out;
    } catch (e) {
      // Something was rolled back (a savepoint or the whole transaction): nothing remembered inside it holds any more.
      state.token = depth > 0 ? {} : undefined;
      throw storageError(e, file) ?? e;
    }
  }) as F;
  const enter = () => {
    if (depth === 0) {
      const now = stamp();
      if (now !== checked) {
        checkIntegrity(db, file);
        checked = now;
      }
      state.token = {};
    }
    depth++;
  };
  const leave = () => {
    depth--;
    if (depth === 0) state.token = undefined;
  };
  // An outermost transaction whose body awaits (asyncTransaction): the same checks, with BEGIN and COMMIT made here,
  // prepared once (parsing them for every write cost more than the check).
  let control: { begin: Statement; commit: Statement } | undefined;
  asyncGuards.set(db, async <T>(fn: () => Promise<T>): Promise<T> => {
    if (db.inTransaction) throw new Error('a transaction of this store is open already: nest its work inside it');
    let begun = false;
    try {
      enter();
      control ??= { begin: db.prepare('BEGIN IMMEDIATE'), commit: db.prepare('COMMIT') };
      control.begin.run();
      begun = true;
      const out = await fn();
      control.commit.run();
      leave();
      checked = stamp();
      return out;
    } catch (e) {
      if (db.inTransaction) db.exec('ROLLBACK');
      if (begun || depth > 0) leave();
      state.token = undefined;
      throw storageError(e, file) ?? e;
    }
  });
  db.transaction = (<F extends (...a: never[]) => unknown>(fn: F) => {
    const inner = original(function (this: unknown, ...args: never[]) {
      enter();
      try {
        return fn.apply(this, args);
      } finally {
        leave();
      }
    } as unknown as F);
    const out = convert(inner) as typeof inner;
    for (const k of ['default', 'deferred', 'immediate', 'exclusive'] as const) Object.defineProperty(out, k, { value: convert(inner[k]) });
    Object.defineProperty(out, 'database', { value: db });
    return out;
  }) as Db['transaction'];
}

/** Less free space than this on the data disk turns an I/O error into "the disk is full". */
const nearlyFull = 1024 * 1024;

function freeBytes(dir: string): number | undefined {
  try {
    const s = statfsSync(dir);
    return s.bavail * s.bsize;
  } catch {
    return undefined;
  }
}

/**
 * A storage failure (SQLite or file system) as one line that names the file and what to do, or undefined for any
 * other error. Nothing partial is left: SQLite rolls the transaction back.
 */
export function storageError(e: unknown, file: string): StoreError | undefined {
  if (e instanceof StoreError) return e;
  const code = String((e as { code?: unknown })?.code ?? '');
  const detail = String((e as Error)?.message ?? e);
  const one = (message: string, hint: string) => new StoreError([{ field: 'database', message, hint }]);
  const full = () => one(`${file} cannot be written: the disk is full`, 'Free space on the disk that holds ISMS_DATA_DIR, then try again. Nothing was written');
  if (code === 'SQLITE_FULL' || code === 'ENOSPC') return full();
  if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB') {
    return code === 'SQLITE_NOTADB'
      ? one(`${file} is not an SQLite database (or is damaged beyond reading)`, 'Point ISMS_DATA_DIR at the folder that holds isms.sqlite, or move the file away and restore the latest backup (db backup). Nothing was written')
      : damaged(file, detail);
  }
  if (code.startsWith('SQLITE_READONLY') || code === 'SQLITE_PERM' || code === 'EROFS' || code === 'EACCES' || code === 'EPERM') {
    return one(`${file} cannot be written: it or its folder is read-only`, 'Make ISMS_DATA_DIR writable for this user, or point it at a writable copy. "audit verify" works on a read-only folder. Nothing was written');
  }
  if (code.startsWith('SQLITE_CANTOPEN')) {
    return one(`${file} cannot be opened (${detail})`, 'Check that ISMS_DATA_DIR exists and that this user can read and write it and the files in it (isms.sqlite, isms.sqlite-wal, isms.sqlite-shm)');
  }
  if (code.startsWith('SQLITE_IOERR')) {
    const free = freeBytes(dirname(file));
    if (free !== undefined && free < nearlyFull) return full();
    return one(`${file}: disk I/O error (${code})`, 'Check the disk and its free space, then try again. Nothing was written');
  }
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return one(`${file} is locked by another process`, 'Try again in a moment; if it persists, stop the process that holds it (another bot or CLI command)');
  }
  return undefined;
}
