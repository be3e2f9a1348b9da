// What every part of the store shares, and small checks for the fields they all have.
import type { Catalog, Edition } from '../catalog/catalog.js';
import type { RiskLevel } from '../config.js';
import type { AuditLog } from './audit.js';
import type { StoreDb } from './sql.js';
import type { Issues } from './errors.js';
import type { PeopleDirectory } from './people.js';

export type Role = 'customer' | 'provider';
export type ServiceRole = Role | 'both';

export interface StoreContext {
  db: StoreDb;
  audit: AuditLog;
  catalog: Catalog;
  /** ISMS_APPROVERS, or the workspace's recorded approvers: Slack user IDs or CLI user names (a live list). */
  approvers: string[];
  /** Re-reads the recorded approvers into `approvers` (several workspaces); undefined when they come from ISMS_APPROVERS. */
  refreshApprovers?: () => Promise<unknown>;
  riskLevels: RiskLevel[];
  /** Roles in scope when no profile is set (ISMS_ROLE). */
  fallbackRole: ServiceRole;
  now: () => Date;
  /** ISMS_SOA_EDITION: the edition of a new store's SoA (default 2022). */
  defaultEdition: Edition;
  /** ISMS_FOUR_EYES: nobody approves their own proposal (a decision, an assessment, the changes of an SoA version). */
  fourEyes: boolean;
  /** Display names by Slack user ID, written beside the IDs. */
  people: PeopleDirectory;
}

const maxText = 4000;

/** Trimmed text, or undefined when empty; too long or missing-but-required text becomes an issue. */
export function text(issues: Issues, field: string, value: unknown, opts: { required?: string } = {}): string | undefined {
  if (value != null && typeof value === 'object') {
    issues.add(field, 'is not text', 'Give it as one line of text');
    return undefined;
  }
  const s = typeof value === 'string' ? noNul(value).trim() : typeof value === 'number' || typeof value === 'boolean' ? String(value) : '';
  if (!s) {
    if (opts.required) issues.add(field, 'is required', opts.required);
    return undefined;
  }
  if (s.length > maxText) issues.add(field, `is ${s.length} characters long`, `Keep it under ${maxText} characters and link to a document for the rest`);
  return s;
}

/** Where a change came from: "cli", "console", or a Slack permalink (an https URL). */
export function source(issues: Issues, value: unknown): string {
  const s = text(issues, 'source', value) ?? 'cli';
  if (s === 'cli' || s === 'console' || s === 'slack-install' || /^https:\/\/\S+$/.test(s)) return s;
  issues.add('source', `"${s}" is not a known source`, 'Use "cli", "console" or the https permalink of the Slack thread');
  return s;
}

export function list(value: unknown): string[] {
  const items = value == null ? [] : Array.isArray(value) ? value : [value];
  return items.map((v) => noNul(String(v)).trim()).filter(Boolean);
}

/** Text without NUL characters: they mean nothing in a record, and PostgreSQL cannot store them (SQLite can). */
function noNul(s: string): string {
  return s.includes('\0') ? s.replaceAll('\0', '') : s;
}

export const isoDate = (d: Date) => d.toISOString();
