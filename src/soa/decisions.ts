// SoA decisions (JIP-ISMS517 4.2.2). Every decision is a new row; a review (approve or reject) is a row of its own.
// The current decision for a control is its latest approved one; a newer unreviewed one is the pending proposal.
import type { CatalogEntry } from '../catalog/catalog.js';
import { nearestIds } from '../catalog/ids.js';
import type { Statement } from './db.js';
import { Issues, fail } from './errors.js';
import type { RiskStore } from './risks.js';
import { riskId } from './risks.js';
import { isoDate, list, source, text, type Role, type StoreContext } from './context.js';

export const statuses = ['implemented', 'partial', 'planned', 'not-implemented'] as const;
export const reasonKinds = ['risk', 'legal', 'contractual', 'business'] as const;
export type Status = (typeof statuses)[number];
export type DecisionState = 'approved' | 'proposed' | 'rejected' | 'superseded';

export interface Decision {
  id: number;
  controlId: string;
  /** 1 for the first decision recorded for this control, 2 for the next, ... */
  version: number;
  applicable: boolean;
  /** Reasons for inclusion: risk:R-3, legal:..., contractual:..., business:... */
  reasons: string[];
  status: Status;
  /** Why the control is excluded; required when not applicable. */
  justification: string | null;
  owner: string | null;
  evidence: string[];
  proposedBy: string;
  proposedAt: string;
  source: string;
  /** superseded: a proposal that a later decision replaced before anyone reviewed it. */
  state: DecisionState;
  approvedBy: string | null;
  approvedAt: string | null;
  rejectedBy: string | null;
  rejectedAt: string | null;
  rejectReason: string | null;
}

/** A decision as a person types it: applicable may be yes/no or a boolean. */
export interface DecisionInput {
  control?: string;
  applicable?: string | boolean;
  status?: string;
  justification?: string;
  reasons?: string[];
  owner?: string;
  evidence?: string[];
  by?: string;
  source?: string;
}

export interface SoaRow {
  entry: CatalogEntry;
  /** Whether the control concerns the roles in scope: every 27002 control does; a CLD control by its role flags. */
  relevant: boolean;
  current: Decision | null;
  pending: Decision | null;
}

interface DecisionRow {
  id: number; control_id: string; applicable: number; reasons: string; status: Status; justification: string | null;
  owner: string | null; evidence: string; proposed_by: string; proposed_at: string; source: string;
  verdict: 'approved' | 'rejected' | null; reviewed_by: string | null; reviewed_at: string | null; review_reason: string | null;
}

const select = `SELECT d.*, v.verdict, v.reviewed_by, v.reviewed_at, v.reason AS review_reason
  FROM decisions d LEFT JOIN reviews v ON v.decision_id = d.id`;

export function relevantTo(entry: CatalogEntry, roles: Role[]): boolean {
  return entry.kind === 'control' || roles.some((r) => entry.cloudGuidance[r]);
}

export class DecisionStore {
  private readonly ofControl: Statement;
  private readonly all: Statement;
  private readonly byId: Statement;
  private readonly insert: Statement;
  private readonly insertReview: Statement;

  constructor(private readonly ctx: StoreContext, private readonly risks: RiskStore) {
    const { db } = ctx;
    this.ofControl = db.prepare(`${select} WHERE d.control_id = ? ORDER BY d.id`);
    this.all = db.prepare(`${select} ORDER BY d.id`);
    this.byId = db.prepare(`SELECT x.*, (SELECT count(*) FROM decisions y WHERE y.control_id = x.control_id AND y.id <= x.id) AS version,
      (SELECT max(id) FROM decisions y WHERE y.control_id = x.control_id) AS latest FROM (${select} WHERE d.id = ?) x`);
    this.insert = db.prepare(`INSERT INTO decisions (control_id, applicable, reasons, status, justification, owner, evidence, proposed_by, proposed_at, source)
      VALUES (@control_id, @applicable, @reasons, @status, @justification, @owner, @evidence, @proposed_by, @proposed_at, @source)`);
    this.insertReview = db.prepare('INSERT INTO reviews (decision_id, verdict, reviewed_by, reviewed_at, reason) VALUES (?, ?, ?, ?, ?)');
  }

  isApprover(name: string | undefined): boolean {
    return !!name && this.ctx.approvers.includes(name.trim());
  }

  /** Records a decision: approved at once when an approver makes it, otherwise a proposal. Bad input writes nothing. */
  set(input: DecisionInput): Decision {
    const row = this.check(input, new Issues());
    return this.ctx.db.transaction(() => this.write(row)).immediate();
  }

  /** Records several decisions in one transaction: all of them or none. */
  setMany(inputs: DecisionInput[]): Decision[] {
    const issues = new Issues();
    const rows = inputs.map((input, i) => {
      const own = new Issues();
      const row = this.check(input, own, false);
      for (const x of own.list) issues.add(inputs.length > 1 ? `#${i + 1} ${x.field}` : x.field, x.message, x.hint);
      return row;
    });
    issues.done();
    return this.ctx.db.transaction(() => rows.map((r) => this.write(r))).immediate();
  }

  /** `version`: the proposal the approver read; refused when a newer one has replaced it since. */
  approve(control: string | undefined, by: string | undefined, version?: number): Decision {
    return this.review(control, by, 'approved', undefined, version);
  }

  reject(control: string | undefined, by: string | undefined, reason?: string, version?: number): Decision {
    return this.review(control, by, 'rejected', reason, version);
  }

  /** One decision by its row ID. */
  get(id: number): Decision | null {
    const r = this.byId.get(id) as (DecisionRow & { version: number; latest: number }) | undefined;
    return r ? toDecision(r, r.version, r.latest === r.id) : null;
  }

  history(control: string): Decision[] {
    return toDecisions(this.ofControl.all(control) as DecisionRow[]);
  }

  /** The approved decision in force and the pending proposal, if any. */
  state(control: string): { current: Decision | null; pending: Decision | null } {
    return pick(this.history(control));
  }

  /** Every SoA control (114 + 7 CLD) with its current decision and pending proposal. */
  rows(roles: Role[]): SoaRow[] {
    return this.snapshot(roles).rows;
  }

  /** The SoA rows and every decision ever recorded (oldest first), from one read. */
  snapshot(roles: Role[]): { rows: SoaRow[]; history: Decision[] } {
    const byControl = this.grouped();
    const rows = this.ctx.catalog.controls().map((entry) => ({
      entry, relevant: relevantTo(entry, roles), ...pick(byControl.get(entry.id) ?? []),
    }));
    return { rows, history: [...byControl.values()].flat().sort((a, b) => a.id - b.id) };
  }

  private grouped(): Map<string, Decision[]> {
    const byControl = new Map<string, DecisionRow[]>();
    for (const r of this.all.all() as DecisionRow[]) {
      const rows = byControl.get(r.control_id) ?? [];
      rows.push(r);
      byControl.set(r.control_id, rows);
    }
    return new Map([...byControl].map(([id, rows]) => [id, toDecisions(rows)]));
  }

  /** JIP-ISMS517 4.2.2 c): controls relevant to the roles in scope that have no approved decision. */
  missing(roles: Role[]): SoaRow[] {
    return this.rows(roles).filter((r) => r.relevant && !r.current);
  }

  /** Resolves a control ID for the SoA, or adds an issue with the nearest SoA control IDs. */
  resolve(issues: Issues, raw: string | undefined): CatalogEntry | undefined {
    const value = raw?.trim();
    const ids = this.ctx.catalog.controls().map((c) => c.id);
    if (!value) {
      issues.add('control', 'is required', 'Give a control ID such as 12.3.1 or CLD.9.5.1');
      return undefined;
    }
    const r = this.ctx.catalog.resolve(value);
    if (r.ok && r.entry.kind !== 'requirement') return r.entry;
    issues.add('control', r.ok ? `${r.id} is a JIP-ISMS517 requirement, not an SoA control` : `no control "${value}" in the catalogue`,
      `Did you mean ${nearestIds(value, ids).join(', ')}? The SoA covers the 114 Annex A controls (e.g. 12.3.1) and the 7 CLD controls (e.g. CLD.9.5.1)`);
    return undefined;
  }

  private review(control: string | undefined, by: string | undefined, verdict: 'approved' | 'rejected', reason?: string, version?: number): Decision {
    const issues = new Issues();
    const entry = this.resolve(issues, control);
    const who = text(issues, 'by', by, { required: `Say who ${verdict === 'approved' ? 'approves' : 'rejects'}, e.g. --by alice` });
    const why = text(issues, 'reason', reason);
    issues.done();
    if (!this.isApprover(who)) {
      const { approvers } = this.ctx;
      fail('by', `${who} is not an approver, so cannot ${verdict === 'approved' ? 'approve' : 'reject'}`, approvers.length
        ? `Ask one of ${approvers.join(', ')} (ISMS_APPROVERS)`
        : 'No approvers are configured: set ISMS_APPROVERS to a comma-separated list of Slack user IDs or CLI user names');
    }
    return this.ctx.db.transaction(() => {
      const { pending, current } = this.state(entry!.id);
      if (!pending) {
        fail('control', `${entry!.id} has no pending proposal to ${verdict === 'approved' ? 'approve' : 'reject'}`,
          current ? `Its current decision (version ${current.version}) is already approved; see "soa show ${entry!.id} --history"` : `Propose one first with "soa set ${entry!.id} ..."`);
      }
      if (version !== undefined && pending.version !== version) {
        fail('version', `the pending proposal for ${entry!.id} is version ${pending.version}, not ${version}: it was proposed again since`,
          `Read it with "soa show ${entry!.id}" and ${verdict === 'approved' ? 'approve' : 'reject'} version ${pending.version}`);
      }
      this.addReview(pending.id, entry!.id, verdict, who!, why);
      return this.get(pending.id)!;
    }).immediate();
  }

  private write(row: Record<string, unknown>): Decision {
    const id = Number(this.insert.run(row).lastInsertRowid);
    const control = row.control_id as string;
    const by = row.proposed_by as string;
    const approved = this.isApprover(by);
    this.ctx.audit.append({
      at: row.proposed_at as string, actor: by, action: approved ? 'soa.set' : 'soa.propose', subject: control, table: 'decisions', row: id,
      extra: { applicable: row.applicable === 1, status: row.status },
    });
    if (approved) this.addReview(id, control, 'approved', by, undefined, row.proposed_at as string);
    return this.get(id)!;
  }

  private addReview(decision: number, control: string, verdict: 'approved' | 'rejected', by: string, reason?: string, at = isoDate(this.ctx.now())): void {
    const id = Number(this.insertReview.run(decision, verdict, by, at, reason ?? null).lastInsertRowid);
    this.ctx.audit.append({
      at, actor: by, action: verdict === 'approved' ? 'soa.approve' : 'soa.reject', subject: control, table: 'reviews', row: id, extra: { decision },
    });
  }

  /** Checks one decision and returns its row. Issues go to `issues`; with `throwNow` they are thrown before returning. */
  private check(input: DecisionInput, issues: Issues, throwNow = true): Record<string, unknown> {
    const entry = this.resolve(issues, input.control);
    const applicable = yesNo(input.applicable);
    if (applicable === undefined) {
      issues.add('applicable', input.applicable == null || input.applicable === '' ? 'is required' : `"${input.applicable}" is not yes or no`,
        'Say whether the control is applicable: --applicable yes or --applicable no');
    }
    const status = text(issues, 'status', input.status, { required: `Give the implementation status: --status ${statuses.join('|')}` })?.toLowerCase();
    if (status && !(statuses as readonly string[]).includes(status)) {
      issues.add('status', `"${status}" is not a status`, `Use one of ${statuses.join(', ')} (partial = partially implemented)`);
    }
    const justification = text(issues, 'justification', input.justification);
    const reasons = this.checkReasons(issues, list(input.reasons));
    if (applicable === false && status === 'implemented') {
      issues.add('status', 'a control that is not applicable cannot be implemented', 'Use --status not-implemented for an excluded control, or --applicable yes');
    }
    if (applicable === false && !justification) {
      issues.add('justification', 'a control that is not applicable needs an exclusion justification (JIP-ISMS517 4.2.2)',
        'Add --justification "why the control is excluded", e.g. --justification "No own data centre: physical security is the provider\'s (see contract)"');
    }
    if (applicable === false && reasons.length) {
      issues.add('reason', 'reasons are reasons for inclusion, but the control is not applicable', 'Drop --reason and explain the exclusion in --justification');
    }
    if (applicable === true && justification) {
      issues.add('justification', 'is the reason for excluding a control, but the control is applicable', 'Drop --justification and give reasons for inclusion with --reason risk:R-1, legal:..., contractual:... or business:...');
    }
    const evidence = list(input.evidence);
    const owner = text(issues, 'owner', input.owner) ?? null;
    const by = text(issues, 'by', input.by, { required: 'Say who makes the decision, e.g. --by alice' });
    const src = source(issues, input.source);
    if (throwNow) issues.done();
    return {
      control_id: entry?.id, applicable: applicable ? 1 : 0, reasons: JSON.stringify(reasons), status, justification: justification ?? null,
      owner, evidence: JSON.stringify(evidence), proposed_by: by, proposed_at: isoDate(this.ctx.now()), source: src,
    };
  }

  private checkReasons(issues: Issues, raws: string[]): string[] {
    const out: string[] = [];
    for (const raw of raws) {
      const m = /^([a-z]+)\s*:\s*(.+)$/i.exec(raw);
      const kind = m?.[1]!.toLowerCase();
      if (!m || !(reasonKinds as readonly string[]).includes(kind!)) {
        issues.add('reason', `"${raw}" does not start with a reason kind`, 'Write risk:R-3, legal:<law>, contractual:<contract> or business:<need>');
        continue;
      }
      let value = m[2]!.trim();
      if (kind === 'risk') {
        const id = riskId(value);
        if (!id || !this.risks.get(id)) {
          const known = this.risks.list().map((r) => r.id);
          issues.add('reason', `${id ?? `"${value}"`} is not a risk in the register`,
            known.length ? `Refer to an existing risk (${known.slice(0, 8).join(', ')}${known.length > 8 ? ', ...' : ''}) or add it with "risk add"` : 'The register is empty: add the risk first with "risk add"');
          continue;
        }
        value = id;
      }
      const reason = `${kind}:${value}`;
      if (!out.includes(reason)) out.push(reason);
    }
    return out;
  }
}

function yesNo(v: string | boolean | undefined): boolean | undefined {
  if (typeof v === 'boolean') return v;
  const s = v?.normalize('NFKC').trim().toLowerCase();
  return s === 'yes' || s === 'true' || s === 'y' ? true : s === 'no' || s === 'false' || s === 'n' ? false : undefined;
}

function toDecision(r: DecisionRow, version: number, last: boolean): Decision {
  const state: DecisionState = r.verdict ?? (last ? 'proposed' : 'superseded');
  const approved = r.verdict === 'approved';
  const rejected = r.verdict === 'rejected';
  return {
    id: r.id, controlId: r.control_id, version, applicable: r.applicable === 1, reasons: JSON.parse(r.reasons) as string[],
    status: r.status, justification: r.justification, owner: r.owner, evidence: JSON.parse(r.evidence) as string[],
    proposedBy: r.proposed_by, proposedAt: r.proposed_at, source: r.source, state,
    approvedBy: approved ? r.reviewed_by : null, approvedAt: approved ? r.reviewed_at : null,
    rejectedBy: rejected ? r.reviewed_by : null, rejectedAt: rejected ? r.reviewed_at : null, rejectReason: rejected ? r.review_reason : null,
  };
}

function toDecisions(rows: DecisionRow[]): Decision[] {
  return rows.map((r, i) => toDecision(r, i + 1, i === rows.length - 1));
}

function pick(history: Decision[]): { current: Decision | null; pending: Decision | null } {
  const last = history[history.length - 1];
  const current = [...history].reverse().find((d) => d.state === 'approved') ?? null;
  return { current, pending: last?.state === 'proposed' ? last : null };
}
