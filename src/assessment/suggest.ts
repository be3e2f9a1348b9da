// Suggested values for one risk, each with its reason: likelihood × impact from the library and the assets'
// classification, the owner from earlier answers, earlier assessments of the service and the profile, and a treatment.
import type { RiskLevel } from '../config.js';
import type { Lang } from '../search/text.js';
import type { RiskFit } from './library.js';
import { classificationLevel } from './parse.js';
import type { AssessmentState, DraftRisk, Treatment } from './types.js';
import { messages } from './messages.js';

export interface Suggestion {
  cia: string;
  likelihood: number;
  impact: number;
  owner?: string;
  treatment: Treatment;
  /** Why, one phrase each, in the assessment's language. */
  why: { score: string; owner?: string; treatment: string };
}

/** An earlier risk of the register: its service, library title and owner. */
export interface EarlierRisk { service: string | null; title: string; owner: string | null }

export interface OwnerSources {
  earlier: EarlierRisk[];
  /** Who recorded the profile (JIP-ISMS517 4.1), the last resort. */
  profileBy?: string;
}

export function levelOf(score: number, levels: RiskLevel[]): string {
  return levels.find((l) => score >= l.min && score <= l.max)?.name ?? '?';
}

const clamp = (n: number) => Math.max(1, Math.min(5, n));

export function suggest(state: AssessmentState, risk: DraftRisk, fit: RiskFit | undefined, titles: string[], owners: OwnerSources, levels: RiskLevel[]): Suggestion {
  const m = messages(state.lang);
  const cia = risk.cia || 'CIA';
  const base = { likelihood: fit?.likelihood ?? 3, impact: fit?.impact ?? 3 };
  const top = [...state.scope.assets].sort((a, b) => classificationLevel(b.classification) - classificationLevel(a.classification))[0];
  const level = top ? classificationLevel(top.classification) : 1;
  let impact = base.impact;
  const notes: string[] = [fit ? m.libraryTypical(base.likelihood, base.impact) : m.ownRiskMiddle];
  if (cia.includes('C') && top && level >= 3 && impact < 5) {
    impact = clamp(impact + 1);
    notes.push(m.impactUp(top.name, top.classification));
  } else if (cia === 'C' && state.scope.assets.length && level <= 1 && impact > 1) {
    impact = clamp(impact - 1);
    notes.push(m.impactDown);
  }
  const owner = suggestOwner(state, risk, titles, owners);
  const score = base.likelihood * impact;
  const lowest = [...levels].sort((a, b) => a.min - b.min)[0];
  const retain = lowest ? score <= lowest.max : false;
  const treatment: Treatment = retain ? 'retain' : 'modify';
  return {
    cia, likelihood: base.likelihood, impact, owner: owner?.name, treatment,
    why: {
      score: notes.join(m.notesSep),
      owner: owner?.why,
      treatment: retain
        ? m.retainProposed(levelOf(score, levels))
        : m.reduceWithControls,
    },
  };
}

/** The owner of this risk in an earlier assessment of the service, of an earlier risk here, of the service's risks, or of the profile. */
function suggestOwner(state: AssessmentState, risk: DraftRisk, titles: string[], owners: OwnerSources): { name: string; why: string } | undefined {
  const m = messages(state.lang);
  const service = state.scope.service?.toLowerCase();
  const mine = owners.earlier.filter((r) => r.owner && r.service?.toLowerCase() === service);
  const same = risk.libraryId ? [...mine].reverse().find((r) => titles.includes(r.title)) : undefined;
  if (same?.owner) return { name: same.owner, why: m.ownerLastTime(state.scope.service) };
  const here = state.risks.slice(0, state.cursor).reverse().find((r) => r.owner)?.owner;
  if (here) return { name: here, why: m.ownerPrevious };
  const counts = new Map<string, number>();
  for (const { owner } of mine) if (owner) counts.set(owner, (counts.get(owner) ?? 0) + 1);
  const most = [...counts].sort((a, b) => b[1] - a[1])[0];
  if (most) return { name: most[0], why: m.ownerOfMost(most[1], state.scope.service) };
  if (owners.profileBy) return { name: owners.profileBy, why: m.ownerProfile };
  return undefined;
}

/** "CIA 3×4=12 (medium), owner alice, modify → 15.1.3, 15.2.1" */
export function ciaLabel(cia: string, lang: Lang): string {
  return messages(lang).ciaLabel(cia);
}
