// SoA decisions (JIP-ISMS517 4.2.2). Every decision is a new row; a review (approve or reject) is a row of its own.
// The current decision for a control is its latest approved one; a newer unreviewed one is the pending proposal.
import { ids2022, type Catalog, type CatalogEntry, type Edition } from '../catalog/catalog.js';
import { nearestIds } from '../catalog/ids.js';
import type { EditionStore } from './edition.js';
import { itemKey, keyEdition, splitKey } from './keys.js';

export { itemKey, keyEdition, splitKey };
import type { StoreDb } from './sql.js';
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
  /** The SoA item key: "12.3.1" (2013), "5.23" (2022 Annex A) or "CLD.9.5.1@provider" (2022, a 27017 item per role). */
  controlId: string;
  /** The catalogue ID and the role of the item: "CLD.9.5.1" and "provider" for "CLD.9.5.1@provider". */
  control: string;
  role: Role | null;
  edition: Edition;
  /** 1 for the first decision recorded for this control, 2 for the next, ... */
  version: number;
  applicable: boolean;
  /** Reasons for inclusion: risk:R-3, legal:..., contractual:..., business:... */
  reasons: string[];
  status: Status;
  /** Why the control is excluded; required when not applicable. */
  justification: string | null;
  owner: string | null;
  /** The owner's display name when the decision was written (a Slack user), else null. */
  ownerName: string | null;
  evidence: string[];
  proposedBy: string;
  /** The proposer's display name when the decision was written (a Slack user), else null. */
  proposedByName: string | null;
  proposedAt: string;
  source: string;
  /** superseded: a proposal that a later decision replaced before anyone reviewed it. */
  state: DecisionState;
  approvedBy: string | null;
  approvedByName: string | null;
  approvedAt: string | null;
  rejectedBy: string | null;
  rejectedByName: string | null;
  rejectedAt: string | null;
  rejectReason: string | null;
}

/** A decision as a person types it: applicable may be yes/no or a boolean. */
export interface DecisionInput {
  control?: string;
  /** For a 2022 SoA's 27017 cloud items: the role the decision answers for (or write the control as CLD.9.5.1@provider). */
  role?: string;
  applicable?: string | boolean;
  status?: string;
  justification?: string;
  reasons?: string[];
  owner?: string;
  evidence?: string[];
  by?: string;
  source?: string;
}

/** One line of the SoA: a control of the edition, or (2022) an ISO/IEC 27017 cloud item for one role. */
export interface SoaItem {
  /** The key its decisions are recorded under: "5.23", "12.3.1@customer", "CLD.9.5.1@provider"; in 2013 the control ID. */
  key: string;
  entry: CatalogEntry;
  /** The role a 2022 27017 row answers for; null for Annex A controls and every 2013 row. */
  role: Role | null;
  edition: Edition;
}

export interface SoaRow extends SoaItem {
  /** Whether the row concerns the roles in scope: every Annex A control does; a 2013 CLD control by its role flags. */
  relevant: boolean;
  current: Decision | null;
  pending: Decision | null;
}

const roleNames: Role[] = ['customer', 'provider'];
/**
 * The SoA lines a treating control bears on, e.g. when an assessment chooses 12.3.1 for a risk. 2013: the control
 * itself. 2022: an Annex A control itself; a 2013 or CLD control its 2022 controls and, if it is a 27017 item, its
 * line for each role in scope that 27017 gives guidance.
 */
export function linesFor(catalog: Catalog, edition: Edition, controlId: string, roles: Role[]): string[] {
  const e = catalog.get(controlId);
  if (!e || edition === '2013' || e.kind === 'annex2022') return [controlId];
  const cloud = e.kind === 'cld' || e.extended ? roleNames.filter((r) => roles.includes(r) && e.cloudGuidance[r]).map((r) => itemKey(e.id, r)) : [];
  return [...ids2022(e), ...cloud];
}

/** The SoA lines of an edition for the roles in scope. 2022: the 93 Annex A controls, then each 27017 item once per role in scope that 27017 gives guidance. */
export function soaItems(catalog: Catalog, edition: Edition, roles: Role[]): (SoaItem & { relevant: boolean })[] {
  return itemsOf(catalog, edition, roles).items;
}

type Items = { items: (SoaItem & { relevant: boolean })[]; byKey: Map<string, SoaItem & { relevant: boolean }> };

/** The lines of an edition for the roles in scope, and the same by key. */
function itemsOf(catalog: Catalog, edition: Edition, roles: Role[]): Items {
  // The catalogue never changes while loaded: the lines of an edition and roles are worked out once.
  const key = `${edition}:${roles.includes('customer') ? 'c' : ''}${roles.includes('provider') ? 'p' : ''}`;
  let byKey = itemCache.get(catalog);
  if (!byKey) itemCache.set(catalog, (byKey = new Map<string, Items>()));
  let items = byKey.get(key);
  if (!items) {
    const list = listItems(catalog, edition, roles);
    byKey.set(key, (items = { items: list, byKey: new Map(list.map((i) => [i.key, i])) }));
  }
  return items;
}

const itemCache = new WeakMap<Catalog, Map<string, Items>>();

/** Catalogue entries by what was typed, for IDs that resolved (a batch names the same few IDs many times). */
const resolvedCache = new WeakMap<Catalog, Map<string, CatalogEntry>>();
function resolveId(catalog: Catalog, value: string): ReturnType<Catalog['resolve']> {
  let known = resolvedCache.get(catalog);
  if (!known) resolvedCache.set(catalog, (known = new Map<string, CatalogEntry>()));
  const hit = known.get(value);
  if (hit) return { ok: true, id: hit.id, entry: hit };
  const r = catalog.resolve(value);
  if (r.ok && known.size < 4096) known.set(value, r.entry);
  return r;
}

function listItems(catalog: Catalog, edition: Edition, roles: Role[]): (SoaItem & { relevant: boolean })[] {
  if (edition === '2013') return catalog.controls().map((entry) => ({ key: entry.id, entry, role: null, edition, relevant: relevantTo(entry, roles) }));
  const annex = catalog.annex2022().map((entry) => ({ key: entry.id, entry, role: null, edition, relevant: true }));
  const cloud = catalog.cloudItems().flatMap((entry) => roleNames.filter((r) => roles.includes(r) && entry.cloudGuidance[r])
    .map((role) => ({ key: itemKey(entry.id, role), entry, role, edition, relevant: true })));
  return [...annex, ...cloud];
}

interface DecisionRow {
  id: number; control_id: string; applicable: number; reasons: string; status: Status; justification: string | null;
  owner: string | null; owner_name?: string | null; evidence: string; proposed_by: string; proposed_by_name?: string | null; proposed_at: string; source: string;
  verdict: 'approved' | 'rejected' | null; reviewed_by: string | null; reviewed_by_name: string | null; reviewed_at: string | null; review_reason: string | null;
}

type ReviewFields = Pick<DecisionRow, 'verdict' | 'reviewed_by' | 'reviewed_by_name' | 'reviewed_at' | 'review_reason'>;
const noReview: ReviewFields = { verdict: null, reviewed_by: null, reviewed_by_name: null, reviewed_at: null, review_reason: null };

/** Decisions with their review; a file older than schema step 6 has no reviewer names. */
const selectFor = (db: StoreDb) => `SELECT d.*, v.verdict, v.reviewed_by, v.reviewed_at, v.reason AS review_reason,
  ${db.hasColumn('reviews', 'reviewed_by_name') ? 'v.reviewed_by_name' : 'NULL AS reviewed_by_name'}
  FROM decisions d LEFT JOIN reviews v ON v.decision_id = d.id`;

export function relevantTo(entry: CatalogEntry, roles: Role[]): boolean {
  return entry.kind === 'control' || roles.some((r) => entry.cloudGuidance[r]);
}

export class DecisionStore {
  private readonly ofControl: string;
  private readonly all: string;
  private readonly byId: string;
  /** The columns of decisions and reviews this file has (a file older than schema step 6 has no display names). */
  private readonly decisionColumns: string[];
  private readonly reviewColumns: string[];

  constructor(private readonly ctx: StoreContext, private readonly risks: RiskStore, readonly editions: EditionStore, private readonly roles: () => Promise<Role[]>) {
    const { db } = ctx;
    const select = selectFor(db);
    this.ofControl = `${select} WHERE d.control_id = ? ORDER BY d.id`;
    this.all = `${select} ORDER BY d.id`;
    this.byId = `SELECT x.*, CAST((SELECT count(*) FROM decisions y WHERE y.control_id = x.control_id AND y.id <= x.id) AS INTEGER) AS version,
      (SELECT max(id) FROM decisions y WHERE y.control_id = x.control_id) AS latest FROM (${select} WHERE d.id = ?) x`;
    this.decisionColumns = ['control_id', 'applicable', 'reasons', 'status', 'justification', 'owner', 'owner_name', 'evidence',
      'proposed_by', 'proposed_by_name', 'proposed_at', 'source'].filter((c) => db.hasColumn('decisions', c));
    this.reviewColumns = ['decision_id', 'verdict', 'reviewed_by', 'reviewed_by_name', 'reviewed_at', 'reason'].filter((c) => db.hasColumn('reviews', c));
  }

  isApprover(name: string | undefined): boolean {
    return !!name && this.ctx.approvers.includes(name.trim());
  }

  /** Records a decision: approved at once when an approver makes it, otherwise a proposal. Bad input writes nothing. */
  async set(input: DecisionInput): Promise<Decision> {
    return await this.ctx.db.write(async () => {
      await this.ctx.refreshApprovers?.();
      return await this.write(await this.check(input, new Issues()));
    });
  }

  /** Records several decisions in one transaction: all of them or none. */
  async setMany(inputs: DecisionInput[]): Promise<Decision[]> {
    return await this.ctx.db.write(async () => {
      const rows = await this.checkAll(inputs);
      const out: Decision[] = [];
      for (const r of rows) out.push(await this.write(r));
      return out;
    });
  }


  /**
   * Records proposals that nobody approves by writing them, whoever proposes (soa transition). `basis` per input goes
   * into its audit entry, e.g. the 2013 decisions it was drawn from. Call inside a transaction.
   */
  async proposeMany(inputs: DecisionInput[], basis: Record<string, unknown>[]): Promise<Decision[]> {
    const out: Decision[] = [];
    for (const [i, r] of (await this.checkAll(inputs)).entries()) out.push(await this.write(r, { proposeOnly: true, extra: basis[i] }));
    return out;
  }

  /**
   * Records each input as a proposal by its own `by` (who entered it) and approves it as `approver`, so that both names
   * stay on the record (an approved assessment). The caller has checked that `approver` is one, and holds the
   * transaction. A proposer who is the approver is recorded as approving their own entry.
   */
  async proposeAndApprove(inputs: DecisionInput[], approver: string, extra: Record<string, unknown> = {}): Promise<Decision[]> {
    const own = inputs.filter((i) => i.by?.trim() === approver.trim());
    if (own.length) this.refuseOwn(approver, `entered ${own.length === 1 ? 'an item' : `${own.length} items`} of this assessment`);
    const out: Decision[] = [];
    for (const r of await this.checkAll(inputs)) {
      const d = await this.write(r, { proposeOnly: true, extra });
      const review = await this.addReview(d.id, d.controlId, 'approved', approver);
      out.push({ ...d, state: 'approved', approvedBy: review.reviewed_by, approvedByName: review.reviewed_by_name, approvedAt: review.reviewed_at } satisfies Decision);
    }
    return out;
  }

  private async checkAll(inputs: DecisionInput[]): Promise<Record<string, unknown>[]> {
    const issues = new Issues();
    // Nothing is written before every input is checked, so the edition and the roles in scope are the same for all.
    const scope = inputs.length > 1 ? { edition: await this.editions.current(), roles: await this.roles() } : undefined;
    const rows: Record<string, unknown>[] = [];
    for (const [i, input] of inputs.entries()) {
      const own = new Issues();
      const row = await this.check(input, own, false, scope);
      for (const x of own.list) issues.add(inputs.length > 1 ? `#${i + 1} ${x.field}` : x.field, x.message, x.hint);
      rows.push(row);
    }
    issues.done();
    return rows;
  }

  /** `version`: the proposal the approver read; refused when a newer one has replaced it since. */
  async approve(control: string | undefined, by: string | undefined, version?: number): Promise<Decision> {
    return await this.review(control, by, 'approved', undefined, version);
  }

  async reject(control: string | undefined, by: string | undefined, reason?: string, version?: number): Promise<Decision> {
    return await this.review(control, by, 'rejected', reason, version);
  }

  /** One decision by its row ID. */
  async get(id: number): Promise<Decision | null> {
    return await this.ctx.db.read(async () => this.getNow(id));
  }

  private async getNow(id: number): Promise<Decision | null> {
    const r = await this.ctx.db.get<DecisionRow & { version: number; latest: number }>(this.byId, [id]);
    return r ? toDecision(r, r.version, r.latest === r.id) : null;
  }

  async history(control: string): Promise<Decision[]> {
    return await this.ctx.db.read(async () => toDecisions(await this.ctx.db.all<DecisionRow>(this.ofControl, [control])));
  }

  /** The approved decision in force and the pending proposal, if any. */
  async state(control: string): Promise<{ current: Decision | null; pending: Decision | null }> {
    return pick(await this.history(control));
  }

  /** Every line of the SoA in the edition (default: the store's) with its current decision and pending proposal. */
  async rows(roles: Role[], edition?: Edition): Promise<SoaRow[]> {
    return await this.ctx.db.read(async () => (await this.snapshot(roles, edition)).rows);
  }

  /** The SoA rows of an edition and every decision ever recorded in it (oldest first), from one read. */
  async snapshot(roles: Role[], edition?: Edition): Promise<{ rows: SoaRow[]; history: Decision[]; edition: Edition }> {
    return await this.ctx.db.read(async () => this.snapshotOf(roles, edition ?? await this.editions.current()));
  }

  private async snapshotOf(roles: Role[], edition: Edition): Promise<{ rows: SoaRow[]; history: Decision[]; edition: Edition }> {
    const byControl = await this.grouped();
    const rows = soaItems(this.ctx.catalog, edition, roles).map((item) => ({ ...item, ...pick(byControl.get(item.key) ?? []) }));
    const history = [...byControl.values()].flat().filter((d) => d.edition === edition).sort((a, b) => a.id - b.id);
    return { rows, history, edition };
  }

  private async grouped(): Promise<Map<string, Decision[]>> {
    const byControl = new Map<string, DecisionRow[]>();
    for (const r of await this.ctx.db.all<DecisionRow>(this.all)) {
      const rows = byControl.get(r.control_id) ?? [];
      rows.push(r);
      byControl.set(r.control_id, rows);
    }
    return new Map([...byControl].map(([id, rows]) => [id, toDecisions(rows)]));
  }

  /** JIP-ISMS517 4.2.2 c): controls relevant to the roles in scope that have no approved decision. */
  async missing(roles: Role[]): Promise<SoaRow[]> {
    return (await this.rows(roles)).filter((r) => r.relevant && !r.current);
  }

  /**
   * Resolves what a person typed ("5.23", "A.8.16", "CLD.9.5.1@provider", or an ID plus `role`) to a line of the SoA in
   * the store's edition, or adds an issue that says which line to use instead.
   */
  async resolve(issues: Issues, raw: string | undefined, role?: string, inEdition?: Edition, inScope?: Role[]): Promise<SoaItem | undefined> {
    return await this.ctx.db.read(async () => this.resolveIn(issues, raw, role, inEdition ?? await this.editions.current(), inScope ?? await this.roles()));
  }

  private resolveIn(issues: Issues, raw: string | undefined, role: string | undefined, edition: Edition, scope: Role[]): SoaItem | undefined {
    const roles = () => scope;
    const split = splitKey(raw ?? '');
    const value = split.id;
    const wantRole = (role?.trim() || split.role)?.toLowerCase() ?? null;
    const example = edition === '2022' ? '5.23, or 12.3.1 --role customer for a 27017 item' : '12.3.1 or CLD.9.5.1';
    if (!value) {
      issues.add('control', 'is required', `Give a control ID such as ${example}`);
      return undefined;
    }
    if (wantRole && !(roleNames as string[]).includes(wantRole)) {
      issues.add('role', `"${wantRole}" is not a role`, 'Use --role customer or --role provider');
      return undefined;
    }
    const r = resolveId(this.ctx.catalog, value);
    const { items, byKey } = itemsOf(this.ctx.catalog, edition, roles());
    if (!r.ok || r.entry.kind === 'requirement') {
      const ids = [...new Set(items.map((i) => i.entry.id))];
      issues.add('control', r.ok ? `${r.id} is a JIP-ISMS517 requirement, not an SoA control` : `no control "${value}" in the catalogue`,
        `Did you mean ${nearestIds(value, ids).join(', ')}? ${scopeText(edition)}`);
      return undefined;
    }
    const e = r.entry;
    if (edition === '2013') {
      if (e.kind === 'annex2022') {
        issues.add('control', `${e.id} is an ISO/IEC 27001:2022 control, but this SoA is in the 2013 edition`,
          `Record it on the 2013 control(s) ${e.annex2022!.from2013.join(', ') || '(none: it is new in 2022)'}, or move the SoA with "soa transition --to 2022"`);
        return undefined;
      }
      if (wantRole) {
        issues.add('role', 'a 2013-edition SoA has one decision per control', `Drop --role, or move the SoA to the 2022 edition with "soa transition --to 2022"`);
        return undefined;
      }
      return byKey.get(e.id);
    }
    if (e.kind === 'annex2022') {
      if (wantRole) {
        issues.add('role', `${e.id} is an ISO/IEC 27001:2022 Annex A control: one decision for the organisation`, 'Drop --role; roles apply to the ISO/IEC 27017 cloud items (e.g. 12.3.1, CLD.9.5.1)');
        return undefined;
      }
      return byKey.get(e.id);
    }
    const to2022 = ids2022(e).join(', ');
    if (e.kind === 'control' && !e.extended) {
      issues.add('control', `${e.id} is an ISO/IEC 27002:2013 control, and this SoA is in the 2022 edition: ${e.id} maps to ${to2022}`,
        `Record the decision on ${to2022} (e.g. soa set ${ids2022(e)[0]} ...)`);
      return undefined;
    }
    const open = roleNames.filter((x) => byKey.has(itemKey(e.id, x)));
    const guided = roleNames.filter((x) => e.cloudGuidance[x]);
    if (wantRole) {
      const hit = byKey.get(itemKey(e.id, wantRole as Role));
      if (hit) return hit;
      issues.add('role', !guided.includes(wantRole as Role) ? `ISO/IEC 27017 gives ${e.id} no ${wantRole} guidance, so it has no ${wantRole} row`
        : `the ${wantRole} role is not in scope (roles in scope: ${roles().join(', ')})`,
      open.length ? `Use --role ${open.join(' or --role ')}` : `Record the Annex A decision on ${to2022} instead, or add the role to the profile (profile set)`);
      return undefined;
    }
    if (open.length === 1) return byKey.get(itemKey(e.id, open[0]!));
    issues.add('role', open.length ? `${e.id} is an ISO/IEC 27017 cloud item with one decision per role` : `${e.id} concerns no role in scope (${roles().join(', ')})`,
      open.length ? `Add --role customer or --role provider (in chat: ${e.id}@customer); for the Annex A decision use ${to2022}` : `Record the Annex A decision on ${to2022}`);
    return undefined;
  }

  private async review(control: string | undefined, by: string | undefined, verdict: 'approved' | 'rejected', reason?: string, version?: number): Promise<Decision> {
    const issues = new Issues();
    const item = await this.resolve(issues, control);
    const entry = item && { id: item.key };
    const who = text(issues, 'by', by, { required: `Say who ${verdict === 'approved' ? 'approves' : 'rejects'}, e.g. --by alice` });
    const why = text(issues, 'reason', reason);
    issues.done();
    await this.ctx.refreshApprovers?.();
    if (!this.isApprover(who)) {
      const { approvers } = this.ctx;
      fail('by', `${who} is not an approver, so cannot ${verdict === 'approved' ? 'approve' : 'reject'}`, approvers.length
        ? `Ask one of ${approvers.join(', ')} (ISMS_APPROVERS)`
        : 'No approvers are configured: set ISMS_APPROVERS to a comma-separated list of Slack user IDs or CLI user names');
    }
    return await this.ctx.db.write(async () => {
      const { pending, current } = await this.state(entry!.id);
      if (!pending) {
        fail('control', `${entry!.id} has no pending proposal to ${verdict === 'approved' ? 'approve' : 'reject'}`,
          current ? `Its current decision (version ${current.version}) is already approved; see "soa show ${entry!.id} --history"` : `Propose one first with "soa set ${entry!.id} ..."`);
      }
      if (version !== undefined && pending.version !== version) {
        fail('version', `the pending proposal for ${entry!.id} is version ${pending.version}, not ${version}: it was proposed again since`,
          `Read it with "soa show ${entry!.id}" and ${verdict === 'approved' ? 'approve' : 'reject'} version ${pending.version}`);
      }
      if (verdict === 'approved' && pending.proposedBy === who) this.refuseOwn(who, `proposed version ${pending.version} of ${entry!.id}`);
      await this.addReview(pending.id, entry!.id, verdict, who!, why);
      return (await this.get(pending.id))!;
    });
  }

  /** Four-eyes (ISMS_FOUR_EYES): refuses an approval by the person who proposed what is approved. */
  refuseOwn(who: string, what: string): void {
    if (!this.ctx.fourEyes) return;
    const others = this.ctx.approvers.filter((a) => a !== who);
    fail('by', `${who} ${what}, and four-eyes is on (ISMS_FOUR_EYES=true): nobody approves their own proposal`,
      others.length ? `Ask another approver: ${others.join(', ')}` : 'Add a second approver to ISMS_APPROVERS, or turn four-eyes off');
  }

  private async write(row: Record<string, unknown>, opts: { proposeOnly?: boolean; extra?: Record<string, unknown> } = {}): Promise<Decision> {
    const control = row.control_id as string;
    const by = row.proposed_by as string;
    const written = await this.ctx.db.insert('decisions', this.columnsOf(this.decisionColumns, row)) as unknown as DecisionRow;
    this.editions.noteDecision(control);
    const id = written.id;
    const version = await this.versionOf(control);
    // Under four-eyes an approver's own decision waits for another approver, like anyone's.
    const approved = !opts.proposeOnly && !this.ctx.fourEyes && this.isApprover(by);
    await this.ctx.audit.append({
      at: row.proposed_at as string, actor: by, action: approved ? 'soa.set' : 'soa.propose', subject: control, table: 'decisions', row: id, written: written as unknown as Record<string, unknown>,
      extra: { applicable: row.applicable === 1, status: row.status, ...opts.extra },
    });
    const review: ReviewFields = { verdict: null, reviewed_by: null, reviewed_by_name: null, reviewed_at: null, review_reason: null };
    if (approved) await this.addReview(id, control, 'approved', by, undefined, row.proposed_at as string, review);
    // What get(id) would read back: the row as stored, the newest decision of its control, reviewed or not.
    return toDecision({ ...written, ...review }, version, true);
  }

  /**
   * The version of the decision just inserted for `control`: how many it has. Counted once per control in a write
   * transaction, then one more per decision the transaction adds (nobody else writes this store's decisions meanwhile).
   */
  private async versionOf(control: string): Promise<number> {
    const memo = this.ctx.db.memo();
    let counts = memo?.get('decisions.counts') as Map<string, number> | undefined;
    if (memo && !counts) memo.set('decisions.counts', (counts = new Map<string, number>()));
    const known = counts?.get(control);
    const version = known === undefined ? (await this.ctx.db.get('SELECT CAST(count(*) AS INTEGER) AS n FROM decisions WHERE control_id = ?', [control]) as { n: number }).n : known + 1;
    counts?.set(control, version);
    return version;
  }

  /** The bound values of `columns` (the columns of this file) from a checked row: the row itself when it has just those. */
  private columnsOf(columns: string[], row: Record<string, unknown>): Record<string, unknown> {
    let keys = 0;
    for (const k in row) if (Object.hasOwn(row, k)) keys++;
    if (keys === columns.length && columns.every((c) => Object.hasOwn(row, c))) return row;
    const out: Record<string, unknown> = {};
    for (const c of columns) out[c] = row[c];
    return out;
  }

  /** Records a review of `decision`; its fields as a decision shows them go into `into`. */
  private async addReview(decision: number, control: string, verdict: 'approved' | 'rejected', by: string, reason?: string, at = isoDate(this.ctx.now()),
    into: ReviewFields = { ...noReview }): Promise<ReviewFields> {
    const values = this.columnsOf(this.reviewColumns, {
      decision_id: decision, verdict, reviewed_by: by, reviewed_by_name: this.ctx.people.nameOf(by), reviewed_at: at, reason: reason ?? null,
    });
    const written = await this.ctx.db.insert('reviews', values);
    await this.ctx.audit.append({
      at, actor: by, action: verdict === 'approved' ? 'soa.approve' : 'soa.reject', subject: control, table: 'reviews', row: written.id as number, written, extra: { decision },
    });
    into.verdict = verdict;
    into.reviewed_by = by;
    into.reviewed_by_name = (values.reviewed_by_name as string | null | undefined) ?? null;
    into.reviewed_at = at;
    into.review_reason = reason ?? null;
    return into;
  }

  /** Checks one decision and returns its row. Issues go to `issues`; with `throwNow` they are thrown before returning. */
  private async check(input: DecisionInput, issues: Issues, throwNow = true, scope?: { edition: Edition; roles: Role[] }): Promise<Record<string, unknown>> {
    const item = await this.resolve(issues, input.control, input.role, scope?.edition, scope?.roles);
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
    const reasons = await this.checkReasons(issues, list(input.reasons));
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
      control_id: item?.key, applicable: applicable ? 1 : 0, reasons: JSON.stringify(reasons), status, justification: justification ?? null,
      owner, owner_name: this.ctx.people.nameOf(owner), evidence: JSON.stringify(evidence), proposed_by: by, proposed_by_name: this.ctx.people.nameOf(by),
      proposed_at: isoDate(this.ctx.now()), source: src,
    };
  }

  private async checkReasons(issues: Issues, raws: string[]): Promise<string[]> {
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
        if (!id || !await this.risks.get(id)) {
          const known = (await this.risks.list()).map((r) => r.id);
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

function scopeText(edition: Edition): string {
  return edition === '2022'
    ? 'The 2022 SoA covers the 93 ISO/IEC 27001:2022 Annex A controls (e.g. 5.23) and the ISO/IEC 27017 cloud items per role (e.g. 12.3.1 --role customer, CLD.9.5.1 --role provider)'
    : 'The 2013 SoA covers the 114 Annex A controls (e.g. 12.3.1) and the 7 CLD controls (e.g. CLD.9.5.1)';
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
  const { id: control, role } = splitKey(r.control_id);
  return {
    id: r.id, controlId: r.control_id, control, role: role as Role | null, edition: keyEdition(r.control_id), version, applicable: r.applicable === 1, reasons: JSON.parse(r.reasons) as string[],
    status: r.status, justification: r.justification, owner: r.owner, ownerName: r.owner_name ?? null, evidence: JSON.parse(r.evidence) as string[],
    proposedBy: r.proposed_by, proposedByName: r.proposed_by_name ?? null, proposedAt: r.proposed_at, source: r.source, state,
    approvedBy: approved ? r.reviewed_by : null, approvedByName: approved ? r.reviewed_by_name : null, approvedAt: approved ? r.reviewed_at : null,
    rejectedBy: rejected ? r.reviewed_by : null, rejectedByName: rejected ? r.reviewed_by_name : null, rejectedAt: rejected ? r.reviewed_at : null, rejectReason: rejected ? r.review_reason : null,
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
