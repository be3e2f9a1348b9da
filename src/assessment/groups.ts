// The missed-control check (JIP-ISMS517 4.2.2 c) in groups: the 27017 cloud items for the roles in scope, then the
// controls that the chosen treatments touch, then the rest; one-sided 27017 items for a role this service does not
// hold (a 2013-edition row) come last, with a template justification for excluding them.
import type { CatalogEntry } from '../catalog/catalog.js';
import type { Lang } from '../search/text.js';
import { linesFor, soaItems, splitKey } from '../soa/index.js';
import type { FlowDeps } from './deps.js';
import type { AssessmentState, ScopeRole } from './types.js';
import { messages } from './messages.js';

export type GroupKind = 'cloud' | 'touched' | 'rest' | 'oneSided';
export const groupKinds: GroupKind[] = ['cloud', 'touched', 'rest', 'oneSided'];

export interface MissedGroup {
  /** 1 cloud, 2 touched, 3 rest, 4 one-sided: the number stays the same while the step goes on. */
  n: number;
  kind: GroupKind;
  keys: string[];
}

/** Treating controls for "share": the supplier relationship controls. */
const SHARE_CONTROLS = ['15.1.1', '15.1.2', '15.1.3', '15.2.1', '15.2.2'];

export function rolesOf(role: ScopeRole | undefined): ('customer' | 'provider')[] {
  return role === 'both' || !role ? ['customer', 'provider'] : [role];
}

const isCloud = (e: CatalogEntry) => e.kind === 'cld' || (e.kind === 'control' && e.extended);

/** The SoA lines that the controls chosen for the risks bear on (in 2022, 12.3.1 becomes 8.13 and 12.3.1@customer …). */
export function chosenLines(state: AssessmentState, deps: FlowDeps): string[] {
  const roles = rolesOf(state.scope.role);
  return [...new Set(state.risks.flatMap((r) => r.controls).flatMap((id) => linesFor(deps.catalog, deps.edition, id, roles)))];
}

/** Lines the treatments touch without choosing them: siblings of chosen controls, library controls left out, suppliers for "share". */
function touchedLines(state: AssessmentState, deps: FlowDeps): Set<string> {
  const roles = rolesOf(state.scope.role);
  const chosen = state.risks.flatMap((r) => r.controls);
  const categories = new Set(chosen.map((id) => deps.catalog.get(id)?.category?.id).filter(Boolean));
  const ids = new Set<string>([
    ...deps.catalog.controls().filter((e) => e.category && categories.has(e.category.id)).map((e) => e.id),
    ...state.risks.flatMap((r) => deps.catalog.risks.find((x) => x.id === r.libraryId)?.controls ?? []),
    ...(state.risks.some((r) => r.treatment === 'share') ? SHARE_CONTROLS : []),
  ]);
  return new Set([...ids].flatMap((id) => linesFor(deps.catalog, deps.edition, id, roles)));
}

/** Every line the check lists: relevant, not chosen by a risk and not decided in the SoA; cloud lines first. */
export function missedLines(state: AssessmentState, deps: FlowDeps): string[] {
  return groupLines(state, deps, new Set()).flatMap((g) => g.keys);
}

function groupLines(state: AssessmentState, deps: FlowDeps, done: Set<string>): MissedGroup[] {
  const roles = rolesOf(state.scope.role);
  const chosen = new Set(chosenLines(state, deps));
  const touched = touchedLines(state, deps);
  const buckets: Record<GroupKind, string[]> = { cloud: [], touched: [], rest: [], oneSided: [] };
  for (const x of soaItems(deps.catalog, deps.edition, roles)) {
    if (chosen.has(x.key) || deps.decided.has(x.key) || done.has(x.key)) continue;
    const cloud = x.role !== null || (deps.edition === '2013' && isCloud(x.entry));
    if (!x.relevant) {
      if (deps.edition === '2013' && isCloud(x.entry)) buckets.oneSided.push(x.key);
      continue;
    }
    buckets[cloud ? 'cloud' : touched.has(x.key) ? 'touched' : 'rest'].push(x.key);
  }
  // CLD controls lead the cloud group: they exist only because of the cloud.
  buckets.cloud.sort((a, b) => Number(!a.startsWith('CLD.')) - Number(!b.startsWith('CLD.')));
  return groupKinds.map((kind, i) => ({ n: i + 1, kind, keys: buckets[kind] })).filter((g) => g.keys.length);
}

/** How many listed lines are not decided in this assessment yet. */
export function openCount(state: AssessmentState): number {
  const done = new Set(state.decisions.map((d) => d.controlId));
  return state.missed.filter((k) => !done.has(k)).length;
}

/** The groups of lines still open (listed by the check, not decided in this assessment). */
export function openGroups(state: AssessmentState, deps: FlowDeps): MissedGroup[] {
  const listed = new Set(state.missed);
  const done = new Set(state.decisions.map((d) => d.controlId));
  return groupLines(state, deps, done).map((g) => ({ ...g, keys: g.keys.filter((k) => listed.has(k)) })).filter((g) => g.keys.length);
}

/** Who 27017 gives guidance for, for a line: its role in 2022, the item's one role in 2013. */
function oneSidedRole(key: string, deps: FlowDeps): 'customer' | 'provider' | null {
  const e = deps.catalog.get(splitKey(key).id);
  if (!e || !isCloud(e) || e.cloudGuidance.customer === e.cloudGuidance.provider) return null;
  return e.cloudGuidance.customer ? 'customer' : 'provider';
}

/** The template justification for excluding a one-sided 27017 item that is for a role this service does not hold. */
export function templateFor(key: string, state: AssessmentState, deps: FlowDeps, lang: Lang): string | null {
  const only = oneSidedRole(key, deps);
  const held = rolesOf(state.scope.role);
  if (!only || held.includes(only)) return null;
  const service = state.scope.service ?? '?';
  const title = deps.catalog.get(splitKey(key).id)?.title[lang] ?? key;
  const m = messages(lang);
  const mine = m.role(held[0] === 'customer' ? 'customer' : 'provider');
  return m.oneSidedTemplate(only, title, mine, service);
}

/** The justification offered for applying a whole group; the rest needs one written by a person. */
export function groupReason(kind: GroupKind, state: AssessmentState, lang: Lang): string | null {
  const s = state.scope;
  const m = messages(lang);
  const roles = s.runsOn
    ? m.providerAndCustomer(s.service, s.runsOn)
    : rolesOf(s.role).map((r) => m.roleOf(r, s.service)).join(m.listSep);
  if (kind === 'cloud') return m.cloudGroupReason(roles);
  if (kind === 'touched') return m.touchedGroupReason(s.service);
  return null;
}
