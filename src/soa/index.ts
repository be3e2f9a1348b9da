// The SoA and risk-register store: one SQLite file (ISMS_DATA_DIR/isms.sqlite) shared by the CLI, console and Slack app.
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Catalog, Edition } from '../catalog/catalog.js';
import type { Config, RiskLevel } from '../config.js';
import { AuditLog, type VerifyResult } from './audit.js';
import type { Role, ServiceRole, StoreContext } from './context.js';
import Database from 'better-sqlite3';
import { latestVersion, openDb, schemaVersion, tooNew, type Db } from './db.js';
import { DecisionStore, type SoaRow } from './decisions.js';
import { EditionStore, type EditionState } from './edition.js';
import { planTransition, applyTransition, type TransitionPlan } from './transition.js';
import { fail } from './errors.js';
import { InternalAuditStore } from './internal-audits.js';
import { writeExport, type ExportFormat, type SoaExport } from './export.js';
import { ProfileStore } from './profile.js';
import { RiskStore } from './risks.js';

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
}

const defaultLevels: RiskLevel[] = [{ name: 'low', min: 1, max: 6 }, { name: 'medium', min: 7, max: 14 }, { name: 'high', min: 15, max: 25 }];

export class Store {
  readonly db: Db;
  readonly audit: AuditLog;
  readonly profile: ProfileStore;
  readonly risks: RiskStore;
  readonly soa: DecisionStore;
  readonly editions: EditionStore;
  readonly internalAudits: InternalAuditStore;
  /** The risk levels by score (ISMS_RISK_LEVELS), lowest first. */
  readonly riskLevels: RiskLevel[];
  private readonly now: () => Date;
  private readonly timezone: string;

  readonly catalog: Catalog;

  constructor(readonly file: string, opts: StoreOptions) {
    this.catalog = opts.catalog;
    this.db = openDb(file, { target: opts.schemaVersion });
    this.audit = new AuditLog(this.db);
    this.now = opts.now ?? (() => new Date());
    this.timezone = opts.timezone ?? 'Asia/Tokyo';
    this.riskLevels = opts.riskLevels ?? defaultLevels;
    const ctx: StoreContext = {
      db: this.db, audit: this.audit, catalog: opts.catalog, approvers: opts.approvers ?? [], riskLevels: this.riskLevels,
      fallbackRole: opts.fallbackRole ?? 'both', now: this.now, defaultEdition: opts.defaultEdition ?? '2022',
    };
    this.profile = new ProfileStore(ctx);
    this.risks = new RiskStore(ctx, this.profile);
    this.editions = new EditionStore(ctx);
    this.soa = new DecisionStore(ctx, this.risks, this.editions, () => this.profileRoles());
    this.internalAudits = new InternalAuditStore(ctx, opts.auditIntervalMonths);
  }

  /** The roles in scope (JIP-ISMS517 4.1): from the profile's services, or ISMS_ROLE before a profile is set. */
  profileRoles(): Role[] {
    return this.profile.roles().roles;
  }

  /** The edition of the SoA: 2022 (93 Annex A controls + 27017 items per role) or 2013 (114 + 7 CLD). */
  edition(): EditionState {
    return this.editions.state();
  }

  /** Every line of the SoA in its edition with its current decision and pending proposal. */
  soaRows(edition?: Edition): SoaRow[] {
    return this.soa.rows(this.profileRoles(), edition);
  }

  /** What "soa transition --to 2022" would propose from the approved 2013 decisions; writes nothing. */
  planTransition(): TransitionPlan {
    return planTransition(this.soa.rows(this.profileRoles(), '2013'), this.soa.snapshot(this.profileRoles(), '2022').rows, this.editions.state());
  }

  /** Writes the plan's proposals (none approved) and moves the SoA to the 2022 edition, in one transaction. */
  transition(by: string | undefined, source?: string): TransitionPlan {
    return this.batch(() => applyTransition(this.planTransition(), { by, source, soa: this.soa, editions: this.editions }));
  }

  /** JIP-ISMS517 4.2.2 c): relevant controls with no approved decision. */
  missing(): SoaRow[] {
    return this.soa.missing(this.profileRoles());
  }

  /** Everything an SoA export shows. */
  exportData(): SoaExport {
    const roles = this.profileRoles();
    return { ...this.soa.snapshot(roles), profile: this.profile.get(), roles, risks: this.risks.list(), generatedAt: this.now(), timezone: this.timezone };
  }

  async exportSoa(format: ExportFormat, file: string): Promise<void> {
    checkOutputFolder(file);
    await writeExport(this.exportData(), format, file);
  }

  verifyAudit(): VerifyResult {
    return this.audit.verify();
  }

  /** Runs fn in one immediate transaction: every write in it is committed together, or none is. */
  batch<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  /** Copies the database with SQLite's online backup API; safe while other processes read and write. */
  async backup(target: string): Promise<{ file: string; pages: number }> {
    const file = resolve(target);
    if (existsSync(file)) fail('file', `${file} already exists`, 'Choose a new file name; a backup never overwrites a file');
    if (!existsSync(dirname(file))) fail('file', `folder ${dirname(file)} does not exist`, 'Create the folder first or choose another path');
    const r = await this.db.backup(file);
    return { file, pages: r.totalPages };
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

export function storeFile(config: Pick<Config, 'dataDir'>): string {
  return join(config.dataDir, 'isms.sqlite');
}

/** Opens the store for a configuration: ISMS_DATA_DIR/isms.sqlite, approvers, risk levels and the fallback role. */
export function openStore(config: Config, catalog: Catalog, extra: Partial<StoreOptions> = {}): Store {
  mkdirSync(config.dataDir, { recursive: true });
  return new Store(storeFile(config), {
    catalog, approvers: config.approvers, riskLevels: config.riskLevels, fallbackRole: config.role, auditIntervalMonths: config.auditIntervalMonths, timezone: config.timezone,
    defaultEdition: config.soaEdition, ...extra,
  });
}

/**
 * Verifies a database file as it is: opened read-only, never created and never migrated, so that checking evidence
 * (or an old backup) does not change it. `expectHead` is a chain hash recorded elsewhere earlier (a digest post, a
 * backup note): if no entry has it, entries were removed from the end of the log.
 */
export function verifyFile(file: string, expectHead?: string): VerifyResult {
  if (!existsSync(file)) fail('database', `no database at ${file}`, 'Check ISMS_DATA_DIR (or the backup path); nothing was created');
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const version = schemaVersion(db);
    if (version > latestVersion) throw tooNew(file, version);
    const r = new AuditLog(db).verify();
    if (r.ok && expectHead && !db.prepare('SELECT 1 FROM audit_log WHERE hash = ?').get(expectHead)) {
      return { ok: false, entries: r.entries, seq: null, problem: `no entry has the recorded head hash ${expectHead.slice(0, 16)}…: entries were removed from the end of the log, or this is another database` };
    }
    return r;
  } finally {
    db.close();
  }
}

/** A file is written only into a folder that exists: a typo in a path is an error that names it, not a crash. */
export function checkOutputFolder(file: string): void {
  const folder = dirname(resolve(file));
  if (!existsSync(folder)) fail('out', `folder ${folder} does not exist`, 'Create the folder first or choose another path');
}
