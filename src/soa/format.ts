// Plain-text views of decisions, risks and the profile, shared by the CLI and the chat channels.
import { personLabel } from './people.js';
import type { CatalogEntry } from '../catalog/catalog.js';
import type { Decision } from './decisions.js';
import type { Profile } from './profile.js';
import type { Risk } from './risks.js';
import type { Role } from './context.js';

export const statusLabel: Record<Decision['status'], { ja: string; en: string }> = {
  implemented: { ja: '実施済', en: 'Implemented' },
  partial: { ja: '一部実施', en: 'Partially implemented' },
  planned: { ja: '計画中', en: 'Planned' },
  'not-implemented': { ja: '未実施', en: 'Not implemented' },
};

export const roleLabel: Record<Role, { ja: string; en: string }> = {
  customer: { ja: 'クラウドサービスカスタマ', en: 'cloud service customer' },
  provider: { ja: 'クラウドサービスプロバイダ', en: 'cloud service provider' },
};

/** How a line of the SoA is named to people: "5.23", "CLD.9.5.1 (provider)", "12.3.1（カスタマ）". */
export function rowLabel(row: { entry: CatalogEntry; role: Role | null }, lang: 'ja' | 'en' = 'en'): string {
  return row.role ? rowRole[lang](row.entry.id, row.role) : row.entry.id;
}

const rowRole: Record<'ja' | 'en', (id: string, role: Role) => string> = {
  ja: (id, role) => `${id}（${role === 'customer' ? 'カスタマ' : 'プロバイダ'}）`,
  en: (id, role) => `${id} (${role})`,
};

/** "C P *" style flags: 27017 guidance for customer / provider, and whether 27017 extends or adds the control. */
export function controlFlags(e: CatalogEntry): string {
  const kind = e.kind === 'cld' ? 'CLD' : e.extended ? '27017-extended' : '27002';
  const roles = [e.cloudGuidance.customer && 'customer', e.cloudGuidance.provider && 'provider'].filter(Boolean).join('+') || 'no role guidance';
  return `${kind}, ${roles}, 2022: ${mapping2022(e) || '-'}`;
}

export function mapping2022(e: CatalogEntry): string {
  return e.iso27001_2022.map((m) => `${m.id.replace('2022:A.', '')}${m.relation === 'same' ? '' : ` (${m.relation})`}`).join(', ');
}

export function decisionLines(d: Decision): string[] {
  const review = d.state === 'approved' ? `approved by ${personLabel(d.approvedBy, d.approvedByName)} at ${d.approvedAt}`
    : d.state === 'rejected' ? `rejected by ${personLabel(d.rejectedBy, d.rejectedByName)} at ${d.rejectedAt}${d.rejectReason ? `: ${d.rejectReason}` : ''}`
      : d.state === 'proposed' ? 'proposed, waiting for approval' : 'superseded before review';
  const lines = [
    `version ${d.version} (decision #${d.id}): ${review}`,
    `  applicable: ${d.applicable ? 'yes' : 'no'} · status: ${d.status}`,
  ];
  if (d.applicable) lines.push(`  reasons: ${d.reasons.join(', ') || '(none given)'}`);
  else lines.push(`  exclusion justification: ${d.justification}`);
  if (d.owner) lines.push(`  owner: ${personLabel(d.owner, d.ownerName)}`);
  if (d.evidence.length) lines.push(`  evidence: ${d.evidence.join(', ')}`);
  lines.push(`  proposed by ${personLabel(d.proposedBy, d.proposedByName)} at ${d.proposedAt} via ${d.source}`);
  return lines;
}

export function riskLines(r: Risk): string[] {
  const cia = [r.cia.confidentiality && 'C', r.cia.integrity && 'I', r.cia.availability && 'A'].filter(Boolean).join('');
  const lines = [
    `${r.id} ${r.title} (version ${r.version}, ${r.status})`,
    `  owner: ${personLabel(r.owner, r.ownerName)} · CIA: ${cia} · likelihood ${r.likelihood} x impact ${r.impact} = ${r.score} (${r.level})`,
  ];
  if (r.description) lines.push(`  description: ${r.description}`);
  if (r.service || r.asset) lines.push(`  service: ${r.service ?? '-'} · asset: ${r.asset ?? '-'}`);
  if (r.threat || r.vulnerability) lines.push(`  threat: ${r.threat ?? '-'} · vulnerability: ${r.vulnerability ?? '-'}`);
  lines.push(`  treatment: ${r.treatment ?? '(not decided)'}${r.controls.length ? ` with ${r.controls.join(', ')}` : ''}`
    + `${r.residual != null ? ` · residual ${r.residual} (${r.residualLevel})` : ''}`);
  if (r.nextReview) lines.push(`  next review: ${r.nextReview}`);
  lines.push(`  recorded by ${personLabel(r.recordedBy, r.recordedByName)} at ${r.recordedAt} via ${r.source}`);
  return lines;
}

export function profileLines(p: Profile | null, roles: Role[], from: string): string[] {
  const rolesText = `roles in scope: ${roles.join(', ')}${from === 'profile' ? '' : ` (from ${from}; no profile set yet)`}`;
  if (!p) return ['No organisation profile yet. Set one with: profile set --scope "..." --service "name=...,role=provider,model=SaaS" --by NAME', rolesText];
  return [
    `scope: ${p.scope}`,
    ...p.services.map((s) => `  service: ${s.name} · role ${s.role} · ${s.model}${s.runsOn ? ` · runs on ${s.runsOn}` : ''}`),
    rolesText,
    `set by ${p.setBy} at ${p.setAt} via ${p.source}`,
  ];
}
