// soa transition --to 2022: proposes 2022-edition decisions from the approved 2013 ones. Nothing is approved here:
// every proposal waits for an approver, and its audit entry names the 2013 decisions it was drawn from.
import type { Bilingual } from '../catalog/schema.js';
import type { Decision, DecisionInput, DecisionStore, SoaRow, Status } from './decisions.js';
import type { EditionState, EditionStore } from './edition.js';
import { fail } from './errors.js';

export type ProposalKind = 'copied' | 'merged' | 'split' | 'cloud';

export interface TransitionSource { id: string; decision: number; version: number; applicable: boolean; status: Status }

export interface TransitionProposal {
  /** The 2022 SoA line: "8.13" or "12.3.1@customer". */
  key: string;
  kind: ProposalKind;
  from: TransitionSource[];
  /** 2013 controls that map here but have no approved decision (a merged control proposed from its decided parts). */
  undecidedSources: string[];
  input: Omit<DecisionInput, 'by' | 'source'>;
}

export interface TransitionPlan {
  /**
   * Counts of proposals. copied: from one 2013 decision; merged: several agreeing 2013 decisions combined; split: a
   * part of a 2013 control that became several 2022 controls (each part gets a proposal).
   */
  copied: number;
  merged: number;
  split: number;
  /** 27017 cloud items carried over per role in scope. */
  cloud: number;
  /** 2022 controls whose 2013 sources disagree (one applicable, another excluded): a person decides. */
  conflicts: string[];
  /** The 11 controls new in 2022 (no 2013 source): a person decides each. */
  new: string[];
  conflictDetails: { id: string; sources: { id: string; applicable: boolean; status: Status }[] }[];
  newDetails: { id: string; title: Bilingual; prompt: Bilingual; cloud: string[] }[];
  /** 2022 lines none of whose 2013 sources has an approved decision. */
  undecided: string[];
  /** 2022 lines that already have a decision or proposal, left as they are. */
  alreadyDecided: string[];
  /** 2013 controls with a pending (unapproved) proposal: only approved 2013 decisions are carried over. */
  ignoredPending: string[];
  proposals: TransitionProposal[];
  written: boolean;
}

const strength: Status[] = ['not-implemented', 'planned', 'partial', 'implemented'];
const uniq = <T>(xs: T[]) => [...new Set(xs)];

function sourceOf(d: Decision, id: string): TransitionSource {
  return { id, decision: d.id, version: d.version, applicable: d.applicable, status: d.status };
}

/** One decision from several agreeing ones: reasons and evidence joined, the weakest status, every owner named. */
function combine(decisions: { id: string; d: Decision }[]): TransitionProposal['input'] {
  const ds = decisions.map((x) => x.d);
  const applicable = ds[0]!.applicable;
  const status = strength[Math.min(...ds.map((d) => strength.indexOf(d.status)))]!;
  const owners = uniq(ds.map((d) => d.owner).filter((o): o is string => !!o));
  const base = { applicable, status, ...(owners.length ? { owner: owners.join('; ') } : {}), evidence: uniq(ds.flatMap((d) => d.evidence)) };
  if (applicable) return { ...base, reasons: uniq(ds.flatMap((d) => d.reasons)) };
  const justification = decisions.length === 1 ? ds[0]!.justification! : decisions.map((x) => `${x.id}: ${x.d.justification}`).join(' / ');
  return { ...base, justification };
}

/** Pure: from the 2013 rows (with their approved decisions) and the 2022 rows, what the move would propose. */
export function planTransition(rows2013: SoaRow[], rows2022: SoaRow[], edition: EditionState): TransitionPlan {
  if (edition.edition === '2022') {
    fail('to', `the SoA is already in the 2022 edition${edition.setAt ? ` (since ${edition.setAt}, by ${edition.setBy})` : ' (a new store starts there)'}`,
      'Nothing to move: record 2022 decisions with "soa set 5.23 ..." and see what is left with "soa missing"');
  }
  const by2013 = new Map(rows2013.map((r) => [r.key, r]));
  const plan: TransitionPlan = {
    copied: 0, merged: 0, split: 0, cloud: 0, conflicts: [], new: [], conflictDetails: [], newDetails: [], undecided: [], alreadyDecided: [],
    ignoredPending: rows2013.filter((r) => r.pending).map((r) => r.key), proposals: [], written: false,
  };
  const propose = (p: TransitionProposal) => {
    plan.proposals.push(p);
    plan[p.kind]++;
  };
  for (const row of rows2022) {
    if (row.current || row.pending) {
      plan.alreadyDecided.push(row.key);
      continue;
    }
    const a = row.entry.annex2022;
    if (a?.isNew) {
      const cloud = a.cloud.length ? { en: ` ISO/IEC 27017 items to read first: ${a.cloud.join(', ')}.`, ja: ` 先に確認する ISO/IEC 27017 の項目: ${a.cloud.join(', ')}。` } : { en: '', ja: '' };
      plan.new.push(row.key);
      plan.newDetails.push({
        id: row.key, title: row.entry.title, cloud: a.cloud,
        prompt: {
          en: `New in 2022, decide: does "${row.entry.title.en}" apply to your scope, and how is it implemented? ${row.entry.summary.en}${cloud.en}`,
          ja: `2022 年版の新規管理策。「${row.entry.title.ja}」を適用範囲に適用するか、どう実施しているかを決める。${row.entry.summary.ja}${cloud.ja}`,
        },
      });
      continue;
    }
    // Annex A: its 2013 sources. A 27017 row: the 2013 decision on the same control (one per control, carried to each role).
    const sourceIds = a ? a.from2013 : [row.entry.id];
    const decided = sourceIds.flatMap((id) => {
      const d = by2013.get(id)?.current;
      return d ? [{ id, d }] : [];
    });
    if (!decided.length) {
      plan.undecided.push(row.key);
      continue;
    }
    const undecidedSources = sourceIds.filter((id) => !decided.some((x) => x.id === id));
    const from = decided.map((x) => sourceOf(x.d, x.id));
    const input = { control: row.key, ...combine(decided) };
    if (!a) {
      propose({ key: row.key, kind: 'cloud', from, undecidedSources, input });
    } else if (decided.length > 1) {
      if (new Set(decided.map((x) => x.d.applicable)).size > 1) {
        plan.conflicts.push(row.key);
        plan.conflictDetails.push({ id: row.key, sources: decided.map((x) => ({ id: x.id, applicable: x.d.applicable, status: x.d.status })) });
        continue;
      }
      propose({ key: row.key, kind: 'merged', from, undecidedSources, input });
    } else {
      // One decided source: a part of a 2013 control that became several 2022 controls, or a one-to-one copy.
      const split = (by2013.get(decided[0]!.id)?.entry.iso27001_2022.length ?? 1) > 1;
      propose({ key: row.key, kind: split ? 'split' : 'copied', from, undecidedSources, input });
    }
  }
  return plan;
}

/** Moves the SoA to 2022 and writes the proposals (never approved), in the caller's transaction. */
export async function applyTransition(plan: TransitionPlan, opts: { by?: string; source?: string; soa: DecisionStore; editions: EditionStore }): Promise<TransitionPlan> {
  const by = opts.by?.trim();
  if (!by) fail('by', 'is required', 'Say who proposes the move, e.g. --by alice');
  const source = opts.source ?? 'cli';
  await opts.editions.record('2022', by, source, `soa transition from 2013: ${plan.proposals.length} proposals`);
  await opts.soa.proposeMany(
    plan.proposals.map((p) => ({ ...p.input, by, source })),
    plan.proposals.map((p) => ({
      transition: '2013->2022', basis: p.kind,
      from2013: p.from.map((f) => `${f.id} v${f.version} (decision #${f.decision})`),
      ...(p.undecidedSources.length ? { undecided2013: p.undecidedSources } : {}),
    })),
  );
  return { ...plan, written: true };
}
