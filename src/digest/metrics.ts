// Audit-readiness metrics from the store. Every number carries the IDs behind it (control, decision, risk and
// internal-audit IDs), so that the digest, the App Home and `digest --preview --json` can show where it comes from.
import type { Edition } from '../catalog/catalog.js';
import type { Decision, InternalAudit, Role, Status, Store, VerifyResult } from '../soa/index.js';
import { daysSince, localDay, weekOf } from './time.js';

/** An exclusion justification shorter than this (a full-width character counts as two) is not adequate. */
export const MIN_JUSTIFICATION = 20;
/** A proposal waiting longer than this many days counts against the score. */
export const STALE_PROPOSAL_DAYS = 14;
/** "Changed this week": decisions proposed, approved or rejected in this many days before now. */
export const CHANGE_WINDOW_DAYS = 7;

/**
 * Readiness score weights (they add up to 100). Each metric gives a ratio from 0 to 1; the score is
 * round(sum of weight x ratio):
 *   coverage       approved decisions / controls relevant to the roles in scope (Annex A + 27017 CLD)
 *   implemented    implemented / applicable approved decisions (0 when none is applicable yet)
 *   exclusions     1 - inadequate / exclusions (1 when nothing is excluded)
 *   pending        1 - proposals older than STALE_PROPOSAL_DAYS / pending proposals (1 when none is pending)
 *   cld            2013: CLD controls with an approved decision / relevant CLD controls;
 *                  2022: ISO/IEC 27017 lines (per role) with an approved decision / those lines
 *   riskOwners     1 - risks without a valid owner / active risks
 *   highRisks      1 - untreated high risks / active high risks (1 when there is none)
 *   riskReviews    1 - risks with an overdue review / active risks
 *   internalAudit  1 when an internal audit is recorded and the next one is not overdue, else 0
 *   auditChain     1 when the audit chain verifies, else 0
 * An empty risk register gives 0 for the three risk metrics: there is no risk assessment to show (4.2.1).
 * Active risks are those not closed; with risks but none active, the risk ratios are 1.
 */
export const weights = {
  coverage: 30, implemented: 20, exclusions: 10, pending: 5, cld: 10,
  riskOwners: 5, highRisks: 5, riskReviews: 5, internalAudit: 5, auditChain: 5,
} as const;
export type MetricKey = keyof typeof weights;

export interface ScorePart {
  key: MetricKey;
  weight: number;
  /** 0 to 1, three decimals. */
  ratio: number;
  /** weight x ratio, one decimal. */
  points: number;
  /** The counts behind the ratio, e.g. "54/121". */
  basis: string;
}

export interface ChangeEvent {
  decisionId: number;
  controlId: string;
  /** set: recorded and approved at once by an approver. */
  kind: 'set' | 'proposed' | 'approved' | 'rejected';
  by: string;
  /** The display name recorded with the change (a Slack user), else null. */
  byName: string | null;
  at: string;
  applicable: boolean;
  status: Status;
}

export interface ReadinessMetrics {
  /** The instant the metrics were taken (ISO), its local day and ISO week in `timezone`. */
  at: string;
  day: string;
  week: string;
  timezone: string;
  roles: Role[];
  /** The SoA edition the metrics read: 2022 (Annex A + 27017 lines per role) or 2013. */
  edition: Edition;
  coverage: { approved: number; relevant: number; missingIds: string[] };
  implemented: { implemented: number; applicable: number; implementedIds: string[]; notImplemented: { id: string; status: Status }[] };
  exclusions: {
    total: number;
    excludedIds: string[];
    inadequate: { id: string; decisionId: number; justification: string | null; problem: JustificationProblem }[];
  };
  pending: {
    count: number;
    oldestDays: number | null;
    staleIds: string[];
    proposals: { id: string; decisionId: number; proposedBy: string; proposedByName: string | null; proposedAt: string; ageDays: number }[];
  };
  cld: { relevant: number; decided: number; relevantIds: string[]; undecidedIds: string[] };
  risks: {
    total: number;
    active: number;
    ids: string[];
    /** The highest band of ISMS_RISK_LEVELS. */
    highLevel: string;
    highIds: string[];
    withoutOwner: { id: string; owner: string }[];
    highUntreated: { id: string; score: number; treatment: string | null; status: string; controls: string[] }[];
    reviewOverdue: { id: string; nextReview: string; daysOverdue: number }[];
    withoutReviewDate: string[];
  };
  changes: { since: string; until: string; events: ChangeEvent[] };
  internalAudit: { last: InternalAudit | null; nextDue: string | null; overdue: boolean; auditIds: number[] };
  auditChain: VerifyResult;
  score: { value: number; parts: ScorePart[] };
}

export interface MetricsOptions {
  now?: Date;
  /** ISMS_TIMEZONE: local days for overdue dates and the week key. */
  timezone?: string;
}

const placeholders = new Set([
  'n/a', 'na', 'none', 'nil', 'null', '-', '--', '---', '—', '–', '.', '?', 'x', 'tbd', 'tba', 'todo', 'unknown', 'unassigned', 'same', 'see above',
  'なし', '無し', '特になし', '該当なし', '対象外', '不要', '未定', '不明', 'ー', '―', '同上',
]);

/** Text that says nothing: empty, or a placeholder such as "n/a", "-", "TBD", "なし", "未定". */
export function isPlaceholder(text: string | null | undefined): boolean {
  const s = (text ?? '').normalize('NFKC').trim().toLowerCase().replace(/[。.!！]+$/u, '');
  return !s || placeholders.has(s);
}

const wide = /[\u1100-\u115F\u2E80-\uA4CF\uAC00-\uD7A3\uF900-\uFAFF\uFE30-\uFE4F\uFF00-\uFF60\uFFE0-\uFFE6]/u;

/** Length for the adequacy rule: a full-width (Japanese, Chinese, Korean) character counts as two. */
export function textWidth(text: string): number {
  let n = 0;
  for (const ch of text.trim()) n += wide.test(ch) ? 2 : 1;
  return n;
}

export type JustificationProblem = 'missing' | 'placeholder' | 'too short';

/**
 * An exclusion justification is adequate when it is present, is not a placeholder ("n/a", "-", "なし", ...) and is
 * at least MIN_JUSTIFICATION characters long (a full-width character counts as two): long enough to say why.
 */
export function justificationProblem(justification: string | null): JustificationProblem | null {
  if (!justification?.trim()) return 'missing';
  if (isPlaceholder(justification)) return 'placeholder';
  return textWidth(justification) < MIN_JUSTIFICATION ? 'too short' : null;
}

const ratio = (num: number, den: number, empty = 1) => (den > 0 ? num / den : empty);
const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;

export async function readinessMetrics(store: Store, opts: MetricsOptions = {}): Promise<ReadinessMetrics> {
  const now = opts.now ?? new Date();
  const timezone = opts.timezone ?? 'Asia/Tokyo';
  const today = localDay(now, timezone);
  const roles = await store.profileRoles();
  const { rows, history, edition } = await store.soa.snapshot(roles);
  const relevant = rows.filter((r) => r.relevant);
  const approved = relevant.filter((r) => r.current);
  const applicable = approved.filter((r) => r.current!.applicable);
  const excluded = approved.filter((r) => !r.current!.applicable);
  const inadequate = excluded.flatMap((r) => {
    const problem = justificationProblem(r.current!.justification);
    return problem ? [{ id: r.key, decisionId: r.current!.id, justification: r.current!.justification, problem }] : [];
  });
  const proposals = rows.filter((r) => r.pending).map((r) => ({
    id: r.key, decisionId: r.pending!.id, proposedBy: r.pending!.proposedBy, proposedByName: r.pending!.proposedByName, proposedAt: r.pending!.proposedAt, ageDays: daysSince(r.pending!.proposedAt, now),
  })).sort((a, b) => b.ageDays - a.ageDays || a.decisionId - b.decisionId);
  // 2013: the 7 CLD controls; 2022: every ISO/IEC 27017 line (extended and CLD controls, per role in scope).
  const cld = relevant.filter((r) => (edition === '2022' ? r.role !== null : r.entry.kind === 'cld'));

  const levels = store.riskLevels;
  const highLevel = levels[levels.length - 1]?.name ?? 'high';
  const risks = await store.risks.list();
  const active = risks.filter((r) => r.status !== 'closed');
  const high = active.filter((r) => r.level === highLevel);
  const highUntreated = high.filter((r) => !r.treatment || (r.status === 'open' && !r.controls.length));
  const withoutOwner = active.filter((r) => isPlaceholder(r.owner));
  const reviewOverdue = active.filter((r) => r.nextReview && r.nextReview < today)
    .map((r) => ({ id: r.id, nextReview: r.nextReview!, daysOverdue: Math.round((Date.parse(today) - Date.parse(r.nextReview!)) / 86_400_000) }));

  const audits = await store.internalAudits.list();
  const last = await store.internalAudits.last();
  const auditOverdue = !!last && last.nextDue < today;
  const chain = await store.verifyAudit();
  const since = new Date(now.getTime() - CHANGE_WINDOW_DAYS * 86_400_000);

  const metrics: Omit<ReadinessMetrics, 'score'> = {
    at: now.toISOString(), day: today, week: weekOf(now, timezone), timezone, roles, edition,
    coverage: { approved: approved.length, relevant: relevant.length, missingIds: relevant.filter((r) => !r.current).map((r) => r.key) },
    implemented: {
      implemented: applicable.filter((r) => r.current!.status === 'implemented').length, applicable: applicable.length,
      implementedIds: applicable.filter((r) => r.current!.status === 'implemented').map((r) => r.key),
      notImplemented: applicable.filter((r) => r.current!.status !== 'implemented').map((r) => ({ id: r.key, status: r.current!.status })),
    },
    exclusions: { total: excluded.length, excludedIds: excluded.map((r) => r.key), inadequate },
    pending: {
      count: proposals.length, oldestDays: proposals[0]?.ageDays ?? null,
      staleIds: proposals.filter((p) => p.ageDays > STALE_PROPOSAL_DAYS).map((p) => p.id), proposals,
    },
    cld: { relevant: cld.length, decided: cld.filter((r) => r.current).length, relevantIds: cld.map((r) => r.key), undecidedIds: cld.filter((r) => !r.current).map((r) => r.key) },
    risks: {
      total: risks.length, active: active.length, ids: risks.map((r) => r.id), highLevel, highIds: high.map((r) => r.id),
      withoutOwner: withoutOwner.map((r) => ({ id: r.id, owner: r.owner })),
      highUntreated: highUntreated.map((r) => ({ id: r.id, score: r.score, treatment: r.treatment, status: r.status, controls: r.controls })),
      reviewOverdue, withoutReviewDate: active.filter((r) => !r.nextReview).map((r) => r.id),
    },
    changes: { since: since.toISOString(), until: now.toISOString(), events: changeEvents(history, since, now) },
    internalAudit: { last, nextDue: last?.nextDue ?? null, overdue: auditOverdue, auditIds: audits.map((a) => a.id) },
    auditChain: chain,
  };
  return { ...metrics, score: score(metrics) };
}

/** Who changed which decision in the window: proposals, approvals and rejections, oldest first. */
function changeEvents(history: Decision[], since: Date, until: Date): ChangeEvent[] {
  const inWindow = (at: string | null) => !!at && Date.parse(at) > since.getTime() && Date.parse(at) <= until.getTime();
  const events: ChangeEvent[] = [];
  for (const d of history) {
    const base = { decisionId: d.id, controlId: d.controlId, applicable: d.applicable, status: d.status };
    const setAtOnce = d.approvedBy === d.proposedBy && d.approvedAt === d.proposedAt;
    if (inWindow(d.proposedAt)) events.push({ ...base, kind: setAtOnce ? 'set' : 'proposed', by: d.proposedBy, byName: d.proposedByName, at: d.proposedAt });
    if (!setAtOnce && inWindow(d.approvedAt)) events.push({ ...base, kind: 'approved', by: d.approvedBy!, byName: d.approvedByName, at: d.approvedAt! });
    if (inWindow(d.rejectedAt)) events.push({ ...base, kind: 'rejected', by: d.rejectedBy!, byName: d.rejectedByName, at: d.rejectedAt! });
  }
  return events.sort((a, b) => a.at.localeCompare(b.at) || a.decisionId - b.decisionId);
}

/** The readiness score and its parts; see `weights` for the formula. */
export function score(m: Omit<ReadinessMetrics, 'score'>): ReadinessMetrics['score'] {
  const r = m.risks;
  const noRegister = r.total === 0;
  const highActive = r.highIds.length;
  const parts: [MetricKey, number, string][] = [
    ['coverage', ratio(m.coverage.approved, m.coverage.relevant), `${m.coverage.approved}/${m.coverage.relevant}`],
    ['implemented', ratio(m.implemented.implemented, m.implemented.applicable, 0), `${m.implemented.implemented}/${m.implemented.applicable}`],
    ['exclusions', 1 - ratio(m.exclusions.inadequate.length, m.exclusions.total, 0), `${m.exclusions.total - m.exclusions.inadequate.length}/${m.exclusions.total}`],
    ['pending', 1 - ratio(m.pending.staleIds.length, m.pending.count, 0), `${m.pending.count - m.pending.staleIds.length}/${m.pending.count}`],
    ['cld', ratio(m.cld.decided, m.cld.relevant), `${m.cld.decided}/${m.cld.relevant}`],
    ['riskOwners', noRegister ? 0 : 1 - ratio(r.withoutOwner.length, r.active, 0), `${r.active - r.withoutOwner.length}/${r.active}`],
    ['highRisks', noRegister ? 0 : 1 - ratio(r.highUntreated.length, highActive, 0), `${highActive - r.highUntreated.length}/${highActive}`],
    ['riskReviews', noRegister ? 0 : 1 - ratio(r.reviewOverdue.length, r.active, 0), `${r.active - r.reviewOverdue.length}/${r.active}`],
    ['internalAudit', m.internalAudit.last && !m.internalAudit.overdue ? 1 : 0, m.internalAudit.last ? (m.internalAudit.overdue ? 'overdue' : 'current') : 'none'],
    ['auditChain', m.auditChain.ok ? 1 : 0, m.auditChain.ok ? 'ok' : 'broken'],
  ];
  const out = parts.map(([key, x, basis]) => ({ key, weight: weights[key], ratio: round(x, 3), points: round(weights[key] * x, 1), basis }));
  const value = Math.round(parts.reduce((sum, [key, x]) => sum + weights[key] * x, 0));
  return { value, parts: out };
}
