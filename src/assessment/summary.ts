// What an approver reads: a summary that fits one screen (risks with levels, treatments and controls; what changes
// in the SoA; what was excluded and why), and the details behind it (every line), for a thread reply.
import type { FlowDeps } from './deps.js';
import { chosenLines, groupReason, groupKinds, openCount } from './groups.js';
import { messages } from './messages.js';
import { levelOf } from './suggest.js';
import type { AssessmentState, DraftRisk } from './types.js';

const SHOWN_CONTROLS = 4;
const SHOWN_EXCLUSIONS = 5;
const clip = (s: string, n: number) => (s.length > n ? s.slice(0, n - 1) + '…' : s);

function scoreText(r: DraftRisk, deps: FlowDeps): string {
  if (!r.likelihood || !r.impact) return '?';
  const score = r.likelihood * r.impact;
  return `${r.likelihood}×${r.impact}=${score} ${levelOf(score, deps.riskLevels)}`;
}

function controlsText(ids: string[]): string {
  if (!ids.length) return '';
  return ` → ${ids.slice(0, SHOWN_CONTROLS).join(', ')}${ids.length > SHOWN_CONTROLS ? ` +${ids.length - SHOWN_CONTROLS}` : ''}`;
}

export function summary(state: AssessmentState, deps: FlowDeps): string {
  const m = messages(state.lang);
  const s = state.scope;
  const lines = [
    m.summaryHead(state.id, s.service ?? '?'),
    m.scopeLine(s.role ? m.role(s.role) : '?', s.model ?? '?', s.runsOn ?? null),
  ];
  if (s.assets.length) lines.push(m.assetsLine(s.assets.map((a) => `${a.name} (${a.classification})`).join(', ')));
  if (state.risks.length) lines.push(m.risksLine(state.risks.length));
  state.risks.forEach((r, i) => {
    const treatment = r.treatment ? m.treatments[r.treatment] : '?';
    lines.push(`${i + 1}. ${clip(r.title, 48)} — ${scoreText(r, deps)} · ${r.owner ?? '?'} · ${treatment}${controlsText(r.controls)}`);
  });
  const chosen = chosenLines(state, deps);
  const inGroups = state.decisions.filter((d) => d.applicable && d.group).length;
  const singles = state.decisions.filter((d) => d.applicable && !d.group).length;
  const excluded = state.decisions.filter((d) => !d.applicable);
  const open = state.step === 'missing' || state.step === 'review' || state.step === 'done' ? openCount(state) : 0;
  if (chosen.length || state.decisions.length) lines.push(m.soaLine(chosen.length, inGroups, singles, excluded.length, open));
  if (excluded.length) {
    lines.push(m.excludedLine);
    for (const d of excluded.slice(0, SHOWN_EXCLUSIONS)) lines.push(`• ${d.controlId} — ${clip(d.justification ?? '', 90)}`);
    if (excluded.length > SHOWN_EXCLUSIONS) lines.push(`• … +${excluded.length - SHOWN_EXCLUSIONS}`);
  }
  const reversed = chosen.filter((id) => deps.excluded.has(id));
  if (reversed.length) lines.push(m.reverses(reversed.join(', ')));
  lines.push(m.stepLine(state.step));
  return lines.join('\n');
}

/** Every risk with its controls and every SoA line the approval writes or leaves open. */
export function details(state: AssessmentState, deps: FlowDeps): string {
  const m = messages(state.lang);
  const lines = [m.detailsHead(state.id)];
  state.risks.forEach((r, i) => {
    lines.push(m.detailsRisk(i + 1, `${r.libraryId ?? '+'} ${r.title}`, r.cia ?? '?', scoreText(r, deps), r.owner ?? '?', r.treatment ? m.treatments[r.treatment] : '?'));
    for (const id of r.controls) lines.push(`   • ${id} ${deps.catalog.get(id)?.title[state.lang] ?? ''}`);
  });
  const chosen = chosenLines(state, deps);
  if (chosen.length) lines.push('', m.detailsChosen(chosen.length), chosen.join(', '));
  groupKinds.forEach((kind, i) => {
    const keys = state.decisions.filter((d) => d.applicable && d.group === i + 1);
    const [first] = keys;
    if (first) lines.push('', m.detailsGroup(i + 1, keys.length, first.reason ?? groupReason(kind, state, state.lang) ?? ''), keys.map((d) => d.controlId).join(', '));
  });
  const singles = state.decisions.filter((d) => d.applicable && !d.group);
  if (singles.length) lines.push('', m.detailsSingle, ...singles.map((d) => `• ${d.controlId}${d.reason ? ` — ${d.reason}` : ''}`));
  const excluded = state.decisions.filter((d) => !d.applicable);
  if (excluded.length) lines.push('', m.detailsExcluded, ...excluded.map((d) => `• ${d.controlId} — ${d.justification}`));
  const done = new Set(state.decisions.map((d) => d.controlId));
  const open = state.missed.filter((k) => !done.has(k));
  if (open.length) lines.push('', m.detailsOpen(open.length), open.join(', '));
  return lines.join('\n');
}
