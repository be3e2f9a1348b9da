// The SoA and risk-register store: by default one SQLite file (ISMS_DATA_DIR/isms.sqlite) shared by the CLI, console
// and Slack app; with DATABASE_URL, a PostgreSQL database shared by several instances and workspaces (src/soa/sql.ts).
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, lstatSync, mkdirSync, mkdtempSync, openSync, readSync, closeSync, readlinkSync, realpathSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import type { Catalog, Edition } from '../catalog/catalog.js';
import type { Config, RiskLevel } from '../config.js';
import { AuditLog, checkHead, type VerifyResult } from './audit.js';
import type { Role, ServiceRole, StoreContext } from './context.js';
import Database from 'better-sqlite3';
import { checkIntegrity, latestVersion, openDb, schemaVersion, storageError, tooNew, type Db } from './db.js';
import { DecisionStore, type SoaRow } from './decisions.js';
import { EditionStore, type EditionState } from './edition.js';
import { planTransition, applyTransition, type TransitionPlan } from './transition.js';
import { errorCode, fail, StoreError } from './errors.js';
import { InternalAuditStore } from './internal-audits.js';
import { writeExport, type ExportFormat, type SoaExport } from './export.js';
import { ProfileStore } from './profile.js';
import { RiskStore } from './risks.js';
import { people, PeopleDirectory } from './people.js';
import { SqliteDb, type StoreDb } from './sql.js';
import { PublicationStore, type PublishInput, type SoaPublication } from './publications.js';
import { Settings, type ApproversFrom } from './settings.js';

export { StoreError, type Issue } from './errors.js';
export type { Role, ServiceRole } from './context.js';
export type { Decision, DecisionInput, DecisionState, SoaItem, SoaRow, Status } from './decisions.js';
export { itemKey, linesFor, soaItems, splitKey } from './decisions.js';
export type { EditionState } from './edition.js';
export type { TransitionPlan } from './transition.js';
export type { Profile, ProfileInput, Service, ServiceInput } from './profile.js';
export type { Risk, RiskInput } from './risks.js';
export type { AuditEntry, VerifyResult } from './audit.js';
export type { InternalAudit, InternalAuditInput } from './internal-audits.js';
export type { PublicationChange, PublishInput, SoaPublication } from './publications.js';
export { people, personLabel, personMention, slackUserId, PeopleDirectory } from './people.js';
export { exportFormats, type ExportFormat, type SoaExport } from './export.js';

export interface StoreOptions {
  catalog: Catalog;
  approvers?: string[];
  riskLevels?: RiskLevel[];
  /** Roles in scope before a profile is set (ISMS_ROLE); default both. */
  fallbackRole?: ServiceRole;
  now?: () => Date;
  /** Months from one internal audit to the next due one (ISMS_AUDIT_INTERVAL_MONTHS); default 12. */
  auditIntervalMonths?: number;
  /** ISMS_TIMEZONE: the time zone of dates in exports. */
  timezone?: string;
  /** ISMS_SOA_EDITION: the edition of a new store's SoA; default 2022. A store with decisions keeps its own. */
  defaultEdition?: Edition;
  /** Migrate only up to this schema version (tests of migrations). */
  schemaVersion?: number;
  /** ISMS_FOUR_EYES: nobody approves their own proposal; default off. */
  fourEyes?: boolean;
  /** Display names by Slack user ID; default the process-wide directory that the Slack app fills. */
  people?: PeopleDirectory;
  /** 'record': approvers are the workspace's recorded setting (several workspaces); default 'config' (ISMS_APPROVERS). */
  approversFrom?: ApproversFrom;
}

const defaultLevels: RiskLevel[] = [{ name: 'low', min: 1, max: 6 }, { name: 'medium', min: 7, max: 14 }, { name: 'high', min: 15, max: 25 }];

/**
 * The store of one ISMS (one Slack workspace): the parts below, on either engine (`sql`). Every read and write returns
 * a promise; work that must commit together runs in batch().
 */
export class Store {
  /** The engine: the SQLite file, or a PostgreSQL database seen as one workspace. */
  readonly sql: StoreDb;
  readonly audit: AuditLog;
  readonly profile: ProfileStore;
  readonly risks: RiskStore;
  readonly soa: DecisionStore;
  readonly editions: EditionStore;
  readonly internalAudits: InternalAuditStore;
  /** Published versions of the SoA document (soa publish). */
  readonly publications: PublicationStore;
  /** Who approves and where the digest goes, when recorded per workspace. */
  readonly settings: Settings;
  /** Display names by Slack user ID, written beside the IDs (per workspace when there are several). */
  readonly people: PeopleDirectory;
  /** The risk levels by score (ISMS_RISK_LEVELS), lowest first. */
  readonly riskLevels: RiskLevel[];
  readonly catalog: Catalog;
  /** The SQLite file ('' on PostgreSQL). */
  readonly file: string;
  private readonly now: () => Date;
  private readonly timezone: string;

  /** `source`: the SQLite file to open (created and migrated as needed), or an engine opened elsewhere (PostgreSQL). */
  constructor(source: string | StoreDb, opts: StoreOptions) {
    this.catalog = opts.catalog;
    this.file = typeof source === 'string' ? source : '';
    this.sql = typeof source === 'string' ? new SqliteDb(openDb(source, { target: opts.schemaVersion })) : source;
    this.audit = new AuditLog(this.sql);
    this.now = opts.now ?? (() => new Date());
    this.timezone = opts.timezone ?? 'Asia/Tokyo';
    this.riskLevels = opts.riskLevels ?? defaultLevels;
    const approversFrom = opts.approversFrom ?? 'config';
    // One live list: in 'record' mode it is refreshed from the workspace's setting before each check that matters.
    const approvers = approversFrom === 'config' ? [...opts.approvers ?? []] : [];
    this.settings = new Settings(this.sql, this.audit, this.now, approvers, approversFrom);
    this.people = opts.people ?? people;
    const ctx: StoreContext = {
      db: this.sql, audit: this.audit, catalog: opts.catalog, approvers, riskLevels: this.riskLevels,
      ...(approversFrom === 'record' ? { refreshApprovers: () => this.settings.refreshApprovers() } : {}),
      fallbackRole: opts.fallbackRole ?? 'both', now: this.now, defaultEdition: opts.defaultEdition ?? '2022', people: this.people, fourEyes: opts.fourEyes ?? false,
    };
    this.profile = new ProfileStore(ctx);
    this.risks = new RiskStore(ctx, this.profile);
    this.editions = new EditionStore(ctx);
    this.soa = new DecisionStore(ctx, this.risks, this.editions, () => this.profileRoles());
    this.internalAudits = new InternalAuditStore(ctx, opts.auditIntervalMonths);
    this.publications = new PublicationStore(ctx, this.soa, () => this.profileRoles());
  }

  /** The approvers as last read (ISMS_APPROVERS, or the workspace's recorded setting after refreshApprovers()). */
  get approvers(): readonly string[] {
    return this.settings.approvers;
  }

  /** Reads the workspace's recorded approvers (a no-op with ISMS_APPROVERS); the Slack app calls it once per request. */
  async refreshApprovers(): Promise<readonly string[]> {
    return await this.settings.refreshApprovers();
  }

  /** The SQLite connection (tests and maintenance); a PostgreSQL store has none. */
  get db(): Db {
    if (this.sql instanceof SqliteDb) return this.sql.raw;
    throw new Error('this store is on PostgreSQL: it has no SQLite connection');
  }

  /** The roles in scope (JIP-ISMS517 4.1): from the profile's services, or ISMS_ROLE before a profile is set. */
  async profileRoles(): Promise<Role[]> {
    return (await this.profile.roles()).roles;
  }

  /** The edition of the SoA: 2022 (93 Annex A controls + 27017 items per role) or 2013 (114 + 7 CLD). */
  async edition(): Promise<EditionState> {
    return await this.editions.state();
  }

  /** Every line of the SoA in its edition with its current decision and pending proposal. */
  async soaRows(edition?: Edition): Promise<SoaRow[]> {
    return await this.sql.read(async () => this.soa.rows(await this.profileRoles(), edition));
  }

  /** What "soa transition --to 2022" would propose from the approved 2013 decisions; writes nothing. */
  async planTransition(): Promise<TransitionPlan> {
    return await this.sql.read(async () => {
      const roles = await this.profileRoles();
      return planTransition(await this.soa.rows(roles, '2013'), (await this.soa.snapshot(roles, '2022')).rows, await this.editions.state());
    });
  }

  /** Writes the plan's proposals (none approved) and moves the SoA to the 2022 edition, in one transaction. */
  async transition(by: string | undefined, source?: string): Promise<TransitionPlan> {
    return await this.sql.write(async () => applyTransition(await this.planTransition(), { by, source, soa: this.soa, editions: this.editions }));
  }

  /** JIP-ISMS517 4.2.2 c): relevant controls with no approved decision. */
  async missing(): Promise<SoaRow[]> {
    return await this.sql.read(async () => this.soa.missing(await this.profileRoles()));
  }

  /**
   * Everything an SoA export shows: the latest published version (its frozen decisions, no pending proposals), or with
   * `draft` (or before the first publication) the current state, marked as a draft.
   */
  async exportData(opts: { draft?: boolean } = {}): Promise<SoaExport> {
    return await this.sql.read(async () => {
      const base = { profile: await this.profile.get(), risks: await this.risks.list(), generatedAt: this.now(), timezone: this.timezone };
      // The latest published version of the edition in force: after a move to 2022, a 2013 version no longer prints.
      const latest = opts.draft ? null : await this.publications.latest();
      const p = latest && latest.edition === (await this.edition()).edition ? latest : null;
      if (p) {
        return { ...base, ...await this.publications.rows(p), edition: p.edition, roles: p.roles, publication: { version: p.version, by: p.by, byName: p.byName, at: p.at, note: p.note } };
      }
      const roles = await this.profileRoles();
      return { ...base, ...await this.soa.snapshot(roles), roles };
    });
  }

  /** Publishes the next version of the SoA document (approvers only); refused when nothing changed since the last one. */
  async publish(input: PublishInput): Promise<SoaPublication> {
    return await this.publications.publish(input);
  }

  async verifyAudit(): Promise<VerifyResult> {
    return await this.audit.verify();
  }

  /**
   * Runs `fn` in one write transaction: every write it makes is committed together, or none is. Inside it, calls on
   * this store (or on `tx`, the same store) join the transaction. Writes from elsewhere wait until it ends; a read from
   * elsewhere sees the store before or after it, never part of it (SQLite: it waits; PostgreSQL: its own snapshot).
   */
  async batch<T>(fn: (tx: Store) => Promise<T>): Promise<T> {
    return await this.sql.write(() => fn(this));
  }

  /**
   * Writes the export to `file`, never over the store itself (its WAL, SHM or journal, through `..`, a symlink or a hard
   * link) nor over any other SQLite database. A regular file is written beside the target and renamed onto it, so a
   * failure (disk full) leaves the old file as it was; the error names the file.
   */
  async exportSoa(format: ExportFormat, file: string, opts: { draft?: boolean } = {}): Promise<SoaExport> {
    const target = checkOutputFile(file, this.file ? [this.file] : []);
    const data = await this.exportData(opts);
    await writeOutput(target, file, (path) => writeExport(data, format, path));
    return data;
  }

  /** Copies the database with SQLite's online backup API; safe while other processes read and write. */
  async backup(target: string): Promise<{ file: string; pages: number }> {
    if (!(this.sql instanceof SqliteDb)) fail('database', 'this store is on PostgreSQL', 'Back it up with pg_dump (see README: Storage engines); db backup copies the SQLite file');
    const file = resolve(target);
    if (existsSync(file)) fail('file', `${file} already exists`, 'Choose a new file name; a backup never overwrites a file');
    if (!existsSync(dirname(file))) fail('file', `folder ${dirname(file)} does not exist`, 'Create the folder first or choose another path');
    const r = await this.sql.raw.backup(file);
    return { file, pages: r.totalPages };
  }

  async close(): Promise<void> {
    return await this.sql.close();
  }
}

export function storeFile(config: Pick<Config, 'dataDir'>): string {
  return join(config.dataDir, 'isms.sqlite');
}

/** Opens the store for a configuration: ISMS_DATA_DIR/isms.sqlite, approvers, risk levels and the fallback role. */
export function openStore(config: Config, catalog: Catalog, extra: Partial<StoreOptions> = {}): Store {
  try {
    mkdirSync(config.dataDir, { recursive: true });
  } catch (e) {
    throw storageError(e, config.dataDir) ?? e;
  }
  return new Store(storeFile(config), {
    catalog, approvers: config.approvers, fourEyes: config.fourEyes, riskLevels: config.riskLevels, fallbackRole: config.role, auditIntervalMonths: config.auditIntervalMonths, timezone: config.timezone,
    defaultEdition: config.soaEdition, ...extra,
  });
}

/**
 * Verifies a database file as it is: opened read-only, never created and never migrated, so that checking evidence
 * (or an old backup) does not change it. `expectHead` is a chain hash recorded elsewhere earlier (a digest post, a
 * backup note): if no entry has it, entries were removed from the end of the log.
 *
 * A damaged file is a result, not a crash: `ok: false` with what is wrong. In a folder this process cannot write (a
 * write-protected archive, evidence media), SQLite cannot create the shared-memory file it needs to read a WAL
 * database, so a copy (the file and its WAL) is verified instead, and `note` says so.
 */
export async function verifyFile(file: string, expectHead?: string): Promise<VerifyResult & { note?: string }> {
  if (!existsSync(file)) fail('database', `no database at ${file}`, 'Check ISMS_DATA_DIR (or the backup path); nothing was created');
  try {
    return await verifyOpen(new Database(file, { readonly: true, fileMustExist: true }), file, expectHead);
  } catch (e) {
    const code = errorCode(e);
    if (!/^SQLITE_(CANTOPEN|READONLY|IOERR|PERM)/.test(code)) throw e;
  }
  const dir = mkdtempSync(join(tmpdir(), 'isms-verify-'));
  try {
    const copy = join(dir, 'isms.sqlite');
    copyFileSync(file, copy);
    if (existsSync(`${file}-wal`)) copyFileSync(`${file}-wal`, `${copy}-wal`);
    const r = await verifyOpen(new Database(copy, { fileMustExist: true }), file, expectHead);
    return { ...r, note: `${dirname(file)} cannot be written by this user, so a copy of the file (and its WAL) was verified; the original was not changed` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function verifyOpen(db: Db, file: string, expectHead?: string): Promise<VerifyResult> {
  const damage = (detail: string): VerifyResult => ({ ok: false, entries: 0, seq: null, problem: `${file} is damaged: ${detail}. Keep this file as it is and restore the latest backup (db backup) to carry on` });
  try {
    const version = schemaVersion(db);
    if (version > latestVersion) throw tooNew(file, version);
    try {
      checkIntegrity(db, file);
    } catch (e) {
      if (e instanceof StoreError) return damage(e.issues[0]!.message.replace(`${file} is damaged `, '').replace(/^\(|\)$/g, ''));
      throw e;
    }
    return checkHead(await new AuditLog(new SqliteDb(db)).verify(), expectHead, (hash) => !!db.prepare('SELECT 1 FROM audit_log WHERE hash = ?').get(hash));
  } catch (e) {
    const code = errorCode(e);
    if (code === 'SQLITE_NOTADB') return damage('it is not an SQLite database (truncated or overwritten?)');
    if (code.startsWith('SQLITE_CORRUPT')) return damage((e as Error).message);
    throw e;
  } finally {
    db.close();
  }
}

/** A file is written only into a folder that exists: a typo in a path is an error that names it, not a crash. */
export function checkOutputFolder(file: string): void {
  const folder = dirname(resolve(file));
  if (!existsSync(folder)) fail('out', `folder ${folder} does not exist`, 'Create the folder first or choose another path');
}

/** Where a write to `path` really lands: through symlinks of its folders and of the file itself (dangling ones too). */
function realTarget(path: string): string {
  let p = resolve(path);
  for (let hops = 0; hops < 40; hops++) {
    let link = false;
    try {
      link = lstatSync(p).isSymbolicLink();
    } catch {
      // does not exist (yet)
    }
    if (!link) {
      try {
        return realpathSync(p);
      } catch {
        return join(realpathSync(dirname(p)), basename(p));
      }
    }
    p = resolve(dirname(p), readlinkSync(p));
  }
  fail('out', `${path} is a symlink loop`, 'Choose a plain file name');
}

function sameFile(a: string, b: string): boolean {
  if (a === b) return true;
  try {
    if (realpathSync(b) === a) return true;
    const x = statSync(a);
    const y = statSync(b);
    return x.dev === y.dev && x.ino === y.ino; // hard links
  } catch {
    return false;
  }
}

/** Whether an existing file starts like an SQLite database or WAL file. */
function isDatabaseFile(path: string): boolean {
  let fd: number | undefined;
  try {
    if (!statSync(path).isFile()) return false;
    fd = openSync(path, 'r');
    const head = Buffer.alloc(16);
    readSync(fd, head, 0, 16, 0);
    const wal = head.readUInt32BE(0);
    return head.toString('latin1') === 'SQLite format 3\0' || wal === 0x377f0682 || wal === 0x377f0683;
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Checks an output path before anything is written: its folder exists, and it is not one of the `protect`ed databases
 * (or their -wal, -shm, -journal files), not any other SQLite database or WAL file, and not a folder. Returns the
 * path the write really lands on.
 */
export function checkOutputFile(file: string, protect: string[] = []): string {
  checkOutputFolder(file);
  const target = realTarget(file);
  for (const db of protect) {
    for (const p of [db, `${db}-wal`, `${db}-shm`, `${db}-journal`]) {
      if (sameFile(target, resolve(p))) fail('out', `${file} is the database file ${p}`, 'Choose another file name: an export never overwrites the store. Nothing was written');
    }
  }
  const sidecar = /^(.*)-(wal|shm|journal)$/.exec(target);
  if (isDatabaseFile(target) || (sidecar && isDatabaseFile(sidecar[1]!))) {
    fail('out', `${file} is an SQLite database file (${target})`, 'Choose another file name: an export never overwrites a database. Nothing was written');
  }
  try {
    if (statSync(target).isDirectory()) fail('out', `${file} is a folder`, 'Give a file name, e.g. --out SoA.xlsx');
  } catch (e) {
    if (e instanceof StoreError) throw e;
  }
  return target;
}

/**
 * Writes an output file through `write`: a regular file (or a new one) is written beside the target and renamed onto
 * it, so a failure leaves no half-written file and the old one unchanged; anything else (/dev/stdout) is written
 * directly. A failure is one line that names the file.
 */
export async function writeOutput(target: string, shown: string, write: (path: string) => Promise<void> | void): Promise<void> {
  let regular = true;
  try {
    regular = statSync(target).isFile();
  } catch {
    // a new file
  }
  const temp = regular ? join(dirname(target), `.${basename(target)}.${randomBytes(4).toString('hex')}.tmp`) : target;
  try {
    await write(temp);
    if (temp !== target) renameSync(temp, target);
  } catch (e) {
    if (temp !== target) rmSync(temp, { force: true });
    const code = errorCode(e);
    const out = (message: string, hint: string) => new StoreError([{ field: 'out', message, hint: `${hint}. Nothing was exported` }]);
    if (code === 'ENOSPC' || code === 'EDQUOT') throw out(`${shown} cannot be written: the disk is full`, 'Free space there or choose another folder');
    if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') throw out(`${shown} cannot be written: it or its folder is read-only`, 'Choose a folder you can write to');
    if (/^E[A-Z]+$/.test(code)) throw out(`${shown} cannot be written (${code}: ${(e as Error).message})`, 'Check the path and the disk');
    throw e;
  }
}
